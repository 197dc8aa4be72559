/* Reading libfyaml nodes: locations, aliases, map iteration with duplicate
 * keys reported, and the loader's diagnostic helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config_int.h"

/* libfyaml 0.7 has no public start mark for a collection, so a map or list
 * is located at its first scalar (its first key, for a map): that is where
 * a reader looks for it. An empty collection takes the fallback. */
struct ds_loc ds_yaml_loc(const struct ds_loader *L, struct fy_node *n,
			  const struct ds_loc *fallback)
{
	struct ds_loc none = { L->file, 0, 0 };
	struct ds_loc r = fallback ? *fallback : none;
	void *it = NULL;

	if (!n)
		return r;
	switch (fy_node_get_type(n)) {
	case FYNT_SCALAR: {
		struct fy_token *t = fy_node_get_scalar_token(n);
		const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;

		if (m) {
			r.file = L->file;
			r.line = m->line + 1;
			r.col = m->column + 1;
			/* An alias token starts after its '*': point at the '*'. */
			if (fy_node_is_alias(n) && r.col > 1)
				r.col--;
		}
		return r;
	}
	case FYNT_MAPPING: {
		struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);

		return p ? ds_yaml_loc(L, fy_node_pair_key(p), &r) : r;
	}
	case FYNT_SEQUENCE:
		return ds_yaml_loc(L, fy_node_sequence_iterate(n, &it), &r);
	}
	return r;
}

struct fy_node *ds_yaml_deref(struct ds_loader *L, struct fy_node *n,
			      const struct ds_loc *at, const char *path)
{
	struct fy_node *r;

	if (!n || !fy_node_is_alias(n))
		return n;
	/* resolve_alias detects cycles and chains that go on too long. */
	r = fy_node_resolve_alias(n);
	if (!r) {
		size_t len = 0;
		const char *s = fy_node_get_scalar(n, &len);

		ds_ld_error(L, at, path,
			    "alias '*%.*s' names no anchor defined before it",
			    (int)(s ? len : 0), s ? s : "");
	}
	return r;
}

const char *ds_yaml_what(struct fy_node *n)
{
	if (!n)
		return "nothing";
	switch (fy_node_get_type(n)) {
	case FYNT_SCALAR:
		return "a scalar";
	case FYNT_SEQUENCE:
		return "a list";
	case FYNT_MAPPING:
		return "a map";
	}
	return "something else";
}

bool ds_yaml_is_map(struct fy_node *n)
{
	return n && fy_node_get_type(n) == FYNT_MAPPING;
}

bool ds_yaml_is_seq(struct fy_node *n)
{
	return n && fy_node_get_type(n) == FYNT_SEQUENCE;
}

bool ds_yaml_is_scalar(struct fy_node *n)
{
	return n && fy_node_get_type(n) == FYNT_SCALAR;
}

const char *ds_yaml_text(struct ds_loader *L, struct fy_node *n)
{
	size_t len = 0;
	const char *s;
	char *r;

	if (!n)
		return "";
	s = fy_node_get_scalar(n, &len);
	if (!s)
		return "";
	r = ds_arena_strndup(&L->pv->arena, s, len);
	if (!r) {
		L->nomem = true;
		return "";
	}
	return r;
}

/* Keys seen so far in one map: a short list scanned in place for small
 * maps, a hash map for big ones (the 10,000 persons), so that a map of n
 * keys costs O(n). */
enum { SMALL_MAP = 16 };

struct keyset {
	const char *small[SMALL_MAP];
	struct fy_node *small_node[SMALL_MAP];
	size_t n;
	bool big;
	struct ds_strmap map;
};

/* The node of the earlier key equal to `key`, or NULL after adding it. */
static struct fy_node *keyset_add(struct ds_loader *L, struct keyset *ks,
				  const char *key, struct fy_node *kn)
{
	void *old = NULL;
	int err;

	if (!ks->big) {
		for (size_t i = 0; i < ks->n; i++) {
			if (!strcmp(ks->small[i], key))
				return ks->small_node[i];
		}
		ks->small[ks->n] = key;
		ks->small_node[ks->n] = kn;
		ks->n++;
		return NULL;
	}
	err = ds_strmap_put(&ks->map, key, kn, &old);
	if (err == EEXIST)
		return old;
	if (err)
		L->nomem = true;
	return NULL;
}

