/* The user agent server's rules (RFC 3261 §8.2, §18.3), checked before libre's handlers.
 *
 * Policy: a request is checked in three places, each thin.
 * 1. A UDP helper on each SIP stack's socket sees every datagram before libre
 *    decodes it. libre 1.1.0 silently drops (and prints about) what it cannot
 *    decode, and reads a Content-Length without comparing it to the datagram, so
 *    here: a bad start line gets 400 (505 for another SIP version, 416 for a
 *    URI scheme other than sip); a top Via without a branch (RFC 2543) gets a
 *    branch made from the fields RFC 3261 §17.2.3 matches such requests on
 *    (the same for every retransmission, and for the ACK and CANCEL of an
 *    INVITE), and then goes on like any request; anything else libre cannot
 *    decode gets 400; a body shorter than its Content-Length gets 400.
 *    Errors are answered statelessly to the datagram's source address.
 * 2. A request listener registered before every other one (both transports)
 *    answers 400 for missing or repeated single-valued headers, a Content-Length
 *    that is not a number (over TCP the connection is then closed: its framing
 *    is lost), a CSeq over 2^32-1 or whose method differs from the request's,
 *    and an empty RFC 3261 branch; 416 for a scheme other than sip; 420 (with
 *    Unsupported) for any Require (we support no extension); 415 or 406 for an
 *    INVITE whose body or Accept is not SDP; 404 for an OPTIONS to a user who
 *    is none of the agents (what an INVITE would get, RFC 3261 §11.2).
 * 3. A listener registered after every other one answers what nobody took
 *    (405 for a method of RFC 3261 we do not serve, 501 for an unknown one,
 *    481 for CANCEL or BYE outside any transaction or dialog, ACK dropped) and
 *    drops unmatched responses, so libre never writes its own unstamped line.
 * Every refusal is logged through ds_log, which escapes what the sender chose. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include "net_priv.h"
#define DEBUG_MODULE "uas"
#define DEBUG_LEVEL 0
#include <re_dbg.h>

#define ALLOW_HDR "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS\r\n"

/* One SIP stack's checks: the main one and the probes' one. */
struct uas_stack {
	struct ds_net *n;
	struct sip *sip;
	struct sip_lsnr *first;      /* request rules (2.) */
	struct sip_lsnr *boot;       /* finds the UDP socket (our own datagram) */
	struct sip_lsnr *last_req;   /* catch-alls (3.) */
	struct sip_lsnr *last_resp;
	struct udp_helper *uh;       /* datagram rules (1.) */
	uint64_t boot_id;
};

struct ds_uas {
	struct uas_stack st[2];
};

static bool pl_is(const struct pl *pl, const char *s)
{
	return pl_isset(pl) && !pl_strcasecmp(pl, s);
}

static bool all_digits(const struct pl *pl)
{
	if (!pl_isset(pl))
		return false;
	for (size_t i = 0; i < pl->l; i++)
		if (!isdigit((unsigned char)pl->p[i]))
			return false;
	return true;
}

/* An even number of unescaped double quotes (RFC 3261 quoted-string). */
static bool quotes_balanced(const struct pl *v)
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
static uint16_t method_answer(const struct pl *met)
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

static bool rules(struct uas_stack *s, const struct sip_msg *msg);

/* ---- raw datagrams (1.) ---------------------------------------------------- */

/* A logical header line of a raw message (folded lines joined): its name
 * (trimmed) and the whole line. Returns false at the end of the headers. */
static bool raw_next_hdr(const char **cur, const char *end, struct pl *name,
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

static bool raw_hdr_is(const struct pl *name, const char *full, const char *compact)
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
static const char *raw_eol(const char *p, const char *end)
{
	while (p < end && *p != '\r' && *p != '\n')
		p++;
	return p;
}

static const char *raw_next_line(const char *p, const char *end)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));
	return lf ? lf + 1 : end;
}

