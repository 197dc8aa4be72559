/* The control endpoint's HTTP/1.1 server: a Unix or TCP listener, its
 * connections, request framing and limits, answers and event streams.
 *
 * Why not libre's http_listen: in libre 1.1.0 it listens on TCP only (its
 * struct sa has no AF_UNIX and there is no http_listen_fd yet), has no cap
 * on connections, and its limits (512 KiB per request, 10 minutes idle) are
 * compiled in. So the sockets are ours, non-blocking, watched by the same
 * libre loop with fd_listen(); requests are framed here (at most 16 KiB
 * with the body) and parsed by libre's http_msg_decode(). A connection reads
 * its next request only once the answer to the last one is written, so a
 * client that does not read holds one answer's memory and no more (of a
 * status answer, written in slices over several loop turns, one slice); one
 * that makes no progress for 30 s is closed; an event stream whose reader
 * falls 4 MiB behind is dropped; past 64 connections a new one gets a 503
 * and is closed. Nothing here waits on a client. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "dualsite/net.h"
#include "control_priv.h"

static void conn_close(struct ctl_conn *cn);
static bool conn_process(struct ctl_conn *cn);
static int64_t mono_us(void);
static int64_t cpu_us(void);

/* ---- addresses ---------------------------------------------------------------- */

static bool is_unix_addr(const char *addr)
{
	return strchr(addr, '/') != NULL;
}

/* HOST:PORT, [V6]:PORT or localhost:PORT, numeric; port 1..65535. */
static int tcp_addr(const char *addr, struct sa *sa)
{
	const char *colon = strrchr(addr, ':');
	char host[64];
	char *end;
	unsigned long port;
	size_t hl;

	if (!colon || colon == addr)
		return EINVAL;
	port = strtoul(colon + 1, &end, 10);
	if (*end || !colon[1] || port == 0 || port > 65535)
		return EINVAL;
	hl = (size_t)(colon - addr);
	if (addr[0] == '[') {
		if (hl < 3 || addr[hl - 1] != ']')
			return EINVAL;
		addr++;
		hl -= 2;
	} else if (memchr(addr, ':', hl)) {
		return EINVAL;   /* an IPv6 address goes in brackets: [::1]:8080 */
	}
	if (hl >= sizeof(host))
		return EINVAL;
	memcpy(host, addr, hl);
	host[hl] = '\0';
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	return sa_set_str(sa, host, (uint16_t)port) ? EINVAL : 0;
}

int ds_control_addr_check(const char *addr, bool *loopback)
{
	struct sa sa;

	if (!addr || !*addr)
		return EINVAL;
	if (is_unix_addr(addr)) {
		if (strlen(addr) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return EINVAL;
		*loopback = true;
		return 0;
	}
	if (tcp_addr(addr, &sa))
		return EINVAL;
	*loopback = sa_is_loopback(&sa);
	return 0;
}

static int listen_unix(struct ds_control *c, const char *path, char *err, size_t errsz)
{
	struct sockaddr_un un;
	struct stat st;
	mode_t old;
	int fd, e;

	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
	if (!lstat(path, &st)) {
		/* a socket nobody answers on is a leftover of a killed run */
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errsz, "%s exists and is not a socket; "
				 "choose another path", path);
			return EEXIST;
		}
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return errno;
		e = connect(fd, (struct sockaddr *)&un, sizeof(un)) ? errno : 0;
		close(fd);
		if (!e) {
			snprintf(err, errsz, "%s: another process is listening there", path);
			return EADDRINUSE;
		}
		(void)unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		snprintf(err, errsz, "cannot make a Unix socket: %s", strerror(e));
		return e;
	}
	/* created 0600 from the start: no instant where others may connect */
	old = umask(0177);
	e = bind(fd, (struct sockaddr *)&un, sizeof(un)) ? errno : 0;
	umask(old);
	if (!e && (chmod(path, 0600) || stat(path, &st)))
		e = errno;
	if (!e && listen(fd, 16))
		e = errno;
	if (e) {
		snprintf(err, errsz, "cannot listen on %s: %s", path, strerror(e));
		close(fd);
		return e;
	}
	c->unix_path = strdup(path);
	c->unix_dev = st.st_dev;
	c->unix_ino = st.st_ino;
	c->lfd = fd;
	return c->unix_path ? 0 : ENOMEM;
}

