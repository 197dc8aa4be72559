/* `dualsite explain`: an agent's effective options and their sources; `--reference`: the option table.
 *
 * Choices (docs/explain.md says them to users):
 * - An unknown agent exits 1, not 2: the command line is well formed and
 *   the file was read; the name fails against the configuration's content,
 *   like any other reference to a missing object.
 * - Errors in the configuration do not stop the explanation when the agent
 *   resolves (explaining is how one finds out what went wrong): the table
 *   goes to stdout, the errors to stderr, and the exit status is 1 when any
 *   error touches this agent (or the loader reported one), else 0.
 *   Warnings are only counted on stderr; `dualsite validate` lists them.
 * - No password is ever printed: passwords are not options. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dualsite/config.h"
#include "dualsite/options.h"
#include "dualsite/validate.h"
#include "cli.h"
#include "../util/util.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: dualsite explain -c FILE --agent NAME [--json]\n"
		   "       dualsite explain -c FILE --all [--json | --csv]\n"
		   "       dualsite explain --reference\n\n"
		   "Shows every option of agent NAME: its effective value and the object it\n"
		   "comes from (default, application:N, tenant:N, agent-group:N, person:N).\n\n"
		   "options:\n"
		   "  -c, --config FILE  the configuration\n"
		   "  -a, --agent NAME   the agent (a person of the configuration)\n"
		   "  --all              every agent, one row each (by name): a table of\n"
		   "                     'VALUE (SOURCE)' cells, or --json, or --csv\n"
		   "  --json             {\"agent\": NAME, \"options\": {OPTION: {\"value\": V, \"source\": S}}}\n"
		   "                     (--all: {\"agents\": [that object, ...]})\n"
		   "  --csv              with --all: agent, then OPTION and OPTION.source columns\n"
		   "  --reference        print the option reference (Markdown) from the option table\n"
		   "  -h, --help         this text\n\n"
		   "exit status: 0 explained, 1 unknown agent or errors that touch the agent\n"
		   "(--all: any agent; the explanation is still printed), 2 usage error or\n"
		   "unreadable file.\n");
}

static bool shown(int id)
{
	return ds_option_defs[id].scope != DS_SCOPE_SERVER;
}

/* A value rendered whole, in a buffer grown to fit: a name or host has no
 * length limit, so no fixed buffer would do. */
struct strbuf {
	char *p;
	size_t cap;
};

enum render_as { AS_TEXT, AS_JSON, AS_SOURCE };

static int render1(enum render_as as, int id, const struct ds_value *v, char *buf, size_t sz)
{
	switch (as) {
	case AS_TEXT:
		return ds_value_text((enum ds_opt_id)id, v, buf, sz);
	case AS_JSON:
		return ds_value_json((enum ds_opt_id)id, v, buf, sz);
	case AS_SOURCE:
		return ds_value_source(v, buf, sz);
	}
	return -1;
}

/* The rendering, or NULL when memory ran out. */
static const char *render(enum render_as as, int id, const struct ds_value *v, struct strbuf *b)
{
	int n = render1(as, id, v, b->p, b->cap);

	if (n < 0)
		return NULL;
	if ((size_t)n >= b->cap) {
		char *p = realloc(b->p, (size_t)n + 1);

		if (!p)
			return NULL;
		b->p = p;
		b->cap = (size_t)n + 1;
		render1(as, id, v, b->p, b->cap);
	}
	return b->p;
}

static int print_text(const char *agent, const struct ds_effective *eff)
{
	struct strbuf val = {0}, src = {0};
	int wn = (int)strlen("option"), wv = (int)strlen("value"), rc = 0;

	for (int i = 0; i < DS_OPT_COUNT; i++) {
		int n;

		if (!shown(i))
			continue;
		n = (int)strlen(ds_option_defs[i].name);
		wn = n > wn ? n : wn;
		n = ds_value_text((enum ds_opt_id)i, &eff->v[i], NULL, 0);
		wv = n > wv ? n : wv;
	}
	printf("agent: %s\n\n%-*s  %-*s  %s\n", agent, wn, "option", wv, "value", "source");
	for (int i = 0; i < DS_OPT_COUNT && !rc; i++) {
		const char *tv, *ts;

		if (!shown(i))
			continue;
		tv = render(AS_TEXT, i, &eff->v[i], &val);
		ts = tv ? render(AS_SOURCE, i, &eff->v[i], &src) : NULL;
		if (!ts)
			rc = ENOMEM;
		else
			printf("%-*s  %-*s  %s\n", wn, ds_option_defs[i].name, wv, tv, ts);
	}
	free(val.p);
	free(src.p);
	return rc;
}

