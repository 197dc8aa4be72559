/* `dualsite validate -c FILE [--json]`: the diagnostics of SPEC §2.3 on stdout.
 *
 * Exit status (SPEC §4): 0 no errors (warnings allowed); 1 errors, a YAML
 * syntax error included; 2 a usage error or a file that cannot be read. A
 * file that cannot be read is not a diagnostic about the configuration, so
 * its message goes to stderr and stdout stays empty. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "dualsite/config.h"
#include "dualsite/validate.h"
#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: dualsite validate -c FILE [--json]\n\n"
		   "Checks a configuration against every rule (docs/validate.md) and prints\n"
		   "one diagnostic a line on stdout, sorted by file, line and column:\n"
		   "  FILE:LINE:COL: SEVERITY: OBJECT-PATH: message\n\n"
		   "options:\n"
		   "  -c, --config FILE  the configuration (YAML; it may include others)\n"
		   "  --json             print {\"diagnostics\": [...]} instead\n"
		   "  -h, --help         this text\n\n"
		   "exit status: 0 no errors (warnings allowed), 1 errors (a YAML syntax\n"
		   "error included), 2 usage error or unreadable file.\n");
}

int ds_cmd_validate(int argc, char **argv)
{
	const char *file = NULL;
	bool json = false;
	struct ds_diags d;
	struct ds_config *cfg = NULL;
	int rc, status;

	static const struct option lopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'c': file = optarg; break;
		case 'j': json = true; break;
		case 'h':
			usage(stdout);
			return DS_EXIT_OK;
		default:
			return ds_cli_bad_option("validate", c, argc, argv, usage);
		}
	}
	if (ds_cli_no_operands("validate", argc, argv, usage))
		return DS_EXIT_USAGE;
	if (!file) {
		fprintf(stderr, "dualsite validate: no configuration given: use -c FILE\n");
		usage(stderr);
		return DS_EXIT_USAGE;
	}
	memset(&d, 0, sizeof(d));
	rc = ds_config_load(&cfg, file, &d);
	if (ds_cli_load_status(rc) == DS_EXIT_USAGE) {
		ds_diags_sort(&d);
		ds_diags_print(stderr, &d);
		if (!d.n)
			fprintf(stderr, "dualsite validate: cannot read %s: %s\n", file, strerror(rc));
		ds_diags_reset(&d);
		return DS_EXIT_USAGE;
	}
	if (!rc)
		ds_validate(cfg, &d);
	ds_diags_sort(&d);
	if (json)
		ds_diags_print_json(stdout, &d);
	else
		ds_diags_print(stdout, &d);
	status = rc || d.errors ? DS_EXIT_CONFIG : DS_EXIT_OK;
	if (rc == ENOMEM)
		fprintf(stderr, "dualsite validate: out of memory loading %s\n", file);
	ds_diags_reset(&d);
	ds_config_free(cfg);
	return status;
}
