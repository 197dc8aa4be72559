/* Draws a fleet's run (many agents) as one self-contained SVG picture.
 *
 * A fleet of thousands of agents cannot be drawn lane by lane, so the
 * picture counts instead: for each connected kind, a stacked area of the
 * agents connected at each site, lost, out of service and not yet
 * connected, over time; below, the REGISTERs per second at each registrar
 * (1-s windows, as the readiness report counts them); outages of servers
 * and sites are shaded across both. The counts are sampled at a fixed
 * number of instants (FLEET_BINS) so that the picture's size does not grow
 * with the fleet; a state shorter than one sample step may not show. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "dualsite/sim.h"
#include "simint.h"

#define F_W 1400.0
#define F_LEFT 150.0
#define F_RIGHT 40.0
#define F_CHART_H 150.0
#define F_GAP 46.0
#define FLEET_BINS 700
#define MAX_SITES 8
#define MAX_REGS 32
#define MAX_OUTAGES 64

static const char *const site_colors[MAX_SITES] = {
	"#3b78c2", "#e8892b", "#2e9e5b", "#8e44ad", "#b5651d", "#17a2b8", "#6c757d", "#d63384",
};
#define LOST_COLOR "#f2c14e"
#define OOS_COLOR "#7a7a7a"
#define NONE_COLOR "#e6e6e6"
#define DOWN_COLOR "#d64541"
static const char *const reg_colors[] = {
	"#3b78c2", "#e8892b", "#2e9e5b", "#8e44ad", "#d64541", "#17a2b8", "#b5651d", "#333333",
};

struct outage {
	const char *name;
	int64_t t0, t1;
};

struct fleet {
	FILE *f;
	const struct ds_engine_conf *const *confs;
	size_t n;
	const struct ds_sim_trace *tr;
	int64_t duration;
	const char *sites[MAX_SITES];
	int n_sites;
	int n_states;                  /* sites, then lost, out of service, not yet */
	int nbins;
	uint32_t *counts[DS_KIND_COUNT];   /* [bin * n_states + state] */
	bool kind_used[DS_KIND_COUNT];
	int reg_id[MAX_REGS];
	const char *reg_name[MAX_REGS];
	uint32_t *per_sec[MAX_REGS];
	int n_regs;
	int64_t n_secs;
	struct outage out[MAX_OUTAGES];
	int n_out;
};

static double fx(const struct fleet *fl, int64_t t)
{
	double span = fl->duration > 0 ? (double)fl->duration : 1.0;

	return F_LEFT + (double)t / span * (F_W - F_LEFT - F_RIGHT);
}

/* The fleet-wide index of agent `conf`'s site `site`; -1 when none. */
static int site_of(struct fleet *fl, const struct ds_engine_conf *conf, int site)
{
	const char *name = site >= 0 && site < 2 ? conf->site_name[site] : NULL;

	if (!name)
		return -1;
	for (int i = 0; i < fl->n_sites; i++)
		if (!strcmp(fl->sites[i], name))
			return i;
	if (fl->n_sites == MAX_SITES)
		return -1;
	fl->sites[fl->n_sites] = name;
	return fl->n_sites++;
}

static const char *server_name(const struct fleet *fl, int id)
{
	for (size_t i = 0; i < fl->n; i++)
		for (int s = 0; s < DS_SLOT_COUNT; s++)
			if (fl->confs[i]->server_id[s] == id && fl->confs[i]->server_name[s])
				return fl->confs[i]->server_name[s];
	return "?";
}

/* The state an event leaves a connection in: a site, lost, out of service;
 * -1: unchanged. */
