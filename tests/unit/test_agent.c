/* Unit tests of src/agent: which servers and values an agent's engine gets; what stops `run --agent`.
 *
 * The configuration goes through the real loader (the agent builder needs its
 * name indexes), from a file this test writes. */
#include "config_testlib.h"
#include "dualsite/agent.h"
#include "dualsite/validate.h"

static const char yaml[] =
	"application:\n"
	"  name: WS\n"
	"  connections: [SIP_X, SIP_Y, SIP_X2, SIP_Y2, STAT_X, CONF_X, CONF_Y]\n"
	"  options:\n"
	"    interaction-workspace:\n"
	"      disaster-recovery.enabled: true\n"
	"      disaster-recovery.preferred-site: SiteX\n"
	"      disaster-recovery.peer-site: SiteY\n"
	"      sipendpoint.proxies.proxy0.reregister_in_seconds: 45\n"
	"      dualsite.probe-interval: 0.5\n"
	"      dualsite.probe-timeout: 0.25\n"
	"      dualsite.probe-failures: 3\n"
	"      dualsite.register-timeout: 1.5\n"
	"servers:\n"
	"  SIP_X:  {kind: sip, host: 127.0.0.1, port: 5061, switch: SW_X, backup: SIP_XB,\n"
	"           options: {interaction-workspace: {disaster-recovery.site: SiteX, disaster-recovery.name: east}}}\n"
	"  SIP_XB: {kind: sip, host: 127.0.0.1, port: 5062, switch: SW_X,\n"
	"           options: {interaction-workspace: {disaster-recovery.site: SiteX}}}\n"
	"  SIP_Y:  {kind: sip, host: 127.0.0.1, port: 5071, switch: SW_Y,\n"
	"           options: {interaction-workspace: {disaster-recovery.site: SiteY, disaster-recovery.name: east}}}\n"
	"  SIP_X2: {kind: sip, host: 127.0.0.1, port: 5063, switch: SW_X2,\n"
	"           options: {interaction-workspace: {disaster-recovery.site: SiteX, disaster-recovery.name: west}}}\n"
	"  SIP_Y2: {kind: sip, host: 127.0.0.1, port: 5073, switch: SW_Y2, backup: SIP_Y2B,\n"
	"           options: {interaction-workspace: {disaster-recovery.site: SiteY, disaster-recovery.name: west}}}\n"
	"  SIP_Y2B: {kind: sip, host: 127.0.0.1, port: 5074, switch: SW_Y2,\n"
	"           options: {interaction-workspace: {disaster-recovery.site: SiteY}}}\n"
	"  STAT_X: {kind: stat, host: 127.0.0.1, port: 7001,\n"
	"           options: {interaction-workspace: {disaster-recovery.site: SiteX}}}\n"
	"  CONF_X: {kind: config, host: 127.0.0.1, port: 2020,\n"
	"           options: {interaction-workspace: {disaster-recovery.site: SiteX}}}\n"
	"  CONF_Y: {kind: config, host: 127.0.0.1, port: 2030,\n"
	"           options: {interaction-workspace: {disaster-recovery.site: SiteY}}}\n"
	"switches: {SW_X: {}, SW_Y: {}, SW_X2: {}, SW_Y2: {}}\n"
	"tenants: {Env: {}}\n"
	"places:\n"
	"  P1: {dns: [{switch: SW_X, number: \"7001\"}, {switch: SW_Y, number: \"7001\"}]}\n"
	"  P2: {dns: [{switch: SW_X2, number: \"7002\"}, {switch: SW_Y2, number: \"7002\"}]}\n"
	"persons:\n"
	"  alice: {tenant: Env, place: P1, sip: {user: \"7001\", password-env: A_PW},\n"
	"          options: {interaction-workspace: {disaster-recovery.timeout: 90,\n"
	"                    dualsite.restore-hold-down: 0.75, sipendpoint.proxies.proxy1.reg_timeout: 0}}}\n"
	"  bob: {tenant: Env, place: P2, sip: {user: \"7002\", password-env: B_PW},\n"
	"        options: {interaction-workspace: {dualsite.registration-mode: SINGLE,\n"
	"                  disaster-recovery.preferred-site: SiteY, disaster-recovery.peer-site: SiteX}}}\n"
	"  carol: {tenant: Env, place: P1, sip: {user: \"7001\", password-env: C_PW},\n"
	"          options: {interaction-workspace: {disaster-recovery.enabled: false}}}\n"
	"  dave: {tenant: Env, place: P1, sip: {user: \"7001\", password-env: D_PW},\n"
	"         options: {interaction-workspace: {disaster-recovery.peer-site: SiteQ}}}\n";

