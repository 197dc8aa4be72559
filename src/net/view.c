/* The read-only view of the driver for the control endpoint (agents,
 * servers) and its manual requests, which reach an engine as the same
 * inputs a scenario's `manual:` events are. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "dualsite/view.h"
#include "net_priv.h"

int64_t ds_view_now(const struct ds_net *n)
{
	return ds_net_now(n);
}

size_t ds_view_n_agents(const struct ds_net *n)
{
	return n->n_agents;
}

size_t ds_view_n_servers(const struct ds_net *n)
{
	return n->n_servers;
}

int ds_view_agent_find(const struct ds_net *n, const char *name, size_t *i)
{
	for (size_t k = 0; k < n->n_agents; k++)
		if (!strcmp(n->agents[k]->p->name, name)) {
			*i = k;
			return 0;
		}
	return ENOENT;
}

void ds_view_agent(const struct ds_net *n, size_t i, struct ds_agent_view *v)
{
	const struct net_agent *ag = n->agents[i];

	memset(v, 0, sizeof(*v));
	v->name = ag->p->name;
	v->conf = &ag->conf;
	v->call_site = -1;
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		v->conn[k].state = DS_CONN_OUT_OF_SERVICE;
		v->conn[k].site = -1;
		v->conn[k].member = -1;
	}
	for (int p = 0; p < 2; p++) {
		v->reg[p].state = DS_REG_UNREGISTERED;
		v->reg[p].slot = -1;
		v->reg[p].expires_at = DS_NEVER;
	}
	if (!ag->eng)
		return;   /* not started yet */
	for (int k = 0; k < DS_KIND_COUNT; k++)
		ds_engine_conn(ag->eng, (enum ds_kind)k, &v->conn[k]);
	for (int p = 0; p < 2; p++)
		ds_engine_reg(ag->eng, p, &v->reg[p]);
	v->in_call = ds_engine_in_call(ag->eng);
	if (v->in_call) {
		v->call_site = ag->call_site;
		v->call_since = ag->call_since;
	}
	v->restore_suspended = ds_engine_restore_suspended(ag->eng);
}

const char *ds_srv_state_name(enum ds_srv_state s)
{
	switch (s) {
	case DS_SRV_UNKNOWN: return "unknown";
	case DS_SRV_UP:      return "up";
	case DS_SRV_DOWN:    return "down";
	}
	return "?";
}

void ds_view_server(const struct ds_net *n, size_t i, struct ds_server_view *v)
{
	const struct net_server *s = &n->servers[i];

	v->name = s->s->name;
	v->kind = s->s->kind;
	v->site = s->s->site;
	if (!s->known)   /* health.up is false until the first answer too */
		v->state = DS_SRV_UNKNOWN;
	else if (s->health.up)
		v->state = DS_SRV_UP;
	else
		v->state = DS_SRV_DOWN;
	v->rtt_us = s->rtt_us;
	v->since = s->since;
}

/* Can the agent's connections be moved to `site` now? The sip connection
 * decides (it is the one a call and the registrations hang on); without
 * it, the first connected kind. */
static bool target_ok(const struct ds_net *n, const struct net_agent *ag, int site,
		      char *why, size_t sz)
{
	const struct ds_engine_conf *c = &ag->conf;
	int kind = DS_KIND_SIP;
	bool up = false;

	while (kind < DS_KIND_COUNT && !c->kind_connected[kind])
		kind++;
	if (kind == DS_KIND_COUNT) {
		snprintf(why, sz, "%s has no connected server", ag->p->name);
		return false;
	}
	for (int m = 0; m < 2; m++) {
		int id = c->server_id[DS_SLOT(kind, site, m)];
		if (id >= 0 && n->srv_index[id] >= 0 &&
		    n->servers[n->srv_index[id]].health.up)
			up = true;
	}
	if (!up) {
		snprintf(why, sz, "%s is not available to %s: no %s server of its pair is up",
			 c->site_name[site], ag->p->name, ds_kind_name((enum ds_kind)kind));
		return false;
	}
	if (kind == DS_KIND_SIP && !c->single_mode && c->reg_expires[site] > 0 &&
	    !ds_engine_registered(ag->eng, site)) {
		snprintf(why, sz, "%s is not available to %s: not registered there (proxy%d)",
			 c->site_name[site], ag->p->name, site);
		return false;
	}
	return true;
}

