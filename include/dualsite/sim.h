/* The simulated driver (docs/behaviour.md §3.1): a virtual clock, scripted servers and
 * registrars, and the scenario format of docs/behaviour.md §6 that scripts them.
 *
 * One simulator drives one engine per agent (one agent, or a fleet: see
 * ds_sim_add_agent), all against one set of simulated servers: a server is
 * probed once per tick, whoever uses it. Everything happens in simulated
 * milliseconds; the same faults with the same seed give the same inputs, in
 * the same order, to each engine, so the output is byte-for-byte repeatable. */
#ifndef DUALSITE_SIM_H
#define DUALSITE_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "dualsite/agent.h"
#include "dualsite/config.h"
#include "dualsite/diag.h"
#include "dualsite/engine.h"

/* What the simulated world does at an instant (a scenario event). */
enum ds_fault_type {
	DS_FAULT_DOWN,              /* `slots` stop answering */
	DS_FAULT_UP,                /* `slots` answer again (a restarted registrar forgot its bindings) */
	DS_FAULT_CALL_START,        /* a call comes in through the site the sip connection uses,
				     * or with `via_proxy` through proxy `proxy`'s registration */
	DS_FAULT_CALL_END,          /* the far end hangs up */
	DS_FAULT_UNREGISTER,        /* proxy `proxy`'s registrar drops the binding silently */
	DS_FAULT_REJECT,            /* site `proxy`'s registrars reject REGISTERs with `code` */
	DS_FAULT_ACCEPT,            /* ... until this */
	DS_FAULT_MANUAL_SWITCHOVER,
	DS_FAULT_MANUAL_RESTORE,
	DS_FAULT_DRAIN,             /* the site `name` is drained (docs/behaviour.md §8) */
	DS_FAULT_UNDRAIN,           /* ... and may be used again */
};

struct ds_fault {
	enum ds_fault_type type;
	int64_t at;                 /* ms */
	uint16_t slots;             /* DOWN/UP: DS_SLOT() bits of the agent's servers */
	const char *name;           /* DOWN/UP: the site or server as named (copied); may be NULL;
				     * DRAIN/UNDRAIN: the site */
	int proxy;                  /* UNREGISTER/REJECT/ACCEPT: 0 (preferred site) or 1 (peer site) */
	int code;                   /* REJECT: SIP status */
	uint32_t retry_after;       /* REJECT: Retry-After seconds, 0 = none */
	bool via_proxy;             /* CALL_START: `proxy` says which registration it came through */
};

/* Scenario happenings the simulator reports besides the engine's events. */
enum ds_note_type {
	DS_NOTE_FAULT,              /* `fault` took effect */
	DS_NOTE_CALL_REFUSED,       /* call: start while not registered at the connected site, or in a call */
	DS_NOTE_CALL_IGNORED,       /* call: end with no call up */
};

struct ds_sim_note {
	enum ds_note_type type;
	int64_t t;
	int agent;                  /* the agent's index it concerns; -1: every agent */
	const struct ds_fault *fault;
	char text[128];             /* readable, e.g. "SiteX down", "call refused: not registered" */
};

struct ds_sim;

typedef void (ds_sim_event_h)(const struct ds_event *ev, void *arg);
typedef void (ds_sim_note_h)(const struct ds_sim_note *note, void *arg);
/* Every input, just before the engine gets it (to trace what the simulated
 * world told the engine). */
typedef void (ds_sim_input_h)(const struct ds_input *in, void *arg);
/* Every action the engine asks of the driver, before the simulator acts on it. */
typedef void (ds_sim_action_h)(const struct ds_action *act, int64_t t, void *arg);
/* After each input the engine handled (and once after it started), at time
 * `t`: the place to check invariants. */
typedef void (ds_sim_step_h)(const struct ds_sim *sim, int64_t t, void *arg);
/* An event of agent number `agent` (the order of ds_sim_add_agent). */
typedef void (ds_sim_agent_event_h)(const struct ds_event *ev, size_t agent, void *arg);

