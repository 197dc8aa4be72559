/* The Business Continuity engine (docs/behaviour.md §3): one pure state machine per agent.
 *
 * It reads no clock, socket or random source. A driver (the simulator or the
 * libre network driver) hands it time-stamped inputs; it answers with actions
 * (register, un-register, check a binding, drop a call) and events (docs/behaviour.md §5)
 * through one sink callback, and says when it next wants to be woken
 * (ds_engine_next_wakeup). Times are milliseconds since the driver's start. */
#ifndef DUALSITE_ENGINE_H
#define DUALSITE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dualsite/config.h"

#define DS_NEVER INT64_MAX

/* Sites of one agent: index 0 is the preferred site (proxy0), 1 the peer
 * site (proxy1). Members of a site's HA pair: 0 primary, 1 backup. */
enum { DS_SITE_PREFERRED = 0, DS_SITE_PEER = 1 };
enum { DS_PRIMARY = 0, DS_BACKUP = 1 };

/* A server slot of one agent: kind, site, member. */
#define DS_SLOT(kind, site, member) ((kind) * 4 + (site) * 2 + (member))
#define DS_SLOT_COUNT (DS_KIND_COUNT * 4)

/* What an engine is built from: the agent's effective options (ms) and its
 * servers at both sites. Made by ds_agent_build() from a configuration. */
struct ds_engine_conf {
	const char *agent;
	const char *site_name[2];         /* [1] NULL with BC off */
	/* The site of each kind's pairs (ds_site_name); NULL: site_name. They
	 * differ with BC off and no preferred site, where each kind uses the
	 * site of its own first connected server. */
	const char *kind_site[DS_KIND_COUNT][2];
	const char *server_name[DS_SLOT_COUNT]; /* NULL: no such server */
	int server_id[DS_SLOT_COUNT];     /* index in ds_config.servers, or -1 */
	bool kind_connected[DS_KIND_COUNT];
	bool bc_enabled;
	bool auto_restore;
	bool restore_when_idle;
	bool single_mode;
	int64_t timeout_ms;               /* disaster-recovery.timeout */
	int64_t sipphone_wait_ms;         /* disaster-recovery.wait-for-sipphone-timeout */
	int64_t hold_down_ms;             /* dualsite.restore-hold-down */
	int64_t binding_check_ms;         /* 0 = off */
	int64_t random_range_ms;          /* dualsite.random-delay-range */
	int64_t reregister_ms[2];         /* per proxy */
	uint32_t reg_expires[2];          /* reg_timeout per proxy, seconds; 0 = do not register */
	bool servers_unknown;             /* run: every server is unknown until its first
					   * probe result (docs/behaviour.md §3.1);
					   * false: up at once, as in simulate */
};

enum ds_reason {
	DS_R_NONE,
	DS_R_SERVER_LOSS,
	DS_R_PHONE_LOSS,
	DS_R_MANUAL,
	DS_R_AUTO_RESTORE,
	DS_R_CALL_ACTIVE,
	DS_R_TIMEOUT,
	DS_R_REJECTED,   /* with `code` */
	DS_R_EXPIRED,
	DS_R_REMOVED,
	DS_R_BYE,
	DS_R_SITE_LOST,
	DS_R_DRAIN,
	DS_R_TLS,        /* a TLS handshake or certificate verification failed */
	DS_R_DNS,        /* the server's name did not resolve */
};

enum ds_input_type {
	DS_IN_SERVERS,        /* the up/down state of every server slot (one instant's probe results, applied together) */
	DS_IN_REG_OK,         /* REGISTER answered 2xx; `expires` = granted seconds */
	DS_IN_REG_FAIL,       /* no final answer in register-timeout (code 0), a rejection (code), or a 2xx holding no binding of ours (code 2xx: reason removed) */
	DS_IN_BINDING,        /* a binding check answered: `present` says if our binding is there */
	DS_IN_CALL_START,     /* `site`: the site the call came through */
	DS_IN_CALL_END,       /* ended by either side (reason bye) */
	DS_IN_TIMER,          /* the wake-up asked for by ds_engine_next_wakeup() */
	DS_IN_MANUAL_SWITCHOVER,
	DS_IN_MANUAL_RESTORE,
	DS_IN_DRAIN,          /* `site` (0 preferred, 1 peer) is drained: leave it as
			       * calls allow, come to it never (docs/behaviour.md §8) */
	DS_IN_UNDRAIN,        /* `site` may be used again */
	DS_IN_REREGISTER,     /* the driver's SIP identity (user, password, transport)
			       * changed (a reload): every registration held is
			       * refreshed, and every attempt in flight made again,
			       * now (docs/behaviour.md §8) */
};

