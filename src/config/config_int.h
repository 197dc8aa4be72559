/* Private to the configuration loader: the load context and YAML helpers. */
#ifndef DS_CONFIG_INT_H
#define DS_CONFIG_INT_H

#include <stdbool.h>
#include <sys/types.h>
#include <libfyaml.h>
#include "dualsite/config.h"
#include "../util/util.h"

/* What ds_config.priv points at: everything the model owns. */
struct ds_cfgpriv {
	struct ds_arena arena;         /* names, strings, option sets, lists */
	struct ds_strmap servers;      /* name -> index + 1 */
	struct ds_strmap switches;
	struct ds_strmap tenants;
	struct ds_strmap groups;
	struct ds_strmap places;
	struct ds_strmap persons;
	size_t cap_servers, cap_switches, cap_tenants, cap_groups,
	       cap_places, cap_persons;
	bool have_app;                 /* `application:` was read */
};

/* One file on the include chain (for cycle detection). */
struct ds_incfile {
	dev_t dev;
	ino_t ino;
	const char *name;
};

struct ds_loader {
	struct ds_config *cfg;
	struct ds_cfgpriv *pv;
	struct ds_diags *diags;
	bool nomem;                 /* an allocation failed: the load fails */
	bool syntax;                /* a YAML syntax error: the load fails */
	int unreadable;             /* errno of the first include that could not be read */
	size_t visits, visit_limit; /* map pairs read; bounds alias expansion */
	const char *file;           /* the file being read (arena) */
	struct ds_incfile *chain;   /* files being read, outermost first */
	size_t n_chain, cap_chain;
	struct ds_incfile *seen;    /* files read so far */
	size_t n_seen, cap_seen;
};

/* Map entries read per byte of input, beyond which alias expansion is an
 * error: an entry takes at least two bytes ("a,"), so a file without
 * aliases stays well below, while `*big` named a thousand times does not. */
enum { DS_ALIAS_EXPANSION = 2 };

/* yaml.c: reading nodes with their locations. */
struct ds_loc ds_yaml_loc(const struct ds_loader *L, struct fy_node *n,
			  const struct ds_loc *fallback);
/* Follows an alias; reports an alias to nothing and returns NULL. */
struct fy_node *ds_yaml_deref(struct ds_loader *L, struct fy_node *n,
			      const struct ds_loc *at, const char *path);
const char *ds_yaml_what(struct fy_node *n);
/* The text of a scalar node, copied to the arena ("" for a missing value). */
const char *ds_yaml_text(struct ds_loader *L, struct fy_node *n);
bool ds_yaml_is_map(struct fy_node *n);
bool ds_yaml_is_seq(struct fy_node *n);
bool ds_yaml_is_scalar(struct fy_node *n);

/* Calls `fn` for each pair of map `n` whose key is a scalar, skipping (and
 * reporting) keys that are not scalars and duplicate keys. `key` is an arena
 * copy; `kloc` its location; `v` the value, aliases followed (NULL when
 * empty); `vloc` the value's location (the key's when empty). */
typedef void (ds_yaml_pair_h)(struct ds_loader *L, const char *key,
			      struct ds_loc kloc, struct fy_node *v,
			      struct ds_loc vloc, const char *path, void *arg);
void ds_yaml_each(struct ds_loader *L, struct fy_node *n, const char *path,
		  ds_yaml_pair_h *fn, void *arg);
/* Reports duplicate and non-scalar keys anywhere below `n` (for subtrees the
 * loader otherwise skips). */
void ds_yaml_check_tree(struct ds_loader *L, struct fy_node *n, const char *path);

/* Arena helpers that record an allocation failure instead of returning NULL
 * strings into the model. */
const char *ds_ld_printf(struct ds_loader *L, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void *ds_ld_alloc(struct ds_loader *L, size_t n);

void ds_ld_error(struct ds_loader *L, const struct ds_loc *loc,
		 const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void ds_ld_warn(struct ds_loader *L, const struct ds_loc *loc,
		const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Warns about key `key` of object `path`, suggesting the closest of `known`. */
void ds_ld_unknown_key(struct ds_loader *L, const char *key, struct ds_loc kloc,
		       const char *path, const char *const *known, size_t n);

/* load.c: `name` relative to the directory of the file being read. */
const char *ds_cfg_relpath(struct ds_loader *L, const char *name);

/* objects.c: one top-level section (servers, persons, ...) of a file. */
void ds_cfg_section(struct ds_loader *L, const char *key, struct ds_loc kloc,
		    struct fy_node *v, struct ds_loc vloc);
/* The keys allowed at the top level of a file, `include` first. */
extern const char *const ds_cfg_top_keys[];
extern const size_t ds_cfg_n_top_keys;
/* True for a plain empty value, `~` or `null`: an object with no settings. */
bool ds_yaml_is_null(struct fy_node *n);
/* The text of scalar `v`, or NULL with an error when it is not a non-empty
 * scalar ("expected WHAT, got a map"). */
const char *ds_yaml_name(struct ds_loader *L, struct fy_node *v,
			 struct ds_loc vloc, const char *path, const char *what);

/* A reference to another object by name: false (with an error) when `v` is
 * not a name. */
bool ds_cfg_ref(struct ds_loader *L, struct fy_node *v, struct ds_loc vloc,
		const char *path, const char *what, struct ds_ref *r);
/* server.c and person.c: the settings of one server or person. `body` is a
 * map or NULL. */
void ds_cfg_server_body(struct ds_loader *L, struct ds_server *s,
			struct fy_node *body, const char *path);
void ds_cfg_person_body(struct ds_loader *L, struct ds_person *p,
			struct fy_node *body, const char *path);

/* options.c: an `options:` map of sections. */
void ds_cfg_options(struct ds_loader *L, struct ds_optset *os,
		    struct fy_node *v, struct ds_loc vloc, const char *objpath,
		    bool warn_other_sections);

/* resolve.c: references between objects, once every file is read. */
void ds_cfg_resolve(struct ds_loader *L);

/* password.c: load-time checks of a person's password source. */
void ds_cfg_password_check(struct ds_loader *L, struct ds_person *p,
			   const char *path);

#endif
