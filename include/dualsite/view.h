/* A narrow read-only view of a running `dualsite run` (agents, servers,
 * counters) for the control endpoint, and the only requests it may make:
 * the engine inputs a scenario uses (manual switchover and restore, drain).
 * The view never formats anything; the control module does. */
#ifndef DUALSITE_VIEW_H
#define DUALSITE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dualsite/diag.h"
#include "dualsite/engine.h"
#include "dualsite/net.h"

struct ds_net;

enum ds_srv_state { DS_SRV_UNKNOWN, DS_SRV_UP, DS_SRV_DOWN };

struct ds_server_view {
	const char *name;
	enum ds_kind kind;
	const char *site;          /* NULL when none */
	enum ds_srv_state state;   /* unknown until it answered or was declared down */
	int64_t rtt_us;            /* the last answered probe's round trip; -1 none */
	int64_t since;             /* ms since start of its last change of state; 0 unknown */
};

struct ds_agent_view {
	const char *name;
	const struct ds_engine_conf *conf;   /* sites and server names */
	struct ds_conn_view conn[DS_KIND_COUNT];
	struct ds_reg_view reg[2];
	bool in_call;
	int call_site;             /* 0 or 1, -1 none */
	int64_t call_since;        /* ms since start */
	bool restore_suspended;
};

/* Counters and gauges for the metrics, kept by the driver where things
 * happen (events, inputs, answers): a scrape reads them, it never walks
 * the agents. Sites are numbered in the order their servers appear;
 * index n_sites stands for "no site" (out of service). */
#define DS_VIEW_MAX_SITES 16
enum { DS_SW_SERVER_LOSS, DS_SW_PHONE_LOSS, DS_SW_MANUAL, DS_SW_DRAIN, DS_SW_N };
enum { DS_RS_AUTO, DS_RS_MANUAL, DS_RS_N };
enum { DS_RA_OK, DS_RA_TIMEOUT, DS_RA_REJECTED, DS_RA_TLS, DS_RA_DNS, DS_RA_N };
#define DS_RTT_BUCKETS 12
extern const double ds_rtt_bucket_le[DS_RTT_BUCKETS];   /* seconds */

struct ds_net_counters {
	size_t n_sites;
	const char *site[DS_VIEW_MAX_SITES];
	/* connections per kind, site and enum ds_conn_state */
	uint32_t agents[DS_KIND_COUNT][DS_VIEW_MAX_SITES + 1][3];
	/* registrations per proxy, site and enum ds_reg_state */
	uint32_t regs[2][DS_VIEW_MAX_SITES + 1][3];
	bool reg_site[2][DS_VIEW_MAX_SITES];   /* some agent's proxy N is there */
	uint64_t switchovers[DS_KIND_COUNT][DS_SW_N];
	uint64_t restores[DS_KIND_COUNT][DS_RS_N];
	uint64_t reg_attempts[2][DS_RA_N];
	uint64_t calls_total[DS_VIEW_MAX_SITES + 1];
	uint32_t calls_active;
	uint64_t rtp_received;                 /* RTP packets of calls: from callers */
	uint64_t rtp_sent;                     /* ... and echoed back to them */
	double start_time;                     /* wall clock, seconds since the epoch */
};

/* A server's probe round trips: counts per bucket (not cumulative), sum, count. */
struct ds_rtt_hist {
	uint64_t bucket[DS_RTT_BUCKETS + 1];   /* the last one: over the largest bound */
	double sum;
	uint64_t count;
};

const struct ds_net_counters *ds_view_counters(const struct ds_net *n);
const struct ds_rtt_hist *ds_view_server_rtt(const struct ds_net *n, size_t i);

/* Milliseconds since the run started. */
int64_t ds_view_now(const struct ds_net *n);
size_t ds_view_n_agents(const struct ds_net *n);
size_t ds_view_n_servers(const struct ds_net *n);
/* 0 and *i, or ENOENT. */
int ds_view_agent_find(const struct ds_net *n, const char *name, size_t *i);
void ds_view_agent(const struct ds_net *n, size_t i, struct ds_agent_view *v);
void ds_view_server(const struct ds_net *n, size_t i, struct ds_server_view *v);
const char *ds_srv_state_name(enum ds_srv_state s);

/* A manual switchover (restore false) or restore of agent i, fed to its
 * engine as a scenario's `manual:` event would be. 0 when fed; EPERM when
 * it is not possible now, with the reason in why[sz]. */
int ds_view_manual(struct ds_net *n, size_t i, bool restore, char *why, size_t sz);

/* Drains (on) or undrains SITE for every agent that has it: engine inputs,
 * as a scenario's `drain:`/`undrain:` events. 0 with *agents, the agents on
 * SITE (connected to or lost from it by some connection) when it was asked;
 * ENOENT when no server is at SITE; EPERM with why[sz] when it cannot be
 * done now. */
int ds_view_drain(struct ds_net *n, const char *site, bool on, size_t *agents,
		  char *why, size_t sz);
/* The drained sites: *count of them, names in order of draining. */
const char *const *ds_view_drained(const struct ds_net *n, size_t *count);

/* Starts a reload (docs/behaviour.md §8), as SIGHUP does: h(arg) is called
 * from the loop with its outcome. 0 when started; EBUSY while stopping;
 * ENOTSUP when this run cannot reload. */
int ds_view_reload(struct ds_net *n, ds_net_reload_done_h *h, void *arg);

#endif
