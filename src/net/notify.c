/* systemd's Type=notify for `run`.
 *
 * sd_notify's protocol, in the few lines `run` needs: one datagram per message
 * to the Unix socket systemd names in $NOTIFY_SOCKET (a path, or '@' for
 * Linux's abstract namespace), and the watchdog interval from $WATCHDOG_USEC.
 * libsystemd would do the same; this keeps the daemon's dependencies to libre
 * and libfyaml. The socket is non-blocking: systemd reads it promptly, and a
 * notification that cannot be sent at once must not stall the SIP loop. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "net_priv.h"
#include "notify.h"

void ds_notify_init(struct ds_notify *nt)
{
	memset(nt, 0, sizeof(*nt));
	nt->fd = -1;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (!s || *s < '0' || *s > '9')
		return EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end)
		return EINVAL;
	*v = x;
	return 0;
}

static int set_address(struct ds_notify *nt, const char *sock)
{
	size_t len = strlen(sock);

	memset(&nt->sa, 0, sizeof(nt->sa));
	nt->sa.sun_family = AF_UNIX;
	if (len < 2 || (sock[0] != '/' && sock[0] != '@') || len >= sizeof(nt->sa.sun_path))
		return EINVAL;
	memcpy(nt->sa.sun_path, sock, len);
	if (sock[0] == '@') {
		/* abstract: a leading NUL, and the length counts the name exactly */
		nt->sa.sun_path[0] = '\0';
		nt->sa_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	}
	else {
		nt->sa_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
	}
	return 0;
}

static int set_watchdog(struct ds_notify *nt, const char *wd_usec, const char *wd_pid,
			pid_t self)
{
	uint64_t usec, pid;

	nt->watchdog_ms = 0;
	if (!wd_usec || !*wd_usec)
		return 0;
	if (parse_u64(wd_usec, &usec) || usec == 0)
		return EINVAL;
	if (wd_pid && *wd_pid) {
		if (parse_u64(wd_pid, &pid))
			return EINVAL;
		if (pid != (uint64_t)self)
			return 0;   /* meant for another process */
	}
	/* half the interval, as sd_watchdog_enabled(3) advises; at least 1 ms */
	nt->watchdog_ms = usec / 2000 ? usec / 2000 : 1;
	return 0;
}

int ds_notify_open(struct ds_notify *nt, const char *sock, const char *wd_usec,
		   const char *wd_pid, pid_t self)
{
	int err;

	ds_notify_close(nt);
	if (!sock || !*sock)
		return 0;
	err = set_address(nt, sock);
	if (err)
		return err;
	nt->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (nt->fd < 0) {
		err = errno;
		ds_notify_init(nt);
		return err;
	}
	return set_watchdog(nt, wd_usec, wd_pid, self);
}

int ds_notify_send(const struct ds_notify *nt, const char *msg)
{
	ssize_t r;

	if (nt->fd < 0)
		return 0;
	r = sendto(nt->fd, msg, strlen(msg), MSG_NOSIGNAL,
		   (const struct sockaddr *)&nt->sa, nt->sa_len);
	if (r < 0)
		return errno;
	return 0;
}

void ds_notify_close(struct ds_notify *nt)
{
	if (nt->fd >= 0)
		close(nt->fd);
	ds_notify_init(nt);
}

/* The daemon's side (ds_net_main): READY=1 once listening with every agent
 * started; STATUS= with the agents per site, sent a moment after events moved
 * some (a switchover of ten thousand agents is one status, not ten thousand)
 * and only when its text changed; STOPPING=1 when a clean stop begins;
 * WATCHDOG=1 from a loop timer, so a loop that stops turning stops pinging. */
enum { STATUS_DELAY_MS = 100, STATUS_SITES = 16 };

struct net_notify {
	struct ds_notify nt;
	struct tmr wd_tmr;
	struct tmr status_tmr;
	char status[512];            /* the last STATUS= text sent */
	bool failed;                 /* a send failed: said once in the log */
};

static void nn_send(struct ds_net *n, const char *msg)
{
	int err = ds_notify_send(&n->notify->nt, msg);

	if (err && !n->notify->failed) {
		n->notify->failed = true;
		ds_log(n, "systemd: cannot notify NOTIFY_SOCKET: %m (further failures not logged)",
		       err);
	}
}

/* Adds " ITEM" or ", ITEM" (after another item) to buf; cut at sz. */
static void __attribute__((format(printf, 5, 6)))
append(char *buf, size_t sz, int *len, bool comma, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*len < 0 || (size_t)*len + 2 >= sz)
		return;
	*len += snprintf(buf + *len, sz - (size_t)*len, "%s ", comma ? "," : "");
	va_start(ap, fmt);
	r = vsnprintf(buf + *len, sz - (size_t)*len, fmt, ap);
	va_end(ap);
	*len = r < 0 ? r : *len + r;
}

/* "3 agents: SiteX 2, SiteY 1, 1 connection lost": where each agent's first
 * connected kind (sip before stat and config) is connected now. */
