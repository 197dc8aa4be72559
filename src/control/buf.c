/* A growable text buffer for the control endpoint's answers, with the JSON
 * string writer of src/util/json.c, numbers and the chunked transfer coding. */
#include <ctype.h>
#include <errno.h>
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

void ds_buf_put_grow(struct ds_buf *b, const char *s, size_t n)
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
	const unsigned char *q = (const unsigned char *)s;
	size_t need;

	if (!s) {
		ds_buf_puts(b, "null");
		return;
	}
	/* names are plain ASCII nearly always: copied as they are, which is
	 * most of the cost of a 10,000-agent status answer saved */
	while (*q >= 0x20 && *q < 0x80 && *q != '"' && *q != '\\')
		q++;
	if (!*q) {
		need = (size_t)(q - (const unsigned char *)s);
		if (!grow(b, need + 2))
			return;
		b->p[b->len] = '"';
		memcpy(b->p + b->len + 1, s, need);
		b->p[b->len + 1 + need] = '"';
		b->len += need + 2;
		b->p[b->len] = '\0';
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

void ds_buf_int(struct ds_buf *b, long long v)
{
	char tmp[24], *end = tmp + sizeof(tmp), *q = end;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		*--q = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--q = '-';
	ds_buf_put(b, q, (size_t)(end - q));
}

void ds_buf_milli(struct ds_buf *b, int64_t v)
{
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	unsigned f = (unsigned)(u % 1000);
	char frac[4] = {'.', (char)('0' + f / 100), (char)('0' + f / 10 % 10),
			(char)('0' + f % 10)};

	if (v < 0)
		ds_buf_put(b, "-", 1);
	ds_buf_int(b, (long long)(u / 1000));
	ds_buf_put(b, frac, sizeof(frac));
}

void ds_buf_chunk(struct ds_buf *b, const char *p, size_t n)
{
	char head[24];
	int k = snprintf(head, sizeof(head), "%zx\r\n", n);

	ds_buf_put(b, head, (size_t)k);
	if (n)
		ds_buf_put(b, p, n);
	ds_buf_put(b, "\r\n", 2);   /* the data's end; after the last chunk, the trailer's */
}

enum { CHUNK_HEAD_MAX = 2 * sizeof(size_t) + 2 };   /* hex digits, CRLF */

size_t ds_buf_chunk_open(struct ds_buf *b)
{
	static const char room[CHUNK_HEAD_MAX];

	ds_buf_put(b, room, sizeof(room));
	return b->len - sizeof(room);
}

size_t ds_buf_chunk_close(struct ds_buf *b, size_t at)
{
	size_t data = at + CHUNK_HEAD_MAX, n, k;
	char head[CHUNK_HEAD_MAX + 1];

	if (b->oom || b->len < data)
		return at;
	n = b->len - data;
	if (!n) {
		b->len = at;   /* nothing: no chunk (an empty one would end the body) */
		b->p[b->len] = '\0';
		return at;
	}
	k = (size_t)snprintf(head, sizeof(head), "%zx\r\n", n);
	memcpy(b->p + data - k, head, k);
	ds_buf_put(b, "\r\n", 2);
	return data - k;
}

/* The chunk head (size, extensions, CRLF) at p[i..len): its size and where
 * its data begins. 0, EAGAIN (incomplete) or EPROTO. */
static int chunk_head(const char *p, size_t len, size_t i, size_t *size, size_t *data)
{
	size_t n = 0, k = i;
	const char *nl;

	for (; k < len && isxdigit((unsigned char)p[k]); k++) {
		if (n > SIZE_MAX / 32)
			return EPROTO;
		n = n * 16 + (size_t)(isdigit((unsigned char)p[k]) ? p[k] - '0'
					: (tolower((unsigned char)p[k]) - 'a' + 10));
	}
	if (k == len)
		return EAGAIN;
	if (k == i || (p[k] != ';' && p[k] != '\r'))
		return EPROTO;
	nl = memchr(p + k, '\n', len - k);
	if (!nl)
		return len - k > 4096 ? EPROTO : EAGAIN;
	if (nl[-1] != '\r')
		return EPROTO;
	*size = n;
	*data = (size_t)(nl + 1 - p);
	return 0;
}

int ds_chunks_scan(const char *p, size_t len, size_t *pos)
{
	size_t size, data, k;
	int e;

	while (!(e = chunk_head(p, len, *pos, &size, &data)) && size) {
		if (size > len - data || len - data - size < 2)
			return EAGAIN;
		if (p[data + size] != '\r' || p[data + size + 1] != '\n')
			return EPROTO;
		*pos = data + size + 2;
	}
	if (e)
		return e;
	/* the last chunk: trailer lines up to an empty one */
	for (k = data;;) {
		const char *nl = memchr(p + k, '\n', len - k);

		if (!nl)
			return EAGAIN;
		if (nl == p + k || nl[-1] != '\r')
			return EPROTO;
		if (nl == p + k + 1) {
			*pos = k + 2;
			return 0;
		}
		k = (size_t)(nl + 1 - p);
	}
}

size_t ds_chunks_join(char *p, size_t len)
{
	size_t pos = 0, out = 0, size, data;

	while (!chunk_head(p, len, pos, &size, &data) && size && size <= len - data) {
		memmove(p + out, p + data, size);
		out += size;
		pos = data + size + 2;
	}
	return out;
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
