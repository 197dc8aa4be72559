/* libFuzzer harness for the network driver's SIP helpers: any bytes, as a
 * SIP message off the wire (its Contacts, Retry-After, Call-ID and digest
 * challenge; the raw readers of the UAS check: request and status line,
 * header lines, the RFC 2543 branch, the stateless answer) and as a listen
 * address. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <re.h>
#include "net/digest.h"
#include "net/sipmsg.h"
#include "net/sipraw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The binding the seeds name: what reg.c would pass for agent alice. */
static const char fuzz_user[] = "alice";
static const char fuzz_laddr[] = "127.0.0.1:5070";

struct contact_ctx {
	const char *user;
	const struct sa *laddr;
	unsigned seen;
};

/* Every Contact value, not just the first ours: the helper must cope with
 * whatever a registrar lists, for both proxies. */
static bool contact_h(const struct sip_hdr *hdr, const struct sip_msg *msg,
		      void *arg)
{
	struct contact_ctx *c = arg;
	uint32_t expires = 0;
	bool has = false;
	(void)msg;

	for (int dsp = 0; dsp <= 1; dsp++) {
		if (ds_sipmsg_contact_ours(&hdr->val, c->user, c->laddr, dsp,
					   &expires, &has))
			c->seen++;
	}
	return false;   /* keep walking */
}

/* A challenge as the registration client takes it, and the answer it
 * would write on the next request. */
static void fuzz_digest(const struct sip_msg *msg)
{
	struct ds_digest d;
	struct mbuf *mb = mbuf_alloc(256);

	memset(&d, 0, sizeof(d));
	if (mb && !ds_digest_challenge(&d, msg, fuzz_user, "secret"))
		(void)ds_digest_encode(mb, &d, fuzz_user, "REGISTER", "sip:127.0.0.1", "c0ffee");
	ds_digest_reset(&d);
	mem_deref(mb);
}

static void fuzz_msg(const uint8_t *data, size_t size, const struct sa *laddr)
{
	struct mbuf *mb = mbuf_alloc(size ? size : 1);
	struct sip_msg *msg = NULL;

	if (!mb)
		return;
	if (mbuf_write_mem(mb, data, size) == 0) {
		mbuf_set_pos(mb, 0);
		if (sip_msg_decode(&msg, mb) == 0) {
			struct contact_ctx c = {.user = fuzz_user, .laddr = laddr};
			uint64_t rnd;
			uint32_t agent, proxy;
			bool present;

			for (int dsp = 0; dsp <= 1; dsp++)
				(void)ds_sipmsg_granted(msg, fuzz_user, laddr, dsp,
							600, &present);
			(void)ds_sipmsg_retry_after(msg);
			fuzz_digest(msg);
			(void)ds_sipmsg_callid_parse(&msg->callid, &rnd, &agent, &proxy);
			/* sip_msg_decode() parses the request URI only for requests. */
			if (msg->req)
				(void)ds_sipmsg_dsp(&msg->uri);
			(void)sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT, contact_h, &c);
		}
	}
	mem_deref(msg);
	mem_deref(mb);
}

/* What src/net/uas.c does with a datagram before libre decodes it. */
static void fuzz_raw(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *eol, *why, *cur;
	struct mbuf *mb = mbuf_alloc(size ? size : 1), *out = mbuf_alloc(512);
	struct pl name, line;

	if (!mb || !out)
		goto done;
	eol = ds_sipraw_eol(p, end);
	(void)ds_sipraw_start_line(p, eol, &why);
	(void)ds_sipraw_status_ok(p, eol);
	cur = ds_sipraw_next_line(p, end);
	while (ds_sipraw_next_hdr(&cur, end, &name, &line)) {
		(void)ds_sipraw_quotes_balanced(&line);
		(void)ds_sipraw_cseq_ok(&line);
		(void)ds_sipraw_method_answer(&name);
	}
	(void)ds_sipraw_reply(out, p, size, 400, "Bad Request", 1);
	if (mbuf_write_mem(mb, data, size) == 0) {
		mbuf_set_pos(mb, 0);
		(void)ds_sipraw_add_branch(mb);
	}
 done:
	mem_deref(out);
	mem_deref(mb);
}

/* The listen address comes from the configuration: a C string, so the
 * input is cut at its first NUL and bounded like any config scalar. */
static void fuzz_listen(const uint8_t *data, size_t size)
{
	char s[256];
	struct sa sa;
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;

	memcpy(s, data, n);
	s[n] = '\0';
	(void)ds_sipmsg_parse_listen(s, &sa);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sa laddr;
	static bool ready;

	if (!ready) {
		if (ds_sipmsg_parse_listen(fuzz_laddr, &laddr))
			return 0;
		ready = true;
	}
	fuzz_msg(data, size, &laddr);
	fuzz_raw(data, size);
	fuzz_listen(data, size);
	return 0;
}
