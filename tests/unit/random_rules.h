/* The rules of docs/behaviour.md §3.2 as checks on one simulated run, for test_random.c.
 *
 * Each rule is checked both ways: nothing happens before its time (the lower
 * bound, checked when the event or action happens) and what must happen
 * does happen by its deadline (the upper bound, checked after every engine
 * step and once at the end). Times are those of the engine's inputs: the
 * checker mirrors what the engine was told (the probes' up/down view, the
 * answers to its REGISTERs), so a bound is exact up to the random delay
 * (dualsite.random-delay-range, R below), not loosened by the probe budget.
 * A move "to an available site" is checked where the engine's own view says
 * the site is available: its pair up and, for sip in dual mode, the agent
 * registered there (ds_engine_registered). Single registration mode adds a
 * REGISTER before each move; where that makes a deadline depend on the
 * registrar's answers, the upper bound is checked in dual mode only.
 *
 * "Mutation check" (how this was shown to test something): each rule was
 * broken in turn in a scratch copy of src/engine and this test run alone
 * (build/tests/test_random); the list of mutations and the check that
 * caught each is in the header of test_random.c. */
#ifndef DS_TEST_RANDOM_RULES_H
#define DS_TEST_RANDOM_RULES_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dualsite/sim.h"

#define NEVER INT64_MAX
#define LONG_AGO (INT64_MIN / 4)

enum { ST_CONN = DS_CONN_CONNECTED, ST_LOST = DS_CONN_LOST, ST_OOS = DS_CONN_OUT_OF_SERVICE };

struct rules {
	const struct ds_engine_conf *cf;
	const struct ds_sim *sim;
	int64_t R;                 /* random-delay-range, ms */
	int64_t budget;            /* probe budget, ms */
	int64_t reg_timeout;       /* register-timeout, ms */
	uint16_t exist, view;      /* the servers; which the engine was told are up */
	int64_t now;
	/* connections, as the events told them */
	int st[DS_KIND_COUNT], site[DS_KIND_COUNT];
	int64_t lost_at[DS_KIND_COUNT];      /* connection-lost */
	int64_t conn_since[DS_KIND_COUNT];   /* connected (any way) since */
	int64_t peer_since[DS_KIND_COUNT];   /* on the peer site since (connected or lost there) */
	int64_t ready_since[DS_KIND_COUNT];  /* the preferred site available without a break since */
	bool suspended[DS_KIND_COUNT];       /* auto-restore, by a manual switchover */
	bool pref_lost[DS_KIND_COUNT];
	int64_t lifted_at[DS_KIND_COUNT];
	/* registrations */
	bool out[2];               /* a REGISTER or binding check awaits its answer */
	int out_type[2], out_slot[2];
	uint32_t out_seq[2];
	int64_t fail_at[2];        /* the last failure or loss while not bound */
	int64_t fail_wait[2];      /* reregister_in_seconds (or a longer Retry-After) */
	bool fresh[2];             /* since then: the pair was down, or the attempt is a first one */
	int64_t reg_due[2];        /* a REGISTER must be sent by then (NEVER: none due) */
	int64_t bound_at[2];
	int64_t granted[2];        /* ms */
	int bound_slot[2];
	int64_t unbound_since[2];  /* the registration lost (or failing) since */
	/* calls and operators */
	bool in_call;
	int call_site;
	int64_t last_call_end;
	int64_t manual_at;
	int manual_due;            /* -1, or the site a manual move must reach in this step */
	bool drained[2];           /* by the operator (docs/behaviour.md §8): not available */
	char failure[256];
};

static void rule_fail(struct rules *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rule_fail(struct rules *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->failure[0])
		return;
	n = snprintf(r->failure, sizeof(r->failure), "t=%lld.%03lld: ",
		     (long long)(r->now / 1000), (long long)(r->now % 1000));
	va_start(ap, fmt);
	vsnprintf(r->failure + n, sizeof(r->failure) - (size_t)n, fmt, ap);
	va_end(ap);
}

static bool pair_view(const struct rules *r, int k, int s)
{
	return (r->view & r->exist & (3u << DS_SLOT(k, s, 0))) != 0;
}

static bool rules_dual(const struct rules *r)
{
	return !r->cf->single_mode || !r->cf->bc_enabled;
}

static bool registered(const struct rules *r, int p)
{
	const struct ds_engine *e = ds_sim_engine(r->sim);

	return e && ds_engine_registered(e, p);
}