static void each(struct ds_loader *L, struct fy_node *n, const char *path,
		 bool follow, ds_yaml_pair_h *fn, void *arg)
{
	struct keyset ks;
	struct fy_node_pair *p;
	void *it = NULL;
	int count = fy_node_mapping_item_count(n);

	memset(&ks, 0, sizeof(ks));
	ks.big = count > SMALL_MAP;
	while ((p = fy_node_mapping_iterate(n, &it)) && !L->nomem && !L->syntax) {
		struct fy_node *kn = fy_node_pair_key(p);
		struct fy_node *v = fy_node_pair_value(p);
		struct ds_loc kloc = ds_yaml_loc(L, kn, NULL), vloc;
		struct fy_node *first;
		const char *key;

		/* Aliases let a small file name the same map many times
		 * over; past a multiple of the file's size, stop. */
		if (++L->visits > L->visit_limit) {
			ds_ld_error(L, &kloc, path,
				    "aliases expand this configuration too far (more than %d "
				    "map entries per byte of YAML); write the objects out",
				    DS_ALIAS_EXPANSION);
			L->syntax = true;
			break;
		}
		if (!kn || !ds_yaml_is_scalar(kn) || fy_node_is_alias(kn)) {
			if (!kn || !ds_yaml_is_scalar(kn))
				kloc = ds_yaml_loc(L, v, &kloc);
			ds_ld_error(L, &kloc, path,
				    "a key must be a plain name, not %s",
				    kn && fy_node_is_alias(kn) ? "an alias" :
				    ds_yaml_what(kn));
			continue;
		}
		key = ds_yaml_text(L, kn);
		/* YAML 1.1's merge key is a plain key in 1.2: taking it as an
		 * unknown setting would drop the merged values silently. */
		if (follow && !strcmp(key, "<<") && fy_node_get_style(kn) == FYNS_PLAIN) {
			ds_ld_error(L, &kloc, path,
				    "merge keys ('<<') are not read (YAML 1.2 has none); "
				    "write the settings out, or alias a whole value");
			continue;
		}
		first = keyset_add(L, &ks, key, kn);
		if (first) {
			struct ds_loc f = ds_yaml_loc(L, first, NULL);

			ds_ld_error(L, &kloc, ds_ld_printf(L, "%s%s%s", path,
							   *path ? "/" : "", key),
				    "duplicate key '%s' (first at line %d, column %d); "
				    "a key may appear once in a map", key, f.line, f.col);
			continue;
		}
		vloc = ds_yaml_loc(L, v, &kloc);
		if (follow && v && fy_node_is_alias(v)) {
			v = ds_yaml_deref(L, v, &vloc,
					  ds_ld_printf(L, "%s%s%s", path,
						       *path ? "/" : "", key));
			if (!v)
				continue;
		} else if (v && fy_node_is_alias(v)) {
			continue;   /* the anchored node is checked where it is */
		}
		fn(L, key, kloc, v, vloc, path, arg);
	}
	if (ks.big)
		ds_strmap_free(&ks.map);
}

void ds_yaml_each(struct ds_loader *L, struct fy_node *n, const char *path,
		  ds_yaml_pair_h *fn, void *arg)
{
	each(L, n, path, true, fn, arg);
}

static void check_pair_h(struct ds_loader *L, const char *key, struct ds_loc kloc,
			 struct fy_node *v, struct ds_loc vloc, const char *path,
			 void *arg)
{
	(void)kloc;
	(void)vloc;
	(void)arg;
	if (ds_yaml_is_map(v) || ds_yaml_is_seq(v))
		ds_yaml_check_tree(L, v, ds_ld_printf(L, "%s%s%s", path,
						      *path ? "/" : "", key));
}

