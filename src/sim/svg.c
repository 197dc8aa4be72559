/* Draws a simulated run as one self-contained SVG timeline.
 *
 * From top to bottom: the scenario's happenings, whole-site outages, one
 * thin row per server (silent spans in red), one lane per connected kind
 * (the site in use, hatched while lost, grey hatching while out of
 * service), the registrations at proxy0 and proxy1, and calls. Site-wide
 * outages are also shaded across every lane. Each event is marked on its
 * lane and labelled beside it; labels that would overlap are moved to
 * further rows below the lane, joined to their mark by a thin leader. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dualsite/sim.h"
#include "simint.h"

#define W_TOTAL 1400.0
#define X_LEFT 130.0
#define X_RIGHT 40.0
#define BAR_H 16.0
#define ROW_H 13.0
#define LANE_GAP 10.0
#define SRV_H 11.0
#define CHAR_W 6.4       /* 11px sans-serif, a little generous */
#define MAX_LANES 8

#define SITE0_COLOR "#3b78c2"
#define SITE1_COLOR "#e8892b"
static const char *const site_color[2] = {SITE0_COLOR, SITE1_COLOR};
#define OOS_COLOR "#7a7a7a"
#define DOWN_COLOR "#d64541"

enum seg_style { SEG_ON, SEG_LOST, SEG_OOS };

struct seg {
	int64_t t0, t1;
	enum seg_style style;
	int site;
	char text[48];
};

struct label {
	double x, left, w;
	int row;
	bool note;
	char text[160];
};

struct lane {
	const char *title;
	char sub[48];
	struct seg *segs;
	size_t n_segs, cap_segs;
	struct label *labels;
	size_t n_labels, cap_labels;
	int rows;                /* of labels */
	int bars;                /* rows of bars: 1, or one per site for outages */
	double y;                /* top of the bar */
	/* an open segment: */
	bool open;
	struct seg cur;
};

struct draw {
	FILE *f;
	const struct ds_engine_conf *conf;
	int64_t duration;
	const char *title;       /* "dualsite simulate" */
	const char *span_word;   /* "simulated" */
	struct lane lanes[MAX_LANES];
	int n_lanes;
	int lane_scenario, lane_outage, lane_kind[DS_KIND_COUNT], lane_proxy[2], lane_call;
	struct seg *down[DS_SLOT_COUNT];      /* per server: silent spans */
	size_t n_down[DS_SLOT_COUNT], cap_down[DS_SLOT_COUNT];
	int err;
};

static double xt(const struct draw *d, int64_t t)
{
	double span = d->duration > 0 ? (double)d->duration : 1.0;

	return X_LEFT + (double)t / span * (W_TOTAL - X_LEFT - X_RIGHT);
}

void ds_svg_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* Seconds without trailing zeros: 12, 12.5, 0.05. */
void ds_svg_secs(char *buf, size_t sz, int64_t t)
{
	int64_t ms = t % 1000;

	if (!ms)
		snprintf(buf, sz, "%" PRId64, t / 1000);
	else if (ms % 100 == 0)
		snprintf(buf, sz, "%" PRId64 ".%" PRId64, t / 1000, ms / 100);
	else if (ms % 10 == 0)
		snprintf(buf, sz, "%" PRId64 ".%02" PRId64, t / 1000, ms / 10);
	else
		snprintf(buf, sz, "%" PRId64 ".%03" PRId64, t / 1000, ms);
}

static const char *site_name(const struct draw *d, int site, char *buf, size_t sz)
{
	if (site >= 0 && site < 2 && d->conf->site_name[site])
		return d->conf->site_name[site];
	snprintf(buf, sz, "site %d", site);
	return buf;
}

static void *grow(struct draw *d, void **v, size_t *n, size_t *cap, size_t elem)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		void *nv = realloc(*v, c * elem);

		if (!nv) {
			d->err = ENOMEM;
			return NULL;
		}
		*v = nv;
		*cap = c;
	}
	char *p = (char *)*v + (*n)++ * elem;
	memset(p, 0, elem);
	return p;
}

