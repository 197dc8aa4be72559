/* The readiness report's figures: N simulated losses of each site, every
 * agent at once, measured from the engine's own events.
 *
 * One run: the fleet starts at t = 0 and settles (60 s plus twice the
 * largest random delay); the site goes silent at a random instant in the
 * next 60 s (so the outage falls at every phase of the probe period) and
 * answers again `outage` later; the run goes on long enough for every agent
 * to come home (probe budget + timeout + hold-down + probe interval + twice
 * the random delay, plus a minute). An agent is *affected* when its SIP
 * connection is at the lost site just before the outage; its time without
 * a SIP connection runs from the outage to its next `connected`,
 * `switchover`, `restore` or `ha-switch` of kind sip; its time home, for an
 * agent preferring the lost site, from the return to its first SIP
 * connection at the preferred site after it. REGISTERs are counted per
 * registrar in 1-s windows from the outage on: the start of the fleet (every
 * agent registering at t = 0) is another question than the failover storm. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dualsite/agent.h"
#include "dualsite/options.h"
#include "dualsite/report.h"
#include "dualsite/sim.h"
#include "dualsite/validate.h"

#define NEVER (-1)
#define NOT_AFFECTED (-2)

struct run_ctx {
	struct ds_report *r;
	const char *site;
	size_t n;
	struct ds_engine_conf *confs;
	int64_t t0, tr;
	bool *affected;
	int64_t *back, *home;          /* this run, per agent */
	int *reg_ids;                  /* server id of each counted registrar */
	size_t n_regs, cap_regs;
	uint32_t *counts;              /* [reg * secs + second] of this run */
	int64_t secs;
	int err;
};

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank; never (NEVER) counts as the largest. */
static void stat_of(int64_t *v, size_t n, struct ds_report_stat *s)
{
	s->n = n;
	s->p50 = s->p99 = s->max = -1;
	if (!n)
		return;
	for (size_t i = 0; i < n; i++)
		if (v[i] == NEVER)
			v[i] = INT64_MAX;
	qsort(v, n, sizeof(*v), cmp_i64);
	size_t i50 = (n * 50 + 99) / 100, i99 = (n * 99 + 99) / 100;
	s->p50 = v[i50 ? i50 - 1 : 0];
	s->p99 = v[i99 ? i99 - 1 : 0];
	s->max = v[n - 1];
	if (s->p50 == INT64_MAX) s->p50 = NEVER;
	if (s->p99 == INT64_MAX) s->p99 = NEVER;
	if (s->max == INT64_MAX) s->max = NEVER;
}

static void on_event(const struct ds_event *ev, size_t a, void *arg)
{
	struct run_ctx *c = arg;
	int site = -1;

	if (ev->kind != DS_KIND_SIP || !c->affected[a] || ev->t < c->t0)
		return;
	switch (ev->type) {
	case DS_EV_CONNECTED:
	case DS_EV_HA_SWITCH:
		site = ev->site;
		break;
	case DS_EV_SWITCHOVER:
	case DS_EV_RESTORE:
		site = ev->to;
		break;
	case DS_EV_CONNECTION_LOST:
	case DS_EV_RESTORE_DEFERRED:
	case DS_EV_OUT_OF_SERVICE:
	case DS_EV_REGISTERED:
	case DS_EV_REGISTRATION_LOST:
	case DS_EV_REGISTRATION_FAILED:
	case DS_EV_CALL_START:
	case DS_EV_CALL_END:
		return;
	}
	if (c->back[a] == NEVER)
		c->back[a] = ev->t - c->t0;
	if (ev->t >= c->tr && site == DS_SITE_PREFERRED && c->home[a] == NEVER)
		c->home[a] = ev->t - c->tr;
}

