/* The top-level sections of a configuration file (docs/behaviour.md §2): each object is
 * defined once across every included file, with its settings parsed here
 * (servers and persons in their own files). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "config_int.h"

const char *const ds_cfg_top_keys[] = {
	"include", "application", "servers", "switches", "tenants",
	"agent-groups", "places", "persons",
};
const size_t ds_cfg_n_top_keys = sizeof(ds_cfg_top_keys) / sizeof(ds_cfg_top_keys[0]);

enum okind { OK_SERVER, OK_SWITCH, OK_TENANT, OK_GROUP, OK_PLACE, OK_PERSON, OK_COUNT };

static const struct {
	const char *section;
	const char *word;     /* in messages */
	const char *settings; /* "expected a map of ..." */
} okinds[OK_COUNT] = {
	[OK_SERVER] = { "servers", "server", "kind, host, port, ..." },
	[OK_SWITCH] = { "switches", "switch", "nothing, or {}" },
	[OK_TENANT] = { "tenants", "tenant", "options" },
	[OK_GROUP]  = { "agent-groups", "agent group", "tenant, members, options" },
	[OK_PLACE]  = { "places", "place", "dns" },
	[OK_PERSON] = { "persons", "person", "tenant, place, sip, options" },
};

bool ds_cfg_ref(struct ds_loader *L, struct fy_node *v, struct ds_loc vloc,
		const char *path, const char *what, struct ds_ref *r)
{
	const char *s = ds_yaml_name(L, v, vloc, path, what);

	if (!s)
		return false;
	r->name = s;
	r->loc = vloc;
	return true;
}

/* A list of names (application connections, group members). Bad items are
 * reported and left out. */
static void parse_refs(struct ds_loader *L, struct fy_node *v, struct ds_loc vloc,
		       const char *path, const char *item_what, const char *list_what,
		       struct ds_ref **refs, size_t *n)
{
	struct fy_node *item;
	void *it = NULL;
	size_t i = 0;
	int count;

	if (ds_yaml_is_null(v))
		return;
	if (!ds_yaml_is_seq(v)) {
		ds_ld_error(L, &vloc, path, "expected a list of %s, got %s",
			    list_what, ds_yaml_what(v));
		return;
	}
	count = fy_node_sequence_item_count(v);
	if (count <= 0)
		return;
	*refs = ds_ld_alloc(L, (size_t)count * sizeof(**refs));
	if (!*refs)
		return;
	while ((item = fy_node_sequence_iterate(v, &it)) && !L->nomem) {
		struct ds_loc iloc = ds_yaml_loc(L, item, &vloc);
		const char *ipath = ds_ld_printf(L, "%s/%zu", path, i++);

		item = ds_yaml_deref(L, item, &iloc, ipath);
		if (item && ds_cfg_ref(L, item, iloc, ipath, item_what, &(*refs)[*n]))
			(*n)++;
	}
}

/* ---- application ---- */

static const char *const app_keys[] = { "name", "connections", "options" };

static void app_h(struct ds_loader *L, const char *key, struct ds_loc kloc,
		  struct fy_node *v, struct ds_loc vloc, const char *path, void *arg)
{
	struct ds_application *a = arg;
	const char *sub = ds_ld_printf(L, "%s/%s", path, key);

	if (!strcmp(key, "name")) {
		const char *s = ds_yaml_name(L, v, vloc, sub, "the application's name");

		if (s)
			a->name = s;
	} else if (!strcmp(key, "connections")) {
		parse_refs(L, v, vloc, sub, "a server name", "server names",
			   &a->connections, &a->n_connections);
	} else if (!strcmp(key, "options")) {
		/* The application may carry other sections of the seed's
		 * model silently: only interaction-workspace is read. */
		ds_cfg_options(L, &a->opts, v, vloc, path, false);
	} else {
		ds_ld_unknown_key(L, key, kloc, path, app_keys,
				  sizeof(app_keys) / sizeof(app_keys[0]));
	}
}

static void parse_application(struct ds_loader *L, struct ds_loc kloc,
			      struct fy_node *v, struct ds_loc vloc)
{
	struct ds_application *a = &L->cfg->app;

