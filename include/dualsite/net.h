/* The libre network driver (`dualsite run`): real SIP endpoints with Business
 * Continuity for a set of agents in one process, one libre loop, one thread.
 *
 * The engine decides, the driver does: it probes each server once for all
 * agents (SIP OPTIONS or a TCP connect), registers with its own REGISTER
 * client (one Call-ID per agent and proxy, digest answered once per attempt),
 * answers incoming calls and turns all of that into engine inputs. The
 * caller owns libre: libre_init() before ds_net_alloc(), re_main() to run,
 * libre_close() at the end (ds_net_main() does the last two for a CLI). */
#ifndef DUALSITE_NET_H
#define DUALSITE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "dualsite/config.h"
#include "dualsite/diag.h"
#include "dualsite/engine.h"

/* Called for every event of every agent, after it was written to `events`. */
typedef void (ds_net_event_h)(const struct ds_event *ev,
			      const struct ds_engine_conf *conf, void *arg);
/* Called once when a clean stop is complete (un-REGISTERs answered or the
 * deadline passed). */
typedef void (ds_net_stop_h)(void *arg);

/* What a reload did (docs/behaviour.md §8): agents added, removed, and
 * changed (any difference in their effective configuration). */
struct ds_net_reload_result {
	size_t added, removed, changed;
};

struct ds_net;

/* A reload's first part, run in a worker thread (never the loop): reads and
 * validates the configuration again as at start, and returns it (*cfg, the
 * caller's to free: the driver takes it on success) with the chosen agents
 * (*persons, malloc'd, of *cfg; *count of them). Diagnostics go to `diags`;
 * returns 0, EINVAL when there are errors, or an errno. */
typedef int (ds_net_reload_h)(struct ds_diags *diags, struct ds_config **cfg,
			      const struct ds_person ***persons, size_t *count, void *arg);
/* A reload is over (in the loop): err 0 when applied (what changed in
 * *res), EINVAL when the configuration has errors (in diags; nothing
 * changed), or another errno. */
typedef void (ds_net_reload_done_h)(int err, const struct ds_diags *diags,
				    const struct ds_net_reload_result *res, void *arg);

struct ds_net_conf {
	const char *listen;     /* "ADDR[:PORT]"; NULL: 0.0.0.0 (every interface),
				 * port 5060 or the next free one above */
	const char *advertise;  /* "ADDR[:PORT]" for Via and Contact; NULL: the
				 * local address that reaches each destination */
	uint64_t seed;          /* the run's seed (docs/behaviour.md §3.1) */
	FILE *events;           /* JSON event lines (docs/behaviour.md §5); NULL: none */
	ds_net_event_h *eventh; /* optional in-process observer */
	ds_net_reload_h *reloadh; /* SIGHUP and POST /v1/reload (in a worker
				   * thread); NULL: no reload */
	void *arg;              /* of eventh and reloadh */
};

/* Builds agents `persons[0..n)` of `cfg` (which must outlive the driver):
 * resolves their options, reads their SIP passwords, takes the server
 * addresses (names are looked up by DNS once started) and binds the SIP
 * transports (UDP and TCP on one port, on each interface address for a
 * wildcard).
 * Per-agent problems (a missing password, an SBC that does not resolve) are appended to
 * `diags` as errors and make it return EINVAL; a bind failure returns its
 * errno. Needs libre_init() first. */
int ds_net_alloc(struct ds_net **np, const struct ds_config *cfg,
		 const struct ds_person *const *persons, size_t n,
		 const struct ds_net_conf *nc, struct ds_diags *diags);
/* Time 0: starts every agent's engine and the first probe round. */
int ds_net_start(struct ds_net *n);
/* Begins a clean stop: no more decisions, calls are ended (BYE), every
 * binding believed registered is removed (REGISTER Expires: 0) with a
 * deadline of register-timeout, at most 5 s; then `stoph` is called. */
void ds_net_stop(struct ds_net *n, ds_net_stop_h *stoph, void *arg);
void ds_net_free(struct ds_net *n);

/* Applies configuration `cfg` (loaded and validated by the caller) to the
 * running driver: the agents `persons[0..n)` of `cfg` are kept, added,
 * removed or changed as docs/behaviour.md §8 says, and an agent left as it
 * was sends nothing. `cfg` must outlive the driver or the next reload; the
 * previous configuration may be freed once this returns 0. A per-agent
 * problem (a missing password, TLS) is appended to `diags` and returns
 * EINVAL with nothing changed; EBUSY before the start or during a stop. */
int ds_net_reload(struct ds_net *n, const struct ds_config *cfg,
		  const struct ds_person *const *persons, size_t count,
		  struct ds_diags *diags, struct ds_net_reload_result *res);
/* A reload as SIGHUP and the control endpoint ask for it, without holding
 * the loop while the file is read: the conf's reloadh and the new agents'
 * set-up run in a worker thread, then the loop applies it (ds_net_reload's
 * second half). systemd's RELOADING=1 before, READY=1 after; the outcome
 * and each diagnostic are logged; `doneh` (may be NULL) is called with it.
 * Asked again while one is in progress, one more reload follows it (and
 * `doneh` is called after that one). 0 when started; ENOTSUP without a
 * reloadh; EBUSY before the start or while stopping. */
int ds_net_reload_start(struct ds_net *n, ds_net_reload_done_h *doneh, void *arg);

/* 0 when `s` is a valid --listen value ("ADDR", "ADDR:PORT", "[V6]:PORT",
 * numeric addresses only), else EINVAL. */
int ds_net_listen_check(const char *s);
/* 0 when `s` is a valid --advertise value: as --listen, not a wildcard. */
int ds_net_advertise_check(const char *s);
/* The SIP listen address as text, "ADDR:PORT". */
int ds_net_listen_text(const struct ds_net *n, char *buf, size_t sz);

/* The log (stderr): a level (`--log-level`) and a format (`--log-format`:
 * readable text, or one JSON object a line with ts, level, msg and t). */
enum ds_log_level { DS_LOG_ERROR, DS_LOG_WARNING, DS_LOG_INFO, DS_LOG_DEBUG };
/* 0, or EINVAL when `s` is not error|warning|info|debug. */
int ds_log_level_parse(const char *s, enum ds_log_level *lv);
void ds_log_setup(enum ds_log_level lv, bool json);
/* One log line at `lv` (libre's formats understood); n may be NULL. */
void ds_net_log(const struct ds_net *n, enum ds_log_level lv, const char *fmt, ...);

/* Runs libre's loop until a clean stop completes: SIGINT/SIGTERM start
 * ds_net_stop(), a second signal ends the loop at once. Returns 0 after a
 * clean stop, 1 after a forced one. */
int ds_net_main(struct ds_net *n);

#endif
