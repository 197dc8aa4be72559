/* Effective options of one agent (docs/behaviour.md §2.1) and how to print a value and its source.
 *
 * Policy: for each option independently, the first object that sets it wins,
 * in this order: the Person, its Agent Groups by name descending (the loader
 * keeps person->groups in that order), its Tenant, the Application, then the
 * table's default. Probe options are shared by every agent of a process, so
 * they come from the Application (or the default) alone; server options
 * (disaster-recovery.site/name) are never an agent's. Only values that
 * ds_options_check() accepted take part: a bad value is reported there, and
 * the next object down the hierarchy (or the default) applies meanwhile. */
#include <stdio.h>
#include <string.h>
#include "dualsite/options.h"
#include "parse.h"
#include "../util/util.h"

/* The defaults, parsed once from the table's text. */
static union ds_optval defaults[DS_OPT_COUNT];
static bool default_set[DS_OPT_COUNT];
static bool defaults_ready;

static void defaults_init(void)
{
	char why[160];

	if (defaults_ready)
		return;
	for (int i = 0; i < DS_OPT_COUNT; i++)
		default_set[i] = ds_option_defs[i].def &&
			ds_option_parse(i, ds_option_defs[i].def, &defaults[i], why, sizeof(why));
	defaults_ready = true;
}

static void take(struct ds_effective *eff, const struct ds_optset *set,
		 enum ds_src_kind src, const char *name)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct ds_opt *o = &set->v[i];
		struct ds_value *v;
		enum ds_opt_scope scope;

		if (o->id < 0 || o->id >= DS_OPT_COUNT || !o->valid)
			continue;
		scope = ds_option_defs[o->id].scope;
		if (scope == DS_SCOPE_SERVER || (scope == DS_SCOPE_APP_ONLY && src != DS_SRC_APPLICATION))
			continue;
		v = &eff->v[o->id];
		if (v->set)
			continue;
		v->set = true;
		_Static_assert(sizeof(v->v) == sizeof(o->value), "one value layout");
		memcpy(&v->v, &o->value, sizeof(v->v));
		v->src = src;
		v->src_name = name;
		v->opt = o;
	}
}

void ds_options_resolve(const struct ds_config *cfg, const struct ds_person *p,
			struct ds_effective *eff)
{
	memset(eff, 0, sizeof(*eff));
	defaults_init();
	if (p) {
		take(eff, &p->opts, DS_SRC_PERSON, p->name);
		for (size_t g = 0; g < p->n_groups; g++)
			take(eff, &p->groups[g]->opts, DS_SRC_GROUP, p->groups[g]->name);
		if (p->tenant_obj)
			take(eff, &p->tenant_obj->opts, DS_SRC_TENANT, p->tenant_obj->name);
	}
	take(eff, &cfg->app.opts, DS_SRC_APPLICATION, cfg->app.name);
	for (int i = 0; i < DS_OPT_COUNT; i++) {
		struct ds_value *v = &eff->v[i];

		if (ds_option_defs[i].scope == DS_SCOPE_SERVER) {
			memset(v, 0, sizeof(*v));
			continue;
		}
		if (v->set || !default_set[i])
			continue;
		v->set = true;
		memcpy(&v->v, &defaults[i], sizeof(v->v));
		v->src = DS_SRC_DEFAULT;
	}
}

int ds_value_source(const struct ds_value *v, char *buf, size_t sz)
{
	static const char *const kinds[] = {
		[DS_SRC_DEFAULT] = "default", [DS_SRC_APPLICATION] = "application",
		[DS_SRC_TENANT] = "tenant", [DS_SRC_GROUP] = "agent-group",
		[DS_SRC_PERSON] = "person",
	};

	if (!v->set || v->src == DS_SRC_DEFAULT)
		return snprintf(buf, sz, "default");
	return snprintf(buf, sz, "%s:%s", kinds[v->src], v->src_name ? v->src_name : "");
}

int ds_value_text(enum ds_opt_id id, const struct ds_value *v, char *buf, size_t sz)
{
	const struct ds_option_def *def = &ds_option_defs[id];

	if (!v->set)
		return snprintf(buf, sz, "(none)");
	switch (def->type) {
	case DS_OT_BOOL:
		return snprintf(buf, sz, "%s", v->v.b ? "true" : "false");
	case DS_OT_INT:
	case DS_OT_DECIMAL: {
		char num[40];   /* "%.6g" or a whole number below 1e15 */

		ds_option_numfmt(v->v.d, num, sizeof(num));
		return snprintf(buf, sz, "%s", num);
	}
	case DS_OT_ENUM:
		return snprintf(buf, sz, "%s", def->enums[v->v.e]);
	case DS_OT_NAME:
	case DS_OT_HOST:
	case DS_OT_PATH:
		return snprintf(buf, sz, "%s", v->v.s);
	}
	return snprintf(buf, sz, "(none)");
}

int ds_value_json(enum ds_opt_id id, const struct ds_value *v, char *buf, size_t sz)
{
	const struct ds_option_def *def = &ds_option_defs[id];

	if (!v->set)
		return snprintf(buf, sz, "null");
	switch (def->type) {
	case DS_OT_BOOL:
	case DS_OT_INT:
	case DS_OT_DECIMAL:
		return ds_value_text(id, v, buf, sz);
	case DS_OT_ENUM:
		return (int)ds_json_str(buf, sz, def->enums[v->v.e]);
	case DS_OT_NAME:
	case DS_OT_HOST:
	case DS_OT_PATH:
		return (int)ds_json_str(buf, sz, v->v.s);
	}
	return snprintf(buf, sz, "null");
}
