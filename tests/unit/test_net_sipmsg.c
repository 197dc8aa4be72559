/* Unit tests of the network driver's pure helpers (src/net/sipmsg.c): the
 * --listen parser and what a registrar's answer says about our binding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "net/sipmsg.h"

static void test_listen_ok(void **state)
{
	static const struct {
		const char *in;
		const char *addr;
		uint16_t port;
		int af;
	} cases[] = {
		{"127.0.0.1", "127.0.0.1", 0, AF_INET},
		{"127.0.0.1:5070", "127.0.0.1", 5070, AF_INET},
		{"0.0.0.0:65535", "0.0.0.0", 65535, AF_INET},
		{"[::1]:5070", "::1", 5070, AF_INET6},
		{"[::1]", "::1", 0, AF_INET6},
		{"::1", "::1", 0, AF_INET6},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sa sa, want;
		char buf[64];

		assert_int_equal(ds_sipmsg_parse_listen(cases[i].in, &sa), 0);
		assert_int_equal(sa_af(&sa), cases[i].af);
		assert_int_equal(sa_port(&sa), cases[i].port);
		assert_int_equal(sa_set_str(&want, cases[i].addr, cases[i].port), 0);
		assert_true(sa_cmp(&sa, &want, SA_ALL));
		assert_int_equal(sa_ntop(&sa, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[i].addr);
	}
}

static void test_listen_bad(void **state)
{
	static const char *const bad[] = {
		"", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:+5",
		"127.0.0.1:50x", "localhost", "localhost:5060", "[::1", "[::1]x",
		"[]:5060", "300.1.1.1", ":5060",
	};
	struct sa sa;
	(void)state;

	assert_int_equal(ds_sipmsg_parse_listen(NULL, &sa), EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = ds_sipmsg_parse_listen(bad[i], &sa);
		if (r != EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
	}
}

static void test_dsp(void **state)
{
	static const struct {
		const char *uri;
		int dsp;
	} cases[] = {
		{"sip:7001@127.0.0.1:5070;transport=udp;dsp=0", 0},
		{"sip:7001@127.0.0.1:5070;dsp=1;transport=tcp", 1},
		{"sip:7001@127.0.0.1:5070;dsp=2", -1},
		{"sip:7001@127.0.0.1:5070;dsp=", -1},
		{"sip:7001@127.0.0.1:5070;transport=udp", -1},
		{"sip:7001@127.0.0.1:5070", -1},
	};
	(void)state;

	assert_int_equal(ds_sipmsg_dsp(NULL), -1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct uri uri;
		struct pl pl;

		pl_set_str(&pl, cases[i].uri);
		assert_int_equal(uri_decode(&uri, &pl), 0);
		assert_int_equal(ds_sipmsg_dsp(&uri), cases[i].dsp);
	}
}

static void test_contact_ours(void **state)
{
	static const struct {
		const char *val;
		int dsp;
		bool ours;
		bool has_exp;
		uint32_t exp;
	} cases[] = {
		{"<sip:7001@127.0.0.1:40000;transport=udp;dsp=0>;expires=120", 0, true, true, 120},
		{"<sip:7001@127.0.0.1:40000;transport=udp;dsp=0>", 0, true, false, 0},
		{"<sip:7001@127.0.0.1:40000;dsp=1>;q=0.5;expires=30", 1, true, true, 30},
		/* the other proxy's binding on one registrar */
		{"<sip:7001@127.0.0.1:40000;transport=udp;dsp=1>;expires=120", 0, false, false, 0},
		/* another user, another port, another host */
		{"<sip:7002@127.0.0.1:40000;dsp=0>;expires=120", 0, false, false, 0},
		{"<sip:7001@127.0.0.1:40001;dsp=0>;expires=120", 0, false, false, 0},
		{"<sip:7001@127.0.0.2:40000;dsp=0>;expires=120", 0, false, false, 0},
		/* no dsp at all: not ours (someone else's phone with our user) */
		{"<sip:7001@127.0.0.1:40000>;expires=120", 0, false, false, 0},
		{"garbage", 0, false, false, 0},
	};
	struct sa laddr;
	(void)state;

	assert_int_equal(sa_set_str(&laddr, "127.0.0.1", 40000), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pl pl;
		uint32_t exp = 0;
		bool has = false;
		bool ours;

		pl_set_str(&pl, cases[i].val);
		ours = ds_sipmsg_contact_ours(&pl, "7001", &laddr, cases[i].dsp, &exp, &has);
		if (ours != cases[i].ours)
			fail_msg("case %zu '%s': ours %d", i, cases[i].val, ours);
		if (!ours)
			continue;
		assert_int_equal(has, cases[i].has_exp);
		assert_int_equal(exp, cases[i].exp);
	}
}

/* A registrar's answer, parsed by libre as the driver receives it. */
static struct sip_msg *answer(const char *extra)
{
	struct sip_msg *msg = NULL;
	struct mbuf *mb = mbuf_alloc(1024);

