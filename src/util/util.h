/* Private helpers of the core library: allocation, arena, string map. */
#ifndef DS_UTIL_H
#define DS_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Allocation wrappers used by the loader. A test sets ds_mem_fail_after to N
 * so that the (N+1)th allocation from now fails, to exercise error paths;
 * -1 (the default) never fails on purpose. */
extern long ds_mem_fail_after;
void *ds_malloc(size_t n);
void *ds_realloc(void *p, size_t n);
void ds_free(void *p);

/* A bump allocator: everything is released at once by ds_arena_free. Memory
 * is zeroed. Returns NULL when memory runs out. */
struct ds_arena_chunk;
struct ds_arena {
	struct ds_arena_chunk *head;
	size_t used;   /* bytes used in head */
	size_t cap;    /* bytes available in head */
};
void *ds_arena_alloc(struct ds_arena *a, size_t n);
char *ds_arena_strndup(struct ds_arena *a, const char *s, size_t n);
char *ds_arena_vprintf(struct ds_arena *a, const char *fmt, va_list ap);
void ds_arena_free(struct ds_arena *a);

/* Open-addressing hash map from NUL-terminated strings to pointers. Keys are
 * not copied: they must outlive the map. */
struct ds_strmap_slot;
struct ds_strmap {
	struct ds_strmap_slot *slot;
	size_t n, cap;
};
/* 0, or EEXIST with *old set (the map is unchanged), or ENOMEM. */
int ds_strmap_put(struct ds_strmap *m, const char *key, void *val, void **old);
bool ds_strmap_get(const struct ds_strmap *m, const char *key, void **val);
void ds_strmap_free(struct ds_strmap *m);

/* Length of the valid UTF-8 sequence at s (1..4, at most `avail` bytes),
 * or 0 when it is not one. */
size_t ds_utf8_seq_len(const unsigned char *s, size_t avail);
/* Offset of the first byte of buf that is not valid UTF-8, or len. */
size_t ds_utf8_check(const char *buf, size_t len);
/* True when buf is not printable UTF-8 as YAML 1.2 requires, with the line
 * and column (1-based, in characters) of the first bad byte. YAML text must
 * pass this before libfyaml 0.7.12 sees it: it loops forever on some invalid
 * UTF-8 and crashes on some NUL bytes. */
bool ds_yaml_text_bad(const char *buf, size_t len, int *line, int *col, unsigned char *byte);
/* True when a single-quoted scalar under `root` holds two escaped quotes in a
 * row (''''), which libfyaml 0.7.12 misreads, with the line and column of its
 * opening quote. `buf` is the text the document was parsed from. */
struct fy_node;
#define DS_QUOTE_TRAP_MSG "two escaped quotes in a row ('''') inside single quotes " \
	"are misread by libfyaml 0.7.12; write this value in double quotes (\"a''b\")"
bool ds_yaml_quote_trap(struct fy_node *root, const char *buf, size_t len, int *line, int *col);
/* True when libfyaml must not see this text, with where and why (`why`
 * holds sz bytes): ds_yaml_text_bad, or blanks between an indicator (':',
 * '?', '-') and another that hold a tab, which libfyaml 0.7.12 reports and
 * may then crash on (the column of the tab, 1-based, in bytes). */
bool ds_yaml_text_refused(const char *buf, size_t len, int *line, int *col,
			  char *why, size_t sz);

/* `str` as a JSON string, quotes included: '"', '\\' and control characters
 * escaped, invalid UTF-8 replaced by \ufffd. Like snprintf: writes at most
 * sz bytes (NUL included; buf may be NULL when sz is 0) and returns the
 * length the whole of it needs, without the NUL. */
size_t ds_json_str(char *buf, size_t sz, const char *str);
/* The same, written to f. */
void ds_json_fput(FILE *f, const char *str);

#endif
