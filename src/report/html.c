/* The readiness report as one self-contained HTML page: inline CSS and
 * inline SVG charts, no script and nothing loaded from elsewhere, so it
 * opens offline, mails as one file and prints (black text on white, each
 * chart kept on one page). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "dualsite/report.h"
#include "dualsite/sim.h"

#define CW 760.0       /* chart width */
#define LABEL_W 170.0
#define BAR_H 12.0

static void secs(FILE *f, int64_t ms, size_t n)
{
	if (!n)
		fputs("&ndash;", f);
	else if (ms < 0)
		fputs("<b>never</b>", f);
	else
		fprintf(f, "%" PRId64 ".%03" PRId64, ms / 1000, ms % 1000);
}

/* Site names make ids: letters and digits kept, the rest '-'. */
static void id_of(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
		      ? *s : '-', f);
}

static const struct ds_report_stat *pick(const struct ds_report_group *g, bool home)
{
	return home ? &g->home : &g->without;
}

/* Horizontal bars per group: p50, p99 and max of one figure. */
static void stat_chart(FILE *f, const struct ds_report_site *rs, bool home)
{
	int64_t top = 1000;
	size_t rows = rs->n_groups + 1;
	double h = 30.0 + rows * (3 * BAR_H + 10.0) + 24.0;

	for (size_t g = 0; g <= rs->n_groups; g++) {
		const struct ds_report_stat *s = pick(g < rs->n_groups ? &rs->groups[g] : &rs->all, home);
		if (s->n && s->max > top)
			top = s->max;
	}
	fprintf(f, "<figure><svg class=\"chart\" id=\"chart-%s-", home ? "home" : "without");
	id_of(f, rs->site);
	fprintf(f, "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n<title>%s</title>\n",
		CW, h, CW, h, home ? "time home after the return" : "time without a SIP connection");
	static const char *const shade[3] = {"#3b78c2", "#8fb3e0", "#1d3f6b"};
	static const char *const what[3] = {"p50", "p99", "max"};
	for (int k = 0; k < 3; k++)
		fprintf(f, "<rect x=\"%.0f\" y=\"6\" width=\"12\" height=\"10\" fill=\"%s\"/><text x=\"%.0f\" "
			"y=\"15\">%s</text>\n", LABEL_W + k * 70.0, shade[k], LABEL_W + k * 70.0 + 16, what[k]);
	double y = 30.0, scale = (CW - LABEL_W - 70.0) / (double)top;
	for (size_t g = 0; g <= rs->n_groups; g++) {
		const struct ds_report_group *gr = g < rs->n_groups ? &rs->groups[g] : &rs->all;
		const struct ds_report_stat *s = pick(gr, home);
		int64_t v[3] = {s->p50, s->p99, s->max};

		fprintf(f, "<text x=\"4\" y=\"%.1f\">", y + 1.5 * BAR_H + 4);
		ds_svg_esc(f, gr->name);
		fprintf(f, "</text>\n");
		for (int k = 0; k < 3; k++) {
			double by = y + k * BAR_H;

			if (!s->n) {
				fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" fill=\"#555\">%s</text>\n", LABEL_W,
					by + 10, k ? "" : "no agent of this group was affected");
				continue;
			}
			double w = v[k] < 0 ? CW - LABEL_W - 70.0 : (double)v[k] * scale;
			fprintf(f, "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>"
				"<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">", LABEL_W, by, w > 1 ? w : 1,
				BAR_H - 1, shade[k], LABEL_W + w + 4, by + 9.5);
			if (v[k] < 0)
				fputs("never", f);
			else
				fprintf(f, "%" PRId64 ".%03" PRId64 " s", v[k] / 1000, v[k] % 1000);
			fputs("</text>\n", f);
		}
		y += 3 * BAR_H + 10.0;
	}
	fprintf(f, "<line x1=\"%.0f\" y1=\"26\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#333\"/>\n"
		"<text x=\"%.0f\" y=\"%.1f\" fill=\"#555\">0 s</text><text x=\"%.0f\" y=\"%.1f\" "
		"text-anchor=\"end\" fill=\"#555\">%" PRId64 ".%03" PRId64 " s</text>\n</svg>\n",
		LABEL_W, LABEL_W, y, LABEL_W, y + 14, LABEL_W + (double)top * scale, y + 14,
		top / 1000, top % 1000);
	fprintf(f, "<figcaption>%s when ", home ? "Time to be home after the site returns"
		: "Time without a SIP connection");
	ds_svg_esc(f, rs->site);
	fputs(" is lost, per agent group (all runs)</figcaption></figure>\n", f);
}

