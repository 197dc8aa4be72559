/* The driver at run time: engine inputs and outputs, per-agent wake-ups,
 * events, and the clean stop.
 *
 * The engine decides, the driver does. Time is milliseconds since start
 * (tmr_jiffies() - t0). Each agent has one libre timer, re-armed after every
 * input to ds_engine_next_wakeup(). The engine's actions run synchronously
 * in its sink but never feed an input back from there: every answer arrives
 * later from the loop (a failure to send is held until register-timeout).
 *
 * Clean stop (SIGTERM/SIGINT): no more decisions, calls are ended (BYE),
 * every binding we believe the registrar holds (or that a REGISTER in flight
 * may create) gets REGISTER Expires: 0 on its own Call-ID and next CSeq, and
 * the stop completes when all are answered or at register-timeout (at most
 * 5 s). The loop is ended from a timer, never from the signal handler. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "net_priv.h"

/* The stop's un-REGISTERs go out in batches: a burst of twenty thousand
 * requests would overflow the registrar's (and our own) UDP receive buffer
 * while the loop is busy sending; 50 agents per 10 ms is 10,000 requests/s
 * at most, within what one Kamailio answers (about 12,000 REGISTER/s on
 * loopback here: bench/RESULTS.md). */
enum { STOP_DEADLINE_MAX_MS = 5000, STOP_BATCH = 50, STOP_STEP_MS = 10 };

int64_t ds_net_now(const struct ds_net *n)
{
	return n->t0 ? (int64_t)(tmr_jiffies() - n->t0) : 0;
}

int ds_net_listen_text(const struct ds_net *n, char *buf, size_t sz)
{
	return re_snprintf(buf, sz, "%J", &n->laddr);
}

uint16_t ds_net_up_mask(const struct ds_net *n, const struct net_agent *ag)
{
	uint16_t m = 0;

	for (int s = 0; s < DS_SLOT_COUNT; s++) {
		int id = ag->conf.server_id[s];
		if (id >= 0 && n->srv_index[id] >= 0 &&
		    n->servers[n->srv_index[id]].health.up)
			m |= (uint16_t)(1u << s);
	}
	return m;
}

uint16_t ds_net_unknown_mask(const struct ds_net *n, const struct net_agent *ag)
{
	uint16_t m = 0;

	for (int s = 0; s < DS_SLOT_COUNT; s++) {
		int id = ag->conf.server_id[s];
		if (id >= 0 && n->srv_index[id] >= 0 && !n->servers[n->srv_index[id]].known)
			m |= (uint16_t)(1u << s);
	}
	return m;
}

static void agent_tmr_h(void *arg);

static void agent_rearm(struct net_agent *ag)
{
	struct ds_net *n = ag->net;
	int64_t w, now;

	if (n->stopping || !ag->eng) {
		ds_timer_cancel(&n->timers, &ag->tmr);
		return;
	}
	w = ds_engine_next_wakeup(ag->eng);
	if (w == DS_NEVER) {
		ds_timer_cancel(&n->timers, &ag->tmr);
		return;
	}
	now = ds_net_now(n);
	(void)ds_timer_start(&n->timers, &ag->tmr, w > now ? (uint64_t)(w - now) : 0,
			     agent_tmr_h, ag);
}

void ds_net_input(struct net_agent *ag, struct ds_input *in)
{
	struct ds_net *n = ag->net;

	if (n->stopping || !ag->eng)
		return;
	in->t = ds_net_now(n);
	ds_metrics_input(n, in);
	ds_engine_input(ag->eng, in);
	ds_metrics_agent(n, ag);
	agent_rearm(ag);
}

static void agent_tmr_h(void *arg)
{
	struct net_agent *ag = arg;
	struct ds_input in = {.type = DS_IN_TIMER};

	ds_net_input(ag, &in);
}

void ds_net_servers_changed(struct ds_net *n, const bool *changed)
{
	uint8_t *mark = calloc(n->n_agents ? n->n_agents : 1, 1);

	if (!mark) {
		ds_log(n, "out of memory while applying probe results");
		return;
	}
	for (size_t i = 0; i < n->n_servers; i++) {
		if (!changed[i])
			continue;
		for (uint32_t k = 0; k < n->servers[i].n_agents; k++)
			mark[n->servers[i].agents[k]] = 1;
	}
	/* each agent once, with every change of this instant in its mask */
	for (size_t a = 0; a < n->n_agents; a++) {
		struct net_agent *ag = n->agents[a];
		struct ds_input in = {.type = DS_IN_SERVERS};

		if (!mark[a])
			continue;
		in.up_mask = ds_net_up_mask(n, ag);
		in.unknown_mask = ds_net_unknown_mask(n, ag);
		ds_net_input(ag, &in);
	}
	free(mark);
}

