/* The control endpoint's request heads: what a client sent, parsed with
 * libre's http_msg_decode() and checked (size, path, token) before any
 * route sees it. Pure: no socket, no state; the fuzzer runs it on any
 * bytes (tests/fuzz/fuzz_control.c). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "control_priv.h"

/* The path's segments, each percent-decoded (an agent's name may hold any
 * byte but NUL). A bad escape, too many segments or too long a path is
 * refused. */
static int split_path(const struct pl *pl, struct ctl_req *rq)
{
	size_t j = 0;

	if (!pl->l || pl->p[0] != '/')
		return EINVAL;
	rq->nseg = 0;
	for (size_t i = 1; i <= pl->l; i++) {
		int ch = i < pl->l ? (unsigned char)pl->p[i] : '/';

		if (ch == '/') {   /* the segment being built ends */
			if (j + 1 > sizeof(rq->store) ||
			    rq->nseg >= (int)(sizeof(rq->seg) / sizeof(rq->seg[0])))
				return EINVAL;
			rq->store[j++] = '\0';
			rq->nseg++;
			continue;
		}
		if (ch == '%') {
			char hex[3] = {0};

			if (i + 2 >= pl->l || !isxdigit((unsigned char)pl->p[i + 1]) ||
			    !isxdigit((unsigned char)pl->p[i + 2]))
				return EINVAL;
			hex[0] = pl->p[i + 1];
			hex[1] = pl->p[i + 2];
			ch = (int)strtol(hex, NULL, 16);
			if (ch == 0)
				return EINVAL;
			i += 2;
		}
		if (j + 2 > sizeof(rq->store))
			return EINVAL;
		rq->store[j++] = (char)ch;
	}
	/* point at the segments: they lie one after the other in store */
	for (int k = 0, off = 0; k < rq->nseg; k++) {
		rq->seg[k] = rq->store + off;
		off += (int)strlen(rq->store + off) + 1;
	}
	return 0;
}

/* Constant time: the token's length and bytes give nothing away by timing. */
static bool token_ok(const char *token, const struct http_msg *msg)
{
	const struct http_hdr *h = http_msg_hdr(msg, HTTP_HDR_AUTHORIZATION);
	size_t tl = strlen(token);
	unsigned diff = 0;

	if (!h || h->val.l != 7 + tl || strncasecmp(h->val.p, "Bearer ", 7))
		return false;
	for (size_t i = 0; i < tl; i++)
		diff |= (unsigned char)h->val.p[7 + i] ^ (unsigned char)token[i];
	return diff == 0;
}

unsigned ds_ctl_parse_head(const char *head, size_t hlen, const char *token,
			   struct ctl_req *rq, bool *fatal, char *why, size_t sz)
{
	struct http_msg *msg = NULL;
	struct mbuf *mb;
	unsigned status = 0;
	int err;

	memset(rq, 0, sizeof(*rq));
	*fatal = true;   /* until the framing is known */
	mb = mbuf_alloc(hlen ? hlen : 1);
	if (!mb) {
		snprintf(why, sz, "out of memory");
		return 500;
	}
	(void)mbuf_write_mem(mb, (const uint8_t *)head, hlen);
	mb->pos = 0;
	err = http_msg_decode(&msg, mb, true);
	mem_deref(mb);
	if (err) {
		snprintf(why, sz, "the request is not HTTP/1.1");
		return 400;
	}
	if (http_msg_hdr(msg, HTTP_HDR_TRANSFER_ENCODING)) {
		snprintf(why, sz, "a request body must come with Content-Length, "
			 "not Transfer-Encoding");
		status = 400;
		goto out;
	}
	if (hlen > CTL_MAX_REQUEST || msg->clen > CTL_MAX_REQUEST - hlen) {
		snprintf(why, sz, "the request is too large");
		status = 413;
		goto out;
	}
	*fatal = false;
	rq->clen = msg->clen;
	rq->http10 = !pl_strcmp(&msg->ver, "1.0");
	rq->close = rq->http10 || http_msg_hdr_has_value(msg, HTTP_HDR_CONNECTION, "close");
	if (msg->met.l >= sizeof(rq->method)) {
		snprintf(why, sz, "method %.*s is not allowed here",
			 (int)(msg->met.l > 16 ? 16 : msg->met.l), msg->met.p);
		snprintf(rq->method, sizeof(rq->method), "?");
		status = 405;
		goto out;
	}
	pl_strcpy(&msg->met, rq->method, sizeof(rq->method));
	if (split_path(&msg->path, rq)) {
		rq->nseg = 0;
		snprintf(why, sz, "no such path (a bad %%-escape, a NUL, or too many or too "
			 "long segments)");
		status = 404;
		goto out;
	}
	if (token && !(ds_ctl_page_path(rq) && !strcmp(rq->method, "GET")) &&
	    !token_ok(token, msg)) {
		snprintf(why, sz, "this endpoint needs 'Authorization: Bearer TOKEN' with "
			 "the token of --control-token-file");
		status = 401;
	}
 out:
	mem_deref(msg);
	return status;
}