static int print_json(const char *agent, const struct ds_effective *eff, const char *end)
{
	struct strbuf val = {0}, src = {0};
	bool first = true;
	int rc = 0;

	fputs("{\"agent\": ", stdout);
	ds_json_fput(stdout, agent);
	fputs(", \"options\": {", stdout);
	for (int i = 0; i < DS_OPT_COUNT && !rc; i++) {
		const char *tv, *ts;

		if (!shown(i))
			continue;
		tv = render(AS_JSON, i, &eff->v[i], &val);
		ts = tv ? render(AS_SOURCE, i, &eff->v[i], &src) : NULL;
		if (!ts) {
			rc = ENOMEM;
			break;
		}
		printf("%s\n  ", first ? "" : ",");
		ds_json_fput(stdout, ds_option_defs[i].name);
		printf(": {\"value\": %s, \"source\": ", tv);
		ds_json_fput(stdout, ts);
		fputc('}', stdout);
		first = false;
	}
	fputs("\n}}", stdout);
	fputs(end, stdout);
	free(val.p);
	free(src.p);
	return rc;
}

enum all_as { ALL_TABLE, ALL_JSON, ALL_CSV };

/* A CSV field (RFC 4180): quoted when it holds a comma, quote or line end. */
static void csv_put(const char *v)
{
	if (!strpbrk(v, ",\"\r\n")) {
		fputs(v, stdout);
		return;
	}
	putchar('"');
	for (; *v; v++) {
		if (*v == '"')
			putchar('"');
		putchar(*v);
	}
	putchar('"');
}

/* A table cell: "VALUE (SOURCE)"; its length when out is NULL. */
static int cell(int id, const struct ds_value *v, struct strbuf *val, struct strbuf *src,
		bool print, int width)
{
	const char *tv = render(AS_TEXT, id, v, val);
	const char *ts = tv ? render(AS_SOURCE, id, v, src) : NULL;

	if (!ts)
		return -1;
	if (print)   /* width 0: the last column, not padded */
		return printf("  %s (%s)%*s", tv, ts, width ? width - (int)(strlen(tv) + strlen(ts) + 3)
						  : 0, "");
	return (int)(strlen(tv) + strlen(ts) + 3);
}

