/* The simulated world of one agent: each server answers or is silent, and
 * each SIP server is a registrar that keeps the agent's bindings.
 *
 * A silent server loses nothing; one that comes back has restarted and
 * forgotten every binding (docs/behaviour.md §3.2: "a restarted registrar has forgotten
 * its bindings"). Rejection is per site, as a scenario's `reject: N` says of
 * every SIP server of site N. */
#include <string.h>
#include "simint.h"

void ds_sim_world_init(struct ds_sim_world *w, const struct ds_engine_conf *conf)
{
	memset(w, 0, sizeof(*w));
	for (int s = 0; s < DS_SLOT_COUNT; s++) {
		w->srv[s].present = conf->server_id[s] >= 0;
		w->srv[s].up = true;
		w->srv[s].binding_until[0] = w->srv[s].binding_until[1] = -1;
	}
}

uint16_t ds_sim_world_set(struct ds_sim_world *w, uint16_t slots, bool up, int64_t t)
{
	uint16_t changed = 0;

	for (int s = 0; s < DS_SLOT_COUNT; s++) {
		struct ds_sim_srv *srv = &w->srv[s];

		if (!(slots & (1u << s)) || !srv->present || srv->up == up)
			continue;
		srv->up = up;
		srv->since = t;
		if (up)
			srv->binding_until[0] = srv->binding_until[1] = -1;
		changed |= (uint16_t)(1u << s);
	}
	return changed;
}

static bool valid(const struct ds_sim_world *w, int slot, int proxy)
{
	return slot >= 0 && slot < DS_SLOT_COUNT && proxy >= 0 && proxy < 2 &&
	       w->srv[slot].present;
}

void ds_sim_world_register(struct ds_sim_world *w, int slot, int proxy,
			   uint32_t expires, int64_t t, struct ds_sim_answer *a)
{
	memset(a, 0, sizeof(*a));
	if (!valid(w, slot, proxy) || !w->srv[slot].up)
		return;
	a->answered = true;
	int site = DS_SLOT_SITE(slot);
	if (w->reject_code[site]) {
		a->code = w->reject_code[site];
		a->retry_after = w->retry_after[site];
		return;
	}
	a->code = 200;
	a->expires = expires;
	w->srv[slot].binding_until[proxy] = t + (int64_t)expires * 1000;
}

bool ds_sim_world_bound(const struct ds_sim_world *w, int slot, int proxy, int64_t t)
{
	return valid(w, slot, proxy) && w->srv[slot].binding_until[proxy] > t;
}

void ds_sim_world_check(const struct ds_sim_world *w, int slot, int proxy,
			int64_t t, struct ds_sim_answer *a)
{
	memset(a, 0, sizeof(*a));
	if (!valid(w, slot, proxy) || !w->srv[slot].up)
		return;
	a->answered = true;
	a->code = 200;
	a->present = ds_sim_world_bound(w, slot, proxy, t);
}

void ds_sim_world_unregister(struct ds_sim_world *w, int slot, int proxy)
{
	if (valid(w, slot, proxy) && w->srv[slot].up)
		w->srv[slot].binding_until[proxy] = -1;
}

void ds_sim_world_drop(struct ds_sim_world *w, int proxy)
{
	if (proxy < 0 || proxy > 1)
		return;
	for (int s = 0; s < DS_SLOT_COUNT; s++)
		w->srv[s].binding_until[proxy] = -1;
}
