/* Private to src/options: parsing one option value as the table types it. */
#ifndef DS_OPTIONS_PARSE_H
#define DS_OPTIONS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include "dualsite/options.h"

union ds_optval {
	bool b;
	double d;
	int e;
	const char *s;
};

/* Parses `text` (NULL: not a scalar) for option `id`. Returns true with *v
 * set, or false with a message in `why` that says what is right. The message
 * names neither the option nor the place: the caller prefixes those. */
bool ds_option_parse(int id, const char *text, union ds_optval *v, char *why, size_t sz);

/* "a whole number 1..86400", "one of UDP, TCP, TLS": what a valid value is. */
void ds_option_expect(int id, char *buf, size_t sz);

/* A number as a user writes it: 60, 0.5 (no trailing zeros). */
void ds_option_numfmt(double d, char *buf, size_t sz);

#endif
