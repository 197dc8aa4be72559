/* The engine's private state: one small struct per agent, no pointers but to
 * the shared conf and the sink. */
#ifndef DS_ENGINE_PRIV_H
#define DS_ENGINE_PRIV_H

#include "dualsite/engine.h"

enum reg_op { REG_OP_NONE, REG_OP_REGISTER, REG_OP_CHECK };
enum reg_report { REP_UNKNOWN, REP_OK, REP_LOST };

/* The registration at one proxy (proxy N = site N). */
struct reg {
	bool bound;         /* a binding we believe the registrar holds */
	uint8_t op;         /* enum reg_op in flight */
	uint8_t report;     /* enum reg_report: what the events last said */
	uint8_t bound_member; /* the member holding our binding */
	uint8_t op_member;  /* the member the operation in flight went to */
	uint32_t seq;       /* of the operation in flight */
	int64_t next_at;    /* !bound: next attempt (DS_NEVER: schedule one);
			     * bound: refresh time */
	int64_t expires_at; /* bound: the registrar drops us then */
	int64_t check_at;   /* bound: next binding check */
	/* Failure reasons reported since the last success (a loss's included),
	 * so that retries failing alike say nothing new: bit (1 << reason),
	 * and the last two rejection codes. */
	uint16_t said_mask;
	uint16_t said_code[2];
};

/* The connection of one kind (sip, stat, config). */
struct conn {
	uint8_t state;      /* enum ds_conn_state */
	int8_t site;        /* CONNECTED/LOST: the site; -1 out of service */
	int8_t pending;     /* single mode: site being registered at to move there */
	uint8_t pending_reason;   /* enum ds_reason of the pending move */
	uint32_t pending_seq;     /* reg seq when the pending move began */
	bool quiet;         /* at start: out-of-service not yet reported */
	bool deferred_said; /* restore-deferred reported for this call */
	bool suspended;     /* auto-restore suspended by a manual switchover */
	bool pref_was_lost; /* ... and the preferred site was lost since */
	int64_t since;
	int64_t switch_at;  /* LOST: the timeout (+delay) runs out */
	int64_t phone_at;   /* sip: wait-for-sipphone-timeout (+delay) runs out */
	int64_t ready_since;/* on the peer: the preferred site ready since */
	int64_t restore_at; /* on the peer: hold-down (+delay) runs out */
};

struct ds_engine {
	const struct ds_engine_conf *conf;
	ds_engine_sink_h *sink;
	void *arg;
	uint64_t rng;
	int64_t now;
	uint16_t up_mask;
	uint16_t exist_mask;
	uint16_t unknown_mask;   /* no probe result yet: not up, not known down */
	uint8_t member[DS_KIND_COUNT][2];
	bool in_call;
	int8_t call_site;
	struct conn conn[DS_KIND_COUNT];
	struct reg reg[2];
	struct {                 /* drain.c */
		bool site[2];        /* drained */
		bool said[DS_KIND_COUNT];   /* restore-deferred said for this call */
		int64_t at[DS_KIND_COUNT];  /* the drain's move (+delay) is due */
	} drain;
};

/* engine.c */
void ds_emit(struct ds_engine *e, const struct ds_event *ev);
void ds_act(struct ds_engine *e, const struct ds_action *a);
int64_t ds_delay(struct ds_engine *e);
bool ds_pair_up(const struct ds_engine *e, int kind, int site);
/* No member of the pair up, and one without any probe result yet. */
bool ds_pair_unknown(const struct ds_engine *e, int kind, int site);
bool ds_site_exists(const struct ds_engine *e, int kind, int site);

/* reg.c */
bool ds_reg_wanted(const struct ds_engine *e, int p);
void ds_reg_observe(struct ds_engine *e);
void ds_reg_act(struct ds_engine *e);
void ds_reg_input(struct ds_engine *e, const struct ds_input *in);
int64_t ds_reg_wakeup(const struct ds_engine *e, int p);
/* DS_IN_REREGISTER: refresh what is held and redo what is in flight, now. */
void ds_reg_reregister(struct ds_engine *e);

/* The earlier of `best` and `t`, counting `t` only when still ahead of `now`:
 * a moment that passed without its move waits for a change of state. */
static inline int64_t ds_earliest_after(int64_t now, int64_t best, int64_t t)
{
	return (t > now && t < best) ? t : best;
}

/* conn.c */
bool ds_available(const struct ds_engine *e, int kind, int site);
void ds_conn_start(struct ds_engine *e);
void ds_conn_update(struct ds_engine *e, int kind);
void ds_conn_manual(struct ds_engine *e, bool restore);
void ds_call_observe(struct ds_engine *e);
int64_t ds_conn_wakeup(const struct ds_engine *e, int kind);
/* try_move() for drain.c: move to `to` if it can take the connection. */
bool ds_conn_move(struct ds_engine *e, int kind, int to, enum ds_reason why);

/* drain.c */
void ds_drain_init(struct ds_engine *e);
void ds_drain_input(struct ds_engine *e, const struct ds_input *in);
/* Connected to or lost from a drained site: leave it when no call holds the
 * agent. True when the connection moved. */
bool ds_drain_update(struct ds_engine *e, int kind);
int64_t ds_drain_wakeup(const struct ds_engine *e);
static inline bool ds_drained(const struct ds_engine *e, int site)
{
	return (site == 0 || site == 1) && e->drain.site[site];
}

#endif