struct ds_sim_hooks {
	ds_sim_event_h *event_h;    /* each may be NULL */
	ds_sim_note_h *note_h;
	ds_sim_input_h *input_h;
	ds_sim_action_h *action_h;
	ds_sim_step_h *step_h;
	void *arg;
	/* Called instead of event_h when set. With more than one agent the
	 * events (and notes) of one instant are handed over in agent order,
	 * once time moves on: by t, then by agent (docs/behaviour.md §9). */
	ds_sim_agent_event_h *agent_event_h;
};

/* Fills the engine and probe settings of agent `agent` from a configuration
 * whose options were checked (ds_validate() or ds_options_check() ran), by
 * ds_options_resolve + ds_agent_build + ds_probe_conf_get. Returns 0,
 * ENOENT when there is no such person, or ds_agent_build()'s error. */
int ds_sim_setup(const struct ds_config *cfg, const char *agent,
		 struct ds_engine_conf *conf, struct ds_probe_conf *pc);

/* `conf` and `pc` are copied; the strings `conf` points to are borrowed and
 * must outlive the simulator. The engine is created at t = 0 by the first
 * ds_sim_run_until(), seeded with ds_engine_seed(run_seed, conf->agent). */
int ds_sim_alloc(struct ds_sim **simp, const struct ds_engine_conf *conf,
		 const struct ds_probe_conf *pc, uint64_t run_seed,
		 const struct ds_sim_hooks *hooks);
/* Frees the simulator and its engine (NULL is fine). */
void ds_sim_free(struct ds_sim *sim);

/* Adds one more agent (a fleet) before the first ds_sim_run_until(); its
 * `conf` is copied as ds_sim_alloc's. Agents are numbered in the order
 * added, which is the order of their events at one instant: add them by
 * name. Faults then apply to every agent: a down/up fault to the servers
 * its name stands for in each agent's configuration (ds_sim_slots_of),
 * the others to each agent as to one. EINVAL once started, ENOMEM. */
int ds_sim_add_agent(struct ds_sim *sim, const struct ds_engine_conf *conf);
/* Room for `n` agents in all, so that a large fleet is not grown by
 * doubling (which could leave a third of it unused). */
int ds_sim_reserve(struct ds_sim *sim, size_t n);
/* How many agents the simulator runs. */
size_t ds_sim_agent_count(const struct ds_sim *sim);
/* Agent number `i`'s engine settings (0 <= i < ds_sim_agent_count()). */
const struct ds_engine_conf *ds_sim_agent_conf(const struct ds_sim *sim, size_t i);
/* NULL before the first ds_sim_run_until(). */
const struct ds_engine *ds_sim_agent_engine(const struct ds_sim *sim, size_t i);
/* Probes sent since the start, all servers together: one per server per
 * tick, however many agents use it. */
uint64_t ds_sim_probes_sent(const struct ds_sim *sim);

/* Schedules a fault. Faults of one instant take effect in the order they
 * were added. EINVAL when `at` is not after the time already simulated, or
 * a field is out of range. */
int ds_sim_add_fault(struct ds_sim *sim, const struct ds_fault *f);

/* Runs every happening with time <= t. Returns 0, or ELOOP when the engine
 * kept asking to be woken at one instant, or kept one instant busy with
 * inputs (an engine bug; the simulator stops there). */
int ds_sim_run_until(struct ds_sim *sim, int64_t t);

/* The slots of the agent's servers a name stands for: a site (every server
 * of the agent at that site, all kinds) or a server. ENOENT when the name is
 * neither a site nor a server of the agent. */
int ds_sim_target(const struct ds_sim *sim, const char *name, uint16_t *slots);

