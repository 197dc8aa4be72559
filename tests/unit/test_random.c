/* Randomized simulation test: generated topologies, option values and fault
 * schedules, with the invariants of SPEC §3 checked after every engine step.
 *
 * Each case is written as a real configuration file and loaded through the
 * loader, the option hierarchy and the agent builder, so a failing case is
 * replayed by `dualsite simulate` from the files it leaves behind. Simulated
 * hours: DS_RANDOM_HOURS (default 10000); first seed: DS_RANDOM_SEED;
 * DS_RANDOM_VERBOSE=1 prints every happening and action as it runs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "dualsite/sim.h"
#include "dualsite/validate.h"

#define CASE_HOURS 10
#define MAX_FAULTS 512

struct gen {            /* what one case is made of */
	uint64_t rng;
	bool bc, single, auto_restore, idle, stat, conf, backup[3][2];
	int timeout, sipphone, rereg[2], reg_timeout;
	double interval, ptimeout, hold, range, regtimeout, bcheck;
	int failures;
	struct ds_fault faults[MAX_FAULTS];
	char names[MAX_FAULTS][16];
	size_t n_faults;
};

struct check {          /* what the invariants remember while a case runs */
	const struct gen *g;
	int64_t budget, range;
	int64_t lost_at[DS_KIND_COUNT];
	int64_t reg_lost_at[2];
	int64_t last_call_end;
	int64_t last_manual;     /* a manual restore in single mode registers first */
	bool manual_block[DS_KIND_COUNT];   /* a manual switchover suspends auto-restore */
	bool manual_pref_lost[DS_KIND_COUNT];
	int64_t reject_end[2];
	bool rejecting[2];
	int64_t doomed_retry[2];  /* next attempt after a REGISTER that was bound to fail */
	bool drained[2];          /* SiteX (0), SiteY (1) drained by the scenario */
	int64_t undrained_at[2];
	int lost_site[DS_KIND_COUNT];   /* the site a connection was last lost from, or -1 */
	const struct ds_sim *sim;
	char recent[32][160];   /* the last happenings, printed with a failure */
	unsigned n_recent;
	char failure[256];
	uint64_t events, hash;
};

