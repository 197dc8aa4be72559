/* Unit tests of src/net/digest.c: the responses of the RFCs' own examples
 * (RFC 2617 §3.5 with qop=auth, RFC 2069 without, RFC 7616 §3.9.1 with MD5
 * and SHA-256), the -sess forms (against the RFC 7616 §3.4.2 formula worked
 * here with OpenSSL, independently of digest.c), the choice among several
 * challenges, the header written, and challenges refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>
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
			     "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256"));
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
	static const char zero[65];
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

/* A 401 with one WWW-Authenticate of a value made at run time. */
static struct sip_msg *answer401(const char *value)
{
	char text[1024];

	snprintf(text, sizeof(text), CHALLENGE("401", "Unauthorized", "WWW-Authenticate", "%s"),
		 value);
	return answer(text);
}

/* RFC 7616 §3.9.1: the same request answered with MD5 and with SHA-256. */
#define RFC7616_CHALL(alg) \
	"Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", " \
	"algorithm=" alg ", nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", " \
	"opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
#define RFC7616_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"

static void rfc7616(const char *chall, const char *resp)
{
	struct ds_digest d = {0};
	struct sip_msg *m = answer401(chall);
	char *h;

	assert_int_equal(ds_digest_challenge(&d, m, "Mufasa", "Circle of Life"), 0);
	h = header(&d, "Mufasa", "GET", "/dir/index.html", RFC7616_CNONCE);
	assert_non_null(strstr(h, resp));
	assert_non_null(strstr(h, ", qop=auth, nc=00000001, cnonce=\"" RFC7616_CNONCE "\""));
	mem_deref(h);
	ds_digest_reset(&d);
	mem_deref(m);
}

static void test_rfc7616_md5(void **state)
{
	(void)state;
	rfc7616(RFC7616_CHALL("MD5"), "response=\"8ca523f5e9506fed4657c9700eebdbec\", "
		"algorithm=MD5");
}

static void test_rfc7616_sha256(void **state)
{
	(void)state;
	rfc7616(RFC7616_CHALL("SHA-256"),
		"response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
		"algorithm=SHA-256");
}

/* H(text) in hex, straight from OpenSSL: the test's own arithmetic. */
static void hx(const EVP_MD *md, const char *text, char *out)
{
	unsigned char b[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	assert_true(EVP_Digest(text, strlen(text), b, &n, md, NULL));
	for (unsigned int i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* -sess (RFC 7616 §3.4.2): HA1 = H(H(user:realm:password):nonce:cnonce). */
static void sess(const char *alg, const EVP_MD *md, bool qop)
{
	struct ds_digest d = {0};
	char chall[256], t[512], a1[65], ha1[65], ha2[65], resp[65], want[128];
	struct sip_msg *m;
	char *h;

	snprintf(chall, sizeof(chall), "Digest realm=\"sip.example\", nonce=\"n0nce\", "
		 "algorithm=%s%s", alg, qop ? ", qop=\"auth\"" : "");
	m = answer401(chall);
	assert_int_equal(ds_digest_challenge(&d, m, "7001", "pw"), 0);
	h = header(&d, "7001", "REGISTER", "sip:10.0.0.1:5060;transport=udp", "c0ffee");

	hx(md, "7001:sip.example:pw", a1);
	snprintf(t, sizeof(t), "%s:n0nce:c0ffee", a1);
	hx(md, t, ha1);
	hx(md, "REGISTER:sip:10.0.0.1:5060;transport=udp", ha2);
	if (qop)
		snprintf(t, sizeof(t), "%s:n0nce:00000001:c0ffee:auth:%s", ha1, ha2);
	else
		snprintf(t, sizeof(t), "%s:n0nce:%s", ha1, ha2);
	hx(md, t, resp);
	snprintf(want, sizeof(want), "response=\"%s\", algorithm=%s", resp, alg);
	assert_non_null(strstr(h, want));
	assert_non_null(strstr(h, "cnonce=\"c0ffee\""));
	mem_deref(h);
	ds_digest_reset(&d);
	mem_deref(m);
}

static void test_sess(void **state)
{
	(void)state;
	sess("MD5-sess", EVP_md5(), true);
	sess("MD5-sess", EVP_md5(), false);
	sess("SHA-256-sess", EVP_sha256(), true);
	sess("SHA-256-sess", EVP_sha256(), false);
}

/* Several challenges in one answer: the strongest understood is answered,
 * whatever their order; one not understood is passed over. */
static void test_strongest(void **state)
{
	static const char *const tail =
		"Content-Length: 0\r\n\r\n";
	struct ds_digest d = {0};
	char text[1024];
	struct sip_msg *m;
	(void)state;

	snprintf(text, sizeof(text), "SIP/2.0 407 Proxy Authentication Required\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n"
		 "From: <sip:u@h>;tag=1\r\nTo: <sip:u@h>;tag=2\r\n"
		 "Call-ID: c\r\nCSeq: 1 REGISTER\r\n"
		 "Proxy-Authenticate: Digest realm=\"r\", nonce=\"a\", algorithm=MD5\r\n"
		 "Proxy-Authenticate: Digest realm=\"r\", nonce=\"b\", algorithm=SHA-512-256\r\n"
		 "Proxy-Authenticate: Digest realm=\"r\", nonce=\"c\", algorithm=SHA-256, qop=\"auth\"\r\n"
		 "Proxy-Authenticate: Digest realm=\"r\", nonce=\"d\", algorithm=MD5-sess\r\n%s", tail);
	m = answer(text);
	assert_int_equal(ds_digest_challenge(&d, m, "u", "p"), 0);
	assert_string_equal(d.nonce, "c");
	assert_int_equal(d.alg, DS_DIGEST_SHA256);
	assert_true(d.qop);
	assert_true(d.proxy);
	ds_digest_reset(&d);
	mem_deref(m);

	/* none understood: refused */
	snprintf(text, sizeof(text), "SIP/2.0 401 Unauthorized\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n"
		 "From: <sip:u@h>;tag=1\r\nTo: <sip:u@h>;tag=2\r\n"
		 "Call-ID: c\r\nCSeq: 1 REGISTER\r\n"
		 "WWW-Authenticate: Digest realm=\"r\", nonce=\"a\", algorithm=SHA-512-256\r\n"
		 "WWW-Authenticate: Digest realm=\"r\", nonce=\"b\", qop=\"auth-int\"\r\n%s", tail);
	m = answer(text);
	assert_int_equal(ds_digest_challenge(&d, m, "u", "p"), ENOTSUP);
	mem_deref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc2617_qop),
		cmocka_unit_test(test_rfc2069_proxy),
		cmocka_unit_test(test_refused_challenges),
		cmocka_unit_test(test_reset_clears_ha1),
		cmocka_unit_test(test_rfc7616_md5),
		cmocka_unit_test(test_rfc7616_sha256),
		cmocka_unit_test(test_sess),
		cmocka_unit_test(test_strongest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
