/* A growable text buffer for the control endpoint's answers, with the JSON
 * string writer of src/util/json.c. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "../util/util.h"

/* Room for n more bytes plus a NUL. */
static bool grow(struct ds_buf *b, size_t n)
{
	size_t want, cap;
	char *p;

	if (b->oom)
		return false;
	if (n > SIZE_MAX / 2 - b->len) {
		b->oom = true;
		return false;
	}
	want = b->len + n + 1;
	if (want <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void ds_buf_put(struct ds_buf *b, const char *s, size_t n)
{
	if (!grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void ds_buf_puts(struct ds_buf *b, const char *s)
{
	ds_buf_put(b, s, strlen(s));
}

void ds_buf_printf(struct ds_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!grow(b, 64))
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (!grow(b, (size_t)n))
			return;
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void ds_buf_jstr(struct ds_buf *b, const char *s)
{
	size_t need;

	if (!s) {
		ds_buf_puts(b, "null");
		return;
	}
	if (!grow(b, 64))
		return;
	need = ds_json_str(b->p + b->len, b->cap - b->len, s);
	if (need >= b->cap - b->len) {
		if (!grow(b, need))
			return;
		ds_json_str(b->p + b->len, b->cap - b->len, s);
	}
	b->len += need;
}

void ds_buf_consume(struct ds_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
	} else {
		memmove(b->p, b->p + n, b->len - n);
		b->len -= n;
	}
	if (b->p)
		b->p[b->len] = '\0';
}

void ds_buf_free(struct ds_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}
