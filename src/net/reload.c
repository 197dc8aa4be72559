/* Reload (docs/behaviour.md §8): a new configuration applied to the running
 * driver, agent by agent, leaving alone the agents it does not change.
 *
 * Policy. Each chosen agent of the new configuration is matched by name with
 * the running one, and its effective configuration compared:
 * - not running before: added, started as at start;
 * - no longer chosen: removed, stopped as in a clean stop (its call ended
 *   with BYE, every binding un-REGISTERed);
 * - the same: untouched, nothing is sent;
 * - only engine options differ (timeouts, hold-down, restore, re-register
 *   interval, expiry, binding checks, random delay, answer delay): the new
 *   values are taken in place and used from the engine's next decision; no
 *   REGISTER;
 * - its SIP identity differs (user, password, transport, SBC): re-registered
 *   in place: where the new user, transport or SBC makes another binding,
 *   the old one is un-REGISTERed; both registrations are refreshed at once
 *   with the new identity; connections and call are kept;
 * - its servers differ (another server in a slot, a server's host, port,
 *   transports, kind or site, its sites, BC or registration mode): a new
 *   engine on the new servers, the old bindings un-REGISTERed; a call in
 *   progress is kept (the new engine knows it is in progress) when its site
 *   is still one of the agent's, else ended.
 * Servers are probed while some running agent uses them: a reload that adds
 * one starts probing it, one that no longer uses one stops. A server whose
 * host, port, transports, kind or site changed is a new server: unknown
 * until it answers, and every agent using it counts as changed.
 *
 * The un-REGISTERs of a removed agent (or of a changed agent's old identity)
 * are made by a retiring copy that owns what it needs (names, SIP user,
 * password, server addresses), so that the old configuration can be freed
 * as soon as the reload returns; the copy is freed once they are over. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include "net_priv.h"
#include "../util/util.h"

struct net_retired {
	struct ds_person p;          /* name and sip_user */
	struct ds_server srv[4];     /* name, host, port of the servers bound */
	struct sa addr[4];
	int n_srv;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

enum change { CH_SAME, CH_VALUES, CH_PASSWORD, CH_IDENTITY, CH_SERVERS, CH_ADDED };

const struct ds_server *ds_reload_retired_server(const struct net_agent *ag, int id)
{
	return &ag->ret->srv[id];
}

const struct sa *ds_reload_retired_addr(const struct net_agent *ag, int id)
{
	return &ag->ret->addr[id];
}

/* A reload in a worker thread: the file read, validated and its agents set
 * up there; applied in the loop (reload_mq_h). */
struct net_reload_job {
	struct ds_net *n;
	pthread_t th;
	struct ds_diags diags;
	struct ds_config *cfg;           /* the new configuration, until applied */
	const struct ds_person **persons;
	size_t count;
	struct net_agent **st;           /* staged by the worker */
	int err;
	uint64_t t0;
};

static void job_free(struct net_reload_job *job, bool cfg_later);

static void retired_free(struct net_agent *c)
{
	struct net_retired *r = c->ret;

	free((char *)r->p.name);
	free((char *)r->p.sip_user);
	for (int i = 0; i < r->n_srv; i++) {
		free((char *)r->srv[i].name);
		free((char *)r->srv[i].host);
	}
	free(r);
	c->ret = NULL;
	ds_agent_free(c);
}

/* The copy's number for server `id` of the current configuration; -1 when
 * it has no address to send to. */
static int retired_srv(struct ds_net *n, struct net_retired *r, int id)
{
	const struct ds_server *s;
	int si;

	if (id < 0 || (size_t)id >= n->cfg->n_servers || (si = n->srv_index[id]) < 0 ||
	    !ds_dns_usable(&n->servers[si]))
		return -1;
	s = &n->cfg->servers[id];
	for (int i = 0; i < r->n_srv; i++)
		if (!strcmp(r->srv[i].name, s->name))
			return i;
	if (r->n_srv == 4)
		return -1;
	r->srv[r->n_srv].name = strdup(s->name);
	r->srv[r->n_srv].host = strdup(s->host);
	r->srv[r->n_srv].port = s->port;
	r->addr[r->n_srv] = n->servers[si].addr;
	if (!r->srv[r->n_srv].name || !r->srv[r->n_srv].host) {
		free((char *)r->srv[r->n_srv].name);
		free((char *)r->srv[r->n_srv].host);
		return -1;
	}
	return r->n_srv++;
}

