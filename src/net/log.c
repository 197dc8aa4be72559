/* Readable log lines on stderr: wall-clock time stamp, then seconds since the
 * run's start (the `t` of the events), then the message. libre's formats
 * (%J for an address, %r for a pl, %m for an errno) are understood. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include "net_priv.h"

static uint64_t log_t0;

void ds_log_set_t0(uint64_t t0)
{
	log_t0 = t0;
}

void ds_log(const struct ds_net *n, const char *fmt, ...)
{
	char msg[1024];
	char stamp[32];
	struct timeval tv;
	struct tm tm;
	uint64_t t0 = n ? n->t0 : log_t0;
	uint64_t rel = t0 ? tmr_jiffies() - t0 : 0;
	va_list ap;

	va_start(ap, fmt);
	if (re_vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		snprintf(msg, sizeof(msg), "(unprintable log line: %s)", fmt);
	va_end(ap);

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ [%7llu.%03llu] %s\n", stamp,
		(long)(tv.tv_usec / 1000),
		(unsigned long long)(rel / 1000), (unsigned long long)(rel % 1000),
		msg);
}