/* Read-only state for invariant checks (of the first agent). */
struct ds_sim_server_view {
	bool present;               /* the agent has a server in this slot */
	bool up;                    /* answering (the truth of the simulated world) */
	int64_t since;              /* when `up` last changed (0 at start) */
	bool probed_up;             /* what the probes say (what the engine was told) */
};
/* The simulated server at `slot` as it is now. */
void ds_sim_server(const struct ds_sim *sim, int slot, struct ds_sim_server_view *v);
/* True when the registrar at `slot` holds a live binding for `proxy`. */
bool ds_sim_binding(const struct ds_sim *sim, int slot, int proxy);
/* The simulated time reached, ms. */
int64_t ds_sim_now(const struct ds_sim *sim);
/* True while the simulated agent has a call. */
bool ds_sim_in_call(const struct ds_sim *sim);
/* NULL before the first ds_sim_run_until(). */
const struct ds_engine *ds_sim_engine(const struct ds_sim *sim);
/* The simulator's copy of the engine's configuration. */
const struct ds_engine_conf *ds_sim_conf(const struct ds_sim *sim);

/* A scenario file (docs/behaviour.md §6). Faults keep the site or server name; their
 * `slots` are filled by ds_scenario_resolve(). */
struct ds_scenario_event {
	struct ds_fault fault;
	struct ds_loc loc;          /* of the event */
	struct ds_loc target_loc;   /* of the down/up value */
	char *path;                 /* "events/3" */
};

struct ds_scenario {
	char *file;
	char *agent;                /* the first of `agents`; NULL with `all` */
	struct ds_loc agent_loc;
	char **agents;              /* `agent:` one name or a list, as written */
	struct ds_loc *agent_locs;  /* of each */
	size_t n_agents;
	bool all_agents;            /* `agent: all`: every person of the configuration */
	int64_t duration;           /* ms */
	uint64_t seed;              /* 0 when not given */
	bool has_seed;
	struct ds_scenario_event *events;   /* sorted stably by time */
	size_t n_events;
};

/* Loads FILE. Returns 0 with *scp set (errors counted in `diags`, the
 * scenario usable only when there are none); ENOENT/EACCES/EIO when the
 * file cannot be read (exit 2). */
int ds_scenario_load(struct ds_scenario **scp, const char *file, struct ds_diags *diags);
/* The same from text; `name` stands for the file in diagnostics. */
int ds_scenario_parse(struct ds_scenario **scp, const char *name,
		      const char *text, size_t len, struct ds_diags *diags);
/* Frees a scenario (NULL is fine). */
void ds_scenario_free(struct ds_scenario *sc);

/* Checks the scenario against a configuration: each agent must be a person
 * (else the closest person is named), each down/up target a site or a
 * server of the configuration (else the closest is named). Fills each
 * fault's `slots` for the agent of `conf`; a target that touches none of the
 * agent's servers is a warning. Returns the number of errors added. */
size_t ds_scenario_resolve(struct ds_scenario *sc, const struct ds_config *cfg,
			   const struct ds_engine_conf *conf, struct ds_diags *diags);

/* A record of a run, for drawing it. */
struct ds_sim_rec {
	bool is_note;
	int agent;                  /* the agent's index; -1 for a note of every agent */
	struct ds_event ev;
	struct ds_sim_note note;
	struct ds_fault fault;      /* a copy of the note's fault (note.fault is NULL in a
				     * record; fault.name stays the simulator's) */
};
struct ds_sim_reg {            /* a REGISTER sent (simulate) or answered (render) */
	int64_t t;
	int server_id;              /* index in ds_config.servers */
};
struct ds_sim_trace {
	struct ds_sim_rec *v;
	size_t n, cap;
	struct ds_sim_reg *regs;
	size_t n_regs, cap_regs;
	bool regs_answered;         /* regs are `registered` events (render), not REGISTERs sent */
};
/* Appends an event to the record; 0 or ENOMEM. */
int ds_sim_trace_event(struct ds_sim_trace *tr, const struct ds_event *ev);
/* The same for agent number `agent` of a fleet. */
int ds_sim_trace_agent_event(struct ds_sim_trace *tr, const struct ds_event *ev, int agent);
/* Appends a note (a fault, a call) to the record; 0 or ENOMEM. */
int ds_sim_trace_note(struct ds_sim_trace *tr, const struct ds_sim_note *note);
/* Records one REGISTER sent to server `server_id` at `t` (the fleet picture
 * counts them per second); 0 or ENOMEM. */
