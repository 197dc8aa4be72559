/* Health probes (SPEC §3.1): one probe per server, shared by every agent.
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
 * its round's timeout, declaring a healthy server down under load. */
#include <stdlib.h>
#include <string.h>
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

static void probe_fail(struct round_probe *p)
{
	/* held until the round's timeout, applied with the others */
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
	(void)err;

	if (!p->ok)
		probe_fail(p);
}

static int options_send(struct ds_net *n, struct round_probe *p)
{
	struct net_server *s = &n->servers[p->srv];
	const char *tp = ds_net_tp_name(s->probe_tp);
	struct sa via;
	struct mbuf *mb;
	int err;

	err = sip_transp_laddr(n->probe_sip, &via, s->probe_tp, &s->addr);
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
			  (unsigned long long)rand_u64(), &s->addr, tp, &n->laddr,
			  (unsigned long long)rand_u64(),
			  (unsigned long long)p->r->callid, p->srv);
	if (!err) {
		mb->pos = 0;
		err = sip_send(n->probe_sip, NULL, s->probe_tp, &s->addr, mb);
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
		(void)sip_send(n->probe_sip, NULL, SIP_TRANSP_UDP, &n->servers[p->srv].addr,
			       p->pkt);
	}
	r->rto = r->rto * 2 > SIP_T2 ? SIP_T2 : r->rto * 2;
	tmr_start(&r->rtx, r->rto, round_rtx_h, r);
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

		if (p->ok || s->last_ok_round > r->num)
			continue;
		if (ds_health_result(&s->health, false, n->pc.failures)) {
			ds_net_log(n, DS_LOG_WARNING,
				   "server %s (%s %J) is down after %u failed probes",
			       s->s->name, ds_kind_name(s->s->kind), &s->addr,
			       n->pc.failures);
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
		err = probe_send(n, p);
		if (err) {
			/* cannot even send (no route, no memory): a failure */
			p->done = true;
		}
	}
	tmr_start(&r->tmr, (uint64_t)n->pc.timeout_ms, round_timeout_h, r);
	r->rto = SIP_T1;
	tmr_start(&r->rtx, r->rto, round_rtx_h, r);
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

int ds_probe_start(struct ds_net *n)
{
	int err;

	list_init(&n->rounds);
	tmr_init(&n->probe_tmr);
	n->round = 0;
	err = sip_listen(&n->probe_lsnr, n->probe_sip, false, options_resp_h, n);
	if (err)
		return err;
	probe_tick_h(n);
	return 0;
}

void ds_probe_stop(struct ds_net *n)
{
	tmr_cancel(&n->probe_tmr);
	list_flush(&n->rounds);
	n->probe_lsnr = mem_deref(n->probe_lsnr);
}