static void seg_add(struct draw *d, struct lane *l, const struct seg *s)
{
	if (s->t1 <= s->t0)
		return;
	struct seg *n = grow(d, (void **)&l->segs, &l->n_segs, &l->cap_segs, sizeof(*n));
	if (n)
		*n = *s;
}

static void lane_close(struct draw *d, struct lane *l, int64_t t)
{
	if (!l->open)
		return;
	l->cur.t1 = t;
	seg_add(d, l, &l->cur);
	l->open = false;
}

static void lane_open(struct draw *d, struct lane *l, int64_t t, enum seg_style st,
		      int site, const char *text)
{
	lane_close(d, l, t);
	l->open = true;
	memset(&l->cur, 0, sizeof(l->cur));
	l->cur.t0 = t;
	l->cur.style = st;
	l->cur.site = site;
	if (text)
		snprintf(l->cur.text, sizeof(l->cur.text), "%s", text);
}

static void label_add(struct draw *d, struct lane *l, int64_t t, bool note, const char *text)
{
	struct label *lb = grow(d, (void **)&l->labels, &l->n_labels, &l->cap_labels, sizeof(*lb));
	char ts[32];

	if (!lb)
		return;
	ds_svg_secs(ts, sizeof(ts), t);
	lb->x = xt(d, t);
	lb->note = note;
	snprintf(lb->text, sizeof(lb->text), "%ss %s", ts, text);
	lb->w = (double)strlen(lb->text) * CHAR_W + 4.0;
}

static int new_lane(struct draw *d, const char *title, const char *sub)
{
	struct lane *l = &d->lanes[d->n_lanes];

	l->title = title;
	l->bars = 1;
	snprintf(l->sub, sizeof(l->sub), "%s", sub ? sub : "");
	return d->n_lanes++;
}

static const char *server_name(const struct draw *d, int slot)
{
	return slot >= 0 && slot < DS_SLOT_COUNT && d->conf->server_name[slot]
		       ? d->conf->server_name[slot] : "?";
}

/* ds_event_text() starts with the kind, "proxyN" or "call": the lane says that. */
static void event_label(struct draw *d, struct lane *l, const struct ds_event *ev)
{
	char buf[256];
	const char *p = buf;

	ds_event_text(ev, d->conf, buf, sizeof(buf));
	while (*p && *p != ' ')
		p++;
	while (*p == ' ')
		p++;
	label_add(d, l, ev->t, false, *p ? p : buf);
}

static void on_event(struct draw *d, const struct ds_event *ev)
{
	struct lane *l;
	int li = -1;

	switch (ev->type) {
	case DS_EV_REGISTERED:
	case DS_EV_REGISTRATION_LOST:
	case DS_EV_REGISTRATION_FAILED:
		li = ev->proxy >= 0 && ev->proxy < 2 ? d->lane_proxy[ev->proxy] : -1;
		break;
	case DS_EV_CALL_START:
	case DS_EV_CALL_END:
		li = d->lane_call;
		break;
	case DS_EV_CONNECTED:
	case DS_EV_HA_SWITCH:
	case DS_EV_CONNECTION_LOST:
	case DS_EV_SWITCHOVER:
	case DS_EV_RESTORE:
	case DS_EV_RESTORE_DEFERRED:
	case DS_EV_OUT_OF_SERVICE:
		li = ev->kind >= 0 && ev->kind < DS_KIND_COUNT ? d->lane_kind[ev->kind] : -1;
		break;
	}
	if (li < 0)
		return;
	l = &d->lanes[li];
	switch (ev->type) {
	case DS_EV_CONNECTED:
		lane_open(d, l, ev->t, SEG_ON, ev->site, server_name(d, ev->slot));
		break;
	case DS_EV_HA_SWITCH:
		lane_open(d, l, ev->t, SEG_ON, ev->site, server_name(d, ev->to));
		break;
	case DS_EV_CONNECTION_LOST:
		lane_open(d, l, ev->t, SEG_LOST, ev->site, "lost");
		break;
	case DS_EV_SWITCHOVER:
	case DS_EV_RESTORE:
		lane_open(d, l, ev->t, SEG_ON, ev->to, NULL);
		break;
	case DS_EV_OUT_OF_SERVICE:
		lane_open(d, l, ev->t, SEG_OOS, -1, "out of service");
		break;
	case DS_EV_REGISTERED:
		lane_open(d, l, ev->t, SEG_ON, ev->site, server_name(d, ev->slot));
		break;
	case DS_EV_CALL_START:
		lane_open(d, l, ev->t, SEG_ON, ev->site, "call");
		break;
	case DS_EV_REGISTRATION_LOST:
	case DS_EV_CALL_END:
		lane_close(d, l, ev->t);
		break;
	case DS_EV_RESTORE_DEFERRED:
	case DS_EV_REGISTRATION_FAILED: /* nothing was held: no bar ends */
		break;
	}
	event_label(d, l, ev);
}

