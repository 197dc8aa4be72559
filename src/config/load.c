/* Loading a configuration: reading files, parsing YAML with libfyaml (its
 * messages captured, never printed), following `include:` with cycle
 * detection, then resolving references. All of the model lives in one arena
 * owned by the config, so every exit path frees it in one place. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config_int.h"

enum { MAX_FILE = 64 * 1024 * 1024 };   /* far above 10,000 persons */

static int read_all(int fd, char **bufp, size_t *lenp)
{
	size_t cap = 64 * 1024, len = 0;
	char *buf = ds_malloc(cap);

	if (!buf)
		return ENOMEM;
	for (;;) {
		ssize_t r;

		if (len == cap) {
			char *nb;

			if (cap >= MAX_FILE) {
				ds_free(buf);
				return EFBIG;
			}
			nb = ds_realloc(buf, cap * 2);
			if (!nb) {
				ds_free(buf);
				return ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = errno;
			ds_free(buf);
			return (int)r;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

/* The top-level file may be anything readable (`-c /dev/stdin` works); an
 * included one must be a regular file, so an include cannot block on a
 * FIFO or read a device forever. */
static int read_file(const char *name, bool regular_only, char **buf, size_t *len,
		     struct stat *st)
{
	int fd = open(name, O_RDONLY | O_CLOEXEC | (regular_only ? O_NONBLOCK : 0));
	int err;

	if (fd < 0)
		return errno;
	if (fstat(fd, st) < 0) {
		err = errno;
	} else if (S_ISDIR(st->st_mode)) {
		err = EISDIR;
	} else if (regular_only && !S_ISREG(st->st_mode)) {
		err = EINVAL;
	} else {
		err = read_all(fd, buf, len);
	}
	close(fd);
	return err;
}

const char *ds_cfg_relpath(struct ds_loader *L, const char *name)
{
	const char *slash = strrchr(L->file, '/');

	if (name[0] == '/' || !slash)
		return name;
	return ds_ld_printf(L, "%.*s/%s", (int)(slash - L->file), L->file, name);
}

static bool grow_files(struct ds_loader *L, struct ds_incfile **v, size_t n, size_t *cap)
{
	struct ds_incfile *nv;
	size_t ncap;

	if (n < *cap)
		return true;
	ncap = *cap ? *cap * 2 : 8;
	nv = ds_realloc(*v, ncap * sizeof(*nv));
	if (!nv) {
		L->nomem = true;
		return false;
	}
	*v = nv;
	*cap = ncap;
	return true;
}

/* libfyaml's own output goes nowhere: its errors are collected and turned
 * into diagnostics with file:line:col. */
static void fy_out_h(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	(void)user;
	(void)buf;
	(void)len;
}

/* Reports the errors libfyaml collected; false when there were none. */
static bool report_syntax(struct ds_loader *L, struct fy_diag *diag)
{
	struct fy_diag_error *e;
	void *it = NULL;
	bool any = false;

	while ((e = fy_diag_errors_iterate(diag, &it))) {
		struct ds_loc loc = { L->file, e->line, e->column };

		if (e->type < FYET_ERROR)
			continue;
		/* A duplicate key is caught by the loader (which names it),
		 * so this only words libfyaml's message for the reader. */
		ds_ld_error(L, &loc, "", "YAML syntax error: %s", e->msg ? e->msg : "");
		any = true;
	}
	return any;
}

static int load_file(struct ds_loader *L, const char *name, const struct ds_loc *at);

static void include_one(struct ds_loader *L, struct fy_node *item, struct ds_loc iloc,
			const char *path)
{
	const char *inc = ds_yaml_name(L, item, iloc, path, "the path of a YAML file");

	if (!inc)
		return;
	load_file(L, ds_cfg_relpath(L, inc), &iloc);
}

static void top_h(struct ds_loader *L, const char *key, struct ds_loc kloc,
		  struct fy_node *v, struct ds_loc vloc, const char *path, void *arg)
{
	(void)path;
	(void)arg;
	if (!strcmp(key, "include")) {
		if (ds_yaml_is_seq(v)) {
			struct fy_node *item;
			void *it = NULL;
			size_t i = 0;

			while ((item = fy_node_sequence_iterate(v, &it)) && !L->nomem &&
			       !L->syntax) {
				struct ds_loc iloc = ds_yaml_loc(L, item, &vloc);
				const char *ipath = ds_ld_printf(L, "include/%zu", i++);

				item = ds_yaml_deref(L, item, &iloc, ipath);
				if (item)
					include_one(L, item, iloc, ipath);
			}
		} else if (!ds_yaml_is_null(v)) {
			include_one(L, v, vloc, "include");
		}
		return;
	}
	for (size_t i = 1; i < ds_cfg_n_top_keys; i++) {
		if (!strcmp(key, ds_cfg_top_keys[i])) {
			ds_cfg_section(L, key, kloc, v, vloc);
			return;
		}
	}
	ds_ld_unknown_key(L, key, kloc, "", ds_cfg_top_keys, ds_cfg_n_top_keys);
}

/* Parses the text of one file and reads its objects. */
static void parse_text(struct ds_loader *L, const char *buf, size_t len)
{
	struct fy_diag_cfg dcfg;
	struct fy_parse_cfg pcfg;
	struct fy_diag *diag;
	struct fy_parser *fyp = NULL;
	struct fy_document *doc = NULL, *more = NULL;
	struct fy_node *root;
	struct ds_loc bad = { L->file, 1, 1 };
	char why[192];

	if (ds_yaml_text_refused(buf, len, &bad.line, &bad.col, why, sizeof(why))) {
		ds_ld_error(L, &bad, "", "YAML syntax error: %s", why);
		L->syntax = true;
		return;
	}
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = fy_out_h;
	dcfg.level = FYET_ERROR;
	dcfg.colorize = false;
	diag = fy_diag_create(&dcfg);
	if (!diag) {
		L->nomem = true;
		return;
	}
	fy_diag_set_collect_errors(diag, true);
	memset(&pcfg, 0, sizeof(pcfg));
	/* Duplicate keys are allowed through so the loader can name them;
	 * YAML 1.2 so that only true/false are booleans. */
	pcfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_ALLOW_DUPLICATE_KEYS |
		     FYPCF_JSON_NONE;
	pcfg.diag = diag;
	fyp = fy_parser_create(&pcfg);
	if (!fyp || fy_parser_set_string(fyp, buf, len)) {
		L->nomem = true;
		goto out;
	}
	doc = fy_parse_load_document(fyp);
	if (doc && !fy_parser_get_stream_error(fyp))
		more = fy_parse_load_document(fyp);
	if (fy_parser_get_stream_error(fyp)) {
		if (!report_syntax(L, diag)) {
			struct ds_loc loc = { L->file, 0, 0 };

			ds_ld_error(L, &loc, "", "YAML syntax error");
		}
		L->syntax = true;
		goto out;
	}
	if (more) {
		struct ds_loc loc = ds_yaml_loc(L, fy_document_root(more), NULL);

		ds_ld_error(L, &loc, "",
			    "a second YAML document ('---'): a configuration file holds one");
	}
	if (!doc)
		goto out;   /* an empty file */
	root = fy_document_root(doc);
	if (ds_yaml_quote_trap(root, buf, len, &bad.line, &bad.col)) {
		ds_ld_error(L, &bad, "", DS_QUOTE_TRAP_MSG);
		L->syntax = true;
		goto out;
	}
	if (root && fy_node_is_alias(root))
		root = NULL;
	if (!root || ds_yaml_is_null(root))
		goto out;
	if (!ds_yaml_is_map(root)) {
		struct ds_loc loc = ds_yaml_loc(L, root, NULL);

		ds_ld_error(L, &loc, "",
			    "expected a map at the top level (application:, servers:, ...), got %s",
			    ds_yaml_what(root));
		goto out;
	}
	ds_yaml_each(L, root, "", top_h, NULL);
out:
	if (more)
		fy_parse_document_destroy(fyp, more);
	if (doc)
		fy_parse_document_destroy(fyp, doc);
	if (fyp)
		fy_parser_destroy(fyp);
	fy_diag_destroy(diag);
}

/* Reads `name`; `at` is where it was included (NULL for the top file).
 * Returns an errno only when the file could not be read. */
static int load_file(struct ds_loader *L, const char *name, const struct ds_loc *at)
{
	struct ds_loc here = { name, 0, 0 };
	const struct ds_loc *where = at ? at : &here;
	const char *where_path = at ? "include" : "";
	const char *prev = L->file;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int err;

	err = read_file(name, at != NULL, &buf, &len, &st);
	if (err == ENOMEM) {
		L->nomem = true;
		return err;
	}
	if (err == EINVAL) {
		ds_ld_error(L, where, where_path,
			    "cannot include %s: not a regular file", name);
		return err;
	}
	if (err) {
		ds_ld_error(L, where, where_path, "cannot read %s: %s%s", name, strerror(err),
			    at ? "; the path is relative to the including file" : "");
		/* an input that cannot be read, wherever it is named (docs/behaviour.md §4) */
		if (!L->unreadable)
			L->unreadable = err;
		return err;
	}
	for (size_t i = 0; i < L->n_chain; i++) {
		if (L->chain[i].dev == st.st_dev && L->chain[i].ino == st.st_ino) {
			char chain[1024];
			size_t used = 0;

			chain[0] = '\0';
			for (size_t k = i; k < L->n_chain && used < sizeof(chain); k++) {
				int w = snprintf(chain + used, sizeof(chain) - used, "%s -> ",
						 L->chain[k].name);

				if (w < 0)
					break;
				used += (size_t)w;
			}
			ds_ld_error(L, where, where_path,
				    "include cycle: %s%s; remove one of these includes",
				    chain, name);
			ds_free(buf);
			return 0;
		}
	}
	for (size_t i = 0; i < L->n_seen; i++) {
		if (L->seen[i].dev == st.st_dev && L->seen[i].ino == st.st_ino) {
			ds_ld_warn(L, where, where_path,
				   "%s is already included (as %s); it is read once",
				   name, L->seen[i].name);
			ds_free(buf);
			return 0;
		}
	}
	if (!grow_files(L, &L->chain, L->n_chain, &L->cap_chain) ||
	    !grow_files(L, &L->seen, L->n_seen, &L->cap_seen)) {
		ds_free(buf);
		return ENOMEM;
	}
	L->file = ds_ld_printf(L, "%s", name);
	L->chain[L->n_chain++] = (struct ds_incfile){ st.st_dev, st.st_ino, L->file };
	L->seen[L->n_seen++] = (struct ds_incfile){ st.st_dev, st.st_ino, L->file };
	L->visit_limit += (size_t)DS_ALIAS_EXPANSION * len + 1024;
	if (!L->nomem)
		parse_text(L, buf, len);
	L->n_chain--;
	L->file = prev;
	ds_free(buf);
	return 0;
}

void ds_config_free(struct ds_config *cfg)
{
	struct ds_cfgpriv *pv;

	if (!cfg)
		return;
	pv = cfg->priv;
	if (pv) {
		ds_strmap_free(&pv->servers);
		ds_strmap_free(&pv->switches);
		ds_strmap_free(&pv->tenants);
		ds_strmap_free(&pv->groups);
		ds_strmap_free(&pv->places);
		ds_strmap_free(&pv->persons);
		ds_arena_free(&pv->arena);
		ds_free(pv);
	}
	ds_free(cfg->servers);
	ds_free(cfg->switches);
	ds_free(cfg->tenants);
	ds_free(cfg->groups);
	ds_free(cfg->places);
	ds_free(cfg->persons);
	ds_free(cfg);
}

int ds_config_load(struct ds_config **cfgp, const char *file, struct ds_diags *diags)
{
	struct ds_loader L;
	struct ds_config *cfg;
	int err;

	*cfgp = NULL;
	cfg = ds_malloc(sizeof(*cfg));
	if (!cfg)
		return ENOMEM;
	memset(cfg, 0, sizeof(*cfg));
	cfg->priv = ds_malloc(sizeof(struct ds_cfgpriv));
	if (!cfg->priv) {
		ds_free(cfg);
		return ENOMEM;
	}
	memset(cfg->priv, 0, sizeof(struct ds_cfgpriv));
	memset(&L, 0, sizeof(L));
	L.cfg = cfg;
	L.pv = cfg->priv;
	L.diags = diags;
	L.file = ds_ld_printf(&L, "%s", file);
	cfg->file = L.file;

	err = L.nomem ? ENOMEM : load_file(&L, cfg->file, NULL);
	if (!err)
		err = L.unreadable;
	if (!err && !L.nomem && !L.syntax) {
		ds_cfg_resolve(&L);
		if (!L.pv->have_app) {
			struct ds_loc loc = { cfg->file, 0, 0 };

			ds_ld_warn(&L, &loc, "application",
				   "no application is defined: no server is connected");
		}
		if (!cfg->app.name)
			cfg->app.name = "application";
	}
	if (!err && L.nomem)
		err = ENOMEM;
	else if (!err && L.syntax)
		err = EINVAL;
	else if (err && err != ENOENT && err != EACCES && err != ENOMEM)
		err = EIO;
	if (err == ENOMEM)
		ds_diag_add(diags, DS_SEV_ERROR, NULL, "", "out of memory while loading %s", file);
	ds_free(L.chain);
	ds_free(L.seen);
	if (err) {
		ds_config_free(cfg);
		return err;
	}
	*cfgp = cfg;
	return 0;
}

struct ds_person *ds_config_person(const struct ds_config *cfg, const char *name)
{
	const struct ds_cfgpriv *pv = cfg->priv;
	void *v;

	if (!name || !ds_strmap_get(&pv->persons, name, &v))
		return NULL;
	return &cfg->persons[(uintptr_t)v - 1];
}

struct ds_server *ds_config_server(const struct ds_config *cfg, const char *name)
{
	const struct ds_cfgpriv *pv = cfg->priv;
	void *v;

	if (!name || !ds_strmap_get(&pv->servers, name, &v))
		return NULL;
	return &cfg->servers[(uintptr_t)v - 1];
}