static int state_after(struct fleet *fl, const struct ds_engine_conf *c, const struct ds_event *ev)
{
	int lost = fl->n_sites, oos = fl->n_sites + 1;

	switch (ev->type) {
	case DS_EV_CONNECTED:
	case DS_EV_HA_SWITCH:
		return site_of(fl, c, ev->site);
	case DS_EV_SWITCHOVER:
	case DS_EV_RESTORE:
		return site_of(fl, c, ev->to);
	case DS_EV_CONNECTION_LOST:
		return lost;
	case DS_EV_OUT_OF_SERVICE:
		return oos;
	case DS_EV_RESTORE_DEFERRED:
	case DS_EV_REGISTERED:
	case DS_EV_REGISTRATION_LOST:
	case DS_EV_REGISTRATION_FAILED:
	case DS_EV_CALL_START:
	case DS_EV_CALL_END:
		return -1;
	}
	return -1;
}

static int count_states(struct fleet *fl)
{
	/* every site first, so that the state numbers are fixed before counting */
	for (size_t i = 0; i < fl->n; i++)
		for (int s = 0; s < 2; s++)
			site_of(fl, fl->confs[i], s);
	fl->n_states = fl->n_sites + 3;
	int none = fl->n_sites + 2;
	int16_t *st = malloc(fl->n * DS_KIND_COUNT * sizeof(*st));
	uint32_t cur[DS_KIND_COUNT][MAX_SITES + 3];

	if (!st)
		return ENOMEM;
	memset(cur, 0, sizeof(cur));
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		for (size_t i = 0; i < fl->n; i++) {
			st[i * DS_KIND_COUNT + k] = (int16_t)none;
			if (fl->confs[i]->kind_connected[k]) {
				fl->kind_used[k] = true;
				cur[k][none]++;
			}
		}
		if (fl->kind_used[k] &&
		    !(fl->counts[k] = calloc((size_t)fl->nbins * (size_t)fl->n_states, sizeof(uint32_t)))) {
			free(st);
			return ENOMEM;
		}
	}
	size_t r = 0;
	for (int b = 0; b < fl->nbins; b++) {
		int64_t tb = fl->duration * b / fl->nbins;

		for (; r < fl->tr->n && (fl->tr->v[r].is_note || fl->tr->v[r].ev.t <= tb); r++) {
			const struct ds_sim_rec *rec = &fl->tr->v[r];
			if (rec->is_note || rec->agent < 0 || (size_t)rec->agent >= fl->n)
				continue;
			const struct ds_event *ev = &rec->ev;
			int k = (int)ev->kind, ns = state_after(fl, fl->confs[rec->agent], ev);
			if (ns < 0 || k < 0 || k >= DS_KIND_COUNT || !fl->kind_used[k])
				continue;
			int16_t *os = &st[(size_t)rec->agent * DS_KIND_COUNT + (size_t)k];
			cur[k][*os]--;
			cur[k][ns]++;
			*os = (int16_t)ns;
		}
		for (int k = 0; k < DS_KIND_COUNT; k++)
			if (fl->kind_used[k])
				memcpy(fl->counts[k] + (size_t)b * (size_t)fl->n_states, cur[k],
				       (size_t)fl->n_states * sizeof(uint32_t));
	}
	free(st);
	return 0;
}

static int count_regs(struct fleet *fl)
{
	fl->n_secs = fl->duration / 1000 + 1;
	for (size_t i = 0; i < fl->tr->n_regs; i++) {
		const struct ds_sim_reg *g = &fl->tr->regs[i];
		int r = 0;

		if (g->t < 0 || g->t > fl->duration)
			continue;
		while (r < fl->n_regs && fl->reg_id[r] != g->server_id)
			r++;
		if (r == fl->n_regs) {
			if (r == MAX_REGS)
				continue;
			if (!(fl->per_sec[r] = calloc((size_t)fl->n_secs, sizeof(uint32_t))))
				return ENOMEM;
			fl->reg_id[r] = g->server_id;
			fl->reg_name[r] = server_name(fl, g->server_id);
			fl->n_regs++;
		}
		fl->per_sec[r][g->t / 1000]++;
	}
	return 0;
}