/* The likely cause of a registration that never succeeded, for the log. */
static const char *reg_hint(const struct ds_event *ev)
{
	if (ev->type != DS_EV_REGISTRATION_FAILED)
		return "";
	if (ev->reason == DS_R_REJECTED && (ev->code == 401 || ev->code == 403 || ev->code == 407))
		return ": check the SIP user and password";
	if (ev->reason == DS_R_REJECTED && ev->code == 404)
		return ": the registrar does not know this SIP user; check sip.user";
	if (ev->reason == DS_R_TIMEOUT)
		return ": no answer; is the registrar reachable from the listen address?";
	return "";
}

static void emit_event(struct net_agent *ag, const struct ds_event *ev)
{
	struct ds_net *n = ag->net;

	if (ev->type == DS_EV_CALL_START) {   /* for the control view */
		ag->call_since = ev->t;
		ag->call_site = ev->site;
	}
	ds_metrics_event(n, ag, ev);
	if (n->nc.events) {
		if (ds_event_line(ev, &ag->conf, true, &n->line, &n->line_cap) >= 0)
			ds_evout_line(n, n->line);
		else
			ds_log(n, "events: out of memory, one %s event of %s not written",
			       ds_event_name(ev->type), ag->p->name);
	}
	if (ds_event_line(ev, &ag->conf, false, &n->line, &n->line_cap) >= 0)
		ds_log(n, "%s: %s%s", ag->p->name, n->line, reg_hint(ev));
	if (n->nc.eventh)
		n->nc.eventh(ev, &ag->conf, n->nc.arg);
	ds_net_notify_changed(n);
}

static void sink_h(const struct ds_action *act, const struct ds_event *ev, void *arg)
{
	struct net_agent *ag = arg;

	if (ev) {
		emit_event(ag, ev);
		return;
	}
	if (!act || ag->net->stopping)
		return;
	switch (act->type) {
	case DS_ACT_REGISTER:
	case DS_ACT_UNREGISTER:
	case DS_ACT_CHECK_BINDING:
	case DS_ACT_CANCEL:
		if (act->proxy == 0 || act->proxy == 1)
			ds_binding_action(&ag->bind[act->proxy], act);
		break;
	case DS_ACT_DROP_CALL:
		ds_call_drop(ag);
		break;
	}
}

static void print_start(struct ds_net *n)
{
	char addr[64];

	ds_net_listen_text(n, addr, sizeof(addr));
	ds_log(n, "dualsite run: %zu agent%s, %zu server%s, seed %llu, listening on "
	       "%s (udp, tcp)", n->n_agents, n->n_agents == 1 ? "" : "s",
	       n->n_servers, n->n_servers == 1 ? "" : "s",
	       (unsigned long long)n->nc.seed, addr);
	if (!n->nc.listen)
		ds_log(n, "no --listen: every interface, %s; Via and Contact carry the "
		       "local address that reaches each server%s",
		       sa_port(&n->laddr) == 5060 ? "port 5060" :
		       "the first free port above 5060 (5060 is in use)",
		       sa_isset(&n->advertise, SA_ADDR) ? " (but --advertise is set)" : "");
	if (sa_isset(&n->advertise, SA_ADDR)) {
		struct sa adv = n->advertise;
		if (!sa_port(&adv))
			sa_set_port(&adv, sa_port(&n->laddr));
		ds_log(n, "--advertise: Via and Contact carry %J", &adv);
	}
	ds_log(n, "probes: every %lld ms, timeout %lld ms, down after %u failures; "
	       "register-timeout %lld ms", (long long)n->pc.interval_ms,
	       (long long)n->pc.timeout_ms, n->pc.failures,
	       (long long)n->pc.register_timeout_ms);
	for (size_t i = 0; i < n->n_servers; i++) {
		const struct net_server *s = &n->servers[i];
		char at[128];
		if (s->dn.srv_name)
			re_snprintf(at, sizeof(at), "%s (a name without a port: SRV %s)",
				    s->s->host, s->dn.srv_name);
		else if (s->named)
			re_snprintf(at, sizeof(at), "%s:%u (a name: DNS)", s->s->host, s->s->port);
		else
			re_snprintf(at, sizeof(at), "%J", &s->addr);
		ds_log(n, "server %s: %s at %s, site %s, probed by %s, %u agent%s",
		       s->s->name, ds_kind_name(s->s->kind), at,
		       s->s->site ? s->s->site : "(none)",
		       s->probe_tcp ? "TCP connect" :
		       s->probe_tp == SIP_TRANSP_TCP ? "OPTIONS/tcp" :
		       s->probe_tp == SIP_TRANSP_TLS ? "OPTIONS/tls" : "OPTIONS/udp",
		       s->n_agents, s->n_agents == 1 ? "" : "s");
	}
	/* one line per agent is fine for a few; a fleet gets a summary */
	for (size_t i = 0; i < n->n_agents && i < 20; i++) {
		const struct net_agent *ag = n->agents[i];
		ds_log(n, "agent %s: sip user %s over %s, proxy0 %s, proxy1 %s%s",
		       ag->p->name, ag->p->sip_user, ds_net_tp_name(ag->tp),
		       ag->conf.site_name[0] ? ag->conf.site_name[0] : "-",
		       ag->conf.site_name[1] ? ag->conf.site_name[1] : "-",
		       ag->conf.bc_enabled ? "" : " (BC off)");
	}
	if (n->n_agents > 20)
		ds_log(n, "... and %zu more agents", n->n_agents - 20);
}