struct ds_input {
	enum ds_input_type type;
	int64_t t;            /* ms; never decreases */
	uint16_t up_mask;     /* DS_IN_SERVERS: bit DS_SLOT() set = up */
	uint16_t unknown_mask; /* DS_IN_SERVERS: bit set = no probe result yet (neither up nor down) */
	int proxy;            /* REG_*, BINDING */
	uint32_t seq;         /* REG_*, BINDING: the seq of the action answered; stale ones are ignored */
	uint32_t expires;     /* REG_OK */
	int code;             /* REG_FAIL: SIP status, 0 = no answer */
	uint32_t retry_after; /* REG_FAIL: Retry-After seconds of a 503, 0 = none */
	enum ds_reason why;   /* REG_FAIL with code 0: DS_R_TLS or DS_R_DNS when the
			       * attempt failed before an answer could come; DS_R_NONE
			       * (timeout) otherwise */
	bool present;         /* BINDING */
	int site;             /* CALL_START, DRAIN, UNDRAIN */
};

enum ds_action_type {
	DS_ACT_REGISTER,      /* REGISTER at `server` for `proxy`, Expires `expires`; answer with `seq` */
	DS_ACT_UNREGISTER,    /* Expires: 0 at `server` for `proxy`; no answer expected */
	DS_ACT_CHECK_BINDING, /* REGISTER without Contact at `server`; answer DS_IN_BINDING with `seq` */
	DS_ACT_CANCEL,        /* forget any transaction in flight for `proxy` */
	DS_ACT_DROP_CALL,     /* the call's site was lost: end it locally */
};

struct ds_action {
	enum ds_action_type type;
	int proxy;
	int slot;             /* DS_SLOT() of the server to use */
	int server_id;        /* conf.server_id[slot] */
	uint32_t expires;
	uint32_t seq;
};

enum ds_event_type {
	DS_EV_CONNECTED,
	DS_EV_HA_SWITCH,
	DS_EV_CONNECTION_LOST,
	DS_EV_SWITCHOVER,
	DS_EV_RESTORE,
	DS_EV_RESTORE_DEFERRED,
	DS_EV_OUT_OF_SERVICE,
	DS_EV_REGISTERED,
	DS_EV_REGISTRATION_LOST,    /* a registration that was held */
	DS_EV_REGISTRATION_FAILED,  /* an attempt failed while none was held: once per reason until a success */
	DS_EV_CALL_START,
	DS_EV_CALL_END,
};

struct ds_event {
	enum ds_event_type type;
	int64_t t;
	enum ds_kind kind;
	int site;             /* connected, connection-lost, registered, registration-lost, call-* */
	int from, to;         /* switchover/restore: sites; ha-switch: slots */
	int slot;             /* connected, registered: the server */
	int proxy;
	enum ds_reason reason;
	int code;
};

/* Where actions and events go. Called synchronously from ds_engine_input().
 * Exactly one of `act`, `ev` is non-NULL. */
typedef void (ds_engine_sink_h)(const struct ds_action *act,
				const struct ds_event *ev, void *arg);

struct ds_engine;

/* `seed` feeds the engine's random stream (see ds_engine_seed()). `conf` is
 * borrowed and must outlive the engine. Starting at time t0, the engine
 * registers and connects as docs/behaviour.md §3.2 "Start" says. */
int ds_engine_alloc(struct ds_engine **ep, const struct ds_engine_conf *conf,
		    uint64_t seed, int64_t t0, ds_engine_sink_h *sink, void *arg);
/* Marks a call in progress at `site` (0 or 1) without an event: for a
 * driver that rebuilds an agent's engine while the agent is in a call (a
 * reload that changed its servers), so that the call still defers moves. */