static bool reg_used(const struct rules *r, int p)
{
	return r->cf->reg_expires[p] > 0 && r->cf->server_id[DS_SLOT(DS_KIND_SIP, p, 0)] >= 0 &&
	       (r->cf->bc_enabled || p == 0);
}

/* The engine's view of a site being able to take a connection now (dual
 * mode; in single mode a sip move registers first, so only the pair counts). */
static bool available(const struct rules *r, int k, int s)
{
	if (r->drained[s] || !pair_view(r, k, s))
		return false;
	if (k != DS_KIND_SIP || r->cf->reg_expires[s] == 0 || !rules_dual(r))
		return true;
	return registered(r, s);
}

/* What the restore hold-down watches (a drained preferred site is not
 * ready: the hold-down runs from the undrain). */
static bool pref_ready(const struct rules *r, int k)
{
	return available(r, k, 0);
}

static void track_ready(struct rules *r)
{
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		if (!pref_ready(r, k))
			r->ready_since[k] = NEVER;
		else if (r->ready_since[k] == NEVER)
			r->ready_since[k] = r->now;
	}
}

static int64_t max3(int64_t a, int64_t b, int64_t c)
{
	int64_t m = a > b ? a : b;

	return m > c ? m : c;
}

static void rules_init(struct rules *r, const struct ds_sim *sim, const struct ds_probe_conf *pc)
{
	memset(r, 0, sizeof(*r));
	r->sim = sim;
	r->cf = ds_sim_conf(sim);
	r->R = r->cf->random_range_ms;
	r->budget = (int64_t)pc->failures * pc->interval_ms + pc->timeout_ms;
	r->reg_timeout = pc->register_timeout_ms;
	for (int s = 0; s < DS_SLOT_COUNT; s++)
		if (r->cf->server_id[s] >= 0)
			r->exist |= (uint16_t)(1u << s);
	r->view = r->exist;
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		r->st[k] = ST_OOS;
		r->site[k] = -1;
		r->lost_at[k] = r->conn_since[k] = r->lifted_at[k] = LONG_AGO;
		r->peer_since[k] = r->ready_since[k] = NEVER;
	}
	for (int p = 0; p < 2; p++) {
		r->fail_at[p] = r->bound_at[p] = LONG_AGO;
		r->unbound_since[p] = LONG_AGO;
		r->fresh[p] = true;
		/* the first attempt comes at start, plus the random delay */
		r->reg_due[p] = reg_used(r, p) ? r->R : NEVER;
	}
	r->call_site = -1;
	r->last_call_end = r->manual_at = LONG_AGO;
	r->manual_due = -1;
}

/* ---- what the engine was told ---- */

static void rules_step(struct rules *r, int64_t t, bool after);