/* The configuration through the real loader, from a temporary file
 * (config_testlib.h). */
static int setup(void **state)
{
	struct loaded *l = calloc(1, sizeof(*l));

	if (!l || setup_dir(state))
		return -1;
	load_text(l, yaml);
	if (!l->err)
		ds_options_check(l->cfg, &l->d);  /* values are parsed here, not by the loader */
	if (l->err || !l->cfg || l->d.errors) {
		ds_diags_print(stderr, &l->d);
		return -1;
	}
	*state = l;
	return 0;
}

static int teardown(void **state)
{
	unload(*state);
	free(*state);
	return teardown_dir(state);
}

static int build(const struct loaded *f, const char *name, struct ds_engine_conf *c)
{
	const struct ds_person *p = ds_config_person(f->cfg, name);
	struct ds_effective eff;

	assert_non_null(p);
	ds_options_resolve(f->cfg, p, &eff);
	return ds_agent_build(f->cfg, p, &eff, c);
}

static void assert_slot(const struct ds_engine_conf *c, int kind, int site, int member,
			const struct loaded *f, const char *name)
{
	int slot = DS_SLOT(kind, site, member);

	if (!name) {
		assert_null(c->server_name[slot]);
		assert_int_equal(c->server_id[slot], -1);
		return;
	}
	assert_non_null(c->server_name[slot]);
	assert_string_equal(c->server_name[slot], name);
	assert_int_equal(c->server_id[slot], ds_config_server(f->cfg, name)->index);
}

/* alice: the east pair by her DN's switch; values converted to ms. */
static void test_alice(void **state)
{
	const struct loaded *f = *state;
	struct ds_engine_conf c;

	assert_int_equal(build(f, "alice", &c), 0);
	assert_string_equal(c.agent, "alice");
	assert_true(c.bc_enabled);
	assert_string_equal(c.site_name[0], "SiteX");
	assert_string_equal(c.site_name[1], "SiteY");
	assert_slot(&c, DS_KIND_SIP, 0, 0, f, "SIP_X");
	assert_slot(&c, DS_KIND_SIP, 0, 1, f, "SIP_XB");
	assert_slot(&c, DS_KIND_SIP, 1, 0, f, "SIP_Y");
	assert_slot(&c, DS_KIND_SIP, 1, 1, f, NULL);
	assert_slot(&c, DS_KIND_STAT, 0, 0, f, "STAT_X");
	assert_slot(&c, DS_KIND_STAT, 1, 0, f, NULL);   /* rule 5: a warning for stat */
	assert_slot(&c, DS_KIND_CONFIG, 0, 0, f, "CONF_X");
	assert_slot(&c, DS_KIND_CONFIG, 1, 0, f, "CONF_Y");
	assert_true(c.kind_connected[DS_KIND_SIP] && c.kind_connected[DS_KIND_STAT] &&
		    c.kind_connected[DS_KIND_CONFIG]);
	assert_int_equal(c.timeout_ms, 90000);
	assert_int_equal(c.sipphone_wait_ms, 20000);
	assert_int_equal(c.hold_down_ms, 750);
	assert_int_equal(c.random_range_ms, 2000);
	assert_int_equal(c.binding_check_ms, 0);
	assert_int_equal(c.reregister_ms[0], 45000);
	assert_int_equal(c.reregister_ms[1], 3600000);
	assert_int_equal(c.reg_expires[0], 1800);
	assert_int_equal(c.reg_expires[1], 0);
	assert_true(c.auto_restore);
	assert_true(c.restore_when_idle);
	assert_false(c.single_mode);
}

