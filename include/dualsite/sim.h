/* The simulated driver (SPEC §3.1): a virtual clock, scripted servers and
 * registrars, and the scenario format of SPEC §6 that scripts them.
 *
 * One simulator drives one engine. Everything happens in simulated
 * milliseconds; the same faults with the same seed give the same inputs, in
 * the same order, to the engine, so its output is byte-for-byte repeatable. */
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
	DS_FAULT_CALL_START,        /* a call comes in through the site the sip connection uses */
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

struct ds_sim_hooks {
	ds_sim_event_h *event_h;    /* each may be NULL */
	ds_sim_note_h *note_h;
	ds_sim_input_h *input_h;
	ds_sim_action_h *action_h;
	ds_sim_step_h *step_h;
	void *arg;
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
void ds_sim_free(struct ds_sim *sim);

/* Schedules a fault. Faults of one instant take effect in the order they
 * were added. EINVAL when `at` is not after the time already simulated, or
 * a field is out of range. */
int ds_sim_add_fault(struct ds_sim *sim, const struct ds_fault *f);

/* Runs every happening with time <= t. Returns 0, or ELOOP when the engine
 * kept asking to be woken at one instant (an engine bug; the simulator
 * stops there). */
int ds_sim_run_until(struct ds_sim *sim, int64_t t);

/* The slots of the agent's servers a name stands for: a site (every server
 * of the agent at that site, all kinds) or a server. ENOENT when the name is
 * neither a site nor a server of the agent. */
int ds_sim_target(const struct ds_sim *sim, const char *name, uint16_t *slots);

/* Read-only state for invariant checks. */
struct ds_sim_server_view {
	bool present;               /* the agent has a server in this slot */
	bool up;                    /* answering (the truth of the simulated world) */
	int64_t since;              /* when `up` last changed (0 at start) */
	bool probed_up;             /* what the probes say (what the engine was told) */
};
void ds_sim_server(const struct ds_sim *sim, int slot, struct ds_sim_server_view *v);
/* True when the registrar at `slot` holds a live binding for `proxy`. */
bool ds_sim_binding(const struct ds_sim *sim, int slot, int proxy);
int64_t ds_sim_now(const struct ds_sim *sim);
bool ds_sim_in_call(const struct ds_sim *sim);
/* NULL before the first ds_sim_run_until(). */
const struct ds_engine *ds_sim_engine(const struct ds_sim *sim);
const struct ds_engine_conf *ds_sim_conf(const struct ds_sim *sim);

/* A scenario file (SPEC §6). Faults keep the site or server name; their
 * `slots` are filled by ds_scenario_resolve(). */
struct ds_scenario_event {
	struct ds_fault fault;
	struct ds_loc loc;          /* of the event */
	struct ds_loc target_loc;   /* of the down/up value */
	char *path;                 /* "events/3" */
};

struct ds_scenario {
	char *file;
	char *agent;
	struct ds_loc agent_loc;
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
void ds_scenario_free(struct ds_scenario *sc);

/* Checks the scenario against a configuration: the agent must be a person
 * (else the closest person is named), each down/up target a site or a
 * server of the configuration (else the closest is named). Fills each
 * fault's `slots` for the agent of `conf`; a target that touches none of the
 * agent's servers is a warning. Returns the number of errors added. */
size_t ds_scenario_resolve(struct ds_scenario *sc, const struct ds_config *cfg,
			   const struct ds_engine_conf *conf, struct ds_diags *diags);

/* A record of a run, for drawing it. */
struct ds_sim_rec {
	bool is_note;
	struct ds_event ev;
	struct ds_sim_note note;
	struct ds_fault fault;      /* a copy of the note's fault (note.fault is NULL in a
				     * record; fault.name stays the simulator's) */
};
struct ds_sim_trace {
	struct ds_sim_rec *v;
	size_t n, cap;
};
int ds_sim_trace_event(struct ds_sim_trace *tr, const struct ds_event *ev);
int ds_sim_trace_note(struct ds_sim_trace *tr, const struct ds_sim_note *note);
void ds_sim_trace_reset(struct ds_sim_trace *tr);

/* Draws a run as a self-contained SVG timeline: one lane per connected kind
 * (site in use), the two registrations, calls, outages and every event.
 * Returns 0 or EIO. */
int ds_sim_svg_write(FILE *f, const struct ds_engine_conf *conf,
		     const struct ds_sim_trace *tr, int64_t duration);

#endif