static void rules_input(struct rules *r, const struct ds_input *in)
{
	int p = in->proxy;

	/* Nothing changed since the last step but the time: a deadline that
	 * fell in between was missed (the engine did not wake up for it). */
	rules_step(r, in->t, false);
	r->now = in->t;
	switch (in->type) {
	case DS_IN_SERVERS: {
		uint16_t was = r->view;

		r->view = in->up_mask & r->exist;
		for (int q = 0; q < 2; q++) {
			bool before = (was & r->exist & (3u << DS_SLOT(DS_KIND_SIP, q, 0))) != 0;
			bool after = pair_view(r, DS_KIND_SIP, q);

			if (before && !after) {       /* the engine forgets any attempt */
				r->fresh[q] = true;
				r->out[q] = false;
				r->reg_due[q] = NEVER;
			} else if (!before && after && reg_used(r, q)) {
				r->reg_due[q] = r->now + r->R; /* registered at again at once */
			}
		}
		/* a manual switchover is lifted when the preferred site is
		 * lost and comes back */
		for (int k = 0; k < DS_KIND_COUNT; k++) {
			if (!r->suspended[k])
				continue;
			if (!pair_view(r, k, 0)) {
				r->pref_lost[k] = true;
			} else if (r->pref_lost[k]) {
				r->suspended[k] = false;
				r->lifted_at[k] = r->now;
			}
		}
		return;
	}
	case DS_IN_REG_OK:
	case DS_IN_REG_FAIL:
	case DS_IN_BINDING:
		if (p < 0 || p > 1 || !r->out[p] || in->seq != r->out_seq[p])
			return; /* stale: the engine ignores it */
		r->out[p] = false;
		if (in->type == DS_IN_REG_OK && r->out_type[p] == DS_ACT_REGISTER) {
			r->bound_at[p] = r->now;
			r->granted[p] = (int64_t)(in->expires ? in->expires : r->cf->reg_expires[p]) * 1000;
			r->bound_slot[p] = r->out_slot[p];
			r->fail_at[p] = LONG_AGO;
			/* the refresh falls due at half the expiry granted */
			r->reg_due[p] = r->now + r->granted[p] / 2;
			return;
		}
		if (in->type == DS_IN_BINDING && in->present)
			return;
		if (in->type == DS_IN_REG_OK)
			return;
		r->fail_at[p] = r->now;
		r->fresh[p] = false;
		r->fail_wait[p] = r->cf->reregister_ms[p];
		if (in->type == DS_IN_REG_FAIL && (int64_t)in->retry_after * 1000 > r->fail_wait[p])
			r->fail_wait[p] = (int64_t)in->retry_after * 1000;
		r->reg_due[p] = r->now + r->fail_wait[p] + r->R;
		return;
	case DS_IN_CALL_START:
	case DS_IN_CALL_END:
	case DS_IN_TIMER:
	case DS_IN_REREGISTER:   /* not generated: a driver's reload */
		return;
	case DS_IN_MANUAL_SWITCHOVER:
	case DS_IN_MANUAL_RESTORE: {
		bool restore = in->type == DS_IN_MANUAL_RESTORE;

		if (!r->cf->bc_enabled)
			return;
		r->manual_at = r->now;
		for (int k = 0; k < DS_KIND_COUNT; k++) {
			r->suspended[k] = !restore;
			r->pref_lost[k] = !pair_view(r, k, 0);
		}
		/* the move is made at once where the target can take it */
		r->manual_due = restore ? 0 : 1;
		return;
	}
	case DS_IN_DRAIN:
	case DS_IN_UNDRAIN:
		if (in->site == 0 || in->site == 1)
			r->drained[in->site] = in->type == DS_IN_DRAIN;
		track_ready(r);
		return;
	}
}

/* ---- what the engine asked for ---- */

/* Proxy p's registration wanted without a break since t: always in dual
 * mode; in single mode while the sip connection stays at site p (a site
 * no longer wanted forgets its retry schedule: its next attempt is a first). */
static bool wanted_since(const struct rules *r, int p, int64_t t)
{
	if (rules_dual(r))
		return true;
	return r->site[DS_KIND_SIP] == p && r->st[DS_KIND_SIP] != ST_OOS &&
	       r->conn_since[DS_KIND_SIP] <= t;
}

static void rules_action(struct rules *r, const struct ds_action *a, int64_t t)
{
	int p = a->proxy;

	r->now = t;
	if (p < 0 || p > 1)
		return;
	if (!r->cf->bc_enabled && p == 1 && a->type != DS_ACT_CANCEL)
		rule_fail(r, "BC off: an action at proxy1");
	switch (a->type) {
	case DS_ACT_REGISTER:
		if (registered(r, p)) {
			/* a refresh: at half the expiry, or at once to follow an HA switch */
			if (a->slot == r->bound_slot[p] && t < r->bound_at[p] + r->granted[p] / 2)
				rule_fail(r, "proxy%d refreshed %lld ms after it was granted %lld s "
					  "(due at half)", p, (long long)(t - r->bound_at[p]),
					  (long long)(r->granted[p] / 1000));
		} else if (!(r->out[p] && r->out_type[p] == DS_ACT_REGISTER && r->out_slot[p] != a->slot) &&
			   !r->fresh[p] && wanted_since(r, p, r->fail_at[p]) &&
			   t < r->fail_at[p] + r->fail_wait[p]) {
			rule_fail(r, "proxy%d REGISTER %lld ms after a failure, before reregister_in_seconds "
				  "(%lld ms)", p, (long long)(t - r->fail_at[p]), (long long)r->fail_wait[p]);
		}
		r->out[p] = true;
		r->out_type[p] = a->type;
		r->out_slot[p] = a->slot;
		r->out_seq[p] = a->seq;
		r->reg_due[p] = NEVER;
		return;
	case DS_ACT_CHECK_BINDING:
		r->out[p] = true;
		r->out_type[p] = a->type;
		r->out_slot[p] = a->slot;
		r->out_seq[p] = a->seq;
		return;
	case DS_ACT_CANCEL:
		r->out[p] = false;
		return;
	case DS_ACT_UNREGISTER: /* single mode leaves a site: a later attempt is a first one */
		r->fresh[p] = true;
		r->reg_due[p] = NEVER;
		return;
	case DS_ACT_DROP_CALL:
		return;
	}
}