/* bob: prefers SiteY; two pairs there, his DN picks west; its peer is west at SiteX. */
static void test_bob(void **state)
{
	const struct loaded *f = *state;
	struct ds_engine_conf c;

	assert_int_equal(build(f, "bob", &c), 0);
	assert_string_equal(c.site_name[0], "SiteY");
	assert_string_equal(c.site_name[1], "SiteX");
	assert_slot(&c, DS_KIND_SIP, 0, 0, f, "SIP_Y2");
	assert_slot(&c, DS_KIND_SIP, 0, 1, f, "SIP_Y2B");
	assert_slot(&c, DS_KIND_SIP, 1, 0, f, "SIP_X2");
	assert_slot(&c, DS_KIND_STAT, 0, 0, f, NULL);
	assert_slot(&c, DS_KIND_STAT, 1, 0, f, "STAT_X");
	assert_slot(&c, DS_KIND_CONFIG, 0, 0, f, "CONF_Y");
	assert_true(c.single_mode);
	assert_int_equal(c.reg_expires[1], 1800);
}

/* carol: BC off: one site, proxy0 only. */
static void test_bc_off(void **state)
{
	const struct loaded *f = *state;
	struct ds_engine_conf c;

	assert_int_equal(build(f, "carol", &c), 0);
	assert_false(c.bc_enabled);
	assert_string_equal(c.site_name[0], "SiteX");
	assert_null(c.site_name[1]);
	assert_slot(&c, DS_KIND_SIP, 0, 0, f, "SIP_X");
	for (int k = 0; k < DS_KIND_COUNT; k++)
		for (int m = 0; m < 2; m++)
			assert_slot(&c, k, 1, m, f, NULL);
	assert_int_equal(c.reg_expires[1], 0);
	/* BC off with a preferred site: every kind names that site */
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		assert_string_equal(ds_site_name(&c, (enum ds_kind)k, 0), "SiteX");
		assert_null(ds_site_name(&c, (enum ds_kind)k, 1));
	}
}

/* BC off and no preferred site: each kind uses, and names, the site of its
 * own first connected server, not the SIP Server's. */
static void test_bc_off_own_sites(void **state)
{
	static const char text[] =
		"application:\n"
		"  name: WS\n"
		"  connections: [SIP_Y, STAT_X, STAT_Y, CONF_Y, SIP_X]\n"
		"servers:\n"
		"  SIP_X:  {kind: sip, host: 127.0.0.1, port: 5061, switch: SW_X,\n"
		"           options: {interaction-workspace: {disaster-recovery.site: SiteX}}}\n"
		"  SIP_Y:  {kind: sip, host: 127.0.0.1, port: 5071, switch: SW_Y,\n"
		"           options: {interaction-workspace: {disaster-recovery.site: SiteY}}}\n"
		"  STAT_X: {kind: stat, host: 127.0.0.1, port: 7001,\n"
		"           options: {interaction-workspace: {disaster-recovery.site: SiteX}}}\n"
		"  STAT_Y: {kind: stat, host: 127.0.0.1, port: 7002,\n"
		"           options: {interaction-workspace: {disaster-recovery.site: SiteY}}}\n"
		"  CONF_Y: {kind: config, host: 127.0.0.1, port: 2030,\n"
		"           options: {interaction-workspace: {disaster-recovery.site: SiteY}}}\n"
		"switches: {SW_X: {}, SW_Y: {}}\n"
		"places:\n"
		"  P1: {dns: [{switch: SW_X, number: \"7001\"}, {switch: SW_Y, number: \"7001\"}]}\n"
		"persons:\n"
		"  erin: {place: P1, sip: {user: \"7001\", password-env: E_PW}}\n";
	struct loaded l = {0};
	struct ds_engine_conf c;

	(void)state;
	load_text(&l, text);
	assert_int_equal(l.err, 0);
	ds_options_check(l.cfg, &l.d);
	assert_int_equal(l.d.errors, 0);
	assert_int_equal(build(&l, "erin", &c), 0);
	assert_false(c.bc_enabled);
	assert_slot(&c, DS_KIND_SIP, 0, 0, &l, "SIP_Y");
	assert_slot(&c, DS_KIND_STAT, 0, 0, &l, "STAT_X");
	assert_slot(&c, DS_KIND_CONFIG, 0, 0, &l, "CONF_Y");
	assert_string_equal(ds_site_name(&c, DS_KIND_SIP, 0), "SiteY");
	assert_string_equal(ds_site_name(&c, DS_KIND_STAT, 0), "SiteX");
	assert_string_equal(ds_site_name(&c, DS_KIND_CONFIG, 0), "SiteY");
	for (int k = 0; k < DS_KIND_COUNT; k++)
		assert_null(ds_site_name(&c, (enum ds_kind)k, 1));
	/* the agent's own site (registrations, calls) is the SIP Server's */
	assert_string_equal(c.site_name[0], "SiteY");
	unload(&l);
}

