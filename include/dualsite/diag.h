/* Diagnostics: what was wrong, where (file:line:col, object path), what is right. */
#ifndef DUALSITE_DIAG_H
#define DUALSITE_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum ds_severity { DS_SEV_WARNING, DS_SEV_ERROR };

/* Where a value was written. `file` is owned by the config (or static);
 * a diagnostic keeps its own copy. */
struct ds_loc {
	const char *file;
	int line;
	int col;
};

struct ds_diag {
	struct ds_loc loc;
	enum ds_severity sev;
	char *path;  /* object path, keys joined by '/' */
	char *msg;
};

struct ds_diags {
	struct ds_diag *v;
	size_t n, cap;
	size_t errors;
};

/* Appends one diagnostic (printf-style message). `loc` may be NULL. */
void ds_diag_add(struct ds_diags *d, enum ds_severity sev,
		 const struct ds_loc *loc, const char *path,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Sorts by file, line, column, then message, so output is stable. */
void ds_diags_sort(struct ds_diags *d);
/* One a line: FILE:LINE:COL: SEVERITY: PATH: message */
void ds_diags_print(FILE *f, const struct ds_diags *d);
/* {"diagnostics": [...]} */
void ds_diags_print_json(FILE *f, const struct ds_diags *d);
/* Frees every diagnostic; `d` is empty and reusable afterwards. */
void ds_diags_reset(struct ds_diags *d);

/* True when `a` and `b` differ at most in case and in which of '-', '_'
 * and '.' separates their words: `Disaster_Recovery.Enabled` is a misspelt
 * `disaster-recovery.enabled` (docs/behaviour.md §2.3 rule 12). */
bool ds_same_loosely(const char *a, const char *b);
/* The name among `names` closest to `s` (edit distance), or NULL when none is
 * close enough to be a useful suggestion. */
const char *ds_closest(const char *s, const char *const *names, size_t n);

#endif
