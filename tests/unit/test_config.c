/* Unit tests of the YAML loader: the model it builds and every class of
 * diagnostic it gives, with file:line:col and object path. */
#include "config_testlib.h"

/* ---- a full, valid two-site configuration ---- */

static const char TWO_SITES[] =
"application:\n"
"  name: Workspace\n"
"  connections: [SIP_X, SIP_Y, STAT_X, STAT_Y, CONF_X, CONF_Y]\n"
"  options:\n"
"    interaction-workspace:\n"
"      disaster-recovery.enabled: true\n"
"      disaster-recovery.preferred-site: SiteX\n"
"      disaster-recovery.peer-site: SiteY\n"
"      disaster-recovery.timeout: 60\n"
"    TServer: {anything: 1}\n"
"servers:\n"
"  SIP_X:   {kind: sip, host: 127.0.0.1, port: 5061, transport: udp, switch: SW_X, backup: SIP_X_B,\n"
"            options: {interaction-workspace: {disaster-recovery.site: SiteX}}}\n"
"  SIP_X_B: {kind: sip, host: 127.0.0.1, port: 5062, switch: SW_X,\n"
"            options: {interaction-workspace: {disaster-recovery.site: SiteX}}}\n"
"  SIP_Y:   {kind: SIP, host: 127.0.0.2, port: 5063, transport: [UDP, Tcp], switch: SW_Y,\n"
"            backup: SIP_Y_B,\n"
"            options: {interaction-workspace: {disaster-recovery.site: SiteY,\n"
"                                              disaster-recovery.name: east}}}\n"
"  SIP_Y_B: {kind: sip, host: 127.0.0.2, port: 5064, switch: SW_Y, transport: tls,\n"
"            options: {interaction-workspace: {disaster-recovery.site: SiteY}}}\n"
"  STAT_X:  {kind: stat, host: 127.0.0.1, port: 7001, backup: STAT_X_B,\n"
"            options: {interaction-workspace: {disaster-recovery.site: SiteX}}}\n"
"  STAT_X_B: {kind: Stat, host: 127.0.0.1, port: 7002,\n"
"            options: {interaction-workspace: {disaster-recovery.site: SiteX}}}\n"
"  STAT_Y:  {kind: stat, host: 127.0.0.2, port: 7003,\n"
"            options: {interaction-workspace: {disaster-recovery.site: SiteY}}}\n"
"  CONF_X:  {kind: config, host: 127.0.0.1, port: 1,\n"
"            options: {interaction-workspace: {disaster-recovery.site: SiteX}}}\n"
"  CONF_Y:  {kind: CONFIG, host: 127.0.0.2, port: 65535}\n"
"switches:\n"
"  SW_X: {}\n"
"  SW_Y:\n"
"tenants:\n"
"  Environment:\n"
"    options: {interaction-workspace: {disaster-recovery.auto-restore: true}}\n"
"agent-groups:\n"
"  Sales:\n"
"    tenant: Environment\n"
"    members: [alice, bob]\n"
"    options: {interaction-workspace: {disaster-recovery.timeout: 30}}\n"
"  support:\n"
"    members: [alice]\n"
"  Zulu:\n"
"    members: [alice]\n"
"places:\n"
"  Place_7001:\n"
"    dns:\n"
"      - {switch: SW_X, number: \"7001\"}\n"
"      - {switch: SW_Y, number: 7001}\n"
"persons:\n"
"  alice:\n"
"    tenant: Environment\n"
"    place: Place_7001\n"
"    sip: {user: \"7001\", password-env: ALICE_SIP_PASSWORD}\n"
"    options:\n"
"      interaction-workspace:\n"
"        disaster-recovery.preferred-site: SiteY\n"
"        disaster-recovery.enabled: false\n"
"        dualsite.restore-when-idle: \"true\"\n"
"        disaster-recovery.auto-restore: yes\n"
"        dualsite.probe-interval: 0.5\n"
"        sipendpoint.sbc-register-address: {a: 1}\n"
"  bob:\n"
"    tenant: Environment\n"
"    place: Place_7001\n"
"    sip: {user: \"7002\", password-env: BOB_SIP_PASSWORD}\n";

