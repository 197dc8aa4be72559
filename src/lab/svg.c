/* The lab's timeline picture: the simulator's SVG writer (ds_sim_svg_write)
 * draws each agent from the events `dualsite run` reported and the faults
 * the lab made; the agents are stacked in one SVG document. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dualsite/config.h"
#include "dualsite/sim.h"
#include "dualsite/validate.h"
#include "lab.h"

static int event_type(const char *name)
{
	for (int t = DS_EV_CONNECTED; t <= DS_EV_CALL_END; t++)
		if (!strcmp(ds_event_name((enum ds_event_type)t), name))
			return t;
	return -1;
}

static int site_index(const struct ds_engine_conf *c, const char *site)
{
	for (int i = 0; i < 2; i++)
		if (c->site_name[i] && !strcmp(c->site_name[i], site))
			return i;
	return -1;
}

static int slot_of(const struct ds_engine_conf *c, const char *server)
{
	for (int s = 0; s < DS_SLOT_COUNT; s++)
		if (c->server_name[s] && !strcmp(c->server_name[s], server))
			return s;
	return -1;
}

static enum ds_reason reason_of(const char *r, int *code)
{
	static const struct {
		const char *name;
		enum ds_reason r;
	} map[] = {
		{"server-loss", DS_R_SERVER_LOSS}, {"phone-loss", DS_R_PHONE_LOSS},
		{"manual", DS_R_MANUAL}, {"auto-restore", DS_R_AUTO_RESTORE},
		{"call-active", DS_R_CALL_ACTIVE}, {"timeout", DS_R_TIMEOUT},
		{"expired", DS_R_EXPIRED}, {"removed", DS_R_REMOVED}, {"bye", DS_R_BYE},
		{"site-lost", DS_R_SITE_LOST}, {"drain", DS_R_DRAIN},
		{"tls", DS_R_TLS}, {"dns", DS_R_DNS},
	};
	*code = 0;
	if (!strncmp(r, "rejected:", 9)) {
		*code = atoi(r + 9);
		return DS_R_REJECTED;
	}
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].name, r))
			return map[i].r;
	return DS_R_NONE;
}

/* The engine event a JSON line stands for; false when it cannot be mapped. */
static bool to_event(const struct ds_engine_conf *c, const struct lab_event *le,
		     struct ds_event *ev)
{
	int type = event_type(le->event);

	if (type < 0)
		return false;
	memset(ev, 0, sizeof(*ev));
	ev->type = (enum ds_event_type)type;
	ev->t = (int64_t)llround(le->t * 1000.0);
	ev->kind = DS_KIND_SIP;
	for (int k = 0; k < DS_KIND_COUNT; k++)
		if (le->kind[0] && !strcmp(ds_kind_name((enum ds_kind)k), le->kind))
			ev->kind = (enum ds_kind)k;
	ev->site = site_index(c, le->site);
	ev->proxy = le->proxy < 0 ? 0 : le->proxy;
	ev->slot = slot_of(c, le->server);
	ev->reason = reason_of(le->reason, &ev->code);
	if (ev->type == DS_EV_HA_SWITCH) {
		ev->from = slot_of(c, le->from);
		ev->to = slot_of(c, le->to);
	} else {
		ev->from = site_index(c, le->from);
		ev->to = site_index(c, le->to);
	}
	if (ev->type == DS_EV_REGISTERED && ev->slot < 0)
		return false;
	return true;
}

/* The slots a lab fault touches: a site (all its servers) or one server. */
static uint16_t fault_slots(const struct ds_engine_conf *c, const char *target)
{
	uint16_t slots = 0;
	int site = site_index(c, target);

	for (int s = 0; s < DS_SLOT_COUNT; s++) {
		if (!c->server_name[s])
			continue;
		if ((site >= 0 && ((s % 4) / 2) == site) || !strcmp(c->server_name[s], target))
			slots |= (uint16_t)(1u << s);
	}
	return slots;
}

