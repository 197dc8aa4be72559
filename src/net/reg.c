/* The registration client: one REGISTER binding per agent and proxy, driven
 * by the engine's actions (register, un-register, check, cancel).
 *
 * Policy: the engine decides when; this file only does one transaction at a
 * time and says how it ended. Not libre's sipreg: its own retry timers
 * (30 s to 30 min) and a 32 s UDP timeout cannot honour reregister_in_seconds
 * nor register-timeout. Each binding keeps one Call-ID and From tag for its
 * whole life and a CSeq that only grows, whichever member of the pair or SBC
 * a request goes to (an HA pair sees a refresh, not a new binding), so
 * requests are built here rather than in a sip_dialog, whose request URI is
 * fixed.
 *
 * Requests are built here and sent stateless with sip_send(), and answers
 * matched here (by the Call-ID, which names the binding, and the CSeq):
 * libre's client transactions cannot be ended early, so every abandoned one
 * would keep retransmitting for 32 s and, at ten thousand agents behind a
 * silent server, flood both the registrar and libre's linear timer list.
 * Not sip_request() either: per request it draws its Via branch from
 * OpenSSL's RAND_bytes and asks the socket its address (together about a
 * fifth of the driver's CPU per REGISTER, bench/RESULTS.md); our branches
 * come from a per-process xorshift stream, which only has to make them
 * unique. Digest answers are written by digest.c. Over UDP we retransmit ourselves (T1
 * doubling up to T2, RFC 3261 §17.1.2.2) the very bytes sent (same branch,
 * same CSeq, a true retransmission); answering a challenge is a new request
 * with the next CSeq, and an answer to any CSeq of the attempt counts. Our
 * timer ends the attempt at register-timeout with "no answer" (code 0). A
 * digest challenge (401/407) is answered once per attempt; a challenge to a
 * request that carried that answer is a rejection (challenges to earlier
 * retransmissions are duplicates). */
#include <string.h>
#include "net_priv.h"
#include "sipmsg.h"

static void bind_begin(struct net_binding *b, enum bind_op op, int server_id,
		       uint32_t seq, uint32_t expires);

/* Which servers hold a binding of ours: a clean stop removes it at each,
 * the member left by an HA switch included. */
static void bound_set(struct net_binding *b, int id, bool on)
{
	for (int i = 0; i < 2; i++)
		if (b->bound[i] == id) {
			if (!on)
				b->bound[i] = -1;
			return;
		}
	if (!on)
		return;
	for (int i = 0; i < 2; i++)
		if (b->bound[i] < 0) {
			b->bound[i] = id;
			return;
		}
	b->bound[1] = id;   /* more than a pair: keep the newest */
}

static int bound_any(const struct net_binding *b)
{
	return b->bound[0] >= 0 ? b->bound[0] : b->bound[1];
}

/* A fast 64-bit stream for Via branches and cnonces (xorshift64*): unique
 * enough within one process, which is all a branch must be. */
static uint64_t next_rand(struct ds_net *n)
{
	n->rng ^= n->rng >> 12;
	n->rng ^= n->rng << 25;
	n->rng ^= n->rng >> 27;
	return n->rng * 0x2545f4914f6cdd1dull;
}

static const struct ds_server *bind_server(const struct net_binding *b, int id)
{
	if (b->ag->ret)   /* a retiring agent's own copy (reload.c) */
		return ds_reload_retired_server(b->ag, id);
	return &b->ag->net->cfg->servers[id];
}

