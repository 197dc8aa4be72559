/* `dualsite simulate`: runs the engines of the scenario's agents (one, a
 * list, or all: docs/behaviour.md §9) on a scenario in simulated time and
 * prints the timeline, the docs/behaviour.md §5 event lines, or an SVG.
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
	const char **agents;  /* --agent, repeatable: overrides the scenario's */
	size_t n_agents;
	const char *scenario;
	const char *events;   /* FILE, "-" or NULL */
	const char *svg;
	bool has_seed;
	uint64_t seed;
};

struct sim_out {
	const struct ds_sim *sim;
	int name_w;           /* a fleet's timeline: the agent column's width */
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
		"usage: dualsite simulate -c CONFIG --scenario SCENARIO [--agent NAME ...]\n"
		"                         [--events FILE|-] [--svg FILE] [--seed N]\n\n"
		"Runs the scenario's agents in simulated time (docs/behaviour.md §3.1), each\n"
		"with its own engine against one set of simulated servers, and prints the\n"
		"timeline of what happened and what dualsite decided.\n\n"
		"  -c, --config FILE   the configuration (YAML)\n"
		"  --scenario FILE     the scenario (YAML): agent (a name, a list or all),\n"
		"                      duration, seed, events\n"
		"  -a, --agent NAME    simulate this agent (repeatable; 'all': every person)\n"
		"                      instead of the scenario's\n"
		"  --events FILE|-     also write the events as JSON lines to FILE; with -\n"
		"                      they go to stdout instead of the timeline\n"
		"  --svg FILE          draw the run as an SVG timeline (many agents: the fleet)\n"
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
		{"agent", required_argument, NULL, 'a'},
		{"scenario", required_argument, NULL, O_SCENARIO},
		{"events", required_argument, NULL, O_EVENTS},
		{"svg", required_argument, NULL, O_SVG},
		{"seed", required_argument, NULL, O_SEED},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	uint64_t seen = 0;
	static const char *const repeatable[] = {"agent", NULL};

