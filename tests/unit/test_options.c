/* Unit tests of src/options: the table, parsing (rules 8, 11), the hierarchy (docs/behaviour.md §2.1), formatting.
 *
 * Configurations are built by hand here (no YAML): ds_options_check() and
 * ds_options_resolve() read only the object model, so each case states
 * exactly which object sets what. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "dualsite/options.h"

#define OPT(n, t) {.name = (n), .text = (t), .id = -1, .path = "test/" n, \
		   .is_bool_literal = (t) && (!strcmp((t), "true") || !strcmp((t), "false"))}

static void test_table(void **state)
{
	(void)state;
	for (int i = 0; i < DS_OPT_COUNT; i++) {
		const struct ds_option_def *d = &ds_option_defs[i];

		assert_non_null(d->name);
		assert_non_null(d->help);
		assert_int_equal(ds_option_find(d->name), i);
		assert_true(!strncmp(d->name, "disaster-recovery.", 18) ||
			    !strncmp(d->name, "sipendpoint.", 12) || !strncmp(d->name, "dualsite.", 9));
		if (d->type == DS_OT_ENUM)
			assert_non_null(d->enums);
		if (d->type == DS_OT_INT || d->type == DS_OT_DECIMAL)
			assert_true(d->min <= d->max);
		/* docs/behaviour.md §2.2: only dualsite.* durations take decimals. */
		if (d->type == DS_OT_DECIMAL)
			assert_int_equal(strncmp(d->name, "dualsite.", 9), 0);
	}
	assert_int_equal(ds_option_find("disaster-recovery.timout"), -1);
	assert_int_equal(ds_option_find(NULL), -1);
	assert_int_equal(ds_option_defs[DS_OPT_PROBE_INTERVAL].scope, DS_SCOPE_APP_ONLY);
	assert_int_equal(ds_option_defs[DS_OPT_REGISTER_TIMEOUT].scope, DS_SCOPE_AGENT);
	assert_int_equal(ds_option_defs[DS_OPT_DR_SITE].scope, DS_SCOPE_SERVER);
	assert_int_equal(ds_option_defs[DS_OPT_DR_NAME].scope, DS_SCOPE_SERVER);
}

/* Every default parses (they are written as text in the table) and lies in range. */
static void test_defaults(void **state)
{
	struct ds_config cfg = {.app = {.name = "App"}};
	struct ds_effective eff;

	(void)state;
	ds_options_resolve(&cfg, NULL, &eff);
	for (int i = 0; i < DS_OPT_COUNT; i++) {
		const struct ds_option_def *d = &ds_option_defs[i];

		if (d->scope == DS_SCOPE_SERVER || !d->def) {
			assert_false(eff.v[i].set);
			continue;
		}
		assert_true(eff.v[i].set);
		assert_int_equal(eff.v[i].src, DS_SRC_DEFAULT);
		if (d->type == DS_OT_INT || d->type == DS_OT_DECIMAL) {
			assert_true(eff.v[i].v.d >= d->min);
			assert_true(eff.v[i].v.d <= d->max);
		}
	}
	/* The ones docs/behaviour.md §2.2 spells out. */
	assert_false(eff.v[DS_OPT_DR_ENABLED].v.b);
	assert_true(eff.v[DS_OPT_DR_AUTO_RESTORE].v.b);
	assert_true(eff.v[DS_OPT_DR_TIMEOUT].v.d == 60);
	assert_true(eff.v[DS_OPT_P0_REREGISTER].v.d == 3600);
	assert_true(eff.v[DS_OPT_P1_REG_TIMEOUT].v.d == 1800);
	assert_true(eff.v[DS_OPT_REGISTER_TIMEOUT].v.d == 8);
	assert_string_equal(ds_option_defs[DS_OPT_TRANSPORT].enums[eff.v[DS_OPT_TRANSPORT].v.e], "UDP");
}

struct parse_case {
	const char *name, *text;
	bool valid;
	double d;          /* numbers; enums: the index; bools: 0/1 */
	const char *msg;   /* a part of the message when invalid */
};

