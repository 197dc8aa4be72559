/* The control endpoint's client side, for `dualsite ctl`: connect to the
 * Unix socket or TCP address, send one request, read the answer (or follow
 * an event stream). Blocking, with timeouts: it is a command, not the loop. */
#include <errno.h>
#include <stdbool.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include "dualsite/control.h"
#include "buf.h"

enum { IO_TIMEOUT_S = 10, MAX_ANSWER = 256 << 20 };

bool ds_ctl_path_escape(const char *s, char *out, size_t sz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t j = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			     (*p >= '0' && *p <= '9') || strchr("-._~", *p);

		if (j + (plain ? 1 : 3) >= sz)
			return false;
		if (plain) {
			out[j++] = (char)*p;
		} else {
			out[j++] = '%';
			out[j++] = hex[*p >> 4];
			out[j++] = hex[*p & 15];
		}
	}
	out[j] = '\0';
	return sz > 0;
}

static void set_timeouts(int fd, bool read_timeout)
{
	struct timeval tv = {.tv_sec = IO_TIMEOUT_S};
	struct timeval none = {0};

	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, read_timeout ? &tv : &none,
			 sizeof(tv));
}

static int connect_to(const char *addr, int *fdp, char *err, size_t errsz)
{
	bool loopback;
	int fd, e;

	if (ds_control_addr_check(addr, &loopback)) {
		snprintf(err, errsz, "'%s' is neither a socket path nor HOST:PORT", addr);
		return EINVAL;
	}
	if (strchr(addr, '/')) {
		struct sockaddr_un un = {.sun_family = AF_UNIX};

		snprintf(un.sun_path, sizeof(un.sun_path), "%s", addr);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return errno;
		set_timeouts(fd, true);
		if (connect(fd, (struct sockaddr *)&un, sizeof(un))) {
			e = errno;
			close(fd);
			snprintf(err, errsz, "cannot connect to %s: %s (is `dualsite run "
				 "--control %s` running?)", addr, strerror(e), addr);
			return e;
		}
	} else {
		const char *colon = strrchr(addr, ':');
		char host[64];
		struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
					 .ai_flags = AI_NUMERICSERV}, *res = NULL;
		size_t hl = (size_t)(colon - addr);

		if (addr[0] == '[') {
			addr++;
			hl -= 2;
		}
		snprintf(host, sizeof(host), "%.*s", (int)hl, addr);
		if (getaddrinfo(host, colon + 1, &hints, &res) || !res) {
			snprintf(err, errsz, "cannot resolve %s", host);
			return EINVAL;
		}
		fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			freeaddrinfo(res);
			return errno;
		}
		set_timeouts(fd, true);
		e = connect(fd, res->ai_addr, res->ai_addrlen) ? errno : 0;
		freeaddrinfo(res);
		if (e) {
			close(fd);
			snprintf(err, errsz, "cannot connect to %s:%s: %s (is `dualsite run "
				 "--control` listening there?)", host, colon + 1, strerror(e));
			return e;
		}
	}
	*fdp = fd;
	return 0;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EPIPE;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_request(int fd, const char *token, const char *method, const char *path,
			bool stream)
{
	char req[2048];
	int n;

	n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: dualsite\r\n"
		     "User-Agent: dualsite-ctl\r\n%s%s%s%s%s\r\n", method, path,
		     stream ? "Accept: text/event-stream\r\n" : "Connection: close\r\n",
		     token ? "Authorization: Bearer " : "", token ? token : "",
		     token ? "\r\n" : "",
		     strcmp(method, "POST") ? "" : "Content-Length: 0\r\n");
	if (n < 0 || (size_t)n >= sizeof(req))
		return ENAMETOOLONG;
	return send_all(fd, req, (size_t)n);
}

/* An answer as read so far: p[0..len), NUL-terminated, room for cap bytes
 * (and the NUL). */
struct rd {
	int fd;
	char *p;
	size_t len, cap;
};

/* Reads more into r, growing it up to max bytes. Returns what recv()
 * returned: bytes read, 0 at the close, or -1 with errno (EFBIG: r is
 * full at max). */
static ssize_t rd_more(struct rd *r, size_t max)
{
	ssize_t n;

	if (r->cap - r->len < 4096 && r->cap < max) {
		size_t cap = r->cap ? r->cap * 2 : 8192;
		char *p;

		if (cap > max)
			cap = max;
		p = realloc(r->p, cap + 1);
		if (!p)
			return -1;   /* errno: ENOMEM */
		r->p = p;
		r->cap = cap;
	}
	if (r->len == r->cap) {
		errno = EFBIG;
		return -1;
	}
	do
		n = recv(r->fd, r->p + r->len, r->cap - r->len, 0);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		r->len += (size_t)n;
	r->p[r->len] = '\0';
	return n;
}

/* The head of an answer: status, Content-Length (-1: none) and whether the
 * body is chunked; hlen is its length with the blank line. */
struct head {
	unsigned status;
	long long clen;
	bool chunked;
	size_t hlen;
};

/* Reads until the head is complete and parses it; r keeps what was read
 * (the head and the start of the body). */