static int listen_tcp(struct ds_control *c, const char *addr, char *err, size_t errsz)
{
	struct sa sa;
	int fd, e, one = 1;
	char text[64];

	if (tcp_addr(addr, &sa)) {
		snprintf(err, errsz, "'%s' is neither a socket path nor HOST:PORT", addr);
		return EINVAL;
	}
	fd = socket(sa_af(&sa), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, &sa.u.sa, sa.len) || listen(fd, 16)) {
		e = errno;
		snprintf(err, errsz, "cannot listen on %s: %s", addr, strerror(e));
		close(fd);
		return e;
	}
	c->lfd = fd;
	re_snprintf(text, sizeof(text), "%J", &sa);
	free(c->addr);
	c->addr = strdup(text);
	return c->addr ? 0 : ENOMEM;
}

/* ---- connections ---------------------------------------------------------------- */

static void conn_fd_h(int flags, void *arg);

static void conn_watch(struct ctl_conn *cn)
{
	bool pending = cn->out_off < cn->out.len || cn->slicing;
	int want = 0;

	/* the next request is read only once this answer is out; a stream
	 * keeps reading to see its reader leave */
	if (!pending || cn->stream)
		want |= FD_READ;
	if (pending)
		want |= FD_WRITE;
	if (want != cn->flags) {
		cn->flags = want;
		(void)fd_listen(cn->fd, want, conn_fd_h, cn);
	}
}

static void idle_h(void *arg)
{
	conn_close(arg);
}

static void conn_close(struct ctl_conn *cn)
{
	struct ds_control *c = cn->ctl;

	fd_close(cn->fd);
	close(cn->fd);
	tmr_cancel(&cn->idle);
	list_unlink(&cn->le);
	c->n_conns--;
	if (cn->stream)
		c->n_streams--;
	if (!c->n_streams)
		tmr_cancel(&c->ping);
	ds_buf_free(&cn->in);
	ds_buf_free(&cn->out);
	free(cn);
}

/* Appends the status answer's next slice to `out` (drained), framed in
 * place. Returns false when out of memory: the answer cannot be finished. */
static bool conn_slice(struct ctl_conn *cn)
{
	struct ds_buf *o = &cn->out;
	size_t at = cn->chunked ? ds_buf_chunk_open(o) : o->len, before = o->len;

	ds_ctl_status_slice(cn->ctl, &cn->st, o);
	cn->sliced_bytes += o->len - before;
	if (cn->chunked)
		cn->out_off = ds_buf_chunk_close(o, at);
	if (cn->st.done) {
		cn->slicing = false;
		if (cn->chunked)
			ds_buf_chunk(o, NULL, 0);
	}
	return !o->oom;
}

/* Writes what it can, and of a status answer more slices while the socket
 * takes them, for about CTL_TURN_US of this loop turn. Returns false when
 * the connection was closed. */