/* Spans between a `down: NAME` and its `up: NAME` (or the end). */
static void find_outages(struct fleet *fl)
{
	for (size_t i = 0; i < fl->tr->n; i++) {
		const struct ds_sim_rec *r = &fl->tr->v[i];

		if (!r->is_note || r->note.type != DS_NOTE_FAULT || !r->fault.name ||
		    (r->fault.type != DS_FAULT_DOWN && r->fault.type != DS_FAULT_UP))
			continue;
		int o = fl->n_out - 1;
		while (o >= 0 && (strcmp(fl->out[o].name, r->fault.name) || fl->out[o].t1 >= 0))
			o--;
		if (r->fault.type == DS_FAULT_UP) {
			if (o >= 0)
				fl->out[o].t1 = r->note.t;
		} else if (o < 0 && fl->n_out < MAX_OUTAGES) {
			fl->out[fl->n_out++] = (struct outage){r->fault.name, r->note.t, -1};
		}
	}
	for (int o = 0; o < fl->n_out; o++)
		if (fl->out[o].t1 < 0)
			fl->out[o].t1 = fl->duration;
}

static void axis(struct fleet *fl, double y0, double y1)
{
	int64_t step = ds_svg_tick_step(fl->duration > 0 ? fl->duration : 1);
	char ts[32];

	for (int64_t t = 0; t <= fl->duration; t += step) {
		double x = fx(fl, t);

		ds_svg_secs(ts, sizeof(ts), t);
		fprintf(fl->f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">%ss</text>\n",
			x, y0, x, y1, x, y1 + 13.0, ts);
	}
}

static void y_label(struct fleet *fl, double y, const char *text)
{
	fprintf(fl->f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%s</text>\n",
		F_LEFT - 4.0, y + 4.0, text);
}

static const char *state_color(const struct fleet *fl, int s)
{
	return s < fl->n_sites ? site_colors[s] : s == fl->n_sites ? LOST_COLOR
	       : s == fl->n_sites + 1 ? OOS_COLOR : NONE_COLOR;
}

/* One kind: the stacked areas, bottom up in state order; a step edge only
 * where a count changes. */
static void kind_chart(struct fleet *fl, int k, double y)
{
	const uint32_t *c = fl->counts[k];
	double scale = F_CHART_H / (double)(fl->n ? fl->n : 1);
	int ns = fl->n_states;
	char buf[32];

	fprintf(fl->f, "<g class=\"chart\" id=\"agents-%s\">\n<text x=\"10\" y=\"%.1f\" "
		"font-weight=\"bold\">%s</text><text x=\"10\" y=\"%.1f\" font-size=\"9\" fill=\"#666\">"
		"agents per site and state</text>\n", ds_kind_name((enum ds_kind)k), y + 12.0,
		ds_kind_name((enum ds_kind)k), y + 24.0);
	for (int s = 0; s < ns; s++) {
		/* upper edge left to right, lower edge back */
		fprintf(fl->f, "<path fill=\"%s\" d=\"", state_color(fl, s));
		for (int pass = 0; pass < 2; pass++) {
			double last = -1.0;
			for (int i = 0; i < fl->nbins; i++) {
				int b = pass ? fl->nbins - 1 - i : i;
				uint32_t sum = 0;
				for (int q = 0; q < s + (pass ? 0 : 1); q++)
					sum += c[(size_t)b * (size_t)ns + (size_t)q];
				double yy = y + F_CHART_H - sum * scale;
				double x0 = fx(fl, fl->duration * b / fl->nbins);
				double x1 = fx(fl, fl->duration * (b + 1) / fl->nbins);
				if (i == 0 || yy != last)
					fprintf(fl->f, "%s%.1f %.1f ", i == 0 && !pass ? "M" : "L",
						pass ? x1 : x0, yy);
				fprintf(fl->f, "L%.1f %.1f ", pass ? x0 : x1, yy);
				last = yy;
			}
		}
		fprintf(fl->f, "Z\"><title>");
		ds_svg_esc(fl->f, s < fl->n_sites ? fl->sites[s] : s == fl->n_sites ? "lost"
			   : s == fl->n_sites + 1 ? "out of service" : "not yet connected");
		fprintf(fl->f, "</title></path>\n");
	}
	fprintf(fl->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
		"stroke=\"#999\"/>\n", F_LEFT, y, F_W - F_LEFT - F_RIGHT, F_CHART_H);
	snprintf(buf, sizeof(buf), "%zu", fl->n);
	y_label(fl, y, buf);
	y_label(fl, y + F_CHART_H, "0");
	fprintf(fl->f, "</g>\n");
}