/* Hands the agent's bindings (Call-IDs, CSeqs, the servers that hold them)
 * to a retiring copy that un-REGISTERs them, under the agent's id; the
 * agent's own bindings are closed. Call with n->cfg still the old one. */
static void retire(struct ds_net *n, struct net_agent *ag)
{
	struct net_agent *c = NULL;
	struct net_retired *r = NULL;
	bool any = false;

	for (int p = 0; p < 2; p++) {
		const struct net_binding *b = &ag->bind[p];
		any |= b->bound[0] >= 0 || b->bound[1] >= 0 || b->op == BIND_REGISTER;
	}
	if (any) {
		c = calloc(1, sizeof(*c));
		r = calloc(1, sizeof(*r));
	}
	if (c && r) {
		c->ret = r;
		r->p.name = strdup(ag->p->name);
		r->p.sip_user = strdup(ag->p->sip_user);
		c->p = &r->p;
		c->net = n;
		ds_timer_init(&c->tmr);
		c->password = ag->password;
		ag->password = NULL;
		c->tp = ag->tp;
		memcpy(c->sbc_addr, ag->sbc_addr, sizeof(c->sbc_addr));
		memcpy(c->sbc_port, ag->sbc_port, sizeof(c->sbc_port));
		c->index = ag->index;
		for (int p = 0; p < 2; p++) {
			const struct net_binding *b = &ag->bind[p];
			struct net_binding *cb = &c->bind[p];
			int k = 0;

			(void)ds_binding_init(cb, c, p);
			cb->callid = b->callid;
			cb->ftag = b->ftag;
			cb->cseq = b->cseq;
			/* a REGISTER in flight may yet create a binding there */
			for (int i = 0; i < 3; i++) {
				int id = i < 2 ? b->bound[i] :
					 b->op == BIND_REGISTER ? b->server_id : -1;
				int l = r->p.name && r->p.sip_user ? retired_srv(n, r, id) : -1;

				if (l >= 0 && k < 2 && (k == 0 || cb->bound[0] != l))
					cb->bound[k++] = l;
			}
		}
	}
	for (int p = 0; p < 2; p++)
		ds_binding_close(&ag->bind[p]);
	n->by_id[ag->index] = NULL;
	if (!c || !r) {
		if (any)
			ds_log(n, "%s: out of memory: its bindings are left to expire",
			       ag->p->name);
		free(c);
		free(r);
		return;
	}
	n->by_id[c->index] = c;
	list_append(&n->retiring, &c->ret_le, c);
	for (int p = 0; p < 2; p++)
		if (ds_binding_stop(&c->bind[p]))
			c->ret_pending++;
	if (!c->ret_pending)
		tmr_start(&n->reap_tmr, 0, ds_reload_reap_h, n);
}

void ds_reload_reap_h(void *arg)
{
	struct ds_net *n = arg;
	struct le *le = n->retiring.head;

	while (le) {
		struct net_agent *c = le->data;

		le = le->next;
		if (c->ret_pending)
			continue;
		list_unlink(&c->ret_le);
		if (n->by_id[c->index] == c)
			n->by_id[c->index] = NULL;
		retired_free(c);
	}
	ds_net_retired_gone(n);
}

