/* The two-site lab (`dualsite lab`): private interfaces of src/lab. */
#ifndef DUALSITE_LAB_H
#define DUALSITE_LAB_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* What `dualsite lab` was asked to do (src/cli/cmd_lab.c fills it). */
struct ds_lab_opts {
	unsigned agents;          /* 1..100, default 3 */
	bool keep_running;        /* leave the lab up until Ctrl-C */
	bool no_story;            /* with keep_running: set up only */
	const char *scenario;     /* play this docs/behaviour.md §6 scenario instead of the story */
	const char *svg;          /* write the timeline picture here */
	const char *events;       /* copy the JSON events here */
	uint64_t seed;
	bool seed_set;
};

/* Runs the lab; returns the exit status (0 the story went as docs/behaviour.md §3 says,
 * 1 a step failed or a tool is missing, 2 an unsupported scenario). */
int ds_lab_main(const struct ds_lab_opts *o);

/* ---- child processes (proc.c) ------------------------------------------ */

/* A child of the lab in its own process group (pgid = pid), so that a
 * signal reaches Kamailio's workers too and Ctrl-C reaches only the lab. */
struct lab_proc {
	char name[32];
	pid_t pid;                /* 0: not running */
	bool stopped;             /* SIGSTOP sent, no SIGCONT yet */
	int status;               /* wait status once reaped */
};

/* Starts argv[0] (searched in PATH) with stdin from /dev/null and stdout /
 * stderr to the given descriptors (-1: /dev/null). `env` NULL: inherit. */
int lab_proc_spawn(struct lab_proc *p, const char *name, char *const argv[],
		   char *const env[], int out_fd, int err_fd);
/* Forks a child that runs fn(arg) and _exit()s with its return value. */
int lab_proc_fork(struct lab_proc *p, const char *name, int (*fn)(void *arg), void *arg);
/* Signals the child's whole process group. */
int lab_proc_signal(struct lab_proc *p, int sig);
/* Reaps the child if it exited; true when it is gone. */
bool lab_proc_reap(struct lab_proc *p);
/* Waits up to timeout_ms for the child to exit on its own. */
bool lab_proc_wait(struct lab_proc *p, int timeout_ms);
/* SIGCONT if stopped, `sig`, up to grace_ms, then SIGKILL; reaps. */
void lab_proc_end(struct lab_proc *p, int sig, int grace_ms);

/* ---- time and small helpers (util.c) ----------------------------------- */

int64_t lab_now_ms(void);               /* monotonic */
/* A port free for both UDP and TCP on 127.0.0.1 and not in `avoid`. */
int lab_free_port(uint16_t *port, const uint16_t *avoid, size_t n_avoid);
/* True when `prog` is found in PATH. */
bool lab_have(const char *prog);
int lab_write_file(const char *path, const char *text, int mode);
/* Prints the last `lines` lines of a log file, indented. */
void lab_tail(FILE *out, const char *path, int lines);
extern volatile int lab_interrupted;    /* set by SIGINT/SIGTERM */

/* ---- Kamailio registrars (kam.c) --------------------------------------- */

struct lab_kam {
	char name[16];            /* SIP_X, SIP_X_B, ... */
	const char *site;
	uint16_t port;
	char ctl[PATH_MAX];       /* unix:PATH for kamcmd */
	char pidfile[PATH_MAX];
	char log[PATH_MAX];
	struct lab_proc proc;
	unsigned starts;
};

/* Where `make install` puts registrar.cfg: the Makefile passes its DATADIR. */
#ifndef DS_DATADIR
#define DS_DATADIR "/usr/local/share/dualsite"
#endif

/* The registrar configuration: $DUALSITE_KAMAILIO_CFG, else the first of
 * EXE_DIR/../scripts/kamailio/registrar.cfg, EXE_DIR/../../scripts/...,
 * EXE_DIR/../share/dualsite/registrar.cfg (installed under any prefix),
 * ./scripts/kamailio/registrar.cfg, DS_DATADIR/registrar.cfg. */
