/* `dualsite simulate`: runs one agent's engine on a scenario in simulated
 * time and prints the timeline, the SPEC §5 event lines, or an SVG.
 *
 * Its output depends on the configuration, the scenario and the seed alone:
 * no path and no wall-clock value is printed on stdout, so two runs can be
 * compared byte for byte (the scenario tests do exactly that). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "dualsite/sim.h"
#include "dualsite/validate.h"

struct sim_args {
	const char *config;
	const char *scenario;
	const char *events;   /* FILE, "-" or NULL */
	const char *svg;
	bool has_seed;
	uint64_t seed;
};

struct sim_out {
	const struct ds_engine_conf *conf;
	FILE *timeline;       /* NULL with --events - */
	FILE *events;         /* NULL without --events */
	struct ds_sim_trace *trace;
	int err;              /* first write error */
	char *line;           /* an event's line (ds_event_line), grown to fit */
	size_t line_cap;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dualsite simulate -c CONFIG --scenario SCENARIO [--events FILE|-]\n"
		"                         [--svg FILE] [--seed N]\n\n"
		"Runs the scenario's agent in simulated time (SPEC §3.1) and prints the\n"
		"timeline of what happened and what dualsite decided.\n\n"
		"  -c, --config FILE   the configuration (YAML)\n"
		"  --scenario FILE     the scenario (YAML): agent, duration, seed, events\n"
		"  --events FILE|-     also write the events as JSON lines to FILE; with -\n"
		"                      they go to stdout instead of the timeline\n"
		"  --svg FILE          draw the run as an SVG timeline\n"
		"  --seed N            the seed of the random delays (overrides the scenario's)\n"
		"  -h, --help          this text\n\n"
		"exit status: 0 success, 1 configuration or scenario errors, 2 usage error\n"
		"or unreadable input. See docs/simulate.md for the scenario format.\n");
}

static int parse_args(int argc, char **argv, struct sim_args *a)
{
	enum { O_SCENARIO = 256, O_EVENTS, O_SVG, O_SEED };
	static const struct option lopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"scenario", required_argument, NULL, O_SCENARIO},
		{"events", required_argument, NULL, O_EVENTS},
		{"svg", required_argument, NULL, O_SVG},
		{"seed", required_argument, NULL, O_SEED},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	uint64_t seen = 0;

	optind = 1;
	opterr = 0;
	while ((c = ds_cli_getopt(argc, argv, ":c:h", lopts, NULL, &seen)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case O_SCENARIO: a->scenario = optarg; break;
		case O_EVENTS: a->events = optarg; break;
		case O_SVG: a->svg = optarg; break;
		case O_SEED:
			if (ds_cli_seed("simulate", optarg, &a->seed))
				return DS_EXIT_USAGE;
			a->has_seed = true;
			break;
		case 'h':
			return -1;
		default:
			return ds_cli_bad_option("simulate", c, argc, argv, usage);
		}
	}
	if (ds_cli_no_operands("simulate", argc, argv, usage))
		return DS_EXIT_USAGE;
	if (!a->config || !a->scenario) {
		fprintf(stderr, "dualsite simulate: %s is required\n",
			!a->config ? "-c CONFIG" : "--scenario SCENARIO");
		usage(stderr);
		return DS_EXIT_USAGE;
	}
	return 0;
}

static void put_time(FILE *f, int64_t t)
{
	fprintf(f, "%4" PRId64 ".%03" PRId64 "  ", t / 1000, t % 1000);
}

static void check_write(struct sim_out *o, FILE *f)
{
	if (f && ferror(f) && !o->err)
		o->err = EIO;
}

/* One event line, whole (ds_event_line grows the buffer to fit). */
static void put_event(struct sim_out *o, FILE *f, bool json, const struct ds_event *ev)
{
	if (ds_event_line(ev, o->conf, json, &o->line, &o->line_cap) < 0) {
		o->err = o->err ? o->err : ENOMEM;
		return;
	}
	fprintf(f, "%s\n", o->line);
}

static void on_event(const struct ds_event *ev, void *arg)
{
	struct sim_out *o = arg;

	if (o->events) {
		put_event(o, o->events, true, ev);
		fflush(o->events);
		check_write(o, o->events);
	}
	if (o->timeline) {
		put_time(o->timeline, ev->t);
		put_event(o, o->timeline, false, ev);
		check_write(o, o->timeline);
	}
	if (o->trace && ds_sim_trace_event(o->trace, ev) && !o->err)
		o->err = ENOMEM;
}

static void on_note(const struct ds_sim_note *n, void *arg)
{
	struct sim_out *o = arg;

	if (o->timeline) {
		put_time(o->timeline, n->t);
		fprintf(o->timeline, "%-6s %s\n", "--", n->text);
		check_write(o, o->timeline);
	}
	if (o->trace && ds_sim_trace_note(o->trace, n) && !o->err)
		o->err = ENOMEM;
}

/* Loads and checks everything; returns an exit status, 0 to go on. */
static int prepare(const struct sim_args *a, struct ds_config **cfgp, struct ds_scenario **scp,
		   struct ds_engine_conf *conf, struct ds_probe_conf *pc, struct ds_diags *d)
{
	int e = ds_config_load(cfgp, a->config, d);

