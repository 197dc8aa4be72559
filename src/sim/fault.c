/* What a scenario event does to the simulated world and to each agent: a
 * server or site goes silent or comes back, registrars drop bindings or
 * reject, calls come and go, an operator acts. A fleet takes each event as
 * every agent at once. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "simint.h"

static void site_label(const struct ds_sim_agent *a, int site, char *buf, size_t sz)
{
	const char *name = ds_site_name(&a->conf, DS_KIND_SIP, site);

	if (name)
		snprintf(buf, sz, "%s", name);
	else
		snprintf(buf, sz, "site %d", site);
}

/* A note of agent `a`, or of every agent when `a` is NULL. */
static void note(struct ds_sim *sim, const struct ds_sim_agent *a, enum ds_note_type type,
		 const struct ds_fault *f, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void note(struct ds_sim *sim, const struct ds_sim_agent *a, enum ds_note_type type,
		 const struct ds_fault *f, const char *fmt, ...)
{
	struct ds_sim_note n = {.type = type, .t = sim->now, .fault = f,
				.agent = a ? (int)a->index : -1};
	va_list ap;

	if (!sim->hooks.note_h)
		return;
	va_start(ap, fmt);
	vsnprintf(n.text, sizeof(n.text), fmt, ap);
	va_end(ap);
	if (sim->n_agents > 1) {
		ds_sim_pend_note(sim, &n);
		return;
	}
	sim->hooks.note_h(&n, sim->hooks.arg);
}

static void call_start(struct ds_sim_agent *a, const struct ds_fault *f)
{
	struct ds_sim *sim = a->sim;
	struct ds_conn_view v;

	if (a->in_call) {
		note(sim, a, DS_NOTE_CALL_REFUSED, f, "call refused: a call is in progress");
		return;
	}
	if (!a->conf.kind_connected[DS_KIND_SIP]) {
		note(sim, a, DS_NOTE_CALL_REFUSED, f, "call refused: no SIP Server connection");
		return;
	}
	ds_engine_conn(a->engine, DS_KIND_SIP, &v);
	if (f->via_proxy) {
		/* in dual mode a caller may reach the agent through either
		 * registration, whichever site the connection uses */
		v.site = f->proxy;
		if (!ds_engine_registered(a->engine, f->proxy)) {
			note(sim, a, DS_NOTE_CALL_REFUSED, f, "call refused: not registered at proxy%d",
			     f->proxy);
			return;
		}
	} else if (v.state != DS_CONN_CONNECTED || !ds_engine_registered(a->engine, v.site)) {
		note(sim, a, DS_NOTE_CALL_REFUSED, f, "call refused: not registered");
		return;
	}
	char site[64];
	site_label(a, v.site, site, sizeof(site));
	note(sim, a, DS_NOTE_FAULT, f, "call comes in through %s%s", site,
	     f->via_proxy ? (v.site ? " (proxy1)" : " (proxy0)") : "");
	a->in_call = true;
	struct ds_input in = {.type = DS_IN_CALL_START, .site = v.site};
	ds_sim_feed(a, &in);
}

/* Down or up: every agent's servers that the fault names, and the shared
 * truth the probes see. One agent takes the fault's slots as given (a
 * caller may aim at one server); a fleet resolves the name per agent. */
static bool set_servers(struct ds_sim *sim, const struct ds_fault *f, bool up, bool *targeted)
{
	bool changed = false;

	*targeted = false;
	for (size_t k = 0; k < sim->n_agents; k++) {
		struct ds_sim_agent *a = &sim->agents[k];
		uint16_t slots = sim->n_agents > 1 && f->name ? ds_sim_slots_of(&a->conf, f->name)
							      : f->slots;

		*targeted |= slots != 0;
		changed |= ds_sim_world_set(&a->world, slots, up, sim->now) != 0;
		for (int s = 0; s < DS_SLOT_COUNT; s++)
			if ((slots & (1u << s)) && a->srv[s] >= 0)
				sim->srv[a->srv[s]].up = up;
	}
	return changed;
}

/* What a proxy-relative fault's note says: the site by name for one agent,
 * the proxy's role for a fleet (each agent has its own sites). */
static void proxy_label(const struct ds_sim *sim, int proxy, char *buf, size_t sz)
{
	if (sim->n_agents == 1)
		site_label(&sim->agents[0], proxy, buf, sz);
	else
		snprintf(buf, sz, "each agent's %s site", proxy ? "peer" : "preferred");
}

void ds_sim_on_fault(struct ds_sim *sim, const struct ds_fault *f)
{
	struct ds_input in = {0};
	char site[64];
	char retry[48] = "";

	switch (f->type) {
	case DS_FAULT_DOWN:
	case DS_FAULT_UP: {
		bool up = f->type == DS_FAULT_UP, targeted;
		bool changed = set_servers(sim, f, up, &targeted);

		note(sim, NULL, DS_NOTE_FAULT, f, "%s %s%s", f->name ? f->name : "servers",
		     up ? "up" : "down", changed || !targeted ? "" : up ? " (already up)"
								   : " (already down)");
		return;
	}
	case DS_FAULT_CALL_START:
		for (size_t k = 0; k < sim->n_agents; k++)
			call_start(&sim->agents[k], f);
		return;
	case DS_FAULT_CALL_END:
		for (size_t k = 0; k < sim->n_agents; k++) {
			struct ds_sim_agent *a = &sim->agents[k];

			if (!a->in_call) {
				note(sim, a, DS_NOTE_CALL_IGNORED, f, "call end ignored: no call");
				continue;
			}
			note(sim, a, DS_NOTE_FAULT, f, "the far end hangs up");
			a->in_call = false;
			in.type = DS_IN_CALL_END;
			ds_sim_feed(a, &in);
		}
		return;
	case DS_FAULT_UNREGISTER:
		proxy_label(sim, f->proxy, site, sizeof(site));
		for (size_t k = 0; k < sim->n_agents; k++)
			ds_sim_world_drop(&sim->agents[k].world, f->proxy);
		note(sim, NULL, DS_NOTE_FAULT, f, "proxy%d registrar (%s) drops the binding",
		     f->proxy, site);
		return;
	case DS_FAULT_REJECT:
	case DS_FAULT_ACCEPT: {
		bool reject = f->type == DS_FAULT_REJECT;

		proxy_label(sim, f->proxy, site, sizeof(site));
		for (size_t k = 0; k < sim->n_agents; k++) {
			sim->agents[k].world.reject_code[f->proxy] = reject ? f->code : 0;
			sim->agents[k].world.retry_after[f->proxy] = reject ? f->retry_after : 0;
		}
		if (!reject) {
			note(sim, NULL, DS_NOTE_FAULT, f, "proxy%d registrars (%s) accept REGISTER",
			     f->proxy, site);
			return;
		}
		if (f->retry_after)
			snprintf(retry, sizeof(retry), " (Retry-After %u)", f->retry_after);
		note(sim, NULL, DS_NOTE_FAULT, f, "proxy%d registrars (%s) reject REGISTER with %d%s",
		     f->proxy, site, f->code, retry);
		return;
	}
	case DS_FAULT_MANUAL_SWITCHOVER:
	case DS_FAULT_MANUAL_RESTORE: {
		bool sw = f->type == DS_FAULT_MANUAL_SWITCHOVER;

		note(sim, NULL, DS_NOTE_FAULT, f, "operator: manual %s", sw ? "switchover" : "restore");
		for (size_t k = 0; k < sim->n_agents; k++) {
			in.type = sw ? DS_IN_MANUAL_SWITCHOVER : DS_IN_MANUAL_RESTORE;
			ds_sim_feed(&sim->agents[k], &in);
		}
		return;
	}
	case DS_FAULT_DRAIN:
	case DS_FAULT_UNDRAIN: {
		const char *op = f->type == DS_FAULT_DRAIN ? "drain" : "undrain";

		/* the site as each agent knows it: preferred (0) or peer (1) */
		in.type = f->type == DS_FAULT_DRAIN ? DS_IN_DRAIN : DS_IN_UNDRAIN;
		for (size_t k = 0; k < sim->n_agents; k++) {
			struct ds_sim_agent *a = &sim->agents[k];

			in.site = -1;
			for (int s = 0; s < 2; s++)
				if (a->conf.site_name[s] && !strcmp(a->conf.site_name[s], f->name))
					in.site = s;
			if (in.site < 0) {
				note(sim, a, DS_NOTE_FAULT, f, "operator: %s %s (not one of %s's "
				     "sites: nothing changes)", op, f->name, a->conf.agent);
				continue;
			}
			note(sim, a, DS_NOTE_FAULT, f, "operator: %s %s", op, f->name);
			ds_sim_feed(a, &in);
		}
		return;
	}
	}
}

