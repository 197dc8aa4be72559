/* Health probes (docs/behaviour.md §3.1): one probe per server, shared by every agent.
 *
 * Policy: rounds at a fixed rate from start (t = 0, interval, 2·interval …),
 * every server probed in each round: a SIP OPTIONS for `sip` servers (any
 * final answer, even 4xx/5xx, proves the server alive), a TCP connect for
 * `stat`/`config` ones. Our own timer ends a round at probe-timeout. An
 * OPTIONS is sent stateless, with its answer matched here by Call-ID (which
 * names the round and the server) and, over UDP, retransmitted by the round
 * (T1 doubling up to T2) until it ends: a libre transaction cannot be ended
 * early and went on retransmitting to a dead server for 32 s after its round
 * had given up. A late answer is ignored.
 * A recovery is applied at once, unless a server that is down still has its
 * probe of the same round out: then the round's recoveries go together, when
 * the last of those answers or at the round's timeout, so a pair that comes
 * back is not first seen as its backup alone. Failures of a round, early
 * ones (a refused connect) included, are all applied together at the round's
 * timeout, so a whole site that dies at once reaches the engine as one
 * change (a site loss, not an HA switch followed by a loss). A failure of an older round is
 * ignored when a newer round already got an answer from that server.
 * OPTIONS go out from a SIP stack of their own (own UDP socket): libre reads
 * one datagram per socket per loop turn, and behind thousands of REGISTER
 * answers queued on the main socket a probe's answer would be read after
 * its round's timeout, declaring a healthy server down under load.
 * A server is unknown until its first answer (docs/behaviour.md §3.1): the
 * agents make no connection to it before, and a server that never answered
 * goes from unknown to down after probe-failures failures.
 * Why a server is declared down is said: probes that timed out, or that
 * failed at once (refused: ICMP port unreachable on UDP, a TCP reset, or
 * not even sent). The UDP OPTIONS go out on a socket of our own with
 * IP_RECVERR, the only way an unconnected UDP socket learns of an ICMP
 * error and of the address it was about; libre's transport socket is not
 * reachable for that. */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/errqueue.h>
#include <sys/socket.h>
#include <time.h>
#include "net_priv.h"
#include "sipmsg.h"

struct net_round;

struct round_probe {
	struct net_round *r;
	uint32_t srv;
	struct mbuf *pkt;    /* an OPTIONS over UDP, to retransmit */
	struct tcp_conn *tc;
	bool done;
	bool ok;
	bool came_up;        /* this answer brought the server up: not yet told */
	bool icmp;           /* err came from an ICMP error (UDP) */
	bool unsent;         /* err: the probe could not be sent */
	bool dns;            /* unsent: the server's name has no address */
	bool tls;            /* err: its TLS handshake failed (server's tls_why) */
	int err;             /* a failure at once (refused); 0: none (timed out) */
};

struct net_round {
	struct le le;
	struct ds_net *n;
	uint64_t num;
	uint64_t callid;     /* names the round in its OPTIONS' Call-IDs */
	int64_t sent_us;     /* when its probes went out (monotonic) */
	struct tmr tmr;
	struct tmr rtx;      /* retransmission of unanswered UDP OPTIONS */
	uint64_t rto;
	struct round_probe *p;
	size_t np;
};

/* Microseconds of the monotonic clock: libre's timers count milliseconds,
 * too coarse for a round trip on a LAN. */
static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void round_destructor(void *arg)
{
	struct net_round *r = arg;

	tmr_cancel(&r->tmr);
	tmr_cancel(&r->rtx);
	list_unlink(&r->le);
	for (size_t i = 0; i < r->np; i++) {
		r->p[i].pkt = mem_deref(r->p[i].pkt);
		r->p[i].tc = mem_deref(r->p[i].tc);
	}
	free(r->p);
}

/* Tells the agents about the servers this round brought up, all at once. */
static void round_flush_up(struct net_round *r)
{
	struct ds_net *n = r->n;
	bool *changed, any = false;

	changed = calloc(n->n_servers ? n->n_servers : 1, sizeof(*changed));
	if (!changed)
		return;
	for (size_t i = 0; i < r->np; i++)
		if (r->p[i].came_up) {
			r->p[i].came_up = false;
			changed[r->p[i].srv] = true;
			any = true;
		}
	if (any)
		ds_net_servers_changed(n, changed);
	free(changed);
}

