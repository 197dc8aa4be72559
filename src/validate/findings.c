/* Findings of one validation run: each problem once, with the number of agents it touches.
 *
 * Rules are checked per agent (an agent's options decide which servers it
 * uses), but a problem usually comes from one object shared by many agents.
 * Keying findings by where they come from turns N identical reports into one
 * report that says "(touches N agents)". A hash table keeps that linear in
 * the number of agents. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vd.h"

static size_t key_hash(const struct vd_key *k)
{
	uint64_t h = 1469598103934665603ull;
	uint64_t parts[4] = {(uint64_t)k->rule, (uint64_t)(uintptr_t)k->a,
			     (uint64_t)(uintptr_t)k->b, (uint64_t)(int64_t)k->x};

	for (int i = 0; i < 4; i++) {
		h ^= parts[i];
		h *= 1099511628211ull;
		h ^= h >> 29;
	}
	return (size_t)h;
}

static bool key_eq(const struct vd_key *a, const struct vd_key *b)
{
	return a->rule == b->rule && a->a == b->a && a->b == b->b && a->x == b->x;
}

static bool grow(struct vd *v)
{
	size_t cap = v->cap ? v->cap * 2 : 64;
	struct vd_finding **s = calloc(cap, sizeof(*s));

	if (!s)
		return false;
	for (size_t i = 0; i < v->cap; i++) {
		size_t j;

		if (!v->slots[i])
			continue;
		for (j = key_hash(&v->slots[i]->key) & (cap - 1); s[j]; j = (j + 1) & (cap - 1))
			;
		s[j] = v->slots[i];
	}
	free(v->slots);
	v->slots = s;
	v->cap = cap;
	return true;
}

struct vd_finding *vd_note(struct vd *v, const struct ds_person *p, const struct vd_key *key,
			   enum ds_severity sev, const struct ds_loc *loc, const char *path,
			   const char *fmt, ...)
{
	struct vd_finding *f;
	size_t j;
	va_list ap;
	int len;

	if ((v->n + 1) * 2 > v->cap && !grow(v)) {
		v->oom = true;
		return NULL;
	}
	for (j = key_hash(key) & (v->cap - 1); v->slots[j]; j = (j + 1) & (v->cap - 1))
		if (key_eq(&v->slots[j]->key, key))
			break;
	f = v->slots[j];
	if (!f) {
		if (!fmt)
			return NULL;
		f = calloc(1, sizeof(*f));
		if (!f) {
			v->oom = true;
			return NULL;
		}
		f->key = *key;
		f->sev = sev;
		if (loc)
			f->loc = *loc;
		f->path = strdup(path ? path : "");
		va_start(ap, fmt);
		len = vsnprintf(NULL, 0, fmt, ap);
		va_end(ap);
		f->msg = malloc((size_t)len + 1);
		if (!f->path || !f->msg) {
			free(f->path);
			free(f->msg);
			free(f);
			v->oom = true;
			return NULL;
		}
		va_start(ap, fmt);
		vsnprintf(f->msg, (size_t)len + 1, fmt, ap);
		va_end(ap);
		f->order = v->n++;
		v->slots[j] = f;
	}
	if (p) {
		f->count++;
		if (!v->selected || v->selected[p - v->cfg->persons])
			f->selected = true;
	}
	return f;
}

static int by_order(const void *a, const void *b)
{
	const struct vd_finding *x = *(struct vd_finding *const *)a;
	const struct vd_finding *y = *(struct vd_finding *const *)b;

	return (x->order > y->order) - (x->order < y->order);
}

size_t vd_emit(struct vd *v)
{
	struct vd_finding **all = calloc(v->n ? v->n : 1, sizeof(*all));
	size_t n = 0, errors = 0;

	if (!all) {
		v->oom = true;
		return 0;
	}
	for (size_t i = 0; i < v->cap; i++)
		if (v->slots[i])
			all[n++] = v->slots[i];
	qsort(all, n, sizeof(*all), by_order);
	for (size_t i = 0; i < n; i++) {
		const struct vd_finding *f = all[i];

		if (f->count)
			ds_diag_add(v->d, f->sev, &f->loc, f->path, "%s (touches %zu agent%s)",
				    f->msg, f->count, f->count == 1 ? "" : "s");
		else
			ds_diag_add(v->d, f->sev, &f->loc, f->path, "%s", f->msg);
		if (f->sev == DS_SEV_ERROR && f->selected)
			errors++;
	}
	free(all);
	return errors;
}

void vd_free(struct vd *v)
{
	for (size_t i = 0; i < v->cap; i++)
		if (v->slots[i]) {
			free(v->slots[i]->path);
			free(v->slots[i]->msg);
			free(v->slots[i]);
		}
	free(v->slots);
	free(v->sites);
	free(v->r4);
	free(v->r3);
	free(v->r6);
	v->slots = NULL;
	v->cap = v->n = 0;
}

const char *vd_kind_title(enum ds_kind k)
{
	switch (k) {
	case DS_KIND_SIP:
		return "SIP Server";
	case DS_KIND_STAT:
		return "Stat Server";
	case DS_KIND_CONFIG:
		return "Configuration Server";
	case DS_KIND_COUNT:
		break;
	}
	return "server";
}
