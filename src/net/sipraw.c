/* Pure readers of raw SIP bytes (see sipraw.h). They read what a sender
 * wrote, byte by byte, never past `end`: every bound is checked. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "sipraw.h"

static bool pl_is(const struct pl *pl, const char *s)
{
	return pl_isset(pl) && !pl_strcasecmp(pl, s);
}

/* A logical header line of a raw message (folded lines joined): its name
 * (trimmed) and the whole line. Returns false at the end of the headers. */
bool ds_sipraw_next_hdr(const char **cur, const char *end, struct pl *name,
			 struct pl *line)
{
	const char *p = *cur, *e, *colon;

	if (p >= end || *p == '\r' || *p == '\n')
		return false;
	e = p;
	for (;;) {
		const char *lf = memchr(e, '\n', (size_t)(end - e));
		if (!lf) {
			e = end;
			break;
		}
		e = lf + 1;
		if (e >= end || (*e != ' ' && *e != '\t'))
			break;
	}
	*cur = e;
	while (e > p && (e[-1] == '\n' || e[-1] == '\r'))
		e--;
	line->p = p;
	line->l = (size_t)(e - p);
	colon = memchr(p, ':', (size_t)(e - p));
	name->p = p;
	name->l = colon ? (size_t)(colon - p) : 0;
	while (name->l && (p[name->l - 1] == ' ' || p[name->l - 1] == '\t'))
		name->l--;
	return true;
}

static bool hdr_is(const struct pl *name, const char *full, const char *compact)
{
	return pl_is(name, full) || (compact && pl_is(name, compact));
}

/* Whether a raw To line carries a tag parameter. */
static bool has_tag(const struct pl *line)
{
	for (size_t i = 0; i + 4 <= line->l; i++)
		if (!strncasecmp(line->p + i, "tag=", 4))
			return true;
	return false;
}

/* The first line ends here (at its CR or LF); the headers start after it. */
const char *ds_sipraw_eol(const char *p, const char *end)
{
	while (p < end && *p != '\r' && *p != '\n')
		p++;
	return p;
}

const char *ds_sipraw_next_line(const char *p, const char *end)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));
	return lf ? lf + 1 : end;
}

/* The start line "METHOD SP URI SP SIP/2.0": 0 when good, else the code
 * (400, 416, 505) and *why. */
static bool sip_version(const struct pl *v)
{
	size_t i = 4, a, b;

	if (v->l < 7 || memcmp(v->p, "SIP/", 4))
		return false;
	for (a = 0; i < v->l && isdigit((unsigned char)v->p[i]); i++, a++)
		;
	if (!a || i >= v->l || v->p[i++] != '.')
		return false;
	for (b = 0; i < v->l && isdigit((unsigned char)v->p[i]); i++, b++)
		;
	return b && i == v->l;
}

uint16_t ds_sipraw_start_line(const char *p, const char *eol, const char **why)
{
	const char *sp1 = memchr(p, ' ', (size_t)(eol - p)), *sp2, *u;
	struct pl ver;

	*why = "malformed request line";
	if (!sp1 || sp1 == p)
		return 400;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || sp2 == sp1 + 1)
		return 400;
	ver.p = sp2 + 1;
	ver.l = (size_t)(eol - sp2 - 1);
	if (memchr(ver.p, ' ', ver.l) || memchr(ver.p, '\t', ver.l))
		return 400;
	if (pl_strcmp(&ver, "SIP/2.0")) {
		/* SIP-Version = "SIP/" 1*DIGIT "." 1*DIGIT (RFC 3261 §25.1) */
		if (sip_version(&ver)) {
			*why = "SIP version other than 2.0";
			return 505;
		}
		return 400;
	}
	u = sp1 + 1;
	if (!isalpha((unsigned char)*u))
		return 400;
	while (u < sp2 && (isalnum((unsigned char)*u) || *u == '+' || *u == '-' || *u == '.'))
		u++;
	if (u >= sp2 || *u != ':')
		return 400;
	if (u - (sp1 + 1) != 3 || strncasecmp(sp1 + 1, "sip", 3)) {
		*why = "Request-URI scheme other than sip";
		return 416;
	}
	return 0;
}

/* A top Via value [v, vend) worth a branch: no empty parameter, and no
 * empty value after it up to the end of its line. */
static bool via_ok(const char *v, const char *vend, const char *end)
{
	const char *c;
	bool empty = false;

	for (c = v; c < vend; c++) {
		if (*c == ';') {
			if (empty)
				return false;
			empty = true;
		}
		else if (*c != ' ' && *c != '\t' && *c != '\r' && *c != '\n') {
			empty = false;
		}
	}
	if (empty)
		return false;
	if (vend < end) {
		for (c = vend + 1; c < end && (*c == ' ' || *c == '\t'); c++)
			;
		if (c >= end || *c == ',' || *c == ';')
			return false;
	}
	return true;
}

/* RFC 3261 §17.2.3: an RFC 2543 request (top Via without branch) is matched on
 * Request-URI, From tag, Call-ID, CSeq, top Via (and To tag). The branch added
 * hashes them (To and the CSeq method left out, so the ACK and CANCEL of an
 * INVITE get its branch, as RFC 3261 clients send them). Returns 0 when added. */