/* Per-server silent spans, and whole-site outages (every server of the
 * agent at that site silent). */
static void on_fault(struct draw *d, const struct ds_fault *f, int64_t t,
		     int64_t down_since[DS_SLOT_COUNT], int64_t site_since[2])
{
	bool up = f->type == DS_FAULT_UP;

	for (int s = 0; s < DS_SLOT_COUNT; s++) {
		if (!(f->slots & (1u << s)) || d->conf->server_id[s] < 0)
			continue;
		if (!up && down_since[s] < 0) {
			down_since[s] = t;
		} else if (up && down_since[s] >= 0) {
			struct seg *sg = grow(d, (void **)&d->down[s], &d->n_down[s], &d->cap_down[s],
					      sizeof(*sg));
			if (sg) {
				sg->t0 = down_since[s];
				sg->t1 = t;
			}
			down_since[s] = -1;
		}
	}
	for (int site = 0; site < 2; site++) {
		bool any = false, all = true;

		for (int s = 0; s < DS_SLOT_COUNT; s++) {
			if (d->conf->server_id[s] < 0 || DS_SLOT_SITE(s) != site)
				continue;
			any = true;
			all &= down_since[s] >= 0;
		}
		bool down = any && all;
		char nb[16];
		if (down && site_since[site] < 0) {
			site_since[site] = t;
		} else if (!down && site_since[site] >= 0) {
			struct seg sg = {.t0 = site_since[site], .t1 = t, .style = SEG_OOS, .site = site};
			snprintf(sg.text, sizeof(sg.text), "%.40s down", site_name(d, site, nb, sizeof(nb)));
			seg_add(d, &d->lanes[d->lane_outage], &sg);
			site_since[site] = -1;
		}
	}
}

static void build(struct draw *d, const struct ds_sim_trace *tr)
{
	const struct ds_engine_conf *c = d->conf;
	int64_t down_since[DS_SLOT_COUNT], site_since[2] = {-1, -1};
	char nb[16], sub[48];

	for (int s = 0; s < DS_SLOT_COUNT; s++)
		down_since[s] = -1;
	d->lane_scenario = new_lane(d, "scenario", NULL);
	d->lane_outage = new_lane(d, "site outages", NULL);
	d->lanes[d->lane_outage].bars = c->site_name[1] ? 2 : 1;
	for (int k = 0; k < DS_KIND_COUNT; k++)
		d->lane_kind[k] = c->kind_connected[k] ? new_lane(d, ds_kind_name(k), "site in use") : -1;
	d->lane_proxy[0] = d->lane_proxy[1] = d->lane_call = -1;
	if (c->kind_connected[DS_KIND_SIP]) {
		for (int p = 0; p < 2; p++) {
			if (p == 1 && !c->site_name[1])
				continue;
			snprintf(sub, sizeof(sub), "registration at %s", site_name(d, p, nb, sizeof(nb)));
			d->lane_proxy[p] = new_lane(d, p ? "proxy1" : "proxy0", sub);
		}
		d->lane_call = new_lane(d, "call", NULL);
	}
	for (size_t i = 0; i < tr->n && !d->err; i++) {
		const struct ds_sim_rec *r = &tr->v[i];

		if (!r->is_note) {
			on_event(d, &r->ev);
			continue;
		}
		label_add(d, &d->lanes[d->lane_scenario], r->note.t, true, r->note.text);
		if (r->note.type == DS_NOTE_FAULT &&
		    (r->fault.type == DS_FAULT_DOWN || r->fault.type == DS_FAULT_UP))
			on_fault(d, &r->fault, r->note.t, down_since, site_since);
	}
	/* what is still open runs to the end */
	for (int i = 0; i < d->n_lanes; i++)
		lane_close(d, &d->lanes[i], d->duration);
	struct ds_fault all_up = {.type = DS_FAULT_UP, .slots = 0xffff};
	on_fault(d, &all_up, d->duration, down_since, site_since);
}

