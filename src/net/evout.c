/* The JSON event lines (--events): written without stalling the SIP loop.
 *
 * Why: a fleet's switchover or start writes tens of thousands of event lines
 * within a second or two. To a pipe whose reader is slower than that (a
 * shell `read` loop handles ~3,000 lines/s), a blocking write stalled the
 * whole event loop: no datagram was read meanwhile (the UDP receive buffer
 * overflowed, probe answers were lost, servers declared down) and every
 * agent's timer fired late (10,000 agents moved 4 s later than their random
 * delay says). So to a pipe or socket a line is written only when poll()
 * says the descriptor is writable, at most PIPE_BUF bytes at a time (such a
 * write to a writable pipe does not block); what the reader has not taken
 * yet waits here, in order, and is written when the descriptor is writable.
 * The descriptor itself stays blocking: O_NONBLOCK would be set on the open
 * file description, which stderr shares under 2>&1 or the systemd journal,
 * so log lines could be lost on EAGAIN, and it would outlive a crash. Past
 * EVOUT_MAX bytes behind, the driver waits for the reader rather than grow
 * without bound: no event is ever dropped while a reader is there. A regular
 * file or a terminal is written through stdio as before (a file write does
 * not wait on anyone). Whatever is queued is written out, waiting for the
 * reader, when the driver is freed.
 *
 * Lines are written at the end of the loop turn that made them (a 0 ms
 * timer), together: a fleet's switchover makes four lines per agent, and a
 * write (and a wake-up of the reader) per line was a large share of the
 * driver's CPU per REGISTER. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "net_priv.h"

enum { EVOUT_MAX = 32 * 1024 * 1024 };

void ds_evout_init(struct ds_evout *o, FILE *f)
{
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	tmr_init(&o->tmr);
	o->f = f;
	o->fd = -1;
	if (!f)
		return;
	fd = fileno(f);
	if (fd < 0 || fstat(fd, &st) || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return;
	(void)fflush(f);   /* from here on the descriptor is written directly */
	o->fd = fd;
}

static void set_broken(const struct ds_net *n, struct ds_evout *o, int err)
{
	o->broken = true;
	o->head = o->len = 0;
	ds_log(n, "events: the reader does not take them any more (%m): "
	       "further events are not written", err);
}

/* Writes from the queue until it is empty or, unless `wait`, until the
 * descriptor is not writable: each write follows a poll() that says it is
 * and is at most PIPE_BUF bytes, so it does not block the loop. */
static void flush_some(const struct ds_net *n, struct ds_evout *o, bool wait)
{
	while (o->len && !o->broken) {
		struct pollfd p = {.fd = o->fd, .events = POLLOUT};
		int r = poll(&p, 1, wait ? -1 : 0);
		ssize_t w;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			set_broken(n, o, errno);
			break;
		}
		if (r == 0)
			break;   /* not writable now: the rest waits for FD_WRITE */
		/* POLLERR/POLLHUP/POLLNVAL: the write below says which error */
		w = write(o->fd, o->buf + o->head, o->len < PIPE_BUF ? o->len : PIPE_BUF);
		if (w > 0) {
			o->head += (size_t)w;
			o->len -= (size_t)w;
		}
		else if (w < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* EAGAIN: someone else made the descriptor non-blocking */
			if (!wait && errno != EINTR)
				break;
		}
		else {
			set_broken(n, o, w < 0 ? errno : EIO);
		}
	}
	if (!o->len)
		o->head = 0;
}

/* Waits until the reader took everything queued. */
static void drain_blocking(const struct ds_net *n, struct ds_evout *o)
{
	flush_some(n, o, true);
}

static void writable_h(int flags, void *arg)
{
	struct ds_net *n = arg;
	struct ds_evout *o = &n->evout;

	(void)flags;
	flush_some(n, o, false);
	if (!o->len && o->listening) {
		fd_close(o->fd);
		o->listening = false;
	}
}

/* Queues the line and its newline together: never half a line. */
static int enqueue(struct ds_evout *o, const char *s, size_t len)
{
	size_t need = len + 1;

	if (o->head + o->len + need > o->cap) {
		if (o->head) {
			memmove(o->buf, o->buf + o->head, o->len);
			o->head = 0;
		}
		if (o->len + need > o->cap) {
			size_t cap = o->cap ? o->cap : 65536;
			char *b;

			while (cap < o->len + need)
				cap *= 2;
			b = realloc(o->buf, cap);
			if (!b)
				return ENOMEM;
			o->buf = b;
			o->cap = cap;
		}
	}
	memcpy(o->buf + o->head + o->len, s, len);
	o->buf[o->head + o->len + len] = '\n';
	o->len += need;
	return 0;
}

/* The end of a loop turn that queued lines: write what the reader takes. */
static void turn_end_h(void *arg)
{
	struct ds_net *n = arg;
	struct ds_evout *o = &n->evout;

	if (o->fd < 0) {
		fflush(o->f);
		return;
	}
	flush_some(n, o, false);
	if (o->len && !o->broken && !o->listening) {
		int err = fd_listen(o->fd, FD_WRITE, writable_h, n);

		if (err)
			drain_blocking(n, o);   /* cannot be told when: wait now */
		else
			o->listening = true;
	}
}

void ds_evout_line(struct ds_net *n, const char *line)
{
	struct ds_evout *o = &n->evout;
	size_t len = strlen(line);

	if (!o->f || o->broken)
		return;
	if (!tmr_isrunning(&o->tmr))
		tmr_start(&o->tmr, 0, turn_end_h, n);
	if (o->fd < 0) {
		fputs(line, o->f);
		fputc('\n', o->f);
		return;
	}
	if (o->len + len + 1 > EVOUT_MAX) {
		if (!o->said_full)
			ds_log(n, "events: the reader is %zu bytes behind: waiting for it "
			       "(the SIP loop stalls meanwhile)", o->len);
		o->said_full = true;
		drain_blocking(n, o);
	}
	if (enqueue(o, line, len)) {
		/* no memory to queue it: wait for the reader instead */
		drain_blocking(n, o);
		if (enqueue(o, line, len)) {
			ds_log(n, "events: out of memory, one event not written");
			return;
		}
	}
}

void ds_evout_close(struct ds_net *n)
{
	struct ds_evout *o = &n->evout;

	tmr_cancel(&o->tmr);
	if (o->f && o->fd < 0)
		fflush(o->f);
	if (o->fd >= 0) {
		if (o->listening)
			fd_close(o->fd);
		o->listening = false;
		drain_blocking(n, o);
		o->fd = -1;
	}
	free(o->buf);
	o->buf = NULL;
	o->head = o->len = o->cap = 0;
	o->f = NULL;
}
