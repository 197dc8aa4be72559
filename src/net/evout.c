/* The JSON event lines (--events): written without stalling the SIP loop.
 *
 * Why: a fleet's switchover or start writes tens of thousands of event lines
 * within a second or two. To a pipe whose reader is slower than that (a
 * shell `read` loop handles ~3,000 lines/s), a blocking write stalled the
 * whole event loop: no datagram was read meanwhile (the UDP receive buffer
 * overflowed, probe answers were lost, servers declared down) and every
 * agent's timer fired late (10,000 agents moved 4 s later than their random
 * delay says). So to a pipe or socket the lines go out non-blocking; what
 * the reader has not taken yet waits here, in order, and is written when
 * the descriptor is writable. Past EVOUT_MAX bytes behind, the driver waits
 * for the reader (blocking writes) rather than grow without bound: no event
 * is ever dropped while a reader is there. A regular file or a terminal is
 * written through stdio as before (a file write does not wait on anyone).
 * Whatever is queued is written out, blocking, when the driver is freed. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "net_priv.h"

enum { EVOUT_MAX = 32 * 1024 * 1024 };

void ds_evout_init(struct ds_evout *o, FILE *f)
{
	struct stat st;
	int fd, fl;

	memset(o, 0, sizeof(*o));
	o->f = f;
	o->fd = -1;
	if (!f)
		return;
	fd = fileno(f);
	if (fd < 0 || fstat(fd, &st) || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return;
	(void)fflush(f);   /* from here on the descriptor is written directly */
	o->fd = fd;
	o->flags0 = fl;
}

static void set_broken(const struct ds_net *n, struct ds_evout *o, int err)
{
	o->broken = true;
	o->head = o->len = 0;
	ds_log(n, "events: the reader does not take them any more (%m): "
	       "further events are not written", err);
}

/* Writes from the queue until it is empty or the descriptor would block. */
static void flush_some(const struct ds_net *n, struct ds_evout *o)
{
	while (o->len && !o->broken) {
		ssize_t w = write(o->fd, o->buf + o->head, o->len);

		if (w > 0) {
			o->head += (size_t)w;
			o->len -= (size_t)w;
		}
		else if (w < 0 && errno == EINTR) {
			continue;
		}
		else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
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
	if (!o->len || o->broken)
		return;
	(void)fcntl(o->fd, F_SETFL, o->flags0 & ~O_NONBLOCK);
	flush_some(n, o);
	(void)fcntl(o->fd, F_SETFL, o->flags0 | O_NONBLOCK);
}

static void writable_h(int flags, void *arg)
{
	struct ds_net *n = arg;
	struct ds_evout *o = &n->evout;

	(void)flags;
	flush_some(n, o);
	if (!o->len && o->listening) {
		fd_close(o->fd);
		o->listening = false;
	}
}

static int enqueue(struct ds_evout *o, const char *s, size_t len)
{
	if (o->head + o->len + len > o->cap) {
		if (o->head) {
			memmove(o->buf, o->buf + o->head, o->len);
			o->head = 0;
		}
		if (o->len + len > o->cap) {
			size_t cap = o->cap ? o->cap : 65536;
			char *b;

			while (cap < o->len + len)
				cap *= 2;
			b = realloc(o->buf, cap);
			if (!b)
				return ENOMEM;
			o->buf = b;
			o->cap = cap;
		}
	}
	memcpy(o->buf + o->head + o->len, s, len);
	o->len += len;
	return 0;
}

void ds_evout_line(struct ds_net *n, const char *line)
{
	struct ds_evout *o = &n->evout;
	size_t len = strlen(line);

	if (!o->f || o->broken)
		return;
	if (o->fd < 0) {
		fputs(line, o->f);
		fputc('\n', o->f);
		fflush(o->f);
		return;
	}
	if (o->len + len + 1 > EVOUT_MAX) {
		if (!o->said_full)
			ds_log(n, "events: the reader is %zu bytes behind: waiting for it "
			       "(the SIP loop stalls meanwhile)", o->len);
		o->said_full = true;
		drain_blocking(n, o);
	}
	if (enqueue(o, line, len) || enqueue(o, "\n", 1)) {
		/* no memory to queue it: wait for the reader instead */
		drain_blocking(n, o);
		if (enqueue(o, line, len) || enqueue(o, "\n", 1)) {
			ds_log(n, "events: out of memory, one event not written");
			return;
		}
	}
	flush_some(n, o);
	if (o->len && !o->broken && !o->listening) {
		int err = fd_listen(o->fd, FD_WRITE, writable_h, n);

		if (err)
			drain_blocking(n, o);   /* cannot be told when: wait now */
		else
			o->listening = true;
	}
}

void ds_evout_close(struct ds_net *n)
{
	struct ds_evout *o = &n->evout;

	if (o->fd >= 0) {
		if (o->listening)
			fd_close(o->fd);
		o->listening = false;
		drain_blocking(n, o);
		(void)fcntl(o->fd, F_SETFL, o->flags0);
		o->fd = -1;
	}
	free(o->buf);
	o->buf = NULL;
	o->head = o->len = o->cap = 0;
	o->f = NULL;
}
