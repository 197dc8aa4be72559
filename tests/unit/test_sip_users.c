/* Unit tests of validate/users.c: a SIP user shared by persons stops a run of both, not of one; a user that is no SIP user part stops it.
 *
 * The configuration goes through the real loader, from a file this test writes. */
#include "config_testlib.h"
#include <errno.h>
#include "dualsite/config.h"
#include "dualsite/net.h"
#include "dualsite/validate.h"

/* alice, carol and dave share 7001 (carol's is on line 25); bob has his own. */
static const char yaml[] =
	"application:\n"
	"  name: WS\n"
	"  connections: [SIP_X, SIP_Y, STAT_X, STAT_Y, CONF_X, CONF_Y]\n"
	"  options:\n"
	"    interaction-workspace:\n"
	"      disaster-recovery.enabled: true\n"
	"      disaster-recovery.preferred-site: SiteX\n"
	"      disaster-recovery.peer-site: SiteY\n"
	"      sipendpoint.proxies.proxy0.reregister_in_seconds: 30\n"
	"servers:\n"
	"  SIP_X: {kind: sip, host: 127.0.0.1, port: 5061, switch: SW_X, options: {interaction-workspace: {disaster-recovery.site: SiteX}}}\n"
	"  SIP_Y: {kind: sip, host: 127.0.0.1, port: 5071, switch: SW_Y, options: {interaction-workspace: {disaster-recovery.site: SiteY}}}\n"
	"  STAT_X: {kind: stat, host: 127.0.0.1, port: 7001, options: {interaction-workspace: {disaster-recovery.site: SiteX}}}\n"
	"  STAT_Y: {kind: stat, host: 127.0.0.1, port: 7011, options: {interaction-workspace: {disaster-recovery.site: SiteY}}}\n"
	"  CONF_X: {kind: config, host: 127.0.0.1, port: 2020, options: {interaction-workspace: {disaster-recovery.site: SiteX}}}\n"
	"  CONF_Y: {kind: config, host: 127.0.0.1, port: 2030, options: {interaction-workspace: {disaster-recovery.site: SiteY}}}\n"
	"switches: {SW_X: {}, SW_Y: {}}\n"
	"tenants: {Env: {}}\n"
	"places:\n"
	"  P1: {dns: [{switch: SW_X, number: \"7001\"}, {switch: SW_Y, number: \"7001\"}]}\n"
	"  P2: {dns: [{switch: SW_X, number: \"7002\"}, {switch: SW_Y, number: \"7002\"}]}\n"
	"persons:\n"
	"  alice: {tenant: Env, place: P1, sip: {user: \"7001\", password-env: A_PW}}\n"
	"  bob: {tenant: Env, place: P2, sip: {user: \"7002\", password-env: B_PW}}\n"
	"  carol: {tenant: Env, place: P1, sip: {user: \"7001\", password-env: C_PW}}\n"
	"  dave: {tenant: Env, place: P1, sip: {user: \"7001\", password-env: D_PW}}\n";

/* The configuration through the real loader, from a temporary file
 * (config_testlib.h). */
static int setup(void **state)
{
	struct loaded *l = calloc(1, sizeof(*l));

	if (!l || setup_dir(state))
		return -1;
	load_text(l, yaml);
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

/* The diagnostics that name a shared SIP user, and whether one names `pair`. */
static size_t shared(const struct ds_diags *d, const char *pair)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->v[i].msg, "share SIP user \"7001\"") &&
		    (!pair || strstr(d->v[i].msg, pair)))
			n++;
	return n;
}

static size_t check(struct loaded *f, const char *a, const char *b)
{
	const char *names[2] = {a, b};

	ds_diags_reset(&f->d);
	return ds_validate_agents(f->cfg, names, b ? 2 : 1, &f->d);
}

/* The whole configuration: carol and dave each repeat alice's user, at their own user. */
static void test_whole_config(void **state)
{
	struct loaded *f = *state;

	ds_diags_reset(&f->d);
	ds_validate(f->cfg, &f->d);
	assert_int_equal(f->d.errors, 2);
	assert_int_equal(shared(&f->d, NULL), 2);
	assert_int_equal(shared(&f->d, "persons alice and carol"), 1);
	assert_int_equal(shared(&f->d, "persons alice and dave"), 1);
	for (size_t i = 0; i < f->d.n; i++) {
		if (strstr(f->d.v[i].msg, "and carol")) {
			assert_string_equal(f->d.v[i].path, "persons/carol/sip/user");
			assert_int_equal(f->d.v[i].loc.line, 25);
		}
		assert_non_null(strstr(f->d.v[i].msg, "(touches 2 agents)"));
	}
}

/* Chosen agents: stopped only when two of them share a user. */
static void test_chosen(void **state)
{
	struct loaded *f = *state;

	assert_int_equal(check(f, "alice", NULL), 0);
	assert_int_equal(shared(&f->d, NULL), 0);
	assert_int_equal(check(f, "bob", "carol"), 0);
	assert_int_equal(check(f, "alice", "bob"), 0);
	assert_int_equal(check(f, "alice", "dave"), 1);
	assert_int_equal(shared(&f->d, "persons alice and dave"), 1);
	/* alice is not chosen: carol's user is then compared with dave's */
	assert_int_equal(check(f, "carol", "dave"), 1);
	assert_int_equal(shared(&f->d, NULL), 1);
	assert_int_equal(shared(&f->d, "persons carol and dave"), 1);
	ds_diags_reset(&f->d);
}

/* docs/behaviour.md §2.3 rule 13: validation refuses a SIP user with a CR/LF;
 * the network driver refuses it too, for a caller that did not validate,
 * before any REGISTER could carry it into To, From and Contact. */
static void test_net_refuses_bad_user(void **state)
{
	struct loaded *f = *state;
	struct ds_person *bob = ds_config_person(f->cfg, "bob");
	const struct ds_person *agents[1] = {bob};
	struct ds_net_conf nc = {.listen = "127.0.0.1:0"};
	struct ds_net *n = NULL;
	bool named = false;

	assert_non_null(bob);
	bob->sip_user = "7002\r\nX-Evil: x";
	ds_diags_reset(&f->d);
	assert_int_equal(ds_net_alloc(&n, f->cfg, agents, 1, &nc, &f->d), EINVAL);
	assert_null(n);
	for (size_t i = 0; i < f->d.n; i++)
		named |= strstr(f->d.v[i].msg, "agent 'bob': its SIP user is not a SIP user part") != NULL;
	assert_true(named);
	ds_diags_reset(&f->d);
	assert_int_not_equal(ds_validate_agents(f->cfg, (const char *[]){"bob"}, 1, &f->d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_whole_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chosen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_net_refuses_bad_user, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