static void test_two_sites(void **state)
{
	struct loaded l;
	struct ds_config *c;
	struct ds_server *sx, *sxb, *sy, *syb;
	struct ds_person *alice, *bob;
	const struct ds_opt *o;

	(void)state;
	load_text(&l, TWO_SITES);
	assert_int_equal(l.err, 0);
	if (l.d.n)
		dump(&l.d);
	assert_int_equal(l.d.n, 0);
	c = l.cfg;
	assert_non_null(c);
	assert_string_equal(c->file, l.path);
	assert_string_equal(c->app.name, "Workspace");
	assert_int_equal(c->app.n_connections, 6);
	assert_string_equal(c->app.connections[1].name, "SIP_Y");
	assert_int_equal(c->app.connections[1].loc.line, 3);
	assert_int_equal(c->app.connections[1].loc.col, 24);
	assert_int_equal(c->app.opts.n, 4);
	assert_int_equal(c->n_servers, 9);
	assert_int_equal(c->n_switches, 2);
	assert_int_equal(c->n_tenants, 1);
	assert_int_equal(c->n_groups, 3);
	assert_int_equal(c->n_places, 1);
	assert_int_equal(c->n_persons, 2);

	sx = ds_config_server(c, "SIP_X");
	sxb = ds_config_server(c, "SIP_X_B");
	sy = ds_config_server(c, "SIP_Y");
	syb = ds_config_server(c, "SIP_Y_B");
	assert_non_null(sx);
	assert_non_null(sxb);
	assert_non_null(sy);
	assert_non_null(syb);
	assert_null(ds_config_server(c, "SIP_Z"));
	assert_int_equal(sx->index, 0);
	assert_ptr_equal(&c->servers[sy->index], sy);
	assert_int_equal(sx->loc.line, 12);
	assert_int_equal(sx->loc.col, 3);
	assert_int_equal(sx->kind, DS_KIND_SIP);
	assert_int_equal(sy->kind, DS_KIND_SIP);
	assert_int_equal(ds_config_server(c, "STAT_X_B")->kind, DS_KIND_STAT);
	assert_int_equal(ds_config_server(c, "CONF_Y")->kind, DS_KIND_CONFIG);
	assert_string_equal(sx->host, "127.0.0.1");
	assert_int_equal(sx->port, 5061);
	assert_int_equal(ds_config_server(c, "CONF_X")->port, 1);
	assert_int_equal(ds_config_server(c, "CONF_Y")->port, 65535);
	assert_int_equal(sx->transports, DS_TP_UDP);
	assert_int_equal(sy->transports, DS_TP_UDP | DS_TP_TCP);
	assert_int_equal(syb->transports, DS_TP_TLS);
	assert_int_equal(sxb->transports, DS_TP_UDP);   /* the default */
	assert_ptr_equal(sx->backup_srv, sxb);
	assert_ptr_equal(sxb->primary, sx);
	assert_null(sx->primary);
	assert_null(sxb->backup_srv);
	assert_string_equal(sx->backup.name, "SIP_X_B");
	assert_int_equal(sx->backup.loc.line, 12);
	assert_string_equal(sx->switch_obj->name, "SW_X");
	assert_string_equal(sy->switch_obj->name, "SW_Y");
	assert_string_equal(sx->site, "SiteX");
	assert_non_null(sx->site_opt);
	assert_string_equal(sx->site_opt->name, "disaster-recovery.site");
	assert_string_equal(sy->site, "SiteY");
	assert_string_equal(sx->dr_name, "default");
	assert_string_equal(sy->dr_name, "east");
	assert_null(ds_config_server(c, "CONF_Y")->site);
	assert_true(sx->connected);
	assert_false(sxb->connected);
	assert_true(ds_config_server(c, "CONF_Y")->connected);
	assert_ptr_equal(ds_config_server(c, "STAT_X_B")->primary,
			 ds_config_server(c, "STAT_X"));

	alice = ds_config_person(c, "alice");
	bob = ds_config_person(c, "bob");
	assert_non_null(alice);
	assert_non_null(bob);
	assert_null(ds_config_person(c, "carol"));
	assert_int_equal(alice->index, 0);
	assert_int_equal(bob->index, 1);
	assert_ptr_equal(alice->tenant_obj, &c->tenants[0]);
	assert_ptr_equal(alice->place_obj, &c->places[0]);
	assert_string_equal(alice->sip_user, "7001");
	assert_int_equal(alice->pw_source, DS_PW_ENV);
	assert_string_equal(alice->pw_ref, "ALICE_SIP_PASSWORD");
	/* Groups by name descending, byte-wise: lower case sorts after upper. */
	assert_int_equal(alice->n_groups, 3);
	assert_string_equal(alice->groups[0]->name, "support");
	assert_string_equal(alice->groups[1]->name, "Zulu");
	assert_string_equal(alice->groups[2]->name, "Sales");
	assert_int_equal(bob->n_groups, 1);
	assert_string_equal(bob->groups[0]->name, "Sales");
	assert_ptr_equal(c->groups[0].tenant_obj, &c->tenants[0]);
	assert_null(c->groups[1].tenant_obj);

	assert_int_equal(c->places[0].n_dns, 2);
	assert_string_equal(c->places[0].dns[1].number, "7001");
	assert_string_equal(c->places[0].dns[1].switch_obj->name, "SW_Y");
	assert_int_equal(c->places[0].dns[0].loc.line, 49);

	/* Options are kept as written; the option checker parses them. */
	assert_int_equal(alice->opts.n, 6);
	o = opt(&alice->opts, "disaster-recovery.preferred-site");
	assert_non_null(o);
	assert_string_equal(o->text, "SiteY");
	assert_int_equal(o->loc.line, 58);
	assert_int_equal(o->loc.col, 43);
	assert_string_equal(o->loc.file, l.path);
	assert_string_equal(o->path,
		"persons/alice/options/interaction-workspace/disaster-recovery.preferred-site");
	assert_int_equal(o->id, -1);
	assert_false(o->valid);
	assert_false(o->quoted);
	o = opt(&alice->opts, "disaster-recovery.enabled");
	assert_true(o->is_bool_literal);
	assert_string_equal(o->text, "false");
	o = opt(&alice->opts, "dualsite.restore-when-idle");
	assert_false(o->is_bool_literal);
	assert_true(o->quoted);
	assert_string_equal(o->text, "true");
	o = opt(&alice->opts, "disaster-recovery.auto-restore");
	assert_false(o->is_bool_literal);
	assert_string_equal(o->text, "yes");
	o = opt(&alice->opts, "dualsite.probe-interval");
	assert_string_equal(o->text, "0.5");
	o = opt(&alice->opts, "sipendpoint.sbc-register-address");
	assert_null(o->text);
	o = opt(&c->groups[0].opts, "disaster-recovery.timeout");
	assert_string_equal(o->text, "30");
	assert_string_equal(o->path,
		"agent-groups/Sales/options/interaction-workspace/disaster-recovery.timeout");
	assert_string_equal(c->tenants[0].opts.v[0].path,
		"tenants/Environment/options/interaction-workspace/disaster-recovery.auto-restore");
	assert_string_equal(c->app.opts.v[0].path,
		"application/options/interaction-workspace/disaster-recovery.enabled");
	assert_string_equal(ds_kind_name(DS_KIND_STAT), "stat");
	assert_string_equal(ds_kind_name(DS_KIND_CONFIG), "config");
	unload(&l);
}