/* ---- what the engine said ---- */

static void arrive(struct rules *r, int k, int site)
{
	/* lost from the peer and back: still on the peer since then */
	if (site == 1 && r->site[k] != 1)
		r->peer_since[k] = r->now;
	if (site != 1)
		r->peer_since[k] = NEVER;
	r->st[k] = ST_CONN;
	r->site[k] = site;
	r->conn_since[k] = r->now;
}

static void rules_event(struct rules *r, const struct ds_event *ev)
{
	const struct ds_engine_conf *cf = r->cf;
	int k = ev->kind;

	r->now = ev->t;
	track_ready(r);
	switch (ev->type) {
	case DS_EV_CONNECTED:
		/* at start, from out of service, or the lost pair back */
		if (!pair_view(r, k, ev->site))
			rule_fail(r, "%s connected to site %d whose pair is down", ds_kind_name(k), ev->site);
		/* a drained site takes no one; one lost from it may come back */
		if (r->drained[ev->site] && !(r->st[k] == ST_LOST && r->site[k] == ev->site))
			rule_fail(r, "%s connected to drained site %d", ds_kind_name(k), ev->site);
		arrive(r, k, ev->site);
		return;
	case DS_EV_HA_SWITCH:
		if ((r->view >> ev->from) & 1u || !((r->view >> ev->to) & 1u))
			rule_fail(r, "%s ha-switch while the member in use is up or its partner down",
				  ds_kind_name(k));
		return;
	case DS_EV_CONNECTION_LOST:
		if (pair_view(r, k, ev->site))
			rule_fail(r, "%s connection lost while its pair is up", ds_kind_name(k));
		r->st[k] = ST_LOST;
		r->lost_at[k] = r->now;
		return;
	case DS_EV_SWITCHOVER:
	case DS_EV_RESTORE:
		if (!cf->bc_enabled)
			rule_fail(r, "%s with BC off", ds_event_name(ev->type));
		switch (ev->reason) {
		case DS_R_SERVER_LOSS:
			if (r->st[k] != ST_LOST || r->now - r->lost_at[k] < cf->timeout_ms)
				rule_fail(r, "%s switchover %lld ms after the loss, before the timeout (%lld ms)",
					  ds_kind_name(k), (long long)(r->now - r->lost_at[k]),
					  (long long)cf->timeout_ms);
			break;
		case DS_R_PHONE_LOSS: {
			int64_t since = r->unbound_since[ev->from] > r->conn_since[k] ?
					r->unbound_since[ev->from] : r->conn_since[k];

			if (k != DS_KIND_SIP || registered(r, ev->from) ||
			    r->now - since < cf->sipphone_wait_ms)
				rule_fail(r, "phone-loss switchover %lld ms after the registration was lost, "
					  "before wait-for-sipphone-timeout (%lld ms)",
					  (long long)(r->now - since), (long long)cf->sipphone_wait_ms);
			break;
		}
		case DS_R_AUTO_RESTORE: {
			int64_t since = r->ready_since[k] > r->lifted_at[k] ? r->ready_since[k]
									: r->lifted_at[k];

			if (!cf->auto_restore || r->suspended[k])
				rule_fail(r, "%s auto-restore while auto-restore is off or suspended",
					  ds_kind_name(k));
			else if (r->ready_since[k] == NEVER || r->now - since < cf->hold_down_ms)
				rule_fail(r, "%s auto-restore %lld ms after the preferred site became "
					  "available, before the hold-down (%lld ms)", ds_kind_name(k),
					  r->ready_since[k] == NEVER ? -1LL : (long long)(r->now - since),
					  (long long)cf->hold_down_ms);
			if (k == DS_KIND_SIP && cf->restore_when_idle && r->in_call)
				rule_fail(r, "auto-restore during a call with restore-when-idle");
			break;
		}
		case DS_R_MANUAL:
			if (r->now != r->manual_at && !cf->single_mode)
				rule_fail(r, "manual move with no manual command at this instant");
			break;
		case DS_R_DRAIN:
			if (!r->drained[ev->from])
				rule_fail(r, "%s drain move from site %d, not drained", ds_kind_name(k),
					  ev->from);
			if (k == DS_KIND_SIP && r->in_call)
				rule_fail(r, "sip drain move during a call");
			break;
		default:
			rule_fail(r, "%s with reason %d", ds_event_name(ev->type), ev->reason);
		}
		if (ev->to != 1 - ev->from || ev->from != r->site[k] ||
		    (ev->type == DS_EV_RESTORE && ev->to != 0))
			rule_fail(r, "%s from %d to %d", ds_event_name(ev->type), ev->from, ev->to);
		if (r->drained[ev->to])
			rule_fail(r, "%s %s to drained site %d", ds_kind_name(k),
				  ds_event_name(ev->type), ev->to);
		arrive(r, k, ev->to);
		return;
	case DS_EV_RESTORE_DEFERRED:
		/* a restore waiting for the call's end, or a drain move */
		if (k != DS_KIND_SIP || !r->in_call ||
		    !(cf->restore_when_idle || (r->site[k] >= 0 && r->drained[r->site[k]])))
			rule_fail(r, "restore deferred without a call");
		return;
	case DS_EV_OUT_OF_SERVICE:
		if (r->st[k] == ST_LOST && r->now - r->lost_at[k] < cf->timeout_ms)
			rule_fail(r, "%s out of service %lld ms after the loss, before the timeout",
				  ds_kind_name(k), (long long)(r->now - r->lost_at[k]));
		/* with BC off a lost connection waits for its own pair */
		if (r->st[k] == ST_LOST && !cf->bc_enabled)
			rule_fail(r, "%s out of service with BC off", ds_kind_name(k));
		/* out of service only when the other site cannot take it */
		if (r->st[k] == ST_LOST && rules_dual(r) && available(r, k, 1 - r->site[k]))
			rule_fail(r, "%s out of service while the other site is available", ds_kind_name(k));
		if (r->st[k] == ST_CONN)
			rule_fail(r, "%s out of service from connected", ds_kind_name(k));
		r->st[k] = ST_OOS;
		r->site[k] = -1;
		r->peer_since[k] = NEVER;
		return;
	case DS_EV_REGISTERED:
		r->unbound_since[ev->proxy] = NEVER;
		return;
	case DS_EV_REGISTRATION_LOST:
	case DS_EV_REGISTRATION_FAILED:
		if (ev->type == DS_EV_REGISTRATION_LOST || r->unbound_since[ev->proxy] == NEVER)
			r->unbound_since[ev->proxy] = r->now;
		if (ev->reason == DS_R_EXPIRED || ev->reason == DS_R_REMOVED) {
			r->fail_at[ev->proxy] = r->now;
			r->fresh[ev->proxy] = false;
			r->fail_wait[ev->proxy] = cf->reregister_ms[ev->proxy];
			if (ev->reason == DS_R_EXPIRED)
				r->reg_due[ev->proxy] = r->now + cf->reregister_ms[ev->proxy] + r->R;
		}
		return;
	case DS_EV_CALL_START:
		r->in_call = true;
		r->call_site = ev->site;
		return;
	case DS_EV_CALL_END:
		if (ev->reason == DS_R_SITE_LOST && pair_view(r, DS_KIND_SIP, ev->site))
			rule_fail(r, "call ended (site-lost) while its site's pair is up");
		r->in_call = false;
		r->call_site = -1;
		r->last_call_end = r->now;
		return;
	}
}