void ds_engine_set_call(struct ds_engine *e, int site);
/* Frees the engine (NULL is fine); it emits nothing more. */
void ds_engine_free(struct ds_engine *e);
/* Applies one input; its actions and events reach the sink before it returns. */
void ds_engine_input(struct ds_engine *e, const struct ds_input *in);
/* The time of the next DS_IN_TIMER the engine wants, or DS_NEVER. */
int64_t ds_engine_next_wakeup(const struct ds_engine *e);
/* Bytes one engine takes (for sizing a fleet). */
size_t ds_engine_size(void);

/* The per-agent seed: the run's seed mixed with the agent's name. */
uint64_t ds_engine_seed(uint64_t run_seed, const char *agent);

/* Read-only state, for tests, invariants and the lab. */
enum ds_conn_state { DS_CONN_CONNECTED, DS_CONN_LOST, DS_CONN_OUT_OF_SERVICE };
struct ds_conn_view {
	enum ds_conn_state state;
	int site;             /* CONNECTED/LOST: the site; -1 when out of service */
	int member;
	int64_t since;        /* when this state began */
};
/* The connection of kind `k`: state, site, member, since when. */
void ds_engine_conn(const struct ds_engine *e, enum ds_kind k, struct ds_conn_view *v);
/* True while the engine believes `proxy` (0 or 1) is registered. */
bool ds_engine_registered(const struct ds_engine *e, int proxy);
/* True between DS_IN_CALL_START and the call's end. */
bool ds_engine_in_call(const struct ds_engine *e);

/* The name of site `site` (0 preferred, 1 peer) for connections of kind
 * `k`, or NULL when it has none. */
const char *ds_site_name(const struct ds_engine_conf *c, enum ds_kind k, int site);
/* A registration as the control endpoint shows it: held, being tried (an
 * attempt in flight with none held), or neither. */
enum ds_reg_state { DS_REG_UNREGISTERED, DS_REG_REGISTERING, DS_REG_REGISTERED };
struct ds_reg_view {
	enum ds_reg_state state;
	int slot;             /* DS_SLOT() of the server holding or trying; -1 none */
	int64_t expires_at;   /* REGISTERED: when the registrar drops it; else DS_NEVER */
};
/* The registration at `proxy` (0 or 1) as the engine sees it, into `v`. */
void ds_engine_reg(const struct ds_engine *e, int proxy, struct ds_reg_view *v);
/* True when a manual switchover suspended auto-restore (docs/behaviour.md §3.2). */
bool ds_engine_restore_suspended(const struct ds_engine *e);
/* True when `site` (0 preferred, 1 peer) is drained for this agent. */
bool ds_engine_drained(const struct ds_engine *e, int site);
/* "registered", "unregistered" or "registering" (the control endpoint's names). */
const char *ds_reg_state_name(enum ds_reg_state s);

/* Names for logs and JSON (docs/behaviour.md §5). */
const char *ds_event_name(enum ds_event_type t);
/* "connected", "lost" or "out-of-service", for logs. */
const char *ds_conn_state_name(enum ds_conn_state s);
/* One JSON line (no newline) for `ev` of agent `conf`, t with 3 decimals. */
int ds_event_json(const struct ds_event *ev, const struct ds_engine_conf *conf,
		  char *buf, size_t sz);
/* A short readable line, e.g. "switchover sip SiteX -> SiteY (server-loss)". */
int ds_event_text(const struct ds_event *ev, const struct ds_engine_conf *conf,
		  char *buf, size_t sz);
/* The whole line of ds_event_json (json) or ds_event_text, never cut: into
 * *buf, a caller-owned malloc'd buffer of *cap bytes (NULL and 0 at first),
 * grown with realloc when the line needs more; free(*buf) when done. Returns
 * the line's length, or -1 when memory ran out (*buf is then unchanged). */
int ds_event_line(const struct ds_event *ev, const struct ds_engine_conf *conf, bool json,
		  char **buf, size_t *cap);

/* Shared server health (docs/behaviour.md §3.1): a server is down after `failures`
 * consecutive failed probes and up at its first answer; up before any result. */
struct ds_health {
	uint16_t fails;
	bool up;
};
/* Up, no failures: a server before its first probe result. */
void ds_health_init(struct ds_health *h);
/* Returns true when the up/down state changed. */
bool ds_health_result(struct ds_health *h, bool ok, unsigned failures);

#endif