/* Whether a server that is down still has its probe of this round out: its
 * answer may be a recovery of the same instant (a site coming back). */
static bool round_recovery_pending(const struct net_round *r)
{
	for (size_t i = 0; i < r->np; i++)
		if (!r->p[i].done && !r->n->servers[r->p[i].srv].health.up)
			return true;
	return false;
}

static void probe_ok(struct round_probe *p)
{
	struct net_round *r = p->r;
	struct ds_net *n = r->n;
	struct net_server *s = &n->servers[p->srv];

	if (p->done)
		return;
	p->done = true;
	p->ok = true;
	if (s->last_ok_round < r->num + 1)
		s->last_ok_round = r->num + 1;
	if (!s->known || !s->health.up)   /* from unknown or down to up */
		s->since = ds_net_now(n);
	s->known = true;
	s->fails_timeout = s->fails_fast = 0;
	s->rtt_us = mono_us() - r->sent_us;
	ds_metrics_rtt(s, s->rtt_us);

	if (ds_health_result(&s->health, true, n->pc.failures)) {
		ds_log(n, "server %s (%s %J) is up", s->s->name,
		       ds_kind_name(s->s->kind), &s->addr);
		p->came_up = true;
	}
	/* recoveries of one round reach the engines together, once no other
	 * down server's answer is outstanding (at the latest at the timeout):
	 * a pair that comes back is not seen as its backup alone */
	if (!round_recovery_pending(r))
		round_flush_up(r);
}

/* A failure at once (err) or none yet (0): held until the round's timeout,
 * applied with the others. */
static void probe_fail(struct round_probe *p, int err, bool icmp)
{
	if (!p->done && err) {
		p->err = err;
		p->icmp = icmp;
	}
	p->done = true;
}

/* Every answer to an OPTIONS of ours; any final answer, even 4xx/5xx,
 * proves the server alive. */
static bool options_resp_h(const struct sip_msg *msg, void *arg)
{
	struct ds_net *n = arg;
	struct le *le;
	uint64_t rnd;
	uint32_t srv, unused;

	if (pl_strcmp(&msg->cseq.met, "OPTIONS") ||
	    ds_sipmsg_callid_parse(&msg->callid, &rnd, &srv, &unused))
		return false;
	if (msg->scode < 200)
		return true;
	for (le = n->rounds.head; le; le = le->next) {
		struct net_round *r = le->data;

		if (r->callid == rnd) {
			if (srv < r->np)
				probe_ok(&r->p[srv]);
			break;
		}
	}
	return true;
}

static void probe_estab_h(void *arg)
{
	probe_ok(arg);
}

static void probe_recv_h(struct mbuf *mb, void *arg)
{
	(void)mb;
	(void)arg;
}

static void probe_close_h(int err, void *arg)
{
	struct round_probe *p = arg;
	if (!p->ok)
		probe_fail(p, err ? err : ECONNRESET, false);
}

static void probe_udp_err_h(int err, void *arg);

/* An OPTIONS on the probe socket. On loopback an ICMP error comes back
 * within sendto() itself: the error queue is read at once, or the error
 * pending on the socket would fail the next send, to another server. */
static int probe_udp_send(struct ds_net *n, const struct sa *dst, struct mbuf *mb)
{
	int err = udp_send(n->probe_us, dst, mb);

	probe_udp_err_h(0, n);
	if (err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH) {
		/* an earlier datagram's error, reported on this one: send again */
		mb->pos = 0;
		err = udp_send(n->probe_us, dst, mb);
		probe_udp_err_h(0, n);
	}
	return err;
}

