/* Pure helpers of the network driver: parse the listen address and our
 * REGISTER Call-IDs, and read what a registrar's answer says about our
 * binding (RFC 3261 §10.2.4: a 2xx lists every current Contact of the AOR,
 * each with its expires). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sipmsg.h"

int ds_sipmsg_parse_listen(const char *s, struct sa *sa)
{
	char host[64];
	const char *port = NULL;
	size_t hl;

	if (!s || !*s || !sa)
		return EINVAL;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end)
			return EINVAL;
		hl = (size_t)(end - s - 1);
		if (hl == 0 || hl >= sizeof(host))
			return EINVAL;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0')
			return EINVAL;
	}
	else {
		const char *colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) {
			/* a bare IPv6 address: no port */
			colon = NULL;
		}
		hl = colon ? (size_t)(colon - s) : strlen(s);
		if (hl == 0 || hl >= sizeof(host))
			return EINVAL;
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (colon)
			port = colon + 1;
	}

	unsigned long p = 0;
	if (port) {
		char *end;
		if (!*port || *port == '-' || *port == '+')
			return EINVAL;
		errno = 0;
		p = strtoul(port, &end, 10);
		if (errno || *end || p > 65535)
			return EINVAL;
	}

	return sa_set_str(sa, host, (uint16_t)p) ? EINVAL : 0;
}

int ds_sipmsg_dsp(const struct uri *uri)
{
	struct pl v;

	if (!uri || msg_param_decode(&uri->params, "dsp", &v))
		return -1;
	if (!pl_strcmp(&v, "0"))
		return 0;
	if (!pl_strcmp(&v, "1"))
		return 1;
	return -1;
}

bool ds_sipmsg_contact_ours(const struct pl *val, const char *user,
			    const struct sa *laddr, int dsp,
			    uint32_t *expires, bool *has_expires)
{
	struct sip_addr addr;
	struct sa host;
	struct pl v;

	if (!val || !user || !laddr)
		return false;
	if (sip_addr_decode(&addr, val))
		return false;
	if (pl_strcmp(&addr.uri.user, user))
		return false;
	if (sa_set(&host, &addr.uri.host, addr.uri.port))
		return false;
	if (!sa_cmp(&host, laddr, SA_ALL))
		return false;
	if (ds_sipmsg_dsp(&addr.uri) != dsp)
		return false;

	if (has_expires)
		*has_expires = false;
	if (!msg_param_decode(&addr.params, "expires", &v) && v.l) {
		if (expires)
			*expires = pl_u32(&v);
		if (has_expires)
			*has_expires = true;
	}
	return true;
}

struct granted_ctx {
	const char *user;
	const struct sa *laddr;
	int dsp;
	uint32_t expires;
	bool has_expires;
	bool found;
};

static bool contact_h(const struct sip_hdr *hdr, const struct sip_msg *msg,
		      void *arg)
{
	struct granted_ctx *c = arg;
	uint32_t e = 0;
	bool has = false;
	(void)msg;

	if (!ds_sipmsg_contact_ours(&hdr->val, c->user, c->laddr, c->dsp, &e, &has))
		return false;
	c->found = true;
	c->has_expires = has;
	c->expires = e;
	return true;   /* stop at our binding */
}

uint32_t ds_sipmsg_granted(const struct sip_msg *msg, const char *user,
			   const struct sa *laddr, int dsp, uint32_t asked,
			   bool *present)
{
	struct granted_ctx c = {.user = user, .laddr = laddr, .dsp = dsp};

	if (present)
		*present = false;
	if (!msg)
		return asked;

	(void)sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT, contact_h, &c);
	if (present)
		*present = c.found;
	if (c.found && c.has_expires)
		return c.expires;
	if (pl_isset(&msg->expires))
		return pl_u32(&msg->expires);
	return asked;
}

uint32_t ds_sipmsg_retry_after(const struct sip_msg *msg)
{
	const struct sip_hdr *h;
	uint32_t v = 0;

	if (!msg)
		return 0;
	h = sip_msg_hdr(msg, SIP_HDR_RETRY_AFTER);
	if (!h)
		return 0;
	for (size_t i = 0; i < h->val.l; i++) {
		char ch = h->val.p[i];
		if (ch < '0' || ch > '9')
			break;
		if (v > (UINT32_MAX - 9) / 10)
			return UINT32_MAX;
		v = v * 10 + (uint32_t)(ch - '0');
	}
	return v;
}

/* Reads up to `max` digits of `base` from *p, advancing it; false when there
 * are none or too many. */
static bool take_num(const char **p, const char *end, unsigned base,
		     unsigned max, uint64_t *v)
{
	unsigned n = 0;

	*v = 0;
	while (*p < end && n < max) {
		char c = **p;
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			break;
		*v = *v * base + d;
		(*p)++;
		n++;
	}
	if (n == 0)
		return false;
	/* more digits than allowed: not ours */
	return !(*p < end && ((**p >= '0' && **p <= '9') ||
			      (base == 16 && **p >= 'a' && **p <= 'f')));
}

int ds_sipmsg_callid_parse(const struct pl *callid, uint64_t *rnd,
			   uint32_t *agent, uint32_t *proxy)
{
	static const char suffix[] = "@dualsite";
	const char *p, *end;
	uint64_t r, a, x;

	if (!callid || !callid->p)
		return EINVAL;
	p = callid->p;
	end = p + callid->l;
	if (!take_num(&p, end, 16, 16, &r) || p >= end || *p++ != '.')
		return EINVAL;
	if (!take_num(&p, end, 10, 10, &a) || a > UINT32_MAX || p >= end || *p++ != '.')
		return EINVAL;
	if (!take_num(&p, end, 10, 1, &x) || x > 1)
		return EINVAL;
	if ((size_t)(end - p) != sizeof(suffix) - 1 ||
	    memcmp(p, suffix, sizeof(suffix) - 1))
		return EINVAL;
	if (rnd)
		*rnd = r;
	if (agent)
		*agent = (uint32_t)a;
	if (proxy)
		*proxy = (uint32_t)x;
	return 0;
}
