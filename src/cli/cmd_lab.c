/* `dualsite lab`: the two-site demo on loopback with real registrars (src/lab). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../lab/lab.h"
#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dualsite lab [--agents N] [--keep-running [--no-story]] [--scenario FILE]\n"
		"                    [--svg FILE] [--events FILE] [--seed N]\n\n"
		"A self-contained two-site demo on 127.0.0.1: starts four Kamailio registrars\n"
		"(SiteX and SiteY, primary and backup, digest auth), stand-ins for the Stat and\n"
		"Configuration Servers, and `dualsite run` for N agents; then tells a story in\n"
		"six steps (register, HA switch, site loss and switchover, a call, the site's\n"
		"return with the restore deferred by the call, the call's end), with the times\n"
		"it measured, and a summary per agent (docs/lab.md).\n\n"
		"options:\n"
		"  --agents N        agents in the lab, 1..%d (default 3)\n"
		"  --keep-running    after the story, leave the lab up and print how to reach\n"
		"                    it, until Ctrl-C\n"
		"  --no-story        with --keep-running: set up only, no story\n"
		"  --scenario FILE   play a scenario (docs/behaviour.md §6) against the lab\n"
		"                    instead of the story and print the events\n"
		"  --svg FILE        draw the timeline (one lane set per agent) as SVG\n"
		"  --events FILE     copy the JSON events (docs/behaviour.md §5) to FILE\n"
		"  --seed N          seed of the random delays (default: a random one, printed)\n"
		"  -h, --help        this text\n\n"
		"Needs kamailio, kamcmd and sipp in PATH (sh scripts/deps.sh). The registrar\n"
		"configuration is $DUALSITE_KAMAILIO_CFG, or scripts/kamailio/registrar.cfg\n"
		"found next to the binary's directory, or the installed share/dualsite/\n"
		"registrar.cfg, or ./scripts/kamailio/registrar.cfg (docs/lab.md).\n\n"
		"exit status: 0 the story went as docs/behaviour.md §3 says (or the scenario\n"
		"was played), 1 a step failed or a tool is missing, 2 usage error or a\n"
		"scenario the real lab cannot play.\n", LAB_MAX_AGENTS);
}

int ds_cmd_lab(int argc, char **argv)
{
	enum { O_AGENTS = 256, O_KEEP, O_NOSTORY, O_SCENARIO, O_SVG, O_EVENTS, O_SEED };
	static const struct option lopts[] = {
		{"agents", required_argument, NULL, O_AGENTS},
		{"keep-running", no_argument, NULL, O_KEEP},
		{"no-story", no_argument, NULL, O_NOSTORY},
		{"scenario", required_argument, NULL, O_SCENARIO},
		{"svg", required_argument, NULL, O_SVG},
		{"events", required_argument, NULL, O_EVENTS},
		{"seed", required_argument, NULL, O_SEED},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ds_lab_opts o = {.agents = 3};
	char *end;
	int c;
	uint64_t seen = 0;

	optind = 1;
	opterr = 0;
	while ((c = ds_cli_getopt(argc, argv, ":h", lopts, NULL, &seen)) != -1) {
		switch (c) {
		case O_AGENTS: {
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || *optarg == '-' || v < 1 || v > LAB_MAX_AGENTS) {
				fprintf(stderr, "dualsite lab: --agents '%s': expected a whole number "
					"1..%d\n", optarg, LAB_MAX_AGENTS);
				return DS_EXIT_USAGE;
			}
			o.agents = (unsigned)v;
			break;
		}
		case O_KEEP: o.keep_running = true; break;
		case O_NOSTORY: o.no_story = true; break;
		case O_SCENARIO: o.scenario = optarg; break;
		case O_SVG: o.svg = optarg; break;
		case O_EVENTS: o.events = optarg; break;
		case O_SEED:
			if (ds_cli_seed("lab", optarg, &o.seed))
				return DS_EXIT_USAGE;
			o.seed_set = true;
			break;
		case 'h':
			usage(stdout);
			return DS_EXIT_OK;
		default:
			return ds_cli_bad_option("lab", c, argc, argv, usage);
		}
	}
	if (ds_cli_no_operands("lab", argc, argv, usage))
		return DS_EXIT_USAGE;
	if (o.events && !strcmp(o.events, "-")) {
		fprintf(stderr, "dualsite lab: --events -: the lab's stdout carries its story; "
			"give a file name (or use --scenario, which prints the events)\n");
		return DS_EXIT_USAGE;
	}
	if (o.no_story && !o.keep_running) {
		fprintf(stderr, "dualsite lab: --no-story only makes sense with --keep-running\n");
		return DS_EXIT_USAGE;
	}
	if (o.no_story && o.scenario) {
		fprintf(stderr, "dualsite lab: --no-story and --scenario exclude each other\n");
		return DS_EXIT_USAGE;
	}
	return ds_lab_main(&o);
}