static uint64_t next(uint64_t *s)
{
	uint64_t x = (*s += 0x9e3779b97f4a7c15ull);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static double uni(uint64_t *s, double lo, double hi)
{
	return lo + (hi - lo) * (double)(next(s) >> 11) / (double)(1ull << 53);
}

static bool chance(uint64_t *s, double p)
{
	return uni(s, 0, 1) < p;
}

static const char *const slot_names[DS_SLOT_COUNT] = {
	"SIP_X", "SIP_X_B", "SIP_Y", "SIP_Y_B", "STAT_X", "STAT_X_B",
	"STAT_Y", "STAT_Y_B", "CONF_X", "CONF_X_B", "CONF_Y", "CONF_Y_B"};

static void add_fault(struct gen *g, enum ds_fault_type t, int64_t at, const char *name,
		      int proxy, int code)
{
	struct ds_fault *f;

	if (g->n_faults == MAX_FAULTS)
		return;
	f = &g->faults[g->n_faults];
	memset(f, 0, sizeof(*f));
	f->type = t;
	f->at = at;
	f->proxy = proxy;
	f->code = code;
	if (name) {
		snprintf(g->names[g->n_faults], sizeof(g->names[0]), "%s", name);
		f->name = g->names[g->n_faults];
	}
	g->n_faults++;
}

static bool slot_present(const struct gen *g, int slot)
{
	int k = slot / 4, s = (slot / 2) % 2;

	if ((k == DS_KIND_STAT && !g->stat) || (k == DS_KIND_CONFIG && !g->conf))
		return false;
	return slot % 2 == 0 || g->backup[k][s];
}

/* An outage of a site or a server, or a registrar that rejects, or a call. */
static void gen_faults(struct gen *g, int64_t end)
{
	int64_t t = 0, drained_until = 0;
	bool manual = chance(&g->rng, 0.1);
	bool drains = chance(&g->rng, 0.2);

	while (g->n_faults + 2 < MAX_FAULTS) {
		int64_t len;
		double what = uni(&g->rng, 0, 1);

		t += (int64_t)uni(&g->rng, 1, 1800) * 1000 + (int64_t)uni(&g->rng, 0, 999);
		if (t >= end)
			break;
		/* short outages (below the timeout) as often as long ones */
		len = (int64_t)(chance(&g->rng, 0.5) ? uni(&g->rng, 0.1, g->timeout)
						     : uni(&g->rng, g->timeout, 900)) * 1000;
		if (what < 0.35) {
			const char *site = chance(&g->rng, 0.7) ? "SiteX" : "SiteY";
			add_fault(g, DS_FAULT_DOWN, t, site, 0, 0);
			add_fault(g, DS_FAULT_UP, t + len, site, 0, 0);
		} else if (what < 0.55) {
			int slot = (int)uni(&g->rng, 0, DS_SLOT_COUNT);
			if (!slot_present(g, slot))
				continue;
			add_fault(g, DS_FAULT_DOWN, t, slot_names[slot], 0, 0);
			add_fault(g, DS_FAULT_UP, t + len, slot_names[slot], 0, 0);
		} else if (what < 0.75) {
			add_fault(g, DS_FAULT_CALL_START, t, NULL, 0, 0);
			add_fault(g, DS_FAULT_CALL_END, t + (int64_t)uni(&g->rng, 5, 600) * 1000,
				  NULL, 0, 0);
		} else if (what < 0.85) {
			int p = chance(&g->rng, 0.5);
			add_fault(g, DS_FAULT_REJECT, t, NULL, p, chance(&g->rng, 0.5) ? 403 : 503);
			add_fault(g, DS_FAULT_ACCEPT, t + len, NULL, p, 0);
		} else if (what < 0.95) {
			add_fault(g, DS_FAULT_UNREGISTER, t, NULL, chance(&g->rng, 0.5), 0);
		} else if (what < 0.975 ? manual : !drains) {
			add_fault(g, chance(&g->rng, 0.5) ? DS_FAULT_MANUAL_SWITCHOVER
							  : DS_FAULT_MANUAL_RESTORE, t, NULL, 0, 0);
		} else if (t >= drained_until) {
			/* one site drained at a time: an operator's maintenance */
			const char *site = chance(&g->rng, 0.6) ? "SiteX" : "SiteY";

			add_fault(g, DS_FAULT_DRAIN, t, site, 0, 0);
			add_fault(g, DS_FAULT_UNDRAIN, t + len, site, 0, 0);
			drained_until = t + len;
		}
	}
}

static void gen_case(struct gen *g, uint64_t seed)
{
	memset(g, 0, sizeof(*g));
	g->rng = seed;
	g->bc = chance(&g->rng, 0.9);
	g->single = chance(&g->rng, 0.3);
	g->auto_restore = chance(&g->rng, 0.85);
	g->idle = chance(&g->rng, 0.8);
	g->stat = chance(&g->rng, 0.5);
	g->conf = chance(&g->rng, 0.5);
	for (int k = 0; k < 3; k++)
		for (int s = 0; s < 2; s++)
			g->backup[k][s] = chance(&g->rng, 0.7);
	g->timeout = (int)uni(&g->rng, 1, 120);
	g->sipphone = (int)uni(&g->rng, 0, 60);
	g->rereg[0] = (int)uni(&g->rng, 1, 120);
	g->rereg[1] = (int)uni(&g->rng, 1, 120);
	g->reg_timeout = (int)uni(&g->rng, 20, 3600);
	g->interval = uni(&g->rng, 1, 10);
	g->ptimeout = uni(&g->rng, 0.1, 3);
	g->failures = (int)uni(&g->rng, 1, 4);
	g->hold = uni(&g->rng, 0, 60);
	g->range = chance(&g->rng, 0.3) ? 0 : uni(&g->rng, 0, 5);
	g->regtimeout = uni(&g->rng, 0.5, 8);
	g->bcheck = chance(&g->rng, 0.3) ? uni(&g->rng, 2, 60) : 0;
	gen_faults(g, (int64_t)CASE_HOURS * 3600 * 1000);
}

static void write_server(FILE *f, int slot, bool has_backup)
{
	static const char *const kinds[] = {"sip", "stat", "config"};
	int k = slot / 4, s = (slot / 2) % 2;

	fprintf(f, "  %s: {kind: %s, host: 127.0.0.1, port: %d%s%s%s%s, options: "
		   "{interaction-workspace: {disaster-recovery.site: %s}}}\n",
		slot_names[slot], kinds[k], 5060 + slot,
		k == 0 ? ", switch: " : "", k == 0 ? (s ? "SW_Y" : "SW_X") : "",
		has_backup ? ", backup: " : "", has_backup ? slot_names[slot + 1] : "",
		s ? "SiteY" : "SiteX");
}

static int write_config(const struct gen *g, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "application:\n  name: Random\n  connections: [SIP_X, SIP_Y%s%s]\n",
		g->stat ? ", STAT_X, STAT_Y" : "", g->conf ? ", CONF_X, CONF_Y" : "");
	fprintf(f, "  options:\n    interaction-workspace:\n"
		   "      disaster-recovery.enabled: %s\n"
		   "      disaster-recovery.preferred-site: SiteX\n"
		   "      disaster-recovery.peer-site: SiteY\n"
		   "      disaster-recovery.timeout: %d\n"
		   "      disaster-recovery.wait-for-sipphone-timeout: %d\n"
		   "      disaster-recovery.auto-restore: %s\n"
		   "      sipendpoint.proxies.proxy0.reregister_in_seconds: %d\n"
		   "      sipendpoint.proxies.proxy1.reregister_in_seconds: %d\n"
		   "      sipendpoint.proxies.proxy0.reg_timeout: %d\n"
		   "      sipendpoint.proxies.proxy1.reg_timeout: %d\n"
		   "      dualsite.registration-mode: %s\n"
		   "      dualsite.probe-interval: %.3f\n"
		   "      dualsite.probe-timeout: %.3f\n"
		   "      dualsite.probe-failures: %d\n"
		   "      dualsite.register-timeout: %.3f\n"
		   "      dualsite.restore-hold-down: %.3f\n"
		   "      dualsite.restore-when-idle: %s\n"
		   "      dualsite.binding-check-interval: %.3f\n"
		   "      dualsite.random-delay-range: %.3f\n",
		g->bc ? "true" : "false", g->timeout, g->sipphone,
		g->auto_restore ? "true" : "false", g->rereg[0], g->rereg[1],
		g->reg_timeout, g->reg_timeout, g->single ? "single" : "dual",
		g->interval, g->ptimeout, g->failures, g->regtimeout, g->hold,
		g->idle ? "true" : "false", g->bcheck, g->range);
	fprintf(f, "servers:\n");
	for (int k = 0; k < 3; k++) {
		if ((k == 1 && !g->stat) || (k == 2 && !g->conf))
			continue;
		for (int s = 0; s < 2; s++) {
			write_server(f, DS_SLOT(k, s, 0), g->backup[k][s]);
			if (g->backup[k][s])
				write_server(f, DS_SLOT(k, s, 1), false);
		}
	}
	fprintf(f, "switches: {SW_X: {}, SW_Y: {}}\n"
		   "tenants: {Environment: {}}\n"
		   "places:\n  Place_7001:\n    dns:\n"
		   "      - {switch: SW_X, number: \"7001\"}\n"
		   "      - {switch: SW_Y, number: \"7001\"}\n"
		   "persons:\n  alice:\n    tenant: Environment\n    place: Place_7001\n"
		   "    sip: {user: \"7001\", password-env: DS_RANDOM_PASSWORD}\n");
	return fclose(f);
}