int ds_net_agent_start(struct ds_net *n, struct net_agent *ag, int64_t t0)
{
	int err = ds_engine_alloc(&ag->eng, &ag->conf,
				  ds_engine_seed(n->nc.seed, ag->p->name), t0,
				  sink_h, ag);

	if (err) {
		ds_log(n, "agent %s: cannot start its engine: %m", ag->p->name, err);
		return err;
	}
	ds_metrics_agent(n, ag);
	agent_rearm(ag);
	return 0;
}

int ds_net_start(struct ds_net *n)
{
	int err;

	if (!n || n->started)
		return EINVAL;
	n->t0 = tmr_jiffies();
	if (n->t0 == 0)
		n->t0 = 1;   /* 0 means "not started" */
	ds_log_set_t0(n->t0);
	n->started = true;
	print_start(n);
	ds_metrics_init(n);

	for (size_t i = 0; i < n->n_agents; i++) {
		err = ds_net_agent_start(n, n->agents[i], 0);
		if (err)
			return err;
	}
	ds_log(n, "%zu agent%s started", n->n_agents, n->n_agents == 1 ? "" : "s");
	err = ds_dns_start(n);   /* starts the probes once names are looked up */
	if (!err)
		err = ds_uas_start(n);   /* after every other listener */
	return err;
}

static void stop_finish_h(void *arg)
{
	struct ds_net *n = arg;
	ds_net_stop_h *h = n->stoph;

	if (n->stop_finished)
		return;
	n->stop_finished = true;
	tmr_cancel(&n->stop_step_tmr);
	tmr_cancel(&n->stop_deadline_tmr);
	if (n->stop_pending || n->stop_cursor < n->n_agents || !list_isempty(&n->retiring))
		ds_log(n, "stop: deadline passed with %u un-REGISTER%s unanswered "
		       "(%u sent, %zu of %zu agents done)", n->stop_pending,
		       n->stop_pending == 1 ? "" : "s", n->stop_sent,
		       n->stop_cursor, n->n_agents);
	else
		ds_log(n, "stop: every binding removed (%u un-REGISTER%s)",
		       n->stop_sent, n->stop_sent == 1 ? "" : "s");
	n->stoph = NULL;
	if (h)
		h(n->stop_arg);
}

static void stop_maybe_done(struct ds_net *n)
{
	if (n->stopping && !n->stop_finished && n->stop_pending == 0 &&
	    n->stop_cursor >= n->n_agents && list_isempty(&n->retiring))
		tmr_start(&n->stop_tmr, 0, stop_finish_h, n);
}

void ds_net_stop_done(struct net_agent *ag)
{
	struct ds_net *n = ag->net;

	if (ag->ret) {
		/* freed from a timer: we are inside its binding's answer */
		if (ag->ret_pending && !--ag->ret_pending)
			tmr_start(&n->reap_tmr, 0, ds_reload_reap_h, n);
		return;
	}
	if (n->stop_pending)
		n->stop_pending--;
	stop_maybe_done(n);
}

void ds_net_retired_gone(struct ds_net *n)
{
	stop_maybe_done(n);
}

static void stop_step_h(void *arg)
{
	struct ds_net *n = arg;
	size_t end = n->stop_cursor + STOP_BATCH;

	if (end > n->n_agents)
		end = n->n_agents;
	for (; n->stop_cursor < end; n->stop_cursor++)
		for (int p = 0; p < 2; p++)
			if (ds_binding_stop(&n->agents[n->stop_cursor]->bind[p])) {
				n->stop_pending++;
				n->stop_sent++;
			}
	if (n->stop_cursor < n->n_agents) {
		tmr_start(&n->stop_step_tmr, STOP_STEP_MS, stop_step_h, n);
		return;
	}
	stop_maybe_done(n);
}