/* dave: the peer site matches no server: he cannot run, and validation says why. */
static void test_cannot_run(void **state)
{
	struct loaded *f = *state;
	struct ds_engine_conf c;
	struct ds_diags d = {0};
	const char *alice = "alice", *dave = "dave", *nobody = "alcie";
	size_t n;

	assert_int_equal(build(f, "dave", &c), EINVAL);
	assert_int_equal(ds_validate_agents(f->cfg, &alice, 1, &d), 0);
	assert_true(d.errors >= 1);   /* dave's error is reported all the same */
	ds_diags_reset(&d);
	assert_true(ds_validate_agents(f->cfg, &dave, 1, &d) >= 1);
	ds_diags_reset(&d);
	n = ds_validate_agents(f->cfg, &nobody, 1, &d);
	assert_true(n >= 1);
	assert_non_null(strstr(d.v[0].msg, "did you mean `alice`?"));
	ds_diags_reset(&d);
}

static void test_probe_conf(void **state)
{
	const struct loaded *f = *state;
	struct ds_probe_conf pc;

	ds_probe_conf_get(f->cfg, &pc);
	assert_int_equal(pc.interval_ms, 500);
	assert_int_equal(pc.timeout_ms, 250);
	assert_int_equal(pc.failures, 3);
	assert_int_equal(pc.register_timeout_ms, 1500);
}

/* A small generator of configurations, right and wrong, for the property below. */
static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static const char *pick(uint64_t *x, const char *const *v, size_t n)
{
	return v[rnd(x) % n];
}