static int write_scenario(const struct gen *g, uint64_t seed, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "agent: alice\nduration: %d\nseed: %llu\nevents:\n", CASE_HOURS * 3600,
		(unsigned long long)seed);
	for (size_t i = 0; i < g->n_faults; i++) {
		const struct ds_fault *x = &g->faults[i];
		double at = (double)x->at / 1000.0;

		switch (x->type) {
		case DS_FAULT_DOWN: fprintf(f, "  - {at: %.3f, down: %s}\n", at, x->name); break;
		case DS_FAULT_UP: fprintf(f, "  - {at: %.3f, up: %s}\n", at, x->name); break;
		case DS_FAULT_CALL_START: fprintf(f, "  - {at: %.3f, call: start}\n", at); break;
		case DS_FAULT_CALL_END: fprintf(f, "  - {at: %.3f, call: end}\n", at); break;
		case DS_FAULT_UNREGISTER: fprintf(f, "  - {at: %.3f, unregister: %d}\n", at, x->proxy); break;
		case DS_FAULT_REJECT:
			fprintf(f, "  - {at: %.3f, reject: %d, code: %d}\n", at, x->proxy, x->code);
			break;
		case DS_FAULT_ACCEPT: fprintf(f, "  - {at: %.3f, accept: %d}\n", at, x->proxy); break;
		case DS_FAULT_MANUAL_SWITCHOVER: fprintf(f, "  - {at: %.3f, manual: switchover}\n", at); break;
		case DS_FAULT_MANUAL_RESTORE: fprintf(f, "  - {at: %.3f, manual: restore}\n", at); break;
		case DS_FAULT_DRAIN: fprintf(f, "  - {at: %.3f, drain: %s}\n", at, x->name); break;
		case DS_FAULT_UNDRAIN: fprintf(f, "  - {at: %.3f, undrain: %s}\n", at, x->name); break;
		}
	}
	return fclose(f);
}

