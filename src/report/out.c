/* The readiness report as text (for a terminal) and as JSON (every figure). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include "dualsite/report.h"
#include "../util/util.h"

/* Seconds with 3 decimals, or "never" / "-" (no value). */
static const char *secs(char *buf, size_t sz, int64_t ms, size_t n)
{
	if (!n)
		snprintf(buf, sz, "-");
	else if (ms < 0)
		snprintf(buf, sz, "never");
	else
		snprintf(buf, sz, "%" PRId64 ".%03" PRId64, ms / 1000, ms % 1000);
	return buf;
}

static void text_group(FILE *f, const struct ds_report_group *g)
{
	char a[32], b[32], c[32], d[32], e[32], h[32];

	fprintf(f, "  %-16s %6zu %8zu  %9s %9s %9s  %9s %9s %9s%s\n", g->name, g->agents, g->affected,
		secs(a, sizeof(a), g->without.p50, g->without.n),
		secs(b, sizeof(b), g->without.p99, g->without.n),
		secs(c, sizeof(c), g->without.max, g->without.n),
		secs(d, sizeof(d), g->home.p50, g->home.n), secs(e, sizeof(e), g->home.p99, g->home.n),
		secs(h, sizeof(h), g->home.max, g->home.n), g->never ? "  NEVER BACK" : "");
}

int ds_report_text(FILE *f, const struct ds_report *r)
{
	char a[32];

	fprintf(f, "dualsite report: %zu agents, %u runs per site, outage %" PRId64 " s, seed %" PRIu64
		"\n", r->n_agents, r->opts.runs, r->opts.outage_ms / 1000, r->opts.seed);
	for (size_t s = 0; s < r->n_sites; s++) {
		const struct ds_report_site *rs = &r->sites[s];

		fprintf(f, "\n%s lost at a random instant, back after %" PRId64 " s (%u runs)\n",
			rs->site, r->opts.outage_ms / 1000, r->opts.runs);
		fprintf(f, "  %-16s %6s %8s  %-29s  %s\n", "group", "agents", "affected",
			"without SIP (s) p50 p99 max", "home after return (s) p50 p99 max");
		for (size_t g = 0; g < rs->n_groups; g++)
			text_group(f, &rs->groups[g]);
		text_group(f, &rs->all);
		if (rs->n_worst) {
			fprintf(f, "  worst agents:");
			for (size_t w = 0; w < rs->n_worst; w++)
				fprintf(f, "%s %s %s s (run %u)", w ? "," : "", rs->worst[w].name,
					secs(a, sizeof(a), rs->worst[w].without_max, 1), rs->worst[w].run + 1);
			fputc('\n', f);
		}
		for (size_t k = 0; k < rs->n_regs; k++) {
			const struct ds_report_reg *g = &rs->regs[k];

			fprintf(f, "  registrar %s: peak %" PRIu32 " REGISTERs/s (run %u, t=%" PRId64
				" s), mean %.2f/s", g->name, g->peak, g->peak_run + 1, g->peak_t / 1000, g->mean);
			if (r->capacity)
				fprintf(f, "; capacity %" PRIu32 "/s%s", r->capacity, g->over ? ": EXCEEDED" : "");
			fputc('\n', f);
		}
	}
	fprintf(f, "\nunprotected agents: %zu\n", r->n_unprotected);
	for (size_t i = 0; i < r->n_unprotected; i++)
		fprintf(f, "  %s: %s\n", r->unprotected[i].agent, r->unprotected[i].why);
	fprintf(f, "findings of validate that change these figures: %zu\n", r->findings.n);
	ds_diags_print(f, &r->findings);
	if (!r->capacity)
		fprintf(f, "registrar capacity unknown: set dualsite.registrar-capacity on the "
			"Application to compare the peaks with it\n");
	return fflush(f) || ferror(f) ? EIO : 0;
}

static void json_ms(FILE *f, const char *key, int64_t ms, size_t n)
{
	fprintf(f, "\"%s\": ", key);
	if (!n)
		fprintf(f, "null");
	else if (ms < 0)
		fprintf(f, "\"never\"");
	else
		fprintf(f, "%" PRId64 ".%03" PRId64, ms / 1000, ms % 1000);
}

