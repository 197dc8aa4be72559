/* The control endpoint's client side, for `dualsite ctl`: connect to the
 * Unix socket or TCP address, send one request, read the answer (or follow
 * an event stream). Blocking, with timeouts: it is a command, not the loop. */
#include <errno.h>
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

/* Reads until the head is complete; parses the status and Content-Length.
 * buf holds what was read (head and the start of the body). */
static int read_head(int fd, char **bufp, size_t *lenp, size_t *hlenp, unsigned *status,
		     long long *clen, char *err, size_t errsz)
{
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap + 1), *end = NULL;

	if (!buf)
		return ENOMEM;
	while (!end) {
		ssize_t r;

		if (len == cap) {
			snprintf(err, errsz, "the answer's head is over %zu bytes", cap);
			free(buf);
			return EPROTO;
		}
		r = recv(fd, buf + len, cap - len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EPIPE;

			snprintf(err, errsz, "%s", r < 0 && (e == EAGAIN || e == EWOULDBLOCK)
				 ? "no answer within 10 s" : "the connection closed without an answer");
			free(buf);
			return e;
		}
		len += (size_t)r;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	*clen = -1;
	if (sscanf(buf, "HTTP/1.%*1[01] %3u", status) != 1) {
		snprintf(err, errsz, "not an HTTP answer: '%.40s'", buf);
		free(buf);
		return EPROTO;
	}
	for (char *l = strstr(buf, "\r\n"); l && l < end; l = strstr(l + 2, "\r\n"))
		if (!strncasecmp(l + 2, "Content-Length:", 15))
			*clen = atoll(l + 17);
	*bufp = buf;
	*lenp = len;
	*hlenp = (size_t)(end - buf) + 4;
	return 0;
}

int ds_ctl_request(const char *addr, const char *token, const char *method,
		   const char *path, struct ds_ctl_answer *a, char *err, size_t errsz)
{
	char *buf = NULL;
	size_t len, hlen, cap;
	long long clen;
	int fd, e;

	memset(a, 0, sizeof(*a));
	e = connect_to(addr, &fd, err, errsz);
	if (e)
		return e;
	e = send_request(fd, token, method, path, false);
	if (e) {
		snprintf(err, errsz, "cannot send the request: %s", strerror(e));
		goto out;
	}
	e = read_head(fd, &buf, &len, &hlen, &a->status, &clen, err, errsz);
	if (e)
		goto out;
	/* the body: Content-Length bytes (or up to the close) */
	memmove(buf, buf + hlen, len - hlen);
	len -= hlen;
	cap = 8192;   /* as read_head allocated it (plus the NUL) */
	while (clen < 0 || (long long)len < clen) {
		ssize_t r;

		if (len + 4096 > cap) {
			char *p;

			if (cap >= MAX_ANSWER) {
				snprintf(err, errsz, "the answer is over %d MiB", MAX_ANSWER >> 20);
				e = EFBIG;
				goto out;
			}
			cap *= 2;
			p = realloc(buf, cap + 1);
			if (!p) {
				e = ENOMEM;
				goto out;
			}
			buf = p;
		}
		r = recv(fd, buf + len, cap - len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 && clen < 0)
			break;
		if (r <= 0) {
			e = r < 0 ? errno : EPIPE;
			snprintf(err, errsz, "the answer was cut short (%zu of %lld bytes)",
				 len, clen);
			goto out;
		}
		len += (size_t)r;
	}
	if (clen >= 0)
		len = (size_t)clen;
	buf[len] = '\0';   /* cap always keeps a byte for it */
	a->body = buf;
	a->len = len;
	buf = NULL;
 out:
	free(buf);
	close(fd);
	return e;
}

int ds_ctl_stream(const char *addr, const char *token, const char *path,
		  struct ds_ctl_answer *a, ds_ctl_data_h *h, void *arg,
		  char *err, size_t errsz)
{
	char *buf = NULL;
	size_t len, hlen, cap = 65536;   /* grown to this before the stream is read */
	long long clen;
	int fd, e;

	memset(a, 0, sizeof(*a));
	e = connect_to(addr, &fd, err, errsz);
	if (e)
		return e;
	e = send_request(fd, token, "GET", path, true);
	if (!e)
		e = read_head(fd, &buf, &len, &hlen, &a->status, &clen, err, errsz);
	if (e)
		goto out;
	if (a->status != 200) {
		/* a refusal: its body is the message */
		a->body = strdup(buf + hlen);
		a->len = a->body ? strlen(a->body) : 0;
		goto out;
	}
	set_timeouts(fd, false);   /* a quiet stream is not a dead one */
	memmove(buf, buf + hlen, len - hlen + 1);
	len -= hlen;
	{
		char *p = realloc(buf, cap + 1);

		if (!p) {
			e = ENOMEM;
			goto out;
		}
		buf = p;
	}
	for (;;) {
		char *msg_end;
		ssize_t r;

		/* each message ends with a blank line; `data:` lines carry it */
		while ((msg_end = strstr(buf, "\n\n"))) {
			*msg_end = '\0';
			for (char *l = buf; l && *l; ) {
				char *nl = strchr(l, '\n');

				if (nl)
					*nl = '\0';
				if (!strncmp(l, "data: ", 6))
					h(l + 6, strlen(l + 6), arg);
				l = nl ? nl + 1 : NULL;
			}
			len -= (size_t)(msg_end + 2 - buf);
			memmove(buf, msg_end + 2, len + 1);
		}
		if (len == cap) {
			snprintf(err, errsz, "an event message is over %zu bytes", cap);
			e = EPROTO;
			goto out;
		}
		r = recv(fd, buf + len, cap - len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			break;       /* the daemon ended the stream (it stopped) */
		if (r < 0) {
			e = errno;
			snprintf(err, errsz, "the event stream broke: %s", strerror(e));
			goto out;
		}
		len += (size_t)r;
		buf[len] = '\0';
	}
 out:
	free(buf);
	close(fd);
	return e;
}
