/* Small helpers of the lab: the clock, free ports, files, tools in PATH. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "lab.h"

volatile int lab_interrupted;

int64_t lab_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int bind_port(int type, uint16_t port, uint16_t *got)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, type, 0);

	if (fd < 0)
		return errno;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int err = 0;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		err = errno;
	else if (got)
		*got = ntohs(sa.sin_port);
	close(fd);
	return err;
}

int lab_free_port(uint16_t *port, const uint16_t *avoid, size_t n_avoid)
{
	/* The kernel picks a free UDP port; the same number must be free for
	 * TCP too (Kamailio listens on both) and not handed out already. */
	for (int tries = 0; tries < 200; tries++) {
		uint16_t p = 0;
		int err = bind_port(SOCK_DGRAM, 0, &p);
		if (err)
			return err;
		bool taken = false;
		for (size_t i = 0; i < n_avoid; i++)
			taken |= avoid[i] == p;
		if (taken || bind_port(SOCK_STREAM, p, NULL))
			continue;
		*port = p;
		return 0;
	}
	return EADDRINUSE;
}

bool lab_have(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	while (*path) {
		size_t n = strcspn(path, ":");
		if (n && n + strlen(prog) + 2 < sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog);
			if (access(buf, X_OK) == 0)
				return true;
		}
		path += n + (path[n] == ':');
	}
	return false;
}

int lab_write_file(const char *path, const char *text, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return errno;
	size_t n = strlen(text), off = 0;
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);
		if (w < 0) {
			int err = errno;
			close(fd);
			return err;
		}
		off += (size_t)w;
	}
	return close(fd) < 0 ? errno : 0;
}

void lab_tail(FILE *out, const char *path, int lines)
{
	FILE *f = fopen(path, "r");
	char *ring[64] = {0};
	char buf[512];
	int n = 0;

	if (!f)
		return;
	if (lines > 64)
		lines = 64;
	while (fgets(buf, sizeof(buf), f)) {
		free(ring[n % lines]);
		ring[n % lines] = strdup(buf);
		n++;
	}
	fclose(f);
	for (int i = n > lines ? n - lines : 0; i < n; i++) {
		const char *s = ring[i % lines];
		if (s)
			fprintf(out, "      | %s%s", s, s[strlen(s) - 1] == '\n' ? "" : "\n");
	}
	for (int i = 0; i < lines; i++)
		free(ring[i]);
}