static void status_text(const struct ds_net *n, char *buf, size_t sz)
{
	const char *site[STATUS_SITES];
	size_t cnt[STATUS_SITES], ns = 0, lost = 0, oos = 0, elsewhere = 0;
	int len;

	for (size_t i = 0; i < n->n_agents; i++) {
		const struct net_agent *ag = n->agents[i];
		struct ds_conn_view v;
		const char *name;
		size_t j;
		int k;

		for (k = 0; k < DS_KIND_COUNT && !ag->conf.kind_connected[k]; k++)
			;
		if (k == DS_KIND_COUNT || !ag->eng)
			continue;
		ds_engine_conn(ag->eng, (enum ds_kind)k, &v);
		switch (v.state) {
		case DS_CONN_CONNECTED:
			break;
		case DS_CONN_LOST:
			lost++;
			continue;
		case DS_CONN_OUT_OF_SERVICE:
			oos++;
			continue;
		}
		name = v.site >= 0 && v.site < 2 ? ag->conf.site_name[v.site] : NULL;
		if (!name)
			name = "(no site)";
		for (j = 0; j < ns && strcmp(site[j], name); j++)
			;
		if (j == ns) {
			if (ns == STATUS_SITES) {
				elsewhere++;
				continue;
			}
			site[ns] = name;
			cnt[ns++] = 0;
		}
		cnt[j]++;
	}
	len = snprintf(buf, sz, "%zu agent%s:", n->n_agents, n->n_agents == 1 ? "" : "s");
	for (size_t j = 0; j < ns; j++)
		append(buf, sz, &len, j > 0, "%s %zu", site[j], cnt[j]);
	if (elsewhere)
		append(buf, sz, &len, ns > 0, "%zu at other sites", elsewhere);
	if (lost)
		append(buf, sz, &len, ns || elsewhere, "%zu connection lost", lost);
	if (oos)
		append(buf, sz, &len, ns || elsewhere || lost, "%zu out of service", oos);
}

static void send_status(struct ds_net *n, const char *prefix)
{
	char text[sizeof(n->notify->status)];
	char msg[sizeof(text) + 32];

	status_text(n, text, sizeof(text));
	if (!strcmp(text, n->notify->status))
		return;
	memcpy(n->notify->status, text, sizeof(text));
	snprintf(msg, sizeof(msg), "%sSTATUS=%s", prefix, text);
	nn_send(n, msg);
}

static void status_tmr_h(void *arg)
{
	struct ds_net *n = arg;

	if (!n->stopping)
		send_status(n, "");
}

static void wd_tmr_h(void *arg)
{
	struct ds_net *n = arg;

	nn_send(n, "WATCHDOG=1");
	tmr_start(&n->notify->wd_tmr, n->notify->nt.watchdog_ms, wd_tmr_h, n);
}

void ds_net_notify_open(struct ds_net *n)
{
	const char *sock = getenv("NOTIFY_SOCKET");
	struct net_notify *nn;
	int err;

	ds_net_notify_close(n);
	if (!sock || !*sock)
		return;
	nn = calloc(1, sizeof(*nn));
	if (!nn) {
		ds_log(n, "systemd: out of memory; no notifications");
		return;
	}
	ds_notify_init(&nn->nt);
	tmr_init(&nn->wd_tmr);
	tmr_init(&nn->status_tmr);
	err = ds_notify_open(&nn->nt, sock, getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"),
			     getpid());
	if (nn->nt.fd < 0) {
		ds_log(n, "systemd: NOTIFY_SOCKET='%s' %s: %m; no notifications", sock,
		       err == EINVAL ? "is neither an absolute path nor '@' and a name" :
		       "cannot be used", err);
		free(nn);
		return;
	}
	if (err)
		ds_log(n, "systemd: WATCHDOG_USEC='%s' (WATCHDOG_PID='%s') is not a positive "
		       "number of microseconds (and a PID); no watchdog pings",
		       getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID") ? getenv("WATCHDOG_PID") : "");
	n->notify = nn;
	if (nn->nt.watchdog_ms)
		ds_log(n, "systemd: notifying %s, watchdog ping every %llu ms", sock,
		       (unsigned long long)nn->nt.watchdog_ms);
	else
		ds_log(n, "systemd: notifying %s", sock);
}

void ds_net_notify_ready(struct ds_net *n)
{
	if (!n->notify)
		return;
	send_status(n, "READY=1\n");
	if (n->notify->nt.watchdog_ms)
		wd_tmr_h(n);
}

void ds_net_notify_changed(struct ds_net *n)
{
	if (n->notify && !n->stopping && !tmr_isrunning(&n->notify->status_tmr))
		tmr_start(&n->notify->status_tmr, STATUS_DELAY_MS, status_tmr_h, n);
}

void ds_net_notify_reloading(struct ds_net *n)
{
	struct timespec ts;
	char msg[64];

	if (!n->notify)
		return;
	/* MONOTONIC_USEC: what Type=notify-reload (systemd 253) asks for; a
	 * Type=notify unit takes RELOADING=1 alone */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000);
	nn_send(n, msg);
}

void ds_net_notify_reloaded(struct ds_net *n)
{
	if (!n->notify)
		return;
	n->notify->status[0] = '\0';   /* READY=1 always, with the STATUS= */
	send_status(n, "READY=1\n");
}

void ds_net_notify_stopping(struct ds_net *n)
{
	char msg[96];

	if (!n->notify)
		return;
	tmr_cancel(&n->notify->status_tmr);
	snprintf(msg, sizeof(msg), "STOPPING=1\nSTATUS=stopping: removing the bindings of "
		 "%zu agent%s", n->n_agents, n->n_agents == 1 ? "" : "s");
	nn_send(n, msg);
}

void ds_net_notify_close(struct ds_net *n)
{
	if (!n->notify)
		return;
	tmr_cancel(&n->notify->wd_tmr);
	tmr_cancel(&n->notify->status_tmr);
	ds_notify_close(&n->notify->nt);
	free(n->notify);
	n->notify = NULL;
}