	if (L->pv->have_app) {
		ds_ld_error(L, &kloc, "application",
			    "application is defined twice: here and at %s:%d:%d; "
			    "define it in one file", a->loc.file, a->loc.line, a->loc.col);
		return;
	}
	L->pv->have_app = true;
	a->loc = kloc;
	if (ds_yaml_is_null(v))
		return;
	if (!ds_yaml_is_map(v)) {
		ds_ld_error(L, &vloc, "application",
			    "expected a map (name, connections, options), got %s",
			    ds_yaml_what(v));
		return;
	}
	ds_yaml_each(L, v, "application", app_h, a);
}

/* ---- switches, tenants ---- */

static void switch_h(struct ds_loader *L, const char *key, struct ds_loc kloc,
		     struct fy_node *v, struct ds_loc vloc, const char *path, void *arg)
{
	(void)v;
	(void)vloc;
	(void)arg;
	ds_ld_unknown_key(L, key, kloc, path, NULL, 0);
}

static const char *const tenant_keys[] = { "options" };

static void tenant_h(struct ds_loader *L, const char *key, struct ds_loc kloc,
		     struct fy_node *v, struct ds_loc vloc, const char *path, void *arg)
{
	struct ds_tenant *t = arg;

	if (!strcmp(key, "options"))
		ds_cfg_options(L, &t->opts, v, vloc, path, true);
	else
		ds_ld_unknown_key(L, key, kloc, path, tenant_keys, 1);
}

/* ---- agent groups ---- */

static const char *const group_keys[] = { "tenant", "members", "options" };

static void group_h(struct ds_loader *L, const char *key, struct ds_loc kloc,
		    struct fy_node *v, struct ds_loc vloc, const char *path, void *arg)
{
	struct ds_group *g = arg;
	const char *sub = ds_ld_printf(L, "%s/%s", path, key);

	if (!strcmp(key, "tenant"))
		ds_cfg_ref(L, v, vloc, sub, "a tenant name", &g->tenant);
	else if (!strcmp(key, "members"))
		parse_refs(L, v, vloc, sub, "a person name", "person names",
			   &g->members, &g->n_members);
	else if (!strcmp(key, "options"))
		ds_cfg_options(L, &g->opts, v, vloc, path, true);
	else
		ds_ld_unknown_key(L, key, kloc, path, group_keys, 3);
}

/* ---- places ---- */

static const char *const dn_keys[] = { "switch", "number" };

static void dn_h(struct ds_loader *L, const char *key, struct ds_loc kloc,
		 struct fy_node *v, struct ds_loc vloc, const char *path, void *arg)
{
	struct ds_dn *dn = arg;
	const char *sub = ds_ld_printf(L, "%s/%s", path, key);

	if (!strcmp(key, "switch"))
		ds_cfg_ref(L, v, vloc, sub, "a switch name", &dn->sw);
	else if (!strcmp(key, "number"))
		dn->number = ds_yaml_name(L, v, vloc, sub, "a DN number such as \"7001\"");
	else
		ds_ld_unknown_key(L, key, kloc, path, dn_keys, 2);
}

static void parse_dns(struct ds_loader *L, struct ds_place *pl, struct fy_node *v,
		      struct ds_loc vloc, const char *path)
{
	struct fy_node *item;
	void *it = NULL;
	size_t i = 0;
	int count;

