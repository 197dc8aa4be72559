/* Unit tests of the raw SIP readers (src/net/sipraw.c): the request line, the
 * status line, header lines, the RFC 2543 branch, the stateless answer and the
 * small rules of the UAS check (quotes, CSeq range, methods). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "net/sipraw.h"

static void test_start_line(void **state)
{
	static const struct {
		const char *line;
		uint16_t code;
	} cases[] = {
		{"INVITE sip:7001@example.com SIP/2.0", 0},
		{"OPTIONS SIP:7001@example.com SIP/2.0", 0},           /* scheme: any case */
		{"!interesting-Method0123456789_*+`.%indeed'~ sip:x@y SIP/2.0", 0},
		{"INVITE  sip:user@example.com  SIP/2.0", 400},        /* lwsstart */
		{"INVITE sip:user@example.com; lr SIP/2.0", 400},      /* lwsruri */
		{"OPTIONS sip:remote-target@example.com SIP/2.0  ", 400}, /* trws */
		{"INVITE <sip:user@example.com> SIP/2.0", 400},        /* ltgtruri */
		{"INVITE user@example.com SIP/2.0", 400},              /* no scheme */
		{"INVITE sip:user@example.com", 400},
		{"INVITE", 400},
		{"", 400},
		{"INVITE sip:x@y SIP/2.0x", 400},
		{"OPTIONS sip:t.watson@example.org SIP/7.0", 505},      /* badvers */
		{"OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0", 416},
		{"OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0", 416},  /* novelsc */
		{"OPTIONS sips:7001@example.com SIP/2.0", 416},
		{"OPTIONS tel:+4930123 SIP/2.0", 416},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = NULL;
		const char *p = cases[i].line;
		uint16_t code = ds_sipraw_start_line(p, p + strlen(p), &why);

		if (code != cases[i].code)
			fail_msg("'%s': got %u, expected %u", p, code, cases[i].code);
		if (code)
			assert_non_null(why);
	}
}

static void test_status_line(void **state)
{
	static const struct {
		const char *line;
		bool ok;
	} cases[] = {
		{"SIP/2.0 200 OK", true},
		{"SIP/2.0 100 ", true},                                /* noreason */
		{"SIP/2.0 699 x", true},
		{"SIP/2.0 4294967301 better not break the receiver", false}, /* bigcode */
		{"SIP/2.0 099 x", false},
		{"SIP/2.0 700 x", false},
		{"SIP/2.0 20 OK", false},
		{"SIP/2.0 200", false},
		{"SIP/3.0 200 OK", false},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *p = cases[i].line;
		if (ds_sipraw_status_ok(p, p + strlen(p)) != cases[i].ok)
			fail_msg("'%s': expected %s", p, cases[i].ok ? "good" : "bad");
	}
}

static void test_next_hdr(void **state)
{
	static const char msg[] = "OPTIONS sip:x@y SIP/2.0\r\n"
		"Via  : SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw\r\n"
		"s :\r\n"
		"v: SIP/2.0/TCP a\r\n"
		"NoColon\r\n"
		"\r\n"
		"Body: not a header\r\n";
	const char *end = msg + sizeof(msg) - 1;
	const char *cur = ds_sipraw_next_line(msg, end);
	struct pl name, line;
	(void)state;

	assert_true(ds_sipraw_next_hdr(&cur, end, &name, &line));
	assert_int_equal(pl_strcmp(&name, "Via"), 0);
	assert_int_equal(pl_strcmp(&line, "Via  : SIP  /   2.0\r\n /UDP\r\n    "
				   "192.0.2.2;branch=390skdjuw"), 0);
	assert_true(ds_sipraw_next_hdr(&cur, end, &name, &line));
	assert_int_equal(pl_strcmp(&name, "s"), 0);
	assert_true(ds_sipraw_next_hdr(&cur, end, &name, &line));
	assert_int_equal(pl_strcmp(&name, "v"), 0);
	assert_true(ds_sipraw_next_hdr(&cur, end, &name, &line));
	assert_int_equal(name.l, 0);                       /* no colon: no name */
	assert_false(ds_sipraw_next_hdr(&cur, end, &name, &line));
	/* a message cut in the middle of a line */
	cur = msg + 25;
	assert_true(ds_sipraw_next_hdr(&cur, msg + 30, &name, &line));
	assert_int_equal(line.l, 5);
	assert_false(ds_sipraw_next_hdr(&cur, msg + 30, &name, &line));
}

