/* The control endpoint's private parts: a growable text buffer with JSON
 * helpers, the HTTP server and the routes. */
#ifndef DS_CONTROL_BUF_H
#define DS_CONTROL_BUF_H

#include <stdbool.h>
#include <stddef.h>

/* A growable byte buffer. Out of memory is sticky (`oom`): writers go on
 * without checking each call, and the owner checks once at the end. */
struct ds_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

void ds_buf_put(struct ds_buf *b, const char *s, size_t n);
void ds_buf_puts(struct ds_buf *b, const char *s);
void ds_buf_printf(struct ds_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A JSON string (escaped, valid UTF-8 always), or null when s is NULL. */
void ds_buf_jstr(struct ds_buf *b, const char *s);
/* Drops the first n bytes. */
void ds_buf_consume(struct ds_buf *b, size_t n);
void ds_buf_free(struct ds_buf *b);

#endif