static void on_action(const struct ds_action *act, int64_t t, void *arg)
{
	struct run_ctx *c = arg;
	size_t i = 0;

	if (act->type != DS_ACT_REGISTER || !act->expires || t < c->t0 || t / 1000 >= c->secs)
		return;
	while (i < c->n_regs && c->reg_ids[i] != act->server_id)
		i++;
	if (i == c->n_regs) {
		if (c->n_regs == c->cap_regs) {
			size_t cap = c->cap_regs ? c->cap_regs * 2 : 8;
			int *ids = realloc(c->reg_ids, cap * sizeof(*ids));
			uint32_t *cnt = ids ? realloc(c->counts, cap * (size_t)c->secs * sizeof(*cnt)) : NULL;

			if (ids)
				c->reg_ids = ids;
			if (!cnt) {
				c->err = ENOMEM;
				return;
			}
			c->counts = cnt;
			c->cap_regs = cap;
		}
		c->reg_ids[i] = act->server_id;
		memset(c->counts + i * (size_t)c->secs, 0, (size_t)c->secs * sizeof(*c->counts));
		c->n_regs++;
	}
	c->counts[i * (size_t)c->secs + (size_t)(t / 1000)]++;
}

/* Per-site results of every run, kept for the figures. */
struct site_acc {
	int64_t *without, *home;     /* [agent * runs + run] */
	struct ds_report_reg *regs;
	size_t n_regs;
	int *reg_ids;
	double *reg_sum;             /* REGISTERs from the outage on, over the runs */
};

static const char *server_name(const struct ds_config *cfg, int id)
{
	return id >= 0 && (size_t)id < cfg->n_servers ? cfg->servers[id].name : "?";
}

static int one_run(struct run_ctx *c, const struct ds_config *cfg, const struct ds_probe_conf *pc,
		   uint64_t seed, int64_t run_ms, struct site_acc *acc, unsigned run)
{
	struct ds_sim_hooks h = {.agent_event_h = on_event, .action_h = on_action, .arg = c};
	struct ds_sim *sim = NULL;
	struct ds_fault down = {.type = DS_FAULT_DOWN, .at = c->t0, .name = c->site};
	struct ds_fault up = {.type = DS_FAULT_UP, .at = c->tr, .name = c->site};
	int e = ds_sim_alloc(&sim, &c->confs[0], pc, seed, &h);

	if (!e)
		e = ds_sim_reserve(sim, c->n);
	for (size_t a = 1; a < c->n && !e; a++)
		e = ds_sim_add_agent(sim, &c->confs[a]);
	if (!e)   /* the first agent's servers at the site (a fleet resolves the name per agent) */
		ds_sim_target(sim, c->site, &down.slots);
	up.slots = down.slots;
	if (!e)
		e = ds_sim_add_fault(sim, &down);
	if (!e)
		e = ds_sim_add_fault(sim, &up);
	c->n_regs = 0;
	for (size_t a = 0; a < c->n; a++) {
		c->affected[a] = false;
		c->back[a] = c->home[a] = NEVER;
	}
	if (!e)
		e = ds_sim_run_until(sim, c->t0 - 1);
	for (size_t a = 0; a < c->n && !e; a++) {
		struct ds_conn_view v;
		const char *s;

		ds_engine_conn(ds_sim_agent_engine(sim, a), DS_KIND_SIP, &v);
		s = v.state == DS_CONN_CONNECTED && v.site >= 0 ? c->confs[a].site_name[v.site] : NULL;
		c->affected[a] = s && !strcmp(s, c->site);
	}
	if (!e)
		e = ds_sim_run_until(sim, run_ms);
	ds_sim_free(sim);
	if (e || c->err)
		return e ? e : c->err;
	unsigned runs = c->r->opts.runs;
	for (size_t a = 0; a < c->n; a++) {
		bool prefers = c->confs[a].site_name[0] && !strcmp(c->confs[a].site_name[0], c->site);

		acc->without[a * runs + run] = c->affected[a] ? c->back[a] : NOT_AFFECTED;
		acc->home[a * runs + run] = c->affected[a] && prefers ? c->home[a] : NOT_AFFECTED;
	}
	for (size_t i = 0; i < c->n_regs; i++) {
		size_t k = 0;

		while (k < acc->n_regs && acc->reg_ids[k] != c->reg_ids[i])
			k++;
		if (k == acc->n_regs) {
			struct ds_report_reg *v = realloc(acc->regs, (k + 1) * sizeof(*v));
			int *ids = v ? realloc(acc->reg_ids, (k + 1) * sizeof(*ids)) : NULL;
			double *sum = ids ? realloc(acc->reg_sum, (k + 1) * sizeof(*sum)) : NULL;

			if (v)
				acc->regs = v;
			if (ids)
				acc->reg_ids = ids;
			if (!sum)
				return ENOMEM;
			acc->reg_sum = sum;
			memset(&acc->regs[k], 0, sizeof(acc->regs[k]));
			acc->regs[k].name = server_name(cfg, c->reg_ids[i]);
			acc->reg_ids[k] = c->reg_ids[i];
			acc->reg_sum[k] = 0;
			acc->n_regs++;
		}
		const uint32_t *cnt = c->counts + i * (size_t)c->secs;
		for (int64_t s = c->t0 / 1000; s < c->secs; s++) {
			acc->reg_sum[k] += cnt[s];
			if (cnt[s] > acc->regs[k].peak) {
				acc->regs[k].peak = cnt[s];
				acc->regs[k].peak_run = run;
				acc->regs[k].peak_t = s * 1000;
			}
		}
	}
	return 0;
}

