/* systemd's readiness protocol (sd_notify) without libsystemd: datagrams to $NOTIFY_SOCKET. */
#ifndef DUALSITE_NET_NOTIFY_H
#define DUALSITE_NET_NOTIFY_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

struct ds_notify {
	int fd;                      /* -1: notifications off */
	struct sockaddr_un sa;
	socklen_t sa_len;
	uint64_t watchdog_ms;        /* WATCHDOG=1 every this many ms; 0: no watchdog */
};

/* Off: no socket, no watchdog. A struct ds_notify starts here. */
void ds_notify_init(struct ds_notify *nt);

/* Reads what systemd passes to a Type=notify service: `sock` is
 * $NOTIFY_SOCKET (an absolute path, or '@' and an abstract-namespace name),
 * `wd_usec` $WATCHDOG_USEC and `wd_pid` $WATCHDOG_PID (the watchdog is ours
 * only when that PID is unset or equals `self`). NULL or empty `sock` leaves
 * notifications off and returns 0. A malformed value returns EINVAL and
 * leaves the part it concerns off (the socket, or the watchdog), so a caller
 * can report it and go on. Other errors (no socket could be made) return
 * their errno with everything off. */
int ds_notify_open(struct ds_notify *nt, const char *sock, const char *wd_usec,
		   const char *wd_pid, pid_t self);

/* Sends one datagram `msg` ("READY=1", "STATUS=...", several lines allowed).
 * 0 when sent or when notifications are off; else the errno of sendto(). */
int ds_notify_send(const struct ds_notify *nt, const char *msg);

/* Closes the socket; notifications are off afterwards. */
void ds_notify_close(struct ds_notify *nt);

#endif
