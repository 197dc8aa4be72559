/* The engine's core: inputs in, one evaluation pass, actions and events out.
 *
 * Every input ends in the same pass: HA members first (a dead member in use
 * is replaced by its live partner), then what the registrations observe
 * (expiry, a pair declared down), then the connection rules per kind, then
 * the registrations act on what the connections now want. The pass is a
 * function of the state and the time alone, so `simulate` and `run` agree. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "engine_priv.h"

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint64_t ds_engine_seed(uint64_t run_seed, const char *agent)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)agent; p && *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return splitmix64(run_seed ^ h);
}

/* One draw in [0, random-delay-range], a fresh one for every action. */
int64_t ds_delay(struct ds_engine *e)
{
	int64_t range = e->conf->random_range_ms;

	if (range <= 0)
		return 0;
	e->rng = splitmix64(e->rng);
	return (int64_t)(e->rng % (uint64_t)(range + 1));
}

void ds_emit(struct ds_engine *e, const struct ds_event *ev)
{
	struct ds_event x = *ev;

	x.t = e->now;
	e->sink(NULL, &x, e->arg);
}

void ds_act(struct ds_engine *e, const struct ds_action *a)
{
	struct ds_action x = *a;

	x.server_id = e->conf->server_id[x.slot];
	e->sink(&x, NULL, e->arg);
}

bool ds_site_exists(const struct ds_engine *e, int kind, int site)
{
	return e->conf->kind_connected[kind] &&
	       e->conf->server_id[DS_SLOT(kind, site, DS_PRIMARY)] >= 0;
}

bool ds_pair_up(const struct ds_engine *e, int kind, int site)
{
	uint16_t pair = (uint16_t)(3u << DS_SLOT(kind, site, 0));

	return ds_site_exists(e, kind, site) && (e->up_mask & e->exist_mask & pair);
}

bool ds_pair_unknown(const struct ds_engine *e, int kind, int site)
{
	uint16_t pair = (uint16_t)(3u << DS_SLOT(kind, site, 0));

	return !ds_pair_up(e, kind, site) && (e->unknown_mask & e->exist_mask & pair);
}

static bool slot_up(const struct ds_engine *e, int slot)
{
	return (e->up_mask & e->exist_mask) & (1u << slot);
}

/* HA inside a site: a dead member in use gives way to its live partner at
 * once, and stays given way (no move back when the first one returns). */
static void update_members(struct ds_engine *e)
{
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		for (int s = 0; s < 2; s++) {
			int m = e->member[k][s];
			int from = DS_SLOT(k, s, m), to = DS_SLOT(k, s, !m);
			struct conn *c = &e->conn[k];

			if (!ds_site_exists(e, k, s) || slot_up(e, from) || !slot_up(e, to))
				continue;
			e->member[k][s] = (uint8_t)!m;
			if (c->state == DS_CONN_CONNECTED && c->site == s) {
				struct ds_event ev = {.type = DS_EV_HA_SWITCH, .kind = k,
						      .site = s, .from = from, .to = to};
				ds_emit(e, &ev);
			}
		}
	}
}

static void evaluate(struct ds_engine *e)
{
	update_members(e);
	ds_reg_observe(e);
	for (int k = 0; k < DS_KIND_COUNT; k++)
		if (e->conf->kind_connected[k])
			ds_conn_update(e, k);
	ds_call_observe(e);
	ds_reg_act(e);
}

int ds_engine_alloc(struct ds_engine **ep, const struct ds_engine_conf *conf,
		    uint64_t seed, int64_t t0, ds_engine_sink_h *sink, void *arg)
{
	struct ds_engine *e;

	if (!ep || !conf || !sink)
		return EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return ENOMEM;
	e->conf = conf;
	e->sink = sink;
	e->arg = arg;
	e->rng = seed;
	e->now = t0;
	for (int i = 0; i < DS_SLOT_COUNT; i++)
		if (conf->server_id[i] >= 0)
			e->exist_mask |= (uint16_t)(1u << i);
	/* before its first result a server is unknown (run); simulate's answer at once */
	e->unknown_mask = conf->servers_unknown ? e->exist_mask : 0;
	e->up_mask = e->exist_mask & (uint16_t)~e->unknown_mask;
	e->call_site = -1;
	for (int p = 0; p < 2; p++) {
		e->reg[p].next_at = DS_NEVER;
		e->reg[p].expires_at = DS_NEVER;
		e->reg[p].check_at = DS_NEVER;
	}
	ds_drain_init(e);
	ds_conn_start(e);
	evaluate(e);
	*ep = e;
	return 0;
}