/* ---- files that cannot be read, syntax errors ---- */

static void test_unreadable(void **state)
{
	struct ds_config *c = (void *)1;
	struct ds_diags d = { 0 };
	char path[300];
	int err;

	(void)state;
	snprintf(path, sizeof(path), "%s/none.yaml", tmpdir);
	err = ds_config_load(&c, path, &d);
	assert_int_equal(err, ENOENT);
	assert_null(c);
	expect_diag(&d, DS_SEV_ERROR, 0, 0, NULL, "cannot read");
	assert_string_equal(d.v[0].loc.file, path);
	ds_diags_reset(&d);

	err = ds_config_load(&c, tmpdir, &d);   /* a directory */
	assert_int_equal(err, EIO);
	assert_null(c);
	expect_diag(&d, DS_SEV_ERROR, 0, 0, NULL, "Is a directory");
	ds_diags_reset(&d);

	if (geteuid() != 0) {   /* root reads anything */
		const char *p = put("noperm.yaml", "servers: {}\n");

		snprintf(path, sizeof(path), "%s", p);
		assert_int_equal(chmod(path, 0), 0);
		err = ds_config_load(&c, path, &d);
		assert_int_equal(err, EACCES);
		expect_diag(&d, DS_SEV_ERROR, 0, 0, NULL, "Permission denied");
		ds_diags_reset(&d);
	}
}

