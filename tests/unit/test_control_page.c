/* Unit tests of the status page's route (src/control/page.c) and of the
 * token rule for its files (src/control/request.c): the page's files need
 * no token, everything else still does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "control/control_priv.h"
#include "control/web.h"

static const char TOKEN[] = "page-token-0123456789";

static unsigned parse(const char *method, const char *path, const char *auth, struct ctl_req *rq)
{
	char head[512], why[256];
	bool fatal;

	snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: x\r\n%s%s%s\r\n", method, path,
		 auth ? "Authorization: Bearer " : "", auth ? auth : "", auth ? "\r\n" : "");
	return ds_ctl_parse_head(head, strlen(head), TOKEN, rq, &fatal, why, sizeof(why));
}

static void test_token_rule(void **state)
{
	static const struct { const char *method, *path; unsigned status; } cases[] = {
		{"GET", "/", 0}, {"GET", "/status.js", 0}, {"GET", "/status.css", 0},
		{"GET", "/status.nope", 0},            /* a 404 from the page, not a 401 */
		{"POST", "/", 401}, {"HEAD", "/", 401}, {"GET", "/statusjs", 401},
		{"GET", "/metrics", 401}, {"GET", "/v1/status", 401}, {"GET", "/v1/events", 401},
		{"GET", "/status.js/x", 401}, {"GET", "/v1/status.js", 401},
	};
	struct ctl_req rq;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned st = parse(cases[i].method, cases[i].path, NULL, &rq);

		if (st != cases[i].status)
			fail_msg("%s %s without a token: %u, expected %u", cases[i].method,
				 cases[i].path, st, cases[i].status);
		assert_int_equal(parse(cases[i].method, cases[i].path, TOKEN, &rq), 0);
	}
}

static void test_serves_files(void **state)
{
	struct ctl_req rq;
	struct ctl_resp rs;
	(void)state;

	assert_true(ds_web_n >= 3);
	assert_int_equal(parse("GET", "/", NULL, &rq), 0);
	assert_true(ds_ctl_page_path(&rq));
	memset(&rs, 0, sizeof(rs));
	ds_ctl_page(&rq, &rs);
	assert_int_equal(rs.status, 200);
	assert_string_equal(rs.ctype, "text/html; charset=utf-8");
	assert_true(rs.body.len > 100 && !memcmp(rs.body.p, "<!DOCTYPE html>", 15));
	ds_buf_free(&rs.body);

	assert_int_equal(parse("GET", "/status.js", NULL, &rq), 0);
	memset(&rs, 0, sizeof(rs));
	ds_ctl_page(&rq, &rs);
	assert_int_equal(rs.status, 200);
	assert_string_equal(rs.ctype, "text/javascript; charset=utf-8");
	ds_buf_free(&rs.body);

	assert_int_equal(parse("GET", "/status.nope", NULL, &rq), 0);
	memset(&rs, 0, sizeof(rs));
	ds_ctl_page(&rq, &rs);
	assert_int_equal(rs.status, 404);
	assert_non_null(strstr(rs.body.p, "'/status.nope'"));
	ds_buf_free(&rs.body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_rule),
		cmocka_unit_test(test_serves_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