static int by_conf_name(const void *a, const void *b)
{
	return strcmp(((const struct ds_engine_conf *)a)->agent,
		      ((const struct ds_engine_conf *)b)->agent);
}

static size_t agent_index(const struct ds_engine_conf *confs, size_t n, const char *name)
{
	struct ds_engine_conf key = {.agent = name};
	const struct ds_engine_conf *hit = bsearch(&key, confs, n, sizeof(*confs), by_conf_name);

	return hit ? (size_t)(hit - confs) : n;
}

/* A group's figures from its members' runs (`members` NULL: every agent). */
static int group_figures(struct ds_report_group *g, const struct site_acc *acc, const size_t *members,
			 size_t n_members, unsigned runs)
{
	int64_t *w = malloc((n_members * runs + 1) * sizeof(*w));
	int64_t *h = malloc((n_members * runs + 1) * sizeof(*h));
	size_t nw = 0, nh = 0;

	if (!w || !h) {
		free(w);
		free(h);
		return ENOMEM;
	}
	g->agents = n_members;
	for (size_t m = 0; m < n_members; m++) {
		size_t a = members ? members[m] : m;

		for (unsigned run = 0; run < runs; run++) {
			int64_t x = acc->without[a * runs + run], y = acc->home[a * runs + run];

			if (x != NOT_AFFECTED) {
				g->affected++;
				g->never += x == NEVER;
				w[nw++] = x;
			}
			if (y != NOT_AFFECTED && x != NEVER) {
				if (y == NEVER)
					g->away++;
				else
					h[nh++] = y;
			}
		}
	}
	stat_of(w, nw, &g->without);
	stat_of(h, nh, &g->home);
	free(w);
	free(h);
	return 0;
}

static int site_figures(struct ds_report *r, struct ds_report_site *rs, const struct ds_config *cfg,
			struct ds_engine_conf *confs, size_t n, struct site_acc *acc)
{
	unsigned runs = r->opts.runs;
	size_t *members = malloc((n + 1) * sizeof(*members));
	int e = 0;

