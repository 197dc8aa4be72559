/* Validation entry points: the whole configuration, or what stops a run of some agents. */
#include <stdlib.h>
#include <string.h>
#include "vd.h"

static size_t run(struct ds_config *cfg, const bool *selected, struct ds_diags *d)
{
	struct vd v;
	size_t errors, tls_errors;

	memset(&v, 0, sizeof(v));
	v.cfg = cfg;
	v.d = d;
	v.selected = selected;
	ds_options_check(cfg, d);
	/* rule 14: the loader reported an undefined connection once; which
	 * pair it should have made is unknown, so rule 5 stays silent */
	for (size_t i = 0; i < cfg->app.n_connections; i++)
		if (!ds_config_server(cfg, cfg->app.connections[i].name))
			v.conn_missing = true;
	vd_servers(&v);
	vd_users(&v);
	/* the Application's: they touch every agent of the process */
	tls_errors = vd_tls(&v);
	for (size_t i = 0; i < cfg->n_persons && !v.oom; i++) {
		vd_person_sip(&v, &cfg->persons[i]);
		vd_agent(&v, &cfg->persons[i]);
	}
	errors = vd_emit(&v) + tls_errors;
	if (v.oom) {
		ds_diag_add(d, DS_SEV_ERROR, NULL, "", "out of memory while validating");
		errors++;
	}
	vd_free(&v);
	return errors;
}

void ds_validate(struct ds_config *cfg, struct ds_diags *d)
{
	run(cfg, NULL, d);
}

/* Bad values (not misplaced ones, which are warnings) in one option set. */
static size_t bad_values(const struct ds_optset *set, bool app, bool server)
{
	size_t n = 0;

	for (size_t i = 0; i < set->n; i++) {
		const struct ds_opt *o = &set->v[i];
		enum ds_opt_scope sc;

		if (o->id < 0 || o->id >= DS_OPT_COUNT || o->valid)
			continue;
		sc = ds_option_defs[o->id].scope;
		if (server ? sc == DS_SCOPE_SERVER :
		    sc == DS_SCOPE_AGENT || (app && sc == DS_SCOPE_APP_ONLY))
			n++;
	}
	return n;
}

/* True the first time `i` is seen. */
static bool first(bool *seen, size_t i)
{
	bool was = seen[i];

	seen[i] = true;
	return !was;
}

/* Errors from ds_options_check() on the objects the chosen agents read. */
static size_t chain_errors(struct ds_config *cfg, const bool *sel)
{
	bool *seen_g = calloc(cfg->n_groups + 1, 1), *seen_t = calloc(cfg->n_tenants + 1, 1);
	bool *seen_s = calloc(cfg->n_servers + 1, 1);
	size_t n = 0;
	bool any = false;

	if (!seen_g || !seen_t || !seen_s) {
		free(seen_g);
		free(seen_t);
		free(seen_s);
		return 1;
	}
	for (size_t i = 0; i < cfg->n_persons; i++) {
		const struct ds_person *p = &cfg->persons[i];
		struct ds_effective eff;
		struct ds_topo t;

		if (!sel[i])
			continue;
		any = true;
		n += bad_values(&p->opts, false, false);
		for (size_t g = 0; g < p->n_groups; g++) {
			size_t gi = (size_t)(p->groups[g] - cfg->groups);

			if (first(seen_g, gi))
				n += bad_values(&p->groups[g]->opts, false, false);
		}
		if (p->tenant_obj && first(seen_t, (size_t)(p->tenant_obj - cfg->tenants)))
			n += bad_values(&p->tenant_obj->opts, false, false);
		ds_options_resolve(cfg, p, &eff);
		ds_topo_pick(cfg, p, &eff, &t);
		for (int k = 0; k < DS_KIND_COUNT; k++)
			for (int s = 0; s < 2; s++) {
				const struct ds_server *m[2] = {t.k[k].pair[s], NULL};

				m[1] = m[0] ? m[0]->backup_srv : NULL;
				for (int j = 0; j < 2; j++)
					if (m[j] && first(seen_s, (size_t)m[j]->index))
						n += bad_values(&m[j]->opts, false, true);
			}
	}
	if (any)
		n += bad_values(&cfg->app.opts, true, false);
	free(seen_g);
	free(seen_t);
	free(seen_s);
	return n;
}

size_t ds_validate_agents(struct ds_config *cfg, const char *const *agents, size_t n,
			  struct ds_diags *d)
{
	bool *sel = calloc(cfg->n_persons + 1, sizeof(*sel));
	const char **names = calloc(cfg->n_persons + 1, sizeof(*names));
	size_t errors = 0;

	if (!sel || !names) {
		free(sel);
		free(names);
		ds_diag_add(d, DS_SEV_ERROR, NULL, "", "out of memory while validating");
		return 1;
	}
	for (size_t i = 0; i < cfg->n_persons; i++) {
		names[i] = cfg->persons[i].name;
		sel[i] = n == 0;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ds_person *p = ds_config_person(cfg, agents[i]);
		const char *near;

		if (p) {
			sel[p - cfg->persons] = true;
			continue;
		}
		near = ds_closest(agents[i], names, cfg->n_persons);
		if (near)
			ds_diag_add(d, DS_SEV_ERROR, NULL, "persons", "unknown agent `%s`; did you "
				    "mean `%s`?", agents[i], near);
		else
			ds_diag_add(d, DS_SEV_ERROR, NULL, "persons", "unknown agent `%s`: no "
				    "person of that name in the configuration", agents[i]);
		errors++;
	}
	errors += run(cfg, sel, d);
	errors += chain_errors(cfg, sel);
	free(sel);
	free(names);
	return errors;
}