static int options_send(struct ds_net *n, struct round_probe *p)
{
	struct net_server *s = &n->servers[p->srv];
	const char *tp = ds_net_tp_name(s->probe_tp);
	struct sa via;
	struct mbuf *mb;
	int err = 0;

	struct sa from;

	if (s->probe_tp == SIP_TRANSP_UDP)
		via = n->probe_laddr;
	else
		err = sip_transp_laddr(n->probe_sip, &via, s->probe_tp, &s->addr);
	if (!err)
		err = ds_net_local(n, &s->addr, sa_port(&via), &via);
	if (!err)
		err = ds_net_local(n, &s->addr, sa_port(&n->laddr), &from);
	if (err)
		return err;
	mb = mbuf_alloc(512);
	if (!mb)
		return ENOMEM;
	err = mbuf_printf(mb,
			  "OPTIONS sip:%J;transport=%s SIP/2.0\r\n"
			  "Via: SIP/2.0/%s %J;branch=z9hG4bK%016llx;rport\r\n"
			  "Max-Forwards: 70\r\n"
			  "To: <sip:%J;transport=%s>\r\n"
			  "From: <sip:dualsite@%J>;tag=%016llx\r\n"
			  "Call-ID: %016llx.%u.0@dualsite\r\n"
			  "CSeq: 1 OPTIONS\r\n"
			  "Accept: application/sdp\r\n"
			  "User-Agent: dualsite\r\n"
			  "Content-Length: 0\r\n\r\n",
			  &s->addr, tp, sip_transp_name(s->probe_tp), &via,
			  (unsigned long long)rand_u64(), &s->addr, tp, &from,
			  (unsigned long long)rand_u64(),
			  (unsigned long long)p->r->callid, p->srv);
	if (!err) {
		mb->pos = 0;
		if (s->probe_tp == SIP_TRANSP_TLS)
			ds_tls_expect(n, &s->addr, s->s->host, ds_dns_target(&s->dn), true);
		err = s->probe_tp == SIP_TRANSP_UDP ? probe_udp_send(n, &s->addr, mb) :
			sip_send(n->probe_sip, NULL, s->probe_tp, &s->addr, mb);
		ds_tls_expect(n, NULL, NULL, NULL, true);
	}
	if (!err && s->probe_tp == SIP_TRANSP_UDP)
		p->pkt = mem_ref(mb);
	mem_deref(mb);
	return err;
}

static int probe_send(struct ds_net *n, struct round_probe *p)
{
	struct net_server *s = &n->servers[p->srv];

	if (s->probe_tcp)
		return tcp_connect(&p->tc, &s->addr, probe_estab_h, probe_recv_h,
				   probe_close_h, p);
	return options_send(n, p);
}

/* RFC 3261 §17.1.2.2 for the round's unanswered OPTIONS over UDP. */
static void round_rtx_h(void *arg)
{
	struct net_round *r = arg;
	struct ds_net *n = r->n;

	for (size_t i = 0; i < r->np; i++) {
		struct round_probe *p = &r->p[i];

		if (p->done || !p->pkt)
			continue;
		p->pkt->pos = 0;
		(void)probe_udp_send(n, &n->servers[p->srv].addr, p->pkt);
	}
	r->rto = r->rto * 2 > SIP_T2 ? SIP_T2 : r->rto * 2;
	tmr_start(&r->rtx, r->rto, round_rtx_h, r);
}

/* Counts one failed probe of s by its kind, keeping the text of the last
 * fast one. */
static void fail_count(struct net_server *s, const struct round_probe *p)
{
	if (!p->err) {
		if (s->fails_timeout < UINT16_MAX)
			s->fails_timeout++;
		return;
	}
	if (s->fails_fast < UINT16_MAX)
		s->fails_fast++;
	if (p->dns)
		re_snprintf(s->fast_why, sizeof(s->fast_why), "dns: %s", s->dn.why);
	else if (p->tls)
		re_snprintf(s->fast_why, sizeof(s->fast_why), "tls: %s", s->tls_why);
	else if (p->unsent)
		re_snprintf(s->fast_why, sizeof(s->fast_why), "not sent: %m", p->err);
	else if (p->icmp)
		re_snprintf(s->fast_why, sizeof(s->fast_why), "refused: ICMP %s",
			    p->err == ECONNREFUSED ? "port unreachable" :
			    p->err == EHOSTUNREACH ? "host unreachable" :
			    p->err == ENETUNREACH ? "network unreachable" : "error");
	else if (p->err == ECONNREFUSED)
		re_snprintf(s->fast_why, sizeof(s->fast_why), "refused: TCP connection refused");
	else
		re_snprintf(s->fast_why, sizeof(s->fast_why), "refused: %m", p->err);
}

const char *ds_probe_fail_text(unsigned timed_out, unsigned fast, const char *fast_why,
			       char *buf, size_t sz)
{
	if (!fast)
		re_snprintf(buf, sz, "timed out");
	else if (!timed_out)
		re_snprintf(buf, sz, "%s", fast_why);
	else
		re_snprintf(buf, sz, "%u timed out, %u %s", timed_out, fast, fast_why);
	return buf;
}