static bool conn_flush(struct ctl_conn *cn)
{
	bool sliced = false, slicing = cn->slicing;
	int64_t t0 = slicing ? mono_us() : 0, c0 = slicing ? cpu_us() : 0;

	for (;;) {
		while (cn->out_off < cn->out.len) {
			ssize_t w = send(cn->fd, cn->out.p + cn->out_off, cn->out.len - cn->out_off,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				goto blocked;
			if (w <= 0) {
				conn_close(cn);
				return false;
			}
			cn->out_off += (size_t)w;
			if (!cn->stream)
				tmr_start(&cn->idle, CTL_IDLE_MS, idle_h, cn);
		}
		cn->out.len = 0;
		cn->out_off = 0;
		if (!cn->slicing || (sliced && mono_us() - t0 >= CTL_TURN_US))
			break;
		if (!conn_slice(cn)) {
			conn_close(cn);   /* a cut answer: its client sees the framing end early */
			return false;
		}
		sliced = true;
	}
 blocked:
	if (sliced) {
		int64_t us = mono_us() - t0, cpu = cpu_us() - c0;

		cn->turns++;
		cn->turns_us += us;
		if (us > cn->turn_max_us)
			cn->turn_max_us = us;
		cn->turns_cpu_us += cpu;
		if (cpu > cn->turn_max_cpu_us)
			cn->turn_max_cpu_us = cpu;
	}
	if (slicing && !cn->slicing) {
		/* the loop time the answer cost, for --log-level debug and the benchmark */
		ds_net_log(cn->ctl->net, DS_LOG_DEBUG, "control: GET /v1/status: 200, %zu bytes "
			   "in %u turns, longest %.3f ms (of CPU %.3f ms), %.3f ms in all "
			   "(of CPU %.3f ms)", cn->sliced_bytes, cn->turns,
			   (double)cn->turn_max_us / 1000.0, (double)cn->turn_max_cpu_us / 1000.0,
			   (double)cn->turns_us / 1000.0, (double)cn->turns_cpu_us / 1000.0);
	}
	if (cn->out_off >= cn->out.len && !cn->slicing) {
		if (cn->out.cap > 65536)   /* a status answer's slices: not kept while idle */
			ds_buf_free(&cn->out);
		if (cn->close_after && !cn->draining && !cn->waiting) {
			/* the client may still be sending: closing now would
			 * reset the connection and lose our answer (RFC 7230
			 * §6.6), so read and drop its bytes for a moment first */
			(void)shutdown(cn->fd, SHUT_WR);
			cn->draining = true;
			tmr_start(&cn->idle, CTL_LINGER_MS, idle_h, cn);
		}
	}
	conn_watch(cn);
	return true;
}

static void head(struct ds_buf *b, unsigned status, const char *ctype)
{
	ds_buf_printf(b, "HTTP/1.1 %u %s\r\nContent-Type: %s\r\n"
		      "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n",
		      status, ds_ctl_reason(status), ctype);
}

/* Queues the answer to one request. */
static void conn_answer(struct ctl_conn *cn, struct ctl_resp *rs)
{
	struct ds_buf *o = &cn->out;

	if (rs->body.oom) {
		ds_buf_free(&rs->body);
		ds_ctl_error(rs, 500, "out of memory");
	}
	if (rs->sliced && !rs->body.oom) {
		head(o, rs->status, "application/json");
		if (cn->close_after)
			ds_buf_puts(o, "Connection: close\r\n");
		ds_buf_puts(o, cn->chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "\r\n");
		cn->slicing = true;
		cn->st = rs->st;
		cn->sliced_bytes = 0;
		cn->turns = 0;
		cn->turn_max_us = cn->turn_max_cpu_us = cn->turns_us = cn->turns_cpu_us = 0;
		return;
	}
	if (rs->stream) {
		head(o, 200, "text/event-stream");
		ds_buf_puts(o, "Connection: keep-alive\r\n\r\n: dualsite events\n\n");
		cn->stream = true;
		cn->ctl->n_streams++;
		tmr_cancel(&cn->idle);
		return;
	}
	if (rs->defer) {   /* no next request until this answer is written */
		cn->waiting = true;
		return;
	}
	head(o, rs->status, rs->ctype ? rs->ctype : "application/json");
	if (rs->status == 401)
		ds_buf_puts(o, "WWW-Authenticate: Bearer realm=\"dualsite\"\r\n");
	if (rs->allow)
		ds_buf_printf(o, "Allow: %s\r\n", rs->allow);
	if (cn->close_after)
		ds_buf_puts(o, "Connection: close\r\n");
	ds_buf_printf(o, "Content-Length: %zu\r\n\r\n", rs->body.len);
	ds_buf_put(o, rs->body.p ? rs->body.p : "", rs->body.len);
	if (o->oom) {    /* nothing sensible can be said: drop the connection */
		cn->out.len = 0;
		cn->close_after = true;
	}
}

static void answer_error(struct ctl_conn *cn, unsigned status, const char *msg)
{
	struct ctl_resp rs;

	memset(&rs, 0, sizeof(rs));
	ds_ctl_error(&rs, status, "%s", msg);
	cn->close_after = true;   /* the framing is lost: no next request */
	conn_answer(cn, &rs);
	ds_buf_free(&rs.body);
}

static int64_t clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t mono_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

/* The loop's own CPU time: a turn's wall time also counts the moments the
 * system ran something else. */
static int64_t cpu_us(void)
{
	return clock_us(CLOCK_THREAD_CPUTIME_ID);
}

/* One complete request, its head parsed into rq (or refused with status). */
static void conn_request(struct ctl_conn *cn, const struct ctl_req *rq, unsigned status,
			 const char *why)
{
	struct ctl_resp rs;
	int64_t t0 = mono_us();

	memset(&rs, 0, sizeof(rs));
	if (rq->close)
		cn->close_after = true;
	cn->chunked = !rq->http10;
	if (status)
		ds_ctl_error(&rs, status, "%s", why);
	else
		ds_ctl_route(cn->ctl, rq, &rs);
	conn_answer(cn, &rs);
	/* the loop time a request cost, for --log-level debug and the benchmark
	 * (a sliced answer's, once its last slice is written: conn_flush) */
	if (!cn->slicing)
		ds_net_log(cn->ctl->net, DS_LOG_DEBUG, "control: %s /%s%s%s: %u, %zu bytes, %.3f ms",
			   rq->method, rq->nseg ? rq->seg[0] : "", rq->nseg > 1 ? "/" : "",
			   rq->nseg > 1 ? rq->seg[1] : "", rs.status ? rs.status : 200, rs.body.len,
			   (double)(mono_us() - t0) / 1000.0);
	ds_buf_free(&rs.body);
}

/* Frames and answers the requests in `in`, one at a time. Returns false
 * when the connection was closed. */
static bool conn_process(struct ctl_conn *cn)
{
	while (!cn->stream && !cn->draining && !cn->waiting && cn->out.len == 0 && !cn->slicing &&
	       cn->in.len) {
		char *end = memmem(cn->in.p, cn->in.len, "\r\n\r\n", 4);
		struct ctl_req rq;
		char why[256];
		unsigned status;
		bool fatal = false;
		size_t hlen;

		if (!end) {
			if (cn->in.len >= CTL_MAX_REQUEST)
				answer_error(cn, 431, "the request head is too large");
			break;
		}
		hlen = (size_t)(end - cn->in.p) + 4;
		status = ds_ctl_parse_head(cn->in.p, hlen, cn->ctl->token, &rq, &fatal,
					   why, sizeof(why));
		if (fatal) {
			answer_error(cn, status, why);
			break;
		}
		if (cn->in.len < hlen + rq.clen)
			break;   /* the body is still coming */
		conn_request(cn, &rq, status, why);
		ds_buf_consume(&cn->in, hlen + rq.clen);
	}
	return conn_flush(cn);
}

void ds_ctl_answer_waiting(struct ds_control *c, struct ctl_resp *rs)
{
	struct le *le = c->conns.head;

	while (le) {
		struct ctl_conn *cn = le->data;

		le = le->next;   /* conn_process() may close cn */
		if (!cn->waiting)
			continue;
		cn->waiting = false;
		conn_answer(cn, rs);
		(void)conn_process(cn);
	}
}

static bool conn_read(struct ctl_conn *cn)
{
	char tmp[4096];

	for (;;) {
		ssize_t r = recv(cn->fd, tmp, sizeof(tmp), MSG_DONTWAIT);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r <= 0) {
			conn_close(cn);
			return false;
		}
		if (cn->stream || cn->draining)
			continue;    /* nothing more to hear from this client */
		tmr_start(&cn->idle, CTL_IDLE_MS, idle_h, cn);
		ds_buf_put(&cn->in, tmp, (size_t)r);
		if (cn->in.len > CTL_MAX_REQUEST) {
			/* a head that ends within the limit: the body is too large */
			bool head_done = memmem(cn->in.p, CTL_MAX_REQUEST, "\r\n\r\n", 4);

			cn->in.len = 0;
			if (head_done)
				answer_error(cn, 413, "the request is too large");
			else
				answer_error(cn, 431, "the request head is too large");
			return conn_flush(cn);
		}
		if (cn->in.oom) {
			conn_close(cn);
			return false;
		}
		if (cn->out.len || cn->slicing)
			break;   /* answering: the rest waits in the kernel */
	}
	return conn_process(cn);
}