static void test_syntax_error(void **state)
{
	struct loaded l;

	(void)state;
	load_text(&l, "servers:\n  SIP_X: {kind: sip, host: \"a\\qb\"}\n");
	assert_int_equal(l.err, EINVAL);
	assert_null(l.cfg);
	assert_int_equal(l.d.errors, 1);
	expect_diag(&l.d, DS_SEV_ERROR, 2, 30, NULL, "YAML syntax error");
	/* The diagnostic outlives the freed model: its file is a copy. */
	assert_string_equal(l.d.v[0].loc.file, l.path);
	unload(&l);

	load_text(&l, "servers: [a, b\n");
	assert_int_equal(l.err, EINVAL);
	expect_diag(&l.d, DS_SEV_ERROR, 0, 0, NULL, "without a closing bracket");
	unload(&l);
}

static void test_document_shape(void **state)
{
	struct loaded l;

	(void)state;
	load_text(&l, "- a\n- b\n");
	assert_int_equal(l.err, 0);
	expect_diag(&l.d, DS_SEV_ERROR, 1, 3, NULL, "expected a map at the top level");
	unload(&l);

	load_text(&l, "switches: {A: {}}\n---\nswitches: {B: {}}\n");
	assert_int_equal(l.err, 0);
	expect_diag(&l.d, DS_SEV_ERROR, 3, 1, NULL, "second YAML document");
	unload(&l);

	load_text(&l, "");   /* empty: no objects, not an error */
	assert_int_equal(l.err, 0);
	assert_int_equal(l.d.errors, 0);
	expect_diag(&l.d, DS_SEV_WARNING, 0, 0, "application", "no application");
	assert_string_equal(l.cfg->app.name, "application");
	unload(&l);
}

/* ---- duplicate keys, wrong types, unknown keys ---- */

static void test_duplicate_keys(void **state)
{
	struct loaded l;

	(void)state;
	load_text(&l,
		"servers:\n"
		"  S1:\n"
		"    kind: sip\n"
		"    host: a\n"
		"    host: b\n"
		"persons:\n"
		"  alice: {}\n"
		"  alice: {}\n");
	assert_int_equal(l.err, 0);
	expect_diag(&l.d, DS_SEV_ERROR, 5, 5, "servers/S1/host",
		    "duplicate key 'host' (first at line 4, column 5)");
	expect_diag(&l.d, DS_SEV_ERROR, 8, 3, "persons/alice", "duplicate key 'alice'");
	/* The first value wins and the object exists once. */
	assert_string_equal(l.cfg->servers[0].host, "a");
	assert_int_equal(l.cfg->n_persons, 1);
	assert_int_equal(l.d.errors, 2);
	unload(&l);
}

