/* Resolving references by name once every file is read: backups, switches,
 * connections, tenants, places, group members. Every lookup is a hash probe,
 * so resolution is linear in the size of the configuration. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config_int.h"

/* Names of one kind, for suggestions; built only when a name is missing. */
struct names {
	const char **v;
	size_t n;
	bool built;
};

/* One name that is not defined, however many objects name it
 * (docs/behaviour.md §2.3 rule 14: one report per cause). */
struct miss {
	const struct ds_ref *first;   /* the first reference met */
	const char *path, *word, *section;
	const struct names *nm;
	size_t count;
	struct miss *next;
};

struct rctx {
	struct ds_loader *L;
	struct names servers, switches, tenants, places, persons;
	struct ds_strmap missing;     /* "word name" -> struct miss */
	struct miss *misses;
};

#define NAMES_OF(L, nm, field) do { \
	if (!(nm)->built) { \
		(nm)->built = true; \
		(nm)->v = ds_ld_alloc(L, (L->cfg->n_##field + 1) * sizeof(char *)); \
		if ((nm)->v) { \
			for (size_t i_ = 0; i_ < L->cfg->n_##field; i_++) \
				(nm)->v[i_] = L->cfg->field[i_].name; \
			(nm)->n = L->cfg->n_##field; \
		} \
	} \
} while (0)

static long lookup(const struct ds_strmap *m, const char *name)
{
	void *v;

	if (!name || !ds_strmap_get(m, name, &v))
		return -1;
	return (long)(uintptr_t)v - 1;
}

/* Records a reference to nothing; report_missing() reports each name once. */
static void missing(struct rctx *R, const struct ds_ref *r, const char *path,
		    const char *word, const char *section, const struct names *nm)
{
	struct ds_loader *L = R->L;
	const char *key = ds_ld_printf(L, "%s %s", word, r->name);
	struct miss *m;
	void *old = NULL;

	if (L->nomem)
		return;
	if (ds_strmap_get(&R->missing, key, &old)) {
		((struct miss *)old)->count++;
		return;
	}
	m = ds_ld_alloc(L, sizeof(*m));
	if (!m)
		return;
	*m = (struct miss){ r, path, word, section, nm, 1, R->misses };
	if (ds_strmap_put(&R->missing, key, m, &old)) {
		L->nomem = true;
		return;
	}
	R->misses = m;
}

/* Each undefined name once, at its first reference, with the closest name
 * of that kind and how many objects name it. */
static void report_missing(struct rctx *R)
{
	for (const struct miss *m = R->misses; m; m = m->next) {
		const char *near = ds_closest(m->first->name, m->nm->v, m->nm->n);
		char more[64] = "";

		if (m->count > 1)
			snprintf(more, sizeof(more), " (named by %zu objects; reported once, here)",
				 m->count);
		if (near)
			ds_ld_error(R->L, &m->first->loc, m->path,
				    "%s '%s' is not defined; did you mean '%s'?%s",
				    m->word, m->first->name, near, more);
		else
			ds_ld_error(R->L, &m->first->loc, m->path,
				    "%s '%s' is not defined; define it under %s:%s",
				    m->word, m->first->name, m->section, more);
	}
}

static struct ds_switch *find_switch(struct rctx *R, const struct ds_ref *r,
				     const char *path)
{
	long i = lookup(&R->L->pv->switches, r->name);

	if (!r->name)
		return NULL;
	if (i < 0) {
		NAMES_OF(R->L, &R->switches, switches);
		missing(R, r, path, "switch", "switches", &R->switches);
		return NULL;
	}
	return &R->L->cfg->switches[i];
}

static struct ds_tenant *find_tenant(struct rctx *R, const struct ds_ref *r,
				     const char *path)
{
	long i = lookup(&R->L->pv->tenants, r->name);

	if (!r->name)
		return NULL;
	if (i < 0) {
		NAMES_OF(R->L, &R->tenants, tenants);
		missing(R, r, path, "tenant", "tenants", &R->tenants);
		return NULL;
	}
	return &R->L->cfg->tenants[i];
}

static void resolve_servers(struct rctx *R)
{
	struct ds_loader *L = R->L;
	struct ds_config *c = L->cfg;

	for (size_t i = 0; i < c->n_servers && !L->nomem; i++) {
		struct ds_server *s = &c->servers[i];

		if (s->backup.name) {
			long b = lookup(&L->pv->servers, s->backup.name);

			if (b < 0) {
				NAMES_OF(L, &R->servers, servers);
				missing(R, &s->backup, ds_ld_printf(L, "servers/%s/backup", s->name),
					"server", "servers", &R->servers);
			} else {
				s->backup_srv = &c->servers[b];
				/* Two primaries naming one backup: the first
				 * keeps it; validation reports the conflict. */
				if (!s->backup_srv->primary && s->backup_srv != s)
					s->backup_srv->primary = s;
			}
		}
		s->switch_obj = find_switch(R, &s->sw,
					    ds_ld_printf(L, "servers/%s/switch", s->name));
	}
}

static void resolve_connections(struct rctx *R)
{
	struct ds_loader *L = R->L;
	struct ds_application *a = &L->cfg->app;

	for (size_t i = 0; i < a->n_connections && !L->nomem; i++) {
		const struct ds_ref *r = &a->connections[i];
		const char *path = ds_ld_printf(L, "application/connections/%zu", i);
		long s = lookup(&L->pv->servers, r->name);

		if (s < 0) {
			NAMES_OF(L, &R->servers, servers);
			missing(R, r, path, "server", "servers", &R->servers);
			continue;
		}
		if (L->cfg->servers[s].connected)
			ds_ld_warn(L, &r->loc, path,
				   "server '%s' is listed twice in application/connections",
				   r->name);
		L->cfg->servers[s].connected = true;
	}
}

static int group_desc(const void *pa, const void *pb)
{
	const struct ds_group *a = *(const struct ds_group *const *)pa;
	const struct ds_group *b = *(const struct ds_group *const *)pb;

	return strcmp(b->name, a->name);
}

/* Each person's groups, by name descending (docs/behaviour.md §2.1: Z..A, byte-wise):
 * walking the groups in that order appends each person's groups already
 * sorted. */
static void resolve_groups(struct rctx *R)
{
	struct ds_loader *L = R->L;
	struct ds_config *c = L->cfg;
	struct ds_group **order = NULL;
	long *member = NULL;       /* person index of each member, or -1 */
	size_t *last = NULL;       /* per person: 1 + order position of its last group */
	size_t total = 0, m = 0;

	for (size_t g = 0; g < c->n_groups; g++) {
		c->groups[g].tenant_obj = find_tenant(R, &c->groups[g].tenant,
			ds_ld_printf(L, "agent-groups/%s/tenant", c->groups[g].name));
		total += c->groups[g].n_members;
	}
	if (!c->n_groups || L->nomem)
		return;
	order = ds_malloc(c->n_groups * sizeof(*order));
	member = ds_malloc((total ? total : 1) * sizeof(*member));
	last = ds_malloc((c->n_persons ? c->n_persons : 1) * sizeof(*last));
	if (!order || !member || !last) {
		L->nomem = true;
		goto out;
	}
	memset(last, 0, (c->n_persons ? c->n_persons : 1) * sizeof(*last));
	for (size_t g = 0; g < c->n_groups; g++)
		order[g] = &c->groups[g];
	qsort(order, c->n_groups, sizeof(*order), group_desc);

	for (size_t o = 0; o < c->n_groups && !L->nomem; o++) {
		struct ds_group *g = order[o];

		for (size_t k = 0; k < g->n_members; k++, m++) {
			const struct ds_ref *r = &g->members[k];
			const char *path = ds_ld_printf(L, "agent-groups/%s/members/%zu",
							g->name, k);
			long p = lookup(&L->pv->persons, r->name);

			member[m] = -1;
			if (p < 0) {
				NAMES_OF(L, &R->persons, persons);
				missing(R, r, path, "person", "persons", &R->persons);
				continue;
			}
			if (last[p] == o + 1) {
				ds_ld_warn(L, &r->loc, path,
					   "person '%s' is listed twice in agent-groups/%s/members",
					   r->name, g->name);
				continue;
			}
			last[p] = o + 1;
			member[m] = p;
			c->persons[p].n_groups++;
		}
	}
	for (size_t p = 0; p < c->n_persons && !L->nomem; p++) {
		struct ds_person *ps = &c->persons[p];

		if (ps->n_groups)
			ps->groups = ds_ld_alloc(L, ps->n_groups * sizeof(*ps->groups));
		ps->n_groups = 0;
	}
	m = 0;
	for (size_t o = 0; o < c->n_groups && !L->nomem; o++) {
		for (size_t k = 0; k < order[o]->n_members; k++, m++) {
			struct ds_person *ps;

			if (member[m] < 0)
				continue;
			ps = &c->persons[member[m]];
			ps->groups[ps->n_groups++] = order[o];
		}
	}
out:
	ds_free(order);
	ds_free(member);
	ds_free(last);
}

static void resolve_persons(struct rctx *R)
{
	struct ds_loader *L = R->L;
	struct ds_config *c = L->cfg;

	for (size_t i = 0; i < c->n_persons && !L->nomem; i++) {
		struct ds_person *p = &c->persons[i];

		p->tenant_obj = find_tenant(R, &p->tenant,
					    ds_ld_printf(L, "persons/%s/tenant", p->name));
		if (p->place.name) {
			long pl = lookup(&L->pv->places, p->place.name);

			if (pl < 0) {
				NAMES_OF(L, &R->places, places);
				missing(R, &p->place, ds_ld_printf(L, "persons/%s/place", p->name),
					"place", "places", &R->places);
			} else {
				p->place_obj = &c->places[pl];
			}
		}
	}
}

static void resolve_places(struct rctx *R)
{
	struct ds_config *c = R->L->cfg;

	for (size_t i = 0; i < c->n_places && !R->L->nomem; i++) {
		for (size_t k = 0; k < c->places[i].n_dns; k++) {
			struct ds_dn *dn = &c->places[i].dns[k];

			dn->switch_obj = find_switch(R, &dn->sw,
				ds_ld_printf(R->L, "places/%s/dns/%zu/switch",
					     c->places[i].name, k));
		}
	}
}

void ds_cfg_resolve(struct ds_loader *L)
{
	struct rctx R;

	memset(&R, 0, sizeof(R));
	R.L = L;
	resolve_servers(&R);
	resolve_connections(&R);
	resolve_persons(&R);
	resolve_groups(&R);
	resolve_places(&R);
	report_missing(&R);
	ds_strmap_free(&R.missing);
}
