/* Pure readers of raw SIP bytes, for what libre 1.1.0 cannot decode: the start
 * line, header lines, the RFC 2543 branch, a stateless answer. No socket, no
 * clock: unit-tested and fuzzed. */
#ifndef DS_NET_SIPRAW_H
#define DS_NET_SIPRAW_H

#include <stdbool.h>
#include <stdint.h>
#include <re.h>

/* The end of the line at p (its CR or LF, or end). */
const char *ds_sipraw_eol(const char *p, const char *end);

/* The start of the next line after p (end when none). */
const char *ds_sipraw_next_line(const char *p, const char *end);

/* A logical header line from *cur (folded lines joined): its name, trimmed,
 * and the whole line without its CRLF; *cur moves past it. False at the
 * empty line that ends the headers, or at end. */
bool ds_sipraw_next_hdr(const char **cur, const char *end, struct pl *name,
			struct pl *line);

/* The request line [p, eol) is "METHOD SP URI SP SIP/2.0" with a sip URI:
 * 0; else 400 (malformed), 416 (another URI scheme) or 505 (another SIP
 * version), with *why saying which. */
uint16_t ds_sipraw_start_line(const char *p, const char *eol, const char **why);

/* A status line "SIP/2.0 NNN " with NNN in 100..699 at [p, eol). */
bool ds_sipraw_status_ok(const char *p, const char *eol);

/* RFC 3261 §17.2.3 for a request whose top Via has no branch: inserts
 * ";branch=z9hG4bK2543.HASH" at the end of the top Via value, HASH made of
 * the Request-URI, From, Call-ID, CSeq number and top Via (the To tag and
 * the CSeq method left out, so an ACK or CANCEL gets its INVITE's branch).
 * 0, EBADMSG when there is no top Via or it is malformed (an empty
 * parameter or list element), ENOMEM. */
int ds_sipraw_add_branch(struct mbuf *mb);

/* A stateless answer to the raw request [p, p+len): status line, its Via,
 * From, To (a tag added when it has none), Call-ID and CSeq lines as they
 * came, Content-Length 0. 0, or ENOENT when one of those five is missing. */
int ds_sipraw_reply(struct mbuf *mb, const char *p, size_t len, uint16_t scode,
		    const char *reason, uint64_t tag);

/* An even number of unescaped double quotes (RFC 3261 quoted-string). */
bool ds_sipraw_quotes_balanced(const struct pl *v);

/* A CSeq value whose number fits 32 bits (RFC 3261 §8.1.1.5: < 2^31, and
 * anything over 2^32-1 is an error libre would wrap). */
bool ds_sipraw_cseq_ok(const struct pl *val);

/* 0 for the methods `run` serves (INVITE, ACK, BYE, CANCEL, OPTIONS), 405
 * for another method of RFC 3261 or its extensions, 501 for an unknown one. */
uint16_t ds_sipraw_method_answer(const struct pl *met);

#endif