int ds_view_manual(struct ds_net *n, size_t i, bool restore, char *why, size_t sz)
{
	struct net_agent *ag = n->agents[i];
	struct ds_input in = {.type = restore ? DS_IN_MANUAL_RESTORE
					      : DS_IN_MANUAL_SWITCHOVER};
	int to = restore ? DS_SITE_PREFERRED : DS_SITE_PEER;

	if (!ag->eng || n->stopping) {
		snprintf(why, sz, "dualsite is %s", n->stopping ? "stopping" : "starting");
		return EPERM;
	}
	if (ds_engine_drained(ag->eng, to)) {
		snprintf(why, sz, "%s is drained (undrain it first)", ag->conf.site_name[to]);
		return EPERM;
	}
	if (!ag->conf.bc_enabled) {
		snprintf(why, sz, "%s has Business Continuity off "
			 "(disaster-recovery.enabled is false)", ag->p->name);
		return EPERM;
	}
	if (!target_ok(n, ag, to, why, sz))
		return EPERM;
	ds_net_input(ag, &in);
	return 0;
}

/* The agent's index of `site` (0 preferred, 1 peer), or -1. */
static int site_index(const struct net_agent *ag, const char *site)
{
	for (int s = 0; s < 2; s++)
		if (ag->conf.site_name[s] && !strcmp(ag->conf.site_name[s], site))
			return s;
	return -1;
}

static bool on_site(const struct net_agent *ag, int s)
{
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		struct ds_conn_view cv;

		if (!ag->conf.kind_connected[k])
			continue;
		ds_engine_conn(ag->eng, (enum ds_kind)k, &cv);
		if (cv.state != DS_CONN_OUT_OF_SERVICE && cv.site == s)
			return true;
	}
	return false;
}

int ds_view_drain(struct ds_net *n, const char *site, bool on, size_t *agents,
		  char *why, size_t sz)
{
	const char *name = NULL;
	size_t count = 0, d;

	for (size_t i = 0; i < n->n_servers && !name; i++)
		if (n->servers[i].s->site && !strcmp(n->servers[i].s->site, site))
			name = n->servers[i].s->site;
	if (!name)
		return ENOENT;
	if (!n->started || n->stopping) {
		snprintf(why, sz, "dualsite is %s", n->stopping ? "stopping" : "starting");
		return EPERM;
	}
	for (d = 0; d < n->n_drained && strcmp(n->drained[d], name); d++)
		;
	if (on && d == n->n_drained) {
		/* an agent whose two sites were both drained would have nowhere
		 * to go: refuse before anything changes */
		for (size_t i = 0; i < n->n_agents; i++) {
			const struct net_agent *ag = n->agents[i];
			int s = site_index(ag, name);

			if (s >= 0 && ag->conf.site_name[1 - s] &&
			    ds_engine_drained(ag->eng, 1 - s)) {
				snprintf(why, sz, "%s's other site %s is drained: it would have "
					 "nowhere to go (undrain %s first)", ag->p->name,
					 ag->conf.site_name[1 - s], ag->conf.site_name[1 - s]);
				return EPERM;
			}
		}
		if (n->n_drained == sizeof(n->drained) / sizeof(n->drained[0])) {
			snprintf(why, sz, "%zu sites are drained already", n->n_drained);
			return EPERM;
		}
		n->drained[n->n_drained++] = name;
	} else if (!on && d < n->n_drained) {
		memmove(&n->drained[d], &n->drained[d + 1],
			(n->n_drained - d - 1) * sizeof(n->drained[0]));
		n->n_drained--;
	}
	for (size_t i = 0; i < n->n_agents; i++) {
		struct net_agent *ag = n->agents[i];
		struct ds_input in = {.type = on ? DS_IN_DRAIN : DS_IN_UNDRAIN};

		in.site = site_index(ag, name);
		if (in.site < 0 || !ag->eng)
			continue;
		if (on_site(ag, in.site))
			count++;
		ds_net_input(ag, &in);
	}
	*agents = count;
	ds_log(n, "operator: %s %s (%zu agent%s on it)", on ? "drain" : "undrain", name,
	       count, count == 1 ? "" : "s");
	return 0;
}

const char *const *ds_view_drained(const struct ds_net *n, size_t *count)
{
	*count = n->n_drained;
	return n->drained;
}

int ds_view_reload(struct ds_net *n, ds_net_reload_done_h *h, void *arg)
{
	return ds_net_reload_start(n, h, arg);
}