static const struct parse_case parse_cases[] = {
	{"disaster-recovery.timeout", "60", true, 60, NULL},
	{"disaster-recovery.timeout", "1", true, 1, NULL},
	{"disaster-recovery.timeout", "86400", true, 86400, NULL},
	{"disaster-recovery.timeout", "-5", false, 0,
	 "`disaster-recovery.timeout` is -5; expected a whole number 1..86400"},
	{"disaster-recovery.timeout", "0", false, 0, "expected a whole number 1..86400"},
	{"disaster-recovery.timeout", "1.5", false, 0, "is `1.5`; expected a whole number"},
	{"disaster-recovery.timeout", "1e3", false, 0, "is `1e3`"},
	{"disaster-recovery.timeout", "", false, 0, "has no value"},
	{"disaster-recovery.timeout", NULL, false, 0, "is not a single value"},
	{"sipendpoint.sbc-register-port", "65535", true, 65535, NULL},
	{"sipendpoint.sbc-register-port", "65536", false, 0, "expected a whole number 0..65535"},
	{"dualsite.answer-delay", "0.5", true, 0.5, NULL},
	{"dualsite.probe-interval", "0.05", true, 0.05, NULL},
	{"dualsite.probe-interval", "0.01", false, 0, "is 0.01; expected a number 0.05..3600"},
	{"dualsite.probe-failures", "2.5", false, 0, "expected a whole number 1..100"},
	{"disaster-recovery.enabled", "true", true, 1, NULL},
	{"disaster-recovery.enabled", "false", true, 0, NULL},
	{"disaster-recovery.enabled", "yes", false, 0, "is `yes`; YAML 1.2 booleans are true/false"},
	{"disaster-recovery.enabled", "ON", false, 0, "YAML 1.2 booleans are true/false"},
	{"disaster-recovery.enabled", "maybe", false, 0, "expected true or false"},
	{"sipendpoint.transport-protocol", "tcp", true, 1, NULL},
	{"sipendpoint.transport-protocol", "TLS", true, 2, NULL},
	{"sipendpoint.transport-protocol", "sctp", false, 0, "expected one of UDP, TCP, TLS"},
	{"dualsite.registration-mode", "Single", true, 1, NULL},
	{"sipendpoint.sbc-register-address", "sbc.example.net", true, 0, NULL},
	{"sipendpoint.sbc-register-address", "sip:sbc;lr", false, 0, "expected a host name"},
	{"disaster-recovery.preferred-site", "Site X", true, 0, NULL},
	{"disaster-recovery.preferred-site", "", false, 0, "is empty"},
};

static void test_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct ds_opt o = OPT("x", c->text);
		struct ds_config cfg = {.app = {.name = "App", .opts = {&o, 1}}};
		struct ds_diags d = {0};
		const struct ds_option_def *def;

		o.name = c->name;
		ds_options_check(&cfg, &d);
		assert_int_equal(o.id, ds_option_find(c->name));
		if (o.valid != c->valid)
			fail_msg("case %zu: %s = %s: valid %d, expected %d", i, c->name,
				 c->text ? c->text : "(map)", o.valid, c->valid);
		def = &ds_option_defs[o.id];
		if (c->valid) {
			assert_int_equal(d.n, 0);
			if (def->type == DS_OT_INT || def->type == DS_OT_DECIMAL)
				assert_true(o.value.d == c->d);
			else if (def->type == DS_OT_BOOL)
				assert_int_equal(o.value.b, c->d != 0);
			else if (def->type == DS_OT_ENUM)
				assert_int_equal(o.value.e, (int)c->d);
			else
				assert_string_equal(o.value.s, c->text);
		} else {
			assert_int_equal(d.n, 1);
			assert_int_equal(d.errors, 1);
			assert_int_equal(d.v[0].sev, DS_SEV_ERROR);
			assert_string_equal(d.v[0].path, o.path);
			if (!strstr(d.v[0].msg, c->msg))
				fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, d.v[0].msg, c->msg);
		}
		ds_diags_reset(&d);
	}
}

/* Unknown names: a warning with the closest name for our prefixes, silence for Workspace's. */
static void test_unknown_and_misplaced(void **state)
{
	struct ds_opt app[] = {OPT("disaster-recovery.timout", "5"), OPT("voice.auto-answer", "true"),
			       OPT("dualsite.probe-interval", "1")};
	struct ds_opt ten[] = {OPT("dualsite.probe-interval", "0.5"), OPT("disaster-recovery.site", "X")};
	struct ds_opt srv[] = {OPT("disaster-recovery.site", "SiteX"), OPT("disaster-recovery.timeout", "5")};
	struct ds_tenant t = {.name = "T", .opts = {ten, 2}};
	struct ds_server s = {.name = "S", .opts = {srv, 2}};
	struct ds_config cfg = {.app = {.name = "App", .opts = {app, 3}}, .tenants = &t, .n_tenants = 1,
				.servers = &s, .n_servers = 1};
	struct ds_diags d = {0};

	(void)state;
	ds_options_check(&cfg, &d);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.n, 4);
	assert_non_null(strstr(d.v[0].msg, "did you mean `disaster-recovery.timeout`?"));
	assert_int_equal(app[1].id, -1);      /* Workspace's own option: left alone */
	assert_true(app[2].valid);            /* probe option on the Application: fine */
	assert_false(ten[0].valid);           /* ... on a tenant: ignored */
	assert_non_null(strstr(d.v[1].msg, "Application alone"));
	assert_false(ten[1].valid);           /* a server's option on a tenant */
	assert_non_null(strstr(d.v[2].msg, "belongs on a server"));
	assert_true(srv[0].valid);
	assert_false(srv[1].valid);           /* an agent's option on a server */
	assert_non_null(strstr(d.v[3].msg, "on a server it is ignored"));
	ds_diags_reset(&d);
}

