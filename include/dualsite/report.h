/* The Business Continuity readiness report (docs/behaviour.md §9), by
 * simulation: for each site, N runs of the whole site lost at a random
 * instant and back after the outage, every agent of the configuration
 * against one set of simulated servers (the fleet of ds_sim_add_agent). */
#ifndef DUALSITE_REPORT_H
#define DUALSITE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "dualsite/config.h"
#include "dualsite/diag.h"

struct ds_report_opts {
	const char *site;            /* NULL: every site of the agents */
	int64_t outage_ms;           /* default 600 s */
	unsigned runs;               /* default 20 */
	uint64_t seed;
};

/* Times in ms; `n` values; all -1 when n is 0. */
struct ds_report_stat {
	size_t n;
	int64_t p50, p99, max;
};

struct ds_report_group {
	const char *name;            /* an agent group, or "(no group)" */
	size_t agents;               /* members */
	size_t affected;             /* agent-runs whose SIP connection was at the lost site */
	size_t never;                /* ... that never got a SIP connection back */
	size_t away;                 /* ... preferring the lost site, not home at the end */
	struct ds_report_stat without;   /* time without a SIP connection */
	struct ds_report_stat home;      /* time to be home after the return */
};

struct ds_report_agent {           /* one of the worst agents */
	const char *name;
	int64_t without_max;         /* ms; -1: never got service back */
	unsigned run;                /* the run of that figure */
};

struct ds_report_reg {
	const char *name;            /* a registrar (SIP Server) */
	uint32_t peak;               /* REGISTERs in the busiest 1-s window, over every run */
	unsigned peak_run;
	int64_t peak_t;              /* ms: start of that window */
	double mean;                 /* per second, from the outage to the end of a run, over the runs */
	bool over;                   /* capacity known and peak above it */
};

struct ds_report_site {
	const char *site;
	int64_t outage_at[64];       /* the first runs' outage instants (ms) */
	int64_t run_ms;              /* simulated length of one run */
	struct ds_report_group *groups;
	size_t n_groups;
	struct ds_report_group all;  /* every agent together */
	struct ds_report_agent worst[10];
	size_t n_worst;
	struct ds_report_reg *regs;
	size_t n_regs;
};

struct ds_report_unprotected {
	const char *agent;
	const char *why;             /* "Business Continuity off", "no peer site" */
};

struct ds_report {
	const char *file;
	struct ds_report_opts opts;
	size_t n_agents;
	uint32_t capacity;           /* dualsite.registrar-capacity; 0 = unknown */
	struct ds_report_site *sites;
	size_t n_sites;
	struct ds_report_unprotected *unprotected;
	size_t n_unprotected;
	struct ds_diags findings;    /* validate's findings that change these figures */
	bool failed;                 /* a capacity exceeded, or an agent never got service back */
};

/* Runs the report on `cfg` (validated: ds_validate() ran and found no error
 * touching any agent). Returns 0, ENOENT when opts->site is no site of the
 * agents, EINVAL when there is no agent, ENOMEM, or the simulator's error. */
int ds_report_run(struct ds_report *r, struct ds_config *cfg, const struct ds_report_opts *opts);
void ds_report_reset(struct ds_report *r);

/* The report as text (a summary for a terminal), as one JSON object with
 * every figure, or as one self-contained HTML page with inline SVG charts.
 * Return 0 or EIO. */
int ds_report_text(FILE *f, const struct ds_report *r);
int ds_report_json(FILE *f, const struct ds_report *r);
int ds_report_html(FILE *f, const struct ds_report *r);

#endif