static void reg_chart(struct fleet *fl, double y)
{
	uint32_t peak = 1;
	char buf[64];

	for (int r = 0; r < fl->n_regs; r++)
		for (int64_t s = 0; s < fl->n_secs; s++)
			if (fl->per_sec[r][s] > peak)
				peak = fl->per_sec[r][s];
	fprintf(fl->f, "<g class=\"chart\" id=\"registers\">\n<text x=\"10\" y=\"%.1f\" "
		"font-weight=\"bold\">REGISTERs</text><text x=\"10\" y=\"%.1f\" font-size=\"9\" "
		"fill=\"#666\">%s</text>\n", y + 12.0, y + 24.0,
		fl->tr->regs_answered ? "answered per second" : "per second, each registrar");
	fprintf(fl->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
		"stroke=\"#999\"/>\n", F_LEFT, y, F_W - F_LEFT - F_RIGHT, F_CHART_H);
	for (int r = 0; r < fl->n_regs; r++) {
		const char *col = reg_colors[r % (int)(sizeof(reg_colors) / sizeof(reg_colors[0]))];
		uint32_t max = 0, last = UINT32_MAX;
		int64_t at = 0;
		uint64_t total = 0;

		fprintf(fl->f, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" d=\"", col);
		for (int64_t s = 0; s < fl->n_secs; s++) {
			uint32_t v = fl->per_sec[r][s];
			double yy = y + F_CHART_H - (double)v / peak * F_CHART_H;
			int64_t t1 = (s + 1) * 1000 < fl->duration ? (s + 1) * 1000 : fl->duration;

			total += v;
			if (v > max) {
				max = v;
				at = s;
			}
			if (v != last)
				fprintf(fl->f, "%s%.1f %.1f ", s ? "L" : "M", fx(fl, s * 1000), yy);
			fprintf(fl->f, "L%.1f %.1f ", fx(fl, t1), yy);
			last = v;
		}
		fprintf(fl->f, "\"><title>");
		ds_svg_esc(fl->f, fl->reg_name[r]);
		fprintf(fl->f, "</title></path>\n");
		double ly = y + F_CHART_H + 28.0 + 14.0 * r;
		fprintf(fl->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"3\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%.1f\">", F_LEFT, ly - 4.0, col, F_LEFT + 18.0, ly);
		ds_svg_esc(fl->f, fl->reg_name[r]);
		fprintf(fl->f, ": peak %" PRIu32 "/s at %" PRId64 "s, mean %.2f/s, %" PRIu64
			" in all</text>\n", max, at, fl->n_secs ? (double)total / (double)fl->n_secs : 0.0,
			total);
	}
	if (!fl->n_regs)
		fprintf(fl->f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">no REGISTER in this run"
			"</text>\n", F_LEFT + 8.0, y + F_CHART_H / 2);
	snprintf(buf, sizeof(buf), "%" PRIu32 "/s", peak);
	y_label(fl, y, buf);
	y_label(fl, y + F_CHART_H, "0");
	fprintf(fl->f, "</g>\n");
}