void ds_net_stop(struct ds_net *n, ds_net_stop_h *stoph, void *arg)
{
	int64_t deadline;

	if (!n || n->stopping)
		return;
	n->stopping = true;
	ds_net_notify_stopping(n);
	n->stoph = stoph;
	n->stop_arg = arg;
	ds_probe_stop(n);
	ds_dns_stop(n);
	for (size_t i = 0; i < n->n_agents; i++)
		ds_timer_cancel(&n->timers, &n->agents[i]->tmr);
	ds_call_close_all(n);

	n->stop_pending = n->stop_sent = 0;
	n->stop_cursor = 0;
	deadline = n->pc.register_timeout_ms;
	if (deadline <= 0 || deadline > STOP_DEADLINE_MAX_MS)
		deadline = STOP_DEADLINE_MAX_MS;
	ds_log(n, "stop: removing bindings (deadline %lld ms)", (long long)deadline);
	tmr_start(&n->stop_deadline_tmr, (uint64_t)deadline, stop_finish_h, n);
	stop_step_h(n);
}

/* ds_net_main(): the CLI's loop with its signal policy. */
static struct ds_net *main_net;
static int main_signals;
static bool main_forced;
static uint64_t main_first_signal;

/* One act often delivers a signal twice (`timeout`, a kill of the process
 * group and of the process): a repeat this close to the first is not an
 * operator asking for an immediate exit. */
enum { SIGNAL_REPEAT_MS = 200 };

static void main_stop_h(void *arg)
{
	(void)arg;
	re_cancel();
}

/* What a signal means, in the loop (not in the signal handler). */
static void on_signal(int sig)
{
	if (!main_net)
		return;
	if (sig == SIGHUP) {
		int err = ds_net_reload_start(main_net, NULL, NULL);   /* logged there */

		if (err)
			ds_log(main_net, "SIGHUP: no reload: %s", err == EBUSY ? "stopping" :
			       err == ENOTSUP ? "no configuration file to read" : strerror(err));
		return;
	}
	if (sig == SIGUSR1) {
		ds_metrics_summary(main_net);
		return;
	}
	if (++main_signals == 1) {
		main_first_signal = tmr_jiffies();
		ds_log(main_net, "signal %d: stopping cleanly (a second signal exits at once)",
		       sig);
		ds_net_stop(main_net, main_stop_h, NULL);
		return;
	}
	if (tmr_jiffies() - main_first_signal < SIGNAL_REPEAT_MS) {
		ds_log(main_net, "signal %d repeated within %d ms: taken as the same stop",
		       sig, SIGNAL_REPEAT_MS);
		main_signals = 1;
		return;
	}
	ds_log(main_net, "signal %d again: exiting now", sig);
	main_forced = true;
	re_cancel();
}

/* libre 1.1.0 calls re_main's handler inside the signal handler, where
 * logging, allocating or touching timers is unsafe: the handler only writes
 * the signal's number to a pipe, which the loop reads (the self-pipe). */
static int sig_pipe[2] = {-1, -1};

static void main_signal_h(int sig)
{
	int e = errno;
	unsigned char c = (unsigned char)sig;

	if (write(sig_pipe[1], &c, 1) < 0) {
		/* a full pipe already holds enough signals to act on */
	}
	errno = e;
}

static void sig_pipe_h(int flags, void *arg)
{
	unsigned char c;
	(void)flags;
	(void)arg;

	while (read(sig_pipe[0], &c, 1) == 1)
		on_signal(c);
}

int ds_net_main(struct ds_net *n)
{
	struct sigaction sa, old_hup, old_usr1;
	int err;

	main_net = n;
	main_signals = 0;
	main_forced = false;
	if (pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC)) {
		err = errno;
		ds_log(n, "cannot make the signal pipe: %m", err);
		return 1;
	}
	err = fd_listen(sig_pipe[0], FD_READ, sig_pipe_h, NULL);
	/* re_main() catches SIGINT and SIGTERM; SIGHUP's default would kill
	 * us; SIGUSR1 (a status summary) comes through the same pipe */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_signal_h;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (!err && sigaction(SIGHUP, &sa, &old_hup))
		err = errno;
	if (!err && sigaction(SIGUSR1, &sa, &old_usr1))
		err = errno;
	ds_net_notify_open(n);
	ds_net_notify_ready(n);
	ds_log_hold(true);
	if (!err)
		err = re_main(main_signal_h);
	ds_log_hold(false);
	ds_net_notify_close(n);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGUSR1, &old_usr1, NULL);
	fd_close(sig_pipe[0]);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
	main_net = NULL;
	if (err) {
		ds_log(n, "event loop failed: %m", err);
		return 1;
	}
	return main_forced ? 1 : 0;
}
