/* `dualsite validate -c FILE [--json] [--strict] [--resolve]`: the diagnostics of docs/behaviour.md §2.3 on stdout.
 *
 * Exit status (docs/behaviour.md §4): 0 no errors (warnings allowed); 1 errors, a YAML
 * syntax error included (with --strict, warnings too: a misspelt name
 * falls back to a default); 2 a usage error or a file that cannot be read. A
 * file that cannot be read is not a diagnostic about the configuration, so
 * its message goes to stderr and stdout stays empty. */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "dualsite/config.h"
#include "dualsite/options.h"
#include "dualsite/validate.h"
#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: dualsite validate -c FILE [--json] [--strict] [--resolve]\n\n"
		   "Checks a configuration against every rule (docs/validate.md) and prints\n"
		   "one diagnostic a line on stdout, sorted by file, line and column:\n"
		   "  FILE:LINE:COL: SEVERITY: OBJECT-PATH: message\n\n"
		   "options:\n"
		   "  -c, --config FILE  the configuration (YAML; it may include others)\n"
		   "  --json             print {\"diagnostics\": [...]} instead\n"
		   "  --strict           exit 1 on warnings too (a misspelt name is a warning\n"
		   "                     whose value falls back to its default)\n"
		   "  --resolve          look up every server host and SBC address name\n"
		   "                     (getaddrinfo) and warn about those that do not resolve\n"
		   "  -h, --help         this text\n\n"
		   "exit status: 0 no errors (warnings allowed), 1 errors (a YAML syntax\n"
		   "error included; with --strict, any diagnostic), 2 usage error or\n"
		   "unreadable file.\n");
}

/* One look-up per distinct name (a thousand persons naming one SBC ask once). */
struct lookups {
	const char *name[64];
	bool ok[64];
	size_t n;
};

/* The reason (no such name, no resolver) is left out: it depends on the
 * machine, while the message must not. */
static bool resolves(struct lookups *lk, const char *host)
{
	struct addrinfo hints, *res = NULL;
	bool ok;

	for (size_t i = 0; i < lk->n; i++)
		if (!strcmp(lk->name[i], host))
			return lk->ok[i];
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	ok = !getaddrinfo(host, NULL, &hints, &res) && res;
	if (res)
		freeaddrinfo(res);
	if (lk->n < sizeof(lk->name) / sizeof(lk->name[0])) {
		lk->name[lk->n] = host;
		lk->ok[lk->n++] = ok;
	}
	return ok;
}

static void resolve_opts(struct lookups *lk, const struct ds_optset *set, struct ds_diags *d)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct ds_opt *o = &set->v[i];

		if (o->id < 0 || !o->valid || ds_option_defs[o->id].type != DS_OT_HOST ||
		    ds_host_is_ip(o->value.s) || resolves(lk, o->value.s))
			continue;
		ds_diag_add(d, DS_SEV_WARNING, &o->loc, o->path, "`%s` '%s' does not resolve "
			    "here (getaddrinfo found no address); where `run` runs, REGISTERs "
			    "through it would fail with reason dns", o->name, o->value.s);
	}
}

/* --resolve: docs/behaviour.md §2.3 rule 13 leaves look-ups to this
 * option, since a name may resolve where `run` runs and not here. */
static void resolve_names(const struct ds_config *cfg, struct ds_diags *d)
{
	struct lookups lk = { .n = 0 };
	char path[512];

	for (size_t i = 0; i < cfg->n_servers; i++) {
		const struct ds_server *s = &cfg->servers[i];

		if (!s->host || !ds_host_ok(s->host) || ds_host_is_ip(s->host) ||
		    resolves(&lk, s->host))
			continue;
		snprintf(path, sizeof(path), "servers/%s/host", s->name);
		ds_diag_add(d, DS_SEV_WARNING, &s->host_loc, path, "host '%s' does not resolve "
			    "here (getaddrinfo found no address); where `run` runs, its probes "
			    "and REGISTERs would fail with reason dns", s->host);
	}
	resolve_opts(&lk, &cfg->app.opts, d);
	for (size_t i = 0; i < cfg->n_tenants; i++)
		resolve_opts(&lk, &cfg->tenants[i].opts, d);
	for (size_t i = 0; i < cfg->n_groups; i++)
		resolve_opts(&lk, &cfg->groups[i].opts, d);
	for (size_t i = 0; i < cfg->n_persons; i++)
		resolve_opts(&lk, &cfg->persons[i].opts, d);
}

int ds_cmd_validate(int argc, char **argv)
{
	const char *file = NULL;
	bool json = false, strict = false, resolve = false;
	struct ds_diags d;
	struct ds_config *cfg = NULL;
	int rc, status;

	static const struct option lopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},
		{"strict", no_argument, NULL, 's'},
		{"resolve", no_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	uint64_t seen = 0;

	optind = 1;
	opterr = 0;
	while ((c = ds_cli_getopt(argc, argv, ":c:h", lopts, NULL, &seen)) != -1) {
		switch (c) {
		case 'c': file = optarg; break;
		case 'j': json = true; break;
		case 's': strict = true; break;
		case 'r': resolve = true; break;
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
	if (!rc && resolve)
		resolve_names(cfg, &d);
	ds_diags_sort(&d);
	if (json)
		ds_diags_print_json(stdout, &d);
	else
		ds_diags_print(stdout, &d);
	status = rc || d.errors || (strict && d.n) ? DS_EXIT_CONFIG : DS_EXIT_OK;
	if (rc == ENOMEM)
		fprintf(stderr, "dualsite validate: out of memory loading %s\n", file);
	ds_diags_reset(&d);
	ds_config_free(cfg);
	return status;
}