static void round_timeout_h(void *arg)
{
	struct net_round *r = arg;
	struct ds_net *n = r->n;
	bool *changed = calloc(n->n_servers, sizeof(*changed));
	bool any = false;

	for (size_t i = 0; i < r->np; i++) {
		struct round_probe *p = &r->p[i];
		struct net_server *s = &n->servers[p->srv];

		char why[224];
		bool down;

		if (p->ok || s->last_ok_round > r->num)
			continue;
		fail_count(s, p);
		/* named by SRV: its next target before it is declared down */
		if (s->named && s->health.fails + 1u >= n->pc.failures &&
		    ds_dns_next_target(&s->dn, s->dn.gen)) {
			s->health.fails = 0;
			s->fails_timeout = s->fails_fast = 0;
			/* the rounds already out went to the failed target */
			s->last_ok_round = n->round;
			continue;
		}
		down = ds_health_result(&s->health, false, n->pc.failures);
		if (!s->known && s->health.fails >= n->pc.failures) {
			s->known = true;   /* from unknown to down */
			down = true;
		}
		if (down) {
			s->since = ds_net_now(n);
			ds_net_log(n, DS_LOG_WARNING,
				   "server %s (%s %J) is down after %u failed probes (%s)",
				   s->s->name, ds_kind_name(s->s->kind), &s->addr,
				   s->fails_timeout + s->fails_fast,
				   ds_probe_fail_text(s->fails_timeout, s->fails_fast,
						      s->fast_why, why, sizeof(why)));
			if (changed)
				changed[p->srv] = true;
			any = true;
		}
	}
	/* this round's recoveries still held go with its failures */
	for (size_t i = 0; i < r->np; i++)
		if (r->p[i].came_up && changed) {
			changed[r->p[i].srv] = true;
			any = true;
		}
	mem_deref(r);
	if (any && changed)
		ds_net_servers_changed(n, changed);
	free(changed);
}

static void round_start(struct ds_net *n)
{
	struct net_round *r = mem_zalloc(sizeof(*r), round_destructor);

	if (!r) {
		ds_log(n, "probe round %llu: out of memory", (unsigned long long)n->round);
		return;
	}
	r->n = n;
	r->num = n->round;
	r->callid = rand_u64();
	tmr_init(&r->tmr);
	tmr_init(&r->rtx);
	r->p = calloc(n->n_servers, sizeof(*r->p));
	if (!r->p) {
		mem_deref(r);
		return;
	}
	r->np = n->n_servers;
	list_append(&n->rounds, &r->le, r);
	r->sent_us = mono_us();

	for (size_t i = 0; i < r->np; i++) {
		struct round_probe *p = &r->p[i];
		int err;

		p->r = r;
		p->srv = (uint32_t)i;
		if (!ds_dns_usable(&n->servers[i])) {
			probe_fail(p, EDESTADDRREQ, false);
			p->unsent = p->dns = true;
			continue;
		}
		err = probe_send(n, p);
		if (err) {
			/* cannot even send (no route, no memory): a failure */
			probe_fail(p, err, false);
			p->unsent = true;
			if (err != ENOMEM)
				ds_net_send_failed(n, "probe", &n->servers[i].addr, err);
		}
	}
	tmr_start(&r->tmr, (uint64_t)n->pc.timeout_ms, round_timeout_h, r);
	r->rto = SIP_T1;
	tmr_start(&r->rtx, r->rto, round_rtx_h, r);
}

/* An ICMP error about one of our OPTIONS: the probes of that server still
 * out fail at once (applied at their rounds' timeouts). */
void ds_probe_tls_failed(struct ds_net *n, const struct sa *dst, const char *why)
{
	for (size_t i = 0; i < n->n_servers; i++) {
		struct net_server *s = &n->servers[i];

		if (s->probe_tcp || s->probe_tp != SIP_TRANSP_TLS ||
		    !sa_cmp(&s->addr, dst, SA_ALL))
			continue;
		str_ncpy(s->tls_why, why, sizeof(s->tls_why));
		for (struct le *le = n->rounds.head; le; le = le->next) {
			struct net_round *r = le->data;
			struct round_probe *p = &r->p[i];

			if (i >= r->np || p->done)
				continue;
			p->tls = true;
			probe_fail(p, EPROTO, false);
		}
	}
}