/* docs/behaviour.md §2.3 rules 12 and 15: a known name in another case or with
 * other separators is an error naming the option, and stops the agents that
 * read it (id kept, not valid); a quoted boolean or number is an error; a
 * quoted name or choice is a string as it should be. */
static void test_near_miss_and_quoted(void **state)
{
	struct ds_opt app[] = {OPT("disaster_recovery.enabled", "true"),
			       OPT("Disaster-Recovery.Timeout", "60"),
			       OPT("SIPENDPOINT.PROXIES.PROXY0.REREGISTER-IN-SECONDS", "30"),
			       OPT("disaster-recovery.enabeld", "true"),
			       OPT("disaster-recovery.auto-restore", "false"),
			       OPT("dualsite.probe-timeout", "0.5"),
			       OPT("dualsite.registration-mode", "dual"),
			       OPT("disaster-recovery.preferred-site", "SiteX")};
	struct ds_config cfg = {.app = {.name = "App", .opts = {app, 8}}};
	struct ds_diags d = {0};

	(void)state;
	for (int i = 4; i < 8; i++)
		app[i].quoted = true;
	ds_options_check(&cfg, &d);
	assert_int_equal(d.n, 6);
	assert_int_equal(d.errors, 5);
	assert_int_equal(app[0].id, DS_OPT_DR_ENABLED);
	assert_false(app[0].valid);
	assert_non_null(strstr(d.v[0].msg, "`disaster_recovery.enabled` would be ignored: "
			       "the option is `disaster-recovery.enabled`"));
	assert_int_equal(d.v[0].sev, DS_SEV_ERROR);
	assert_int_equal(app[1].id, DS_OPT_DR_TIMEOUT);
	assert_non_null(strstr(d.v[1].msg, "the option is `disaster-recovery.timeout`"));
	assert_int_equal(app[2].id, DS_OPT_P0_REREGISTER);
	/* a real misspelling stays rule 11's warning */
	assert_int_equal(app[3].id, -1);
	assert_int_equal(d.v[3].sev, DS_SEV_WARNING);
	assert_false(app[4].valid);
	assert_non_null(strstr(d.v[4].msg, "written in quotes (\"false\"), which makes it a "
			       "string, not a boolean; drop the quotes"));
	assert_false(app[5].valid);
	assert_non_null(strstr(d.v[5].msg, "not a number; drop the quotes: "
			       "`dualsite.probe-timeout: 0.5`"));
	assert_true(app[6].valid);
	assert_true(app[7].valid);
	ds_diags_reset(&d);
}

/* docs/behaviour.md §2.1: person, groups by name descending, tenant, application, default;
 * each option on its own; probe options from the Application alone. */
