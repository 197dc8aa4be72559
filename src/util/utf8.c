/* UTF-8 validation: the loader accepts only printable UTF-8 text (libfyaml
 * 0.7.12 loops forever on some invalid bytes and crashes on NULs), and JSON
 * output must be UTF-8. */
#include <stdint.h>
#include "util.h"

size_t ds_utf8_seq_len(const unsigned char *s, size_t avail)
{
	size_t n;
	uint32_t cp;

	if (!avail)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

size_t ds_utf8_check(const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0;

	while (i < len) {
		size_t n = ds_utf8_seq_len(s + i, len - i);

		if (!n)
			return i;
		i += n;
	}
	return len;
}

/* YAML 1.2 allows only printable characters: of the ASCII controls, tab,
 * line feed and carriage return. */
static bool yaml_printable(unsigned char c)
{
	return c >= 0x20 ? c != 0x7f : (c == '\t' || c == '\n' || c == '\r');
}

bool ds_yaml_text_bad(const char *buf, size_t len, int *line, int *col, unsigned char *byte)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0, n;

	*line = 1;
	*col = 1;
	while (i < len) {
		n = ds_utf8_seq_len(s + i, len - i);
		if (!n || (n == 1 && !yaml_printable(s[i]))) {
			*byte = s[i];
			return true;
		}
		if (s[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
		i += n;
	}
	return false;
}
