/* Which HA pairs serve one agent: per kind, the pair at the preferred and at the peer site.
 *
 * Policy (docs/behaviour.md §2.3, seed "Business Continuity"):
 * - Only primaries listed in application.connections count, in that order
 *   (a connected server that a connected primary names as backup does not).
 * - sip, BC on: at the preferred site, the only pair there, or else the pair
 *   whose switch holds one of the agent's DNs. Its disaster-recovery.name
 *   (`default` when unset) then picks the peer: the pair of that name at the
 *   peer site. Exactly one pair of that name must be at each site.
 * - stat and config: the first connected pair at each site (the seed names
 *   peers only for SIP Servers).
 * - BC off: one site per kind, the preferred site when set, else the site of
 *   the first connected server of that kind. */
#include <string.h>
#include "topo.h"

static bool same_switch(const struct ds_ref *a, const struct ds_switch *ao,
			const struct ds_ref *b, const struct ds_switch *bo)
{
	if (ao && bo)
		return ao == bo;
	return a->name && b->name && !strcmp(a->name, b->name);
}

const struct ds_dn *ds_topo_dn(const struct ds_person *p, const struct ds_server *srv)
{
	const struct ds_place *pl = p ? p->place_obj : NULL;

	if (!pl || !srv || !srv->sw.name)
		return NULL;
	for (size_t i = 0; i < pl->n_dns; i++)
		if (same_switch(&pl->dns[i].sw, pl->dns[i].switch_obj, &srv->sw, srv->switch_obj))
			return &pl->dns[i];
	return NULL;
}

static bool same_site(const struct ds_server *s, const char *site)
{
	return s->site && site && !strcmp(s->site, site);
}

/* The connected primaries of kind `k`, in connection order, each once. */
static size_t connected(const struct ds_config *cfg, enum ds_kind k,
			struct ds_server **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->app.n_connections; i++) {
		struct ds_server *s = ds_config_server(cfg, cfg->app.connections[i].name);
		bool dup = false;

		/* A backup listed as a connection is not a pair of its own
		 * (validation rule 4 reports it). */
		if (!s || s->kind != k || (s->primary && s->primary->connected))
			continue;
		for (size_t j = 0; j < n && j < max; j++)
			dup = dup || out[j] == s;
		if (dup)
			continue;
		if (n < max)
			out[n] = s;
		n++;
	}
	return n < max ? n : max;
}

enum { MAX_CONN = 256 };

static void pick_sip_bc(const struct ds_person *p, struct ds_server **all, size_t n,
			struct ds_topo_kind *tk)
{
	struct ds_server *at0 = NULL, *dn0 = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!same_site(all[i], tk->site[0]))
			continue;
		if (!at0)
			at0 = all[i];
		if (!dn0 && ds_topo_dn(p, all[i]))
			dn0 = all[i];
	}
	if (tk->n_at[0] > 1) {
		if (!dn0) {
			tk->err[0] = DS_TOPO_NO_DN;
			return;
		}
		at0 = dn0;
	}
	tk->pair[0] = at0;
	tk->name = at0->dr_name ? at0->dr_name : "default";
	for (size_t i = 0; i < n; i++) {
		const char *nm = all[i]->dr_name ? all[i]->dr_name : "default";

		if (strcmp(nm, tk->name))
			continue;
		for (int s = 0; s < 2; s++)
			if (same_site(all[i], tk->site[s])) {
				tk->name_count[s]++;
				if (s == 1 && !tk->pair[1])
					tk->pair[1] = all[i];
			}
	}
	for (int s = 0; s < 2; s++)
		if (tk->name_count[s] != 1)
			tk->err[s] = DS_TOPO_NAME_COUNT;
}

static void pick_kind(const struct ds_config *cfg, const struct ds_person *p,
		      enum ds_kind k, struct ds_topo *t)
{
	struct ds_server *all[MAX_CONN];
	struct ds_topo_kind *tk = &t->k[k];
	size_t n = connected(cfg, k, all, MAX_CONN);
	int sites = t->bc ? 2 : 1;

	t->n_pairs[k] = (unsigned)n;
	t->connected[k] = n > 0;
	if (!n)
		return;
	for (int s = 0; s < 2; s++) {
		tk->site[s] = t->site[s];
		if (s >= sites)
			continue;
		/* BC off without a preferred site: the first server's site. */
		if (!tk->site[s] && !t->bc)
			tk->site[s] = all[0]->site;
		if (!tk->site[s] && !(!t->bc && !all[0]->site)) {
			tk->err[s] = DS_TOPO_NO_SITE;
			continue;
		}
		for (size_t i = 0; i < n; i++)
			if (tk->site[s] ? same_site(all[i], tk->site[s]) : !all[i]->site)
				tk->n_at[s]++;
		if (!tk->n_at[s])
			tk->err[s] = DS_TOPO_NO_PAIR;
	}
	if (k == DS_KIND_SIP && t->bc && !tk->err[0] && !tk->err[1]) {
		pick_sip_bc(p, all, n, tk);
		return;
	}
	for (int s = 0; s < sites; s++) {
		struct ds_server *dn_pair = NULL;

		if (tk->err[s])
			continue;
		for (size_t i = 0; i < n; i++) {
			bool here = tk->site[s] ? same_site(all[i], tk->site[s]) : !all[i]->site;

			if (!here)
				continue;
			if (!tk->pair[s])
				tk->pair[s] = all[i];
			if (k == DS_KIND_SIP && !dn_pair && ds_topo_dn(p, all[i]))
				dn_pair = all[i];
		}
		/* BC off with several SIP pairs at the site: the one with the DN. */
		if (dn_pair)
			tk->pair[s] = dn_pair;
	}
}

void ds_topo_pick(const struct ds_config *cfg, const struct ds_person *p,
		  const struct ds_effective *eff, struct ds_topo *t)
{
	const struct ds_value *pref = &eff->v[DS_OPT_DR_PREFERRED_SITE];
	const struct ds_value *peer = &eff->v[DS_OPT_DR_PEER_SITE];

	memset(t, 0, sizeof(*t));
	t->bc = eff->v[DS_OPT_DR_ENABLED].set && eff->v[DS_OPT_DR_ENABLED].v.b;
	t->site[0] = pref->set ? pref->v.s : NULL;
	t->site[1] = t->bc && peer->set ? peer->v.s : NULL;
	for (int k = 0; k < DS_KIND_COUNT; k++)
		pick_kind(cfg, p, (enum ds_kind)k, t);
	/* BC off without a preferred site: name the SIP pair's site. */
	if (!t->bc && !t->site[0])
		for (int k = 0; k < DS_KIND_COUNT && !t->site[0]; k++)
			t->site[0] = t->k[k].site[0];
}