static void test_wrong_types(void **state)
{
	struct loaded l;

	(void)state;
	load_text(&l,
		"application:\n"
		"  connections: {SIP_X: 1}\n"
		"servers:\n"
		"  S1: {kind: [sip], host: h, backup: {a: b}}\n"
		"  S2: [kind, sip]\n"
		"agent-groups:\n"
		"  G: {members: alice}\n"
		"places:\n"
		"  P: {dns: {switch: A}}\n"
		"persons:\n"
		"  alice: {options: [1], sip: 5}\n"
		"tenants: [a]\n");
	assert_int_equal(l.err, 0);
	expect_diag(&l.d, DS_SEV_ERROR, 2, 17, "application/connections",
		    "expected a list of server names, got a map");
	expect_diag(&l.d, DS_SEV_ERROR, 4, 15, "servers/S1/kind",
		    "expected a server kind (sip, stat or config), got a list");
	expect_diag(&l.d, DS_SEV_ERROR, 4, 39, "servers/S1/backup", "got a map");
	expect_diag(&l.d, DS_SEV_ERROR, 5, 8, "servers/S2",
		    "expected a map of the server's settings");
	expect_diag(&l.d, DS_SEV_ERROR, 7, 16, "agent-groups/G/members",
		    "expected a list of person names, got a scalar");
	expect_diag(&l.d, DS_SEV_ERROR, 9, 13, "places/P/dns", "expected a list of DNs");
	expect_diag(&l.d, DS_SEV_ERROR, 11, 21, "persons/alice/options",
		    "expected a map of option sections");
	expect_diag(&l.d, DS_SEV_ERROR, 11, 30, "persons/alice/sip", "got a scalar");
	expect_diag(&l.d, DS_SEV_ERROR, 12, 11, "tenants",
		    "expected a map of tenant names to their settings, got a list");
	unload(&l);
}

static void test_unknown_keys(void **state)
{
	struct loaded l;

	(void)state;
	load_text(&l,
		"servers:\n"
		"  SIP_X: {kind: sip, hots: a, host: b}\n"
		"switches:\n"
		"  SW: {color: red}\n"
		"persons:\n"
		"  alice: {tennant: T, sip: {usr: x}}\n"
		"server: {}\n");
	assert_int_equal(l.err, 0);
	expect_diag(&l.d, DS_SEV_WARNING, 2, 22, "servers/SIP_X",
		    "unknown key 'hots' in servers/SIP_X; did you mean 'host'?");
	expect_diag(&l.d, DS_SEV_WARNING, 4, 8, "switches/SW",
		    "unknown key 'color' in switches/SW; it takes no keys");
	expect_diag(&l.d, DS_SEV_WARNING, 6, 11, "persons/alice", "did you mean 'tenant'?");
	expect_diag(&l.d, DS_SEV_WARNING, 6, 29, "persons/alice/sip", "did you mean 'user'?");
	expect_diag(&l.d, DS_SEV_WARNING, 7, 1, "server",
		    "unknown key 'server' in the top level; did you mean 'servers'?");
	assert_int_equal(l.d.errors, 0);
	assert_int_equal(count_sev(&l.d, DS_SEV_WARNING), 6);   /* + no application */
	unload(&l);
}

/* ---- enumerations and numbers ---- */

