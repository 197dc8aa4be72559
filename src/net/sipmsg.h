/* Pure helpers of the network driver: the listen address, our Call-IDs and
 * what a SIP answer says about our binding. No socket, no clock: unit-tested. */
#ifndef DS_NET_SIPMSG_H
#define DS_NET_SIPMSG_H

#include <stdbool.h>
#include <stdint.h>
#include <re.h>

/* "ADDR", "ADDR:PORT", "[V6]", "[V6]:PORT" (numeric addresses only).
 * A missing port is 0 (ephemeral). Returns 0 or EINVAL. */
int ds_sipmsg_parse_listen(const char *s, struct sa *sa);

/* The `dsp` parameter of a URI: the proxy (0 or 1) whose registrar routed
 * the request, or -1 when absent or not 0/1. */
int ds_sipmsg_dsp(const struct uri *uri);

/* Whether one Contact value names our binding: same user, same host:port as
 * `laddr`, and a `dsp` parameter equal to `dsp`. When it does and the value
 * carries an `expires` parameter, *expires is set and *has_expires true. */
bool ds_sipmsg_contact_ours(const struct pl *val, const char *user,
			    const struct sa *laddr, int dsp,
			    uint32_t *expires, bool *has_expires);

/* The expiry a 2xx to our REGISTER granted: our Contact's expires param,
 * else the Expires header, else `asked`. *present tells whether our
 * Contact was listed at all (a binding check uses that). */
uint32_t ds_sipmsg_granted(const struct sip_msg *msg, const char *user,
			   const struct sa *laddr, int dsp, uint32_t asked,
			   bool *present);

/* Seconds of a Retry-After header ("120", "120 (busy);duration=60"), 0 when
 * absent or unreadable. */
uint32_t ds_sipmsg_retry_after(const struct sip_msg *msg);

/* Our REGISTER Call-IDs, "RANDOM.AGENT.PROXY@dualsite" (RANDOM 1..16 hex
 * digits): they name the binding an answer belongs to. Returns 0, or EINVAL
 * for any other Call-ID. */
int ds_sipmsg_callid_parse(const struct pl *callid, uint64_t *rnd,
			   uint32_t *agent, uint32_t *proxy);

#endif
