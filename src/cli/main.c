/* dualsite: dispatches to one command; each command parses its own options. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{"validate", ds_cmd_validate, "check a configuration (SPEC rules), one diagnostic a line"},
	{"explain",  ds_cmd_explain,  "show an agent's effective options and where each comes from"},
	{"simulate", ds_cmd_simulate, "run the engine on a scenario in simulated time"},
	{"run",      ds_cmd_run,      "the daemon: SIP endpoints with Business Continuity"},
	{"lab",      ds_cmd_lab,      "the two-site demo on loopback with real registrars"},
	{"ctl",      ds_cmd_ctl,      "talk to a running `run` (--control): status, switchover, drain"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: dualsite COMMAND [options]\n\n"
		   "Business Continuity for SIP agent endpoints across two sites.\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'dualsite COMMAND --help' describes one command.\n"
		   "exit status: 0 success, 1 configuration errors or a failed run,\n"
		   "2 usage error or unreadable input.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return DS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return DS_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "dualsite: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return DS_EXIT_USAGE;
}