int lab_kam_find_cfg(char *buf, size_t sz, const char *exe);
/* Starts one registrar (digest auth with `password` unless noauth) and
 * waits up to 10 s for it to answer OPTIONS. */
int lab_kam_start(struct lab_kam *k, const char *cfg, const char *password, bool noauth);
/* Sends OPTIONS to 127.0.0.1:port; 0 when a 200 came within timeout_ms. */
int lab_kam_ping(uint16_t port, int timeout_ms);
/* kamcmd -s CTL ARGS... ; returns its exit status, output into out. */
int lab_kamcmd(const struct lab_kam *k, char *out, size_t sz, const char *a1,
	       const char *a2, const char *a3);

/* ---- stand-in Stat/Configuration Servers (standin.c) ------------------- */

struct lab_standin {
	char name[16];            /* STAT_X, CONF_Y_B, ... */
	const char *site;
	const char *kind;         /* "stat" or "config" */
	uint16_t port;
	struct lab_proc proc;
};

/* Forks a listener on 127.0.0.1:port that accepts and holds connections. */
int lab_standin_start(struct lab_standin *s);
/* A stopped process's port still completes TCP handshakes in the kernel,
 * so a stand-in goes down by closing its port (the child ends): refused. */
void lab_standin_stop(struct lab_standin *s);

/* ---- events of `dualsite run` (events.c) ------------------------------- */

struct lab_event {
	double t;                 /* run's clock, seconds */
	int64_t arrival;          /* lab's clock, ms */
	char agent[32];
	char event[24];
	char kind[8];
	char site[24];
	char server[24];
	char from[24];
	char to[24];
	char reason[24];
	int proxy;                /* -1 when absent */
};

/* Parses one JSON line of docs/behaviour.md §5. Returns 0, or EINVAL. */
int lab_event_parse(const char *line, struct lab_event *ev);

enum { LAB_SIP, LAB_STAT, LAB_CONFIG, LAB_KINDS };
int lab_kind_index(const char *kind);   /* -1 when unknown */

/* What the lab knows of one agent, from its events. */
struct lab_agent {
	char name[32];
	char user[16];
	struct lab_conn {
		char site[24];
		char server[24];
		bool connected;
		double lost_t, switch_t, restore_t, ha_t, deferred_t;
		unsigned switchovers, restores, ha_switches, deferrals;
	} conn[LAB_KINDS];
	bool reg[2];
	char reg_server[2][24];
	bool in_call;
	char call_site[24];
	double call_start_t, call_end_t;
	char call_end_reason[24];
	unsigned calls;
	bool restore_in_call;     /* a sip restore while on a call: against docs/behaviour.md §3 */
	char site_at_step[8][24]; /* sip site when each story step ended */
};

/* A fault the lab made (for the picture): a site or server down or up; or
 * a call it placed, coming in or hung up by the far end. */
struct lab_note {
	double t;                 /* run clock */
	bool up;
	int call;                 /* 0 a fault; 1 a call comes in; -1 the far end hangs up */
	char target[24];          /* a site or a server name; a call: the agent */
	char text[96];
};

/* ---- the lab itself (lab.c) -------------------------------------------- */

#define LAB_MAX_AGENTS 100
enum { LAB_SIP_X, LAB_SIP_X_B, LAB_SIP_Y, LAB_SIP_Y_B, LAB_N_KAM };
enum { LAB_N_STANDIN = 8 };