	optind = 1;
	opterr = 0;
	while ((c = ds_cli_getopt(argc, argv, ":c:a:h", lopts, repeatable, &seen)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case 'a': a->agents[a->n_agents++] = optarg; break;
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
static void put_event(struct sim_out *o, FILE *f, bool json, const struct ds_event *ev,
		      const struct ds_engine_conf *conf)
{
	if (ds_event_line(ev, conf, json, &o->line, &o->line_cap) < 0) {
		o->err = o->err ? o->err : ENOMEM;
		return;
	}
	fprintf(f, "%s\n", o->line);
}

static void on_event(const struct ds_event *ev, size_t agent, void *arg)
{
	struct sim_out *o = arg;
	const struct ds_engine_conf *conf = ds_sim_agent_conf(o->sim, agent);

	if (o->events) {
		put_event(o, o->events, true, ev, conf);
		fflush(o->events);
		check_write(o, o->events);
	}
	if (o->timeline) {
		put_time(o->timeline, ev->t);
		if (o->name_w)
			fprintf(o->timeline, "%-*s ", o->name_w, conf->agent);
		put_event(o, o->timeline, false, ev, conf);
		check_write(o, o->timeline);
	}
	if (o->trace && ds_sim_trace_agent_event(o->trace, ev, (int)agent) && !o->err)
		o->err = ENOMEM;
}

static void on_note(const struct ds_sim_note *n, void *arg)
{
	struct sim_out *o = arg;

	if (o->timeline) {
		put_time(o->timeline, n->t);
		if (o->name_w)
			fprintf(o->timeline, "%-*s ", o->name_w, n->agent < 0 ? "--"
				: ds_sim_agent_conf(o->sim, (size_t)n->agent)->agent);
		fprintf(o->timeline, "%-6s %s\n", "--", n->text);
		check_write(o, o->timeline);
	}
	if (o->trace && ds_sim_trace_note(o->trace, n) && !o->err)
		o->err = ENOMEM;
}

/* REGISTERs sent, per registrar: the fleet picture counts them. */
static void on_action(const struct ds_action *act, int64_t t, void *arg)
{
	struct sim_out *o = arg;

	if (act->type == DS_ACT_REGISTER && act->expires &&
	    ds_sim_trace_register(o->trace, t, act->server_id) && !o->err)
		o->err = ENOMEM;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The agents to simulate, sorted by name (the order of a fleet's events
 * at one instant) and each named once: --agent's, else the scenario's;
 * `all` is every person. The names are borrowed. */
static int choose_agents(const struct sim_args *a, const struct ds_config *cfg,
			 const struct ds_scenario *sc, const char ***namesp, size_t *np)
{
	bool all = a->n_agents ? false : sc->all_agents;
	size_t n = 0, cap = a->n_agents ? a->n_agents : sc->n_agents;

	for (size_t i = 0; i < a->n_agents; i++)
		all |= !strcmp(a->agents[i], "all");
	if (all)
		cap = cfg->n_persons;
	const char **v = calloc(cap + 1, sizeof(*v));
	if (!v)
		return ENOMEM;
	for (size_t i = 0; i < cap; i++)
		v[n++] = all ? cfg->persons[i].name : a->n_agents ? a->agents[i] : sc->agents[i];
	qsort(v, n, sizeof(*v), by_name);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!k || strcmp(v[k - 1], v[i]))
			v[k++] = v[i];
	*namesp = v;
	*np = k;
	return 0;
}

/* An --agent that names no person: said with the closest person. */
static bool unknown_agents(const struct ds_config *cfg, const char **names, size_t n)
{
	bool bad = false;

	for (size_t i = 0; i < n; i++) {
		if (ds_config_person(cfg, names[i]))
			continue;
		const char **known = calloc(cfg->n_persons + 1, sizeof(*known));
		const char *near = NULL;

		for (size_t k = 0; known && k < cfg->n_persons; k++)
			known[k] = cfg->persons[k].name;
		if (known)
			near = ds_closest(names[i], known, cfg->n_persons);
		fprintf(stderr, "dualsite simulate: --agent '%s': no person '%s' in the "
			"configuration%s%s%s\n", names[i], names[i], near ? "; did you mean '" : "",
			near ? near : "", near ? "'?" : "");
		free(known);
		bad = true;
	}
	return bad;
}

/* Loads and checks everything; returns an exit status, 0 to go on. */
static int prepare(const struct sim_args *a, struct ds_config **cfgp, struct ds_scenario **scp,
		   const char ***namesp, size_t *np, struct ds_diags *d)
{
	int e = ds_config_load(cfgp, a->config, d);

	if (e)
		return ds_cli_load_status(e);
	if (d->errors)
		return DS_EXIT_CONFIG;
	e = ds_scenario_load(scp, a->scenario, d);
	if (e)
		return ds_cli_load_status(e);
	/* every mistake of the scenario in one round, the names it uses
	 * (agents, sites, servers) included, also after a syntax error */
	bool bad = d->errors;
	struct ds_scenario *sc = *scp;
	size_t sc_n = sc->n_agents;
	if (a->n_agents)
		sc->n_agents = 0;   /* --agent overrides: the scenario's names are not checked */
	bad |= ds_scenario_resolve(sc, *cfgp, NULL, d) != 0;
	sc->n_agents = sc_n;
	if (bad)
		return DS_EXIT_CONFIG;
	if ((e = choose_agents(a, *cfgp, sc, namesp, np)))
		return DS_EXIT_CONFIG;
	if (!*np) {
		fprintf(stderr, "dualsite simulate: no agent to simulate: the configuration has "
			"no person\n");
		return DS_EXIT_CONFIG;
	}
	if (unknown_agents(*cfgp, *namesp, *np))
		return DS_EXIT_CONFIG;
	if (ds_validate_agents(*cfgp, *namesp, *np, d))
		return DS_EXIT_CONFIG;
	return 0;
}

/* Every agent's engine settings, into the simulator. */
static int add_agents(struct ds_sim **simp, const struct ds_config *cfg, const char **names,
		      size_t n, uint64_t seed, const struct ds_sim_hooks *hooks,
		      const struct ds_scenario *sc, struct ds_diags *d)
{
	struct ds_engine_conf conf;
	struct ds_probe_conf pc;

	for (size_t i = 0; i < n; i++) {
		memset(&conf, 0, sizeof(conf));
		int e = ds_sim_setup(cfg, names[i], &conf, &pc);

		if (e) {
			ds_diag_add(d, DS_SEV_ERROR, &sc->agent_loc, "agent",
				    "agent '%s' cannot run with this configuration (%s)", names[i],
				    strerror(e));
			return DS_EXIT_CONFIG;
		}
		e = i ? ds_sim_add_agent(*simp, &conf) : ds_sim_alloc(simp, &conf, &pc, seed, hooks);
		if (!e && !i)
			e = ds_sim_reserve(*simp, n);
		if (e) {
			fprintf(stderr, "dualsite simulate: cannot start the simulator: %s\n",
				strerror(e));
			return DS_EXIT_CONFIG;
		}
	}
	return 0;
}

static int fleet_svg(FILE *f, const struct ds_sim *sim, const struct ds_sim_trace *tr,
		     int64_t duration)
{
	size_t n = ds_sim_agent_count(sim);
	const struct ds_engine_conf **confs = calloc(n, sizeof(*confs));
	char title[64];

	if (!confs)
		return ENOMEM;
	for (size_t i = 0; i < n; i++)
		confs[i] = ds_sim_agent_conf(sim, i);
	snprintf(title, sizeof(title), "dualsite simulate: %zu agents", n);
	int e = ds_sim_fleet_svg_write(f, title, confs, n, tr, duration);
	free(confs);
	return e;
}

static int run(const struct sim_args *a, const struct ds_config *cfg,
	       struct ds_scenario *sc, const char **names, size_t n, struct ds_diags *d)
{
	struct ds_sim_trace trace = {0};
	struct sim_out o = {0};
	struct ds_sim_hooks hooks = {.agent_event_h = on_event, .note_h = on_note, .arg = &o};
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
		if (n > 1)
			hooks.action_h = on_action;
	}
	rc = add_agents(&sim, cfg, names, n, seed, &hooks, sc, d);
	o.sim = sim;
	if (!rc && n == 1 && ds_scenario_resolve(sc, cfg, ds_sim_conf(sim), d))
		rc = DS_EXIT_CONFIG;
	ds_diags_sort(d);
	ds_diags_print(stderr, d);
	ds_diags_reset(d);
	if (rc)
		goto out;
	for (size_t i = 0; i < sc->n_events; i++) {
		if ((e = ds_sim_add_fault(sim, &sc->events[i].fault))) {
			fprintf(stderr, "dualsite simulate: %s: event %s: %s\n", sc->file,
				sc->events[i].path, strerror(e));
			rc = DS_EXIT_CONFIG;
			goto out;
		}
	}
	if (o.timeline && n == 1) {
		fprintf(o.timeline, "simulate: agent %s, %" PRId64 ".%03" PRId64 " s, seed %" PRIu64 "\n",
			names[0], sc->duration / 1000, sc->duration % 1000, seed);
	} else if (o.timeline) {
		for (size_t i = 0; i < n; i++)
			if ((int)strlen(names[i]) > o.name_w)
				o.name_w = (int)strlen(names[i]);
		fprintf(o.timeline, "simulate: %zu agents, %" PRId64 ".%03" PRId64 " s, seed %" PRIu64 "\n",
			n, sc->duration / 1000, sc->duration % 1000, seed);
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
		if (o.name_w)
			fprintf(o.timeline, "%-*s ", o.name_w, "--");
		fprintf(o.timeline, "%-6s end of scenario\n", "--");
	}
	if (svg && !rc) {
		if (n == 1)
			e = ds_sim_svg_write(svg, ds_sim_conf(sim), &trace, sc->duration);
		else
			e = fleet_svg(svg, sim, &trace, sc->duration);
		if (e && !o.err)
			o.err = e;
	}
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
	const char **names = NULL;
	size_t n = 0;
	int rc;

	if (!(a.agents = calloc((size_t)argc + 1, sizeof(*a.agents)))) {
		fprintf(stderr, "dualsite simulate: out of memory\n");
		return DS_EXIT_CONFIG;
	}
	rc = parse_args(argc, argv, &a);
	if (rc < 0) {
		usage(stdout);
		rc = DS_EXIT_OK;
		goto out;
	}
	if (rc)
		goto out;
	rc = prepare(&a, &cfg, &sc, &names, &n, &d);
	if (!rc)
		rc = run(&a, cfg, sc, names, n, &d);
	ds_diags_sort(&d);
	ds_diags_print(stderr, &d);
out:
	ds_diags_reset(&d);
	free(names);
	free(a.agents);
	ds_scenario_free(sc);
	ds_config_free(cfg);
	return rc;
}
