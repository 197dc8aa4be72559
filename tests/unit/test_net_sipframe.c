/* Unit tests of the framing of SIP on a stream (src/net/sipframe.c): keep-alives,
 * pings, one Content-Length of body, and what makes the framing lost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "net/sipframe.h"

#define HEAD "OPTIONS sip:7001@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n"

static void test_frames(void **state)
{
	static const struct {
		const char *in;
		enum ds_sipframe_kind kind;
		size_t len;       /* CRLF, PING, MSG */
		uint16_t code;    /* BAD */
	} cases[] = {
		{"", DS_SIPFRAME_NEED, 0, 0},
		{"\r", DS_SIPFRAME_NEED, 0, 0},
		{"\r\n", DS_SIPFRAME_CRLF, 2, 0},
		{"\r\nOPTIONS", DS_SIPFRAME_CRLF, 2, 0},
		{"\r\n\r", DS_SIPFRAME_NEED, 0, 0},             /* a ping's second half */
		{"\r\n\r\n", DS_SIPFRAME_PING, 4, 0},
		{"\r\n\r\nOPTIONS", DS_SIPFRAME_PING, 4, 0},
		{HEAD "Content-Length: 0\r\n", DS_SIPFRAME_NEED, 0, 0},   /* no empty line yet */
		{HEAD "Content-Length: 0\r\n\r\n", DS_SIPFRAME_MSG, sizeof(HEAD) + 20, 0},
		{HEAD "Content-Length: 0\r\n\r\nOPTIONS", DS_SIPFRAME_MSG, sizeof(HEAD) + 20, 0},
		{HEAD "l:   4 \r\n\r\nbody", DS_SIPFRAME_MSG, sizeof(HEAD) + 14, 0},
		{HEAD "content-length:\r\n 4\r\n\r\nbodyX", DS_SIPFRAME_MSG, sizeof(HEAD) + 26, 0},
		{HEAD "Content-Length: 5\r\n\r\nbody", DS_SIPFRAME_NEED, 0, 0},  /* clerr */
		{HEAD "\r\n", DS_SIPFRAME_BAD, 0, 400},                    /* inv2543 */
		{HEAD "Content-Length: 0\r\nl: 0\r\n\r\n", DS_SIPFRAME_BAD, 0, 400},  /* mcl01 */
		{HEAD "Content-Length: -999\r\n\r\n", DS_SIPFRAME_BAD, 0, 400},      /* ncl */
		{HEAD "Content-Length: 0x10\r\n\r\n", DS_SIPFRAME_BAD, 0, 400},
		{HEAD "Content-Length:\r\n\r\n", DS_SIPFRAME_BAD, 0, 400},
		{HEAD "Content-Length: 99999999999\r\n\r\n", DS_SIPFRAME_BAD, 0, 400},
		{HEAD "Content-Length: 65536\r\n\r\n", DS_SIPFRAME_BAD, 0, 513},
		{HEAD "Content-Length: 4294967296\r\n\r\n", DS_SIPFRAME_BAD, 0, 513},
		{"SIP/2.0 200 OK\r\nVia: x\r\n\r\n", DS_SIPFRAME_BAD, 0, 0},  /* a response: no answer */
		{"SIP/2.0 200 OK\r\nl: 0\r\n\r\n", DS_SIPFRAME_MSG, 24, 0},
		/* a Content-Length name inside another header's value is not one */
		{HEAD "Subject: Content-Length: 7\r\nl: 0\r\n\r\n", DS_SIPFRAME_MSG,
		 sizeof(HEAD) + 35, 0},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ds_sipframe f;
		const char *p = cases[i].in;

		ds_sipframe_next(p, strlen(p), &f);
		if (f.kind != cases[i].kind)
			fail_msg("case %zu: got %s, expected %s", i, ds_sipframe_name(f.kind),
				 ds_sipframe_name(cases[i].kind));
		if (f.kind != DS_SIPFRAME_BAD && f.kind != DS_SIPFRAME_NEED &&
		    f.len != cases[i].len)
			fail_msg("case %zu: length %zu, expected %zu", i, f.len, cases[i].len);
		if (f.kind == DS_SIPFRAME_BAD) {
			if (f.code != cases[i].code)
				fail_msg("case %zu: code %u, expected %u", i, f.code, cases[i].code);
			assert_non_null(f.why);
		}
	}
}

/* Headers that never end, or a message past the limit, are refused once the
 * limit is reached, not waited for. */
static void test_limits(void **state)
{
	size_t n = DS_SIPFRAME_MAX + 16;
	char *p = malloc(n);
	struct ds_sipframe f;
	(void)state;

	assert_non_null(p);
	memset(p, 'a', n);
	memcpy(p, HEAD, sizeof(HEAD) - 1);
	ds_sipframe_next(p, DS_SIPFRAME_MAX - 1, &f);
	assert_int_equal(f.kind, DS_SIPFRAME_NEED);
	ds_sipframe_next(p, n, &f);
	assert_int_equal(f.kind, DS_SIPFRAME_BAD);
	assert_int_equal(f.code, 513);
	/* the largest message taken: exactly DS_SIPFRAME_MAX bytes */
	{
		char cl[64];
		size_t head = sizeof(HEAD) - 1, hl;
		int w = snprintf(cl, sizeof(cl), "Content-Length: %05u\r\n\r\n", 0u);
		hl = head + (size_t)w;
		snprintf(cl, sizeof(cl), "Content-Length: %05zu\r\n\r\n", DS_SIPFRAME_MAX - hl);
		memcpy(p + head, cl, (size_t)w);
		ds_sipframe_next(p, n, &f);
		assert_int_equal(f.kind, DS_SIPFRAME_MSG);
		assert_int_equal(f.len, DS_SIPFRAME_MAX);
		snprintf(cl, sizeof(cl), "Content-Length: %05zu\r\n\r\n", DS_SIPFRAME_MAX - hl + 1);
		memcpy(p + head, cl, (size_t)w);
		ds_sipframe_next(p, n, &f);
		assert_int_equal(f.kind, DS_SIPFRAME_BAD);
		assert_int_equal(f.code, 513);
	}
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
