/* Digest authentication of our REGISTERs: see digest.h. */
#include <string.h>
#include "digest.h"

void ds_digest_reset(struct ds_digest *d)
{
	d->realm = mem_deref(d->realm);
	d->nonce = mem_deref(d->nonce);
	d->opaque = mem_deref(d->opaque);
	/* the HA1 stands for the password: gone with the challenge, in a way
	 * the compiler may not drop as a dead store */
	explicit_bzero(d->ha1, sizeof(d->ha1));
	d->nc = 0;
	d->qop = false;
	d->proxy = false;
}

/* Whether a comma-separated list (a qop-options value) holds `tok`. */
static bool list_has(const struct pl *list, const char *tok)
{
	struct pl rest = *list, item;

	while (rest.l) {
		const char *comma = pl_strchr(&rest, ',');

		item.p = rest.p;
		item.l = comma ? (size_t)(comma - rest.p) : rest.l;
		pl_advance(&rest, comma ? item.l + 1 : rest.l);
		while (item.l && (*item.p == ' ' || *item.p == '\t'))
			pl_advance(&item, 1);
		while (item.l && (item.p[item.l - 1] == ' ' || item.p[item.l - 1] == '\t'))
			item.l--;
		if (!pl_strcasecmp(&item, tok))
			return true;
	}
	return false;
}

int ds_digest_challenge(struct ds_digest *d, const struct sip_msg *msg,
			const char *user, const char *password)
{
	bool proxy = msg->scode == 407;
	const struct sip_hdr *h = sip_msg_hdr(msg, proxy ? SIP_HDR_PROXY_AUTHENTICATE :
					      SIP_HDR_WWW_AUTHENTICATE);
	struct httpauth_digest_chall c;
	int err;

	ds_digest_reset(d);
	if (!h || httpauth_digest_challenge_decode(&c, &h->val) ||
	    !pl_isset(&c.realm) || !pl_isset(&c.nonce))
		return EPROTO;
	if ((pl_isset(&c.algorithm) && pl_strcasecmp(&c.algorithm, "MD5")) ||
	    (pl_isset(&c.qop) && !list_has(&c.qop, "auth")))
		return ENOTSUP;
	err = pl_strdup(&d->realm, &c.realm);
	err |= pl_strdup(&d->nonce, &c.nonce);
	if (pl_isset(&c.opaque))
		err |= pl_strdup(&d->opaque, &c.opaque);
	err |= md5_printf(d->ha1, "%s:%r:%s", user, &c.realm, password);
	if (err) {
		ds_digest_reset(d);
		return ENOMEM;
	}
	d->qop = pl_isset(&c.qop);
	d->proxy = proxy;
	return 0;
}

int ds_digest_encode(struct mbuf *mb, struct ds_digest *d, const char *user,
		     const char *method, const char *uri, const char *cnonce)
{
	uint8_t ha2[16], resp[16];
	int err;

	if (!d->nonce)
		return 0;
	err = md5_printf(ha2, "%s:%s", method, uri);
	if (d->qop) {
		d->nc++;
		err |= md5_printf(resp, "%w:%s:%08x:%s:auth:%w", d->ha1, sizeof(d->ha1),
				  d->nonce, d->nc, cnonce, ha2, sizeof(ha2));
	} else {
		err |= md5_printf(resp, "%w:%s:%w", d->ha1, sizeof(d->ha1), d->nonce,
				  ha2, sizeof(ha2));
	}
	err |= mbuf_printf(mb, "%s: Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", "
			   "uri=\"%s\", response=\"%w\", algorithm=MD5",
			   d->proxy ? "Proxy-Authorization" : "Authorization",
			   user, d->realm, d->nonce, uri, resp, sizeof(resp));
	if (d->opaque)
		err |= mbuf_printf(mb, ", opaque=\"%s\"", d->opaque);
	if (d->qop)
		err |= mbuf_printf(mb, ", qop=auth, nc=%08x, cnonce=\"%s\"", d->nc, cnonce);
	err |= mbuf_write_str(mb, "\r\n");
	return err ? ENOMEM : 0;
}