static bool overlaps(const struct lane *l, size_t upto, int row, double left, double right)
{
	for (size_t i = 0; i < upto; i++) {
		const struct label *o = &l->labels[i];

		if (o->row == row && left < o->left + o->w + 6.0 && o->left < right + 6.0)
			return true;
	}
	return false;
}

/* Greedy: each label takes the first row where it fits, right of its mark,
 * or left of it near the right edge. */
static void pack(struct lane *l)
{
	double right_edge = W_TOTAL - 4.0;

	l->rows = 0;
	for (size_t i = 0; i < l->n_labels; i++) {
		struct label *lb = &l->labels[i];

		lb->left = lb->x + 3.0;
		if (lb->left + lb->w > right_edge)
			lb->left = lb->x - 3.0 - lb->w;
		int row = 0;
		while (overlaps(l, i, row, lb->left, lb->left + lb->w))
			row++;
		lb->row = row;
		if (row + 1 > l->rows)
			l->rows = row + 1;
	}
}

static double bars_height(const struct lane *l)
{
	return l->bars * BAR_H + (l->bars - 1) * 2.0;
}

static double lane_height(const struct lane *l)
{
	return bars_height(l) + 4.0 + l->rows * ROW_H;
}

static void draw_seg(struct draw *d, const struct seg *s, double y, double h, bool is_outage)
{
	double x0 = xt(d, s->t0), x1 = xt(d, s->t1);
	const char *fill;
	char pat[32];

	if (is_outage) {
		fill = DOWN_COLOR;
	} else if (s->style == SEG_ON) {
		fill = site_color[s->site == 1];
	} else if (s->style == SEG_LOST) {
		snprintf(pat, sizeof(pat), "url(#lost%d)", s->site == 1);
		fill = pat;
	} else {
		fill = "url(#oos)";
	}
	fprintf(d->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"",
		x0, y, x1 - x0 > 0.5 ? x1 - x0 : 0.5, h, fill);
	if (s->style != SEG_ON || is_outage)
		fprintf(d->f, " stroke=\"%s\" stroke-width=\"0.8\"",
			is_outage ? DOWN_COLOR : s->style == SEG_OOS ? OOS_COLOR
								     : site_color[s->site == 1]);
	fprintf(d->f, "><title>");
	ds_svg_esc(d->f, s->text);
	fprintf(d->f, "</title></rect>\n");
	/* the server in use, or what the span is, when it fits */
	if (s->text[0] && (double)strlen(s->text) * CHAR_W + 6.0 < x1 - x0) {
		fprintf(d->f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" font-size=\"10\">", x0 + 3.0,
			y + h - 4.5, s->style == SEG_ON || is_outage ? "#fff" : "#222");
		if (s->style != SEG_ON && !is_outage)
			fprintf(d->f, "<tspan style=\"paint-order:stroke\" stroke=\"#fff\" "
				"stroke-width=\"3\">");
		ds_svg_esc(d->f, s->text);
		fprintf(d->f, "%s</text>\n", s->style != SEG_ON && !is_outage ? "</tspan>" : "");
	}
}