static void test_enums_and_ports(void **state)
{
	struct loaded l;

	(void)state;
	load_text(&l,
		"servers:\n"
		"  A: {kind: sipp, host: h, port: 70000}\n"
		"  B: {kind: stat, host: h, port: -1}\n"
		"  C: {kind: config, host: h, port: 80a}\n"
		"  D: {kind: Sip, host: h, transport: [udp, sctp]}\n"
		"  E: {kind: sip, host: h, transport: []}\n"
		"  F: {kind: stat, host: h}\n"
		"  G: {host: h}\n"
		"  H: {kind: stat, port: 1}\n"
		"  I: {kind: bogus, host: h}\n"
		"  J: {kind: sip, host: h, port: 0}\n"
		"  K: {kind: stat, host: h, port: \"7001\"}\n"
		"  L: {kind: sip, host: \"not a host!\"}\n"
		"  M: {kind: sip, host: h, transport: tls}\n"
		"  N: {kind: sip, host: h, transport: [udp, tls]}\n");
	assert_int_equal(l.err, 0);
	expect_diag(&l.d, DS_SEV_ERROR, 2, 13, "servers/A/kind",
		    "unknown server kind 'sipp'; did you mean 'sip'?");
	expect_diag(&l.d, DS_SEV_ERROR, 2, 34, "servers/A/port",
		    "port must be a whole number in 1..65535, got '70000'");
	/* docs/behaviour.md §2.3 rules 13 and 15 */
	expect_diag(&l.d, DS_SEV_ERROR, 11, 33, "servers/J/port",
		    "port must be a whole number in 1..65535, got '0'");
	expect_diag(&l.d, DS_SEV_ERROR, 12, 35, "servers/K/port",
		    "`port` is written in quotes (\"7001\"), which makes it a string, not a "
		    "number; drop the quotes: `port: 7001`");
	expect_diag(&l.d, DS_SEV_ERROR, 13, 25, "servers/L/host",
		    "host \"not a host!\" is neither an IP address nor a DNS name");
	expect_diag(&l.d, DS_SEV_ERROR, 3, 34, "servers/B/port", "got '-1'");
	expect_diag(&l.d, DS_SEV_ERROR, 4, 36, "servers/C/port", "got '80a'");
	expect_diag(&l.d, DS_SEV_ERROR, 5, 44, "servers/D/transport/1",
		    "unknown transport 'sctp'; expected udp, tcp or tls");
	expect_diag(&l.d, DS_SEV_ERROR, 6, 27, "servers/E/transport", "list is empty");
	expect_diag(&l.d, DS_SEV_ERROR, 7, 3, "servers/F", "missing 'port'");
	expect_diag(&l.d, DS_SEV_ERROR, 8, 3, "servers/G", "missing 'kind'");
	expect_diag(&l.d, DS_SEV_ERROR, 9, 3, "servers/H", "missing 'host'");
	expect_diag(&l.d, DS_SEV_ERROR, 10, 13, "servers/I/kind",
		    "expected sip, stat or config");
	assert_int_equal(l.cfg->servers[3].kind, DS_KIND_SIP);
	assert_int_equal(l.cfg->servers[3].transports, DS_TP_UDP);
	assert_int_equal(l.cfg->servers[3].port, 5060);   /* SIP's default */
	/* SIP over TLS alone: 5061 (docs/behaviour.md §7); with UDP too, 5060 */
	assert_int_equal(l.cfg->servers[12].transports, DS_TP_TLS);
	assert_int_equal(l.cfg->servers[12].port, 5061);
	assert_int_equal(l.cfg->servers[13].port, 5060);
	assert_int_equal(l.d.errors, 13);
	unload(&l);
}

/* ---- references to objects that do not exist ---- */

