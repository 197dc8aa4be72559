/* Larger kernel buffers for the UDP sockets of dualsite's SIP stacks.
 *
 * Why: with 208 kB (Linux's default) a fleet's start-up burst of REGISTER
 * answers overflowed the receive buffer (48,337 datagrams dropped at 10,000
 * agents), probe answers were lost with the rest and every server was
 * declared down. libre 1.1.0 does not hand out the UDP socket of a
 * sip_transp_add() transport (struct sip_transport is private, and no
 * accessor returns its udp_sock), so the socket is found by its local
 * address among the process's descriptors right after the transport is
 * added, and its buffers are set with setsockopt(). The kernel caps the
 * request at net.core.rmem_max / wmem_max; the driver never changes those
 * sysctls, it says once when the cap cut what it asked. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "net_priv.h"

/* Whether fd is a UDP socket bound to laddr's port (and address, unless
 * one of the two is the wildcard). */
static bool is_sock_of(int fd, const struct sa *laddr)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int type = 0;
	socklen_t tl = sizeof(type);
	struct sa a;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) || type != SOCK_DGRAM)
		return false;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl))
		return false;
	if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
		return false;
	if (sa_set_sa(&a, (struct sockaddr *)&ss))
		return false;
	if (sa_port(&a) != sa_port(laddr))
		return false;
	return sa_is_any(&a) || sa_is_any(laddr) || sa_cmp(&a, laddr, SA_ADDR);
}

static long sysctl_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Sets one buffer; returns what the kernel granted (the kernel books twice
 * the size asked, for its own overhead, and getsockopt() reports that). */
static int set_one(int fd, int opt, int want)
{
	int got = 0;
	socklen_t gl = sizeof(got);

	(void)setsockopt(fd, SOL_SOCKET, opt, &want, sizeof(want));
	if (getsockopt(fd, SOL_SOCKET, opt, &got, &gl))
		return 0;
	return got / 2;
}

static void say_capped(const struct ds_net *n, const char *what, const char *dir,
		       int want, int got, const char *sysctl)
{
	static bool said[2];
	bool *s = &said[dir[0] == 's'];
	char path[64];

	if (*s)
		return;
	*s = true;
	(void)re_snprintf(path, sizeof(path), "/proc/sys/net/core/%s", sysctl);
	ds_log(n, "%s UDP socket: %s buffer %d bytes, asked %d: the kernel caps it at "
	       "net.core.%s = %ld; under a burst of answers datagrams may be dropped "
	       "(raise it with: sysctl -w net.core.%s=%d)", what, dir, got, want,
	       sysctl, sysctl_long(path), sysctl, want);
}

int ds_sockbuf_raise(const struct ds_net *n, const struct sa *laddr, const char *what,
		     int rcv, int snd)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned found = 0;

	if (!d) {
		ds_log(n, "%s UDP socket at %J: cannot list /proc/self/fd to enlarge "
		       "its buffers; they stay at the kernel's default", what, laddr);
		return ENOENT;
	}
	while ((e = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		int got;

		if (*end || end == e->d_name || fd == dirfd(d) || fd < 0)
			continue;
		if (!is_sock_of((int)fd, laddr))
			continue;
		found++;
		got = set_one((int)fd, SO_RCVBUF, rcv);
		if (got < rcv)
			say_capped(n, what, "receive", rcv, got, "rmem_max");
		got = set_one((int)fd, SO_SNDBUF, snd);
		if (got < snd)
			say_capped(n, what, "send", snd, got, "wmem_max");
	}
	closedir(d);
	if (!found) {
		ds_log(n, "%s UDP socket at %J: not found among the open descriptors; "
		       "its buffers stay at the kernel's default", what, laddr);
		return ENOENT;
	}
	return 0;
}