static double label_y(const struct lane *l, const struct label *lb)
{
	return l->y + bars_height(l) + 4.0 + lb->row * ROW_H + 9.5;
}

/* Marks and leaders first, texts after (with a white halo), so that no
 * leader runs across a label. */
static void draw_marks(struct draw *d, const struct lane *l)
{
	for (size_t i = 0; i < l->n_labels; i++) {
		const struct label *lb = &l->labels[i];
		double ty = label_y(l, lb);
		double lx = lb->left < lb->x ? lb->left + lb->w : lb->left;
		const char *col = lb->note ? "#8b1a1a" : "#222";

		/* the mark on the bar, and a leader down to the label */
		if (lb->note)
			fprintf(d->f, "<path d=\"M%.1f %.1f l4 4 l-4 4 l-4 -4 z\" fill=\"%s\"/>\n",
				lb->x, l->y + BAR_H / 2 - 4.0, col);
		else
			fprintf(d->f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				"stroke=\"#111\" stroke-width=\"1.5\"/>\n",
				lb->x, l->y - 2.0, lb->x, l->y + BAR_H + 2.0);
		fprintf(d->f, "<path d=\"M%.1f %.1f V%.1f H%.1f\" fill=\"none\" stroke=\"#999\" "
			"stroke-width=\"0.6\"/>\n", lb->x, l->y + BAR_H, ty - 3.5, lx);
	}
}

static void draw_texts(struct draw *d, const struct lane *l)
{
	for (size_t i = 0; i < l->n_labels; i++) {
		const struct label *lb = &l->labels[i];
		double ty = label_y(l, lb);

		fprintf(d->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			"fill=\"#fff\" fill-opacity=\"0.85\"/>\n", lb->left - 1.0, ty - 10.0,
			(double)strlen(lb->text) * 5.6 + 2.0, ROW_H - 0.5);
		fprintf(d->f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\"%s>",
			lb->left, ty, lb->note ? "#8b1a1a" : "#222",
			lb->note ? " font-style=\"italic\"" : "");
		ds_svg_esc(d->f, lb->text);
		fprintf(d->f, "</text>\n");
	}
}

/* A round tick step (1, 2, 5 x 10^n ms) giving at most ~12 ticks. */
int64_t ds_svg_tick_step(int64_t duration)
{
	static const int64_t mult[] = {1, 2, 5};

	for (int64_t step = 1;; step *= 10)
		for (size_t i = 0; i < 3; i++)
			if (duration / (step * mult[i]) <= 12)
				return step * mult[i];
}

static void draw_axis(struct draw *d, double y_top, double y_bottom)
{
	int64_t step = ds_svg_tick_step(d->duration > 0 ? d->duration : 1);
	char ts[32];

	for (int64_t t = 0; t <= d->duration; t += step) {
		double x = xt(d, t);

		ds_svg_secs(ts, sizeof(ts), t);
		fprintf(d->f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n",
			x, y_top, x, y_bottom);
		fprintf(d->f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">%ss</text>\n",
			x, y_top - 4.0, ts);
		fprintf(d->f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">%ss</text>\n",
			x, y_bottom + 13.0, ts);
	}
}

