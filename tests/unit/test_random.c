/* Randomized simulation test: generated topologies, option values and fault
 * schedules, with every rule of docs/behaviour.md §3.2 checked both ways
 * (random_rules.h) after every engine step.
 *
 * Each case is written as a real configuration file and loaded through the
 * loader, the option hierarchy and the agent builder, so a failing case is
 * replayed by `dualsite simulate` from the files it leaves behind. Simulated
 * hours: DS_RANDOM_HOURS (default 10000); first seed: DS_RANDOM_SEED;
 * DS_RANDOM_VERBOSE=1 prints every happening, input and action as it runs.
 *
 * Mutation check (sh tests/unit/random_mutations.sh, 2026-11-29): each rule
 * broken in turn in a scratch copy of src/engine, this test run alone; the
 * check that caught it, at the default 10,000 hours:
 *   ha-never (no HA switch)             still on a member declared down, partner up
 *   ha-not-sticky (back to the primary) ha-switch while the member in use is up
 *   switchover-never                    still lost after timeout + delay
 *   switchover-as-oos (OOS, no move)    out of service while the other site is available
 *   timeout-ignored                     switchover before the timeout
 *   lost-not-back (pair back in time)   lost while its pair is up
 *   oos-never                           still lost after timeout + delay
 *   phone-loss-never                    registration lost, other site available, no switchover
 *   phone-wait-ignored                  phone-loss switchover before wait-for-sipphone-timeout
 *   hold-down-ignored                   auto-restore before the hold-down
 *   restore-never                       not home after hold-down + delay
 *   restore-during-call                 auto-restore during a call (restore-when-idle)
 *   restore-not-after-call              not home after the call ended
 *   retry-too-early                     REGISTER before reregister_in_seconds
 *   retry-never                         no REGISTER by its deadline
 *   refresh-late (at expiry)            no REGISTER by its deadline (half the expiry)
 *   refresh-early (at a quarter)        refreshed before half the expiry
 *   return-not-reregistered             no REGISTER by its deadline (pair back + delay)
 *   bc-off-switches                     out of service with BC off
 *   manual-ignored                      manual switchover not made, site available
 *   manual-no-suspend                   auto-restore while suspended
 *   random-delay-doubled                no REGISTER by its deadline (+ delay range)
 *   call-not-ended                      the call's site is down and the call goes on
 *   call-other-site-not-ended (a call   the call's site is down and the call goes on
 *     through the site not in use)
 *   drain-ignored (ds_available()       auto-restore before the hold-down (the
 *     ignores the drain; 2026-11-29)    preferred site is not ready while drained)
 * Not a mutant: "BC off registers at proxy1" (with BC off the engine's
 * configuration has no peer servers, so that guard changes nothing). */
#include <errno.h>
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
#include "random_rules.h"

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

