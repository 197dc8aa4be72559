/* Diagnostics: collect, sort, print as text lines or JSON; name suggestions. */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dualsite/diag.h"
#include "util.h"

/* A diagnostic owns copies of its file name, path and message, so it stays
 * printable after the configuration it talks about has been freed (a load
 * that fails frees the model but returns its diagnostics). */
void ds_diag_add(struct ds_diags *d, enum ds_severity sev,
		 const struct ds_loc *loc, const char *path,
		 const char *fmt, ...)
{
	struct ds_diag *x;
	va_list ap;
	int n;

	/* Count the error even if memory runs out below: the caller's exit
	 * status must not turn into success because a message was lost. */
	if (sev == DS_SEV_ERROR)
		d->errors++;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct ds_diag *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return;
		d->v = v;
		d->cap = cap;
	}
	x = &d->v[d->n];
	memset(x, 0, sizeof(*x));
	x->sev = sev;
	if (loc) {
		x->loc.line = loc->line;
		x->loc.col = loc->col;
		if (loc->file) {
			x->loc.file = strdup(loc->file);
			if (!x->loc.file)
				return;
		}
	}
	x->path = strdup(path ? path : "");
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (!x->path || n < 0)
		goto fail;
	x->msg = malloc((size_t)n + 1);
	if (!x->msg)
		goto fail;
	va_start(ap, fmt);
	vsnprintf(x->msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	d->n++;
	return;
fail:
	free((char *)x->loc.file);
	free(x->path);
}

static int strcmp0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int diag_cmp(const void *pa, const void *pb)
{
	const struct ds_diag *a = pa, *b = pb;
	int c = strcmp0(a->loc.file, b->loc.file);

	if (c)
		return c;
	if (a->loc.line != b->loc.line)
		return a->loc.line < b->loc.line ? -1 : 1;
	if (a->loc.col != b->loc.col)
		return a->loc.col < b->loc.col ? -1 : 1;
	c = strcmp0(a->msg, b->msg);
	if (c)
		return c;
	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;   /* errors first */
	return strcmp0(a->path, b->path);
}

void ds_diags_sort(struct ds_diags *d)
{
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), diag_cmp);
}

static const char *sev_name(enum ds_severity s)
{
	switch (s) {
	case DS_SEV_WARNING:
		return "warning";
	case DS_SEV_ERROR:
		return "error";
	}
	return "error";
}

/* Control characters would split one diagnostic over several lines, so the
 * text form escapes them as C does. */
static void put_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

void ds_diags_print(FILE *f, const struct ds_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct ds_diag *x = &d->v[i];

		put_text(f, x->loc.file ? x->loc.file : "-");
		fprintf(f, ":%d:%d: %s: ", x->loc.line, x->loc.col,
			sev_name(x->sev));
		put_text(f, x->path && *x->path ? x->path : "-");
		fputs(": ", f);
		put_text(f, x->msg ? x->msg : "");
		fputc('\n', f);
	}
}

void ds_diags_print_json(FILE *f, const struct ds_diags *d)
{
	fputs("{\"diagnostics\": [", f);
	for (size_t i = 0; i < d->n; i++) {
		const struct ds_diag *x = &d->v[i];

		fputs(i ? ",\n  {\"file\": " : "\n  {\"file\": ", f);
		if (x->loc.file)
			ds_json_fput(f, x->loc.file);
		else
			fputs("null", f);
		fprintf(f, ", \"line\": %d, \"column\": %d, \"severity\": \"%s\", \"path\": ",
			x->loc.line, x->loc.col, sev_name(x->sev));
		ds_json_fput(f, x->path ? x->path : "");
		fputs(", \"message\": ", f);
		ds_json_fput(f, x->msg ? x->msg : "");
		fputc('}', f);
	}
	fputs(d->n ? "\n]}\n" : "]}\n", f);
}

void ds_diags_reset(struct ds_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free((char *)d->v[i].loc.file);
		free(d->v[i].path);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

enum { CLOSEST_MAX = 256 };   /* longer strings get no suggestion */

/* Levenshtein distance ignoring case (a suggestion for `Host` is `host`),
 * giving up once every cell of a row exceeds `limit`. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb,
			    size_t limit)
{
	size_t row[CLOSEST_MAX + 1], prev[CLOSEST_MAX + 1];

	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t best;

		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = tolower((unsigned char)a[i - 1]) ==
				      tolower((unsigned char)b[j - 1]) ? 0 : 1;
			size_t v = prev[j - 1] + cost;

			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			if (v < best)
				best = v;
		}
		if (best > limit)
			return limit + 1;
		memcpy(prev, row, (lb + 1) * sizeof(*row));
	}
	return prev[lb];
}

bool ds_same_loosely(const char *a, const char *b)
{
	for (;; a++, b++) {
		bool sa = *a == '-' || *a == '_' || *a == '.';
		bool sb = *b == '-' || *b == '_' || *b == '.';

		if (sa != sb || (!sa && tolower((unsigned char)*a) != tolower((unsigned char)*b)))
			return false;
		if (!*a)
			return true;
	}
}

const char *ds_closest(const char *s, const char *const *names, size_t n)
{
	size_t len = strlen(s), limit, bestd;
	const char *best = NULL;

	if (len > CLOSEST_MAX)
		return NULL;
	limit = len / 3 > 2 ? len / 3 : 2;
	bestd = limit + 1;
	for (size_t i = 0; i < n; i++) {
		size_t ln, d;

		if (!names[i])
			continue;
		if (!strcmp(s, names[i]))
			return names[i];
		ln = strlen(names[i]);
		if (ln > CLOSEST_MAX)
			continue;
		/* The length difference alone is a lower bound on the
		 * distance: skip names that cannot beat the best so far. */
		if ((ln > len ? ln - len : len - ln) >= bestd)
			continue;
		d = edit_distance(s, len, names[i], ln, bestd - 1);
		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	return best;
}
