/* Internals of the simulator: its event queue and its scripted servers. */
#ifndef DUALSITE_SIM_SIMINT_H
#define DUALSITE_SIM_SIMINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "dualsite/engine.h"
#include "dualsite/sim.h"

/* Same-instant order (docs/behaviour.md §3.1): scenario events, then answers, then
 * timers. Probe results of one instant form one batch: it is taken with the
 * answers when a probe was answered at that instant, else with the timers,
 * and always before the REGISTER answers or time-outs of its class. */
enum ds_sim_class {
	DS_CLS_SCENARIO,
	DS_CLS_PROBE_ANSWER,   /* probes sent (and answered) at this instant */
	DS_CLS_REG_ANSWER,
	DS_CLS_PROBE_TIMEOUT,
	DS_CLS_REG_TIMEOUT,
	DS_CLS_WAKEUP,
};

enum ds_sim_item_kind {
	DS_IT_FAULT,           /* u.index: into the fault list */
	DS_IT_PROBE_TICK,
	DS_IT_PROBE_DUE,
	DS_IT_REG_ANSWER,      /* u.req */
	DS_IT_REG_TIMEOUT,     /* u.req */
	DS_IT_WAKEUP,          /* u.gen */
};

struct ds_sim_req {            /* a REGISTER or a binding check in flight */
	enum ds_action_type type;  /* DS_ACT_REGISTER or DS_ACT_CHECK_BINDING */
	int proxy;
	int slot;
	uint32_t seq;
	uint32_t expires;
	int64_t sent;
	uint32_t gen;              /* the proxy's cancel generation when sent */
};

struct ds_sim_item {
	int64_t t;
	enum ds_sim_class cls;
	uint64_t seq;              /* insertion order: the last tie-break */
	enum ds_sim_item_kind kind;
	uint32_t agent;            /* REG_ANSWER, REG_TIMEOUT, WAKEUP: whose */
	union {
		size_t index;
		uint32_t gen;
		struct ds_sim_req req;
	} u;
};

/* A binary min-heap of items keyed by (t, cls, seq). */
struct ds_sim_queue {
	struct ds_sim_item *v;
	size_t n, cap;
	uint64_t next_seq;
};

int ds_sim_queue_push(struct ds_sim_queue *q, struct ds_sim_item *it);
/* The earliest item, or NULL when empty. */
const struct ds_sim_item *ds_sim_queue_peek(const struct ds_sim_queue *q);
bool ds_sim_queue_pop(struct ds_sim_queue *q, struct ds_sim_item *out);
void ds_sim_queue_reset(struct ds_sim_queue *q);

/* The scripted servers of one agent, one per slot: up or silent, and for
 * SIP servers a registrar holding the agent's bindings per proxy. */
struct ds_sim_srv {
	bool present;
	bool up;
	int64_t since;
	int64_t binding_until[2];  /* per proxy: expiry (ms), or -1 when none */
};

struct ds_sim_world {
	struct ds_sim_srv srv[DS_SLOT_COUNT];
	int reject_code[2];        /* per site: 0 = accept */
	uint32_t retry_after[2];
};

/* All slots whose server_id is >= 0 are present and up, with no bindings. */
void ds_sim_world_init(struct ds_sim_world *w, const struct ds_engine_conf *conf);
/* Up or silent; returns the slots whose state changed. A server that comes
 * back up has forgotten its bindings (a restarted registrar). */
uint16_t ds_sim_world_set(struct ds_sim_world *w, uint16_t slots, bool up, int64_t t);

/* What a registrar answers to a REGISTER at time t. */
struct ds_sim_answer {
	bool answered;             /* false: the server is silent */
	int code;                  /* 200, or the rejection */
	uint32_t expires;          /* 200: granted */
	uint32_t retry_after;
	bool present;              /* binding check: our binding is there */
};
void ds_sim_world_register(struct ds_sim_world *w, int slot, int proxy,
			   uint32_t expires, int64_t t, struct ds_sim_answer *a);
void ds_sim_world_check(const struct ds_sim_world *w, int slot, int proxy,
			int64_t t, struct ds_sim_answer *a);
