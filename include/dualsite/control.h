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

#endif
