/* `dualsite report`: the Business Continuity readiness of a configuration,
 * by simulation (docs/behaviour.md §9): each site lost N times at a random
 * instant, every agent at once; text on stdout, or --json, and --html FILE.
 *
 * Exit 1 when a registrar's peak exceeds dualsite.registrar-capacity or an
 * agent never gets service back (the report is still written), or when the
 * configuration has errors (no report: a broken configuration cannot be
 * measured). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "dualsite/report.h"
#include "dualsite/validate.h"

struct report_args {
	const char *config, *html;
	bool json;
	struct ds_report_opts o;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dualsite report -c CONFIG [--site SITE] [--outage S] [--runs N] [--seed N]\n"
		"                       [--html FILE] [--json]\n\n"
		"The Business Continuity readiness of a configuration, by simulation: for each\n"
		"site (or SITE), the whole site is lost at a random instant and returns after\n"
		"the outage, N times, for every agent at once. Per agent group and for the\n"
		"worst agents: the time without a SIP connection (p50, p99, max), the time to\n"
		"be home after the return, the peak and mean REGISTERs per second at each\n"
		"registrar against dualsite.registrar-capacity, the unprotected agents and the\n"
		"findings of validate that change these figures.\n\n"
		"  -c, --config FILE   the configuration\n"
		"  --site SITE         lose this site only (default: each site in turn)\n"
		"  --outage S          seconds until the site returns (default 600)\n"
		"  --runs N            runs per site, 1..10000 (default 20)\n"
		"  --seed N            the seed the runs' seeds and instants are drawn from (default 1)\n"
		"  --html FILE         also write one self-contained HTML page with the charts\n"
		"  --json              every figure as one JSON object on stdout\n"
		"  -h, --help          this text\n\n"
		"exit status: 0 ready, 1 a registrar's capacity exceeded, an agent that never\n"
		"gets service back, or configuration errors; 2 usage error or unreadable input.\n"
		"See docs/report.md.\n");
}

static int number(const char *opt, const char *arg, unsigned long long lo, unsigned long long hi,
		  unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || errno || *v < lo || *v > hi) {
		fprintf(stderr, "dualsite report: %s '%s': expected a whole number %llu..%llu\n", opt,
			arg, lo, hi);
		return DS_EXIT_USAGE;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct report_args *a)
{
	enum { O_SITE = 256, O_OUTAGE, O_RUNS, O_SEED, O_HTML, O_JSON };
	static const struct option lopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"site", required_argument, NULL, O_SITE},
		{"outage", required_argument, NULL, O_OUTAGE},
		{"runs", required_argument, NULL, O_RUNS},
		{"seed", required_argument, NULL, O_SEED},
		{"html", required_argument, NULL, O_HTML},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned long long v;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case O_SITE: a->o.site = optarg; break;
		case O_HTML: a->html = optarg; break;
		case O_JSON: a->json = true; break;
		case O_OUTAGE:
			if (number("--outage", optarg, 1, 86400, &v))
				return DS_EXIT_USAGE;
			a->o.outage_ms = (int64_t)v * 1000;
			break;
		case O_RUNS:
			if (number("--runs", optarg, 1, 10000, &v))
				return DS_EXIT_USAGE;
			a->o.runs = (unsigned)v;
			break;
		case O_SEED:
			if (ds_cli_seed("report", optarg, &a->o.seed))
				return DS_EXIT_USAGE;
			break;
		case 'h':
			return -1;
		default:
			return ds_cli_bad_option("report", c, argc, argv, usage);
		}
	}
	if (ds_cli_no_operands("report", argc, argv, usage))
		return DS_EXIT_USAGE;
	if (!a->config) {
		fprintf(stderr, "dualsite report: no configuration given: use -c FILE\n");
		usage(stderr);
		return DS_EXIT_USAGE;
	}
	return 0;
}

int ds_cmd_report(int argc, char **argv)
{
	struct report_args a = {.o = {.outage_ms = 600000, .runs = 20, .seed = 1}};
	struct ds_diags d = {0};
	struct ds_config *cfg = NULL;
	struct ds_report r = {0};
	FILE *html = NULL;
	int rc = parse_args(argc, argv, &a), e;

	if (rc < 0) {
		usage(stdout);
		return DS_EXIT_OK;
	}
	if (rc)
		return rc;
	e = ds_config_load(&cfg, a.config, &d);
	if (e || d.errors) {
		rc = e ? ds_cli_load_status(e) : DS_EXIT_CONFIG;
		goto out;
	}
	if (ds_validate_agents(cfg, NULL, 0, &d)) {
		fprintf(stderr, "dualsite report: the configuration has errors; fix them first "
			"(dualsite validate -c %s)\n", a.config);
		rc = DS_EXIT_CONFIG;
		goto out;
	}
	ds_diags_reset(&d);   /* warnings: the report lists those that matter */
	if (a.html && !(html = fopen(a.html, "w"))) {
		fprintf(stderr, "dualsite report: cannot write %s: %s\n", a.html, strerror(errno));
		rc = DS_EXIT_USAGE;
		goto out;
	}
	e = ds_report_run(&r, cfg, &a.o);
	if (e == ENOENT) {
		fprintf(stderr, "dualsite report: --site '%s' is no site of the configuration's "
			"agents\n", a.o.site);
		rc = DS_EXIT_CONFIG;
	} else if (e == EINVAL) {
		fprintf(stderr, "dualsite report: the configuration has no person to simulate\n");
		rc = DS_EXIT_CONFIG;
	} else if (e) {
		fprintf(stderr, "dualsite report: the simulation failed: %s\n", strerror(e));
		rc = DS_EXIT_CONFIG;
	} else {
		e = a.json ? ds_report_json(stdout, &r) : ds_report_text(stdout, &r);
		if (!e && html)
			e = ds_report_html(html, &r);
		if (e) {
			fprintf(stderr, "dualsite report: writing the report failed: %s\n", strerror(e));
			rc = DS_EXIT_CONFIG;
		} else if (r.failed) {
			rc = DS_EXIT_CONFIG;
		}
	}
out:
	if (html && fclose(html) && !rc) {
		fprintf(stderr, "dualsite report: writing %s failed\n", a.html);
		rc = DS_EXIT_CONFIG;
	}
	ds_diags_sort(&d);
	ds_diags_print(stderr, &d);
	ds_diags_reset(&d);
	ds_report_reset(&r);
	ds_config_free(cfg);
	return rc;
}