/* ---- the deadlines, after every step ---- */

/* The deadlines that have passed by `t`, on the state after the last step;
 * `after`: right after a step (a manual move must then have been made). */
static void rules_step(struct rules *r, int64_t t, bool after)
{
	const struct ds_engine_conf *cf = r->cf;
	const struct ds_engine *e = ds_sim_engine(r->sim);

	if (!e)
		return;
	bool dual = rules_dual(r);

	r->now = t;
	track_ready(r);
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		struct ds_conn_view v;
		const char *kn = ds_kind_name(k);
		bool single_sip = k == DS_KIND_SIP && cf->single_mode && cf->bc_enabled;

		if (!cf->kind_connected[k])
			continue;
		ds_engine_conn(e, k, &v);
		if ((int)v.state != r->st[k] || (v.state != DS_CONN_OUT_OF_SERVICE && v.site != r->site[k]))
			rule_fail(r, "%s: the events say state %d site %d, the engine %d %d", kn,
				  r->st[k], r->site[k], v.state, v.site);
		switch (v.state) {
		case DS_CONN_CONNECTED: {
			int m = v.member, slot = DS_SLOT(k, v.site, m);

			/* HA: a dead member in use gives way to its live partner at once */
			if (!((r->view >> slot) & 1u) && ((r->view >> (slot ^ 1)) & 1u))
				rule_fail(r, "%s still on a member the probes declared down, its partner up", kn);
			if (!pair_view(r, k, v.site))
				rule_fail(r, "%s connected to a site whose pair is down", kn);
			/* phone loss: the registration gone for wait-for-sipphone-timeout */
			if (k == DS_KIND_SIP && cf->bc_enabled && dual && !registered(r, v.site) &&
			    r->unbound_since[v.site] != NEVER && available(r, k, 1 - v.site)) {
				int64_t since = r->unbound_since[v.site] > r->conn_since[k] ?
						r->unbound_since[v.site] : r->conn_since[k];

				if (t > since + cf->sipphone_wait_ms + r->R)
					rule_fail(r, "sip: the registration at site %d lost %lld ms ago, the other "
						  "site available, no phone-loss switchover", v.site,
						  (long long)(t - since));
			}
			break;
		}
		case DS_CONN_LOST:
			if (pair_view(r, k, v.site))
				rule_fail(r, "%s lost while its pair is up: not connected again at once", kn);
			if (!cf->bc_enabled)
				break;
			/* the timeout ran out: moved if the other site can take it, else out of service */
			if (!single_sip && available(r, k, 1 - v.site) &&
			    t > r->lost_at[k] + cf->timeout_ms + r->R)
				rule_fail(r, "%s lost for %lld ms, the other site available: no switchover "
					  "(timeout %lld ms)", kn, (long long)(t - r->lost_at[k]),
					  (long long)cf->timeout_ms);
			/* (single mode: the REGISTER at the target may wait for its retry) */
			if (t > r->lost_at[k] + cf->timeout_ms + r->R +
				    (single_sip ? r->reg_timeout + cf->reregister_ms[1 - v.site] + r->R : 0))
				rule_fail(r, "%s still lost %lld ms after the loss: neither moved nor out of "
					  "service (timeout %lld ms)", kn, (long long)(t - r->lost_at[k]),
					  (long long)cf->timeout_ms);
			break;
		case DS_CONN_OUT_OF_SERVICE:
			if (available(r, k, 0) && !single_sip)
				rule_fail(r, "%s out of service while the preferred site is available", kn);
			if (cf->bc_enabled && !single_sip && !pair_view(r, k, 0) && available(r, k, 1))
				rule_fail(r, "%s out of service while the peer site is available and the "
					  "preferred one down", kn);
			break;
		}
		/* auto-restore: home once the preferred site was available for the hold-down */
		if (cf->bc_enabled && cf->auto_restore && !r->suspended[k] && v.state != DS_CONN_OUT_OF_SERVICE &&
		    v.site == 1 && r->ready_since[k] != NEVER && !single_sip &&
		    !(k == DS_KIND_SIP && cf->restore_when_idle && r->in_call)) {
			int64_t due = max3(r->ready_since[k], r->peer_since[k], r->lifted_at[k]) +
				      cf->hold_down_ms + r->R;

			if (k == DS_KIND_SIP && cf->restore_when_idle && r->last_call_end > due)
				due = r->last_call_end;
			if (t > due)
				rule_fail(r, "%s not home %lld ms after the preferred site became available "
					  "(hold-down %lld ms)", kn, (long long)(t - r->ready_since[k]),
					  (long long)cf->hold_down_ms);
		}
		if (!cf->bc_enabled && v.state != DS_CONN_OUT_OF_SERVICE && v.site != 0)
			rule_fail(r, "%s on the peer site with BC off", kn);
		/* manual: made at once where the target can take it */
		if (after && r->manual_due >= 0 && !single_sip && available(r, k, r->manual_due) &&
		    !(v.state == DS_CONN_CONNECTED && v.site == r->manual_due))
			rule_fail(r, "%s: manual %s not made, site %d available", kn,
				  r->manual_due ? "switchover" : "restore", r->manual_due);
	}
	if (after)
		r->manual_due = -1;
	/* registrations: retried after reregister_in_seconds, refreshed at half */
	for (int p = 0; p < 2 && dual; p++) {
		if (!reg_used(r, p) || r->out[p] || r->reg_due[p] == NEVER || !pair_view(r, DS_KIND_SIP, p))
			continue;
		if (t > r->reg_due[p])
			rule_fail(r, "proxy%d: no REGISTER %lld ms after it was due", p,
				  (long long)(t - r->reg_due[p]));
	}
	/* a call ends with its site */
	if (r->in_call && !pair_view(r, DS_KIND_SIP, r->call_site))
		rule_fail(r, "the call's site %d is down and the call goes on", r->call_site);
	if (r->in_call != ds_engine_in_call(e))
		rule_fail(r, "the events and the engine disagree on the call");
}

#endif