int ds_sipraw_add_branch(struct mbuf *mb)
{
	const char *p = (const char *)mbuf_buf(mb), *end = p + mbuf_get_left(mb);
	const char *eol = ds_sipraw_eol(p, end), *sp1, *cur = ds_sipraw_next_line(p, end);
	const char *vend = NULL;
	struct pl name, line;
	uint32_t h = 0, h2 = 0;
	char ins[48];
	size_t at, il;

	sp1 = memchr(p, ' ', (size_t)(eol - p));
	if (!sp1)
		return EBADMSG;
	h = hash_joaat((const uint8_t *)sp1, (size_t)(eol - sp1));
	while (ds_sipraw_next_hdr(&cur, end, &name, &line)) {
		if (hdr_is(&name, "Via", "v") && !vend) {
			const char *v = line.p + name.l;
			bool q = false;
			for (; v < line.p + line.l; v++) {
				if (*v == '"')
					q = !q;
				else if (*v == ',' && !q)
					break;
			}
			if (!via_ok(line.p + name.l + 1, v, line.p + line.l))
				return EBADMSG;
			while (v > line.p && (v[-1] == ' ' || v[-1] == '\t'))
				v--;
			vend = v;
			h2 ^= hash_joaat((const uint8_t *)line.p, (size_t)(v - line.p));
		}
		else if (hdr_is(&name, "From", "f") || hdr_is(&name, "Call-ID", "i")) {
			h2 = h2 * 31 + hash_joaat((const uint8_t *)line.p, line.l);
		}
		else if (hdr_is(&name, "CSeq", NULL)) {
			uint32_t num = 0;
			for (const char *c = line.p + name.l + 1; c < line.p + line.l; c++)
				if (isdigit((unsigned char)*c))
					num = num * 10 + (uint32_t)(*c - '0');
				else if (num)
					break;
			h2 = h2 * 31 + num;
		}
	}
	if (!vend)
		return EBADMSG;
	il = (size_t)snprintf(ins, sizeof(ins), ";branch=z9hG4bK2543.%08x%08x", h, h2);
	at = (size_t)(vend - (const char *)mb->buf);
	if (mbuf_resize(mb, mb->end + il))
		return ENOMEM;
	memmove(mb->buf + at + il, mb->buf + at, mb->end - at);
	memcpy(mb->buf + at, ins, il);
	mb->end += il;
	return 0;
}

/* An even number of unescaped double quotes (RFC 3261 quoted-string). */
bool ds_sipraw_quotes_balanced(const struct pl *v)
{
	bool in = false;

	for (size_t i = 0; i < v->l; i++) {
		if (in && v->p[i] == '\\')
			i++;
		else if (v->p[i] == '"')
			in = !in;
	}
	return !in;
}

/* 0 for the methods we serve, 405 for another of RFC 3261 and its
 * extensions (RFC 3261 §8.2.1), 501 for one we do not know. */
uint16_t ds_sipraw_method_answer(const struct pl *met)
{
	static const char *const served[] = {"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS"};
	static const char *const known[] = {"REGISTER", "PRACK", "UPDATE", "INFO",
		"MESSAGE", "SUBSCRIBE", "NOTIFY", "REFER", "PUBLISH"};

	for (size_t i = 0; i < sizeof(served) / sizeof(served[0]); i++)
		if (!pl_strcmp(met, served[i]))
			return 0;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!pl_strcmp(met, known[i]))
			return 405;
	return 501;
}


bool ds_sipraw_status_ok(const char *p, const char *eol)
{
	return eol - p >= 12 && !memcmp(p, "SIP/2.0 ", 8) && p[8] >= '1' && p[8] <= '6' &&
	       isdigit((unsigned char)p[9]) && isdigit((unsigned char)p[10]) && p[11] == ' ';
}

bool ds_sipraw_cseq_ok(const struct pl *val)
{
	size_t i = 0, n;

	if (!val || !val->p)
		return false;
	while (i < val->l && (val->p[i] == ' ' || val->p[i] == '\t'))
		i++;
	for (n = 0; i + n < val->l && isdigit((unsigned char)val->p[i + n]); n++)
		;
	if (n == 0 || n > 10)
		return false;
	return n < 10 || memcmp(val->p + i, "4294967295", 10) <= 0;
}

int ds_sipraw_reply(struct mbuf *mb, const char *p, size_t len, uint16_t scode,
		    const char *reason, uint64_t tag)
{
	static const char *const names[][2] = {
		{"Via", "v"}, {"From", "f"}, {"To", "t"}, {"Call-ID", "i"}, {"CSeq", NULL},
	};
	const char *end = p + len, *cur = ds_sipraw_next_line(p, end);
	struct pl name, line;
	unsigned have = 0;
	int err;

	err = mbuf_printf(mb, "SIP/2.0 %u %s\r\n", scode, reason);
	while (!err && ds_sipraw_next_hdr(&cur, end, &name, &line)) {
		for (unsigned i = 0; i < 5 && !err; i++) {
			if (!hdr_is(&name, names[i][0], names[i][1]))
				continue;
			err = mbuf_write_mem(mb, (const uint8_t *)line.p, line.l);
			if (!err && i == 2 && !(have & 4) && !has_tag(&line))
				err = mbuf_printf(mb, ";tag=%016llx", (unsigned long long)tag);
			if (!err)
				err = mbuf_write_str(mb, "\r\n");
			have |= 1u << i;
		}
	}
	if (!err)
		err = mbuf_write_str(mb, "Server: dualsite\r\nContent-Length: 0\r\n\r\n");
	if (err)
		return err;
	return have == 0x1f ? 0 : ENOENT;
}
