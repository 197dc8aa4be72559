/* Digest authentication (RFC 3261 §22, RFC 2617, MD5) of one binding's
 * REGISTERs, in place of libre's sip_auth: the driver builds its REGISTERs
 * itself (see reg.c for why) and libre 1.1.0 does not export the function
 * that writes sip_auth's header into a request. No socket, no clock:
 * unit-tested against the RFCs' examples. */
#ifndef DS_NET_DIGEST_H
#define DS_NET_DIGEST_H

#include <stdbool.h>
#include <stdint.h>
#include <re.h>

/* The challenge last taken, answered on every later request (with the next
 * nc), as a phone does, so that a refresh is not challenged each time. */
struct ds_digest {
	char *realm, *nonce, *opaque;   /* NULL: no challenge taken */
	uint8_t ha1[16];                /* MD5(user:realm:password) */
	uint32_t nc;                    /* requests answered with this nonce */
	bool qop;                       /* qop=auth: send nc and cnonce */
	bool proxy;                     /* a 407: Proxy-Authorization */
};

/* Takes the challenge of a 401 (WWW-Authenticate) or 407 (Proxy-
 * Authenticate). Returns 0; EPROTO when there is none or it lacks a realm
 * or nonce; ENOTSUP for an algorithm other than MD5 or a qop without
 * "auth"; ENOMEM. On error the previous challenge is forgotten. */
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