static int by_name(const void *a, const void *b)
{
	const struct ds_person *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* `--all`: every agent by name, one row (or JSON object) each. The table's
 * widths need a first pass over every agent. */
static int print_all(const struct ds_config *cfg, enum all_as as)
{
	const struct ds_person **v = calloc(cfg->n_persons + 1, sizeof(*v));
	int *w = calloc(DS_OPT_COUNT, sizeof(*w));
	struct strbuf val = {0}, src = {0};
	struct ds_effective eff;
	int wa = (int)strlen("agent"), rc = 0, last = 0;

	if (!v || !w) {
		rc = ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < cfg->n_persons; i++)
		v[i] = &cfg->persons[i];
	qsort(v, cfg->n_persons, sizeof(*v), by_name);
	for (int o = 0; o < DS_OPT_COUNT; o++) {
		w[o] = (int)strlen(ds_option_defs[o].name);
		last = shown(o) ? o : last;
	}
	for (size_t i = 0; as == ALL_TABLE && i < cfg->n_persons && !rc; i++) {
		int n = (int)strlen(v[i]->name);

		wa = n > wa ? n : wa;
		ds_options_resolve(cfg, v[i], &eff);
		for (int o = 0; o < DS_OPT_COUNT && !rc; o++) {
			if (!shown(o))
				continue;
			if ((n = cell(o, &eff.v[o], &val, &src, false, 0)) < 0)
				rc = ENOMEM;
			w[o] = n > w[o] ? n : w[o];
		}
	}
	switch (as) {
	case ALL_TABLE:
		printf("%-*s", wa, "agent");
		for (int o = 0; o < DS_OPT_COUNT; o++)
			if (shown(o))
				printf("  %-*s", o == last ? 0 : w[o], ds_option_defs[o].name);
		break;
	case ALL_JSON:
		printf("{\"agents\": [");
		break;
	case ALL_CSV:
		printf("agent");
		for (int o = 0; o < DS_OPT_COUNT; o++)
			if (shown(o))
				printf(",%s,%s.source", ds_option_defs[o].name, ds_option_defs[o].name);
		break;
	}
	if (as != ALL_JSON)
		putchar(as == ALL_CSV ? '\r' : '\n');
	if (as == ALL_CSV)
		putchar('\n');
	for (size_t i = 0; i < cfg->n_persons && !rc; i++) {
		ds_options_resolve(cfg, v[i], &eff);
		switch (as) {
		case ALL_TABLE:
			printf("%-*s", wa, v[i]->name);
			for (int o = 0; o < DS_OPT_COUNT && !rc; o++)
				if (shown(o) && cell(o, &eff.v[o], &val, &src, true,
						     o == last ? 0 : w[o]) < 0)
					rc = ENOMEM;
			putchar('\n');
			break;
		case ALL_JSON:
			rc = print_json(v[i]->name, &eff, i + 1 < cfg->n_persons ? ",\n" : "");
			break;
		case ALL_CSV:
			csv_put(v[i]->name);
			for (int o = 0; o < DS_OPT_COUNT && !rc; o++) {
				const char *tv, *ts;

				if (!shown(o))
					continue;
				tv = render(AS_TEXT, o, &eff.v[o], &val);
				if (!tv) {
					rc = ENOMEM;
					break;
				}
				putchar(',');
				csv_put(eff.v[o].set ? tv : "");   /* no value: an empty field */
				if (!(ts = render(AS_SOURCE, o, &eff.v[o], &src))) {
					rc = ENOMEM;
					break;
				}
				putchar(',');
				csv_put(ts);
			}
			fputs("\r\n", stdout);
			break;
		}
	}
	if (as == ALL_JSON)
		printf("]}\n");
out:
	free(v);
	free(w);
	free(val.p);
	free(src.p);
	return rc;
}

static const char *type_name(const struct ds_option_def *d)
{
	switch (d->type) {
	case DS_OT_BOOL:
		return "boolean";
	case DS_OT_INT:
		return "whole number";
	case DS_OT_DECIMAL:
		return "number";
	case DS_OT_NAME:
		return "name";
	case DS_OT_HOST:
		return "host";
	case DS_OT_PATH:
		return "file";
	case DS_OT_ENUM:
		return "choice";
	}
	return "?";
}

static const char *scope_name(enum ds_opt_scope s)
{
	switch (s) {
	case DS_SCOPE_AGENT:
		return "agent (hierarchy)";
	case DS_SCOPE_APP_ONLY:
		return "Application only";
	case DS_SCOPE_SERVER:
		return "server";
	}
	return "?";
}

/* docs/options.md is this output: the table is the only source of a default. */
static void print_reference(void)
{
	printf("# dualsite options\n\n"
	       "<!-- Generated by `dualsite explain --reference` from the option table\n"
	       "     (src/options/table.c). Do not edit: regenerate. -->\n\n"
	       "Every option lives in the `interaction-workspace` section of an object's\n"
	       "`options:`. For an agent, each option is taken from the first object that\n"
	       "sets it: the Person, its Agent Groups by name in descending byte order, its\n"
	       "Tenant, the Application, then the default below. Options of scope\n"
	       "\"Application only\" are read from the Application alone (set lower, they\n"
	       "draw a warning and are ignored); \"server\" options are set on server\n"
	       "objects. Durations are seconds. Booleans are `true`/`false` and numbers\n"
	       "plain digits, both without quotes (`\"60\"` is a string: an error); choices\n"
	       "are case-insensitive. File names are used as written (a relative one from\n"
	       "the working directory of `run` or `validate`); the TLS options are\n"
	       "explained in docs/run.md (TLS). Option names are written exactly as below: one that\n"
	       "differs only in case or in `-`, `_`, `.` is an error, since it would be\n"
	       "ignored (docs/behaviour.md §2.3 rules 12 and 15). `dualsite explain -c FILE\n"
	       "--agent NAME` shows where each of an agent's values comes from.\n\n"
	       "| option | type | scope | default | valid | meaning |\n"
	       "|---|---|---|---|---|---|\n");
	for (int i = 0; i < DS_OPT_COUNT; i++) {
		const struct ds_option_def *d = &ds_option_defs[i];
		char valid[128];

		switch (d->type) {
		case DS_OT_BOOL:
			snprintf(valid, sizeof(valid), "true/false");
			break;
		case DS_OT_ENUM: {
			size_t n = 0;

			valid[0] = '\0';
			for (int e = 0; d->enums[e]; e++)
				n += (size_t)snprintf(valid + n, sizeof(valid) - n, "%s%s",
						      e ? "/" : "", d->enums[e]);
			break;
		}
		case DS_OT_INT:
		case DS_OT_DECIMAL: {
			struct ds_value lo = {.set = true}, hi = {.set = true};
			char a[32], b[32];

			lo.v.d = d->min;
			hi.v.d = d->max;
			ds_value_text((enum ds_opt_id)i, &lo, a, sizeof(a));
			ds_value_text((enum ds_opt_id)i, &hi, b, sizeof(b));
			snprintf(valid, sizeof(valid), "%s..%s", a, b);
			break;
		}
		case DS_OT_NAME:
			snprintf(valid, sizeof(valid), "name");
			break;
		case DS_OT_HOST:
			snprintf(valid, sizeof(valid), "host");
			break;
		case DS_OT_PATH:
			snprintf(valid, sizeof(valid), "file name");
			break;
		}
		printf("| `%s` | %s | %s | %s%s%s | %s | %s |\n", d->name, type_name(d),
		       scope_name(d->scope), d->def ? "`" : "", d->def ? d->def : "(none)",
		       d->def ? "`" : "", valid, d->help);
	}
}

/* One agent (`agent`), or every agent (`all`) shown as `as`. */
static int explain(const char *file, const char *agent, bool json, bool all, enum all_as as)
{
	struct ds_diags d;
	struct ds_config *cfg = NULL;
	struct ds_effective eff;
	const struct ds_person *p;
	size_t load_errors, errors, warnings = 0;
	int rc, status = DS_EXIT_OK;

	memset(&d, 0, sizeof(d));
	rc = ds_config_load(&cfg, file, &d);
	if (rc) {
		ds_diags_sort(&d);
		ds_diags_print(stderr, &d);
		if (!d.n)
			fprintf(stderr, "dualsite explain: cannot read %s: %s\n", file, strerror(rc));
		ds_diags_reset(&d);
		ds_config_free(cfg);
		return ds_cli_load_status(rc);
	}
	load_errors = d.errors;
	p = all ? NULL : ds_config_person(cfg, agent);
	errors = all ? ds_validate_agents(cfg, NULL, 0, &d) : ds_validate_agents(cfg, &agent, 1, &d);
	ds_diags_sort(&d);
	for (size_t i = 0; i < d.n; i++) {
		if (d.v[i].sev == DS_SEV_WARNING) {
			warnings++;
			continue;
		}
		struct ds_diags one = {.v = &d.v[i], .n = 1};

		/* The unknown agent has no place in a file: say it plainly. */
		if (!all && !p && d.v[i].loc.file == NULL)
			fprintf(stderr, "dualsite explain: %s\n", d.v[i].msg);
		else
			ds_diags_print(stderr, &one);
	}
	if (warnings)
		fprintf(stderr, "dualsite explain: %zu warning%s; `dualsite validate -c %s` lists "
			"them\n", warnings, warnings == 1 ? "" : "s", file);
	if (all) {
		if (print_all(cfg, as)) {
			fprintf(stderr, "dualsite explain: out of memory while printing the agents\n");
			status = DS_EXIT_CONFIG;
		} else if (load_errors || errors) {
			status = DS_EXIT_CONFIG;
		}
		goto out;
	}
	if (!p) {
		status = DS_EXIT_CONFIG;
		goto out;
	}
	ds_options_resolve(cfg, p, &eff);
	if (json ? print_json(p->name, &eff, "\n") : print_text(p->name, &eff)) {
		fprintf(stderr, "dualsite explain: out of memory while printing agent %s\n", p->name);
		status = DS_EXIT_CONFIG;
	} else if (load_errors || errors) {
		status = DS_EXIT_CONFIG;
	}
out:
	ds_diags_reset(&d);
	ds_config_free(cfg);
	return status;
}

int ds_cmd_explain(int argc, char **argv)
{
	const char *file = NULL, *agent = NULL;
	bool json = false, reference = false, all = false, csv = false;

	static const struct option lopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"agent", required_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},
		{"all", no_argument, NULL, 'A'},
		{"csv", no_argument, NULL, 'C'},
		{"reference", no_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	uint64_t seen = 0;

	optind = 1;
	opterr = 0;
	while ((c = ds_cli_getopt(argc, argv, ":c:a:h", lopts, NULL, &seen)) != -1) {
		switch (c) {
		case 'c': file = optarg; break;
		case 'a': agent = optarg; break;
		case 'j': json = true; break;
		case 'A': all = true; break;
		case 'C': csv = true; break;
		case 'r': reference = true; break;
		case 'h':
			usage(stdout);
			return DS_EXIT_OK;
		default:
			return ds_cli_bad_option("explain", c, argc, argv, usage);
		}
	}
	if (ds_cli_no_operands("explain", argc, argv, usage))
		return DS_EXIT_USAGE;
	if (reference) {
		print_reference();
		return DS_EXIT_OK;
	}
	const char *bad = !file ? "no configuration given: use -c FILE"
			  : all && agent ? "--all and --agent exclude each other"
			  : !all && !agent ? "no agent given: use --agent NAME, or --all"
			  : json && csv ? "--json and --csv exclude each other"
			  : csv && !all ? "--csv goes with --all" : NULL;
	if (bad) {
		fprintf(stderr, "dualsite explain: %s\n", bad);
		usage(stderr);
		return DS_EXIT_USAGE;
	}
	return explain(file, agent, json, all, csv ? ALL_CSV : json ? ALL_JSON : ALL_TABLE);
}
