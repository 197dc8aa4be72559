/* The lab's registrars: Kamailio instances of scripts/kamailio/registrar.cfg. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lab.h"

int lab_kam_find_cfg(char *buf, size_t sz, const char *exe)
{
	const char *env = getenv("DUALSITE_KAMAILIO_CFG");
	char dir[PATH_MAX];

	if (env && *env) {
		snprintf(buf, sz, "%s", env);
		return access(buf, R_OK) ? errno : 0;
	}
	snprintf(dir, sizeof(dir), "%s", exe);
	const char *d = dirname(dir);
	const char *const rel[] = {
		"%s/../scripts/kamailio/registrar.cfg",
		"%s/../../scripts/kamailio/registrar.cfg",
		"%s/../share/dualsite/registrar.cfg",   /* installed, wherever the prefix */
	};
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(buf, sz, rel[i], d);
		if (access(buf, R_OK) == 0)
			return 0;
	}
	const char *const fixed[] = {
		"scripts/kamailio/registrar.cfg",
		DS_DATADIR "/registrar.cfg",
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (access(fixed[i], R_OK) == 0) {
			if (!realpath(fixed[i], buf))
				snprintf(buf, sz, "%s", fixed[i]);
			return 0;
		}
	}
	return ENOENT;
}

int lab_kam_ping(uint16_t port, int timeout_ms)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct sockaddr_in me = {.sin_family = AF_INET};
	socklen_t len = sizeof(me);
	char msg[512], ans[2048];
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err = ETIMEDOUT;

	if (fd < 0)
		return errno;
	sa.sin_addr.s_addr = me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&me, &len) < 0) {
		err = errno;
		goto out;
	}
	unsigned tag = (unsigned)lab_now_ms();
	int n = snprintf(msg, sizeof(msg),
			 "OPTIONS sip:127.0.0.1:%u SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKlab%u\r\n"
			 "From: <sip:lab@127.0.0.1>;tag=%u\r\n"
			 "To: <sip:127.0.0.1:%u>\r\n"
			 "Call-ID: lab-ping-%u-%u\r\n"
			 "CSeq: 1 OPTIONS\r\n"
			 "Max-Forwards: 70\r\n"
			 "Content-Length: 0\r\n\r\n",
			 port, ntohs(me.sin_port), tag, tag, port, tag, (unsigned)getpid());
	int64_t until = lab_now_ms() + timeout_ms, next_send = 0;
	for (;;) {
		int64_t now = lab_now_ms();
		if (now >= until)
			break;
		if (now >= next_send) {
			/* ECONNREFUSED from an earlier datagram is not fatal: the
			 * registrar may still be binding its port. */
			sendto(fd, msg, (size_t)n, 0, (struct sockaddr *)&sa, sizeof(sa));
			next_send = now + 200;
		}
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int left = (int)((next_send < until ? next_send : until) - now);
		if (poll(&pfd, 1, left > 0 ? left : 0) <= 0)
			continue;
		ssize_t r = recv(fd, ans, sizeof(ans) - 1, 0);
		if (r <= 0)
			continue;
		ans[r] = 0;
		if (!strncmp(ans, "SIP/2.0 200", 11)) {
			err = 0;
			break;
		}
	}
out:
	close(fd);
	return err;
}

/* The registrar's password never goes on Kamailio's command line, which
 * every local user reads in /proc/PID/cmdline: a 0600 file in the lab's
 * 0700 directory defines it and includes the shared registrar.cfg. */
static int write_cfg(const struct lab_kam *k, const char *cfg, const char *password,
		     char *path, size_t sz)
{
	char text[PATH_MAX + 256], abs_cfg[PATH_MAX];
	int n;

	/* Kamailio would take a relative include from its own directory */
	if (!realpath(cfg, abs_cfg))
		return errno;

	n = snprintf(path, sz, "%s.cfg", k->pidfile);
	if (n < 0 || (size_t)n >= sz)
		return ENAMETOOLONG;
	n = snprintf(text, sizeof(text),
		     "#!KAMAILIO\n"
		     "# written by dualsite lab: the password stays off the command line\n"
		     "#!define PASSWORD \"%s\"\n"
		     "#!include_file \"%s\"\n", password, abs_cfg);
	if (n < 0 || (size_t)n >= sizeof(text))
		return ENAMETOOLONG;
	return lab_write_file(path, text, 0600);
}

int lab_kam_start(struct lab_kam *k, const char *cfg, const char *password, bool noauth)
{
	char port[32], ctl[PATH_MAX + 32], own_cfg[PATH_MAX];
	char *argv[24];
	int i = 0, err;

	if (strchr(password, '"') || strchr(password, '\n'))
		return EINVAL;
	err = write_cfg(k, cfg, password, own_cfg, sizeof(own_cfg));
	if (err)
		return err;
	snprintf(port, sizeof(port), "PORT=%u", k->port);
	snprintf(ctl, sizeof(ctl), "CTLSOCK=\"%s\"", k->ctl);
	argv[i++] = "kamailio";
	argv[i++] = "-DD";
	argv[i++] = "-E";
	argv[i++] = "-f";
	argv[i++] = own_cfg;
	argv[i++] = "-P";
	argv[i++] = k->pidfile;
	argv[i++] = "-m";
	argv[i++] = "64";
	argv[i++] = "-M";
	argv[i++] = "8";
	argv[i++] = "-A";
	argv[i++] = "LISTEN=127.0.0.1";
	argv[i++] = "-A";
	argv[i++] = port;
	argv[i++] = "-A";
	argv[i++] = ctl;
	if (noauth) {
		argv[i++] = "-A";
		argv[i++] = "NOAUTH";
	}
	argv[i] = NULL;

	int log = open(k->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (log < 0)
		return errno;
	/* A socket left by a killed instance would stop the next one's ctl. */
	if (!strncmp(k->ctl, "unix:", 5))
		unlink(k->ctl + 5);
	err = lab_proc_spawn(&k->proc, k->name, argv, NULL, log, log);
	close(log);
	if (err)
		return err;
	k->starts++;
	err = lab_kam_ping(k->port, 10000);
	if (err) {
		lab_proc_reap(&k->proc);
		return err;
	}
	return 0;
}

int lab_kamcmd(const struct lab_kam *k, char *out, size_t sz, const char *a1,
	       const char *a2, const char *a3)
{
	char *argv[] = {"kamcmd", "-s", (char *)k->ctl, (char *)a1, (char *)a2, (char *)a3, NULL};
	struct lab_proc p;
	int fds[2], err;
	size_t len = 0;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	err = lab_proc_spawn(&p, "kamcmd", argv, NULL, fds[1], fds[1]);
	close(fds[1]);
	if (err) {
		close(fds[0]);
		return -1;
	}
	int64_t until = lab_now_ms() + 5000;
	for (;;) {
		struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
		int left = (int)(until - lab_now_ms());
		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			break;
		char tmp[512];
		ssize_t r = read(fds[0], tmp, sizeof(tmp));
		if (r <= 0)
			break;
		for (ssize_t j = 0; j < r && out && len + 1 < sz; j++)
			out[len++] = tmp[j];
	}
	if (out && sz)
		out[len] = 0;
	close(fds[0]);
	if (!lab_proc_wait(&p, 2000))
		lab_proc_end(&p, SIGKILL, 100);
	return WIFEXITED(p.status) ? WEXITSTATUS(p.status) : -1;
}