static void violation(struct check *c, int64_t t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->failure[0])
		return;
	n = snprintf(c->failure, sizeof(c->failure), "t=%lld.%03lld: ",
		     (long long)(t / 1000), (long long)(t % 1000));
	va_start(ap, fmt);
	vsnprintf(c->failure + n, sizeof(c->failure) - (size_t)n, fmt, ap);
	va_end(ap);
}

static void remember(struct check *c, int64_t t, const char *text)
{
	if (c->failure[0])
		return; /* keep what led to the failure */
	if (getenv("DS_RANDOM_VERBOSE"))
		fprintf(stderr, "%10lld.%03lld  %s\n", (long long)(t / 1000), (long long)(t % 1000), text);
	snprintf(c->recent[c->n_recent++ % 32], sizeof(c->recent[0]), "%10lld.%03lld  %s",
		 (long long)(t / 1000), (long long)(t % 1000), text);
}

static void on_event(const struct ds_event *ev, void *arg)
{
	struct check *c = arg;
	const struct gen *g = c->g;
	char text[128];

	ds_event_text(ev, ds_sim_conf(c->sim), text, sizeof(text));
	remember(c, ev->t, text);

	c->events++;
	c->hash = (c->hash ^ (uint64_t)ev->t ^ ((uint64_t)ev->type << 40) ^
		   ((uint64_t)ev->kind << 48)) * 0x100000001b3ull;
	switch (ev->type) {
	case DS_EV_CONNECTION_LOST:
		c->lost_at[ev->kind] = ev->t;
		c->lost_site[ev->kind] = ev->site;
		break;
	case DS_EV_CONNECTED:
		/* a drained site takes no one; one lost from it may come back */
		if (c->drained[ev->site] && c->lost_site[ev->kind] != ev->site)
			violation(c, ev->t, "%s connected to drained site %d",
				  ds_kind_name(ev->kind), ev->site);
		c->lost_site[ev->kind] = -1;
		break;
	case DS_EV_REGISTRATION_LOST:
		c->reg_lost_at[ev->proxy] = ev->t;
		break;
	case DS_EV_SWITCHOVER:
		if (c->drained[ev->to])
			violation(c, ev->t, "%s switchover to drained site %d",
				  ds_kind_name(ev->kind), ev->to);
		if (ev->reason == DS_R_DRAIN && !c->drained[ev->from])
			violation(c, ev->t, "drain switchover from a site not drained");
		c->lost_site[ev->kind] = -1;
		if (ev->reason == DS_R_SERVER_LOSS && ev->t - c->lost_at[ev->kind] < g->timeout * 1000LL)
			violation(c, ev->t, "%s switchover %lld ms after the loss, before the %d s timeout",
			     ds_kind_name(ev->kind), (long long)(ev->t - c->lost_at[ev->kind]), g->timeout);
		if (ev->reason == DS_R_PHONE_LOSS &&
		    ev->t - c->reg_lost_at[ev->from] < g->sipphone * 1000LL)
			violation(c, ev->t, "phone-loss switchover before wait-for-sipphone-timeout");
		if (!g->bc)
			violation(c, ev->t, "switchover with BC disabled");
		break;
	case DS_EV_RESTORE:
		if (c->drained[ev->to])
			violation(c, ev->t, "%s restore to drained site %d",
				  ds_kind_name(ev->kind), ev->to);
		c->lost_site[ev->kind] = -1;
		if (ev->kind == DS_KIND_SIP && ev->reason == DS_R_AUTO_RESTORE && g->idle &&
		    ds_engine_in_call(ds_sim_engine(c->sim)))
			violation(c, ev->t, "auto-restore during a call with restore-when-idle");
		break;
	case DS_EV_CALL_END:
		c->last_call_end = ev->t;
		break;
	default:
		break;
	}
}

