/* ds_event_line: event lines of any length come out whole and valid. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "dualsite/engine.h"

enum { LONG = 600 };

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && !strcmp(s + a - b, tail);
}

static void test_long_agent_json(void **state)
{
	char *name = repeat('a', LONG), *want, *buf = NULL;
	size_t cap = 0;
	struct ds_engine_conf c = {.agent = name, .site_name = {"SiteX", "SiteY"}};
	struct ds_event ev = {.type = DS_EV_SWITCHOVER, .t = 1500, .kind = DS_KIND_SIP,
			      .from = 0, .to = 1, .reason = DS_R_SERVER_LOSS};
	int n;

	(void)state;
	n = ds_event_line(&ev, &c, true, &buf, &cap);
	assert_non_null(buf);
	assert_int_equal(n, (int)strlen(buf));
	assert_true(cap > (size_t)n);
	assert_true(n > LONG);
	assert_true(buf[0] == '{');
	assert_true(ends_with(buf, "}"));
	want = malloc(LONG + 32);
	assert_non_null(want);
	snprintf(want, LONG + 32, "\"agent\": \"%s\",", name);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "\"reason\": \"server-loss\"}"));
	/* one line: nothing in it would end a line */
	assert_null(strchr(buf, '\n'));
	free(want);
	free(buf);
	free(name);
}

/* registration-failed: the fields of registration-lost, in both forms. */
static void test_registration_failed(void **state)
{
	struct ds_engine_conf c = {.agent = "alice", .site_name = {"Paris", "Lyon"}};
	struct ds_event ev = {.type = DS_EV_REGISTRATION_FAILED, .t = 2250, .kind = DS_KIND_SIP,
			      .proxy = 1, .site = 1, .reason = DS_R_REJECTED, .code = 401};
	char buf[256];

	(void)state;
	ds_event_json(&ev, &c, buf, sizeof(buf));
	assert_string_equal(buf, "{\"t\": 2.250, \"agent\": \"alice\", \"event\": "
			    "\"registration-failed\", \"proxy\": 1, \"site\": \"Lyon\", "
			    "\"reason\": \"rejected:401\"}");
	ds_event_text(&ev, &c, buf, sizeof(buf));
	assert_string_equal(buf, "proxy1 registration failed at Lyon (rejected:401)");
	ev.type = DS_EV_REGISTRATION_LOST;
	ev.reason = DS_R_TIMEOUT;
	ds_event_text(&ev, &c, buf, sizeof(buf));
	assert_string_equal(buf, "proxy1 registration lost at Lyon (timeout)");
}

static void test_long_site_text_and_reuse(void **state)
{
	char *site = repeat('s', LONG), *buf = NULL;
	size_t cap = 0, cap1;
	struct ds_engine_conf c = {.agent = "bob", .site_name = {site, "SiteY"}};
	struct ds_event ev = {.type = DS_EV_CONNECTION_LOST, .t = 2000, .kind = DS_KIND_SIP,
			      .site = 0};
	int n;

	(void)state;
	n = ds_event_line(&ev, &c, false, &buf, &cap);
	assert_int_equal(n, (int)strlen(buf));
	assert_non_null(strstr(buf, site));
	assert_true(ends_with(buf, site));
	/* a shorter line reuses the buffer as it is */
	cap1 = cap;
	c.site_name[0] = "SiteX";
	n = ds_event_line(&ev, &c, true, &buf, &cap);
	assert_int_equal(cap, cap1);
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, "{\"t\": 2.000, \"agent\": \"bob\", \"event\": \"connection-lost\", "
			    "\"kind\": \"sip\", \"site\": \"SiteX\"}");
	free(buf);
	free(site);
}

static void test_agent_name_escaped(void **state)
{
	char *buf = NULL;
	size_t cap = 0;
	struct ds_engine_conf c = {.agent = "a\"b\\c\nd\x01", .site_name = {"S0", "S1"}};
	struct ds_event ev = {.type = DS_EV_CALL_START, .t = 5, .site = 1};

	(void)state;
	assert_true(ds_event_line(&ev, &c, true, &buf, &cap) > 0);
	assert_string_equal(buf, "{\"t\": 0.005, \"agent\": \"a\\\"b\\\\c\\nd\\u0001\", "
			    "\"event\": \"call-start\", \"site\": \"S1\"}");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_agent_json),
		cmocka_unit_test(test_registration_failed),
		cmocka_unit_test(test_long_site_text_and_reuse),
		cmocka_unit_test(test_agent_name_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