	if (ds_yaml_is_null(v))
		return;
	if (!ds_yaml_is_seq(v)) {
		ds_ld_error(L, &vloc, path,
			    "expected a list of DNs ({switch: NAME, number: \"7001\"}), got %s",
			    ds_yaml_what(v));
		return;
	}
	count = fy_node_sequence_item_count(v);
	if (count <= 0)
		return;
	pl->dns = ds_ld_alloc(L, (size_t)count * sizeof(*pl->dns));
	if (!pl->dns)
		return;
	while ((item = fy_node_sequence_iterate(v, &it)) && !L->nomem) {
		struct ds_loc iloc = ds_yaml_loc(L, item, &vloc);
		const char *ipath = ds_ld_printf(L, "%s/%zu", path, i++);
		struct ds_dn *dn = &pl->dns[pl->n_dns];

		item = ds_yaml_deref(L, item, &iloc, ipath);
		if (!item)
			continue;
		if (!ds_yaml_is_map(item)) {
			ds_ld_error(L, &iloc, ipath,
				    "expected a DN ({switch: NAME, number: \"7001\"}), got %s",
				    ds_yaml_what(item));
			continue;
		}
		memset(dn, 0, sizeof(*dn));
		dn->loc = iloc;
		ds_yaml_each(L, item, ipath, dn_h, dn);
		if (!dn->sw.name && !dn->number) {
			ds_ld_error(L, &iloc, ipath, "a DN needs 'switch' and 'number'");
			continue;
		}
		if (!dn->sw.name) {
			ds_ld_error(L, &iloc, ipath, "missing 'switch': the switch this DN is on");
			continue;
		}
		if (!dn->number) {
			ds_ld_error(L, &iloc, ipath, "missing 'number': the DN's number");
			continue;
		}
		pl->n_dns++;
	}
}

static const char *const place_keys[] = { "dns" };

static void place_h(struct ds_loader *L, const char *key, struct ds_loc kloc,
		    struct fy_node *v, struct ds_loc vloc, const char *path, void *arg)
{
	if (!strcmp(key, "dns"))
		parse_dns(L, arg, v, vloc, ds_ld_printf(L, "%s/dns", path));
	else
		ds_ld_unknown_key(L, key, kloc, path, place_keys, 1);
}

/* ---- defining objects ---- */

static void *push(struct ds_loader *L, void **arr, size_t *n, size_t *cap, size_t size)
{
	char *p;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *np = ds_realloc(*arr, ncap * size);

		if (!np) {
			L->nomem = true;
			return NULL;
		}
		*arr = np;
		*cap = ncap;
	}
	p = (char *)*arr + *n * size;
	memset(p, 0, size);
	(*n)++;
	return p;
}

static struct ds_strmap *kind_map(struct ds_cfgpriv *pv, enum okind k)
{
	switch (k) {
	case OK_SERVER: return &pv->servers;
	case OK_SWITCH: return &pv->switches;
	case OK_TENANT: return &pv->tenants;
	case OK_GROUP:  return &pv->groups;
	case OK_PLACE:  return &pv->places;
	case OK_PERSON: return &pv->persons;
	case OK_COUNT:  break;
	}
	return NULL;
}

static struct ds_loc kind_loc(const struct ds_config *c, enum okind k, size_t i)
{
	switch (k) {
	case OK_SERVER: return c->servers[i].loc;
	case OK_SWITCH: return c->switches[i].loc;
	case OK_TENANT: return c->tenants[i].loc;
	case OK_GROUP:  return c->groups[i].loc;
	case OK_PLACE:  return c->places[i].loc;
	case OK_PERSON: return c->persons[i].loc;
	case OK_COUNT:  break;
	}
	return c->servers[i].loc;
}