int ds_sim_trace_register(struct ds_sim_trace *tr, int64_t t, int server_id);
/* Frees the record; it is empty and reusable afterwards. */
void ds_sim_trace_reset(struct ds_sim_trace *tr);

/* Writes `s` escaped for XML text and attribute values (& < > "): the SVG
 * writers' and the report's HTML. */
void ds_svg_esc(FILE *f, const char *s);

/* Draws a run as a self-contained SVG timeline: one lane per connected kind
 * (site in use), the two registrations, calls, outages and every event.
 * Returns 0 or EIO. */
int ds_sim_svg_write(FILE *f, const struct ds_engine_conf *conf,
		     const struct ds_sim_trace *tr, int64_t duration);
/* The same, titled "TITLE: AGENT" and "Ns SPAN_WORD" (ds_sim_svg_write:
 * "dualsite simulate", "simulated"; the lab draws a real run with it). */
int ds_sim_svg_write_titled(FILE *f, const struct ds_engine_conf *conf,
			    const struct ds_sim_trace *tr, int64_t duration,
			    const char *title, const char *span_word);

/* Draws a fleet's run: for each connected kind, the agents per site and
 * state over time; the REGISTERs per second at each registrar (1-s
 * windows); the site outages. `confs[i]` is agent i of the trace; `title`
 * heads the picture (escaped). Returns 0, ENOMEM or EIO. */
int ds_sim_fleet_svg_write(FILE *f, const char *title, const struct ds_engine_conf *const *confs,
			   size_t n_agents, const struct ds_sim_trace *tr, int64_t duration);

/* A real run's events read back (`dualsite render`): the JSON lines of
 * `run --events` or `lab --events` (docs/behaviour.md §5) into a trace that
 * the SVG writers draw as they draw a simulation. First
 * ds_sim_replay_parse() reads every line (a malformed one is an error at
 * FILE:LINE:COL saying what was expected); then ds_sim_replay_build() makes
 * one engine configuration per agent, from `cfg` (its options checked; it
 * must outlive the replay) or, without one, from what the events name
 * (proxy0's site is the preferred site, proxy1's the peer site, the first
 * server seen at a site the primary), and fills the trace. */
struct ds_sim_replay {
	const char *file;             /* as named in diagnostics */
	struct ds_sim_ev_line *lines;
	size_t n_lines, cap_lines;
	const char **agents;          /* by name, once each */
	size_t n_agents;
	struct ds_engine_conf *confs; /* [n_agents] */
	struct ds_sim_trace trace;
	int64_t last_t;               /* ms */
	char **pool;                  /* strings the confs point to */
	size_t n_pool, cap_pool;
};
/* Reads every line of `f` (named `file` in diagnostics) into `rp`. Returns
 * 0, EINVAL after errors (in `d`), EIO when `f` cannot be read, or ENOMEM. */
int ds_sim_replay_parse(struct ds_sim_replay *rp, FILE *f, const char *file,
			struct ds_diags *d);
/* `only`: draw this agent alone (NULL: every agent). Returns 0, ENOENT
 * when `only` is not in the file, EINVAL after errors (in `d`), ENOMEM. */
int ds_sim_replay_build(struct ds_sim_replay *rp, const struct ds_config *cfg,
			const char *only, struct ds_diags *d);
/* Frees what the replay holds; it is empty and reusable afterwards. */
void ds_sim_replay_reset(struct ds_sim_replay *rp);

#endif
