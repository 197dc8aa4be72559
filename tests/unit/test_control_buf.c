/* Unit tests of the control endpoint's text buffer, JSON strings, numbers
 * and chunked framing (src/control/buf.c) and of its --control address check. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Plain names take a fast path: the same text as the escaping path gives. */
static void test_jstr_plain(void **state)
{
	static const char *const cases[] = {"agent-00123", "SIP_X", "a b~\x7f", "x"};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ds_buf b = {0};
		char want[64];

		snprintf(want, sizeof(want), "[\"%s\"]", cases[i]);
		ds_buf_puts(&b, "[");
		ds_buf_jstr(&b, cases[i]);
		ds_buf_lit(&b, "]");
		assert_string_equal(b.p, want);
		assert_int_equal(b.len, strlen(want));
		ds_buf_free(&b);
	}
}

/* ds_buf_int as printf's %lld; ds_buf_milli as "%lld.%03lld" of v / 1000 and
 * v % 1000, the sign in front (as the events' t is written). */
static void test_numbers(void **state)
{
	static const long long vals[] = {0, 1, -1, 9, 10, 999, 1000, -1000, 1005, -1005,
					 123456789, -60001, 4294967296LL, LLONG_MAX,
					 LLONG_MIN + 1, LLONG_MIN};
	(void)state;

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		struct ds_buf b = {0};
		char want[64];
		long long v = vals[i];
		unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

		snprintf(want, sizeof(want), "%lld", v);
		ds_buf_int(&b, v);
		assert_string_equal(b.p, want);
		b.len = 0;
		snprintf(want, sizeof(want), "%s%llu.%03llu", v < 0 ? "-" : "", u / 1000, u % 1000);
		ds_buf_milli(&b, v);
		assert_string_equal(b.p, want);
		assert_int_equal(b.len, strlen(want));
		ds_buf_free(&b);
	}
}

/* The framing as RFC 9112 §7.1 writes it. */
static void test_chunk_writer(void **state)
{
	struct ds_buf b = {0};
	char big[300];
	(void)state;

	ds_buf_chunk(&b, "abc", 3);
	ds_buf_chunk(&b, "0123456789abcdef\r\n", 18);
	ds_buf_chunk(&b, NULL, 0);
	assert_string_equal(b.p, "3\r\nabc\r\n12\r\n0123456789abcdef\r\n\r\n0\r\n\r\n");
	b.len = 0;
	memset(big, 'z', sizeof(big));
	ds_buf_chunk(&b, big, sizeof(big));
	assert_int_equal(b.len, 5 + sizeof(big) + 2);
	assert_memory_equal(b.p, "12c\r\nzz", 7);
	assert_memory_equal(b.p + b.len - 3, "z\r\n", 3);
	ds_buf_free(&b);
}

/* Chunks written in place frame the same bytes; the room their head did not
 * need is before the returned start; an empty one is left out. */
static void test_chunk_in_place(void **state)
{
	struct ds_buf b = {0}, want = {0};
	size_t at, start;
	char big[300];
	(void)state;

	memset(big, 'q', sizeof(big));
	ds_buf_lit(&b, "HEAD");
	at = ds_buf_chunk_open(&b);
	assert_int_equal(at, 4);
	ds_buf_put(&b, big, sizeof(big));
	start = ds_buf_chunk_close(&b, at);
	assert_true(start >= at);
	ds_buf_chunk(&want, big, sizeof(big));
	assert_int_equal(b.len - start, want.len);
	assert_memory_equal(b.p + start, want.p, want.len);
	assert_memory_equal(b.p, "HEAD", 4);
	/* nothing appended: no chunk at all */
	b.len = 0;
	at = ds_buf_chunk_open(&b);
	assert_int_equal(ds_buf_chunk_close(&b, at), at);
	assert_int_equal(b.len, 0);
	ds_buf_free(&b);
	ds_buf_free(&want);
}

