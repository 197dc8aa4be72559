/* Framing of SIP messages on a stream (RFC 3261 §18.3, RFC 5626 §3.5.1): a
 * pure reader of the bytes a TCP peer sent, no socket, no clock. */
#ifndef DS_NET_SIPFRAME_H
#define DS_NET_SIPFRAME_H

#include <stddef.h>
#include <stdint.h>

enum {
	/* the most a message (headers and body) may take: libre 1.1.0's own
	 * TCP buffer limit, so that whatever passes fits libre's framing too */
	DS_SIPFRAME_MAX = 65536,
};

enum ds_sipframe_kind {
	DS_SIPFRAME_NEED,    /* more bytes are needed to decide */
	DS_SIPFRAME_CRLF,    /* a keep-alive CRLF: skip `len` bytes */
	DS_SIPFRAME_PING,    /* a CRLFCRLF ping: skip `len`, answer one CRLF */
	DS_SIPFRAME_MSG,     /* one whole message of `len` bytes */
	DS_SIPFRAME_BAD,     /* framing lost: answer `code` when not 0, close */
};

struct ds_sipframe {
	enum ds_sipframe_kind kind;
	size_t len;          /* CRLF, PING, MSG: bytes it takes */
	size_t head;         /* MSG, BAD (when known): start line and headers,
				with the empty line */
	uint16_t code;       /* BAD: 400 or 513, 0 for no answer */
	const char *why;     /* BAD: what was wrong */
};

/* The first frame of [p, p+len): a message is its headers up to the first
 * empty line, then exactly the one Content-Length (or `l`) its headers give,
 * which must be present, unique and all digits. A message over
 * DS_SIPFRAME_MAX bytes, or headers that do not end within it, is BAD. */
void ds_sipframe_next(const char *p, size_t len, struct ds_sipframe *f);

/* The name of a frame kind, for logs and tests. */
const char *ds_sipframe_name(enum ds_sipframe_kind k);

#endif