struct check {          /* one case as it runs */
	const struct gen *g;
	const struct ds_sim *sim;
	struct rules r;         /* the rules of docs/behaviour.md §3.2 (random_rules.h) */
	char recent[32][160];   /* the last happenings, printed with a failure */
	unsigned n_recent;
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
			/* a third of the calls come through a given registration
			 * (dual mode: not always the connected site's) */
			add_fault(g, DS_FAULT_CALL_START, t, NULL, 0, 0);
			if (chance(&g->rng, 0.33)) {
				g->faults[g->n_faults - 1].via_proxy = true;
				g->faults[g->n_faults - 1].proxy = chance(&g->rng, 0.5);
			}
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
		case DS_FAULT_CALL_START:
			if (x->via_proxy)
				fprintf(f, "  - {at: %.3f, call: start, proxy: %d}\n", at, x->proxy);
			else
				fprintf(f, "  - {at: %.3f, call: start}\n", at);
			break;
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

static void remember(struct check *c, int64_t t, const char *text)
{
	if (c->r.failure[0])
		return; /* keep what led to the failure */
	if (getenv("DS_RANDOM_VERBOSE"))
		fprintf(stderr, "%10lld.%03lld  %s\n", (long long)(t / 1000), (long long)(t % 1000), text);
	snprintf(c->recent[c->n_recent++ % 32], sizeof(c->recent[0]), "%10lld.%03lld  %s",
		 (long long)(t / 1000), (long long)(t % 1000), text);
}

static void on_event(const struct ds_event *ev, void *arg)
{
	struct check *c = arg;
	char text[128];

	ds_event_text(ev, ds_sim_conf(c->sim), text, sizeof(text));
	remember(c, ev->t, text);
	c->events++;
	c->hash = (c->hash ^ (uint64_t)ev->t ^ ((uint64_t)ev->type << 40) ^
		   ((uint64_t)ev->kind << 48)) * 0x100000001b3ull;
	rules_event(&c->r, ev);
}

static void on_note(const struct ds_sim_note *n, void *arg)
{
	struct check *c = arg;

	remember(c, n->t, n->text);
}

static void on_input(const struct ds_input *in, void *arg)
{
	struct check *c = arg;

	if (getenv("DS_RANDOM_VERBOSE")) {
		char text[80];
		snprintf(text, sizeof(text), "(input %d proxy%d seq %u code %d mask %04x)", in->type,
			 in->proxy, in->seq, in->code, in->up_mask);
		remember(c, in->t, text);
	}
	rules_input(&c->r, in);
}

static void on_action(const struct ds_action *a, int64_t t, void *arg)
{
	struct check *c = arg;

	if (getenv("DS_RANDOM_VERBOSE")) {
		char text[64];
		snprintf(text, sizeof(text), "(action %d proxy%d seq %u slot %d)", a->type, a->proxy,
			 a->seq, a->slot);
		remember(c, t, text);
	}
	rules_action(&c->r, a, t);
}

/* The probes (the simulator's part): never connected to a server that has
 * been silent for longer than the probe budget. */
static void on_step(const struct ds_sim *sim, int64_t t, void *arg)
{
	struct check *c = arg;
	const struct gen *g = c->g;
	const struct ds_engine *e = ds_sim_engine(sim);

	rules_step(&c->r, t, true);
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		struct ds_conn_view v;
		struct ds_sim_server_view sv;

		if ((k == DS_KIND_STAT && !g->stat) || (k == DS_KIND_CONFIG && !g->conf))
			continue;
		ds_engine_conn(e, k, &v);
		if (v.state != DS_CONN_CONNECTED)
			continue;
		ds_sim_server(sim, DS_SLOT(k, v.site, v.member), &sv);
		if (!sv.up && t - sv.since > c->r.budget)
			rule_fail(&c->r, "%s uses %s, down for %lld ms (probe budget %lld ms)",
				  ds_kind_name(k), slot_names[DS_SLOT(k, v.site, v.member)],
				  (long long)(t - sv.since), (long long)c->r.budget);
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
	int err;
	struct ds_sim_hooks hooks = {.event_h = on_event, .note_h = on_note, .input_h = on_input,
				     .action_h = on_action, .step_h = on_step, .arg = c};

	memset(c, 0, sizeof(*c));
	c->g = g;
	snprintf(cfg_path, sizeof(cfg_path), "%s/config.yaml", dir);
	assert_int_equal(write_config(g, cfg_path), 0);
	assert_int_equal(ds_config_load(&cfg, cfg_path, &diags), 0);
	ds_validate(cfg, &diags);
	if (diags.errors)
		ds_diags_print(stderr, &diags);
	assert_int_equal(diags.errors, 0);
	assert_int_equal(ds_sim_setup(cfg, "alice", &conf, &pc), 0);
	assert_int_equal(ds_sim_alloc(&sim, &conf, &pc, seed, &hooks), 0);
	c->sim = sim;
	rules_init(&c->r, sim, &pc);
	for (size_t i = 0; i < g->n_faults; i++) {
		struct ds_fault f = g->faults[i];

		/* with BC off the agent has no servers at the peer site */
		if (f.name && ds_sim_target(sim, f.name, &f.slots) != 0)
			continue;
		assert_int_equal(ds_sim_add_fault(sim, &f), 0);
	}
	err = ds_sim_run_until(sim, (int64_t)CASE_HOURS * 3600 * 1000);
	if (err)
		rule_fail(&c->r, "the simulation stopped: %s", err == ELOOP ?
			  "one instant never ends (ELOOP)" : strerror(err));
	/* the deadlines once more at the end: a rule that never fired is caught
	 * even when nothing else happened after its deadline */
	rules_step(&c->r, (int64_t)CASE_HOURS * 3600 * 1000, false);
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
	const char *tmpdir = getenv("TMPDIR");
	char dir[256];
	static struct gen g;
	struct check c;
	uint64_t events = 0;
	long cases = (hours + CASE_HOURS - 1) / CASE_HOURS;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/dualsite-random-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	assert_non_null(mkdtemp(dir));
	for (long i = 0; i < cases; i++) {
		uint64_t seed = base + (uint64_t)i;

		gen_case(&g, seed);
		events += run_case(&g, seed, dir, &c);
		if (!c.r.failure[0] && i < 20) { /* the same case twice: the same events */
			uint64_t h = c.hash, n = c.events;

			run_case(&g, seed, dir, &c);
			if (c.hash != h || c.events != n)
				snprintf(c.r.failure, sizeof(c.r.failure), "not deterministic");
		}
		if (c.r.failure[0]) {
			char path[300];

			snprintf(path, sizeof(path), "%s/scenario.yaml", dir);
			write_scenario(&g, seed, path);
			for (unsigned j = c.n_recent > 32 ? c.n_recent - 32 : 0; j < c.n_recent; j++)
				fprintf(stderr, "%s\n", c.recent[j % 32]);
			fprintf(stderr, "random: seed %llu: %s\nreplay: dualsite simulate -c %s/config.yaml "
					"--scenario %s\n", (unsigned long long)seed, c.r.failure, dir, path);
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