void ds_engine_set_call(struct ds_engine *e, int site)
{
	if (site != 0 && site != 1)
		return;
	e->in_call = true;
	e->call_site = (int8_t)site;
}

void ds_engine_free(struct ds_engine *e)
{
	free(e);
}

size_t ds_engine_size(void)
{
	return sizeof(struct ds_engine);
}

void ds_engine_input(struct ds_engine *e, const struct ds_input *in)
{
	if (in->t > e->now)
		e->now = in->t;

	switch (in->type) {
	case DS_IN_SERVERS:
		e->up_mask = in->up_mask & e->exist_mask;
		e->unknown_mask = in->unknown_mask & e->exist_mask & (uint16_t)~e->up_mask;
		break;
	case DS_IN_REG_OK:
	case DS_IN_REG_FAIL:
	case DS_IN_BINDING:
		if (in->proxy == 0 || in->proxy == 1)
			ds_reg_input(e, in);
		break;
	case DS_IN_CALL_START: {
		struct ds_event ev = {.type = DS_EV_CALL_START, .kind = DS_KIND_SIP,
				      .site = in->site};
		if (e->in_call || (in->site != 0 && in->site != 1))
			break;
		e->in_call = true;
		e->call_site = (int8_t)in->site;
		e->conn[DS_KIND_SIP].deferred_said = false;
		ds_emit(e, &ev);
		break;
	}
	case DS_IN_CALL_END: {
		struct ds_event ev = {.type = DS_EV_CALL_END, .kind = DS_KIND_SIP,
				      .site = e->call_site, .reason = DS_R_BYE};
		if (!e->in_call)
			break;
		e->in_call = false;
		e->call_site = -1;
		ds_emit(e, &ev);
		break;
	}
	case DS_IN_TIMER:
		break;
	case DS_IN_MANUAL_SWITCHOVER:
	case DS_IN_MANUAL_RESTORE:
		ds_conn_manual(e, in->type == DS_IN_MANUAL_RESTORE);
		break;
	case DS_IN_DRAIN:
	case DS_IN_UNDRAIN:
		ds_drain_input(e, in);
		break;
	case DS_IN_REREGISTER:
		ds_reg_reregister(e);
		break;
	}
	evaluate(e);
}

int64_t ds_engine_next_wakeup(const struct ds_engine *e)
{
	int64_t best = DS_NEVER;

	for (int k = 0; k < DS_KIND_COUNT; k++)
		best = ds_earliest_after(e->now, best, ds_conn_wakeup(e, k));
	for (int p = 0; p < 2; p++)
		best = ds_earliest_after(e->now, best, ds_reg_wakeup(e, p));
	return ds_earliest_after(e->now, best, ds_drain_wakeup(e));
}

void ds_engine_conn(const struct ds_engine *e, enum ds_kind k, struct ds_conn_view *v)
{
	const struct conn *c = &e->conn[k];

	v->state = (enum ds_conn_state)c->state;
	v->site = c->site;
	v->member = c->site >= 0 ? e->member[k][c->site] : -1;
	v->since = c->since;
}

bool ds_engine_registered(const struct ds_engine *e, int proxy)
{
	return (proxy == 0 || proxy == 1) && e->reg[proxy].bound;
}

bool ds_engine_in_call(const struct ds_engine *e)
{
	return e->in_call;
}

void ds_health_init(struct ds_health *h)
{
	h->fails = 0;
	h->up = true;
}

bool ds_health_result(struct ds_health *h, bool ok, unsigned failures)
{
	bool was = h->up;

	if (ok) {
		h->fails = 0;
		h->up = true;
	} else {
		if (h->fails < UINT16_MAX)
			h->fails++;
		if (h->fails >= (failures ? failures : 1))
			h->up = false;
	}
	return was != h->up;
}