/* Peak REGISTERs per second at each registrar, against the capacity. */
static void reg_chart(FILE *f, const struct ds_report *r, const struct ds_report_site *rs)
{
	uint32_t top = r->capacity;
	double h = 30.0 + rs->n_regs * 22.0 + 24.0;

	for (size_t k = 0; k < rs->n_regs; k++)
		top = rs->regs[k].peak > top ? rs->regs[k].peak : top;
	top = top ? top : 1;
	double scale = (CW - LABEL_W - 230.0) / (double)top;
	fprintf(f, "<figure><svg class=\"chart\" id=\"chart-registers-");
	id_of(f, rs->site);
	fprintf(f, "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n<title>REGISTERs per second</title>\n",
		CW, h, CW, h);
	double y = 26.0;
	for (size_t k = 0; k < rs->n_regs; k++) {
		const struct ds_report_reg *g = &rs->regs[k];

		fprintf(f, "<text x=\"4\" y=\"%.1f\">", y + 12);
		ds_svg_esc(f, g->name);
		fprintf(f, "</text><rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"14\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">peak %" PRIu32 "/s, mean %.2f/s</text>\n",
			LABEL_W, y, g->peak * scale > 1 ? g->peak * scale : 1, g->over ? "#d64541" : "#3b78c2",
			LABEL_W + g->peak * scale + 4, y + 11, g->peak, g->mean);
		y += 22.0;
	}
	if (!rs->n_regs)
		fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" fill=\"#555\">no REGISTER after the outage</text>\n",
			LABEL_W, y + 12);
	if (r->capacity)
		fprintf(f, "<line x1=\"%.1f\" y1=\"20\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d64541\" "
			"stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"16\" fill=\"#d64541\" "
			"text-anchor=\"middle\">capacity %" PRIu32 "/s</text>\n", LABEL_W + r->capacity * scale,
			LABEL_W + r->capacity * scale, y, LABEL_W + r->capacity * scale, r->capacity);
	fprintf(f, "</svg>\n<figcaption>Peak REGISTERs per second (1-s windows) at each registrar "
		"after the outage%s</figcaption></figure>\n", r->capacity ? ", against "
		"dualsite.registrar-capacity" : "; capacity unknown (dualsite.registrar-capacity not set)");
}

static void group_table(FILE *f, const struct ds_report_site *rs)
{
	fputs("<table><thead><tr><th>group</th><th>agents</th><th>affected (agent-runs)</th>"
	      "<th>without SIP p50</th><th>p99</th><th>max</th><th>home p50</th><th>p99</th>"
	      "<th>max</th><th>never back</th></tr></thead><tbody>\n", f);
	for (size_t g = 0; g <= rs->n_groups; g++) {
		const struct ds_report_group *gr = g < rs->n_groups ? &rs->groups[g] : &rs->all;

		fputs(g < rs->n_groups ? "<tr><td>" : "<tr class=\"all\"><td>", f);
		ds_svg_esc(f, gr->name);
		fprintf(f, "</td><td>%zu</td><td>%zu</td><td>", gr->agents, gr->affected);
		secs(f, gr->without.p50, gr->without.n);
		fputs("</td><td>", f);
		secs(f, gr->without.p99, gr->without.n);
		fputs("</td><td>", f);
		secs(f, gr->without.max, gr->without.n);
		fputs("</td><td>", f);
		secs(f, gr->home.p50, gr->home.n);
		fputs("</td><td>", f);
		secs(f, gr->home.p99, gr->home.n);
		fputs("</td><td>", f);
		secs(f, gr->home.max, gr->home.n);
		fprintf(f, "</td><td%s>%zu</td></tr>\n", gr->never ? " class=\"bad\"" : "", gr->never);
	}
	fputs("</tbody></table>\n", f);
}

