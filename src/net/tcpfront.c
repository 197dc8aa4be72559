/* SIP over TCP on the SIP port: our own listener frames each message and
 * checks it before libre sees it.
 *
 * Policy: libre 1.1.0 frames a TCP stream itself and offers no hook on the
 * connections its transport accepts, so a message it cannot decode closes
 * the connection unanswered and a start line it cannot find leaves it
 * waiting. Here the SIP port's TCP listener is ours. For each connection:
 * - CRLF keep-alives are skipped and a CRLFCRLF ping is answered with CRLF
 *   (RFC 5626 §4.4.1);
 * - a message is its headers up to the empty line, then its one
 *   Content-Length of body (sipframe.c). No Content-Length, two, one that is
 *   not a number, or a message over DS_SIPFRAME_MAX bytes: a request gets
 *   400 (513 when too large), then the connection is closed (its framing is
 *   lost); a body not all there yet is waited for (RFC 4475 §3.1.2.2), up
 *   to PARTIAL_MS, then the connection is closed;
 * - a whole request gets the same checks as a datagram before libre would
 *   read it (uas.c: start line, version, URI scheme, RFC 2543 branch,
 *   readable headers), answered here when it fails them;
 * - what passes is written, whole, to libre's own TCP transport, which only
 *   listens on loopback at an ephemeral port (one relay connection per
 *   connection of ours, opened at its first message), and libre's answers
 *   come back the same way. uas.c gives each request that arrives over a
 *   relay the address of the peer that sent it, so that everything after
 *   (the rules of uas.c, call.c's choice of site) sees the real source;
 *   anything else arriving at libre's loopback listener is refused.
 * At most MAX_CONNS connections (more are refused at accept), each closed
 * after IDLE_MS without a message, as libre's transport did. Nothing
 * blocks: every read and write goes through libre's loop. Connections we
 * open ourselves (REGISTER over TCP) stay libre's, framed by libre. */
#include <string.h>
#include <sys/socket.h>
#include "net_priv.h"
#include "sipframe.h"
#include "sipraw.h"

enum {
	MAX_CONNS = 1024,
	BACKLOG = 1024,              /* the kernel caps it at net.core.somaxconn */
	IDLE_MS = 900 * 1000,        /* libre 1.1.0's TCP_IDLE_TIMEOUT */
	PARTIAL_MS = 32 * 1000,      /* a message started but not whole: 64*T1 */
	CLOSING_MS = 2 * 1000,       /* after our FIN, for the peer's */
	PEND_MAX = 512 * 1024,       /* for the relay while it connects (libre's
					send queue takes as much) */
	REFUSED_SAY_MS = 10000,
};

struct front_lsn {
	struct le le;
	struct tcp_sock *ts;
	struct ds_tcpfront *f;
};

struct front_conn {
	struct le le;                /* f->conns */
	struct le he;                /* f->by_relay, once the relay is open */
	struct ds_tcpfront *f;
	struct tcp_conn *tc;         /* the peer's connection */
	struct tcp_conn *relay;      /* ours to libre's loopback listener */
	struct sa peer;
	struct sa relay_laddr;
	struct mbuf *in;             /* what the peer sent, not framed yet */
	struct mbuf *pend;           /* for the relay, until it is up */
	struct tmr tmr;
	bool relay_up;
	bool partial;                /* a message began: PARTIAL_MS runs */
	bool closing;
};

struct ds_tcpfront {
	struct ds_net *n;
	struct list lsnl;
	struct list conns;
	struct hash *by_relay;
	struct sa inner[2];          /* libre's listeners: IPv4, IPv6 loopback */
	uint64_t refused_said_at;
	uint32_t refused_unsaid;
};

static void conn_free(struct front_conn *c)
{
	mem_deref(c);
}

static void conn_destructor(void *arg)
{
	struct front_conn *c = arg;

	tmr_cancel(&c->tmr);
	list_unlink(&c->le);
	hash_unlink(&c->he);
	c->relay = mem_deref(c->relay);
	c->tc = mem_deref(c->tc);
	c->in = mem_deref(c->in);
	c->pend = mem_deref(c->pend);
}