/* Where the request goes: the member of the action, or the proxy's SBC. */
static int bind_dst(const struct net_binding *b, int id, struct sa *dst)
{
	const struct net_agent *ag = b->ag;
	const struct ds_net *n = ag->net;
	const struct ds_server *srv = bind_server(b, id);
	int si = ag->ret ? -1 : n->srv_index[id];

	if (!ag->ret && si < 0)
		return EINVAL;
	if (ag->sbc[b->proxy] >= 0) {   /* n->sbcs never shrinks: a retiring copy's too */
		const struct net_sbc *sbc = &n->sbcs[ag->sbc[b->proxy]];

		if (sbc->named && !sbc->dn.ok)
			return EDESTADDRREQ;   /* a name without an address (dns.c) */
		*dst = sbc->addr;   /* an SRV answer has its port (dns.c) */
		if (!sbc->srv)
			sa_set_port(dst, sbc->port ? sbc->port : srv->port);
		return 0;
	}
	if (ag->ret) {
		*dst = *ds_reload_retired_addr(ag, id);
	}
	else {
		if (!ds_dns_usable(&n->servers[si]))
			return EDESTADDRREQ;   /* a name without an address (dns.c) */
		*dst = n->servers[si].addr;   /* with its port (an SRV answer's, dns.c) */
	}
	if (ag->sbc_port[b->proxy]) {
		sa_set_port(dst, ag->sbc_port[b->proxy]);
	}
	return 0;
}

/* The names a TLS server certificate may carry for that destination
 * (docs/behaviour.md §7): the SBC's or the server's host and, for SRV,
 * the target in use. */
static void bind_tls_expect(struct net_binding *b, const struct sa *dst)
{
	const struct ds_net *n = b->ag->net;
	int sbc = b->ag->sbc[b->proxy];

	if (sbc >= 0) {
		ds_tls_expect(b->ag->net, dst, n->sbcs[sbc].host,
			      ds_dns_target(&n->sbcs[sbc].dn), false);
	}
	else if (b->ag->ret) {
		/* a retiring copy (reload.c) keeps the host, not the SRV target */
		ds_tls_expect(b->ag->net, dst, bind_server(b, b->server_id)->host, NULL, false);
	}
	else {
		const struct net_server *s = &n->servers[n->srv_index[b->server_id]];

		ds_tls_expect(b->ag->net, dst, s->s->host, ds_dns_target(&s->dn), false);
	}
}

static int bind_send(struct net_binding *b)
{
	struct net_agent *ag = b->ag;
	struct ds_net *n = ag->net;
	const struct ds_server *srv = bind_server(b, b->server_id);
	const char *user = ag->p->sip_user;
	const char *tp = ds_net_tp_name(ag->tp);
	char uri[160], cnonce[17];
	struct sa dst, local;
	struct mbuf *mb;
	uint32_t exp = b->op == BIND_REGISTER ? b->expires : 0;
	int err;

	err = bind_dst(b, b->server_id, &dst);
	if (err)
		return err;
	err = ds_net_local(n, &dst, sa_port(&n->laddr), &local);
	if (err)
		return err;
	if (re_snprintf(uri, sizeof(uri), "sip:%J;transport=%s", &dst, tp) < 0)
		return ENOMEM;
	(void)re_snprintf(cnonce, sizeof(cnonce), "%016llx",
			  (unsigned long long)next_rand(n));
	mb = mbuf_alloc(768);
	if (!mb)
		return ENOMEM;
	err = mbuf_printf(mb,
			  "REGISTER %s SIP/2.0\r\n"
			  "Via: SIP/2.0/%s %J;branch=z9hG4bK%016llx;rport%s\r\n"
			  "Max-Forwards: 70\r\n"
			  "To: <sip:%s@%s>\r\n"
			  "From: <sip:%s@%s>;tag=%016llx\r\n"
			  "Call-ID: %016llx.%u.%u@dualsite\r\n"
			  "CSeq: %u REGISTER\r\n",
			  uri, sip_transp_name(ag->tp), &local,
			  (unsigned long long)next_rand(n),
			  /* RFC 5923: calls come back on our TLS connection (we
			   * serve no TLS: no server certificate) */
			  ag->tp == SIP_TRANSP_TLS ? ";alias" : "",
			  user, srv->host, user, srv->host,
			  (unsigned long long)b->ftag,
			  (unsigned long long)b->callid, b->ag->index, b->proxy,
			  ++b->cseq);
	err |= ds_digest_encode(mb, &b->digest, user, "REGISTER", uri, cnonce);
	if (b->op != BIND_CHECK)
		err |= mbuf_printf(mb, "Contact: <sip:%s@%J;transport=%s;dsp=%u>;expires=%u\r\n"
				   "Expires: %u\r\n", user, &local, tp, b->proxy, exp, exp);
	err |= mbuf_write_str(mb, "User-Agent: dualsite\r\nContent-Length: 0\r\n\r\n");
	if (err) {
		mem_deref(mb);
		return ENOMEM;
	}
	mb->pos = 0;
	if (ag->tp == SIP_TRANSP_TLS)
		bind_tls_expect(b, &dst);
	err = sip_send(n->sip, NULL, ag->tp, &dst, mb);
	ds_tls_expect(n, NULL, NULL, NULL, false);
	b->pkt = mem_deref(b->pkt);
	if (!err && ag->tp == SIP_TRANSP_UDP)
		b->pkt = mem_ref(mb);
	mem_deref(mb);
	return err;
}