/* A stateless answer to a request libre cannot decode: its Via, From, To,
 * Call-ID and CSeq copied as they came (a To tag added). Sent to the source
 * address only, never to a Via the sender wrote. */
static void raw_reply(struct uas_stack *s, const struct sa *src, const char *p,
		      size_t len, uint16_t scode, const char *reason, const char *why)
{
	const char *end = p + len, *cur = raw_next_line(p, end);
	struct pl name, line;
	struct mbuf *mb = mbuf_alloc(1024);
	unsigned have = 0;
	bool ack = len >= 4 && !memcmp(p, "ACK ", 4);

	if (!mb)
		return;
	(void)mbuf_printf(mb, "SIP/2.0 %u %s\r\n", scode, reason);
	while (raw_next_hdr(&cur, end, &name, &line)) {
		static const char *const names[][2] = {
			{"Via", "v"}, {"From", "f"}, {"To", "t"}, {"Call-ID", "i"},
			{"CSeq", NULL},
		};
		for (unsigned i = 0; i < 5; i++) {
			if (!raw_hdr_is(&name, names[i][0], names[i][1]))
				continue;
			(void)mbuf_write_mem(mb, (const uint8_t *)line.p, line.l);
			if (i == 2 && !(have & 4) && !has_tag(&line))
				(void)mbuf_printf(mb, ";tag=%016llx",
						  (unsigned long long)rand_u64());
			(void)mbuf_write_str(mb, "\r\n");
			have |= 1u << i;
		}
	}
	if (ack || have != 0x1f) {
		ds_log(s->n, "request from %J dropped (%s)%s", src, why,
		       ack ? "" : ": it lacks a Via, From, To, Call-ID or CSeq to answer");
		goto out;
	}
	(void)mbuf_printf(mb, "Server: dualsite\r\nContent-Length: 0\r\n\r\n");
	mb->pos = 0;
	(void)sip_send(s->sip, NULL, SIP_TRANSP_UDP, src, mb);
	ds_log(s->n, "request from %J: %u %s (%s)", src, scode, reason, why);
 out:
	mem_deref(mb);
}

/* The start line "METHOD SP URI SP SIP/2.0": 0 when good, else the code
 * (400, 416, 505) and *why. */