static void probe_refused(struct ds_net *n, const struct sa *dst, int err)
{
	for (size_t i = 0; i < n->n_servers; i++) {
		if (!sa_cmp(&n->servers[i].addr, dst, SA_ALL) || n->servers[i].probe_tcp ||
		    n->servers[i].probe_tp != SIP_TRANSP_UDP)
			continue;
		for (struct le *le = n->rounds.head; le; le = le->next) {
			struct net_round *r = le->data;

			if (i < r->np && !r->p[i].done)
				probe_fail(&r->p[i], err, true);
		}
	}
}

/* libre read an error from the probe socket: drain its error queue, where
 * IP_RECVERR put each ICMP error with the destination it was about. */
static void probe_udp_err_h(int err, void *arg)
{
	struct ds_net *n = arg;
	int fd = udp_sock_fd(n->probe_us, sa_af(&n->probe_laddr));
	(void)err;

	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage dst;
		char data[1], cbuf[256];
		struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
		struct msghdr mh = {.msg_name = &dst, .msg_namelen = sizeof(dst),
				    .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
		struct cmsghdr *cm;
		struct sa sa;

		if (fd < 0 || recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return;
		if (sa_set_sa(&sa, (struct sockaddr *)&dst))
			continue;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			const struct sock_extended_err *ee;

			if (!((cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_RECVERR) ||
			      (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_RECVERR)))
				continue;
			ee = (const struct sock_extended_err *)(void *)CMSG_DATA(cm);
			if (ee->ee_origin == SO_EE_ORIGIN_ICMP ||
			    ee->ee_origin == SO_EE_ORIGIN_ICMP6)
				probe_refused(n, &sa, (int)ee->ee_errno);
		}
	}
}

static void probe_udp_recv_h(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct sip_msg *msg;
	(void)src;

	if (sip_msg_decode(&msg, mb))
		return;
	if (!msg->req)
		(void)options_resp_h(msg, arg);
	mem_deref(msg);
}

int ds_probe_sock_open(struct ds_net *n, const struct sa *laddr)
{
	int on = 1, err;

	err = udp_listen(&n->probe_us, laddr, probe_udp_recv_h, n);
	if (!err)
		err = udp_local_get(n->probe_us, &n->probe_laddr);
	if (err)
		return err;
	udp_error_handler_set(n->probe_us, probe_udp_err_h);
	/* without it the ICMP errors are not known: probes then time out */
	if (sa_af(laddr) == AF_INET6)
		(void)udp_setsockopt(n->probe_us, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
	else
		(void)udp_setsockopt(n->probe_us, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	return 0;
}

static void probe_tick_h(void *arg)
{
	struct ds_net *n = arg;
	uint64_t next, now;

	if (n->stopping)
		return;
	round_start(n);
	n->round++;
	/* the next round at t0 + round·interval: no drift */
	next = n->t0 + n->round * (uint64_t)n->pc.interval_ms;
	now = tmr_jiffies();
	tmr_start(&n->probe_tmr, next > now ? next - now : 0, probe_tick_h, n);
}

int ds_probe_listen(struct ds_net *n)
{
	if (n->probe_lsnr)
		return 0;
	return sip_listen(&n->probe_lsnr, n->probe_sip, false, options_resp_h, n);
}

int ds_probe_start(struct ds_net *n)
{
	int err;

	list_init(&n->rounds);
	tmr_init(&n->probe_tmr);
	/* a restart (reload) goes on numbering from now, on the same grid of
	 * t0 + round·interval: no burst of rounds to catch up */
	if (n->round && n->pc.interval_ms > 0)
		n->round = (tmr_jiffies() - n->t0) / (uint64_t)n->pc.interval_ms + 1;
	err = ds_probe_listen(n);
	if (err)
		return err;
	probe_tick_h(n);
	return 0;
}

void ds_probe_stop(struct ds_net *n)
{
	tmr_cancel(&n->probe_tmr);
	list_flush(&n->rounds);
	/* the listener stays (a reload stops and starts the probes): it must
	 * come before uas.c's catch-all; ds_net_close() frees it */
}