/* The address our Contact at the attempt's server carries (local.c). */
static void bind_contact_addr(struct net_binding *b, struct sa *local)
{
	struct ds_net *n = b->ag->net;
	struct sa dst;

	*local = n->laddr;
	if (!bind_dst(b, b->server_id, &dst))
		(void)ds_net_local(n, &dst, sa_port(&n->laddr), local);
}

/* Ends what is in flight without a word to the engine. */
static void bind_abandon(struct net_binding *b)
{
	ds_timer_cancel(&b->ag->net->timers, &b->tmr);
	b->pkt = mem_deref(b->pkt);
	b->op = BIND_NONE;
}

static void report_fail(struct net_binding *b, uint32_t seq, int code,
			uint32_t retry_after, enum ds_reason why)
{
	struct ds_input in = {
		.type = DS_IN_REG_FAIL, .proxy = b->proxy, .seq = seq,
		.code = code, .retry_after = retry_after, .why = why,
	};
	ds_net_input(b->ag, &in);
}

/* The transaction is over: forget it, then tell whoever waits. */
static void bind_finish(struct net_binding *b, int code, uint32_t retry_after,
			const struct sip_msg *msg)
{
	struct ds_net *n = b->ag->net;
	uint8_t op = b->op;
	uint32_t seq = b->seq;
	enum ds_reason why = (enum ds_reason)b->why;
	bool present = false;
	uint32_t granted;

	bind_abandon(b);

	switch ((enum bind_op)op) {
	case BIND_NONE:
		break;
	case BIND_REGISTER:
		if (code >= 200 && code < 300) {
			struct sa local;
			bind_contact_addr(b, &local);
			granted = ds_sipmsg_granted(msg, b->ag->p->sip_user, &local,
						    b->proxy, b->expires, &present);
			if (!present || granted == 0) {
				/* RFC 3261 §10.2.4: a 2xx lists the bindings the
				 * registrar holds; ours missing, or with expires 0,
				 * was not made (docs/run.md) */
				ds_log(n, "%s: proxy%u REGISTER to %s answered %d %s: not "
				       "registered (the registrar holds no binding of ours)",
				       b->ag->p->name, b->proxy, bind_server(b, b->server_id)->name,
				       code, present ? "granting expires=0 to our Contact" :
				       "without our Contact among its bindings");
				bound_set(b, b->server_id, false);
				report_fail(b, seq, code, 0, DS_R_NONE);
				break;
			}
			bound_set(b, b->server_id, true);
			struct ds_input in = {
				.type = DS_IN_REG_OK, .proxy = b->proxy, .seq = seq,
				.expires = granted,
			};
			ds_net_input(b->ag, &in);
		}
		else {
			/* unanswered, it may still have been taken: a clean
			 * stop removes it there too (unless it never went out) */
			if (code == 0 && why == DS_R_NONE)
				bound_set(b, b->server_id, true);
			report_fail(b, seq, code, retry_after, why);
		}
		break;
	case BIND_CHECK:
		if (code >= 200 && code < 300) {
			struct sa local;
			bind_contact_addr(b, &local);
			(void)ds_sipmsg_granted(msg, b->ag->p->sip_user, &local,
						b->proxy, 0, &present);
			struct ds_input in = {
				.type = DS_IN_BINDING, .proxy = b->proxy, .seq = seq,
				.present = present,
			};
			ds_net_input(b->ag, &in);
		}
		else {
			report_fail(b, seq, code, retry_after, why);
		}
		break;
	case BIND_UNREGISTER:
		if (code >= 200 && code < 300)
			bound_set(b, b->server_id, false);
		break;
	case BIND_STOP:
		/* tried once, whatever the answer: next server, or done */
		bound_set(b, b->server_id, false);
		ds_log(n, "%s: proxy%u un-REGISTER at %s %s", b->ag->p->name, b->proxy,
		       bind_server(b, b->server_id)->name,
		       code >= 200 && code < 300 ? "done" :
		       code ? "rejected" : "unanswered");
		if (bound_any(b) >= 0) {
			bind_begin(b, BIND_STOP, bound_any(b), 0, 0);
			break;
		}
		ds_net_stop_done(b->ag);
		break;
	}
}