static uint16_t raw_start_line(const char *p, const char *eol, const char **why)
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
		if (ver.l > 4 && !memcmp(ver.p, "SIP/", 4)) {
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
static int raw_add_branch(struct mbuf *mb)
{
	const char *p = (const char *)mbuf_buf(mb), *end = p + mbuf_get_left(mb);
	const char *eol = raw_eol(p, end), *sp1, *cur = raw_next_line(p, end);
	const char *vend = NULL;
	struct pl name, line;
	uint32_t h = 0, h2 = 0;
	char ins[48];
	size_t at, il;

	sp1 = memchr(p, ' ', (size_t)(eol - p));
	if (!sp1)
		return EBADMSG;
	h = hash_joaat((const uint8_t *)sp1, (size_t)(eol - sp1));
	while (raw_next_hdr(&cur, end, &name, &line)) {
		if (raw_hdr_is(&name, "Via", "v") && !vend) {
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
		else if (raw_hdr_is(&name, "From", "f") || raw_hdr_is(&name, "Call-ID", "i")) {
			h2 = h2 * 31 + hash_joaat((const uint8_t *)line.p, line.l);
		}
		else if (raw_hdr_is(&name, "CSeq", NULL)) {
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

static bool is_stun(const uint8_t *p, size_t len)
{
	return len >= 20 && p[0] < 2 && p[4] == 0x21 && p[5] == 0x12 &&
	       p[6] == 0xa4 && p[7] == 0x42;
}

static bool datagram_h(struct sa *src, struct mbuf *mb, void *arg)
{
	struct uas_stack *s = arg;
	const char *p = (const char *)mbuf_buf(mb), *end, *eol, *why = "";
	size_t len = mbuf_get_left(mb);
	struct sip_msg *msg = NULL;
	struct mbuf *copy;
	uint16_t code;
	bool resp, done;
	int err;

	if (len <= 4 || is_stun(mbuf_buf(mb), len))
		return false;   /* libre's own: keep-alives and STUN */
	end = p + len;
	eol = raw_eol(p, end);
	resp = len > 8 && !memcmp(p, "SIP/", 4);
	if (!resp) {
		code = raw_start_line(p, eol, &why);
		if (code) {
			raw_reply(s, src, p, len, code,
				  code == 505 ? "Version Not Supported" :
				  code == 416 ? "Unsupported URI Scheme" : "Bad Request", why);
			return true;
		}
	}
	else if (eol - p < 12 || memcmp(p, "SIP/2.0 ", 8) || p[8] < '1' || p[8] > '6' ||
		 !isdigit((unsigned char)p[9]) || !isdigit((unsigned char)p[10]) ||
		 p[11] != ' ') {
		/* RFC 4475 §3.1.2.19: a response with no 3-digit code is dropped */
		ds_log(s->n, "response from %J dropped: malformed status line", src);
		return true;
	}

	copy = mbuf_alloc(len);
	if (!copy)
		return true;
	(void)mbuf_write_mem(copy, mbuf_buf(mb), len);
	copy->pos = 0;
	err = sip_msg_decode(&msg, copy);
	if (err && !resp && !raw_add_branch(copy)) {
		copy->pos = 0;
		err = sip_msg_decode(&msg, copy);
		if (!err) {
			/* libre goes on with the request as it now reads */
			(void)mbuf_resize(mb, mb->pos + copy->end);
			memcpy(mb->buf + mb->pos, copy->buf, copy->end);
			mb->end = mb->pos + copy->end;
			ds_log(s->n, "%r from %J has no Via branch (RFC 2543): "
			       "matched as RFC 3261 §17.2.3 says", &msg->met, src);
		}
	}
	if (err) {
		struct pl met = {p, (size_t)((const char *)memchr(p, ' ', len) - p)};
		code = resp ? 0 : method_answer(&met);
		if (resp)
			ds_log(s->n, "response from %J dropped: unreadable (%m)", src, err);
		else if (code)   /* RFC 3261 §8.2.1: the method comes first */
			raw_reply(s, src, p, len, code, code == 405 ? "Method Not Allowed" :
				  "Not Implemented", "method not served, headers unreadable");
		else
			raw_reply(s, src, p, len, 400, "Bad Request", "unreadable header");
		mem_deref(copy);
		return true;
	}
	/* RFC 3261 §18.3: a datagram shorter than its Content-Length */
	if (!resp && all_digits(&msg->clen) &&
	    (msg->clen.l > 9 || pl_u32(&msg->clen) > mbuf_get_left(msg->mb))) {
		msg->src = *src;
		msg->tp = SIP_TRANSP_UDP;
		if (pl_strcmp(&msg->met, "ACK"))
			(void)sip_reply(s->sip, msg, 400, "Bad Request");
		ds_log(s->n, "%r from %J: 400 (Content-Length %r, body %zu bytes)",
		       &msg->met, src, &msg->clen, mbuf_get_left(msg->mb));
		mem_deref(msg);
		mem_deref(copy);
		return true;
	}
	msg->src = *src;
	msg->tp = SIP_TRANSP_UDP;
	done = !resp && rules(s, msg);
	mem_deref(msg);
	mem_deref(copy);
	return done;
}

/* Our own datagram, sent to ourselves at start: the only way to the UDP
 * socket of libre 1.1.0's transport (it is each UDP message's sock). */
static void helper_install(struct uas_stack *s, void *sock)
{
	if (s->uh || !sock)
		return;
	if (udp_register_helper(&s->uh, sock, 0, NULL, datagram_h, s))
		ds_log(s->n, "cannot check SIP datagrams before libre decodes them");
}

static bool boot_h(const struct sip_msg *msg, void *arg)
{
	struct uas_stack *s = arg;
	char want[40];

	if (msg->tp != SIP_TRANSP_UDP)
		return false;
	helper_install(s, msg->sock);
	re_snprintf(want, sizeof(want), "%016llx@dualsite-uas",
		    (unsigned long long)s->boot_id);
	return !pl_strcmp(&msg->callid, want);
}

static int boot_send(struct uas_stack *s)
{
	struct sa laddr;
	struct mbuf *mb;
	int err;

	err = sip_transp_laddr(s->sip, &laddr, SIP_TRANSP_UDP, NULL);
	if (err)
		return err;
	s->boot_id = rand_u64();
	mb = mbuf_alloc(256);
	if (!mb)
		return ENOMEM;
	err = mbuf_printf(mb, "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP %J;branch=z9hG4bKuas\r\n"
			  "From: <sip:dualsite@%J>;tag=uas\r\nTo: <sip:dualsite@%J>\r\n"
			  "Call-ID: %016llx@dualsite-uas\r\nCSeq: 1 OPTIONS\r\n"
			  "Content-Length: 0\r\n\r\n", &laddr, &laddr, &laddr,
			  (unsigned long long)s->boot_id);
	mb->pos = 0;
	if (!err)
		err = sip_send(s->sip, NULL, SIP_TRANSP_UDP, &laddr, mb);
	mem_deref(mb);
	return err;
}

/* ---- decoded requests (2.) ------------------------------------------------- */

/* n->by_user is sorted by strcmp() of the SIP users */
static int user_cmp(const void *key, const void *elem)
{
	const struct pl *user = key;
	const char *u = (*(const struct net_agent *const *)elem)->p->sip_user;
	size_t ul = strlen(u), l = user->l < ul ? user->l : ul;
	int r = memcmp(user->p, u, l);

	if (r)
		return r;
	return user->l < ul ? -1 : user->l > ul ? 1 : 0;
}

static bool is_agent(const struct ds_net *n, const struct pl *user)
{
	return n->by_user && bsearch(user, n->by_user, n->n_agents, sizeof(*n->by_user),
				     user_cmp);
}

/* The option tags of every Require header, comma-separated, into buf. */
static void require_tags(const struct sip_msg *msg, char *buf, size_t sz)
{
	struct le *le;
	size_t l = 0;

	buf[0] = '\0';
	for (le = msg->hdrl.head; le; le = le->next) {
		const struct sip_hdr *h = le->data;
		if (h->id != SIP_HDR_REQUIRE || !h->val.l)
			continue;
		l += (size_t)re_snprintf(buf + l, sz - l, "%s%r", l ? ", " : "", &h->val);
		if (l >= sz - 1)
			break;
	}
}

static bool accepts_sdp(const struct sip_msg *msg)
{
	struct le *le;
	bool any = false;

	for (le = msg->hdrl.head; le; le = le->next) {
		const struct sip_hdr *h = le->data;
		struct pl v = h->val;
		if (h->id != SIP_HDR_ACCEPT)
			continue;
		any = true;
		if (!re_regex(v.p, v.l, "application/sdp") || !re_regex(v.p, v.l, "\\*/\\*") ||
		    !re_regex(v.p, v.l, "application/\\*"))
			return true;
	}
	return !any;
}

static void close_conn(const struct sip_msg *msg)
{
	struct tcp_conn *tc = sip_msg_tcpconn(msg);

	/* what was sent is still delivered; libre then sees the end and closes */
	if (tc)
		(void)shutdown(tcp_conn_fd(tc), SHUT_RDWR);
}

static bool refuse(struct uas_stack *s, const struct sip_msg *msg, uint16_t scode,
		   const char *reason, const char *why, const char *hdrs)
{
	if (!pl_strcmp(&msg->met, "ACK")) {
		ds_log(s->n, "ACK %r from %J over %s dropped (%s)", &msg->ruri, &msg->src,
		       sip_transp_name(msg->tp), why);
		return true;
	}
	if (hdrs)
		(void)sip_replyf(s->sip, msg, scode, reason, "%s"
				 "Content-Length: 0\r\n\r\n", hdrs);
	else
		(void)sip_reply(s->sip, msg, scode, reason);
	ds_log(s->n, "%r %r from %J over %s: %u %s (%s)", &msg->met, &msg->ruri,
	       &msg->src, sip_transp_name(msg->tp), scode, reason, why);
	return true;
}

/* The rules of 2.: true when the request was answered (or dropped). */
static bool rules(struct uas_stack *s, const struct sip_msg *msg)
{
	char tags[256], hdr[320];
	const struct pl *branch = &msg->via.branch;

	if (!pl_isset(&msg->to.auri) || !pl_isset(&msg->from.auri) ||
	    !pl_isset(&msg->callid) || !pl_isset(&msg->cseq.met))
		return refuse(s, msg, 400, "Bad Request", "missing To, From, Call-ID or CSeq",
			      NULL);
	if (!quotes_balanced(&msg->to.val) || !quotes_balanced(&msg->from.val))
		return refuse(s, msg, 400, "Bad Request", "unterminated quoted string", NULL);
	if (sip_msg_hdr_count(msg, SIP_HDR_CALL_ID) > 1 ||
	    sip_msg_hdr_count(msg, SIP_HDR_FROM) > 1 ||
	    sip_msg_hdr_count(msg, SIP_HDR_TO) > 1 ||
	    sip_msg_hdr_count(msg, SIP_HDR_CSEQ) > 1 ||
	    sip_msg_hdr_count(msg, SIP_HDR_MAX_FORWARDS) > 1 ||
	    sip_msg_hdr_count(msg, SIP_HDR_CONTENT_LENGTH) > 1) {
		refuse(s, msg, 400, "Bad Request", "a single-valued header repeated", NULL);
		if (sip_msg_hdr_count(msg, SIP_HDR_CONTENT_LENGTH) > 1)
			close_conn(msg);
		return true;
	}
	if (pl_isset(&msg->clen) && !all_digits(&msg->clen)) {
		refuse(s, msg, 400, "Bad Request", "Content-Length is not a number", NULL);
		close_conn(msg);
		return true;
	}
	{
		/* sip_cseq_decode() wraps a number past 2^32-1 */
		const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_CSEQ);
		struct pl num;
		if (!h || re_regex(h->val.p, h->val.l, "[0-9]+", &num) || num.l > 10 ||
		    (num.l == 10 && memcmp(num.p, "4294967295", 10) > 0))
			return refuse(s, msg, 400, "Bad Request", "CSeq number out of range",
				      NULL);
	}
	if (pl_cmp(&msg->cseq.met, &msg->met))
		return refuse(s, msg, 400, "Bad Request", "CSeq method differs", NULL);
	if (!pl_strcmp(branch, "z9hG4bK"))
		return refuse(s, msg, 400, "Bad Request", "empty RFC 3261 branch", NULL);
	if (!pl_is(&msg->uri.scheme, "sip"))
		return refuse(s, msg, 416, "Unsupported URI Scheme",
			      "Request-URI scheme other than sip", NULL);
	if (pl_strcmp(&msg->met, "ACK") && pl_strcmp(&msg->met, "CANCEL")) {
		require_tags(msg, tags, sizeof(tags));
		if (tags[0]) {
			re_snprintf(hdr, sizeof(hdr), "Unsupported: %s\r\n", tags);
			return refuse(s, msg, 420, "Bad Extension", "unsupported Require", hdr);
		}
	}
	if (!pl_strcmp(&msg->met, "INVITE")) {
		if (mbuf_get_left(msg->mb) && pl_isset(&msg->ctyp.type) &&
		    (!pl_is(&msg->ctyp.type, "application") ||
		     !pl_is(&msg->ctyp.subtype, "sdp")))
			return refuse(s, msg, 415, "Unsupported Media Type",
				      "body not SDP", "Accept: application/sdp\r\n");
		if (!accepts_sdp(msg))
			return refuse(s, msg, 406, "Not Acceptable", "Accept has no SDP",
				      "Accept: application/sdp\r\n");
	}
	if (!pl_strcmp(&msg->met, "OPTIONS") && pl_isset(&msg->uri.user) &&
	    !is_agent(s->n, &msg->uri.user))
		return refuse(s, msg, 404, "Not Found", "no agent of that user", NULL);
	return false;
}

static bool first_h(const struct sip_msg *msg, void *arg)
{
	struct uas_stack *s = arg;

	if (msg->tp == SIP_TRANSP_UDP) {
		helper_install(s, msg->sock);
		if (s->uh)
			return false;   /* the helper applied the rules already */
	}
	return rules(s, msg);
}

/* ---- what nobody took (3.) -------------------------------------------------- */

static bool last_req_h(const struct sip_msg *msg, void *arg)
{
	struct uas_stack *s = arg;

	if (!pl_strcmp(&msg->met, "ACK"))
		return true;
	if (!pl_strcmp(&msg->met, "CANCEL") || !pl_strcmp(&msg->met, "BYE"))
		return refuse(s, msg, 481, "Call/Transaction Does Not Exist",
			      "no such transaction or dialog", NULL);
	if (!pl_strcmp(&msg->met, "OPTIONS")) {
		(void)sip_replyf(s->sip, msg, 200, "OK", ALLOW_HDR "Content-Length: 0\r\n\r\n");
		return true;
	}
	if (method_answer(&msg->met) == 405)
		return refuse(s, msg, 405, "Method Not Allowed", "not served here",
			      ALLOW_HDR);
	return refuse(s, msg, 501, "Not Implemented", "unknown method", ALLOW_HDR);
}

static bool last_resp_h(const struct sip_msg *msg, void *arg)
{
	struct uas_stack *s = arg;

	ds_log(s->n, "response %u (%r) from %J matched no request of ours: dropped",
	       msg->scode, &msg->cseq.met, &msg->src);
	return true;
}

/* libre's own warnings, stamped and escaped like ours */
static void dbg_h(int level, const char *p, size_t len, void *arg)
{
	(void)level;
	while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	ds_log(arg, "libre: %b", p, len);
}

static void uas_destructor(void *arg)
{
	struct ds_uas *u = arg;

	for (int i = 0; i < 2; i++) {
		struct uas_stack *s = &u->st[i];
		s->uh = mem_deref(s->uh);
		s->first = mem_deref(s->first);
		s->boot = mem_deref(s->boot);
		s->last_req = mem_deref(s->last_req);
		s->last_resp = mem_deref(s->last_resp);
	}
}

int ds_uas_listen(struct ds_net *n)
{
	struct ds_uas *u = mem_zalloc(sizeof(*u), uas_destructor);
	int err = 0;

	if (!u)
		return ENOMEM;
	n->uas = u;
	dbg_init(DBG_WARNING, DBG_NONE);
	dbg_handler_set(dbg_h, n);
	for (int i = 0; i < 2 && !err; i++) {
		struct uas_stack *s = &u->st[i];

		s->n = n;
		s->sip = i ? n->probe_sip : n->sip;
		err = sip_listen(&s->first, s->sip, true, first_h, s);
		if (!err)
			err = sip_listen(&s->boot, s->sip, false, boot_h, s);
		if (!err && boot_send(s))
			ds_log(n, "cannot check SIP datagrams before libre decodes them");
	}
	return err;
}

int ds_uas_start(struct ds_net *n)
{
	int err = 0;

	if (!n->uas)
		return EINVAL;
	for (int i = 0; i < 2 && !err; i++) {
		struct uas_stack *s = &n->uas->st[i];

		err = sip_listen(&s->last_req, s->sip, true, last_req_h, s);
		if (!err)
			err = sip_listen(&s->last_resp, s->sip, false, last_resp_h, s);
	}
	return err;
}

void ds_uas_close(struct ds_net *n)
{
	if (!n->uas)
		return;
	dbg_handler_set(NULL, NULL);
	n->uas = mem_deref(n->uas);
}