	if (e)
		return ds_cli_load_status(e);
	if (d->errors)
		return DS_EXIT_CONFIG;
	e = ds_scenario_load(scp, a->scenario, d);
	if (e)
		return ds_cli_load_status(e);
	if (d->errors) {
		/* every mistake of the scenario in one round, the names it uses
		 * (agent, sites, servers) included */
		ds_scenario_resolve(*scp, *cfgp, NULL, d);
		return DS_EXIT_CONFIG;
	}
	struct ds_scenario *sc = *scp;
	if (!sc->agent || !ds_config_person(*cfgp, sc->agent)) {
		ds_scenario_resolve(sc, *cfgp, NULL, d);
		return DS_EXIT_CONFIG;
	}
	const char *agent = sc->agent;
	if (ds_validate_agents(*cfgp, &agent, 1, d)) {
		ds_scenario_resolve(sc, *cfgp, NULL, d);
		return DS_EXIT_CONFIG;
	}
	e = ds_sim_setup(*cfgp, agent, conf, pc);
	if (e) {
		ds_diag_add(d, DS_SEV_ERROR, &sc->agent_loc, "agent",
			    "agent '%s' cannot run with this configuration (%s)", agent, strerror(e));
		return DS_EXIT_CONFIG;
	}
	if (ds_scenario_resolve(sc, *cfgp, conf, d))
		return DS_EXIT_CONFIG;
	return 0;
}

static int run(const struct sim_args *a, const struct ds_scenario *sc,
	       const struct ds_engine_conf *conf, const struct ds_probe_conf *pc)
{
	struct ds_sim_trace trace = {0};
	struct sim_out o = {.conf = conf};
	struct ds_sim_hooks hooks = {.event_h = on_event, .note_h = on_note, .arg = &o};
	struct ds_sim *sim = NULL;
	FILE *svg = NULL;
	uint64_t seed = a->has_seed ? a->seed : sc->seed;
	int rc = DS_EXIT_OK, e;

	if (a->events && !strcmp(a->events, "-")) {
		o.events = stdout;
	} else {
		o.timeline = stdout;
		if (a->events && !(o.events = fopen(a->events, "w"))) {
			fprintf(stderr, "dualsite simulate: cannot write %s: %s\n", a->events,
				strerror(errno));
			return DS_EXIT_USAGE;
		}
	}
	if (a->svg) {
		if (!(svg = fopen(a->svg, "w"))) {
			fprintf(stderr, "dualsite simulate: cannot write %s: %s\n", a->svg,
				strerror(errno));
			rc = DS_EXIT_USAGE;
			goto out;
		}
		o.trace = &trace;
	}
	if ((e = ds_sim_alloc(&sim, conf, pc, seed, &hooks))) {
		fprintf(stderr, "dualsite simulate: cannot start the simulator: %s\n", strerror(e));
		rc = DS_EXIT_CONFIG;
		goto out;
	}
	for (size_t i = 0; i < sc->n_events; i++) {
		if ((e = ds_sim_add_fault(sim, &sc->events[i].fault))) {
			fprintf(stderr, "dualsite simulate: %s: event %s: %s\n", sc->file,
				sc->events[i].path, strerror(e));
			rc = DS_EXIT_CONFIG;
			goto out;
		}
	}
	if (o.timeline) {
		fprintf(o.timeline, "simulate: agent %s, %" PRId64 ".%03" PRId64 " s, seed %" PRIu64 "\n",
			conf->agent, sc->duration / 1000, sc->duration % 1000, seed);
	}
	e = ds_sim_run_until(sim, sc->duration);
	if (e == ELOOP) {
		fprintf(stderr, "dualsite simulate: at t=%" PRId64 ".%03" PRId64 " the engine kept "
			"asking to be woken at the same instant; stopped\n",
			ds_sim_now(sim) / 1000, ds_sim_now(sim) % 1000);
		rc = DS_EXIT_CONFIG;
	} else if (e) {
		fprintf(stderr, "dualsite simulate: %s\n", strerror(e));
		rc = DS_EXIT_CONFIG;
	}
	if (o.timeline && !rc) {
		put_time(o.timeline, sc->duration);
		fprintf(o.timeline, "%-6s end of scenario\n", "--");
	}
	if (svg && ds_sim_svg_write(svg, conf, &trace, sc->duration) && !o.err)
		o.err = EIO;
	fflush(stdout);
	check_write(&o, stdout);
out:
	if (o.events && o.events != stdout && fclose(o.events) && !o.err)
		o.err = EIO;
	if (svg && fclose(svg) && !o.err)
		o.err = EIO;
	if (o.err && !rc) {
		fprintf(stderr, "dualsite simulate: writing the output failed: %s\n", strerror(o.err));
		rc = DS_EXIT_CONFIG;
	}
	ds_sim_free(sim);
	ds_sim_trace_reset(&trace);
	free(o.line);
	return rc;
}

int ds_cmd_simulate(int argc, char **argv)
{
	struct sim_args a = {0};
	struct ds_diags d = {0};
	struct ds_config *cfg = NULL;
	struct ds_scenario *sc = NULL;
	struct ds_engine_conf conf;
	struct ds_probe_conf pc;
	int rc = parse_args(argc, argv, &a);

	if (rc < 0) {
		usage(stdout);
		return DS_EXIT_OK;
	}
	if (rc)
		return rc;
	memset(&conf, 0, sizeof(conf));
	memset(&pc, 0, sizeof(pc));
	rc = prepare(&a, &cfg, &sc, &conf, &pc, &d);
	ds_diags_sort(&d);
	ds_diags_print(stderr, &d);
	if (!rc)
		rc = run(&a, sc, &conf, &pc);
	ds_diags_reset(&d);
	ds_scenario_free(sc);
	ds_config_free(cfg);
	return rc;
}