static void send_or_hold(struct net_binding *b)
{
	int err = bind_send(b);
	struct sa dst;

	if (err == EDESTADDRREQ) {
		const struct ds_net *n = b->ag->net;
		int sbc = b->ag->sbc[b->proxy];
		const struct net_dname *d = sbc >= 0 ? &n->sbcs[sbc].dn : b->ag->ret ? NULL :
					    &n->servers[n->srv_index[b->server_id]].dn;

		/* a name whose first look-up is not over (a reload brought it):
		 * the attempt waits for it, retried by its timer until the
		 * register-timeout */
		if (d && !d->init)
			return;
		/* a failed attempt at once (reason dns), not a silent server */
		ds_log(b->ag->net, "%s: proxy%u REGISTER to %s not sent: dns: %s%s",
		       b->ag->p->name, b->proxy, bind_server(b, b->server_id)->name,
		       sbc >= 0 ? n->sbcs[sbc].dn.why : b->ag->ret ? "no address" :
		       n->servers[n->srv_index[b->server_id]].dn.why,
		       sbc >= 0 ? " (its SBC's name)" : "");
		b->why = DS_R_DNS;
		b->deadline = tmr_jiffies();
	}
	else if (err) {
		/* nothing went out: like a silent server, ends at the deadline */
		ds_log(b->ag->net, "%s: proxy%u REGISTER to %s not sent: %m",
		       b->ag->p->name, b->proxy, bind_server(b, b->server_id)->name, err);
		if (err != ENOMEM && !bind_dst(b, b->server_id, &dst))
			ds_net_send_failed(b->ag->net, "REGISTER", &dst, err);
	}
}

/* Retransmission (UDP) or the deadline, whichever comes first. */
static void bind_tmr_h(void *arg)
{
	struct net_binding *b = arg;
	struct ds_net *n = b->ag->net;
	uint64_t now = tmr_jiffies(), next;

	if (now >= b->deadline) {
		int sbc = b->ag->sbc[b->proxy];

		if (b->why == DS_R_NONE) {
			ds_log(n, "%s: proxy%u REGISTER to %s: no final answer within "
			       "register-timeout", b->ag->p->name, b->proxy,
			       bind_server(b, b->server_id)->name);
			/* through an SBC named by SRV: its next target */
			if (sbc >= 0 && n->sbcs[sbc].named)
				(void)ds_dns_next_target(&n->sbcs[sbc].dn, b->sbc_gen);
		}
		bind_finish(b, 0, 0, NULL);
		return;
	}
	if (b->pkt) {
		struct sa dst;

		/* a retransmission: the same bytes to the same place */
		b->pkt->pos = 0;
		if (!bind_dst(b, b->server_id, &dst))
			(void)sip_send(n->sip, NULL, SIP_TRANSP_UDP, &dst, b->pkt);
	}
	else {
		send_or_hold(b);   /* nothing went out yet: try again */
	}
	b->rto = b->rto * 2 > SIP_T2 ? SIP_T2 : b->rto * 2;
	next = now + b->rto;
	(void)ds_timer_start(&n->timers, &b->tmr,
			     (next < b->deadline ? next : b->deadline) - now, bind_tmr_h, b);
}