/* Appends a zeroed object to its kind's array, or NULL. */
static void *kind_push(struct ds_loader *L, enum okind k)
{
	struct ds_config *c = L->cfg;
	struct ds_cfgpriv *pv = L->pv;
	void *arr, *p = NULL;

#define PUSH(field, capf) \
	arr = c->field; \
	p = push(L, &arr, &c->n_##field, &pv->capf, sizeof(*c->field)); \
	c->field = arr;
	switch (k) {
	case OK_SERVER: PUSH(servers, cap_servers); break;
	case OK_SWITCH: PUSH(switches, cap_switches); break;
	case OK_TENANT: PUSH(tenants, cap_tenants); break;
	case OK_GROUP:  PUSH(groups, cap_groups); break;
	case OK_PLACE:  PUSH(places, cap_places); break;
	case OK_PERSON: PUSH(persons, cap_persons); break;
	case OK_COUNT:  break;
	}
#undef PUSH
	return p;
}

static size_t kind_count(const struct ds_config *c, enum okind k)
{
	switch (k) {
	case OK_SERVER: return c->n_servers;
	case OK_SWITCH: return c->n_switches;
	case OK_TENANT: return c->n_tenants;
	case OK_GROUP:  return c->n_groups;
	case OK_PLACE:  return c->n_places;
	case OK_PERSON: return c->n_persons;
	case OK_COUNT:  break;
	}
	return 0;
}

static void object_h(struct ds_loader *L, const char *name, struct ds_loc kloc,
		     struct fy_node *body, struct ds_loc bloc, const char *path,
		     void *arg)
{
	enum okind k = *(const enum okind *)arg;
	const char *opath = ds_ld_printf(L, "%s/%s", path, name);
	size_t idx = kind_count(L->cfg, k);
	void *old = NULL, *obj;
	int err;

	if (!*name) {
		ds_ld_error(L, &kloc, path, "a %s's name may not be empty", okinds[k].word);
		return;
	}
	err = ds_strmap_put(kind_map(L->pv, k), name, (void *)(uintptr_t)(idx + 1), &old);
	if (err == EEXIST) {
		struct ds_loc f = kind_loc(L->cfg, k, (size_t)(uintptr_t)old - 1);

		ds_ld_error(L, &kloc, opath,
			    "%s '%s' is defined twice: here and at %s:%d:%d",
			    okinds[k].word, name, f.file, f.line, f.col);
		return;
	}
	if (err) {
		L->nomem = true;
		return;
	}
	obj = kind_push(L, k);
	if (!obj)
		return;
	if (ds_yaml_is_null(body)) {
		body = NULL;
	} else if (!ds_yaml_is_map(body)) {
		ds_ld_error(L, &bloc, opath, "expected a map of the %s's settings (%s), got %s",
			    okinds[k].word, okinds[k].settings, ds_yaml_what(body));
		body = NULL;
	}
	switch (k) {
	case OK_SERVER: {
		struct ds_server *s = obj;

		s->name = name;
		s->loc = kloc;
		s->index = (int)idx;
		ds_cfg_server_body(L, s, body, opath);
		break;
	}
	case OK_SWITCH: {
		struct ds_switch *s = obj;

		s->name = name;
		s->loc = kloc;
		if (body)
			ds_yaml_each(L, body, opath, switch_h, s);
		break;
	}
	case OK_TENANT: {
		struct ds_tenant *t = obj;

		t->name = name;
		t->loc = kloc;
		if (body)
			ds_yaml_each(L, body, opath, tenant_h, t);
		break;
	}
	case OK_GROUP: {
		struct ds_group *g = obj;

		g->name = name;
		g->loc = kloc;
		if (body)
			ds_yaml_each(L, body, opath, group_h, g);
		break;
	}
	case OK_PLACE: {
		struct ds_place *pl = obj;

		pl->name = name;
		pl->loc = kloc;
		if (body)
			ds_yaml_each(L, body, opath, place_h, pl);
		break;
	}
	case OK_PERSON: {
		struct ds_person *p = obj;

		p->name = name;
		p->loc = kloc;
		p->index = (int)idx;
		ds_cfg_person_body(L, p, body, opath);
		break;
	}
	case OK_COUNT:
		break;
	}
}

void ds_cfg_section(struct ds_loader *L, const char *key, struct ds_loc kloc,
		    struct fy_node *v, struct ds_loc vloc)
{
	static const enum okind kinds[OK_COUNT] = {
		OK_SERVER, OK_SWITCH, OK_TENANT, OK_GROUP, OK_PLACE, OK_PERSON,
	};

	if (!strcmp(key, "application")) {
		parse_application(L, kloc, v, vloc);
		return;
	}
	for (size_t k = 0; k < OK_COUNT; k++) {
		if (strcmp(key, okinds[k].section))
			continue;
		if (ds_yaml_is_null(v))
			return;
		if (!ds_yaml_is_map(v)) {
			ds_ld_error(L, &vloc, key,
				    "expected a map of %s names to their settings, got %s",
				    okinds[k].word, ds_yaml_what(v));
			return;
		}
		ds_yaml_each(L, v, key, object_h, (void *)&kinds[k]);
		return;
	}
}
