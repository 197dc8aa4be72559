/* The one JSON string escaper, shared by every JSON writer of the program. */
#include <stdio.h>
#include <string.h>
#include "util.h"

/* The escaped form of the character at s: sets out and outlen (into tmp when
 * it must be built) and returns how many bytes of s it stands for. Invalid
 * UTF-8 becomes U+FFFD so that the output is always valid JSON. */
static size_t esc_one(const unsigned char *s, const char **out, size_t *outlen, char tmp[8])
{
	size_t n = ds_utf8_seq_len(s, strnlen((const char *)s, 4));

	if (n == 0) {
		*out = "\\ufffd";
		*outlen = 6;
		return 1;
	}
	*out = (const char *)s;
	*outlen = n;
	if (n > 1)
		return n;
	switch (*s) {
	case '"':  *out = "\\\""; break;
	case '\\': *out = "\\\\"; break;
	case '\n': *out = "\\n"; break;
	case '\r': *out = "\\r"; break;
	case '\t': *out = "\\t"; break;
	case '\b': *out = "\\b"; break;
	case '\f': *out = "\\f"; break;
	default:
		if (*s < 0x20) {
			snprintf(tmp, 8, "\\u%04x", *s);
			*out = tmp;
			*outlen = 6;
		}
		return 1;
	}
	*outlen = 2;
	return 1;
}

/* Appends k bytes at *n, as far as they fit before the terminating NUL. */
static void put(char *buf, size_t sz, size_t *n, const char *p, size_t k)
{
	if (sz && *n < sz - 1) {
		size_t room = sz - 1 - *n;

		memcpy(buf + *n, p, k < room ? k : room);
	}
	*n += k;
}

size_t ds_json_str(char *buf, size_t sz, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = 0;
	char tmp[8];

	put(buf, sz, &n, "\"", 1);
	while (*s) {
		const char *out;
		size_t k;

		s += esc_one(s, &out, &k, tmp);
		put(buf, sz, &n, out, k);
	}
	put(buf, sz, &n, "\"", 1);
	if (sz)
		buf[n < sz ? n : sz - 1] = '\0';
	return n;
}

void ds_json_fput(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	char tmp[8];

	fputc('"', f);
	while (*s) {
		const char *out;
		size_t k;

		s += esc_one(s, &out, &k, tmp);
		fwrite(out, 1, k, f);
	}
	fputc('"', f);
}