static void conn_tmr_h(void *arg)
{
	struct front_conn *c = arg;

	if (!c->closing)
		ds_log(c->f->n, "TCP connection from %J closed: %s", &c->peer,
		       c->in && mbuf_get_left(c->in) ?
		       "a message started but did not end in time" : "idle");
	conn_free(c);
}

/* The send queue of a closing connection is empty: our FIN follows it. */
static void drained_h(void *arg)
{
	struct front_conn *c = arg;

	if (tcp_conn_txqsz(c->tc))
		return;
	(void)tcp_set_send(c->tc, NULL);
	(void)shutdown(tcp_conn_fd(c->tc), SHUT_WR);
}

/* Ends the connection once what we sent is out: a FIN after it (libre set
 * SO_LINGER 0 on the socket, so a close() now would reset it and drop it),
 * then CLOSING_MS for the peer's FIN. */
static void conn_close(struct front_conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	c->relay = mem_deref(c->relay);
	hash_unlink(&c->he);
	if (!tcp_conn_txqsz(c->tc))
		(void)shutdown(tcp_conn_fd(c->tc), SHUT_WR);
	else
		(void)tcp_set_send(c->tc, drained_h);
	tmr_start(&c->tmr, CLOSING_MS, conn_tmr_h, c);
}

static void relay_estab_h(void *arg)
{
	struct front_conn *c = arg;

	c->relay_up = true;
	if (c->pend && mbuf_get_left(c->pend) && tcp_send(c->relay, c->pend)) {
		ds_log(c->f->n, "TCP connection from %J closed: cannot reach libre's "
		       "transport", &c->peer);
		conn_close(c);
		return;
	}
	c->pend = mem_deref(c->pend);
}

static void relay_recv_h(struct mbuf *mb, void *arg)
{
	struct front_conn *c = arg;

	if (!c->closing && tcp_send(c->tc, mb))
		conn_close(c);
}

static void relay_close_h(int err, void *arg)
{
	struct front_conn *c = arg;
	(void)err;

	/* libre closed it (uas.c after a Content-Length it refused, or idle) */
	conn_close(c);
}

static int relay_open(struct front_conn *c)
{
	const struct sa *inner = &c->f->inner[sa_af(&c->peer) == AF_INET6 ? 1 : 0];
	int err;

	if (!sa_isset(inner, SA_ALL))
		inner = &c->f->inner[sa_isset(&c->f->inner[0], SA_ALL) ? 0 : 1];
	err = tcp_connect(&c->relay, inner, relay_estab_h, relay_recv_h, relay_close_h, c);
	if (!err)
		err = tcp_conn_local_get(c->relay, &c->relay_laddr);
	if (err) {
		c->relay = mem_deref(c->relay);
		return err;
	}
	hash_append(c->f->by_relay, sa_hash(&c->relay_laddr, SA_ALL), &c->he, c);
	return 0;
}

/* One whole message [p, p+len) that passed the checks, to libre. */
static int relay_send(struct front_conn *c, const uint8_t *p, size_t len)
{
	int err;

	if (!c->relay) {
		err = relay_open(c);
		if (err)
			return err;
	}
	if (c->relay_up) {
		struct mbuf mb = {.buf = (uint8_t *)p, .size = len, .pos = 0, .end = len};
		return tcp_send(c->relay, &mb);
	}
	if (!c->pend) {
		c->pend = mbuf_alloc(len);
		if (!c->pend)
			return ENOMEM;
	}
	if (c->pend->end + len > PEND_MAX)
		return ENOSPC;
	c->pend->pos = c->pend->end;
	err = mbuf_write_mem(c->pend, p, len);
	c->pend->pos = 0;
	return err;
}

/* A whole message: a request gets uas.c's checks first; a response only
 * needs a status line libre can read. false: the connection must close. */
