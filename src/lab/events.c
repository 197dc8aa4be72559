/* Reads the JSON event lines of `dualsite run` (docs/behaviour.md §5): flat objects of
 * strings and numbers, one a line. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lab.h"

static const char *skip_ws(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return s;
}

/* Reads a JSON string at s (at its quote) into buf; returns the end or NULL. */
static const char *read_string(const char *s, char *buf, size_t sz)
{
	size_t n = 0;

	if (*s != '"')
		return NULL;
	for (s++; *s && *s != '"'; s++) {
		char c = *s;
		if (c == '\\') {
			s++;
			switch (*s) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u':
				/* Names in events are ASCII; keep a marker. */
				for (int i = 0; i < 4; i++)
					if (!isxdigit((unsigned char)*++s))
						return NULL;
				c = '?';
				break;
			case '\0':
				return NULL;
			default: c = *s; break;
			}
		}
		if (n + 1 < sz)
			buf[n++] = c;
	}
	if (*s != '"')
		return NULL;
	if (sz)
		buf[n] = 0;
	return s + 1;
}

static void put(char *dst, size_t sz, const char *v)
{
	size_t n = strlen(v);
	if (n >= sz)
		n = sz - 1;
	memcpy(dst, v, n);
	dst[n] = 0;
}

int lab_event_parse(const char *line, struct lab_event *ev)
{
	const char *s = skip_ws(line);
	char key[32], val[64];
	bool have_t = false;

	memset(ev, 0, sizeof(*ev));
	ev->proxy = -1;
	if (*s++ != '{')
		return EINVAL;
	s = skip_ws(s);
	if (*s == '}')
		return EINVAL;
	for (;;) {
		s = read_string(skip_ws(s), key, sizeof(key));
		if (!s)
			return EINVAL;
		s = skip_ws(s);
		if (*s++ != ':')
			return EINVAL;
		s = skip_ws(s);
		double num = 0;
		bool is_num = false;
		if (*s == '"') {
			s = read_string(s, val, sizeof(val));
			if (!s)
				return EINVAL;
		} else {
			char *end;
			num = strtod(s, &end);
			if (end != s) {
				is_num = true;
				s = end;
			} else if (!strncmp(s, "true", 4) || !strncmp(s, "null", 4)) {
				s += 4;
			} else if (!strncmp(s, "false", 5)) {
				s += 5;
			} else {
				return EINVAL;
			}
			val[0] = 0;
		}
		if (!strcmp(key, "t") && is_num) {
			ev->t = num;
			have_t = true;
		} else if (!strcmp(key, "proxy") && is_num) {
			ev->proxy = (int)num;
		} else if (!strcmp(key, "agent")) {
			put(ev->agent, sizeof(ev->agent), val);
		} else if (!strcmp(key, "event")) {
			put(ev->event, sizeof(ev->event), val);
		} else if (!strcmp(key, "kind")) {
			put(ev->kind, sizeof(ev->kind), val);
		} else if (!strcmp(key, "site")) {
			put(ev->site, sizeof(ev->site), val);
		} else if (!strcmp(key, "server")) {
			put(ev->server, sizeof(ev->server), val);
		} else if (!strcmp(key, "from")) {
			put(ev->from, sizeof(ev->from), val);
		} else if (!strcmp(key, "to")) {
			put(ev->to, sizeof(ev->to), val);
		} else if (!strcmp(key, "reason")) {
			put(ev->reason, sizeof(ev->reason), val);
		}
		s = skip_ws(s);
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '}')
			break;
		return EINVAL;
	}
	return have_t && ev->agent[0] && ev->event[0] ? 0 : EINVAL;
}

int lab_kind_index(const char *kind)
{
	if (!strcmp(kind, "sip"))
		return LAB_SIP;
	if (!strcmp(kind, "stat"))
		return LAB_STAT;
	if (!strcmp(kind, "config"))
		return LAB_CONFIG;
	return -1;
}
