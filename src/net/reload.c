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
 * are made by a retiring copy (retire.c), so that the old configuration can
 * be freed as soon as the reload is applied.
 *
 * The file is read, validated and its agents set up and compared in a worker
 * thread; the loop only applies the result (reload_mq_h), so that probes and
 * answers go on meanwhile. What is left (the staged agents, the old
 * configuration) is freed by another thread. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include "net_priv.h"
#include "../util/util.h"

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* A line per agent added, removed or changed for a few; a fleet's reload
 * gets a count (as the start's list of agents does). */
enum { SAY_AGENTS = 20 };

enum change { CH_SAME, CH_VALUES, CH_PASSWORD, CH_IDENTITY, CH_SERVERS, CH_ADDED };

/* What a reload does to each agent: matched by name, compared. Reads only
 * what nothing but a reload changes (the agents' list, names and
 * configuration, n->cfg), so a worker thread makes it while the loop runs. */
struct plan {
	struct net_agent **match;        /* by new place: the running agent, or NULL */
	uint8_t *what;                   /* by new place: enum change */
	bool *kept;                      /* by old place: still chosen */
	struct srv_map m;
	bool moved;                      /* an agent added, removed, restarted or
					  * moved: the servers' lists change */
};

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
	struct plan pl;                  /* ... and what to do with them */
	int err;
	uint64_t t0;
};

static void job_free(struct net_reload_job *job);

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
	if (strcmp(o->p->sip_user, s->p->sip_user) || o->tp != s->tp)
		return CH_IDENTITY;
	for (int i = 0; i < 2; i++)
		if (!str_eq(o->sbc_host[i], s->sbc_host[i]) || o->sbc_port[i] != s->sbc_port[i] ||
		    o->sbc_port_set[i] != s->sbc_port_set[i])
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
 * new configuration, password, transport, SBC); the staged one, holding the
 * old password, is freed later (off the loop). */
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
	memcpy(o->sbc_port_set, s->sbc_port_set, sizeof(o->sbc_port_set));
	/* o->sbc: n->sbcs's, set in the loop after (ds_sbc_attach_all) */
	o->answer_delay_ms = s->answer_delay_ms;
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


static void plan_free(struct plan *pl)
{
	free(pl->match);
	free(pl->what);
	free(pl->kept);
	free(pl->m.to_new);
	free(pl->m.same);
	memset(pl, 0, sizeof(*pl));
}

static int plan_make(const struct ds_net *n, const struct ds_config *cfg,
		     const struct ds_person *const *persons, size_t count,
		     struct net_agent *const *st, struct plan *pl)
{
	const struct ds_config *old = n->cfg;
	struct ds_strmap byname;
	bool have_map = false;
	int err = 0;

	memset(pl, 0, sizeof(*pl));
	memset(&byname, 0, sizeof(byname));
	pl->match = calloc(count ? count : 1, sizeof(*pl->match));
	pl->what = calloc(count ? count : 1, 1);
	pl->kept = calloc(n->n_agents ? n->n_agents : 1, sizeof(*pl->kept));
	pl->m.to_new = malloc((old->n_servers ? old->n_servers : 1) * sizeof(int));
	pl->m.same = calloc(old->n_servers ? old->n_servers : 1, sizeof(bool));
	if (!pl->match || !pl->what || !pl->kept || !pl->m.to_new || !pl->m.same) {
		plan_free(pl);
		return ENOMEM;
	}
	for (size_t i = 0; i < old->n_servers; i++) {
		const struct ds_server *ns = ds_config_server(cfg, old->servers[i].name);
		pl->m.to_new[i] = ns ? ns->index : -1;
		pl->m.same[i] = ns && srv_same(&old->servers[i], ns);
	}
	pl->moved = count != n->n_agents;
	/* match by name: in the same place (the usual case), else looked up */
	for (size_t i = 0; i < count; i++) {
		void *v = NULL;

		if (i < n->n_agents && !strcmp(n->agents[i]->p->name, persons[i]->name)) {
			pl->match[i] = n->agents[i];
			pl->kept[i] = true;
		}
		else {
			pl->moved = true;
			if (!have_map) {
				for (size_t k = 0; k < n->n_agents && !err; k++)
					err = ds_strmap_put(&byname, n->agents[k]->p->name,
							    (void *)(uintptr_t)(k + 1), NULL);
				have_map = true;
				if (err)
					break;
			}
			if (ds_strmap_get(&byname, persons[i]->name, &v)) {
				pl->match[i] = n->agents[(uintptr_t)v - 1];
				pl->kept[(uintptr_t)v - 1] = true;
			}
		}
		pl->what[i] = pl->match[i] ? (uint8_t)compare(&pl->m, pl->match[i], st[i]) : CH_ADDED;
		if (pl->what[i] == CH_ADDED || pl->what[i] == CH_SERVERS || pl->what[i] == CH_IDENTITY)
			pl->moved = true;
	}
	if (have_map)
		ds_strmap_free(&byname);
	if (err)
		plan_free(pl);
	return err;
}

/* The staged agents st[0..count) take the running ones' places, as `pl`
 * says: the loop's part of a reload. Takes pl (frees it); st's added agents
 * are set to NULL, the rest is the caller's to free (stage_free). */