struct lab {
	const struct ds_lab_opts *o;
	char dir[200];            /* private temp dir, removed at the end */
	char exe[PATH_MAX];
	char kamcfg[PATH_MAX];
	char cfgpath[PATH_MAX];
	char runlog[PATH_MAX];
	char ctlsock[32];         /* run's --control address: 127.0.0.1:PORT */
	char sipplog[PATH_MAX];
	char sippxml[PATH_MAX];
	char password[24];
	uint64_t seed;
	struct lab_kam kam[LAB_N_KAM];
	struct lab_standin standin[LAB_N_STANDIN];
	struct lab_proc run;
	struct lab_proc sipp;
	uint16_t sipp_port;
	int ev_fd;                /* read end of run's --events - */
	char line[1024];
	size_t line_len;
	bool run_eof;
	FILE *events_copy;
	double offset;            /* lab seconds = run t + offset (min seen) */
	bool offset_set;
	int64_t t0;               /* lab clock origin, ms */
	struct lab_agent agents[LAB_MAX_AGENTS];
	unsigned n_agents;
	struct lab_event *log;    /* every event, for the summary and the SVG */
	size_t n_log, cap_log;
	bool echo_events;         /* print each event line on stdout (scenario mode) */
	bool narrate_events;      /* print a plain-words line per event (keep-running) */
	/* timings of the lab configuration, seconds */
	double probe_interval, probe_timeout, reg_timeout, dr_timeout, hold_down, random_range;
	unsigned probe_failures;
	double answer_delay;
	double binding_check;     /* 0 in the story; scenarios may drop bindings */
	/* the story: when each step's action happened (run clock) */
	double story_t[8];
	bool story_done;
	struct lab_note notes[64];
	size_t n_notes;
};

/* The site names of the lab. */
#define LAB_SITE_X "SiteX"
#define LAB_SITE_Y "SiteY"

/* lab.c */
double lab_run_now(const struct lab *lab);      /* now on the run's clock */
double lab_probe_budget(const struct lab *lab);
/* Reads the events that arrived, up to `until_ms` (lab clock) or until
 * `done(lab, arg)` holds. Returns 0 when done, ETIMEDOUT, EINTR (Ctrl-C)
 * or EPIPE (run ended). */
int lab_wait(struct lab *lab, int64_t until_ms, bool (*done)(struct lab *lab, void *arg),
	     void *arg);
/* Records a fault the lab made, at the run's present time. */
void lab_note(struct lab *lab, bool up, const char *target, const char *text);
/* Records a call to `agent` coming in (start) or hung up by the caller, at
 * run time t (notes are kept in time order). */
void lab_note_call(struct lab *lab, bool start, const char *agent, double t, const char *text);
struct lab_agent *lab_agent_find(struct lab *lab, const char *name);
struct lab_kam *lab_kam_find(struct lab *lab, const char *name);
struct lab_standin *lab_standin_find(struct lab *lab, const char *name);

/* labconf.c: writes the lab configuration (YAML) for lab->n_agents agents. */
int lab_conf_write(struct lab *lab);
const char *lab_agent_name(unsigned i, char *buf, size_t sz);

/* sipp.c: writes the call scenario into the lab dir (once), places a call. */
int lab_sipp_prepare(struct lab *lab);
int lab_sipp_call(struct lab *lab, const struct lab_agent *a, struct lab_kam *via,
		  int hold_ms);

/* story.c: the six steps; returns 0 when it went as docs/behaviour.md §3 says. */
int lab_story(struct lab *lab);
/* verdict.c: checks every bound the story prints (HA switch and detection
 * within the probe budget, switchover no earlier than connection-lost +
 * timeout, ...); prints one line per violation naming the agent and the
 * bound. Returns the number of violations (0: the story passed). */
int lab_verdict(const struct lab *lab, FILE *out);
/* report.c */
void lab_summary(struct lab *lab, FILE *out);
int lab_svg_write(struct lab *lab, const char *path);
void lab_event_narrate(const struct lab *lab, const struct lab_event *ev, FILE *out);
/* scenario.c: plays a docs/behaviour.md §6 scenario; returns the exit status. */
int lab_scenario(struct lab *lab, const char *file);
/* Before any set-up: the scenario reads, its agent is one of the lab's, and
 * every event can be played for real. Takes the scenario's seed unless
 * --seed was given. Returns 0 or the exit status. */
int lab_scenario_precheck(struct lab *lab, const char *file);

#endif
