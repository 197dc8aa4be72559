/* Readable log lines on stderr: wall-clock time stamp, then seconds since the
 * run's start (the `t` of the events), then the message. libre's formats
 * (%J for an address, %r for a pl, %m for an errno) are understood.
 * A message often quotes what a SIP sender chose (a user, a method, a URI):
 * every control byte in it is written \xNN, so no sender can end a line
 * early or write one that looks like ours.
 *
 * While the loop runs the lines of one loop turn are written together at its
 * end (a 0 ms timer), as the event lines are: a fleet's switchover logs every
 * event of ten thousand agents, and a write per line cost more than the
 * REGISTER that caused it. A line is never held past the turn. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include "net_priv.h"

static uint64_t log_t0;

static struct {
	bool on;
	char buf[32768];
	size_t len;
	struct tmr tmr;
} held;

void ds_log_set_t0(uint64_t t0)
{
	log_t0 = t0;
}

static void flush_held(void)
{
	if (held.len)
		(void)fwrite(held.buf, 1, held.len, stderr);
	held.len = 0;
}

static void turn_end_h(void *arg)
{
	(void)arg;
	flush_held();
}

void ds_log_hold(bool on)
{
	if (!on) {
		tmr_cancel(&held.tmr);
		flush_held();
	}
	held.on = on;
}

/* The len bytes of src with control bytes (NUL and DEL too) as \xNN; the
 * result is cut to fit, NUL-ended. */
static void escape(char *dst, size_t sz, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < sz; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c < 0x20 || c == 0x7f) {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
		else {
			dst[o++] = (char)c;
		}
	}
	dst[o] = '\0';
}

void ds_log(const struct ds_net *n, const char *fmt, ...)
{
	char raw[1024];
	char msg[4 * sizeof(raw)];
	char line[sizeof(msg) + 64];
	char stamp[32];
	struct timeval tv;
	struct tm tm;
	uint64_t t0 = n ? n->t0 : log_t0;
	uint64_t rel = t0 ? tmr_jiffies() - t0 : 0;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = re_vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (len < 0)
		len = snprintf(raw, sizeof(raw), "(unprintable log line: %s)", fmt);
	if (len < 0)
		return;
	/* a NUL the sender put in a URI is escaped too, not the line's end */
	escape(msg, sizeof(msg), raw, (size_t)len < sizeof(raw) ? (size_t)len : sizeof(raw) - 1);

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	len = snprintf(line, sizeof(line), "%s.%03ldZ [%7llu.%03llu] %s\n", stamp,
		       (long)(tv.tv_usec / 1000),
		       (unsigned long long)(rel / 1000), (unsigned long long)(rel % 1000),
		       msg);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(line))
		len = sizeof(line) - 1;   /* cannot happen: the stamps fit in 64 */
	if (!held.on) {
		(void)fwrite(line, 1, (size_t)len, stderr);
		return;
	}
	if (held.len + (size_t)len > sizeof(held.buf))
		flush_held();
	memcpy(held.buf + held.len, line, (size_t)len);
	held.len += (size_t)len;
	if (!tmr_isrunning(&held.tmr))
		tmr_start(&held.tmr, 0, turn_end_h, NULL);
}