/* The message of `text` with its top Via given a branch, or NULL on error. */
static char *with_branch(const char *text, int *err)
{
	struct mbuf *mb = mbuf_alloc(strlen(text));
	char *out = NULL;

	(void)mbuf_write_str(mb, text);
	mb->pos = 0;
	*err = ds_sipraw_add_branch(mb);
	if (!*err) {
		out = malloc(mb->end + 1);
		memcpy(out, mb->buf, mb->end);
		out[mb->end] = '\0';
	}
	mem_deref(mb);
	return out;
}

static void test_add_branch(void **state)
{
	static const char inv[] = "INVITE sip:UserB@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP iftgw.example.com\r\n"
		"Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKx\r\n"
		"From: <sip:+13035551111@ift.client.example.net;user=phone>\r\n"
		"To: sip:+16505552222@ss1.example.net;user=phone\r\n"
		"Call-ID: inv2543.1717@ift.client.example.com\r\n"
		"CSeq: 56 INVITE\r\n\r\n";
	static const char ack[] = "ACK sip:UserB@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP iftgw.example.com\r\n"
		"From: <sip:+13035551111@ift.client.example.net;user=phone>\r\n"
		"To: sip:+16505552222@ss1.example.net;user=phone;tag=9\r\n"
		"Call-ID: inv2543.1717@ift.client.example.com\r\n"
		"CSeq: 56 ACK\r\n\r\n";
	static const char other[] = "INVITE sip:UserB@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP iftgw.example.com\r\n"
		"From: <sip:+13035551111@ift.client.example.net;user=phone>\r\n"
		"Call-ID: inv2543.1717@ift.client.example.com\r\n"
		"CSeq: 57 INVITE\r\n\r\n";
	char *a, *b, *c, *br;
	int err;
	(void)state;

	a = with_branch(inv, &err);
	assert_int_equal(err, 0);
	/* the top Via gets it, at the end of its value; the second keeps its own */
	br = strstr(a, "Via: SIP/2.0/UDP iftgw.example.com;branch=z9hG4bK2543.");
	assert_non_null(br);
	assert_non_null(strstr(a, "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKx\r\n"));
	/* its ACK (another To tag, CSeq method ACK) gets the same branch */
	b = with_branch(ack, &err);
	assert_int_equal(err, 0);
	assert_int_equal(memcmp(strstr(b, ";branch="), strstr(a, ";branch="), 37), 0);
	/* another request of the dialog (CSeq 57) another one */
	c = with_branch(other, &err);
	assert_int_equal(err, 0);
	assert_int_not_equal(memcmp(strstr(c, ";branch="), strstr(a, ";branch="), 37), 0);
	free(a);
	free(b);
	free(c);

	/* a list in one header: the branch goes into the first value */
	a = with_branch("OPTIONS sip:x@y SIP/2.0\r\nv: SIP/2.0/UDP a.example.com , "
			"SIP/2.0/UDP b.example.com\r\n\r\n", &err);
	assert_int_equal(err, 0);
	assert_non_null(strstr(a, "v: SIP/2.0/UDP a.example.com;branch=z9hG4bK2543."));
	assert_non_null(strstr(a, " , SIP/2.0/UDP b.example.com\r\n"));
	free(a);

	/* badinv01: empty parameters and list elements are no RFC 2543 Via */
	assert_null(with_branch("INVITE sip:u@x SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.15;;,;,,\r\n"
				"\r\n", &err));
	assert_int_equal(err, EBADMSG);
	assert_null(with_branch("INVITE sip:u@x SIP/2.0\r\nVia: SIP/2.0/UDP h;\r\n\r\n", &err));
	assert_int_equal(err, EBADMSG);
	assert_null(with_branch("INVITE sip:u@x SIP/2.0\r\nTo: <sip:u@x>\r\n\r\n", &err));
	assert_int_equal(err, EBADMSG);                    /* no Via at all */
	assert_null(with_branch("INVITE\r\nVia: SIP/2.0/UDP h\r\n\r\n", &err));
	assert_int_equal(err, EBADMSG);                    /* no request line */
}