static bool message(struct front_conn *c, const uint8_t *p, size_t len)
{
	struct mbuf *mb;
	bool done;
	int err;

	if (len > 8 && !memcmp(p, "SIP/", 4)) {
		const char *s = (const char *)p;
		if (!ds_sipraw_status_ok(s, ds_sipraw_eol(s, s + len))) {
			ds_log(c->f->n, "response from %J over TCP dropped: malformed status "
			       "line", &c->peer);
			return true;
		}
		err = relay_send(c, p, len);
		goto out;
	}
	mb = mbuf_alloc(len + 64);
	if (!mb)
		return false;
	(void)mbuf_write_mem(mb, p, len);
	mb->pos = 0;
	done = ds_uas_tcp_request(c->f->n, &c->peer, c->tc, mb);
	err = done ? 0 : relay_send(c, mbuf_buf(mb), mbuf_get_left(mb));
	mem_deref(mb);
 out:
	if (err)
		ds_log(c->f->n, "TCP connection from %J closed: cannot pass a message to "
		       "libre's transport: %m", &c->peer, err);
	return !err;
}

static void recv_h(struct mbuf *mb, void *arg)
{
	struct front_conn *c = arg;
	static const uint8_t crlf[] = "\r\n";
	struct ds_sipframe fr;
	bool progress = false;

	if (c->closing)
		return;
	if (!c->in) {
		c->in = mbuf_alloc(mbuf_get_left(mb) + 512);
		if (!c->in) {
			conn_close(c);
			return;
		}
	}
	c->in->pos = c->in->end;
	if (mbuf_write_mem(c->in, mbuf_buf(mb), mbuf_get_left(mb))) {
		conn_close(c);
		return;
	}
	c->in->pos = 0;
	while (!c->closing && mbuf_get_left(c->in)) {
		const uint8_t *p = mbuf_buf(c->in);

		ds_sipframe_next((const char *)p, mbuf_get_left(c->in), &fr);
		switch (fr.kind) {
		case DS_SIPFRAME_NEED:
			goto wait;
		case DS_SIPFRAME_PING: {
			struct mbuf pong = {.buf = (uint8_t *)crlf, .size = 2, .pos = 0, .end = 2};
			if (tcp_send(c->tc, &pong))
				conn_close(c);
			break;
		}
		case DS_SIPFRAME_CRLF:
			break;
		case DS_SIPFRAME_MSG:
			if (!message(c, p, fr.len))
				conn_close(c);
			break;
		case DS_SIPFRAME_BAD:
			ds_uas_tcp_refuse(c->f->n, &c->peer, c->tc, (const char *)p,
					  fr.head ? fr.head : mbuf_get_left(c->in),
					  fr.code, fr.why);
			conn_close(c);
			return;
		}
		c->in->pos += fr.len;
		progress = true;
	}
 wait:
	if (c->closing)
		return;
	/* keep only what is not framed yet */
	if (c->in->pos) {
		size_t left = mbuf_get_left(c->in);
		memmove(c->in->buf, mbuf_buf(c->in), left);
		c->in->pos = 0;
		c->in->end = left;
	}
	/* a message gets PARTIAL_MS from its first byte: more bytes of it do
	 * not move the deadline (one byte a minute would keep it open) */
	if (!mbuf_get_left(c->in)) {
		c->partial = false;
		tmr_start(&c->tmr, IDLE_MS, conn_tmr_h, c);
	}
	else if (progress || !c->partial) {
		c->partial = true;
		tmr_start(&c->tmr, PARTIAL_MS, conn_tmr_h, c);
	}
}

static void close_h(int err, void *arg)
{
	struct front_conn *c = arg;
	(void)err;

	conn_free(c);
}

static void accept_h(const struct sa *peer, void *arg)
{
	struct front_lsn *l = arg;
	struct ds_tcpfront *f = l->f;
	struct front_conn *c;

	if (list_count(&f->conns) >= MAX_CONNS) {
		uint64_t now = tmr_jiffies();
		tcp_reject(l->ts);
		if (f->refused_said_at && now - f->refused_said_at < REFUSED_SAY_MS) {
			f->refused_unsaid++;
			return;
		}
		ds_log(f->n, "TCP connection from %J refused: %d connections open, the most "
		       "taken (refusals are logged once per %d s; %u not logged since the "
		       "last line)", peer, MAX_CONNS, REFUSED_SAY_MS / 1000, f->refused_unsaid);
		f->refused_said_at = now ? now : 1;
		f->refused_unsaid = 0;
		return;
	}
	c = mem_zalloc(sizeof(*c), conn_destructor);
	if (!c) {
		tcp_reject(l->ts);
		return;
	}
	c->f = f;
	c->peer = *peer;
	tmr_init(&c->tmr);
	if (tcp_accept(&c->tc, l->ts, NULL, recv_h, close_h, c)) {
		tcp_reject(l->ts);
		mem_deref(c);
		return;
	}
	list_append(&f->conns, &c->le, c);
	tmr_start(&c->tmr, PARTIAL_MS, conn_tmr_h, c);
}