void ds_reload_close(struct ds_net *n)
{
	if (n->job) {   /* its result never reaches the loop now */
		pthread_join(n->job->th, NULL);
		job_free(n->job, false);
		n->job = NULL;
	}
	n->reload_mq = mem_deref(n->reload_mq);
	tmr_cancel(&n->reap_tmr);
	while (n->retiring.head) {
		struct net_agent *c = n->retiring.head->data;

		list_unlink(&c->ret_le);
		retired_free(c);
	}
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Is the server the same in both configurations (all a probe, a REGISTER
 * and the engine's pairs depend on)? */
static bool srv_same(const struct ds_server *a, const struct ds_server *b)
{
	return str_eq(a->name, b->name) && a->kind == b->kind && str_eq(a->host, b->host) &&
	       a->port == b->port && a->port_given == b->port_given &&
	       a->transports == b->transports && str_eq(a->site, b->site) &&
	       str_eq(a->backup.name, b->backup.name);
}

struct srv_map {
	int *to_new;                 /* old configuration's index -> new, or -1 */
	bool *same;                  /* by old index: same definition in the new */
};

static enum change compare(const struct srv_map *m, const struct net_agent *o,
			   const struct net_agent *s)
{
	const struct ds_engine_conf *a = &o->conf, *b = &s->conf;

	for (int i = 0; i < DS_SLOT_COUNT; i++) {
		int ia = a->server_id[i], ib = b->server_id[i];
		if ((ia < 0) != (ib < 0) || (ia >= 0 && (m->to_new[ia] != ib || !m->same[ia])))
			return CH_SERVERS;
	}
	for (int k = 0; k < DS_KIND_COUNT; k++)
		if (a->kind_connected[k] != b->kind_connected[k] ||
		    !str_eq(a->kind_site[k][0], b->kind_site[k][0]) ||
		    !str_eq(a->kind_site[k][1], b->kind_site[k][1]))
			return CH_SERVERS;
	if (!str_eq(a->site_name[0], b->site_name[0]) || !str_eq(a->site_name[1], b->site_name[1]) ||
	    a->bc_enabled != b->bc_enabled || a->single_mode != b->single_mode ||
	    !a->reg_expires[0] != !b->reg_expires[0] || !a->reg_expires[1] != !b->reg_expires[1])
		return CH_SERVERS;
	if (strcmp(o->p->sip_user, s->p->sip_user) || o->tp != s->tp ||
	    o->sbc_port[0] != s->sbc_port[0] || o->sbc_port[1] != s->sbc_port[1] ||
	    memcmp(o->sbc_addr, s->sbc_addr, sizeof(o->sbc_addr)))
		return CH_IDENTITY;
	if (strcmp(o->password ? o->password : "", s->password ? s->password : ""))
		return CH_PASSWORD;
	if (a->auto_restore != b->auto_restore || a->restore_when_idle != b->restore_when_idle ||
	    a->timeout_ms != b->timeout_ms || a->sipphone_wait_ms != b->sipphone_wait_ms ||
	    a->hold_down_ms != b->hold_down_ms || a->binding_check_ms != b->binding_check_ms ||
	    a->random_range_ms != b->random_range_ms ||
	    a->reregister_ms[0] != b->reregister_ms[0] || a->reregister_ms[1] != b->reregister_ms[1] ||
	    a->reg_expires[0] != b->reg_expires[0] || a->reg_expires[1] != b->reg_expires[1] ||
	    o->answer_delay_ms != s->answer_delay_ms)
		return CH_VALUES;
	return CH_SAME;
}

/* The running agent takes the staged one's configuration (pointers into the
 * new configuration, password, transport, SBC); the staged one is freed. */
static void take_over(struct net_agent *o, struct net_agent *s)
{
	char *pw = o->password;

	o->p = s->p;
	o->conf = s->conf;   /* the engine reads it through &o->conf */
	o->password = s->password;
	s->password = pw;    /* wiped and freed with s */
	o->tp = s->tp;
	memcpy(o->sbc_host, s->sbc_host, sizeof(o->sbc_host));
	memcpy(o->sbc_port, s->sbc_port, sizeof(o->sbc_port));
	memcpy(o->sbc_addr, s->sbc_addr, sizeof(o->sbc_addr));
	o->answer_delay_ms = s->answer_delay_ms;
	ds_agent_free(s);
}

/* A binding's servers, from the old configuration's numbering to the new. */
static void remap(const struct srv_map *m, struct net_binding *b)
{
	for (int i = 0; i < 2; i++)
		if (b->bound[i] >= 0)
			b->bound[i] = m->to_new[b->bound[i]];
	if (b->server_id >= 0)
		b->server_id = m->to_new[b->server_id];
}

/* A new engine, told what the driver knows: servers, drained sites. */
static int start_engine(struct ds_net *n, struct net_agent *ag)
{
	struct ds_input in = {.type = DS_IN_SERVERS};
	int err = ds_net_agent_start(n, ag, ds_net_now(n));

	if (err)
		return err;
	/* a call kept across the restart (ag->call_site: its site now) */
	if (ag->call && (ag->call_site == 0 || ag->call_site == 1))
		ds_engine_set_call(ag->eng, ag->call_site);
	in.up_mask = ds_net_up_mask(n, ag);
	in.unknown_mask = ds_net_unknown_mask(n, ag);
	ds_net_input(ag, &in);
	for (size_t d = 0; d < n->n_drained; d++)
		for (int s = 0; s < 2; s++)
			if (str_eq(ag->conf.site_name[s], n->drained[d])) {
				struct ds_input dr = {.type = DS_IN_DRAIN, .site = s};
				ds_net_input(ag, &dr);
			}
	return 0;
}

/* The counters' and the drained sites' names, owned: the configuration
 * they came from is freed after the reload. */
static void own_sites(struct ds_net *n)
{
	struct ds_net_counters *c = &n->ctr;

	for (size_t i = 0; i < c->n_sites; i++) {
		if (c->site[i] == n->site_own[i])
			continue;
		char *copy = strdup(c->site[i]);
		if (!copy)
			continue;   /* left pointing at the configuration in use */
		for (size_t d = 0; d < n->n_drained; d++)
			if (!strcmp(n->drained[d], copy))
				n->drained[d] = copy;
		free(n->site_own[i]);
		n->site_own[i] = copy;
		c->site[i] = copy;
	}
}

/* The servers the agents use now: the same table with its pointers into the
 * new configuration when the set is unchanged, else a new table (probes and
 * look-ups restarted) that keeps the state of the servers it had. */
static int servers_update(struct ds_net *n, const struct ds_config *old,
			  const struct srv_map *m)
{
	struct net_server *tab;
	size_t cnt;
	int *idx, err;
	bool same;

	err = ds_servers_build(n, &tab, &cnt, &idx);
	if (err)
		return err;
	same = cnt == n->n_servers;
	for (size_t i = 0; same && i < n->n_servers; i++) {
		int id = n->servers[i].s->index, to = m->to_new[id];
		same = to >= 0 && m->same[id] && idx[to] >= 0;
	}
	if (same) {
		/* the usual reload: no server changed; keep the table as it is */
		for (size_t i = 0; i < old->n_servers; i++)
			if (n->srv_index[i] >= 0)
				idx[m->to_new[i]] = n->srv_index[i];
		for (size_t i = 0; i < n->n_servers; i++)
			n->servers[i].s = &n->cfg->servers[m->to_new[n->servers[i].s->index]];
		ds_servers_free(tab, cnt);
		free(n->srv_index);
		n->srv_index = idx;
		return 0;
	}
	ds_probe_stop(n);
	ds_dns_stop(n);
	for (size_t i = 0; i < n->n_servers; i++) {
		const struct net_server *os = &n->servers[i];
		int to = m->to_new[os->s->index];

		if (to < 0 || idx[to] < 0 || !m->same[os->s->index]) {
			ds_log(n, "reload: server %s: %s; no longer probed", os->s->name,
			       to < 0 || idx[to] < 0 ? "no running agent uses it" : "changed");
			continue;
		}
		struct net_server *ns = &tab[idx[to]];
		ns->health = os->health;
		ns->known = os->known;
		ns->fails_timeout = os->fails_timeout;
		ns->fails_fast = os->fails_fast;
		memcpy(ns->fast_why, os->fast_why, sizeof(ns->fast_why));
		ns->last_ok_round = os->last_ok_round;
		ns->rtt_us = os->rtt_us;
		ns->since = os->since;
		ns->rtt = os->rtt;
		ns->auth_sig = os->auth_sig;
		if (os->named && os->dns_ok) {   /* usable until the new look-up answers */
			ns->addr = os->addr;
			ns->dns_ok = true;
			ns->dns_init = true;
		}
	}
	for (size_t i = 0; i < cnt; i++)
		if (!tab[i].known && !tab[i].health.up)
			ds_log(n, "reload: server %s: probed from now on", tab[i].s->name);
	ds_servers_free(n->servers, n->n_servers);
	free(n->srv_index);
	n->servers = tab;
	n->n_servers = cnt;
	n->srv_index = idx;
	err = ds_servers_index_agents(n);
	if (!err)
		err = ds_dns_setup(n);
	if (!err)
		err = ds_dns_start(n);   /* the probes once names are looked up */
	return err;
}

/* The new agents, set up aside (a problem changes nothing): into *stp, one
 * per person. Safe in a worker thread (reads cfg and n's listen address). */
static int stage(struct ds_net *n, const struct ds_config *cfg,
		 const struct ds_person *const *persons, size_t count,
		 struct ds_diags *diags, struct net_agent ***stp)
{
	struct net_agent **st = calloc(count ? count : 1, sizeof(*st));
	size_t errors0 = diags->errors;
	int err = 0;

	*stp = st;
	if (!st)
		return ENOMEM;
	for (size_t i = 0; i < count; i++) {
		int e;

		st[i] = calloc(1, sizeof(*st[i]));
		e = st[i] ? ds_agent_setup(n, cfg, st[i], persons[i], diags) : ENOMEM;
		if (e && !err)
			err = e;
		if (err == ENOMEM)
			break;
	}
	if (err || diags->errors > errors0)
		return err ? err : EINVAL;
	return 0;
}

static void stage_free(struct net_agent **st, size_t count)
{
	for (size_t i = 0; st && i < count; i++)
		if (st[i]) {
			st[i]->net = NULL;   /* never enrolled: no bindings, no timers */
			ds_agent_free(st[i]);
		}
	free(st);
}

/* The staged agents st[0..count) take the running ones' places: the loop's
 * part of a reload. Takes st (frees it). */
static int apply(struct ds_net *n, const struct ds_config *cfg,
		 const struct ds_person *const *persons, size_t count,
		 struct net_agent **st, struct ds_net_reload_result *res)
{
	const struct ds_config *old = n->cfg;
	struct net_agent **match = NULL, **live = NULL;
	uint8_t *what = NULL;
	bool *kept = NULL, users = false;
	struct srv_map m = {NULL, NULL};
	struct ds_strmap byname;
	bool have_map = false;
	int err = 0;
	uint64_t t0 = now_us();

	memset(res, 0, sizeof(*res));
	memset(&byname, 0, sizeof(byname));
	if (!n->started || n->stopping) {
		err = EBUSY;
		goto out;
	}
	match = calloc(count ? count : 1, sizeof(*match));
	live = calloc(count ? count : 1, sizeof(*live));
	what = calloc(count ? count : 1, 1);
	kept = calloc(n->n_agents ? n->n_agents : 1, sizeof(*kept));
	m.to_new = malloc((old->n_servers ? old->n_servers : 1) * sizeof(int));
	m.same = calloc(old->n_servers ? old->n_servers : 1, sizeof(bool));
	if (!match || !live || !what || !kept || !m.to_new || !m.same) {
		err = ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < old->n_servers; i++) {
		const struct ds_server *ns = ds_config_server(cfg, old->servers[i].name);
		m.to_new[i] = ns ? ns->index : -1;
		m.same[i] = ns && srv_same(&old->servers[i], ns);
	}

	/* match by name: in the same place (the usual case), else looked up */
	for (size_t i = 0; i < count; i++) {
		void *v = NULL;

		if (i < n->n_agents && !strcmp(n->agents[i]->p->name, persons[i]->name)) {
			match[i] = n->agents[i];
			kept[i] = true;
		}
		else {
			if (!have_map) {
				for (size_t k = 0; k < n->n_agents; k++) {
					err = ds_strmap_put(&byname, n->agents[k]->p->name,
							    (void *)(uintptr_t)(k + 1), NULL);
					if (err)
						goto out;
				}
				have_map = true;
			}
			if (ds_strmap_get(&byname, persons[i]->name, &v)) {
				match[i] = n->agents[(uintptr_t)v - 1];
				kept[(uintptr_t)v - 1] = true;
			}
		}
		what[i] = match[i] ? (uint8_t)compare(&m, match[i], st[i]) : CH_ADDED;
	}

	/* from here on nothing fails but for memory, which is said and left */
	for (size_t k = 0; k < n->n_agents; k++) {
		struct net_agent *ag = n->agents[k];

		if (kept[k])
			continue;
		res->removed++;
		ds_log(n, "reload: agent %s removed: stopping it (bindings removed)",
		       ag->p->name);
		ds_metrics_agent_drop(n, ag);
		if (ag->call) {
			if (n->ctr.calls_active)
				n->ctr.calls_active--;
			ds_call_hangup(ag, "agent removed by a reload");
		}
		retire(n, ag);
		ds_agent_free(ag);
		users = true;
	}
	for (size_t i = 0; i < count; i++) {
		struct net_agent *ag = match[i];

		switch ((enum change)what[i]) {
		case CH_SAME:
		case CH_VALUES:
			break;
		case CH_PASSWORD:
			for (int p = 0; p < 2; p++)
				ds_digest_reset(&ag->bind[p].digest);
			break;
		case CH_IDENTITY:
		case CH_SERVERS:
			/* the old bindings go with a retiring copy; new ones, with
			 * new Call-IDs, under a new id */
			retire(n, ag);
			ds_timer_cancel(&n->timers, &ag->tmr);   /* re-armed below */
			if (ds_agent_enroll(n, ag))
				ds_log(n, "reload: agent %s: out of memory", ag->p->name);
			users = true;
			break;
		case CH_ADDED:
			if (ds_agent_enroll(n, st[i])) {
				ds_log(n, "reload: agent %s: out of memory; not added",
				       st[i]->p->name);
				ds_agent_free(st[i]);
				st[i] = NULL;
			}
			users = true;
			break;
		}
	}

	/* the new configuration from here on */
	n->cfg = cfg;
	ds_probe_conf_get(cfg, &n->pc);
	if (n->pc.failures == 0)
		n->pc.failures = 1;
	size_t nl = 0;
	for (size_t i = 0; i < count; i++) {
		struct net_agent *ag = match[i];
		const char *call_site_name = NULL;

		switch ((enum change)what[i]) {
		case CH_SAME:
		case CH_VALUES:
		case CH_PASSWORD:
			for (int p = 0; p < 2; p++)
				remap(&m, &ag->bind[p]);
			take_over(ag, st[i]);
			break;
		case CH_IDENTITY:
			take_over(ag, st[i]);
			break;
		case CH_SERVERS:
			if (ag->call && (ag->call_site == 0 || ag->call_site == 1))
				call_site_name = ag->conf.site_name[ag->call_site];
			ds_timer_cancel(&n->timers, &ag->tmr);
			ds_metrics_agent_drop(n, ag);
			ds_engine_free(ag->eng);
			ag->eng = NULL;
			ag->call_site = -1;
			for (int s = 0; s < 2 && call_site_name; s++)
				if (str_eq(st[i]->conf.site_name[s], call_site_name))
					ag->call_site = s;
			if (ag->call && ag->call_site < 0) {
				if (n->ctr.calls_active)
					n->ctr.calls_active--;
				ds_call_hangup(ag, "its site is no longer the agent's (reload)");
			}
			take_over(ag, st[i]);
			ds_metrics_agent_init(n, ag);
			break;
		case CH_ADDED:
			ag = st[i];
			if (ag)
				ds_metrics_agent_init(n, ag);
			break;
		}
		st[i] = NULL;
		if (ag) {
			what[nl] = what[i];   /* from here on: by place in live[] */
			live[nl++] = ag;
		}
	}
	free(n->agents);
	n->agents = live;
	n->n_agents = nl;
	live = NULL;

	err = servers_update(n, old, &m);
	if (err)
		ds_log(n, "reload: servers: %m; probes may have stopped", err);
	/* places changed: the servers' lists of agents, by place */
	err = ds_servers_index_agents(n);
	if (!err && users)
		err = ds_call_users(n);
	if (err)
		ds_log(n, "reload: out of memory: %m", err);

	for (size_t i = 0; i < n->n_agents; i++) {
		struct net_agent *ag = n->agents[i];
		struct ds_input in = {.type = DS_IN_REREGISTER};

		switch ((enum change)what[i]) {
		case CH_SAME:
			break;
		case CH_VALUES:
			res->changed++;
			ds_log(n, "reload: agent %s: new option values, taken in place", ag->p->name);
			break;
		case CH_PASSWORD:
		case CH_IDENTITY:
			res->changed++;
			ds_log(n, "reload: agent %s: new SIP %s: registering again", ag->p->name,
			       what[i] == CH_PASSWORD ? "password" : "user, transport or SBC");
			ds_net_input(ag, &in);
			break;
		case CH_SERVERS:
			res->changed++;
			ds_log(n, "reload: agent %s: new servers or sites: its engine starts again "
			       "on them%s", ag->p->name, ag->call ? " (its call goes on)" : "");
			(void)start_engine(n, ag);
			break;
		case CH_ADDED:
			res->added++;
			ds_log(n, "reload: agent %s added: starting it", ag->p->name);
			(void)start_engine(n, ag);
			break;
		}
	}
	own_sites(n);
	ds_net_notify_changed(n);
	ds_log(n, "reload: applied in %.1f ms of the loop", (double)(now_us() - t0) / 1000.0);
	err = 0;

 out:
	stage_free(st, count);
	if (have_map)
		ds_strmap_free(&byname);
	free(match);
	free(live);
	free(what);
	free(kept);
	free(m.to_new);
	free(m.same);
	return err;
}

int ds_net_reload(struct ds_net *n, const struct ds_config *cfg,
		  const struct ds_person *const *persons, size_t count,
		  struct ds_diags *diags, struct ds_net_reload_result *res)
{
	struct net_agent **st = NULL;
	int err;

	memset(res, 0, sizeof(*res));
	if (!n->started || n->stopping)
		return EBUSY;
	err = stage(n, cfg, persons, count, diags, &st);
	if (err) {
		stage_free(st, count);
		return err;
	}
	return apply(n, cfg, persons, count, st, res);
}

/* ---- a reload in a worker thread ---------------------------------------------- */


static void *free_cfg_thread(void *arg)
{
	ds_config_free(arg);
	return NULL;
}

/* A configuration of ten thousand persons takes milliseconds to free: off
 * the loop, when a thread can be had. */
static void free_cfg_later(struct ds_config *cfg)
{
	pthread_t th;

	if (!cfg)
		return;
	if (pthread_create(&th, NULL, free_cfg_thread, cfg)) {
		ds_config_free(cfg);
		return;
	}
	pthread_detach(th);
}

static void job_free(struct net_reload_job *job, bool cfg_later)
{
	stage_free(job->st, job->count);
	free(job->persons);
	if (cfg_later)
		free_cfg_later(job->cfg);
	else
		ds_config_free(job->cfg);
	ds_diags_reset(&job->diags);
	free(job);
}

static void *reload_worker(void *arg)
{
	struct net_reload_job *job = arg;
	struct ds_net *n = job->n;

	job->err = n->nc.reloadh(&job->diags, &job->cfg, &job->persons, &job->count,
				 n->nc.arg);
	if (!job->err)
		job->err = stage(n, job->cfg, job->persons, job->count, &job->diags, &job->st);
	if (mqueue_push(n->reload_mq, 0, job)) {
		/* cannot reach the loop: it joins us at the end (ds_reload_close) */
	}
	return NULL;
}

/* The worker is done: apply in the loop, say how it went. */
static void reload_mq_h(int id, void *data, void *arg)
{
	struct ds_net *n = arg;
	struct net_reload_job *job = data;
	struct ds_net_reload_result res;
	ds_net_reload_done_h *h;
	int err;
	(void)id;

	pthread_join(job->th, NULL);
	n->job = NULL;
	memset(&res, 0, sizeof(res));
	err = job->err;
	if (!err) {
		err = apply(n, job->cfg, job->persons, job->count, job->st, &res);
		job->st = NULL;   /* apply took it */
		if (!err) {
			struct ds_config *old = n->cfg_own;

			n->cfg_own = job->cfg;   /* the agents point into it now */
			job->cfg = old;          /* nothing points into this one */
		}
	}
	ds_diags_sort(&job->diags);
	for (size_t i = 0; i < job->diags.n; i++) {
		const struct ds_diag *d = &job->diags.v[i];
		ds_log(n, "reload: %s:%d:%d: %s: %s: %s", d->loc.file ? d->loc.file : "-",
		       d->loc.line, d->loc.col, d->sev == DS_SEV_ERROR ? "error" : "warning",
		       d->path && *d->path ? d->path : "-", d->msg ? d->msg : "");
	}
	if (err)
		ds_log(n, "reload: %s; nothing changed (%.1f ms)",
		       err == EINVAL ? "the configuration has errors" :
		       err == EBUSY ? "stopping" : strerror(err),
		       (double)(now_us() - job->t0) / 1000.0);
	else
		ds_log(n, "reload: done: %zu added, %zu removed, %zu changed, the others "
		       "untouched (%.1f ms in all, the file read in a worker thread)",
		       res.added, res.removed, res.changed,
		       (double)(now_us() - job->t0) / 1000.0);
	ds_net_notify_reloaded(n);
	if (n->reload_again && !n->stopping) {
		n->reload_again = false;
		job_free(job, true);
		if (!ds_net_reload_start(n, NULL, NULL))
			return;   /* its end calls doneh */
		memset(&res, 0, sizeof(res));
		job = NULL;
		err = EBUSY;
	}
	h = n->reload_doneh;
	n->reload_doneh = NULL;
	if (h)
		h(err, job ? &job->diags : NULL, &res, n->reload_arg);
	if (job)
		job_free(job, true);
}

int ds_net_reload_start(struct ds_net *n, ds_net_reload_done_h *doneh, void *arg)
{
	struct net_reload_job *job;
	int err;

	if (!n->nc.reloadh)
		return ENOTSUP;
	if (!n->started || n->stopping)
		return EBUSY;
	if (doneh) {
		n->reload_doneh = doneh;
		n->reload_arg = arg;
	}
	if (n->job) {
		n->reload_again = true;
		ds_log(n, "reload: one is in progress; another follows it");
		return 0;
	}
	if (!n->reload_mq) {
		err = mqueue_alloc(&n->reload_mq, reload_mq_h, n);
		if (err)
			return err;
	}
	job = calloc(1, sizeof(*job));
	if (!job)
		return ENOMEM;
	job->n = n;
	job->t0 = now_us();
	ds_net_notify_reloading(n);
	ds_log(n, "reload: reading the configuration again");
	err = pthread_create(&job->th, NULL, reload_worker, job);
	if (err) {
		ds_log(n, "reload: cannot start a thread: %m", err);
		free(job);
		ds_net_notify_reloaded(n);
		return err;
	}
	n->job = job;
	return 0;
}