static void test_reply(void **state)
{
	static const char req[] = "INVITE <sip:user@example.com> SIP/2.0\r\n"
		"To: sip:user@example.com\r\n"
		"From: sip:caller@example.net;tag=39291\r\n"
		"Max-Forwards: 23\r\n"
		"i: ltgtruri.1@192.0.2.5\r\n"
		"CSeq: 1 INVITE\r\n"
		"Via: SIP/2.0/UDP 192.0.2.5\r\n"
		"v: SIP/2.0/UDP 192.0.2.6;branch=z9hG4bK2\r\n"
		"Content-Length: 159\r\n\r\nv=0\r\n";
	struct mbuf *mb = mbuf_alloc(256);
	char *out;
	(void)state;

	assert_int_equal(ds_sipraw_reply(mb, req, sizeof(req) - 1, 400, "Bad Request",
					 0xabcULL), 0);
	out = calloc(1, mb->end + 1);
	memcpy(out, mb->buf, mb->end);
	assert_string_equal(out, "SIP/2.0 400 Bad Request\r\n"
			    "To: sip:user@example.com;tag=0000000000000abc\r\n"
			    "From: sip:caller@example.net;tag=39291\r\n"
			    "i: ltgtruri.1@192.0.2.5\r\n"
			    "CSeq: 1 INVITE\r\n"
			    "Via: SIP/2.0/UDP 192.0.2.5\r\n"
			    "v: SIP/2.0/UDP 192.0.2.6;branch=z9hG4bK2\r\n"
			    "Server: dualsite\r\nContent-Length: 0\r\n\r\n");
	free(out);
	mem_deref(mb);

	/* a To with a tag keeps it; without Call-ID there is nothing to answer */
	mb = mbuf_alloc(256);
	assert_int_equal(ds_sipraw_reply(mb, "X sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n"
					 "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;TAG=2\r\n"
					 "CSeq: 1 X\r\n\r\n", 84, 400, "Bad Request", 7),
			 ENOENT);
	mem_deref(mb);
}

static void test_small_rules(void **state)
{
	static const struct {
		const char *v;
		bool ok;
	} quotes[] = {
		{"\"Mr. J. User <sip:j.user@example.com>", false},   /* quotbal */
		{"\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>", true},
		{"\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com>", true},
		{"sip:x@y", true},
		{"\"a\\\"", false},
	};
	static const struct {
		const char *v;
		bool ok;
	} cseqs[] = {
		{"1 INVITE", true}, {"0009\r\n  INVITE", true}, {"4294967295 X", true},
		{"4294967296 X", false}, {"36893488147419103232 REGISTER", false},
		{"99999999999 X", false}, {"INVITE", false}, {"", false},
	};
	static const struct {
		const char *met;
		uint16_t code;
	} methods[] = {
		{"INVITE", 0}, {"ACK", 0}, {"BYE", 0}, {"CANCEL", 0}, {"OPTIONS", 0},
		{"REGISTER", 405}, {"MESSAGE", 405}, {"SUBSCRIBE", 405}, {"invite", 501},
		{"RE%47IST%45R", 501}, {"NEWMETHOD", 501},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(quotes) / sizeof(quotes[0]); i++) {
		struct pl pl;
		pl_set_str(&pl, quotes[i].v);
		if (ds_sipraw_quotes_balanced(&pl) != quotes[i].ok)
			fail_msg("quotes of '%s': expected %d", quotes[i].v, quotes[i].ok);
	}
	for (size_t i = 0; i < sizeof(cseqs) / sizeof(cseqs[0]); i++) {
		struct pl pl;
		pl_set_str(&pl, cseqs[i].v);
		if (ds_sipraw_cseq_ok(&pl) != cseqs[i].ok)
			fail_msg("CSeq '%s': expected %d", cseqs[i].v, cseqs[i].ok);
	}
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		struct pl pl;
		pl_set_str(&pl, methods[i].met);
		assert_int_equal(ds_sipraw_method_answer(&pl), methods[i].code);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_line),
		cmocka_unit_test(test_status_line),
		cmocka_unit_test(test_next_hdr),
		cmocka_unit_test(test_add_branch),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_small_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