static void test_references(void **state)
{
	struct loaded l;

	(void)state;
	load_text(&l,
		"application:\n"
		"  connections: [SIP_X, SIP_Y, SIP_X]\n"
		"servers:\n"
		"  SIP_X: {kind: sip, host: h, backup: SIP_X_C, switch: SW_Q}\n"
		"  SIP_X_B: {kind: sip, host: h}\n"
		"switches: {SW_X: {}}\n"
		"tenants: {Environment: {}}\n"
		"agent-groups:\n"
		"  Sales: {tenant: Enviroment, members: [alic, alice, alice]}\n"
		"places:\n"
		"  Place_7001: {dns: [{switch: SW_Z, number: '1'}]}\n"
		"persons:\n"
		"  alice: {tenant: Environment, place: Place_7002}\n");
	assert_int_equal(l.err, 0);
	expect_diag(&l.d, DS_SEV_ERROR, 2, 24, "application/connections/1",
		    "server 'SIP_Y' is not defined; did you mean 'SIP_X'?");
	expect_diag(&l.d, DS_SEV_WARNING, 2, 31, "application/connections/2",
		    "listed twice");
	expect_diag(&l.d, DS_SEV_ERROR, 4, 39, "servers/SIP_X/backup",
		    "server 'SIP_X_C' is not defined; did you mean 'SIP_X_B'?");
	expect_diag(&l.d, DS_SEV_ERROR, 4, 56, "servers/SIP_X/switch",
		    "switch 'SW_Q' is not defined; did you mean 'SW_X'?");
	expect_diag(&l.d, DS_SEV_ERROR, 9, 19, "agent-groups/Sales/tenant",
		    "tenant 'Enviroment' is not defined; did you mean 'Environment'?");
	expect_diag(&l.d, DS_SEV_ERROR, 9, 41, "agent-groups/Sales/members/0",
		    "person 'alic' is not defined; did you mean 'alice'?");
	expect_diag(&l.d, DS_SEV_WARNING, 9, 54, "agent-groups/Sales/members/2",
		    "person 'alice' is listed twice");
	expect_diag(&l.d, DS_SEV_ERROR, 11, 31, "places/Place_7001/dns/0/switch",
		    "switch 'SW_Z' is not defined; did you mean 'SW_X'?");
	expect_diag(&l.d, DS_SEV_ERROR, 13, 39, "persons/alice/place",
		    "place 'Place_7002' is not defined; did you mean 'Place_7001'?");
	assert_int_equal(l.d.errors, 7);
	assert_true(l.cfg->servers[0].connected);
	assert_null(l.cfg->servers[0].backup_srv);
	assert_int_equal(l.cfg->persons[0].n_groups, 1);
	unload(&l);

	load_text(&l, "persons: {bob: {tenant: Qqqqqq}}\n");
	expect_diag(&l.d, DS_SEV_ERROR, 1, 25, "persons/bob/tenant",
		    "tenant 'Qqqqqq' is not defined; define it under tenants:");
	unload(&l);
}

/* ---- options sections ---- */

static void test_option_sections(void **state)
{
	struct loaded l;

	(void)state;
	load_text(&l,
		"application:\n"
		"  name: App\n"
		"  options: {TServer: {x: 1}, interaction-workspace: {a: 1}}\n"
		"tenants:\n"
		"  T:\n"
		"    options:\n"
		"      TServer: {x: 1, x: 2}\n"
		"      Interaction-Workspace: {b: 2}\n"
		"      interaction-workspace: [1]\n"
		"persons:\n"
		"  p: {options: {interaction-workspace: {a: &v 5, b: *v, c: , d: *nope}}}\n"
		"servers: {S: {<<: *v, kind: sip, host: h}}\n");
	assert_int_equal(l.err, 0);
	assert_null(find(&l.d, DS_SEV_WARNING, 3, 0, NULL, "is ignored"));
	expect_diag(&l.d, DS_SEV_WARNING, 7, 7, "tenants/T/options/TServer",
		    "section 'TServer' is ignored: only interaction-workspace is read");
	/* Keys inside an ignored section are still checked. */
	expect_diag(&l.d, DS_SEV_ERROR, 7, 23, NULL, "duplicate key 'x'");
	/* rule 12: only the case and separators differ, so all of it would be lost */
	expect_diag(&l.d, DS_SEV_ERROR, 8, 7, NULL, "section 'Interaction-Workspace' would be "
		    "ignored: the section is 'interaction-workspace'");
	expect_diag(&l.d, DS_SEV_ERROR, 9, 31, "tenants/T/options/interaction-workspace",
		    "expected a map of options");
	expect_diag(&l.d, DS_SEV_ERROR, 11, 65, NULL, "names no anchor");
	assert_int_equal(l.cfg->app.opts.n, 1);
	expect_diag(&l.d, DS_SEV_ERROR, 12, 15, "servers/S", "merge keys ('<<') are not read");
	/* An alias takes the anchored value; the location is the alias's. */
	assert_int_equal(l.cfg->persons[0].opts.n, 3);
	assert_string_equal(opt(&l.cfg->persons[0].opts, "b")->text, "5");
	assert_int_equal(opt(&l.cfg->persons[0].opts, "b")->loc.col, 53);
	assert_string_equal(opt(&l.cfg->persons[0].opts, "c")->text, "");
	unload(&l);
}