static void on_note(const struct ds_sim_note *n, void *arg)
{
	struct check *c = arg;
	const struct ds_fault *f = n->fault;

	remember(c, n->t, n->text);
	if (n->type != DS_NOTE_FAULT || !f)
		return;
	switch (f->type) {
	case DS_FAULT_MANUAL_SWITCHOVER:
	case DS_FAULT_MANUAL_RESTORE:
		c->last_manual = n->t;
		for (int k = 0; k < DS_KIND_COUNT; k++) {
			c->manual_block[k] = f->type == DS_FAULT_MANUAL_SWITCHOVER;
			c->manual_pref_lost[k] = false;
		}
		break;
	case DS_FAULT_REJECT:
		c->rejecting[f->proxy] = true;
		break;
	case DS_FAULT_ACCEPT:
		c->rejecting[f->proxy] = false;
		c->reject_end[f->proxy] = n->t;
		break;
	case DS_FAULT_DRAIN:
	case DS_FAULT_UNDRAIN: {
		int s = !strcmp(f->name, "SiteY");

		c->drained[s] = f->type == DS_FAULT_DRAIN;
		if (!c->drained[s])
			c->undrained_at[s] = n->t;
		break;
	}
	default:
		break;
	}
}

/* A REGISTER into a silent or rejecting registrar fails (at once, or after
 * register-timeout); the next attempt comes a reregister interval later. */
static void on_action(const struct ds_action *a, int64_t t, void *arg)
{
	struct check *c = arg;
	const struct gen *g = c->g;
	struct ds_sim_server_view sv;
	int64_t fails_at;

	if (getenv("DS_RANDOM_VERBOSE")) {
		char text[64];
		snprintf(text, sizeof(text), "(action %d proxy%d seq %u)", a->type, a->proxy, a->seq);
		remember(c, t, text);
	}
	if (a->type != DS_ACT_REGISTER && a->type != DS_ACT_CHECK_BINDING)
		return;
	ds_sim_server(c->sim, a->slot, &sv);
	if (sv.up && !(c->rejecting[a->proxy] && a->type == DS_ACT_REGISTER))
		return;
	fails_at = t + (sv.up ? 0 : (int64_t)(g->regtimeout * 1000));
	c->doomed_retry[a->proxy] = fails_at + g->rereg[a->proxy] * 1000LL + c->range;
}

/* The preferred pair of `kind`: is a member up, and since when (or, when
 * none is, since when none has been). Where two members overlap the earlier
 * start is kept; otherwise the later one, which errs towards leniency. */
static bool pref_pair(const struct ds_sim *sim, int kind, int64_t *since)
{
	struct ds_sim_server_view a, b;

	ds_sim_server(sim, DS_SLOT(kind, 0, 0), &a);
	ds_sim_server(sim, DS_SLOT(kind, 0, 1), &b);
	a.up = a.present && a.up;
	b.up = b.present && b.up;
	if (a.up && b.up)
		*since = a.since < b.since ? a.since : b.since;
	else if (a.up || b.up)
		*since = a.up ? a.since : b.since;
	else if (b.present)
		*since = a.since > b.since ? a.since : b.since;
	else
		*since = a.since;
	return a.up || b.up;
}

