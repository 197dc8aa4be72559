/* The UAS rules of RFC 3261 (§8.2, §18.3), checked before libre's handlers.
 *
 * Policy: a request is checked in three places, each thin (docs/run.md has
 * the table of rules).
 * 1. A UDP helper on each SIP stack's socket sees every datagram before libre
 *    decodes it: libre 1.1.0 drops (and prints about) what it cannot decode,
 *    and never compares a Content-Length with the datagram. Here a bad
 *    request line gets 400 (505 for another SIP version, 416 for a URI
 *    scheme other than sip); a top Via without branch (RFC 2543) gets a
 *    branch hashed from what RFC 3261 §17.2.3 matches such requests on, and
 *    goes on like any request; a request libre still cannot read gets 405 or
 *    501 when its method is not served (§8.2.1: the method first), else 400;
 *    a body shorter than its Content-Length gets 400; then the rules of 2.
 *    Answers to what libre cannot read go to the datagram's source address.
 *    Over TCP, tcpfront.c frames each message on the SIP port first, and
 *    each request gets these checks there (ds_uas_tcp_request), answered on
 *    its connection; libre reads what passes from a loopback relay, whose
 *    source tcp_source() turns back into the peer's.
 * 2. The rules on a decoded request (rules()): 400 for missing, unbalanced or
 *    repeated single-valued headers, a Content-Length that is not a number
 *    (over TCP the connection is then closed: its framing is lost), a CSeq
 *    over 2^32-1 or whose method differs, an empty RFC 3261 branch; 416 for
 *    another scheme; 420 with Unsupported for any Require (no extension is
 *    supported); 415 or 406 for an INVITE whose body or Accept is not SDP;
 *    404 for an OPTIONS to a user who is no agent (what an INVITE gets,
 *    §11.2). Over TCP a listener registered before every other applies them
 *    (on connections we opened, whose framing stays libre's, too).
 * 3. A listener registered after every other answers what nobody took (405
 *    for a method of RFC 3261 not served, 501 for an unknown one, 481 for
 *    CANCEL or BYE matching nothing, ACK dropped) and drops unmatched
 *    responses, so libre never writes its own unstamped line.
 * Every refusal is logged through ds_log, which escapes what the sender chose. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include "net_priv.h"
#include "sipraw.h"
#define DEBUG_MODULE "uas"
#define DEBUG_LEVEL 0
#include <re_dbg.h>

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

static bool rules(struct uas_stack *s, const struct sip_msg *msg);
static void close_conn(const struct sip_msg *msg);

/* A stateless answer to a request libre cannot decode (ds_sipraw_reply), sent
 * to the datagram's source address only, never to a Via the sender wrote;
 * over TCP (tc), on the connection it came on. */
static void raw_reply(struct uas_stack *s, const struct sa *src, struct tcp_conn *tc,
		      const char *p, size_t len, uint16_t scode, const char *reason,
		      const char *why)
{
	struct mbuf *mb;
	bool ack = len >= 4 && !memcmp(p, "ACK ", 4);
	int err;

	if (ack) {
		ds_log(s->n, "ACK from %J over %s dropped (%s)", src, tc ? "TCP" : "UDP", why);
		return;
	}
	mb = mbuf_alloc(1024);
	if (!mb)
		return;
	err = ds_sipraw_reply(mb, p, len, scode, reason, rand_u64());
	if (err) {
		ds_log(s->n, "request from %J over %s dropped (%s): %s", src,
		       tc ? "TCP" : "UDP", why,
		       err == ENOENT ? "it lacks a Via, From, To, Call-ID or CSeq to answer" :
		       "out of memory");
	}
	else {
		mb->pos = 0;
		if (tc)
			(void)tcp_send(tc, mb);
		else
			(void)sip_send(s->sip, NULL, SIP_TRANSP_UDP, src, mb);
		ds_log(s->n, "request from %J over %s: %u %s (%s)", src, tc ? "TCP" : "UDP",
		       scode, reason, why);
	}
	mem_deref(mb);
}

