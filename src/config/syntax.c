/* What `run` can put on the wire: a SIP user part (RFC 3261) and a host (an IP address or a DNS name).
 *
 * The loader checks hosts, validation SIP users, and the network driver a
 * user again (docs/behaviour.md §2.3, rule 13): `validate` refuses what `run`
 * could not send, and a user such as "7001\r\nX-Evil: x" never reaches a
 * REGISTER's To, From or Contact. */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include "dualsite/config.h"

/* RFC 3261 §25.1: user = 1*( unreserved / escaped / user-unreserved ). */
bool ds_sip_user_ok(const char *s)
{
	static const char mark[] = "-_.!~*'()";
	static const char user_unreserved[] = "&=+$,;?/";

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '%') {
			if (!isxdigit((unsigned char)s[1]) || !isxdigit((unsigned char)s[2]))
				return false;
			s += 2;
			continue;
		}
		if (!(c < 0x80 && (isalnum(c) || strchr(mark, c) || strchr(user_unreserved, c))))
			return false;
	}
	return true;
}

static bool ip_literal(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* RFC 1123 host names: labels of letters, digits and inner hyphens, 1..63
 * bytes, 253 in all, one trailing dot allowed. A last label of digits only
 * is refused: "10.1.2" is no name, and getaddrinfo would read it as an
 * address (10.1.0.2). */
static bool dns_name(const char *s)
{
	size_t len = strlen(s), label = 0;
	bool digits_only = true;

	if (len && s[len - 1] == '.')
		len--;
	if (!len || len > 253)
		return false;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)s[i] : '.';

		if (c == '.') {
			if (!label || s[i - 1] == '-')
				return false;
			if (i == len && digits_only)
				return false;
			label = 0;
			digits_only = true;
			continue;
		}
		if (!(c < 0x80 && (isalnum(c) || c == '-')) || (c == '-' && !label) || ++label > 63)
			return false;
		if (!isdigit(c))
			digits_only = false;
	}
	return true;
}

bool ds_host_ok(const char *s)
{
	return s && *s && (ip_literal(s) || dns_name(s));
}

bool ds_host_is_ip(const char *s)
{
	return s && ip_literal(s);
}