static int apply(struct ds_net *n, const struct ds_config *cfg, size_t count,
		 struct net_agent **st, struct plan *pl, struct ds_net_reload_result *res)
{
	const struct ds_config *old = n->cfg;
	struct net_agent **match = pl->match, **live = NULL;
	uint8_t *what = pl->what;
	bool *kept = pl->kept, users = false;
	struct srv_map m = pl->m;
	int err = 0;
	size_t said = 0;
	uint64_t t0 = now_us();

	memset(res, 0, sizeof(*res));
	if (!n->started || n->stopping) {
		err = EBUSY;
		goto out;
	}
	live = calloc(count ? count : 1, sizeof(*live));
	if (!live) {
		err = ENOMEM;
		goto out;
	}

	/* from here on nothing fails but for memory, which is said and left */
	for (size_t k = 0; k < n->n_agents; k++) {
		struct net_agent *ag = n->agents[k];

		if (kept[k])
			continue;
		res->removed++;
		if (said++ < SAY_AGENTS)
			ds_log(n, "reload: agent %s removed: stopping it (bindings removed)",
			       ag->p->name);
		ds_metrics_agent_drop(n, ag);
		if (ag->call) {
			if (n->ctr.calls_active)
				n->ctr.calls_active--;
			ds_call_hangup(ag, "agent removed by a reload");
		}
		ds_retire(n, ag);
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
			ds_retire(n, ag);
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
		if (what[i] == CH_ADDED)
			st[i] = NULL;   /* running now */
		if (ag) {
			what[nl] = what[i];   /* from here on: by place in live[] */
			live[nl++] = ag;
		}
	}
	free(n->agents);
	n->agents = live;
	n->n_agents = nl;
	live = NULL;

	err = ds_reload_servers(n, old, &m, pl->moved);
	if (err)
		ds_log(n, "reload: servers: %m; probes may have stopped", err);
	/* places changed: the servers' lists of agents, by place */
	if (pl->moved)
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
			if (said++ < SAY_AGENTS)
				ds_log(n, "reload: agent %s: new option values, taken in place",
				       ag->p->name);
			break;
		case CH_PASSWORD:
		case CH_IDENTITY:
			res->changed++;
			if (said++ < SAY_AGENTS)
				ds_log(n, "reload: agent %s: new SIP %s: registering again",
				       ag->p->name, what[i] == CH_PASSWORD ? "password" :
				       "user, transport or SBC");
			ds_net_input(ag, &in);
			break;
		case CH_SERVERS:
			res->changed++;
			if (said++ < SAY_AGENTS)
				ds_log(n, "reload: agent %s: new servers or sites: its engine starts "
				       "again on them%s", ag->p->name,
				       ag->call ? " (its call goes on)" : "");
			(void)start_engine(n, ag);
			break;
		case CH_ADDED:
			res->added++;
			if (said++ < SAY_AGENTS)
				ds_log(n, "reload: agent %s added: starting it", ag->p->name);
			(void)start_engine(n, ag);
			break;
		}
	}
	if (said > SAY_AGENTS)
		ds_log(n, "reload: ... and %zu more agents added, removed or changed",
		       said - SAY_AGENTS);
	own_sites(n);
	ds_net_notify_changed(n);
	ds_log(n, "reload: applied in %.1f ms of the loop", (double)(now_us() - t0) / 1000.0);
	err = 0;

 out:
	plan_free(pl);
	free(live);
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
	struct plan pl;

	err = stage(n, cfg, persons, count, diags, &st);
	if (!err)
		err = ds_reload_tls_check(n, cfg, st, count, diags);
	if (!err)
		err = plan_make(n, cfg, persons, count, st, &pl);
	if (!err)
		err = apply(n, cfg, count, st, &pl, res);
	stage_free(st, count);
	return err;
}

/* ---- a reload in a worker thread ---------------------------------------------- */

void ds_reload_close(struct ds_net *n)
{
	if (n->job) {   /* its result never reaches the loop now */
		pthread_join(n->job->th, NULL);
		job_free(n->job);
		n->job = NULL;
	}
	n->reload_mq = mem_deref(n->reload_mq);
	ds_retire_close(n);
}



static void job_free(struct net_reload_job *job)
{
	stage_free(job->st, job->count);
	plan_free(&job->pl);
	free(job->persons);
	ds_config_free(job->cfg);
	ds_diags_reset(&job->diags);
	free(job);
}

static void *job_free_thread(void *arg)
{
	job_free(arg);
	return NULL;
}

/* The staged agents and the configuration nothing uses any more: freed off
 * the loop (milliseconds at ten thousand agents), when a thread can be had. */
static void job_free_later(struct net_reload_job *job)
{
	pthread_t th;

	if (pthread_create(&th, NULL, job_free_thread, job)) {
		job_free(job);
		return;
	}
	pthread_detach(th);
}

static void *reload_worker(void *arg)
{
	struct net_reload_job *job = arg;
	struct ds_net *n = job->n;

	job->err = n->nc.reloadh(&job->diags, &job->cfg, &job->persons, &job->count,
				 n->nc.arg);
	if (!job->err)
		job->err = stage(n, job->cfg, job->persons, job->count, &job->diags, &job->st);
	if (!job->err)
		job->err = ds_reload_tls_check(n, job->cfg, job->st, job->count, &job->diags);
	if (!job->err)
		job->err = plan_make(n, job->cfg, job->persons, job->count, job->st, &job->pl);
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
		err = apply(n, job->cfg, job->count, job->st, &job->pl, &res);
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
		job_free_later(job);
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
		job_free_later(job);
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