static void draw_legend(struct draw *d, double y)
{
	double x = X_LEFT;
	char nb[16];

	for (int s = 0; s < 2; s++) {
		if (!d->conf->site_name[s] && s == 1)
			continue;
		fprintf(d->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%.1f\">", x, y, site_color[s], x + 18.0, y + 9.0);
		ds_svg_esc(d->f, site_name(d, s, nb, sizeof(nb)));
		fprintf(d->f, " (%s)</text>\n", s ? "peer" : "preferred");
		x += 170.0;
	}
	static const struct { const char *fill, *stroke, *text; } items[] = {
		{"url(#lost0)", SITE0_COLOR, "connection lost"},
		{"url(#oos)", OOS_COLOR, "out of service"},
		{DOWN_COLOR, DOWN_COLOR, "server silent / site down"},
	};
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		fprintf(d->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\"%s\" "
			"stroke=\"%s\" stroke-width=\"0.8\"/><text x=\"%.1f\" y=\"%.1f\">%s</text>\n",
			x, y, items[i].fill, items[i].stroke, x + 18.0, y + 9.0, items[i].text);
		x += 170.0;
	}
	fprintf(d->f, "<path d=\"M%.1f %.1f l4 4 l-4 4 l-4 -4 z\" fill=\"#8b1a1a\"/>"
		"<text x=\"%.1f\" y=\"%.1f\">scenario event</text>\n", x + 5.0, y + 1.0, x + 14.0, y + 9.0);
}