static int read_head(struct rd *r, struct head *h, char *err, size_t errsz)
{
	enum { MAX_HEAD = 8192 };
	char *end;

	while (!r->p || !(end = strstr(r->p, "\r\n\r\n"))) {
		ssize_t n = rd_more(r, MAX_HEAD);

		if (n < 0 && errno == EFBIG) {
			snprintf(err, errsz, "the answer's head is over %d bytes", MAX_HEAD);
			return EPROTO;
		}
		if (n <= 0) {
			int e = n < 0 ? errno : EPIPE;

			snprintf(err, errsz, "%s", n < 0 && (e == EAGAIN || e == EWOULDBLOCK)
				 ? "no answer within 10 s" : "the connection closed without an answer");
			return e;
		}
	}
	h->clen = -1;
	h->chunked = false;
	if (sscanf(r->p, "HTTP/1.%*1[01] %3u", &h->status) != 1) {
		snprintf(err, errsz, "not an HTTP answer: '%.40s'", r->p);
		return EPROTO;
	}
	for (char *l = strstr(r->p, "\r\n"); l && l < end; l = strstr(l + 2, "\r\n")) {
		if (!strncasecmp(l + 2, "Content-Length:", 15))
			h->clen = atoll(l + 17);
		if (!strncasecmp(l + 2, "Transfer-Encoding: chunked\r\n", 28))
			h->chunked = true;
	}
	h->hlen = (size_t)(end - r->p) + 4;
	return 0;
}

/* Connects, sends the request and reads the answer's head. */
static int open_answer(const char *addr, const char *token, const char *method,
		       const char *path, bool stream, struct rd *r, struct head *h,
		       char *err, size_t errsz)
{
	int e;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	e = connect_to(addr, &r->fd, err, errsz);
	if (e)
		return e;
	e = send_request(r->fd, token, method, path, stream);
	if (e) {
		snprintf(err, errsz, "cannot send the request: %s", strerror(e));
		return e;
	}
	return read_head(r, h, err, errsz);
}

/* Reads the body after the head h: Content-Length bytes, the chunks, or up
 * to the close; it becomes a->body. */
static int read_body(struct rd *r, const struct head *h, struct ds_ctl_answer *a,
		     char *err, size_t errsz)
{
	size_t pos = 0;   /* chunked: the first chunk not yet complete */

	memmove(r->p, r->p + h->hlen, r->len - h->hlen + 1);
	r->len -= h->hlen;
	for (;;) {
		ssize_t n;

		if (h->chunked) {
			int e = ds_chunks_scan(r->p, r->len, &pos);

			if (!e)
				break;
			if (e == EPROTO) {
				snprintf(err, errsz, "the answer's chunked framing is broken "
					 "at body byte %zu", pos);
				return e;
			}
		} else if (h->clen >= 0 && (long long)r->len >= h->clen) {
			break;
		}
		n = rd_more(r, MAX_ANSWER);
		if (n == 0 && !h->chunked && h->clen < 0)
			break;
		if (n < 0 && errno == EFBIG) {
			snprintf(err, errsz, "the answer is over %d MiB", MAX_ANSWER >> 20);
			return EFBIG;
		}
		if (n <= 0) {
			if (h->chunked)
				snprintf(err, errsz, "the answer was cut short (%zu bytes, "
					 "its last chunk missing)", r->len);
			else
				snprintf(err, errsz, "the answer was cut short (%zu of %lld bytes)",
					 r->len, h->clen);
			return n < 0 ? errno : EPIPE;
		}
	}
	if (h->chunked)
		r->len = ds_chunks_join(r->p, pos);
	else if (h->clen >= 0)
		r->len = (size_t)h->clen;
	r->p[r->len] = '\0';   /* cap always keeps a byte for it */
	a->status = h->status;
	a->body = r->p;
	a->len = r->len;
	r->p = NULL;
	return 0;
}

static void rd_close(struct rd *r)
{
	free(r->p);
	if (r->fd >= 0)
		close(r->fd);
}

int ds_ctl_request(const char *addr, const char *token, const char *method,
		   const char *path, struct ds_ctl_answer *a, char *err, size_t errsz)
{
	struct rd r;
	struct head h;
	int e;

	memset(a, 0, sizeof(*a));
	e = open_answer(addr, token, method, path, false, &r, &h, err, errsz);
	if (!e)
		e = read_body(&r, &h, a, err, errsz);
	rd_close(&r);
	return e;
}

int ds_ctl_stream(const char *addr, const char *token, const char *path,
		  struct ds_ctl_answer *a, ds_ctl_data_h *h, void *arg,
		  char *err, size_t errsz)
{
	enum { MAX_MESSAGE = 65536 };
	struct rd r;
	struct head hd;
	int e;

	memset(a, 0, sizeof(*a));
	e = open_answer(addr, token, "GET", path, true, &r, &hd, err, errsz);
	if (e)
		goto out;
	if (hd.status != 200) {
		e = read_body(&r, &hd, a, err, errsz);   /* a refusal: its body is the message */
		goto out;
	}
	a->status = hd.status;
	set_timeouts(r.fd, false);   /* a quiet stream is not a dead one */
	memmove(r.p, r.p + hd.hlen, r.len - hd.hlen + 1);
	r.len -= hd.hlen;
	for (;;) {
		char *msg_end;
		ssize_t n;

		/* each message ends with a blank line; `data:` lines carry it */
		while ((msg_end = strstr(r.p, "\n\n"))) {
			*msg_end = '\0';
			for (char *l = r.p; l && *l; ) {
				char *nl = strchr(l, '\n');

				if (nl)
					*nl = '\0';
				if (!strncmp(l, "data: ", 6))
					h(l + 6, strlen(l + 6), arg);
				l = nl ? nl + 1 : NULL;
			}
			r.len -= (size_t)(msg_end + 2 - r.p);
			memmove(r.p, msg_end + 2, r.len + 1);
		}
		n = rd_more(&r, MAX_MESSAGE);
		if (n == 0)
			break;       /* the daemon ended the stream (it stopped) */
		if (n < 0) {
			e = errno;
			if (e == EFBIG)
				snprintf(err, errsz, "an event message is over %d bytes",
					 MAX_MESSAGE);
			else
				snprintf(err, errsz, "the event stream broke: %s", strerror(e));
			goto out;
		}
	}
 out:
	rd_close(&r);
	return e;
}