	if (!members || !(rs->groups = calloc(cfg->n_groups + 1, sizeof(*rs->groups)))) {
		free(members);
		return ENOMEM;
	}
	e = group_figures(&rs->all, acc, NULL, n, runs);
	rs->all.name = "all agents";
	/* groups by name ascending, then the agents in none */
	for (size_t gi = 0; gi <= cfg->n_groups && !e; gi++) {
		size_t k = 0;
		const struct ds_group *g = NULL;

		if (gi < cfg->n_groups) {
			for (size_t j = 0; j < cfg->n_groups; j++) {
				size_t below = 0;
				for (size_t q = 0; q < cfg->n_groups; q++)
					below += strcmp(cfg->groups[q].name, cfg->groups[j].name) < 0;
				if (below == gi)
					g = &cfg->groups[j];
			}
			for (size_t m = 0; g && m < g->n_members; m++) {
				size_t a = agent_index(confs, n, g->members[m].name);
				if (a < n)
					members[k++] = a;
			}
		} else {
			for (size_t p = 0; p < cfg->n_persons; p++)
				if (!cfg->persons[p].n_groups)
					members[k++] = agent_index(confs, n, cfg->persons[p].name);
			if (!k)
				break;
		}
		struct ds_report_group *rg = &rs->groups[rs->n_groups++];
		rg->name = g ? g->name : "(no group)";
		e = group_figures(rg, acc, members, k, runs);
	}
	free(members);
	/* the worst agents: the longest time without SIP over the runs */
	for (size_t a = 0; a < n; a++) {
		int64_t worst = NOT_AFFECTED;
		unsigned at = 0;

		for (unsigned run = 0; run < runs; run++) {
			int64_t x = acc->without[a * runs + run];
			if (x == NOT_AFFECTED || worst == NEVER)
				continue;
			if (x == NEVER || x > worst) {
				worst = x;
				at = run;
			}
		}
		if (worst == NOT_AFFECTED)
			continue;
		size_t i = rs->n_worst;
		while (i > 0 && rs->worst[i - 1].without_max != NEVER &&
		       (worst == NEVER || worst > rs->worst[i - 1].without_max))
			i--;
		if (i >= 10)
			continue;
		size_t last = rs->n_worst < 10 ? rs->n_worst : 9;
		memmove(&rs->worst[i + 1], &rs->worst[i], (last - i) * sizeof(rs->worst[0]));
		rs->worst[i] = (struct ds_report_agent){confs[a].agent, worst, at};
		if (rs->n_worst < 10)
			rs->n_worst++;
	}
	rs->regs = acc->regs;
	rs->n_regs = acc->n_regs;
	acc->regs = NULL;
	for (size_t k = 0; k < rs->n_regs; k++) {
		int64_t secs = rs->run_ms / 1000 - 0;
		double span = 0;
		for (unsigned run = 0; run < runs && run < 64; run++)
			span += (double)(secs - rs->outage_at[run] / 1000);
		if (runs > 64)
			span = span / 64.0 * runs;
		rs->regs[k].mean = span > 0 ? acc->reg_sum[k] / span : 0;
		rs->regs[k].over = r->capacity && rs->regs[k].peak > r->capacity;
		r->failed |= rs->regs[k].over;
	}
	r->failed |= rs->all.never > 0;
	return e;
}

/* The findings of `validate` that change the figures: those about the
 * options the bounds of docs/behaviour.md are made of. */
static int keep_findings(struct ds_report *r, struct ds_config *cfg)
{
	static const char *const keys[] = {
		"reregister_in_seconds", "disaster-recovery.timeout", "random-delay-range",
		"restore-hold-down", "auto-restore", "probe-", "registration-mode",
		"disaster-recovery.enabled", "preferred-site", "peer-site", "registrar-capacity",
		"register-timeout", "wait-for-sipphone",
	};
	struct ds_diags d = {0};

	ds_validate(cfg, &d);
	for (size_t i = 0; i < d.n; i++) {
		bool keep = false;

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]) && !keep; k++)
			keep = (d.v[i].path && strstr(d.v[i].path, keys[k])) || strstr(d.v[i].msg, keys[k]);
		if (keep)
			ds_diag_add(&r->findings, d.v[i].sev, &d.v[i].loc, d.v[i].path, "%s", d.v[i].msg);
	}
	ds_diags_reset(&d);
	return 0;
}

