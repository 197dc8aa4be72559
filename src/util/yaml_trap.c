/* Guards against two libfyaml 0.7.12 bugs; a loader refuses the file with
 * the place and a way round it rather than meet them.
 * - Inside a single-quoted scalar, two escaped quotes in a row ('a''''b',
 *   meant as a''b) read back wrong (a''') and the read leaks the library's
 *   chunk buffer: checked on the parsed document, before any text is read.
 * - A tab between an indicator and another ('? a : <TAB>: x') is an error
 *   ("cannot use tab for indentation of block entry") after which freeing
 *   the parser can crash (when an explicit key is open). Checked on the
 *   text, before libfyaml sees it, wherever it stands: YAML never allows
 *   it as indentation, and telling a comment or a quoted scalar apart
 *   would take a second YAML scanner. */
#include <libfyaml.h>
#include <stdio.h>
#include <string.h>
#include "util.h"

/* The marks of a quoted scalar's token span its content, without the quotes:
 * checked on the source text, so the broken reader is never called. */
static bool misread(struct fy_node *n, const char *buf, size_t len)
{
	struct fy_token *t = fy_node_get_scalar_token(n);
	const struct fy_mark *s = t ? fy_token_start_mark(t) : NULL;
	const struct fy_mark *e = t ? fy_token_end_mark(t) : NULL;

	if (fy_node_get_style(n) != FYNS_SINGLE_QUOTED || !s || !e ||
	    s->input_pos > e->input_pos || e->input_pos > len)
		return false;
	return memmem(buf + s->input_pos, e->input_pos - s->input_pos, "''''", 4) != NULL;
}

static struct fy_node *find(struct fy_node *n, const char *buf, size_t len)
{
	struct fy_node_pair *p;
	struct fy_node *item, *r = NULL;
	void *it = NULL;

	/* An alias is checked where its anchor is. */
	if (!n || fy_node_is_alias(n))
		return NULL;
	switch (fy_node_get_type(n)) {
	case FYNT_SCALAR:
		return misread(n, buf, len) ? n : NULL;
	case FYNT_SEQUENCE:
		while (!r && (item = fy_node_sequence_iterate(n, &it)))
			r = find(item, buf, len);
		return r;
	case FYNT_MAPPING:
		while (!r && (p = fy_node_mapping_iterate(n, &it))) {
			r = find(fy_node_pair_key(p), buf, len);
			if (!r)
				r = find(fy_node_pair_value(p), buf, len);
		}
		return r;
	}
	return NULL;
}

bool ds_yaml_quote_trap(struct fy_node *root, const char *buf, size_t len, int *line, int *col)
{
	struct fy_node *n = find(root, buf, len);
	const struct fy_mark *m;

	if (!n)
		return false;
	m = fy_token_start_mark(fy_node_get_scalar_token(n));
	/* The mark is past the opening quote: point at the quote. */
	*line = m->line + 1;
	*col = m->column > 0 ? m->column : 1;
	return true;
}

static bool blank_or_end(const char *p, const char *end)
{
	return p >= end || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
}

/* After an indicator at p: blanks holding a tab, then an indicator that
 * would make them block indentation (what libfyaml's tab check refuses).
 * Returns the tab, or NULL. */
static const char *tab_before_indicator(const char *p, const char *end)
{
	const char *tab = NULL;

	for (p++; p < end && (*p == ' ' || *p == '\t'); p++)
		if (*p == '\t' && !tab)
			tab = p;
	if (!tab || p >= end)
		return NULL;
	if (*p == '?' || *p == ':' || *p == '|' || *p == '>' ||
	    (*p == '-' && blank_or_end(p + 1, end)))
		return tab;
	return NULL;
}

static bool tab_trap(const char *buf, size_t len, int *line, int *col)
{
	const char *end = buf + len, *bol = buf;

	*line = 1;
	for (const char *p = buf; p < end; p++) {
		bool after_blank = p == bol || p[-1] == ' ' || p[-1] == '\t';
		const char *tab;

		if (*p == '\n') {
			(*line)++;
			bol = p + 1;
			continue;
		}
		/* ':' followed by a blank is always an indicator in block
		 * context; '?' and '-' also when they start a token */
		if ((*p == ':' || ((*p == '?' || *p == '-') && after_blank)) &&
		    (tab = tab_before_indicator(p, end))) {
			*col = (int)(tab - bol) + 1;
			return true;
		}
	}
	return false;
}

bool ds_yaml_text_refused(const char *buf, size_t len, int *line, int *col,
			  char *why, size_t sz)
{
	unsigned char byte;

	if (ds_yaml_text_bad(buf, len, line, col, &byte)) {
		snprintf(why, sz, "byte 0x%02x is not allowed: YAML text must be "
			 "printable UTF-8", byte);
		return true;
	}
	if (tab_trap(buf, len, line, col)) {
		snprintf(why, sz, "a tab between indicators (as in ': <TAB>:'): YAML does not "
			 "allow tabs for indentation, and libfyaml 0.7.12 may crash on it; "
			 "use spaces");
		return true;
	}
	return false;
}