static void emit(struct draw *d)
{
	const struct ds_engine_conf *c = d->conf;
	double y = 84.0;
	int n_srv = 0;
	char ds[32];

	for (int i = 0; i < d->n_lanes; i++)
		pack(&d->lanes[i]);
	for (int s = 0; s < DS_SLOT_COUNT; s++)
		n_srv += c->server_id[s] >= 0;
	/* positions: scenario, outages, servers, then the other lanes */
	double pos[MAX_LANES], srv_y = 0;
	for (int i = 0; i < d->n_lanes; i++) {
		if (i == d->lane_outage + 1) {
			srv_y = y;
			y += n_srv * SRV_H + LANE_GAP;
		}
		pos[i] = y;
		d->lanes[i].y = y;
		y += lane_height(&d->lanes[i]) + LANE_GAP;
	}
	if (d->lane_outage + 1 >= d->n_lanes) {
		srv_y = y;
		y += n_srv * SRV_H + LANE_GAP;
	}
	double top = 84.0, bottom = y;
	double height = bottom + 30.0;

	ds_svg_secs(ds, sizeof(ds), d->duration);
	fprintf(d->f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Verdana, sans-serif\" "
		"font-size=\"11\">\n", W_TOTAL, height, W_TOTAL, height);
	fprintf(d->f, "<defs>\n");
	for (int s = 0; s < 2; s++)
		fprintf(d->f, "<pattern id=\"lost%d\" patternUnits=\"userSpaceOnUse\" width=\"6\" "
			"height=\"6\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" "
			"fill=\"#fff\"/><rect width=\"3\" height=\"6\" fill=\"%s\"/></pattern>\n",
			s, site_color[s]);
	fprintf(d->f, "<pattern id=\"oos\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\">"
		"<rect width=\"6\" height=\"6\" fill=\"#eee\"/><path d=\"M0 0 L6 6 M6 0 L0 6\" "
		"stroke=\"%s\" stroke-width=\"1\"/></pattern>\n</defs>\n", OOS_COLOR);
	fprintf(d->f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n");
	fprintf(d->f, "<text x=\"12\" y=\"22\" font-size=\"15\" font-weight=\"bold\">");
	ds_svg_esc(d->f, d->title);
	fprintf(d->f, ": ");
	ds_svg_esc(d->f, c->agent);
	fprintf(d->f, "</text><text x=\"12\" y=\"40\" fill=\"#555\">%ss ", ds);
	ds_svg_esc(d->f, d->span_word);
	fprintf(d->f, "; BC %s%s</text>\n", c->bc_enabled ? "on" : "off", c->single_mode ? ", single registration" : "");
	draw_legend(d, 50.0);
	draw_axis(d, top, bottom);

	/* whole-site outages, shaded across every lane */
	const struct lane *out = &d->lanes[d->lane_outage];
	for (size_t i = 0; i < out->n_segs; i++) {
		double x0 = xt(d, out->segs[i].t0), x1 = xt(d, out->segs[i].t1);

		fprintf(d->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
			"fill-opacity=\"0.08\"/>\n", x0, top, x1 - x0, bottom - top, DOWN_COLOR);
	}
	for (int i = 0; i < d->n_lanes; i++) {
		const struct lane *l = &d->lanes[i];

		fprintf(d->f, "<text x=\"10\" y=\"%.1f\" font-weight=\"bold\">", pos[i] + 12.0);
		ds_svg_esc(d->f, l->title);
		fprintf(d->f, "</text>\n");
		if (l->sub[0]) {
			fprintf(d->f, "<text x=\"10\" y=\"%.1f\" font-size=\"9\" fill=\"#666\">", pos[i] + 24.0);
			ds_svg_esc(d->f, l->sub);
			fprintf(d->f, "</text>\n");
		}
		fprintf(d->f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ccc\"/>\n",
			X_LEFT, pos[i] + BAR_H / 2, W_TOTAL - X_RIGHT, pos[i] + BAR_H / 2);
		for (size_t k = 0; k < l->n_segs; k++) {
			const struct seg *sg = &l->segs[k];
			double sy = pos[i] + (l->bars > 1 ? sg->site * (BAR_H + 2.0) : 0.0);

			draw_seg(d, sg, sy, BAR_H, i == d->lane_outage);
		}
	}
	/* one row per server: a thin line while it answers, red while silent */
	int row = 0;
	if (n_srv)
		fprintf(d->f, "<text x=\"16\" y=\"%.1f\" font-size=\"10\" fill=\"#444\" "
			"transform=\"rotate(-90 16 %.1f)\" text-anchor=\"end\">servers</text>\n",
			srv_y, srv_y);
	for (int s = 0; s < DS_SLOT_COUNT; s++) {
		if (c->server_id[s] < 0)
			continue;
		double ry = srv_y + row++ * SRV_H;

		fprintf(d->f, "<text x=\"22\" y=\"%.1f\" font-size=\"9\" fill=\"#444\">", ry + 8.0);
		ds_svg_esc(d->f, server_name(d, s));
		fprintf(d->f, "</text>\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"2\" "
			"fill=\"%s\" fill-opacity=\"0.5\"/>\n", X_LEFT, ry + 4.0,
			W_TOTAL - X_LEFT - X_RIGHT, site_color[DS_SLOT_SITE(s)]);
		for (size_t k = 0; k < d->n_down[s]; k++) {
			double x0 = xt(d, d->down[s][k].t0), x1 = xt(d, d->down[s][k].t1);

			fprintf(d->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"8\" "
				"fill=\"%s\"/>\n", x0, ry + 1.0, x1 - x0 > 0.5 ? x1 - x0 : 0.5, DOWN_COLOR);
		}
	}
	for (int i = 0; i < d->n_lanes; i++)
		draw_marks(d, &d->lanes[i]);
	for (int i = 0; i < d->n_lanes; i++)
		draw_texts(d, &d->lanes[i]);
	fprintf(d->f, "</svg>\n");
}

int ds_sim_svg_write(FILE *f, const struct ds_engine_conf *conf,
		     const struct ds_sim_trace *tr, int64_t duration)
{
	return ds_sim_svg_write_titled(f, conf, tr, duration, "dualsite simulate", "simulated");
}

int ds_sim_svg_write_titled(FILE *f, const struct ds_engine_conf *conf,
			    const struct ds_sim_trace *tr, int64_t duration,
			    const char *title, const char *span_word)
{
	struct draw d = {.f = f, .conf = conf, .duration = duration, .title = title,
			 .span_word = span_word};

	build(&d, tr);
	if (!d.err)
		emit(&d);
	for (int i = 0; i < d.n_lanes; i++) {
		free(d.lanes[i].segs);
		free(d.lanes[i].labels);
	}
	for (int s = 0; s < DS_SLOT_COUNT; s++)
		free(d.down[s]);
	if (d.err)
		return d.err;
	return fflush(f) || ferror(f) ? EIO : 0;
}