static int add_site(const char ***sites, size_t *n, const char *s)
{
	if (!s)
		return 0;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*sites)[i], s))
			return 0;
	const char **v = realloc(*sites, (*n + 1) * sizeof(*v));
	if (!v)
		return ENOMEM;
	v[(*n)++] = s;
	*sites = v;
	return 0;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int ds_report_run(struct ds_report *r, struct ds_config *cfg, const struct ds_report_opts *opts)
{
	size_t n = cfg->n_persons;
	struct ds_engine_conf *confs = calloc(n + 1, sizeof(*confs));
	struct ds_probe_conf pc;
	const char **sites = NULL;
	size_t n_sites = 0;
	int64_t max_r = 0, max_after = 0;
	struct run_ctx c = {.r = r, .n = n};
	int e = 0;

	memset(r, 0, sizeof(*r));
	r->file = cfg->file;
	r->opts = *opts;
	r->n_agents = n;
	if (!n) {
		free(confs);
		return EINVAL;
	}
	if (!confs)
		return ENOMEM;
	keep_findings(r, cfg);
	for (size_t i = 0; i < n && !e; i++) {
		struct ds_effective eff;
		e = ds_sim_setup(cfg, cfg->persons[i].name, &confs[i], &pc);
		if (e)
			break;
		if (i == 0) {
			ds_options_resolve(cfg, &cfg->persons[i], &eff);
			r->capacity = (uint32_t)eff.v[DS_OPT_REGISTRAR_CAPACITY].v.d;
		}
	}
	qsort(confs, n, sizeof(*confs), by_conf_name);
	int64_t budget = (int64_t)pc.failures * pc.interval_ms + pc.timeout_ms;
	for (size_t i = 0; i < n && !e; i++) {
		const struct ds_engine_conf *k = &confs[i];
		int64_t after = budget + k->timeout_ms + k->hold_down_ms + pc.interval_ms +
				2 * k->random_range_ms + pc.register_timeout_ms;

		max_r = k->random_range_ms > max_r ? k->random_range_ms : max_r;
		max_after = after > max_after ? after : max_after;
		e = add_site(&sites, &n_sites, k->site_name[0]);
		if (!e)
			e = add_site(&sites, &n_sites, k->site_name[1]);
		if (!e && (!k->bc_enabled || !k->site_name[1])) {
			struct ds_report_unprotected *u = realloc(r->unprotected,
				(r->n_unprotected + 1) * sizeof(*u));
			if (!u) {
				e = ENOMEM;
				break;
			}
			r->unprotected = u;
			u[r->n_unprotected++] = (struct ds_report_unprotected){k->agent,
				!k->bc_enabled ? "Business Continuity off" : "no peer site"};
		}
	}
	if (!e && n_sites)
		qsort(sites, n_sites, sizeof(*sites), by_str);
	if (!e && opts->site) {
		size_t i = 0;
		while (i < n_sites && strcmp(sites[i], opts->site))
			i++;
		if (i == n_sites)
			e = ENOENT;
		else
			sites[0] = sites[i], n_sites = 1;
	}
	if (!e && !(r->sites = calloc(n_sites, sizeof(*r->sites))))
		e = ENOMEM;
	int64_t warm = 60000 + 2 * max_r;
	int64_t run_ms = warm + 60000 + opts->outage_ms + max_after + 60000;
	c.confs = confs;
	c.secs = run_ms / 1000 + 1;
	c.affected = calloc(n, sizeof(*c.affected));
	c.back = calloc(n, sizeof(*c.back));
	c.home = calloc(n, sizeof(*c.home));
	if (!c.affected || !c.back || !c.home)
		e = e ? e : ENOMEM;
	for (size_t s = 0; s < n_sites && !e; s++) {
		struct ds_report_site *rs = &r->sites[r->n_sites++];
		struct site_acc acc = {0};

		rs->site = sites[s];
		rs->run_ms = run_ms;
		acc.without = calloc(n * opts->runs, sizeof(*acc.without));
		acc.home = calloc(n * opts->runs, sizeof(*acc.home));
		if (!acc.without || !acc.home)
			e = ENOMEM;
		c.site = sites[s];
		for (unsigned run = 0; run < opts->runs && !e; run++) {
			uint64_t seed = ds_engine_seed(mix(opts->seed) + run, sites[s]);

			c.t0 = warm + (int64_t)(mix(seed) % 60000);
			c.tr = c.t0 + opts->outage_ms;
			if (run < 64)
				rs->outage_at[run] = c.t0;
			e = one_run(&c, cfg, &pc, seed, run_ms, &acc, run);
		}
		if (!e)
			e = site_figures(r, rs, cfg, confs, n, &acc);
		free(acc.without);
		free(acc.home);
		free(acc.regs);
		free(acc.reg_ids);
		free(acc.reg_sum);
	}
	/* the report keeps pointers to names in the configuration, not in confs */
	for (size_t i = 0; i < r->n_unprotected; i++)
		r->unprotected[i].agent = ds_config_person(cfg, r->unprotected[i].agent)->name;
	for (size_t s = 0; s < r->n_sites; s++)
		for (size_t w = 0; w < r->sites[s].n_worst; w++)
			r->sites[s].worst[w].name = ds_config_person(cfg, r->sites[s].worst[w].name)->name;
	free(c.affected);
	free(c.back);
	free(c.home);
	free(c.reg_ids);
	free(c.counts);
	free(sites);
	free(confs);
	return e;
}

void ds_report_reset(struct ds_report *r)
{
	for (size_t s = 0; s < r->n_sites; s++) {
		free(r->sites[s].groups);
		free(r->sites[s].regs);
	}
	free(r->sites);
	free(r->unprotected);
	ds_diags_reset(&r->findings);
	memset(r, 0, sizeof(*r));
}