static void legend(struct fleet *fl, double y)
{
	double x = F_LEFT;

	for (int s = 0; s < fl->n_states; s++) {
		fprintf(fl->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%.1f\">", x, y, state_color(fl, s), x + 18.0, y + 9.0);
		ds_svg_esc(fl->f, s < fl->n_sites ? fl->sites[s] : s == fl->n_sites ? "lost"
			   : s == fl->n_sites + 1 ? "out of service" : "not yet connected");
		fprintf(fl->f, "</text>\n");
		x += 150.0;
	}
	fprintf(fl->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\"%s\" "
		"fill-opacity=\"0.25\"/><text x=\"%.1f\" y=\"%.1f\">outage (server or site down)"
		"</text>\n", x, y, DOWN_COLOR, x + 18.0, y + 9.0);
}

static void emit(struct fleet *fl, const char *title)
{
	int n_kinds = 0;
	char ds[32];

	for (int k = 0; k < DS_KIND_COUNT; k++)
		n_kinds += fl->kind_used[k];
	double top = 104.0;
	double charts_end = top + (n_kinds + 1) * (F_CHART_H + F_GAP);
	double height = charts_end + 14.0 * fl->n_regs + 20.0;

	ds_svg_secs(ds, sizeof(ds), fl->duration);
	fprintf(fl->f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Verdana, sans-serif\" "
		"font-size=\"11\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
		F_W, height, F_W, height);
	fprintf(fl->f, "<text x=\"12\" y=\"22\" font-size=\"15\" font-weight=\"bold\">");
	ds_svg_esc(fl->f, title);
	fprintf(fl->f, "</text><text x=\"12\" y=\"40\" fill=\"#555\">%zu agents, %ss; %d "
		"registrar%s %s</text>\n", fl->n, ds, fl->n_regs, fl->n_regs == 1 ? "" : "s",
		fl->tr->regs_answered ? "answered REGISTERs (registered events)" : "sent REGISTERs");
	legend(fl, 50.0);
	/* outages: a labelled bar each, and a shade across the charts */
	for (int o = 0; o < fl->n_out; o++) {
		double x0 = fx(fl, fl->out[o].t0), x1 = fx(fl, fl->out[o].t1);
		double by = 70.0 + (o % 2) * 14.0;

		fprintf(fl->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
			"fill-opacity=\"0.10\"/>\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"11\" "
			"fill=\"%s\"><title>", x0, top, x1 - x0 > 0.5 ? x1 - x0 : 0.5, charts_end - top,
			DOWN_COLOR, x0, by, x1 - x0 > 0.5 ? x1 - x0 : 0.5, DOWN_COLOR);
		ds_svg_esc(fl->f, fl->out[o].name);
		fprintf(fl->f, " down</title></rect><text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
			"fill=\"#8b1a1a\">", x1 + 3.0, by + 9.0);
		ds_svg_esc(fl->f, fl->out[o].name);
		fprintf(fl->f, " down</text>\n");
	}
	double y = top + 10.0;
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		if (!fl->kind_used[k])
			continue;
		axis(fl, y, y + F_CHART_H);
		kind_chart(fl, k, y);
		y += F_CHART_H + F_GAP;
	}
	axis(fl, y, y + F_CHART_H);
	reg_chart(fl, y);
	fprintf(fl->f, "</svg>\n");
}

int ds_sim_fleet_svg_write(FILE *f, const char *title, const struct ds_engine_conf *const *confs,
			   size_t n_agents, const struct ds_sim_trace *tr, int64_t duration)
{
	struct fleet fl = {.f = f, .confs = confs, .n = n_agents, .tr = tr,
			   .duration = duration > 0 ? duration : 1};
	int err;

	fl.nbins = fl.duration < FLEET_BINS ? (int)fl.duration : FLEET_BINS;
	err = count_states(&fl);
	if (!err)
		err = count_regs(&fl);
	if (!err) {
		find_outages(&fl);
		emit(&fl, title);
	}
	for (int k = 0; k < DS_KIND_COUNT; k++)
		free(fl.counts[k]);
	for (int r = 0; r < fl.n_regs; r++)
		free(fl.per_sec[r]);
	if (err)
		return err;
	return fflush(f) || ferror(f) ? EIO : 0;
}
