/* Unit tests of src/net/digest.c: the responses of the RFCs' own examples
 * (RFC 2617 §3.5 with qop=auth, RFC 2069 without), the header written, and
 * challenges refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "net/digest.h"

/* A SIP answer decoded by libre, as the driver gets it. */
static struct sip_msg *answer(const char *text)
{
	struct mbuf *mb = mbuf_alloc(1024);
	struct sip_msg *msg = NULL;

	assert_non_null(mb);
	assert_int_equal(mbuf_write_str(mb, text), 0);
	mb->pos = 0;
	assert_int_equal(sip_msg_decode(&msg, mb), 0);
	mem_deref(mb);
	return msg;
}

static char *header(struct ds_digest *d, const char *user, const char *method,
		    const char *uri, const char *cnonce)
{
	struct mbuf *mb = mbuf_alloc(512);
	char *s = NULL;

	assert_int_equal(ds_digest_encode(mb, d, user, method, uri, cnonce), 0);
	mb->pos = 0;
	assert_int_equal(mbuf_strdup(mb, &s, mbuf_get_left(mb)), 0);
	mem_deref(mb);
	return s;
}

#define CHALLENGE(code, reason, hdr, value) \
	"SIP/2.0 " code " " reason "\r\n" \
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n" \
	"From: <sip:u@h>;tag=1\r\nTo: <sip:u@h>;tag=2\r\n" \
	"Call-ID: c\r\nCSeq: 1 REGISTER\r\n" hdr ": " value "\r\n" \
	"Content-Length: 0\r\n\r\n"

static void test_rfc2617_qop(void **state)
{
	struct ds_digest d = {0};
	struct sip_msg *m = answer(CHALLENGE("401", "Unauthorized", "WWW-Authenticate",
		"Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
		"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
		"opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""));
	char *h;
	(void)state;

	assert_int_equal(ds_digest_challenge(&d, m, "Mufasa", "Circle Of Life"), 0);
	h = header(&d, "Mufasa", "GET", "/dir/index.html", "0a4f113b");
	assert_non_null(strstr(h, "response=\"6629fae49393a05397450978507c4ef1\""));
	assert_non_null(strstr(h, ", qop=auth, nc=00000001, cnonce=\"0a4f113b\""));
	assert_non_null(strstr(h, ", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""));
	assert_int_equal(strncmp(h, "Authorization: Digest username=\"Mufasa\", ", 41), 0);
	assert_string_equal(h + strlen(h) - 2, "\r\n");
	mem_deref(h);
	/* the next request counts on */
	h = header(&d, "Mufasa", "GET", "/dir/index.html", "0a4f113b");
	assert_non_null(strstr(h, "nc=00000002"));
	mem_deref(h);
	ds_digest_reset(&d);
	mem_deref(m);
}

static void test_rfc2069_proxy(void **state)
{
	struct ds_digest d = {0};
	struct sip_msg *m = answer(CHALLENGE("407", "Proxy Authentication Required",
		"Proxy-Authenticate",
		"Digest realm=\"testrealm@host.com\", "
		"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\""));
	char *h;
	(void)state;

	assert_int_equal(ds_digest_challenge(&d, m, "Mufasa", "CircleOfLife"), 0);
	h = header(&d, "Mufasa", "GET", "/dir/index.html", "x");
	assert_int_equal(strncmp(h, "Proxy-Authorization: Digest ", 28), 0);
	assert_non_null(strstr(h, "response=\"1949323746fe6a43ef61f9606e7febea\""));
	assert_null(strstr(h, "qop="));
	assert_null(strstr(h, "opaque="));
	mem_deref(h);
	ds_digest_reset(&d);
	mem_deref(m);
}

static void test_refused_challenges(void **state)
{
	struct ds_digest d = {0};
	struct sip_msg *m;
	char *h;
	(void)state;

	m = answer(CHALLENGE("401", "Unauthorized", "WWW-Authenticate",
			     "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256"));
	assert_int_equal(ds_digest_challenge(&d, m, "u", "p"), ENOTSUP);
	mem_deref(m);
	m = answer(CHALLENGE("401", "Unauthorized", "WWW-Authenticate",
			     "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""));
	assert_int_equal(ds_digest_challenge(&d, m, "u", "p"), ENOTSUP);
	mem_deref(m);
	m = answer(CHALLENGE("401", "Unauthorized", "WWW-Authenticate", "Digest realm=\"r\""));
	assert_int_equal(ds_digest_challenge(&d, m, "u", "p"), EPROTO);
	mem_deref(m);
	/* a 407 whose challenge sits in the wrong header */
	m = answer(CHALLENGE("407", "Proxy Authentication Required", "WWW-Authenticate",
			     "Digest realm=\"r\", nonce=\"n\""));
	assert_int_equal(ds_digest_challenge(&d, m, "u", "p"), EPROTO);
	mem_deref(m);
	/* nothing taken: nothing written */
	h = header(&d, "u", "REGISTER", "sip:h", "c");
	assert_string_equal(h, "");
	mem_deref(h);
}

/* The HA1 stands for the password: a reset leaves none of it behind. */
static void test_reset_clears_ha1(void **state)
{
	static const uint8_t zero[16];
	struct ds_digest d = {0};
	struct sip_msg *m = answer(CHALLENGE("401", "Unauthorized", "WWW-Authenticate",
		"Digest realm=\"r\", nonce=\"n\""));
	struct mbuf *mb = mbuf_alloc(64);
	(void)state;

	assert_int_equal(ds_digest_challenge(&d, m, "7001", "secret"), 0);
	assert_memory_not_equal(d.ha1, zero, sizeof(zero));
	ds_digest_reset(&d);
	assert_memory_equal(d.ha1, zero, sizeof(zero));
	assert_null(d.realm);
	assert_null(d.nonce);
	/* and nothing is answered any more */
	assert_int_equal(ds_digest_encode(mb, &d, "7001", "REGISTER", "sip:h", "c"), 0);
	assert_int_equal(mb->end, 0);
	mem_deref(mb);
	mem_deref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc2617_qop),
		cmocka_unit_test(test_rfc2069_proxy),
		cmocka_unit_test(test_refused_challenges),
		cmocka_unit_test(test_reset_clears_ha1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