static void gen_config(FILE *f, uint64_t *x)
{
	static const char *const sites[] = {"SiteX", "SiteY", "SiteZ", NULL};
	static const char *const names[] = {"east", "west", NULL};
	static const char *const sws[] = {"SW_X", "SW_Y", "SW_Q"};
	static const char *const kinds[] = {"sip", "stat", "config"};
	static const char *const bools[] = {"true", "false"};
	int n_srv = 4 + (int)(rnd(x) % 6);

	fprintf(f, "application:\n  name: WS\n  connections: [");
	for (int i = 0, first = 1; i < n_srv; i++)
		if (rnd(x) % 4) {
			fprintf(f, "%sS%d", first ? "" : ", ", i);
			first = 0;
		}
	fprintf(f, "]\n  options: {interaction-workspace: {disaster-recovery.enabled: %s",
		pick(x, bools, 2));
	for (int k = 0; k < 2; k++) {
		const char *s = pick(x, sites, 4);

		if (s)
			fprintf(f, ", disaster-recovery.%s-site: %s", k ? "peer" : "preferred", s);
	}
	fprintf(f, "}}\nservers:\n");
	for (int i = 0; i < n_srv; i++) {
		const char *site = pick(x, sites, 4), *nm = pick(x, names, 3);

		fprintf(f, "  S%d: {kind: %s, host: 127.0.0.1, port: %d, switch: %s", i,
			i < 2 || rnd(x) % 2 ? "sip" : pick(x, kinds, 3), 5000 + i, pick(x, sws, 3));
		if (rnd(x) % 3 == 0)
			fprintf(f, ", backup: S%d", (int)(rnd(x) % (uint64_t)n_srv));
		fprintf(f, ", options: {interaction-workspace: {");
		if (site)
			fprintf(f, "disaster-recovery.site: %s%s", site, nm ? ", " : "");
		if (nm)
			fprintf(f, "disaster-recovery.name: %s", nm);
		fprintf(f, "}}}\n");
	}
	fprintf(f, "switches: {SW_X: {}, SW_Y: {}, SW_Q: {}}\nplaces:\n");
	for (int i = 0; i < 3; i++)
		fprintf(f, "  P%d: {dns: [{switch: %s, number: \"70%d\"}, {switch: %s, number: \"70%d\"}]}\n",
			i, pick(x, sws, 3), i, pick(x, sws, 3), (int)(rnd(x) % 2) ? i : 9);
	fprintf(f, "persons:\n");
	for (int i = 0; i < 3; i++) {
		const char *s = pick(x, sites, 4);

		fprintf(f, "  a%d: {place: P%d, sip: {user: \"70%d\", password-env: PW}, "
			"options: {interaction-workspace: {disaster-recovery.enabled: %s%s%s}}}\n",
			i, i, i, pick(x, bools, 2), s ? ", disaster-recovery.peer-site: " : "", s ? s : "");
	}
}

/* The promise `run --agent A` relies on: when no error touches A, A's engine
 * can be built; when it cannot, validation says why. (Not the converse:
 * validation also refuses what would build but run wrong, e.g. a place
 * without the agent's DN at one site.) */
static void test_validate_iff_build(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t runnable = 0, stopped = 0;

	(void)state;
	for (int iter = 0; iter < 1500; iter++) {
		char path[64];
		struct ds_config *cfg = NULL;
		struct ds_diags d = {0};
		FILE *f;
		int fd;

		snprintf(path, sizeof(path), "/tmp/ds-test-agent-XXXXXX");
		fd = mkstemp(path);
		assert_true(fd >= 0);
		f = fdopen(fd, "w");
		assert_non_null(f);
		gen_config(f, &x);
		fclose(f);
		if (ds_config_load(&cfg, path, &d) == 0 && d.errors == 0) {
			for (size_t i = 0; i < cfg->n_persons; i++) {
				const struct ds_person *p = &cfg->persons[i];
				const char *name = p->name;
				struct ds_diags d2 = {0};
				struct ds_effective eff;
				struct ds_engine_conf c;
				size_t errs = ds_validate_agents(cfg, &name, 1, &d2);
				int rc;

				ds_options_resolve(cfg, p, &eff);
				rc = ds_agent_build(cfg, p, &eff, &c);
				if (errs == 0 && rc != 0) {
					ds_diags_print(stderr, &d2);
					fail_msg("iteration %d, agent %s: %zu errors but build %d (%s kept)",
						 iter, name, errs, rc, path);
				}
				if (errs == 0)
					runnable++;
				if (rc != 0)
					stopped++;
				ds_diags_reset(&d2);
			}
		}
		ds_config_free(cfg);
		ds_diags_reset(&d);
		unlink(path);
	}
	/* The generator must exercise both outcomes to prove anything. */
	assert_true(runnable > 50);
	assert_true(stopped > 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bob, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bc_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bc_off_own_sites, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cannot_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_conf, setup, teardown),
		cmocka_unit_test(test_validate_iff_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
