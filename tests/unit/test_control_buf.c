/* Unit tests of the control endpoint's text buffer and JSON strings
 * (src/control/buf.c) and of its --control address check. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "control/buf.h"
#include "dualsite/control.h"

static void test_printf_grows(void **state)
{
	struct ds_buf b = {0};
	char want[4096];
	size_t n = 0;
	(void)state;

	/* many small writes cross every growth step; one large one at the end */
	for (int i = 0; i < 300; i++) {
		ds_buf_printf(&b, "%d,", i);
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%d,", i);
	}
	assert_int_equal(b.len, n);
	assert_string_equal(b.p, want);
	memset(want, 'x', 3000);
	want[3000] = '\0';
	ds_buf_printf(&b, "%s", want);
	assert_int_equal(b.len, n + 3000);
	assert_int_equal(strlen(b.p), b.len);
	assert_false(b.oom);
	ds_buf_free(&b);
}

static void test_jstr(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{"alice", "\"alice\""},
		{"a\"b\\c", "\"a\\\"b\\\\c\""},
		{"tab\there\n", "\"tab\\there\\n\""},
		{"\x01", "\"\\u0001\""},
		{"caf\xc3\xa9", "\"caf\xc3\xa9\""},
		{"bad\xff", "\"bad\\ufffd\""},
		{"", "\"\""},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ds_buf b = {0};

		ds_buf_puts(&b, "[");
		ds_buf_jstr(&b, cases[i].in);
		ds_buf_puts(&b, "]");
		assert_int_equal(b.len, strlen(b.p));
		assert_memory_equal(b.p + 1, cases[i].out, strlen(cases[i].out));
		assert_int_equal(b.len, strlen(cases[i].out) + 2);
		ds_buf_free(&b);
	}
}

static void test_jstr_null_and_long(void **state)
{
	struct ds_buf b = {0};
	char big[1000];
	(void)state;

	ds_buf_jstr(&b, NULL);
	assert_string_equal(b.p, "null");
	/* a string longer than the room left: written whole, not cut */
	memset(big, '"', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ds_buf_jstr(&b, big);
	assert_int_equal(b.len, 4 + 2 + 2 * (sizeof(big) - 1));
	assert_int_equal(b.p[b.len - 1], '"');
	ds_buf_free(&b);
}

static void test_consume(void **state)
{
	struct ds_buf b = {0};
	(void)state;

	ds_buf_puts(&b, "GET / HTTP/1.1\r\n\r\nnext");
	ds_buf_consume(&b, 18);
	assert_string_equal(b.p, "next");
	assert_int_equal(b.len, 4);
	ds_buf_consume(&b, 99);
	assert_int_equal(b.len, 0);
	ds_buf_free(&b);
}

static void test_addr_check(void **state)
{
	static const struct { const char *addr; int err; bool loop; } cases[] = {
		{"/run/dualsite.sock", 0, true},
		{"./ds.sock", 0, true},
		{"127.0.0.1:8080", 0, true},
		{"localhost:8080", 0, true},
		{"[::1]:8080", 0, true},
		{"10.0.0.1:8080", 0, false},
		{"0.0.0.0:8080", 0, false},
		{"[::]:8080", 0, false},
		{"127.0.0.1", EINVAL, false},
		{"127.0.0.1:0", EINVAL, false},
		{"127.0.0.1:65536", EINVAL, false},
		{"127.0.0.1:80x", EINVAL, false},
		{"example.com:80", EINVAL, false},
		{"::1:80", EINVAL, false},
		{"", EINVAL, false},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool loop = false;
		int err = ds_control_addr_check(cases[i].addr, &loop);

		if (err != cases[i].err)
			fail_msg("%s: error %d, expected %d", cases[i].addr, err, cases[i].err);
		if (!err && loop != cases[i].loop)
			fail_msg("%s: loopback %d, expected %d", cases[i].addr, loop,
				 cases[i].loop);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printf_grows),
		cmocka_unit_test(test_jstr),
		cmocka_unit_test(test_jstr_null_and_long),
		cmocka_unit_test(test_consume),
		cmocka_unit_test(test_addr_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