/* ---- raw datagrams (1.) ---------------------------------------------------- */

static bool is_stun(const uint8_t *p, size_t len)
{
	return len >= 20 && p[0] < 2 && p[4] == 0x21 && p[5] == 0x12 &&
	       p[6] == 0xa4 && p[7] == 0x42;
}

/* The checks of 1. on a raw request [mb->pos, mb->end) (a datagram, or one
 * framed by tcpfront.c: tc): true when answered (or dropped) here; else
 * *msgp is the request as libre decodes it, and mb holds it with the branch
 * added when its top Via had none. */
static bool raw_rules(struct uas_stack *s, const struct sa *src, struct tcp_conn *tc,
		      struct mbuf *mb, struct sip_msg **msgp)
{
	const char *p = (const char *)mbuf_buf(mb), *eol, *why = "";
	size_t len = mbuf_get_left(mb);
	struct sip_msg *msg = NULL;
	struct mbuf *copy;
	uint16_t code;
	int err;

	eol = ds_sipraw_eol(p, p + len);
	code = ds_sipraw_start_line(p, eol, &why);
	if (code) {
		raw_reply(s, src, tc, p, len, code,
			  code == 505 ? "Version Not Supported" :
			  code == 416 ? "Unsupported URI Scheme" : "Bad Request", why);
		return true;
	}
	copy = mbuf_alloc(len);
	if (!copy)
		return true;
	(void)mbuf_write_mem(copy, mbuf_buf(mb), len);
	copy->pos = 0;
	err = sip_msg_decode(&msg, copy);
	if (err && !ds_sipraw_add_branch(copy)) {
		copy->pos = 0;
		err = sip_msg_decode(&msg, copy);
		/* libre goes on with the request as it now reads */
		if (!err && mbuf_resize(mb, mb->pos + copy->end)) {
			mem_deref(msg);
			mem_deref(copy);
			ds_log(s->n, "request from %J dropped: out of memory", src);
			return true;
		}
		if (!err) {
			memcpy(mb->buf + mb->pos, copy->buf, copy->end);
			mb->end = mb->pos + copy->end;
			ds_log(s->n, "%r from %J has no Via branch (RFC 2543): "
			       "matched as RFC 3261 §17.2.3 says", &msg->met, src);
		}
	}
	if (err) {
		struct pl met = {p, (size_t)((const char *)memchr(p, ' ', len) - p)};
		code = ds_sipraw_method_answer(&met);
		if (code)   /* RFC 3261 §8.2.1: the method comes first */
			raw_reply(s, src, tc, p, len, code, code == 405 ? "Method Not Allowed" :
				  "Not Implemented", "method not served, headers unreadable");
		else
			raw_reply(s, src, tc, p, len, 400, "Bad Request", "unreadable header");
		mem_deref(copy);
		return true;
	}
	mem_deref(copy);
	*msgp = msg;
	return false;
}

static bool datagram_h(struct sa *src, struct mbuf *mb, void *arg)
{
	struct uas_stack *s = arg;
	const char *p = (const char *)mbuf_buf(mb), *end, *eol;
	size_t len = mbuf_get_left(mb);
	struct sip_msg *msg = NULL;
	bool done;
	int err;

	if (len <= 4 || is_stun(mbuf_buf(mb), len))
		return false;   /* libre's own: keep-alives and STUN */
	end = p + len;
	eol = ds_sipraw_eol(p, end);
	if (len > 8 && !memcmp(p, "SIP/", 4)) {
		/* a response: the hot path (every REGISTER answer of the fleet),
		 * read in place only to keep libre from printing about it */
		size_t pos = mb->pos;

		if (!ds_sipraw_status_ok(p, eol)) {
			/* RFC 4475 §3.1.2.19: no 3-digit code, dropped */
			ds_log(s->n, "response from %J dropped: malformed status line", src);
			return true;
		}
		err = sip_msg_decode(&msg, mb);
		mb->pos = pos;
		mem_deref(msg);
		if (err)
			ds_log(s->n, "response from %J dropped: unreadable (%m)", src, err);
		return err != 0;
	}
	if (raw_rules(s, src, NULL, mb, &msg))
		return true;
	/* RFC 3261 §18.3: a datagram shorter than its Content-Length */
	if (all_digits(&msg->clen) &&
	    (msg->clen.l > 9 || pl_u32(&msg->clen) > mbuf_get_left(msg->mb))) {
		msg->src = *src;
		msg->tp = SIP_TRANSP_UDP;
		if (pl_strcmp(&msg->met, "ACK"))
			(void)sip_reply(s->sip, msg, 400, "Bad Request");
		ds_log(s->n, "%r from %J: 400 (Content-Length %r, body %zu bytes)",
		       &msg->met, src, &msg->clen, mbuf_get_left(msg->mb));
		mem_deref(msg);
		return true;
	}
	msg->src = *src;
	msg->tp = SIP_TRANSP_UDP;
	done = rules(s, msg);
	mem_deref(msg);
	return done;
}