/* ---- every allocation of a load may fail: no crash, no leak ---- */

/* docs/behaviour.md §2.3 rule 13: what `run` can put on the wire. */
static void test_wire_syntax(void **state)
{
	static const struct { const char *s; bool ok; } users[] = {
		{"7001", true}, {"alice.smith", true}, {"a-b_c!~*'()", true},
		{"+33%201;x=y?z/w&$,=", true}, {"%41b", true},
		{"", false}, {"7001\r\nX-Evil: x", false}, {"70 01", false},
		{"a@b", false}, {"<7001>", false}, {"7001\n", false}, {"%4", false},
		{"%zz", false}, {"a\"b", false}, {"a:b", false}, {"caf\xc3\xa9", false},
	};
	static const struct { const char *s; bool ok, ip; } hosts[] = {
		{"127.0.0.1", true, true}, {"::1", true, true}, {"2001:db8::10", true, true},
		{"localhost", true, false}, {"sip1.example.com", true, false},
		{"sip1.example.com.", true, false}, {"a-b.c0", true, false},
		{"x.invalid", true, false}, {"3com.net", true, false},
		{"not a host!", false, false}, {"", false, false}, {"[::1]", false, false},
		{"host:5060", false, false}, {"-a.com", false, false}, {"a-.com", false, false},
		{"a..com", false, false}, {".a.com", false, false}, {"10.1.2", false, false},
		{"256.1.1.1", false, false}, {"sip_x.example.com", false, false},
		{"sip:x.example.com", false, false},
	};
	char longlabel[80];

	(void)state;
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		if (ds_sip_user_ok(users[i].s) != users[i].ok)
			fail_msg("user case %zu: expected %d", i, users[i].ok);
	assert_false(ds_sip_user_ok(NULL));
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		if (ds_host_ok(hosts[i].s) != hosts[i].ok)
			fail_msg("host '%s': expected %d", hosts[i].s, hosts[i].ok);
		if (ds_host_is_ip(hosts[i].s) != hosts[i].ip)
			fail_msg("host '%s': expected ip %d", hosts[i].s, hosts[i].ip);
	}
	memset(longlabel, 'a', 64);
	strcpy(longlabel + 64, ".com");
	assert_false(ds_host_ok(longlabel));   /* a label of 64 bytes */
	assert_true(ds_host_ok(longlabel + 1));
}

static void test_allocation_failures(void **state)
{
	char *path = put_tmp(TWO_SITES);
	long k;

	(void)state;
	for (k = 0; k < 100000; k++) {
		struct ds_config *c = NULL;
		struct ds_diags d = { 0 };
		int err;

		ds_mem_fail_after = k;
		err = ds_config_load(&c, path, &d);
		ds_mem_fail_after = -1;
		ds_diags_reset(&d);
		if (err == 0) {
			assert_non_null(c);
			assert_int_equal(c->n_servers, 9);
			ds_config_free(c);
			break;
		}
		assert_int_equal(err, ENOMEM);
		assert_null(c);
	}
	assert_true(k > 10);   /* the loop did walk through failures */
	unlink(path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_sites),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_document_shape),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_enums_and_ports),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_option_sections),
		cmocka_unit_test(test_wire_syntax),
		cmocka_unit_test(test_allocation_failures),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
