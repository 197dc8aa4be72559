/* Digest authentication of our REGISTERs: see digest.h. */
#include <stdarg.h>
#include <string.h>
#include <openssl/evp.h>
#include "digest.h"

const char *ds_digest_alg_name(enum ds_digest_alg alg)
{
	switch (alg) {
	case DS_DIGEST_MD5_SESS: return "MD5-sess";
	case DS_DIGEST_MD5: return "MD5";
	case DS_DIGEST_SHA256_SESS: return "SHA-256-sess";
	case DS_DIGEST_SHA256: return "SHA-256";
	}
	return "MD5";
}

static bool alg_sha256(enum ds_digest_alg alg)
{
	return alg == DS_DIGEST_SHA256 || alg == DS_DIGEST_SHA256_SESS;
}

static bool alg_sess(enum ds_digest_alg alg)
{
	return alg == DS_DIGEST_MD5_SESS || alg == DS_DIGEST_SHA256_SESS;
}

/* hex = H(the formatted text), in lower-case hex (65 bytes with the NUL). */
static int hash_hex(enum ds_digest_alg alg, char hex[65], const char *fmt, ...)
{
	char text[1024];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = re_vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(text) - 1)
		return ENOMEM;
	if (!EVP_Digest(text, strlen(text), md, &len,
			alg_sha256(alg) ? EVP_sha256() : EVP_md5(), NULL) || len > 32) {
		explicit_bzero(text, sizeof(text));
		return ENOMEM;
	}
	explicit_bzero(text, sizeof(text));
	for (unsigned int i = 0; i < len; i++) {
		hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
	}
	hex[2 * len] = '\0';
	return 0;
}

void ds_digest_reset(struct ds_digest *d)
{
	d->realm = mem_deref(d->realm);
	d->nonce = mem_deref(d->nonce);
	d->opaque = mem_deref(d->opaque);
	/* the HA1 stands for the password: gone with the challenge, in a way
	 * the compiler may not drop as a dead store */
	explicit_bzero(d->ha1, sizeof(d->ha1));
	d->nc = 0;
	d->alg = DS_DIGEST_MD5;
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

/* The choice among the challenges of one answer. */
struct pick {
	struct httpauth_digest_chall c;
	int alg;          /* enum ds_digest_alg; -1: none taken yet */
	unsigned seen;    /* challenges with a realm and a nonce */
};

static bool chall_h(const struct sip_hdr *hdr, const struct sip_msg *msg, void *arg)
{
	struct pick *p = arg;
	struct httpauth_digest_chall c;
	int alg;
	(void)msg;

	if (httpauth_digest_challenge_decode(&c, &hdr->val) ||
	    !pl_isset(&c.realm) || !pl_isset(&c.nonce))
		return false;
	p->seen++;
	if (pl_isset(&c.qop) && !list_has(&c.qop, "auth"))
		return false;
	if (!pl_isset(&c.algorithm) || !pl_strcasecmp(&c.algorithm, "MD5"))
		alg = DS_DIGEST_MD5;
	else if (!pl_strcasecmp(&c.algorithm, "MD5-sess"))
		alg = DS_DIGEST_MD5_SESS;
	else if (!pl_strcasecmp(&c.algorithm, "SHA-256"))
		alg = DS_DIGEST_SHA256;
	else if (!pl_strcasecmp(&c.algorithm, "SHA-256-sess"))
		alg = DS_DIGEST_SHA256_SESS;
	else
		return false;
	if (alg > p->alg) {
		p->c = c;
		p->alg = alg;
	}
	return false;
}

int ds_digest_challenge(struct ds_digest *d, const struct sip_msg *msg,
			const char *user, const char *password)
{
	bool proxy = msg->scode == 407;
	struct pick p = {.alg = -1};
	int err;

	ds_digest_reset(d);
	(void)sip_msg_hdr_apply(msg, true, proxy ? SIP_HDR_PROXY_AUTHENTICATE :
				SIP_HDR_WWW_AUTHENTICATE, chall_h, &p);
	if (!p.seen)
		return EPROTO;
	if (p.alg < 0)
		return ENOTSUP;
	d->alg = (uint8_t)p.alg;
	err = pl_strdup(&d->realm, &p.c.realm);
	err |= pl_strdup(&d->nonce, &p.c.nonce);
	if (pl_isset(&p.c.opaque))
		err |= pl_strdup(&d->opaque, &p.c.opaque);
	err |= hash_hex(d->alg, d->ha1, "%s:%r:%s", user, &p.c.realm, password);
	if (err) {
		ds_digest_reset(d);
		return ENOMEM;
	}
	d->qop = pl_isset(&p.c.qop);
	d->proxy = proxy;
	return 0;
}

int ds_digest_encode(struct mbuf *mb, struct ds_digest *d, const char *user,
		     const char *method, const char *uri, const char *cnonce)
{
	enum ds_digest_alg alg = d->alg;
	char ha1[65], ha2[65], resp[65];
	int err = 0;

	if (!d->nonce)
		return 0;
	/* RFC 7616 §3.4.2: -sess hashes the nonce and cnonce into HA1 */
	if (alg_sess(alg))
		err = hash_hex(alg, ha1, "%s:%s:%s", d->ha1, d->nonce, cnonce);
	else
		memcpy(ha1, d->ha1, sizeof(ha1));
	err |= hash_hex(alg, ha2, "%s:%s", method, uri);
	if (d->qop) {
		d->nc++;
		err |= hash_hex(alg, resp, "%s:%s:%08x:%s:auth:%s", ha1, d->nonce, d->nc,
				cnonce, ha2);
	}
	else {
		err |= hash_hex(alg, resp, "%s:%s:%s", ha1, d->nonce, ha2);
	}
	explicit_bzero(ha1, sizeof(ha1));
	if (err)
		return ENOMEM;
	err = mbuf_printf(mb, "%s: Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", "
			  "uri=\"%s\", response=\"%s\", algorithm=%s",
			  d->proxy ? "Proxy-Authorization" : "Authorization",
			  user, d->realm, d->nonce, uri, resp, ds_digest_alg_name(alg));
	if (d->opaque)
		err |= mbuf_printf(mb, ", opaque=\"%s\"", d->opaque);
	if (d->qop)
		err |= mbuf_printf(mb, ", qop=auth, nc=%08x, cnonce=\"%s\"", d->nc, cnonce);
	else if (alg_sess(alg))
		err |= mbuf_printf(mb, ", cnonce=\"%s\"", cnonce);
	err |= mbuf_write_str(mb, "\r\n");
	return err ? ENOMEM : 0;
}
