/* Shared by the configuration loader's unit tests: temporary files,
 * loading, and finding diagnostics. Functions are static inline so that a
 * test file that does not use one gets no warning. */
#ifndef DS_CONFIG_TESTLIB_H
#define DS_CONFIG_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "dualsite/config.h"
#include "util/util.h"

/* ---- helpers: temporary files, loading, finding diagnostics ---- */

static char tmpdir[64];   /* made by setup_dir, removed by teardown_dir */

static inline int setup_dir(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/ds-test-config-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static inline int teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	/* The directory holds only files these tests wrote. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Writes `text` to tmpdir/name (subdirectories must exist); returns the
 * path in a static buffer. */
static inline const char *put(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* A fresh temp file from mkstemp with `text`, for single-file tests. It is
 * made inside tmpdir so that a failed test leaves nothing behind. */
static inline char *put_tmp(const char *text)
{
	char *path = malloc(strlen(tmpdir) + 16);
	int fd;
	FILE *f;

	assert_non_null(path);
	sprintf(path, "%s/t-XXXXXX", tmpdir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

struct loaded {
	int err;
	struct ds_config *cfg;
	struct ds_diags d;
	char *path;
};

static inline void load_text(struct loaded *l, const char *text)
{
	memset(l, 0, sizeof(*l));
	l->path = put_tmp(text);
	l->err = ds_config_load(&l->cfg, l->path, &l->d);
}

static inline void unload(struct loaded *l)
{
	ds_config_free(l->cfg);
	ds_diags_reset(&l->d);
	if (l->path) {
		unlink(l->path);
		free(l->path);
	}
	memset(l, 0, sizeof(*l));
}

static inline void dump(const struct ds_diags *d)
{
	ds_diags_print(stderr, d);
}

/* The diagnostic with this severity, line, column, path, and a message
 * holding `sub`; line/col 0 and path NULL match anything. */
static inline const struct ds_diag *find(const struct ds_diags *d, enum ds_severity sev,
				  int line, int col, const char *path, const char *sub)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct ds_diag *x = &d->v[i];

		if (x->sev != sev || (line && x->loc.line != line) ||
		    (col && x->loc.col != col) || (path && strcmp(x->path, path)) ||
		    !strstr(x->msg, sub))
			continue;
		return x;
	}
	return NULL;
}

#define expect_diag(d, sev, line, col, path, sub) do { \
	if (!find(d, sev, line, col, path, sub)) { \
		dump(d); \
		fail_msg("no %s at %d:%d %s: ...%s...", \
			 (sev) == DS_SEV_ERROR ? "error" : "warning", line, col, \
			 (path) ? (const char *)(path) : "*", sub); \
	} \
} while (0)

static inline size_t count_sev(const struct ds_diags *d, enum ds_severity sev)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += d->v[i].sev == sev;
	return n;
}

static inline const struct ds_opt *opt(const struct ds_optset *os, const char *name)
{
	for (size_t i = 0; i < os->n; i++) {
		if (!strcmp(os->v[i].name, name))
			return &os->v[i];
	}
	return NULL;
}

#endif
