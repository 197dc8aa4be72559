/* An object's `options:` map: only the interaction-workspace section is read
 * (docs/behaviour.md §2); its values are kept as written, with their locations, for
 * ds_options_check() to parse. Other sections are ignored: below the
 * application with a warning, on the application and servers silently
 * (they carry other sections in the seed's model). */
#include <string.h>
#include "config_int.h"

static const char IW[] = "interaction-workspace";

struct opts_ctx {
	struct ds_optset *os;
	const char *objpath;
	bool warn_other;
	int cap;
};

static void opt_h(struct ds_loader *L, const char *key, struct ds_loc kloc,
		  struct fy_node *v, struct ds_loc vloc, const char *path, void *arg)
{
	struct opts_ctx *x = arg;
	struct ds_opt *o;

	(void)kloc;
	if ((int)x->os->n >= x->cap)
		return;   /* cannot happen: one option per pair of the map */
	o = &x->os->v[x->os->n++];
	memset(o, 0, sizeof(*o));
	o->name = key;
	o->loc = vloc;
	o->path = ds_ld_printf(L, "%s/%s", path, key);
	o->id = -1;
	o->valid = false;
	if (ds_yaml_is_scalar(v)) {
		enum fy_node_style st = fy_node_get_style(v);

		o->text = ds_yaml_text(L, v);
		o->quoted = st != FYNS_PLAIN;
		o->is_bool_literal = st == FYNS_PLAIN &&
			(!strcmp(o->text, "true") || !strcmp(o->text, "false"));
	} else if (!v) {
		o->text = "";
	} else {
		o->text = NULL;   /* a map or list: the checker reports it */
	}
}

static void section_h(struct ds_loader *L, const char *key, struct ds_loc kloc,
		      struct fy_node *v, struct ds_loc vloc, const char *path, void *arg)
{
	struct opts_ctx *x = arg;
	const char *sub = ds_ld_printf(L, "%s/%s", path, key);
	int count;

	if (strcmp(key, IW)) {
		const char *const iw[] = { IW };
		const char *near = ds_closest(key, iw, 1);

		/* rule 12: every option of the section would be dropped */
		if (ds_same_loosely(key, IW)) {
			ds_ld_error(L, &kloc, sub, "section '%s' would be ignored: the section "
				    "is '%s' (written exactly so)", key, IW);
			ds_yaml_check_tree(L, v, sub);
			return;
		}

		if (x->warn_other || near)
			ds_ld_warn(L, &kloc, sub,
				   "section '%s' is ignored: only interaction-workspace is read%s",
				   key, near ? "; did you mean 'interaction-workspace'?" : "");
		ds_yaml_check_tree(L, v, sub);
		return;
	}
	if (ds_yaml_is_null(v))
		return;
	if (!ds_yaml_is_map(v)) {
		ds_ld_error(L, &vloc, sub,
			    "expected a map of options (NAME: VALUE), got %s", ds_yaml_what(v));
		return;
	}
	count = fy_node_mapping_item_count(v);
	if (count <= 0)
		return;
	x->os->v = ds_ld_alloc(L, (size_t)count * sizeof(*x->os->v));
	if (!x->os->v)
		return;
	x->cap = count;
	ds_yaml_each(L, v, sub, opt_h, x);
}

void ds_cfg_options(struct ds_loader *L, struct ds_optset *os,
		    struct fy_node *v, struct ds_loc vloc, const char *objpath,
		    bool warn_other_sections)
{
	struct opts_ctx x = { os, objpath, warn_other_sections, 0 };
	const char *path = ds_ld_printf(L, "%s/options", objpath);

	if (ds_yaml_is_null(v))
		return;
	if (!ds_yaml_is_map(v)) {
		ds_ld_error(L, &vloc, path,
			    "expected a map of option sections (interaction-workspace: {...}), got %s",
			    ds_yaml_what(v));
		return;
	}
	ds_yaml_each(L, v, path, section_h, &x);
}