/* ---- requests framed by tcpfront.c (1. over TCP) ----------------------------- */

bool ds_uas_tcp_request(struct ds_net *n, const struct sa *src, struct tcp_conn *tc,
			struct mbuf *mb)
{
	struct sip_msg *msg = NULL;

	/* the rules of 2. come after libre decoded it (first_h): sip_reply()
	 * can only answer on a connection of libre's */
	if (raw_rules(&n->uas->st[0], src, tc, mb, &msg))
		return true;
	mem_deref(msg);
	return false;
}

void ds_uas_tcp_refuse(struct ds_net *n, const struct sa *src, struct tcp_conn *tc,
		       const char *p, size_t len, uint16_t code, const char *why)
{
	if (code)
		raw_reply(&n->uas->st[0], src, tc, p, len, code,
			  code == 513 ? "Message Too Large" : "Bad Request", why);
	else
		ds_log(n, "message from %J over TCP dropped: %s", src, why);
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

/* A message libre read from one of tcpfront.c's relay connections: its
 * source becomes the peer behind the relay (libre's object, which libre
 * lends its listeners as const). true: it came to libre's loopback
 * listener from anyone else, and is dropped, its connection closed. */
static bool tcp_source(struct uas_stack *s, const struct sip_msg *msg)
{
	const struct sa *peer;
	bool foreign;

	if (msg->tp != SIP_TRANSP_TCP || s->sip != s->n->sip)
		return false;
	peer = ds_tcpfront_peer(s->n, &msg->src, &msg->dst, &foreign);
	if (peer)
		((struct sip_msg *)msg)->src = *peer;
	if (!foreign)
		return false;
	ds_log(s->n, "message from %J to libre's loopback listener %J dropped: only "
	       "the SIP port's own listener may pass messages on", &msg->src, &msg->dst);
	close_conn(msg);
	return true;
}

static bool boot_h(const struct sip_msg *msg, void *arg)
{
	struct uas_stack *s = arg;
	char want[40];

	if (tcp_source(s, msg))
		return true;
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
	if (!ds_sipraw_quotes_balanced(&msg->to.val) || !ds_sipraw_quotes_balanced(&msg->from.val))
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
		if (!h || !ds_sipraw_cseq_ok(&h->val))
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
	    !ds_call_agent(s->n, &msg->uri.user))
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
	if (tcp_source(s, msg))
		return true;
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
	if (ds_sipraw_method_answer(&msg->met) == 405)
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

/* libre's own warnings (dbg_init below lets through DBG_WARNING and worse),
 * stamped, escaped and levelled like ours */
static void dbg_h(int level, const char *p, size_t len, void *arg)
{
	while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	/* a failed TLS handshake: tls.c's callers say what failed and why */
	if (len >= 20 && !memcmp(p, "tls: connect: error ", 20))
		return;
	ds_net_log(arg, level <= DBG_ERR ? DS_LOG_ERROR : DS_LOG_WARNING,
		   "libre: %b", p, len);
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
