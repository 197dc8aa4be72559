/* The control endpoint of `dualsite run` (docs/behaviour.md §8): HTTP/1.1
 * with JSON answers on a Unix socket or a TCP address, served from the
 * driver's libre loop without ever blocking it. */
#ifndef DUALSITE_CONTROL_H
#define DUALSITE_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include "dualsite/engine.h"

struct ds_net;
struct ds_control;

/* What an --control ADDR is: a Unix socket path (it holds a '/'), or
 * HOST:PORT with a numeric address ([V6]:PORT) or `localhost`. 0 and
 * *loopback (always true for a Unix socket), or EINVAL. */
int ds_control_addr_check(const char *addr, bool *loopback);

/* Listens on `addr` and serves `net` (which must outlive it). `token`, when
 * not NULL, is required on every request (Authorization: Bearer). On an
 * error returns its errno with what went wrong in err[errsz]. Needs
 * libre_init(). */
int ds_control_alloc(struct ds_control **cp, struct ds_net *net, const char *addr,
		     const char *token, char *err, size_t errsz);
/* Closes every connection and the listener; removes the Unix socket. */
void ds_control_free(struct ds_control *c);
/* The address it listens on ("127.0.0.1:8080" or the socket's path). */
const char *ds_control_addr(const struct ds_control *c);
/* Every event of every agent, for the event streams (GET /v1/events). */
void ds_control_event(struct ds_control *c, const struct ds_event *ev,
		      const struct ds_engine_conf *conf);

/* The client side (`dualsite ctl`): one request, blocking, with a 10 s
 * timeout on every read and write. `token` may be NULL; `path` is sent as
 * given (percent-encode names with ds_ctl_path_escape). */
struct ds_ctl_answer {
	unsigned status;
	char *body;                   /* NUL-terminated; free() it */
	size_t len;
};
/* 0 with the answer (whatever its status), or an errno when there is none
 * (cannot connect, a broken answer), with what happened in err[errsz]. */
int ds_ctl_request(const char *addr, const char *token, const char *method,
		   const char *path, struct ds_ctl_answer *a, char *err, size_t errsz);
/* GET path as an event stream: calls h with each message's data (a JSON
 * line) until the daemon closes the stream (0). A refusal (not 200) is
 * returned in *a, as ds_ctl_request does. */
typedef void (ds_ctl_data_h)(const char *data, size_t len, void *arg);
int ds_ctl_stream(const char *addr, const char *token, const char *path,
		  struct ds_ctl_answer *a, ds_ctl_data_h *h, void *arg,
		  char *err, size_t errsz);
/* `s` with every byte but A-Z a-z 0-9 - . _ ~ written %XX, into out[sz];
 * false when it does not fit. */
bool ds_ctl_path_escape(const char *s, char *out, size_t sz);

#endif