/* (Re)starts the retransmission clock after a request went out. */
static void arm(struct net_binding *b)
{
	struct ds_net *n = b->ag->net;
	uint64_t now = tmr_jiffies(), next = b->deadline;

	if (b->ag->tp == SIP_TRANSP_UDP) {
		b->rto = SIP_T1;
		if (now + b->rto < next)
			next = now + b->rto;
	}
	(void)ds_timer_start(&n->timers, &b->tmr, next > now ? next - now : 0,
			     bind_tmr_h, b);
}

/* How a server challenges, said once per server and whenever it changes:
 * what an operator checks first when a registration is refused. */
static void auth_say(struct net_binding *b)
{
	struct ds_net *n = b->ag->net;
	int si = b->ag->ret ? -1 : n->srv_index[b->server_id];
	const struct ds_digest *d = &b->digest;
	int sig = 1 + d->alg * 4 + d->qop * 2 + d->proxy;

	if (si < 0 || n->servers[si].auth_sig == sig)
		return;
	n->servers[si].auth_sig = sig;
	ds_log(n, "server %s challenges with digest %s, %s (%s), realm \"%s\"",
	       bind_server(b, b->server_id)->name, ds_digest_alg_name(d->alg),
	       d->qop ? "qop=auth" : "no qop", d->proxy ? "407 Proxy-Authenticate" :
	       "401 WWW-Authenticate", d->realm);
}

static void bind_answer(struct net_binding *b, const struct sip_msg *msg)
{
	uint16_t sc = msg->scode;

	if (sc < 200)
		return;
	if (sc == 401 || sc == 407) {
		const char *why = "";
		int e;

		if (b->auth_cseq && msg->cseq.num < b->auth_cseq)
			return;   /* the challenge we answered, to a retransmission */
		if (!b->challenges) {
			b->challenges = 1;
			e = ds_digest_challenge(&b->digest, msg, b->ag->p->sip_user,
						b->ag->password ? b->ag->password : "");
			if (!e) {
				auth_say(b);
				b->auth_cseq = b->cseq + 1;
				send_or_hold(b);
				arm(b);
				return;
			}
			why = e == ENOTSUP ? " (a challenge dualsite cannot answer: only "
					     "digest MD5, MD5-sess, SHA-256 or SHA-256-sess, "
					     "with qop auth or none)" :
			      e == EPROTO ? " (without a usable digest challenge)" : "";
		}
		/* challenged again with our answer (wrong credentials), or a
		 * challenge we cannot answer */
		ds_digest_reset(&b->digest);
		ds_log(b->ag->net, "%s: proxy%u REGISTER to %s rejected: %u %r%s",
		       b->ag->p->name, b->proxy, bind_server(b, b->server_id)->name,
		       sc, &msg->reason, why);
	}
	else if (sc >= 300) {
		ds_log(b->ag->net, "%s: proxy%u REGISTER to %s answered %u %r",
		       b->ag->p->name, b->proxy, bind_server(b, b->server_id)->name,
		       sc, &msg->reason);
	}
	bind_finish(b, sc, sc == 503 ? ds_sipmsg_retry_after(msg) : 0, msg);
}

/* Every answer to a REGISTER of ours: "RANDOM.AGENT.PROXY@dualsite" names
 * the binding; anything else is left to libre's other listeners. */
static bool resp_listen_h(const struct sip_msg *msg, void *arg)
{
	struct ds_net *n = arg;
	struct net_binding *b;
	uint64_t rnd;
	uint32_t a, p;

	if (pl_strcmp(&msg->cseq.met, "REGISTER"))
		return false;
	if (ds_sipmsg_callid_parse(&msg->callid, &rnd, &a, &p))
		return false;
	if (a >= n->n_ids || !n->by_id[a] || p > 1)
		return true;
	b = &n->by_id[a]->bind[p];
	if (rnd != b->callid)
		return true;          /* not one of ours after all: drop it */
	if (b->op == BIND_NONE || msg->cseq.num < b->first_cseq ||
	    msg->cseq.num > b->cseq)
		return true;          /* late: an attempt already over */
	bind_answer(b, msg);
	return true;
}

