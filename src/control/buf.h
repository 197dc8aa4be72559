/* The control endpoint's private parts: a growable text buffer with JSON
 * helpers, the HTTP server and the routes. */
#ifndef DS_CONTROL_BUF_H
#define DS_CONTROL_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A growable byte buffer. Out of memory is sticky (`oom`): writers go on
 * without checking each call, and the owner checks once at the end. */
struct ds_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

void ds_buf_put_grow(struct ds_buf *b, const char *s, size_t n);
/* Appends s[0..n). Inline while it fits: a 10,000-agent status answer is
 * some 300,000 small appends. */
static inline void ds_buf_put(struct ds_buf *b, const char *s, size_t n)
{
	if (n < b->cap - b->len) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
		b->p[b->len] = '\0';
	} else {
		ds_buf_put_grow(b, s, n);
	}
}
void ds_buf_puts(struct ds_buf *b, const char *s);
/* A string literal, its length known at compile time. */
#define ds_buf_lit(b, lit) ds_buf_put((b), "" lit, sizeof(lit) - 1)
void ds_buf_printf(struct ds_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A JSON string (escaped, valid UTF-8 always), or null when s is NULL. */
void ds_buf_jstr(struct ds_buf *b, const char *s);
/* A decimal integer. */
void ds_buf_int(struct ds_buf *b, long long v);
/* v / 1000 with three decimals ("-1.005" for -1005): milliseconds as
 * seconds, microseconds as milliseconds. */
void ds_buf_milli(struct ds_buf *b, int64_t v);
/* One chunk of the chunked transfer coding (RFC 9112 §7.1) holding p[0..n);
 * n == 0 writes the last chunk, which ends the body. */
void ds_buf_chunk(struct ds_buf *b, const char *p, size_t n);
/* A chunk written in place: ds_buf_chunk_open() leaves room for its head
 * and returns where it starts; the data is appended; ds_buf_chunk_close()
 * writes the head just before the data and returns where the chunk now
 * begins (the room it did not need is left before it, to be skipped). An
 * empty chunk is left out (the last chunk ends a body). */
size_t ds_buf_chunk_open(struct ds_buf *b);
size_t ds_buf_chunk_close(struct ds_buf *b, size_t at);
/* Reads chunked framing in p[0..len): from *pos, the start of a chunk, steps
 * over the chunks complete in p. Returns 0 once the last chunk and the end of
 * the trailer are in (*pos just past them), EAGAIN when more bytes are
 * needed, EPROTO when the framing is broken. */
int ds_chunks_scan(const char *p, size_t len, size_t *pos);
/* Joins the data of the complete chunked body p[0..len) (as scanned) in
 * place; returns its length. */
size_t ds_chunks_join(char *p, size_t len);
/* Drops the first n bytes. */
void ds_buf_consume(struct ds_buf *b, size_t n);
void ds_buf_free(struct ds_buf *b);

#endif