int ds_report_html(FILE *f, const struct ds_report *r)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>dualsite "
	      "report: ", f);
	ds_svg_esc(f, r->file);
	fputs("</title>\n<style>\nbody{font-family:'DejaVu Sans',Verdana,sans-serif;color:#111;"
	      "background:#fff;margin:24px;max-width:1000px}\nh1{font-size:22px}h2{font-size:18px;"
	      "border-bottom:1px solid #999;margin-top:32px}\ntable{border-collapse:collapse;"
	      "margin:8px 0;font-size:13px}td,th{border:1px solid #bbb;padding:3px 6px;text-align:right}"
	      "td:first-child,th:first-child{text-align:left}\ntr.all td{font-weight:bold}"
	      ".bad{color:#b00;font-weight:bold}.ok{color:#060}\nfigure{margin:12px 0;"
	      "page-break-inside:avoid;break-inside:avoid}figcaption{font-size:12px;color:#444}\n"
	      "svg text{font-family:'DejaVu Sans',Verdana,sans-serif;font-size:11px}\n"
	      "@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}}\n"
	      "</style></head><body>\n<h1>Business Continuity readiness: ", f);
	ds_svg_esc(f, r->file);
	fprintf(f, "</h1>\n<p>%zu agents; each site lost %u times at a random instant, back after "
		"%" PRId64 " s (seed %" PRIu64 "). <span class=\"%s\">%s</span></p>\n", r->n_agents,
		r->opts.runs, r->opts.outage_ms / 1000, r->opts.seed, r->failed ? "bad" : "ok",
		r->failed ? "Not ready: a registrar's capacity is exceeded or an agent never gets "
		"service back." : "Every affected agent got service back, within each registrar's "
		"capacity.");
	for (size_t s = 0; s < r->n_sites; s++) {
		const struct ds_report_site *rs = &r->sites[s];

		fputs("<h2>", f);
		ds_svg_esc(f, rs->site);
		fputs(" lost</h2>\n", f);
		group_table(f, rs);
		stat_chart(f, rs, false);
		stat_chart(f, rs, true);
		reg_chart(f, r, rs);
		if (rs->n_worst) {
			fputs("<p>Worst agents (longest time without a SIP connection): ", f);
			for (size_t w = 0; w < rs->n_worst; w++) {
				fputs(w ? ", " : "", f);
				ds_svg_esc(f, rs->worst[w].name);
				fputs(" ", f);
				secs(f, rs->worst[w].without_max, 1);
				fprintf(f, " s (run %u)", rs->worst[w].run + 1);
			}
			fputs("</p>\n", f);
		}
	}
	fprintf(f, "<h2>Unprotected agents (%zu)</h2>\n", r->n_unprotected);
	if (r->n_unprotected) {
		fputs("<table><thead><tr><th>agent</th><th>why</th></tr></thead><tbody>\n", f);
		for (size_t i = 0; i < r->n_unprotected; i++) {
			fputs("<tr><td>", f);
			ds_svg_esc(f, r->unprotected[i].agent);
			fputs("</td><td>", f);
			ds_svg_esc(f, r->unprotected[i].why);
			fputs("</td></tr>\n", f);
		}
		fputs("</tbody></table>\n", f);
	}
	fprintf(f, "<h2>Findings of validate that change these figures (%zu)</h2>\n<ul>\n",
		r->findings.n);
	for (size_t i = 0; i < r->findings.n; i++) {
		const struct ds_diag *d = &r->findings.v[i];

		fputs("<li><code>", f);
		ds_svg_esc(f, d->loc.file ? d->loc.file : "-");
		fprintf(f, ":%d:%d</code> %s: <code>", d->loc.line, d->loc.col,
			d->sev == DS_SEV_ERROR ? "error" : "warning");
		ds_svg_esc(f, d->path ? d->path : "");
		fputs("</code>: ", f);
		ds_svg_esc(f, d->msg);
		fputs("</li>\n", f);
	}
	fputs("</ul>\n<p>Figures by dualsite report (docs/report.md); the bounds they follow are "
	      "worked out in docs/behaviour.md.</p>\n</body></html>\n", f);
	return fflush(f) || ferror(f) ? EIO : 0;
}