/* Recursion depth is bounded by libfyaml's nesting limit, and aliases are
 * not followed, so a hostile file cannot make this walk loop or explode. */
void ds_yaml_check_tree(struct ds_loader *L, struct fy_node *n, const char *path)
{
	if (ds_yaml_is_map(n)) {
		each(L, n, path, false, check_pair_h, NULL);
	} else if (ds_yaml_is_seq(n)) {
		void *it = NULL;
		struct fy_node *item;
		size_t i = 0;

		while ((item = fy_node_sequence_iterate(n, &it)) && !L->nomem) {
			if (ds_yaml_is_map(item) || ds_yaml_is_seq(item))
				ds_yaml_check_tree(L, item,
						   ds_ld_printf(L, "%s/%zu", path, i));
			i++;
		}
	}
}

const char *ds_ld_printf(struct ds_loader *L, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = ds_arena_vprintf(&L->pv->arena, fmt, ap);
	va_end(ap);
	if (!s) {
		L->nomem = true;
		return "";
	}
	return s;
}

void *ds_ld_alloc(struct ds_loader *L, size_t n)
{
	void *p = ds_arena_alloc(&L->pv->arena, n);

	if (!p)
		L->nomem = true;
	return p;
}

static void vreport(struct ds_loader *L, enum ds_severity sev,
		    const struct ds_loc *loc, const char *path,
		    const char *fmt, va_list ap)
{
	va_list aq;
	int n;
	char *msg;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!msg) {
		ds_diag_add(L->diags, sev, loc, path, "out of memory");
		return;
	}
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	ds_diag_add(L->diags, sev, loc, path, "%s", msg);
	free(msg);
}

void ds_ld_error(struct ds_loader *L, const struct ds_loc *loc,
		 const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(L, DS_SEV_ERROR, loc, path, fmt, ap);
	va_end(ap);
}

void ds_ld_warn(struct ds_loader *L, const struct ds_loc *loc,
		const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(L, DS_SEV_WARNING, loc, path, fmt, ap);
	va_end(ap);
}

void ds_ld_unknown_key(struct ds_loader *L, const char *key, struct ds_loc kloc,
		       const char *path, const char *const *known, size_t n)
{
	const char *best = ds_closest(key, known, n);
	const char *where = *path ? path : "the top level";
	const char *dpath = *path ? path : key;
	char list[512];
	size_t used = 0;

	if (best) {
		ds_ld_warn(L, &kloc, dpath, "unknown key '%s' in %s; did you mean '%s'?",
			   key, where, best);
		return;
	}
	if (n == 0) {
		ds_ld_warn(L, &kloc, dpath, "unknown key '%s' in %s; it takes no keys",
			   key, where);
		return;
	}
	list[0] = '\0';
	for (size_t i = 0; i < n && used < sizeof(list); i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s",
				 i ? ", " : "", known[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	ds_ld_warn(L, &kloc, dpath, "unknown key '%s' in %s; known keys: %s",
		   key, where, list);
}

bool ds_yaml_is_null(struct fy_node *n)
{
	size_t len = 0;
	const char *s;

	if (!n)
		return true;
	if (!ds_yaml_is_scalar(n) || fy_node_get_style(n) != FYNS_PLAIN)
		return false;
	s = fy_node_get_scalar(n, &len);
	if (!s || len == 0)
		return true;
	return (len == 1 && s[0] == '~') ||
	       (len == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) ||
			     !memcmp(s, "NULL", 4)));
}

const char *ds_yaml_name(struct ds_loader *L, struct fy_node *v,
			 struct ds_loc vloc, const char *path, const char *what)
{
	const char *s;

	if (!ds_yaml_is_scalar(v) || ds_yaml_is_null(v)) {
		ds_ld_error(L, &vloc, path, "expected %s, got %s", what,
			    ds_yaml_is_null(v) ? "nothing" : ds_yaml_what(v));
		return NULL;
	}
	s = ds_yaml_text(L, v);
	if (!*s) {
		ds_ld_error(L, &vloc, path, "expected %s, got an empty string", what);
		return NULL;
	}
	return s;
}