/* Expires: 0 from the agent; lost when the server is silent. */
void ds_sim_world_unregister(struct ds_sim_world *w, int slot, int proxy);
/* The registrar drops the binding on its own (scenario `unregister: N`). */
void ds_sim_world_drop(struct ds_sim_world *w, int proxy);
bool ds_sim_world_bound(const struct ds_sim_world *w, int slot, int proxy, int64_t t);

/* The slots of the agent's servers that a site or server name stands for. */
uint16_t ds_sim_slots_of(const struct ds_engine_conf *conf, const char *name);

/* Shared by the SVG writers (svg.c, fleet_svg.c): XML-escaped text;
 * seconds without trailing zeros (12, 12.5); a round tick step in ms
 * (1, 2, 5 x 10^n) giving at most ~12 ticks. */
void ds_svg_secs(char *buf, size_t sz, int64_t t);
int64_t ds_svg_tick_step(int64_t duration);

/* The simulator itself (sim.c), shared with fault.c. */
struct ds_sim_probe_due {
	int64_t due;
	size_t bits;                   /* offset of its server bitmap in due_bits */
};

/* One server, shared by every agent that uses it. */
struct ds_sim_shared_srv {
	int id;                        /* conf.server_id */
	bool up;                       /* the truth of the simulated world */
	struct ds_health health;       /* what the probes say */
};

struct ds_sim_agent {
	struct ds_sim *sim;
	struct ds_engine_conf conf;
	struct ds_engine *engine;
	struct ds_sim_world world;     /* its registrars' bindings; servers as the truth */
	int srv[DS_SLOT_COUNT];        /* index in ds_sim.srv, -1: no server */
	uint32_t index;
	uint16_t up_mask;              /* as the engine was last told */
	bool in_call;
	bool wake_queued;
	uint32_t gen[2];               /* per proxy, bumped by DS_ACT_CANCEL */
	uint32_t wake_gen;
	int64_t wake_at;
	int64_t last_timer_t;
	unsigned same_instant;
};

/* An event or note of a fleet, held until its instant is over. */
struct ds_sim_pending {
	int32_t key;                   /* the agent's number; -1: a note of every agent */
	int32_t note;                  /* -1: `ev`; else an index in ds_sim.notes */
	uint32_t agent;
	struct ds_event ev;
};

struct ds_sim {
	struct ds_probe_conf pc;
	uint64_t run_seed;
	struct ds_sim_hooks hooks;
	struct ds_sim_agent *agents;
	size_t n_agents, cap_agents;
	struct ds_sim_shared_srv *srv;
	size_t n_srv, cap_srv, words;  /* words: of a server bitmap */
	bool started;
	int64_t now;
	int64_t done_through;          /* every item at or before this is handled */
	int64_t last_feed_t;           /* inputs fed at that instant, all agents: */
	size_t same_feed;              /* a bound on them catches an engine loop */
	struct ds_sim_queue q;
	struct ds_sim_probe_due *due;         /* probes in flight to silent servers, by due time */
	size_t due_head, due_n, due_cap;
	uint64_t *due_bits;            /* due_cap bitmaps */
	uint64_t *bits_ok, *bits_silent;
	uint64_t probes;
	struct ds_fault *faults;
	size_t n_faults, cap_faults;
	struct ds_sim_pending *pend;          /* fleet only: this instant's events */
	size_t n_pend, cap_pend;
	struct ds_sim_note *notes;            /* ... and its notes (rare: kept apart, so that
					       * an event costs a few dozen bytes) */
	size_t n_notes, cap_notes;
	int err;
};

/* Hands one input to agent `a`'s engine at the simulator's time. */
void ds_sim_feed(struct ds_sim_agent *a, struct ds_input *in);
/* A slot for a fleet's event of this instant; NULL (and sim->err) when
 * memory ran out. ds_sim_pend_note() holds a note the same way. */
struct ds_sim_pending *ds_sim_pend_add(struct ds_sim *sim);
void ds_sim_pend_note(struct ds_sim *sim, const struct ds_sim_note *n);
/* A scenario event takes effect (fault.c). */
void ds_sim_on_fault(struct ds_sim *sim, const struct ds_fault *f);

/* The site index (0 preferred, 1 peer) of a slot. */
#define DS_SLOT_SITE(slot) (((slot) % 4) / 2)

#endif