static void lsn_destructor(void *arg)
{
	struct front_lsn *l = arg;

	list_unlink(&l->le);
	mem_deref(l->ts);
}

static void front_destructor(void *arg)
{
	struct ds_tcpfront *f = arg;

	list_flush(&f->lsnl);
	while (f->conns.head)
		mem_deref(f->conns.head->data);
	mem_deref(f->by_relay);
}

int ds_tcpfront_alloc(struct ds_net *n)
{
	struct ds_tcpfront *f = mem_zalloc(sizeof(*f), front_destructor);

	if (!f)
		return ENOMEM;
	f->n = n;
	sa_init(&f->inner[0], AF_UNSPEC);
	sa_init(&f->inner[1], AF_UNSPEC);
	n->tcpfront = f;
	return hash_alloc(&f->by_relay, 64);
}

int ds_tcpfront_listen(struct ds_net *n, const struct sa *laddr)
{
	struct ds_tcpfront *f = n->tcpfront;
	struct front_lsn *l;
	int err;

	l = mem_zalloc(sizeof(*l), lsn_destructor);
	if (!l)
		return ENOMEM;
	l->f = f;
	list_append(&f->lsnl, &l->le, l);
	/* tcp_listen() would take a backlog of 5: a burst of proxies
	 * (re)connecting at once would see SYNs dropped */
	err = tcp_sock_alloc(&l->ts, laddr, accept_h, l);
	if (!err)
		err = tcp_sock_bind(l->ts, laddr);
	if (!err)
		err = tcp_sock_listen(l->ts, BACKLOG);
	if (err)
		mem_deref(l);
	return err;
}

int ds_tcpfront_inner(struct ds_net *n, int af)
{
	struct ds_tcpfront *f = n->tcpfront;
	struct sa *a = &f->inner[af == AF_INET6 ? 1 : 0];
	int err;

	err = sa_set_str(a, af == AF_INET6 ? "::1" : "127.0.0.1", 0);
	if (!err)
		err = sip_transp_add(n->sip, SIP_TRANSP_TCP, a);
	if (!err)
		err = sip_transp_laddr(n->sip, a, SIP_TRANSP_TCP, a);
	if (err)
		sa_init(a, AF_UNSPEC);
	else
		ds_log(n, "libre's TCP transport listens on %J, for the SIP port's TCP "
		       "listener only", a);
	return err;
}

void ds_tcpfront_flush(struct ds_net *n)
{
	struct ds_tcpfront *f = n->tcpfront;

	list_flush(&f->lsnl);
	sa_init(&f->inner[0], AF_UNSPEC);
	sa_init(&f->inner[1], AF_UNSPEC);
}

const struct sa *ds_tcpfront_peer(const struct ds_net *n, const struct sa *src,
				  const struct sa *dst, bool *foreign)
{
	const struct ds_tcpfront *f = n->tcpfront;
	struct le *le;

	*foreign = false;
	if (!f)
		return NULL;
	le = list_head(hash_list(f->by_relay, sa_hash(src, SA_ALL)));
	for (; le; le = le->next) {
		const struct front_conn *c = le->data;
		if (sa_cmp(&c->relay_laddr, src, SA_ALL))
			return &c->peer;
	}
	*foreign = sa_cmp(dst, &f->inner[0], SA_ALL) || sa_cmp(dst, &f->inner[1], SA_ALL);
	return NULL;
}

void ds_tcpfront_close(struct ds_net *n)
{
	n->tcpfront = mem_deref(n->tcpfront);
}
