/* Digest authentication (RFC 3261 §22, RFC 7616, RFC 8760) of one
 * binding's REGISTERs, in place of libre's sip_auth: the driver builds its
 * REGISTERs itself (see reg.c for why) and libre 1.1.0 does not export the
 * function that writes sip_auth's header into a request; nor does it know
 * SHA-256. No socket, no clock: unit-tested against the RFCs' examples. */
#ifndef DS_NET_DIGEST_H
#define DS_NET_DIGEST_H

#include <stdbool.h>
#include <stdint.h>
#include <re.h>

/* Algorithms understood, weakest first: the order a choice among several
 * challenges follows (a hash first, then the plain form over -sess, which
 * fewer servers check). */
enum ds_digest_alg {
	DS_DIGEST_MD5_SESS, DS_DIGEST_MD5, DS_DIGEST_SHA256_SESS, DS_DIGEST_SHA256,
};

/* The challenge last taken, answered on every later request (with the next
 * nc), as a phone does, so that a refresh is not challenged each time. */
struct ds_digest {
	char *realm, *nonce, *opaque;   /* NULL: no challenge taken */
	char ha1[65];                   /* H(user:realm:password), hex */
	uint32_t nc;                    /* requests answered with this nonce */
	uint8_t alg;                    /* enum ds_digest_alg */
	bool qop;                       /* qop=auth: send nc and cnonce */
	bool proxy;                     /* a 407: Proxy-Authorization */
};

/* "MD5", "MD5-sess", "SHA-256", "SHA-256-sess" */
const char *ds_digest_alg_name(enum ds_digest_alg alg);

/* Takes the challenge of a 401 (WWW-Authenticate) or 407 (Proxy-
 * Authenticate); of several (one header each), the strongest understood.
 * Returns 0; EPROTO when there is none or it lacks a realm or nonce;
 * ENOTSUP when no challenge has an algorithm understood and a qop of
 * "auth" or none; ENOMEM. On error the previous challenge is forgotten. */
int ds_digest_challenge(struct ds_digest *d, const struct sip_msg *msg,
			const char *user, const char *password);

/* Appends the (Proxy-)Authorization header line for `method` and `uri`
 * when a challenge was taken; nothing otherwise. `cnonce` is used with
 * qop=auth. Returns 0 or ENOMEM. */
int ds_digest_encode(struct mbuf *mb, struct ds_digest *d, const char *user,
		     const char *method, const char *uri, const char *cnonce);

/* Forgets the challenge and clears the HA1 (derived from the password). */
void ds_digest_reset(struct ds_digest *d);

#endif
