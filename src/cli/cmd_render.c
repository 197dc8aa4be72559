/* `dualsite render`: the timeline picture of a real run, from the events
 * `run --events` or `lab --events` wrote, drawn as `simulate --svg` draws a
 * simulation (docs/behaviour.md §9): one agent's lanes, or the fleet.
 *
 * Choices (docs/render.md says them to users): a malformed line is an
 * error at FILE:LINE:COL and exit 1, as a configuration error is (the file
 * was read; its content is wrong); a file that cannot be read is exit 2.
 * Without -c the sites and servers are learnt from the events themselves;
 * with -c every name must be the configuration's. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "dualsite/sim.h"
#include "dualsite/validate.h"

struct render_args {
	const char *config, *events, *svg, *agent;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dualsite render --events FILE [-c CONFIG] --svg OUT [--agent NAME]\n\n"
		"Draws the timeline of a real run from its events (the JSON lines of\n"
		"'dualsite run --events' or 'dualsite lab --events') as 'dualsite simulate\n"
		"--svg' draws a simulation, titled with the file's name: one agent's lanes,\n"
		"or the fleet picture for many agents.\n\n"
		"  --events FILE       the events (JSON lines; - for stdin)\n"
		"  -c, --config FILE   the configuration of the run (optional: without it the\n"
		"                      sites and servers are learnt from the events)\n"
		"  --svg OUT           the picture to write\n"
		"  -a, --agent NAME    draw this agent alone\n"
		"  -h, --help          this text\n\n"
		"exit status: 0 drawn, 1 a malformed event line or configuration errors,\n"
		"2 usage error or unreadable input. See docs/render.md.\n");
}

static int parse_args(int argc, char **argv, struct render_args *a)
{
	enum { O_EVENTS = 256, O_SVG };
	static const struct option lopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"events", required_argument, NULL, O_EVENTS},
		{"svg", required_argument, NULL, O_SVG},
		{"agent", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:a:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case 'a': a->agent = optarg; break;
		case O_EVENTS: a->events = optarg; break;
		case O_SVG: a->svg = optarg; break;
		case 'h':
			return -1;
		default:
			return ds_cli_bad_option("render", c, argc, argv, usage);
		}
	}
	if (ds_cli_no_operands("render", argc, argv, usage))
		return DS_EXIT_USAGE;
	if (!a->events || !a->svg) {
		fprintf(stderr, "dualsite render: %s is required\n",
			!a->events ? "--events FILE" : "--svg OUT");
		usage(stderr);
		return DS_EXIT_USAGE;
	}
	return 0;
}

/* The configuration, checked for the agents of the file. */
static int load_config(const char *file, const struct ds_sim_replay *rp, struct ds_config **cfgp,
		       struct ds_diags *d)
{
	int e = ds_config_load(cfgp, file, d);

	if (e)
		return ds_cli_load_status(e);
	if (d->errors)
		return DS_EXIT_CONFIG;
	(void)rp;
	/* the file's agents are known only once built; errors of any agent stop */
	return ds_validate_agents(*cfgp, NULL, 0, d) ? DS_EXIT_CONFIG : 0;
}

static int draw(const struct render_args *a, const struct ds_sim_replay *rp)
{
	char *copy = strdup(a->events), title[512];
	const struct ds_engine_conf **confs = calloc(rp->n_agents, sizeof(*confs));
	FILE *f = NULL;
	int e = ENOMEM, rc = DS_EXIT_OK;
	/* the whole last second, and one more, so the end is visible */
	int64_t duration = (rp->last_t / 1000 + 2) * 1000;

	if (!copy || !confs)
		goto out;
	snprintf(title, sizeof(title), "dualsite render: %s", !strcmp(a->events, "-") ? "(stdin)"
		 : basename(copy));
	if (!(f = fopen(a->svg, "w"))) {
		fprintf(stderr, "dualsite render: cannot write %s: %s\n", a->svg, strerror(errno));
		rc = DS_EXIT_USAGE;
		goto out;
	}
	for (size_t i = 0; i < rp->n_agents; i++)
		confs[i] = &rp->confs[i];
	if (rp->n_agents == 1)
		e = ds_sim_svg_write_titled(f, confs[0], &rp->trace, duration, title, "recorded");
	else
		e = ds_sim_fleet_svg_write(f, title, confs, rp->n_agents, &rp->trace, duration);
	if (fclose(f) && !e)
		e = EIO;
out:
	if (e && !rc) {
		fprintf(stderr, "dualsite render: writing %s failed: %s\n", a->svg, strerror(e));
		rc = DS_EXIT_CONFIG;
	}
	free(copy);
	free(confs);
	return rc;
}

int ds_cmd_render(int argc, char **argv)
{
	struct render_args a = {0};
	struct ds_sim_replay rp = {0};
	struct ds_diags d = {0};
	struct ds_config *cfg = NULL;
	FILE *in = NULL;
	int rc = parse_args(argc, argv, &a), e;

	if (rc < 0) {
		usage(stdout);
		return DS_EXIT_OK;
	}
	if (rc)
		return rc;
	in = !strcmp(a.events, "-") ? stdin : fopen(a.events, "r");
	if (!in) {
		fprintf(stderr, "dualsite render: cannot read %s: %s\n", a.events, strerror(errno));
		return DS_EXIT_USAGE;
	}
	e = ds_sim_replay_parse(&rp, in, a.events, &d);
	if (in != stdin)
		fclose(in);
	if (e == EIO || e == ENOMEM) {
		fprintf(stderr, "dualsite render: cannot read %s: %s\n", a.events, strerror(e));
		rc = e == EIO ? DS_EXIT_USAGE : DS_EXIT_CONFIG;
		goto out;
	}
	if (e) {
		rc = DS_EXIT_CONFIG;
		goto out;
	}
	if (a.config && (rc = load_config(a.config, &rp, &cfg, &d)))
		goto out;
	e = ds_sim_replay_build(&rp, cfg, a.agent, &d);
	if (e == ENOENT) {
		fprintf(stderr, "dualsite render: agent '%s' has no event in %s\n", a.agent, a.events);
		rc = DS_EXIT_CONFIG;
	} else if (e) {
		if (e == ENOMEM)
			fprintf(stderr, "dualsite render: out of memory\n");
		rc = DS_EXIT_CONFIG;
	} else {
		rc = draw(&a, &rp);
	}
out:
	ds_diags_sort(&d);
	ds_diags_print(stderr, &d);
	ds_diags_reset(&d);
	ds_sim_replay_reset(&rp);
	ds_config_free(cfg);
	return rc;
}