static int draw_agent(struct lab *lab, const struct ds_engine_conf *c, int64_t duration,
		      char **buf, size_t *len)
{
	struct ds_sim_trace tr = {0};
	size_t ni = 0;
	int err = 0;

	/* Merge the lab's faults and the agent's events in time order; a fault
	 * comes first at a shared instant, as scenario events do (docs/behaviour.md §3.1). */
	for (size_t i = 0; i <= lab->n_log && !err; i++) {
		double t = i < lab->n_log ? lab->log[i].t : INFINITY;
		for (; ni < lab->n_notes && lab->notes[ni].t <= t && !err; ni++) {
			const struct lab_note *n = &lab->notes[ni];
			struct ds_fault f = {
				.type = n->call > 0 ? DS_FAULT_CALL_START :
					n->call < 0 ? DS_FAULT_CALL_END :
					n->up ? DS_FAULT_UP : DS_FAULT_DOWN,
				.at = (int64_t)llround(n->t * 1000.0),
				.slots = n->call ? 0 : fault_slots(c, n->target),
				.name = n->target,
			};
			struct ds_sim_note note = {.type = DS_NOTE_FAULT, .t = f.at, .fault = &f};
			snprintf(note.text, sizeof(note.text), "%s", n->text);
			/* a fault that touches the agent's servers; a call to it */
			if (n->call ? !strcmp(n->target, c->agent) : f.slots != 0)
				err = ds_sim_trace_note(&tr, &note);
		}
		struct ds_event ev;
		if (i < lab->n_log && !strcmp(lab->log[i].agent, c->agent) &&
		    to_event(c, &lab->log[i], &ev))
			err = ds_sim_trace_event(&tr, &ev);
	}
	FILE *f = open_memstream(buf, len);
	if (!f)
		err = errno;
	if (!err && ds_sim_svg_write_titled(f, c, &tr, duration, "dualsite lab",
					    "of a real run (dualsite run on real registrars)"))
		err = EIO;
	if (f && fclose(f) && !err)
		err = EIO;
	ds_sim_trace_reset(&tr);
	return err;
}

static double attr(const char *tag, const char *name, double def)
{
	char key[16];
	snprintf(key, sizeof(key), " %s=\"", name);
	const char *p = strstr(tag, key);
	return p ? strtod(p + strlen(key), NULL) : def;
}

int lab_svg_write(struct lab *lab, const char *path)
{
	struct ds_config *cfg = NULL;
	struct ds_diags d = {0};
	const char *names[LAB_MAX_AGENTS];
	FILE *out = NULL;
	char **parts = NULL;
	double *heights = NULL, width = 0, total = 40;
	int err = ds_config_load(&cfg, lab->cfgpath, &d);

	if (err)
		goto out;
	for (unsigned i = 0; i < lab->n_agents; i++)
		names[i] = lab->agents[i].name;
	if (ds_validate_agents(cfg, names, lab->n_agents, &d)) {
		err = EINVAL;
		goto out;
	}
	parts = calloc(lab->n_agents, sizeof(*parts));
	heights = calloc(lab->n_agents, sizeof(*heights));
	if (!parts || !heights) {
		err = ENOMEM;
		goto out;
	}
	int64_t duration = (int64_t)llround(lab->log[lab->n_log - 1].t * 1000.0) + 1000;
	for (unsigned i = 0; i < lab->n_agents && !err; i++) {
		struct ds_engine_conf c;
		struct ds_probe_conf pc;
		size_t len = 0;
		memset(&c, 0, sizeof(c));
		if ((err = ds_sim_setup(cfg, names[i], &c, &pc)))
			break;
		if ((err = draw_agent(lab, &c, duration, &parts[i], &len)))
			break;
		char *svg = strstr(parts[i], "<svg");
		if (!svg) {
			err = EIO;
			break;
		}
		char *end = strchr(svg, '>');
		char tag[512];
		snprintf(tag, sizeof(tag), "%.*s", end ? (int)(end - svg) : 0, svg);
		double w = attr(tag, "width", 1000);
		heights[i] = attr(tag, "height", 300);
		if (w > width)
			width = w;
		total += heights[i] + 10;
	}
	if (err)
		goto out;
	if (!(out = fopen(path, "w"))) {
		err = errno;
		goto out;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		     "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n"
		     "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		     "<text x=\"10\" y=\"24\" font-size=\"16\">dualsite lab: %u agents on real "
		     "registrars (seed %" PRIu64 ")</text>\n",
		width, total, width, total, lab->n_agents, lab->seed);
	double y = 40;
	for (unsigned i = 0; i < lab->n_agents; i++) {
		const char *svg = strstr(parts[i], "<svg");
		/* Nested <svg> elements are placed by x/y: put them on the root tag. */
		fprintf(out, "<svg x=\"0\" y=\"%.0f\"%s\n", y, svg + 4);
		y += heights[i] + 10;
	}
	fprintf(out, "</svg>\n");
	if (ferror(out))
		err = EIO;
out:
	if (out && fclose(out) && !err)
		err = EIO;
	if (err && d.n) {
		ds_diags_sort(&d);
		ds_diags_print(stderr, &d);
	}
	for (unsigned i = 0; parts && i < lab->n_agents; i++)
		free(parts[i]);
	free(parts);
	free(heights);
	ds_diags_reset(&d);
	ds_config_free(cfg);
	return err;
}