/* Back on the preferred site in time once it is healthy: hold-down + probe
 * budget + twice the random range, from when the pair is up and, for sip,
 * from when a registration there can succeed. */
static void check_home(struct check *c, int k, int64_t t, const struct ds_conn_view *v)
{
	const struct gen *g = c->g;
	int64_t since, deadline;
	bool up = pref_pair(c->sim, k, &since);

	if (c->manual_block[k]) {
		/* lifted once the engine saw the preferred site lost and back */
		if (!up && t - since > c->budget)
			c->manual_pref_lost[k] = true;
		if (!(up && c->manual_pref_lost[k]))
			return;
		c->manual_block[k] = false;
	}
	if (!g->bc || !g->auto_restore || !up || c->drained[0])
		return;
	if (c->undrained_at[0] > since)   /* the hold-down runs from the undrain */
		since = c->undrained_at[0];
	deadline = since + c->budget + (int64_t)(g->hold * 1000) + 2 * c->range;
	if (k == DS_KIND_SIP) {
		int64_t rereg = g->rereg[0] * 1000LL + c->range;

		if (c->rejecting[0] || (g->idle && ds_sim_in_call(c->sim)))
			return;
		if (c->reject_end[0] + rereg > since)
			since = c->reject_end[0] + rereg;
		if (c->reg_lost_at[0] + rereg > since)
			since = c->reg_lost_at[0] + rereg;
		if (c->doomed_retry[0] > since)
			since = c->doomed_retry[0];
		/* a REGISTER sent into a silence that has just ended fails late */
		deadline = since + c->budget + (int64_t)((g->hold + g->regtimeout) * 1000) +
			   2 * c->range;
		if (g->idle && c->last_call_end + 2 * c->range > deadline)
			deadline = c->last_call_end + 2 * c->range;
		if (c->last_manual + 2 * c->range > deadline)
			deadline = c->last_manual + 2 * c->range;
	}
	if (t > deadline && !(v->state == DS_CONN_CONNECTED && v->site == 0))
		violation(c, t, "%s not home %lld ms after the preferred site was healthy (bound %lld ms)",
		     ds_kind_name(k), (long long)(t - since), (long long)(deadline - since));
}

static void on_step(const struct ds_sim *sim, int64_t t, void *arg)
{
	struct check *c = arg;
	const struct gen *g = c->g;
	const struct ds_engine *e = ds_sim_engine(sim);

	for (int k = 0; k < DS_KIND_COUNT; k++) {
		struct ds_conn_view v;
		struct ds_sim_server_view sv;

		if ((k == DS_KIND_STAT && !g->stat) || (k == DS_KIND_CONFIG && !g->conf))
			continue;
		ds_engine_conn(e, k, &v);
		if (v.state == DS_CONN_CONNECTED) {
			ds_sim_server(sim, DS_SLOT(k, v.site, v.member), &sv);
			if (!sv.up && t - sv.since > c->budget)
				violation(c, t, "%s uses %s, down for %lld ms (probe budget %lld ms)",
				     ds_kind_name(k), slot_names[DS_SLOT(k, v.site, v.member)],
				     (long long)(t - sv.since), (long long)c->budget);
			if (!g->bc && v.site != 0)
				violation(c, t, "%s connected to the peer site with BC off", ds_kind_name(k));
		}
		check_home(c, k, t, &v);
	}
}

/* Runs one case; returns the number of events, fills c->failure on a
 * violated invariant. */
