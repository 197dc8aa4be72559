/* Unit tests of the YAML loader across files: include, password sources,
 * a configuration of 10,000 persons, alias expansion. */
#include "config_testlib.h"

/* ---- include ---- */

static void test_include(void **state)
{
	char dir[300];
	const char *top;
	struct ds_config *c = NULL;
	struct ds_diags d = { 0 };

	(void)state;
	snprintf(dir, sizeof(dir), "%s/inc", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof(dir), "%s/inc/sub", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	put("inc/sub/servers.yaml",
	    "include: [../switches.yaml]\n"
	    "servers:\n"
	    "  SIP_X: {kind: sip, host: h, switch: SW_X}\n");
	put("inc/switches.yaml", "switches:\n  SW_X: {}\n");
	top = put("inc/top.yaml",
		  "include: [sub/servers.yaml]\n"
		  "application: {name: A, connections: [SIP_X]}\n"
		  "servers:\n"
		  "  STAT: {kind: stat, host: h, port: 1}\n");
	assert_int_equal(ds_config_load(&c, top, &d), 0);
	if (d.n)
		dump(&d);
	assert_int_equal(d.n, 0);
	assert_int_equal(c->n_servers, 2);
	assert_int_equal(c->n_switches, 1);
	assert_ptr_equal(c->servers[0].switch_obj, &c->switches[0]);
	assert_true(c->servers[0].connected);
	assert_non_null(strstr(c->servers[0].loc.file, "inc/sub/servers.yaml"));
	assert_int_equal(c->servers[0].loc.line, 3);
	assert_non_null(strstr(c->switches[0].loc.file, "switches.yaml"));
	ds_config_free(c);
	ds_diags_reset(&d);
}

static void test_include_errors(void **state)
{
	const char *top;
	struct ds_config *c = NULL;
	struct ds_diags d = { 0 };
	const struct ds_diag *x;

	(void)state;
	put("a.yaml", "include: [b.yaml]\nswitches: {SW: {}}\n");
	put("b.yaml", "include: c.yaml\n");
	put("c.yaml", "include: [a.yaml]\n");
	put("one.yaml", "servers:\n  S: {kind: sip, host: h}\n");
	put("two.yaml", "servers:\n\n  S: {kind: sip, host: i}\n");
	top = put("top.yaml",
		  "include: [a.yaml, one.yaml, two.yaml]\n"
		  "application: {name: X}\n");
	assert_int_equal(ds_config_load(&c, top, &d), 0);
	x = find(&d, DS_SEV_ERROR, 1, 11, "include", "include cycle:");
	if (!x)
		dump(&d);
	assert_non_null(x);
	assert_non_null(strstr(x->loc.file, "c.yaml"));
	assert_non_null(strstr(x->msg, "a.yaml -> "));
	assert_non_null(strstr(x->msg, "b.yaml -> "));
	assert_non_null(strstr(x->msg, "c.yaml -> "));
	x = find(&d, DS_SEV_ERROR, 3, 3, "servers/S", "server 'S' is defined twice");
	assert_non_null(x);
	assert_non_null(strstr(x->loc.file, "two.yaml"));
	assert_non_null(strstr(x->msg, "one.yaml:2:3"));
	assert_string_equal(c->servers[0].host, "h");
	ds_config_free(c);
	ds_diags_reset(&d);

	/* An include that cannot be read is an input that cannot be read
	 * (exit 2, docs/behaviour.md §4), said at its include line; the others are read. */
	top = put("top4.yaml", "include: [one.yaml, missing.yaml]\n");
	assert_int_equal(ds_config_load(&c, top, &d), ENOENT);
	assert_null(c);
	expect_diag(&d, DS_SEV_ERROR, 1, 21, "include", "cannot read");
	ds_diags_reset(&d);

	/* The application defined in two files. */
	put("app.yaml", "application: {name: Y}\n");
	top = put("top2.yaml", "application: {name: X}\ninclude: [app.yaml]\n");
	assert_int_equal(ds_config_load(&c, top, &d), 0);
	expect_diag(&d, DS_SEV_ERROR, 1, 1, "application",
		    "application is defined twice: here and at ");
	assert_string_equal(c->app.name, "X");
	ds_config_free(c);
	ds_diags_reset(&d);

	/* A syntax error in an included file fails the load. */
	put("bad.yaml", "servers: {a: [}\n");
	top = put("top3.yaml", "include: [bad.yaml]\n");
	assert_int_equal(ds_config_load(&c, top, &d), EINVAL);
	assert_null(c);
	x = find(&d, DS_SEV_ERROR, 1, 0, NULL, "YAML syntax error");
	assert_non_null(x);
	assert_non_null(strstr(x->loc.file, "bad.yaml"));
	ds_diags_reset(&d);
}

/* ---- passwords ---- */

static bool diags_mention(const struct ds_diags *d, const char *s)
{
	for (size_t i = 0; i < d->n; i++) {
		if (strstr(d->v[i].msg, s) || strstr(d->v[i].path, s))
			return true;
	}
	return false;
}

static void test_passwords(void **state)
{
	char yaml[2048];
	struct loaded l;
	struct ds_diags d = { 0 };
	char pw[64];
	const char *open_file, *closed_file;
	char path_open[300], path_closed[300];

	(void)state;
	open_file = put("pw-open", "S3cretOpen\n");
	snprintf(path_open, sizeof(path_open), "%s", open_file);
	assert_int_equal(chmod(path_open, 0644), 0);
	closed_file = put("pw-closed", "S3cretClosed\r\nsecond line\n");
	snprintf(path_closed, sizeof(path_closed), "%s", closed_file);
	assert_int_equal(chmod(path_closed, 0600), 0);
	snprintf(yaml, sizeof(yaml),
		 "persons:\n"
		 "  a: {sip: {user: '1', password: Inl1nePw}}\n"
		 "  b: {sip: {user: '2', password-env: DS_TEST_PW_B}}\n"
		 "  c: {sip: {user: '3', password-file: %s}}\n"
		 "  d: {sip: {user: '4', password-file: %s}}\n"
		 "  e: {sip: {user: '5', password-env: DS_TEST_PW_UNSET}}\n"
		 "  f: {sip: {user: '6', password-file: %s/nope}}\n"
		 "  g: {sip: {password: Xx9, password-env: Q}}\n"
		 "  h: {sip: {password: {a: Hidden7}}}\n",
		 path_open, path_closed, tmpdir);
	load_text(&l, yaml);
	assert_int_equal(l.err, 0);
	expect_diag(&l.d, DS_SEV_WARNING, 2, 34, "persons/a/sip/password",
		    "the SIP password is written in the configuration");
	expect_diag(&l.d, DS_SEV_WARNING, 4, 39, "persons/c/sip/password-file",
		    "is accessible to group or others (mode 0644)");
	assert_null(find(&l.d, DS_SEV_WARNING, 5, 0, NULL, "accessible"));
	expect_diag(&l.d, DS_SEV_ERROR, 8, 28, "persons/g/sip/password-env",
		    "'password' and 'password-env' both set");
	expect_diag(&l.d, DS_SEV_ERROR, 9, 24, "persons/h/sip/password",
		    "expected the password as a string, got a map");
	assert_false(diags_mention(&l.d, "Inl1nePw"));
	assert_false(diags_mention(&l.d, "Xx9"));
	assert_false(diags_mention(&l.d, "Hidden7"));
	assert_false(diags_mention(&l.d, "S3cret"));

	assert_int_equal(ds_person_password(ds_config_person(l.cfg, "a"), pw, sizeof(pw), &d), 0);
	assert_string_equal(pw, "Inl1nePw");
	setenv("DS_TEST_PW_B", "EnvPw42", 1);
	assert_int_equal(ds_person_password(ds_config_person(l.cfg, "b"), pw, sizeof(pw), &d), 0);
	assert_string_equal(pw, "EnvPw42");
	assert_int_equal(ds_person_password(ds_config_person(l.cfg, "b"), pw, 4, &d),
			 ENAMETOOLONG);
	assert_int_equal(d.errors, 1);
	assert_false(diags_mention(&d, "EnvPw42"));
	ds_diags_reset(&d);
	assert_int_equal(ds_person_password(ds_config_person(l.cfg, "c"), pw, sizeof(pw), &d), 0);
	assert_string_equal(pw, "S3cretOpen");
	assert_int_equal(ds_person_password(ds_config_person(l.cfg, "d"), pw, sizeof(pw), &d), 0);
	assert_string_equal(pw, "S3cretClosed");
	assert_int_equal(d.n, 0);

	unsetenv("DS_TEST_PW_UNSET");
	assert_int_equal(ds_person_password(ds_config_person(l.cfg, "e"), pw, sizeof(pw), &d),
			 ENOENT);
	expect_diag(&d, DS_SEV_ERROR, 6, 38, "persons/e/sip/password-env",
		    "environment variable DS_TEST_PW_UNSET is not set");
	assert_int_equal(ds_person_password(ds_config_person(l.cfg, "f"), pw, sizeof(pw), &d),
			 ENOENT);
	expect_diag(&d, DS_SEV_ERROR, 7, 39, "persons/f/sip/password-file",
		    "cannot read password file");
	assert_true(diags_mention(&d, "/nope"));
	assert_false(diags_mention(&d, "S3cret"));
	ds_diags_reset(&d);
	unload(&l);
}

/* A password-file path is relative to the file that names it. */
static void test_password_file_relative(void **state)
{
	char dir[300];
	const char *top;
	struct ds_config *c = NULL;
	struct ds_diags d = { 0 };
	char pw[32];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/rel", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	put("rel/secret", "RelPw\n");
	snprintf(dir, sizeof(dir), "%s/rel/secret", tmpdir);
	assert_int_equal(chmod(dir, 0600), 0);
	top = put("rel/conf.yaml", "persons: {a: {sip: {password-file: secret}}}\n");
	assert_int_equal(ds_config_load(&c, top, &d), 0);
	assert_int_equal(ds_person_password(&c->persons[0], pw, sizeof(pw), &d), 0);
	assert_string_equal(pw, "RelPw");
	assert_int_equal(d.n, 1);   /* only: no application */
	ds_config_free(c);
	ds_diags_reset(&d);
}

/* ---- scale: 10,000 persons in 200 groups load in linear time ---- */

static void test_large(void **state)
{
	enum { PERSONS = 10000, GROUPS = 200 };
	char *path = malloc(strlen(tmpdir) + 16);
	struct ds_config *c = NULL;
	struct ds_diags d = { 0 };
	struct timespec t0, t1;
	FILE *f;
	int fd;

	(void)state;
	assert_non_null(path);
	sprintf(path, "%s/big-XXXXXX", tmpdir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("application: {name: A}\ntenants: {T: {}}\nagent-groups:\n", f);
	for (int g = 0; g < GROUPS; g++) {
		fprintf(f, "  G%03d:\n    tenant: T\n    members:\n", g);
		for (int p = g; p < PERSONS; p += GROUPS)
			fprintf(f, "      - p%05d\n", p);
	}
	fputs("persons:\n", f);
	for (int p = 0; p < PERSONS; p++)
		fprintf(f, "  p%05d: {tenant: T, options: {interaction-workspace: "
			"{disaster-recovery.timeout: %d}}}\n", p, p % 100 + 1);
	fclose(f);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ds_config_load(&c, path, &d), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(d.n, 0);
	assert_int_equal(c->n_persons, PERSONS);
	assert_int_equal(c->n_groups, GROUPS);
	for (int p = 0; p < PERSONS; p += 997) {
		char name[16];
		struct ds_person *ps;

		snprintf(name, sizeof(name), "p%05d", p);
		ps = ds_config_person(c, name);
		assert_non_null(ps);
		assert_int_equal(ps->n_groups, 1);
		assert_int_equal(atoi(ps->groups[0]->name + 1), p % GROUPS);
	}
	/* Generous even under sanitizers; a quadratic loader takes far longer. */
	assert_true(t1.tv_sec - t0.tv_sec < 10);
	ds_config_free(c);
	ds_diags_reset(&d);
	unlink(path);
	free(path);
}

/* Aliases may not blow a small file up into a huge model. */
static void test_alias_expansion(void **state)
{
	size_t cap = 1 << 18, len = 0;
	char *text = malloc(cap);
	struct loaded l;

	(void)state;
	assert_non_null(text);
	len += (size_t)sprintf(text + len, "persons:\n  p0:\n    options:\n"
			       "      interaction-workspace: &o\n");
	for (int i = 0; i < 500; i++)
		len += (size_t)sprintf(text + len, "        o%d: 1\n", i);
	for (int i = 1; i < 1000; i++)
		len += (size_t)sprintf(text + len,
				       "  p%d: {options: {interaction-workspace: *o}}\n", i);
	assert_true(len < cap);
	load_text(&l, text);
	assert_int_equal(l.err, EINVAL);
	assert_null(l.cfg);
	expect_diag(&l.d, DS_SEV_ERROR, 0, 0, NULL, "aliases expand this configuration");
	unload(&l);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_include_errors),
		cmocka_unit_test(test_passwords),
		cmocka_unit_test(test_password_file_relative),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_alias_expansion),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
