/* Readable log lines on stderr: wall-clock time stamp, then seconds since the
 * run's start (the `t` of the events), then the message. libre's formats
 * (%J for an address, %r for a pl, %m for an errno) are understood. A line
 * has a level; those above --log-level are dropped. With --log-format json
 * each line is one JSON object: {"ts", "level", "msg", "t"}.
 * A message often quotes what a SIP sender chose (a user, a method, a URI):
 * every control byte in it is written \xNN, in both formats, so no sender
 * can end a line early or write one that looks like ours.
 *
 * While the loop runs the lines of one loop turn are written together at its
 * end (a 0 ms timer), as the event lines are: a fleet's switchover logs every
 * event of ten thousand agents, and a write per line cost more than the
 * REGISTER that caused it. A line is never held past the turn. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include "net_priv.h"
#include "../util/util.h"

static uint64_t log_t0;
static enum ds_log_level log_level = DS_LOG_INFO;
static bool log_json;

static const char *const level_names[] = {"error", "warning", "info", "debug"};

int ds_log_level_parse(const char *s, enum ds_log_level *lv)
{
	for (int i = 0; i <= DS_LOG_DEBUG; i++)
		if (!strcmp(s, level_names[i])) {
			*lv = (enum ds_log_level)i;
			return 0;
		}
	return EINVAL;
}

void ds_log_setup(enum ds_log_level lv, bool json)
{
	log_level = lv;
	log_json = json;
}

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

static void vlog(const struct ds_net *n, enum ds_log_level lv, const char *fmt, va_list ap);

void ds_log(const struct ds_net *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(n, DS_LOG_INFO, fmt, ap);
	va_end(ap);
}

void ds_net_log(const struct ds_net *n, enum ds_log_level lv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(n, lv, fmt, ap);
	va_end(ap);
}

static void vlog(const struct ds_net *n, enum ds_log_level lv, const char *fmt, va_list ap)
{
	char raw[1024];
	char msg[4 * sizeof(raw)];
	char line[sizeof(msg) * 6 + 128];   /* room for the message JSON-escaped */
	char stamp[32];
	struct timeval tv;
	struct tm tm;
	uint64_t t0 = n ? n->t0 : log_t0;
	uint64_t rel = t0 ? tmr_jiffies() - t0 : 0;
	int len;

	if (lv > log_level)
		return;
	len = re_vsnprintf(raw, sizeof(raw), fmt, ap);
	if (len < 0)
		len = snprintf(raw, sizeof(raw), "(unprintable log line: %s)", fmt);
	if (len < 0)
		return;
	/* a NUL the sender put in a URI is escaped too, not the line's end */
	escape(msg, sizeof(msg), raw, (size_t)len < sizeof(raw) ? (size_t)len : sizeof(raw) - 1);

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	if (log_json) {
		char esc[sizeof(msg) * 6 + 3];

		ds_json_str(esc, sizeof(esc), msg);
		len = snprintf(line, sizeof(line), "{\"ts\": \"%s.%03ldZ\", \"level\": \"%s\", "
			       "\"msg\": %s, \"t\": %llu.%03llu}\n", stamp,
			       (long)(tv.tv_usec / 1000), level_names[lv], esc,
			       (unsigned long long)(rel / 1000), (unsigned long long)(rel % 1000));
	} else {
		len = snprintf(line, sizeof(line), "%s.%03ldZ [%7llu.%03llu] %s%s\n", stamp,
			       (long)(tv.tv_usec / 1000),
			       (unsigned long long)(rel / 1000), (unsigned long long)(rel % 1000),
			       lv == DS_LOG_ERROR ? "error: " : lv == DS_LOG_WARNING ? "warning: " : "",
			       msg);
	}
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(line))
		len = sizeof(line) - 1;   /* cannot happen: the stamps fit in 128 */
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