/* Chunks of many sizes (data with CR, LF and NUL in it) read back whole; every
 * shorter prefix asks for more, never ends early nor is called broken. */
static void test_chunks_round_trip(void **state)
{
	static const size_t sizes[] = {1, 2, 15, 16, 17, 255, 256, 4095, 4096, 65536, 3};
	struct ds_buf b = {0}, want = {0};
	size_t pos = 0, end;
	unsigned seed = 7;
	(void)state;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *data = malloc(sizes[i]);

		assert_non_null(data);
		for (size_t k = 0; k < sizes[i]; k++) {
			seed = seed * 1103515245u + 12345u;
			data[k] = "\r\n\0a0F"[(seed >> 16) % 6];
		}
		ds_buf_chunk(&b, data, sizes[i]);
		ds_buf_put(&want, data, sizes[i]);
		free(data);
	}
	ds_buf_chunk(&b, NULL, 0);
	end = b.len;
	ds_buf_lit(&b, "HTTP/1.1 200 OK\r\n");   /* a next answer: not part of this one */
	for (size_t len = 0; len < end; len += len < 300 ? 1 : 997) {
		size_t p = pos;

		assert_int_equal(ds_chunks_scan(b.p, len, &p), EAGAIN);
		assert_true(p <= len);
	}
	/* in steps, as reads come: each resumes where the last stopped */
	for (size_t len = 0; len < end; len += 1000)
		assert_int_equal(ds_chunks_scan(b.p, len, &pos), EAGAIN);
	assert_int_equal(ds_chunks_scan(b.p, b.len, &pos), 0);
	assert_int_equal(pos, end);
	assert_int_equal(ds_chunks_join(b.p, pos), want.len);
	assert_memory_equal(b.p, want.p, want.len);
	ds_buf_free(&b);
	ds_buf_free(&want);
}

static void test_chunks_broken(void **state)
{
	static const struct { const char *in; int err; const char *data; } cases[] = {
		{"3\r\nabc\r\n0\r\n\r\n", 0, "abc"},
		{"3;ext=1\r\nabc\r\n0\r\n\r\n", 0, "abc"},          /* extensions ignored */
		{"A\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n", 0, "0123456789"},   /* a trailer */
		{"3\r\nabc\r\n0\r\nX-T: 1\r\n", EAGAIN, NULL},
		{"3\r\nab", EAGAIN, NULL},
		{"3", EAGAIN, NULL},
		{"x\r\nabc\r\n0\r\n\r\n", EPROTO, NULL},          /* no size */
		{"3 \r\nabc\r\n", EPROTO, NULL},                  /* junk after the size */
		{"3\nabc\r\n0\r\n\r\n", EPROTO, NULL},            /* LF alone */
		{"3;x\nabc\r\n0\r\n\r\n", EPROTO, NULL},          /* ... after an extension */
		{"3\r\nabcd\r\n0\r\n\r\n", EPROTO, NULL},         /* more data than said */
		{"0\r\nX-T: 1\n\r\n", EPROTO, NULL},              /* a trailer line without CR */
		{"fffffffffffffffffffff\r\n", EPROTO, NULL},      /* a size past size_t */
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[128];
		size_t pos = 0, len = strlen(cases[i].in);

		memcpy(buf, cases[i].in, len + 1);
		assert_int_equal(ds_chunks_scan(buf, len, &pos), cases[i].err);
		if (cases[i].data) {
			assert_int_equal(pos, len);
			len = ds_chunks_join(buf, pos);
			assert_int_equal(len, strlen(cases[i].data));
			assert_memory_equal(buf, cases[i].data, len);
		}
	}
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
		cmocka_unit_test(test_jstr_plain),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_chunk_writer),
		cmocka_unit_test(test_chunk_in_place),
		cmocka_unit_test(test_chunks_round_trip),
		cmocka_unit_test(test_chunks_broken),
		cmocka_unit_test(test_consume),
		cmocka_unit_test(test_addr_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
