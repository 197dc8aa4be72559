/* Allocation wrappers (with a failure hook for tests) and the bump arena. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"

long ds_mem_fail_after = -1;

/* One decision per allocation so a test can walk the failure point through
 * every allocation of a load, one run at a time. */
static bool fail_now(void)
{
	if (ds_mem_fail_after < 0)
		return false;
	if (ds_mem_fail_after == 0)
		return true;
	ds_mem_fail_after--;
	return false;
}

void *ds_malloc(size_t n)
{
	if (fail_now())
		return NULL;
	return malloc(n ? n : 1);
}

void *ds_realloc(void *p, size_t n)
{
	if (fail_now())
		return NULL;
	return realloc(p, n ? n : 1);
}

void ds_free(void *p)
{
	free(p);
}

struct ds_arena_chunk {
	struct ds_arena_chunk *next;
	max_align_t data[];
};

enum { ARENA_CHUNK = 64 * 1024 };

void *ds_arena_alloc(struct ds_arena *a, size_t n)
{
	const size_t align = _Alignof(max_align_t);
	size_t need = (n + align - 1) & ~(align - 1);

	if (need < n)
		return NULL;
	if (!a->head || a->cap - a->used < need) {
		/* Big requests get a chunk of their own; the current chunk
		 * stays the head only if it still has more room. */
		size_t cap = need > ARENA_CHUNK / 4 ? need : ARENA_CHUNK;
		struct ds_arena_chunk *c;

		if (cap > SIZE_MAX - sizeof(*c))
			return NULL;
		c = ds_malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		if (a->head && cap == need && a->cap - a->used > 0) {
			c->next = a->head->next;
			a->head->next = c;
			memset(c->data, 0, need);
			return c->data;
		}
		c->next = a->head;
		a->head = c;
		a->used = 0;
		a->cap = cap;
	}
	void *p = (char *)a->head->data + a->used;
	a->used += need;
	memset(p, 0, need);
	return p;
}

char *ds_arena_strndup(struct ds_arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		return NULL;
	p = ds_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *ds_arena_vprintf(struct ds_arena *a, const char *fmt, va_list ap)
{
	va_list aq;
	int n;
	char *p;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	p = ds_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

void ds_arena_free(struct ds_arena *a)
{
	struct ds_arena_chunk *c = a->head;

	while (c) {
		struct ds_arena_chunk *next = c->next;

		free(c);
		c = next;
	}
	a->head = NULL;
	a->used = a->cap = 0;
}