static void test_hierarchy(void **state)
{
	struct ds_opt app[] = {OPT("disaster-recovery.timeout", "60"), OPT("disaster-recovery.enabled", "true"),
			       OPT("dualsite.probe-timeout", "1.5"), OPT("dualsite.answer-delay", "3")};
	struct ds_opt ten[] = {OPT("disaster-recovery.timeout", "50"), OPT("disaster-recovery.auto-restore", "false"),
			       OPT("dualsite.restore-hold-down", "9")};
	struct ds_opt gz[] = {OPT("disaster-recovery.timeout", "40"), OPT("disaster-recovery.auto-restore", "true")};
	struct ds_opt ga[] = {OPT("disaster-recovery.timeout", "30"), OPT("dualsite.random-delay-range", "0.25"),
			      OPT("disaster-recovery.auto-restore", "false")};
	struct ds_opt per[] = {OPT("disaster-recovery.peer-site", "SiteY"), OPT("dualsite.probe-timeout", "9"),
			       OPT("dualsite.answer-delay", "-1")};
	struct ds_tenant t = {.name = "Env", .opts = {ten, 3}};
	struct ds_group g[2] = {{.name = "Alpha", .opts = {ga, 3}}, {.name = "Zulu", .opts = {gz, 2}}};
	struct ds_group *desc[2] = {&g[1], &g[0]};  /* as the loader sorts them */
	struct ds_person p = {.name = "alice", .tenant_obj = &t, .groups = desc, .n_groups = 2,
			      .opts = {per, 3}};
	struct ds_config cfg = {.app = {.name = "WS", .opts = {app, 4}}, .tenants = &t, .n_tenants = 1,
				.groups = g, .n_groups = 2, .persons = &p, .n_persons = 1};
	struct ds_diags d = {0};
	struct ds_effective eff;
	char buf[64];

	(void)state;
	ds_options_check(&cfg, &d);
	assert_int_equal(d.errors, 1);  /* the person's answer-delay -1 */
	ds_options_resolve(&cfg, &p, &eff);

	assert_true(eff.v[DS_OPT_DR_TIMEOUT].v.d == 40);   /* Zulu beats Alpha, tenant, app */
	ds_value_source(&eff.v[DS_OPT_DR_TIMEOUT], buf, sizeof(buf));
	assert_string_equal(buf, "agent-group:Zulu");
	assert_true(eff.v[DS_OPT_DR_AUTO_RESTORE].v.b);     /* Zulu's true shadows the tenant's false */
	ds_value_source(&eff.v[DS_OPT_RANDOM_DELAY_RANGE], buf, sizeof(buf));
	assert_string_equal(buf, "agent-group:Alpha");      /* only Alpha sets it */
	ds_value_source(&eff.v[DS_OPT_RESTORE_HOLD_DOWN], buf, sizeof(buf));
	assert_string_equal(buf, "tenant:Env");
	ds_value_source(&eff.v[DS_OPT_DR_PEER_SITE], buf, sizeof(buf));
	assert_string_equal(buf, "person:alice");
	ds_value_source(&eff.v[DS_OPT_DR_ENABLED], buf, sizeof(buf));
	assert_string_equal(buf, "application:WS");
	/* Probe options: the person's 9 is ignored. */
	assert_true(eff.v[DS_OPT_PROBE_TIMEOUT].v.d == 1.5);
	assert_int_equal(eff.v[DS_OPT_PROBE_TIMEOUT].src, DS_SRC_APPLICATION);
	/* A bad value is skipped: the next object down applies. */
	assert_true(eff.v[DS_OPT_ANSWER_DELAY].v.d == 3);
	assert_int_equal(eff.v[DS_OPT_ANSWER_DELAY].src, DS_SRC_APPLICATION);
	ds_value_source(&eff.v[DS_OPT_BINDING_CHECK_INTERVAL], buf, sizeof(buf));
	assert_string_equal(buf, "default");
	/* No value and no default. */
	assert_false(eff.v[DS_OPT_DR_PREFERRED_SITE].set);
	assert_false(eff.v[DS_OPT_DR_SITE].set);
	ds_diags_reset(&d);
}

static void test_format(void **state)
{
	struct ds_value v = {.set = true};
	char buf[64];

	(void)state;
	v.v.d = 0.5;
	ds_value_text(DS_OPT_ANSWER_DELAY, &v, buf, sizeof(buf));
	assert_string_equal(buf, "0.5");
	ds_value_json(DS_OPT_ANSWER_DELAY, &v, buf, sizeof(buf));
	assert_string_equal(buf, "0.5");
	v.v.d = 86400;
	ds_value_text(DS_OPT_DR_TIMEOUT, &v, buf, sizeof(buf));
	assert_string_equal(buf, "86400");
	v.v.b = true;
	ds_value_json(DS_OPT_DR_ENABLED, &v, buf, sizeof(buf));
	assert_string_equal(buf, "true");
	v.v.e = 1;
	ds_value_json(DS_OPT_TRANSPORT, &v, buf, sizeof(buf));
	assert_string_equal(buf, "\"TCP\"");
	v.v.s = "Site \"X\"\\";
	ds_value_json(DS_OPT_DR_PREFERRED_SITE, &v, buf, sizeof(buf));
	assert_string_equal(buf, "\"Site \\\"X\\\"\\\\\"");
	ds_value_text(DS_OPT_DR_PREFERRED_SITE, &v, buf, sizeof(buf));
	assert_string_equal(buf, "Site \"X\"\\");
	v.set = false;
	ds_value_text(DS_OPT_SBC_PORT, &v, buf, sizeof(buf));
	assert_string_equal(buf, "(none)");
	ds_value_json(DS_OPT_SBC_PORT, &v, buf, sizeof(buf));
	assert_string_equal(buf, "null");
	ds_value_source(&v, buf, sizeof(buf));
	assert_string_equal(buf, "default");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_unknown_and_misplaced),
		cmocka_unit_test(test_near_miss_and_quoted),
		cmocka_unit_test(test_hierarchy),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
