/* dualsite: dispatches to one command; each command parses its own options. */
#include <stdio.h>
#include <string.h>
#include <libfyaml.h>
#include <re.h>
#include "cli.h"

/* The Makefile passes the version (file VERSION) and the libraries'
 * versions as pkg-config saw them when this file was compiled. */
#ifndef DS_VERSION
#error "DS_VERSION is defined by the Makefile, from the file VERSION"
#endif

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{"validate", ds_cmd_validate, "check a configuration (docs/behaviour.md §2.3), one diagnostic a line"},
	{"explain",  ds_cmd_explain,  "show an agent's effective options and where each comes from"},
	{"simulate", ds_cmd_simulate, "run the engine on a scenario in simulated time"},
	{"run",      ds_cmd_run,      "the daemon: SIP endpoints with Business Continuity"},
	{"lab",      ds_cmd_lab,      "the two-site demo on loopback with real registrars"},
	{"report",   ds_cmd_report,   "Business Continuity readiness of a configuration, by simulation"},
	{"render",   ds_cmd_render,   "draw a real run's events as simulate --svg draws a simulation"},
	{"ctl",      ds_cmd_ctl,      "talk to a running `run` (--control): status, switchover, drain"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: dualsite COMMAND [options]\n\n"
		   "Business Continuity for SIP agent endpoints across two sites.\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'dualsite COMMAND --help' describes one command;\n"
		   "'dualsite --version' prints the version.\n"
		   "exit status: 0 success, 1 configuration errors or a failed run,\n"
		   "2 usage error or unreadable input.\n");
}

/* The version, and each library's as built against and as loaded now
 * (a shared library upgraded since the build shows here). */
static void version(void)
{
	printf("dualsite %s\n", DS_VERSION);
	printf("libre %s (built with %s)\n", sys_libre_version_get(), DS_LIBRE_BUILT);
	printf("libfyaml %s (built with %s)\n", fy_library_version(), DS_LIBFYAML_BUILT);
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
	if (!strcmp(argv[1], "--version")) {
		if (argc > 2) {
			fprintf(stderr, "dualsite: --version takes no argument\n");
			return DS_EXIT_USAGE;
		}
		version();
		return DS_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "dualsite: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return DS_EXIT_USAGE;
}
