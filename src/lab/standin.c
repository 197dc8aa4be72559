/* Stand-ins for the Stat and Configuration Servers: TCP listeners that
 * accept and hold connections. dualsite probes those kinds by TCP connect
 * (docs/behaviour.md §2.2 dualsite.probe-interval), so a listener is all a probe sees. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "lab.h"

enum { HOLD_MAX = 256 };

static int standin_loop(void *arg)
{
	int lfd = *(int *)arg;
	struct pollfd pfd[1 + HOLD_MAX];
	nfds_t n = 1;
	char buf[512];

	/* Hold nothing of the lab's but the listener. */
	for (int fd = 3; fd < 1024; fd++)
		if (fd != lfd)
			close(fd);
	pfd[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
	for (;;) {
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		for (nfds_t i = n; i-- > 1;) {
			if (!pfd[i].revents)
				continue;
			ssize_t r = read(pfd[i].fd, buf, sizeof(buf));
			if (r > 0)
				continue;
			close(pfd[i].fd);
			pfd[i] = pfd[--n];
		}
		if (pfd[0].revents & POLLIN) {
			int c = accept(lfd, NULL, NULL);
			if (c < 0)
				continue;
			if (n < 1 + HOLD_MAX)
				pfd[n++] = (struct pollfd){.fd = c, .events = POLLIN};
			else
				close(c);  /* a probe's connect has succeeded already */
		}
	}
}

int lab_standin_start(struct lab_standin *s)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(s->port)};
	int one = 1, err;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return errno;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Bound here, before the fork: the port answers when this returns. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
		err = errno;
		close(fd);
		return err;
	}
	err = lab_proc_fork(&s->proc, s->name, standin_loop, &fd);
	close(fd);
	return err;
}

void lab_standin_stop(struct lab_standin *s)
{
	lab_proc_end(&s->proc, SIGTERM, 1000);
}