static void json_stat(FILE *f, const char *key, const struct ds_report_stat *s)
{
	fprintf(f, "\"%s\": {\"n\": %zu, ", key, s->n);
	json_ms(f, "p50", s->p50, s->n);
	fputs(", ", f);
	json_ms(f, "p99", s->p99, s->n);
	fputs(", ", f);
	json_ms(f, "max", s->max, s->n);
	fputc('}', f);
}

static void json_group(FILE *f, const struct ds_report_group *g)
{
	fputs("{\"group\": ", f);
	ds_json_fput(f, g->name);
	fprintf(f, ", \"agents\": %zu, \"affected\": %zu, \"never_back\": %zu, \"not_home\": %zu, ",
		g->agents, g->affected, g->never, g->away);
	json_stat(f, "without_sip_s", &g->without);
	fputs(", ", f);
	json_stat(f, "home_after_return_s", &g->home);
	fputc('}', f);
}

int ds_report_json(FILE *f, const struct ds_report *r)
{
	fputs("{\"file\": ", f);
	ds_json_fput(f, r->file);
	fprintf(f, ", \"agents\": %zu, \"runs\": %u, \"outage_s\": %" PRId64 ", \"seed\": %" PRIu64
		", \"registrar_capacity\": %" PRIu32 ", \"failed\": %s,\n \"sites\": [", r->n_agents,
		r->opts.runs, r->opts.outage_ms / 1000, r->opts.seed, r->capacity,
		r->failed ? "true" : "false");
	for (size_t s = 0; s < r->n_sites; s++) {
		const struct ds_report_site *rs = &r->sites[s];

		fprintf(f, "%s\n  {\"site\": ", s ? "," : "");
		ds_json_fput(f, rs->site);
		fprintf(f, ", \"run_s\": %" PRId64 ", \"outage_at_s\": [", rs->run_ms / 1000);
		for (unsigned i = 0; i < r->opts.runs && i < 64; i++)
			fprintf(f, "%s%" PRId64 ".%03" PRId64, i ? ", " : "", rs->outage_at[i] / 1000,
				rs->outage_at[i] % 1000);
		fputs("],\n   \"all\": ", f);
		json_group(f, &rs->all);
		fputs(",\n   \"groups\": [", f);
		for (size_t g = 0; g < rs->n_groups; g++) {
			fputs(g ? ",\n    " : "\n    ", f);
			json_group(f, &rs->groups[g]);
		}
		fputs("],\n   \"worst\": [", f);
		for (size_t w = 0; w < rs->n_worst; w++) {
			fputs(w ? ", {\"agent\": " : "{\"agent\": ", f);
			ds_json_fput(f, rs->worst[w].name);
			fputs(", ", f);
			json_ms(f, "without_sip_s", rs->worst[w].without_max, 1);
			fprintf(f, ", \"run\": %u}", rs->worst[w].run + 1);
		}
		fputs("],\n   \"registrars\": [", f);
		for (size_t k = 0; k < rs->n_regs; k++) {
			const struct ds_report_reg *g = &rs->regs[k];

			fputs(k ? ",\n    {\"registrar\": " : "\n    {\"registrar\": ", f);
			ds_json_fput(f, g->name);
			fprintf(f, ", \"peak_per_s\": %" PRIu32 ", \"peak_run\": %u, \"peak_at_s\": %" PRId64
				", \"mean_per_s\": %.3f, \"over_capacity\": %s}", g->peak, g->peak_run + 1,
				g->peak_t / 1000, g->mean, g->over ? "true" : "false");
		}
		fputs("]}", f);
	}
	fputs("],\n \"unprotected\": [", f);
	for (size_t i = 0; i < r->n_unprotected; i++) {
		fputs(i ? ", {\"agent\": " : "{\"agent\": ", f);
		ds_json_fput(f, r->unprotected[i].agent);
		fputs(", \"why\": ", f);
		ds_json_fput(f, r->unprotected[i].why);
		fputc('}', f);
	}
	fputs("],\n \"findings\": ", f);
	ds_diags_print_json(f, &r->findings);
	fputs("}\n", f);
	return fflush(f) || ferror(f) ? EIO : 0;
}