	assert_non_null(mb);
	assert_int_equal(mbuf_printf(mb,
				     "SIP/2.0 200 OK\r\n"
				     "Via: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK1\r\n"
				     "From: <sip:7001@127.0.0.1>;tag=1\r\n"
				     "To: <sip:7001@127.0.0.1>;tag=2\r\n"
				     "Call-ID: 1@dualsite\r\n"
				     "CSeq: 2 REGISTER\r\n"
				     "%s"
				     "Content-Length: 0\r\n\r\n", extra), 0);
	mb->pos = 0;
	assert_int_equal(sip_msg_decode(&msg, mb), 0);
	mem_deref(mb);
	return msg;
}

static void test_granted(void **state)
{
	static const struct {
		const char *hdrs;
		uint32_t want;
		bool present;
	} cases[] = {
		/* ours among others, comma-separated or in separate headers */
		{"Contact: <sip:7001@127.0.0.1:40000;dsp=1>;expires=50, "
		 "<sip:7001@127.0.0.1:40000;transport=udp;dsp=0>;expires=120\r\n"
		 "Expires: 3600\r\n", 120, true},
		{"Contact: <sip:7001@10.0.0.9:5060>;expires=10\r\n"
		 "Contact: <sip:7001@127.0.0.1:40000;dsp=0>;expires=90\r\n", 90, true},
		/* ours without an expires param: the Expires header */
		{"Contact: <sip:7001@127.0.0.1:40000;dsp=0>\r\nExpires: 600\r\n", 600, true},
		/* not listed: Expires header, else what we asked */
		{"Contact: <sip:7001@127.0.0.1:40000;dsp=1>;expires=50\r\nExpires: 300\r\n", 300, false},
		{"", 1800, false},
	};
	struct sa laddr;
	(void)state;

	assert_int_equal(sa_set_str(&laddr, "127.0.0.1", 40000), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sip_msg *msg = answer(cases[i].hdrs);
		bool present = !cases[i].present;
		uint32_t g = ds_sipmsg_granted(msg, "7001", &laddr, 0, 1800, &present);

		if (g != cases[i].want || present != cases[i].present)
			fail_msg("case %zu: granted %u present %d", i, g, present);
		mem_deref(msg);
	}
}

static void test_retry_after(void **state)
{
	static const struct {
		const char *hdrs;
		uint32_t want;
	} cases[] = {
		{"Retry-After: 120\r\n", 120},
		{"Retry-After: 30 (maintenance);duration=60\r\n", 30},
		{"Retry-After: soon\r\n", 0},
		{"", 0},
		{"Retry-After: 99999999999999\r\n", UINT32_MAX},
	};
	(void)state;

	assert_int_equal(ds_sipmsg_retry_after(NULL), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sip_msg *msg = answer(cases[i].hdrs);

		assert_int_equal(ds_sipmsg_retry_after(msg), cases[i].want);
		mem_deref(msg);
	}
}

static void test_callid(void **state)
{
	static const struct {
		const char *in;
		int err;
		uint64_t rnd;
		uint32_t agent, proxy;
	} cases[] = {
		{"06f3695b5e0fb921.1.0@dualsite", 0, 0x06f3695b5e0fb921ull, 1, 0},
		{"ffffffffffffffff.4294967295.1@dualsite", 0, UINT64_MAX, 4294967295u, 1},
		{"0.0.0@dualsite", 0, 0, 0, 0},
		{"0.0.2@dualsite", EINVAL, 0, 0, 0},            /* proxy 0 or 1 only */
		{"0.4294967296.0@dualsite", EINVAL, 0, 0, 0},   /* agent overflows */
		{"10000000000000000.0.0@dualsite", EINVAL, 0, 0, 0}, /* 17 hex digits */
		{"abc.1.0@dualsite.example", EINVAL, 0, 0, 0},
		{"abc.1.0@other", EINVAL, 0, 0, 0},
		{"ABC.1.0@dualsite", EINVAL, 0, 0, 0},
		{"abc.1@dualsite", EINVAL, 0, 0, 0},
		{"abc..0@dualsite", EINVAL, 0, 0, 0},
		{"1-12417@127.0.0.1", EINVAL, 0, 0, 0},
		{"", EINVAL, 0, 0, 0},
	};
	(void)state;

	assert_int_equal(ds_sipmsg_callid_parse(NULL, NULL, NULL, NULL), EINVAL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pl pl;
		uint64_t rnd = 7;
		uint32_t a = 7, p = 7;
		int err;

		pl_set_str(&pl, cases[i].in);
		err = ds_sipmsg_callid_parse(&pl, &rnd, &a, &p);
		if (err != cases[i].err)
			fail_msg("'%s': got %d, expected %d", cases[i].in, err, cases[i].err);
		if (err)
			continue;
		assert_true(rnd == cases[i].rnd);
		assert_int_equal(a, cases[i].agent);
		assert_int_equal(p, cases[i].proxy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_ok),
		cmocka_unit_test(test_listen_bad),
		cmocka_unit_test(test_dsp),
		cmocka_unit_test(test_contact_ours),
		cmocka_unit_test(test_granted),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_callid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