static uint64_t run_case(const struct gen *g, uint64_t seed, const char *dir, struct check *c)
{
	char cfg_path[256];
	struct ds_config *cfg = NULL;
	struct ds_diags diags = {0};
	struct ds_engine_conf conf;
	struct ds_probe_conf pc;
	struct ds_sim *sim = NULL;
	struct ds_sim_hooks hooks = {.event_h = on_event, .note_h = on_note,
				     .action_h = on_action, .step_h = on_step, .arg = c};

	memset(c, 0, sizeof(*c));
	c->g = g;
	for (int i = 0; i < 2; i++)
		c->reject_end[i] = c->reg_lost_at[i] = c->doomed_retry[i] = INT64_MIN / 4;
	c->last_call_end = c->last_manual = INT64_MIN / 4;
	for (int k = 0; k < DS_KIND_COUNT; k++)
		c->lost_site[k] = -1;
	snprintf(cfg_path, sizeof(cfg_path), "%s/config.yaml", dir);
	assert_int_equal(write_config(g, cfg_path), 0);
	assert_int_equal(ds_config_load(&cfg, cfg_path, &diags), 0);
	ds_validate(cfg, &diags);
	if (diags.errors)
		ds_diags_print(stderr, &diags);
	assert_int_equal(diags.errors, 0);
	assert_int_equal(ds_sim_setup(cfg, "alice", &conf, &pc), 0);
	c->budget = (int64_t)pc.failures * pc.interval_ms + pc.timeout_ms;
	c->range = conf.random_range_ms;
	assert_int_equal(ds_sim_alloc(&sim, &conf, &pc, seed, &hooks), 0);
	c->sim = sim;
	for (size_t i = 0; i < g->n_faults; i++) {
		struct ds_fault f = g->faults[i];

		/* with BC off the agent has no servers at the peer site */
		if (f.name && ds_sim_target(sim, f.name, &f.slots) != 0)
			continue;
		assert_int_equal(ds_sim_add_fault(sim, &f), 0);
	}
	assert_int_equal(ds_sim_run_until(sim, (int64_t)CASE_HOURS * 3600 * 1000), 0);
	ds_sim_free(sim);
	ds_config_free(cfg);
	ds_diags_reset(&diags);
	return c->events;
}

static void test_random_invariants(void **state)
{
	const char *env_hours = getenv("DS_RANDOM_HOURS");
	const char *env_seed = getenv("DS_RANDOM_SEED");
	long hours = env_hours ? atol(env_hours) : 10000;
	uint64_t base = env_seed ? strtoull(env_seed, NULL, 10) : 20261124;
	char dir[] = "/tmp/dualsite-random-XXXXXX";
	static struct gen g;
	struct check c;
	uint64_t events = 0;
	long cases = (hours + CASE_HOURS - 1) / CASE_HOURS;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (long i = 0; i < cases; i++) {
		uint64_t seed = base + (uint64_t)i;

		gen_case(&g, seed);
		events += run_case(&g, seed, dir, &c);
		if (!c.failure[0] && i < 20) { /* the same case twice: the same events */
			uint64_t h = c.hash, n = c.events;

			run_case(&g, seed, dir, &c);
			if (c.hash != h || c.events != n)
				snprintf(c.failure, sizeof(c.failure), "not deterministic");
		}
		if (c.failure[0]) {
			char path[300];

			snprintf(path, sizeof(path), "%s/scenario.yaml", dir);
			write_scenario(&g, seed, path);
			for (unsigned j = c.n_recent > 32 ? c.n_recent - 32 : 0; j < c.n_recent; j++)
				fprintf(stderr, "%s\n", c.recent[j % 32]);
			fprintf(stderr, "random: seed %llu: %s\nreplay: dualsite simulate -c %s/config.yaml "
					"--scenario %s\n", (unsigned long long)seed, c.failure, dir, path);
			fail_msg("invariant violated (seed %llu)", (unsigned long long)seed);
		}
	}
	{
		char path[300];
		snprintf(path, sizeof(path), "%s/config.yaml", dir);
		remove(path);
		rmdir(dir);
	}
	printf("random: %ld cases, %ld simulated hours, %llu events, seeds %llu..%llu\n",
	       cases, cases * CASE_HOURS, (unsigned long long)events, (unsigned long long)base,
	       (unsigned long long)(base + (uint64_t)cases - 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_invariants),
	};
	return cmocka_run_group_tests_name("random", tests, NULL, NULL);
}
