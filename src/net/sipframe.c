/* Framing of SIP messages on a stream (see sipframe.h). Every bound is
 * checked: it reads what a peer wrote, never past `len`. */
#include <string.h>
#include <strings.h>
#include "sipframe.h"
#include "sipraw.h"

static bool is_clen(const struct pl *name)
{
	return (name->l == 14 && !strncasecmp(name->p, "Content-Length", 14)) ||
	       (name->l == 1 && (name->p[0] == 'l' || name->p[0] == 'L'));
}

/* The value of a header line (after its colon), without surrounding white
 * space (folded lines included). */
static struct pl value_of(const struct pl *name, const struct pl *line)
{
	const char *v = memchr(name->p + name->l, ':', line->l - name->l);
	const char *e = line->p + line->l;
	struct pl r = PL_INIT;

	if (!v)
		return r;
	for (v++; v < e && (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n'); v++)
		;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		e--;
	r.p = v;
	r.l = (size_t)(e - v);
	return r;
}

static void bad(struct ds_sipframe *f, bool resp, uint16_t code, const char *why)
{
	f->kind = DS_SIPFRAME_BAD;
	f->code = resp ? 0 : code;
	f->why = why;
}

void ds_sipframe_next(const char *p, size_t len, struct ds_sipframe *f)
{
	const char *end, *cur, *hend;
	size_t scan = len < DS_SIPFRAME_MAX ? len : DS_SIPFRAME_MAX;
	struct pl name, line, clen = PL_INIT;
	unsigned count = 0;
	uint64_t body = 0;
	bool resp;

	memset(f, 0, sizeof(*f));
	f->kind = DS_SIPFRAME_NEED;
	if (len >= 1 && p[0] == '\r') {
		if (len < 2)
			return;
		if (p[1] == '\n') {
			/* RFC 5626 §4.4.1: CRLFCRLF is a ping, a lone CRLF a keep-alive */
			if (len >= 4 && p[2] == '\r' && p[3] == '\n') {
				f->kind = DS_SIPFRAME_PING;
				f->len = 4;
			}
			else if (len >= 3 && p[2] == '\r') {
				return;   /* the ping's second half may be on its way */
			}
			else {
				f->kind = DS_SIPFRAME_CRLF;
				f->len = 2;
			}
			return;
		}
	}
	resp = len >= 4 && !memcmp(p, "SIP/", 4);
	end = NULL;
	for (const char *c = p; scan >= 4 && c <= p + scan - 4; c++) {
		c = memchr(c, '\r', (size_t)(p + scan - 3 - c));
		if (!c)
			break;
		if (c[1] == '\n' && c[2] == '\r' && c[3] == '\n') {
			end = c + 4;
			break;
		}
	}
	if (!end) {
		if (len >= DS_SIPFRAME_MAX)
			bad(f, resp, 513, "headers longer than the largest message taken");
		return;
	}
	f->head = (size_t)(end - p);
	hend = end - 2;   /* the empty line is not a header */
	cur = ds_sipraw_next_line(p, hend);
	while (ds_sipraw_next_hdr(&cur, hend, &name, &line)) {
		if (!name.l || !is_clen(&name))
			continue;
		count++;
		clen = value_of(&name, &line);
	}
	if (!count) {
		bad(f, resp, 400, "no Content-Length (RFC 3261 §18.3: it is required on a stream)");
		return;
	}
	if (count > 1) {
		bad(f, resp, 400, "more than one Content-Length");
		return;
	}
	if (!clen.l || clen.l > 10) {
		bad(f, resp, 400, "Content-Length is not a number");
		return;
	}
	for (size_t i = 0; i < clen.l; i++) {
		if (clen.p[i] < '0' || clen.p[i] > '9') {
			bad(f, resp, 400, "Content-Length is not a number");
			return;
		}
		body = body * 10 + (uint64_t)(clen.p[i] - '0');
	}
	if (body > DS_SIPFRAME_MAX - f->head) {
		bad(f, resp, 513, "message longer than the largest message taken");
		return;
	}
	if (len - f->head < body)
		return;   /* RFC 4475 §3.1.2.2: wait for the rest of the body */
	f->kind = DS_SIPFRAME_MSG;
	f->len = f->head + (size_t)body;
}

const char *ds_sipframe_name(enum ds_sipframe_kind k)
{
	switch (k) {
	case DS_SIPFRAME_NEED: return "need";
	case DS_SIPFRAME_CRLF: return "crlf";
	case DS_SIPFRAME_PING: return "ping";
	case DS_SIPFRAME_MSG: return "msg";
	case DS_SIPFRAME_BAD: return "bad";
	}
	return "?";
}