static void conn_fd_h(int flags, void *arg)
{
	struct ctl_conn *cn = arg;

	if ((flags & FD_WRITE) && !conn_flush(cn))
		return;
	if (flags & (FD_READ | FD_EXCEPT))
		(void)conn_read(cn);
}

static void reject_busy(int fd)
{
	static const char busy[] =
		"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
		"Connection: close\r\nContent-Length: 54\r\n\r\n"
		"{\"error\": \"too many control connections open (64)\"}\r\n";

	(void)send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static void accept_h(int flags, void *arg);

static void accept_again_h(void *arg)
{
	struct ds_control *c = arg;

	(void)fd_listen(c->lfd, FD_READ, accept_h, c);
}

static void accept_h(int flags, void *arg)
{
	struct ds_control *c = arg;
	(void)flags;

	for (int k = 0; k < 16; k++) {
		int fd = accept4(c->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ctl_conn *cn;

		if (fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			       errno == ENOMEM)) {
			/* the pending connection stays queued and the socket
			 * readable: stop watching it for a moment, or the loop
			 * would spin on it */
			fd_close(c->lfd);
			tmr_start(&c->accept_tmr, 100, accept_again_h, c);
			return;
		}
		if (fd < 0)
			return;
		if (c->n_conns >= CTL_MAX_CONNS) {
			reject_busy(fd);
			continue;
		}
		cn = calloc(1, sizeof(*cn));
		if (!cn) {
			close(fd);
			continue;
		}
		cn->ctl = c;
		cn->fd = fd;
		tmr_init(&cn->idle);
		list_append(&c->conns, &cn->le, cn);
		c->n_conns++;
		tmr_start(&cn->idle, CTL_IDLE_MS, idle_h, cn);
		conn_watch(cn);
	}
}

/* ---- event streams ---------------------------------------------------------------- */

static void stream_put(struct ds_control *c, const char *text, size_t len)
{
	struct le *le = c->conns.head;

	while (le) {
		struct ctl_conn *cn = le->data;

		le = le->next;
		if (!cn->stream)
			continue;
		if (cn->out.len - cn->out_off + len > CTL_SSE_MAX_OUT) {
			conn_close(cn);   /* its reader fell too far behind */
			continue;
		}
		ds_buf_put(&cn->out, text, len);
		if (cn->out.oom) {
			conn_close(cn);   /* a stream with a gap would mislead its reader */
			continue;
		}
		conn_watch(cn);
	}
}

static void ping_h(void *arg)
{
	struct ds_control *c = arg;

	stream_put(c, ": ping\n\n", 8);
	if (c->n_streams)
		tmr_start(&c->ping, CTL_SSE_PING_MS, ping_h, c);
}

void ds_control_event(struct ds_control *c, const struct ds_event *ev,
		      const struct ds_engine_conf *conf)
{
	struct ds_buf b = {0};

	if (!c || !c->n_streams)
		return;
	if (!tmr_isrunning(&c->ping))
		tmr_start(&c->ping, CTL_SSE_PING_MS, ping_h, c);
	if (ds_event_line(ev, conf, true, &c->line, &c->line_cap) < 0)
		return;
	ds_buf_puts(&b, "data: ");
	ds_buf_puts(&b, c->line);
	ds_buf_puts(&b, "\n\n");
	if (!b.oom)
		stream_put(c, b.p, b.len);
	ds_buf_free(&b);
}

/* ---- the endpoint ---------------------------------------------------------------- */

int ds_control_alloc(struct ds_control **cp, struct ds_net *net, const char *addr,
		     const char *token, char *err, size_t errsz)
{
	struct ds_control *c;
	int e;

	c = calloc(1, sizeof(*c));
	if (!c)
		return ENOMEM;
	c->net = net;
	c->lfd = -1;
	list_init(&c->conns);
	tmr_init(&c->ping);
	tmr_init(&c->accept_tmr);
	c->addr = strdup(addr);
	c->token = token ? strdup(token) : NULL;
	if (!c->addr || (token && !c->token)) {
		e = ENOMEM;
		goto out;
	}
	e = is_unix_addr(addr) ? listen_unix(c, addr, err, errsz)
			       : listen_tcp(c, addr, err, errsz);
	if (!e)
		e = fd_listen(c->lfd, FD_READ, accept_h, c);
 out:
	if (e) {
		if (err[0] == '\0')
			snprintf(err, errsz, "%s", strerror(e));
		ds_control_free(c);
		return e;
	}
	*cp = c;
	return 0;
}

void ds_control_free(struct ds_control *c)
{
	struct stat st;

	if (!c)
		return;
	while (c->conns.head)
		conn_close(c->conns.head->data);
	tmr_cancel(&c->ping);
	tmr_cancel(&c->accept_tmr);
	if (c->lfd >= 0) {
		fd_close(c->lfd);
		close(c->lfd);
	}
	/* remove our socket file, not one another process put there since */
	if (c->unix_path && !lstat(c->unix_path, &st) && st.st_dev == c->unix_dev &&
	    st.st_ino == c->unix_ino)
		(void)unlink(c->unix_path);
	free(c->unix_path);
	free(c->addr);
	free(c->token);
	free(c->line);
	free(c);
}

const char *ds_control_addr(const struct ds_control *c)
{
	return c->addr;
}