static void tls_failed(struct net_agent *ag, const struct sa *dst, const char *why)
{
	if (ag->tp != SIP_TRANSP_TLS)
		return;
	for (int p = 0; p < 2; p++) {
		struct net_binding *b = &ag->bind[p];
		struct sa d;

		if (b->op == BIND_NONE || bind_dst(b, b->server_id, &d) ||
		    !sa_cmp(&d, dst, SA_ALL))
			continue;
		ds_log(ag->net, "%s: proxy%u %s to %s failed: tls: %s", ag->p->name, b->proxy,
		       b->op == BIND_STOP || b->op == BIND_UNREGISTER ? "un-REGISTER" :
		       "REGISTER", bind_server(b, b->server_id)->name, why);
		b->why = DS_R_TLS;
		bind_finish(b, 0, 0, NULL);
	}
}

void ds_reg_tls_failed(struct ds_net *n, const struct sa *dst, const char *why)
{
	struct le *le = n->retiring.head;

	for (size_t i = 0; i < n->n_agents; i++)
		tls_failed(n->agents[i], dst, why);
	while (le) {   /* a retiring copy's un-REGISTERs (reload.c) */
		struct net_agent *c = le->data;

		le = le->next;   /* its end may free it */
		tls_failed(c, dst, why);
	}
}

int ds_reg_listen(struct ds_net *n)
{
	n->rng = rand_u64() | 1;   /* xorshift's state must not be 0 */
	return sip_listen(&n->reg_lsnr, n->sip, false, resp_listen_h, n);
}

static void bind_begin(struct net_binding *b, enum bind_op op, int server_id,
		       uint32_t seq, uint32_t expires)
{
	bind_abandon(b);
	b->op = (uint8_t)op;
	b->seq = seq;
	b->expires = expires;
	b->server_id = server_id;
	b->challenges = 0;
	b->auth_cseq = 0;
	b->first_cseq = b->cseq + 1;
	b->why = DS_R_NONE;
	b->sbc_gen = b->ag->sbc[b->proxy] >= 0 ? b->ag->net->sbcs[b->ag->sbc[b->proxy]].dn.gen : 0;
	b->deadline = tmr_jiffies() + (uint64_t)b->ag->net->pc.register_timeout_ms;
	send_or_hold(b);
	arm(b);
}

int ds_binding_init(struct net_binding *b, struct net_agent *ag, int proxy)
{
	memset(b, 0, sizeof(*b));
	b->ag = ag;
	b->proxy = (uint8_t)proxy;
	b->bound[0] = b->bound[1] = -1;
	b->server_id = -1;
	b->callid = rand_u64();
	b->ftag = rand_u64();
	b->cseq = rand_u16();
	ds_timer_init(&b->tmr);
	return 0;
}

void ds_binding_close(struct net_binding *b)
{
	if (!b->ag)
		return;
	ds_timer_cancel(&b->ag->net->timers, &b->tmr);
	b->pkt = mem_deref(b->pkt);
	ds_digest_reset(&b->digest);
}

void ds_binding_action(struct net_binding *b, const struct ds_action *a)
{
	switch (a->type) {
	case DS_ACT_REGISTER:
		bind_begin(b, BIND_REGISTER, a->server_id, a->seq, a->expires);
		break;
	case DS_ACT_CHECK_BINDING:
		bind_begin(b, BIND_CHECK, a->server_id, a->seq, 0);
		break;
	case DS_ACT_UNREGISTER:
		bind_begin(b, BIND_UNREGISTER, a->server_id, a->seq, 0);
		break;
	case DS_ACT_CANCEL:
		bind_abandon(b);
		break;
	case DS_ACT_DROP_CALL:
		break;
	}
}

bool ds_binding_stop(struct net_binding *b)
{
	int target;

	/* a REGISTER in flight may yet create a binding there */
	if (b->op == BIND_REGISTER)
		bound_set(b, b->server_id, true);
	target = bound_any(b);
	if (target < 0) {
		bind_abandon(b);
		return false;
	}
	bind_begin(b, BIND_STOP, target, 0, 0);
	return true;
}
