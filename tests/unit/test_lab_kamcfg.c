/* Unit tests of where the lab finds Kamailio's registrar.cfg (src/lab/kam.c):
 * the source tree next to the binary, an installed share/dualsite under the
 * binary's prefix, $DUALSITE_KAMAILIO_CFG first, ENOENT when none is there. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "lab/lab.h"

static char root[64];

static void touch(const char *rel)
{
	char p[PATH_MAX], cmd[PATH_MAX + 32];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	assert_int_equal(system(cmd), 0);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("# registrar\n", f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/ds-kamcfg-XXXXXX");
	assert_non_null(mkdtemp(root));
	/* a cwd without scripts/, so the current directory finds nothing */
	assert_int_equal(chdir(root), 0);
	unsetenv("DUALSITE_KAMAILIO_CFG");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;

	assert_int_equal(chdir("/"), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void installed_prefix(void **state)
{
	char exe[PATH_MAX], buf[PATH_MAX], want[PATH_MAX];
	(void)state;

	snprintf(exe, sizeof(exe), "%s/opt/ds/bin/dualsite", root);
	touch("opt/ds/bin/dualsite");
	touch("opt/ds/share/dualsite/registrar.cfg");
	assert_int_equal(lab_kam_find_cfg(buf, sizeof(buf), exe), 0);
	snprintf(want, sizeof(want), "%s/opt/ds/bin/../share/dualsite/registrar.cfg", root);
	assert_string_equal(buf, want);
}

static void source_tree_first(void **state)
{
	char exe[PATH_MAX], buf[PATH_MAX], want[PATH_MAX];
	(void)state;

	/* a build in build/ of a tree that also has an installed copy beside it */
	snprintf(exe, sizeof(exe), "%s/src/build/dualsite", root);
	touch("src/build/dualsite");
	touch("src/scripts/kamailio/registrar.cfg");
	touch("src/share/dualsite/registrar.cfg");
	assert_int_equal(lab_kam_find_cfg(buf, sizeof(buf), exe), 0);
	snprintf(want, sizeof(want), "%s/src/build/../scripts/kamailio/registrar.cfg", root);
	assert_string_equal(buf, want);
}

static void environment_wins(void **state)
{
	char exe[PATH_MAX], buf[PATH_MAX], env[PATH_MAX];
	(void)state;

	snprintf(exe, sizeof(exe), "%s/opt/ds/bin/dualsite", root);
	touch("opt/ds/bin/dualsite");
	touch("opt/ds/share/dualsite/registrar.cfg");
	touch("elsewhere/my.cfg");
	snprintf(env, sizeof(env), "%s/elsewhere/my.cfg", root);
	setenv("DUALSITE_KAMAILIO_CFG", env, 1);
	assert_int_equal(lab_kam_find_cfg(buf, sizeof(buf), exe), 0);
	assert_string_equal(buf, env);
	/* a variable naming a missing file is an error, not a fallback */
	setenv("DUALSITE_KAMAILIO_CFG", "/nonexistent/registrar.cfg", 1);
	assert_int_equal(lab_kam_find_cfg(buf, sizeof(buf), exe), ENOENT);
	unsetenv("DUALSITE_KAMAILIO_CFG");
}

static void nowhere(void **state)
{
	char exe[PATH_MAX], buf[PATH_MAX], data[PATH_MAX];
	(void)state;

	/* only when the compiled-in DATADIR has none either */
	snprintf(data, sizeof(data), "%s/registrar.cfg", DS_DATADIR);
	if (access(data, R_OK) == 0)
		skip();
	snprintf(exe, sizeof(exe), "%s/empty/bin/dualsite", root);
	touch("empty/bin/dualsite");
	assert_int_equal(lab_kam_find_cfg(buf, sizeof(buf), exe), ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(installed_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(source_tree_first, setup, teardown),
		cmocka_unit_test_setup_teardown(environment_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(nowhere, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
