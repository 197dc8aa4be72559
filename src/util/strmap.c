/* String-keyed hash map (open addressing, linear probing): name lookups in
 * constant time, so a 10,000-person configuration loads in linear time. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "util.h"

struct ds_strmap_slot {
	const char *key;  /* NULL: empty */
	uint64_t hash;
	void *val;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;   /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct ds_strmap_slot *find(const struct ds_strmap *m, const char *key,
				   uint64_t h)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)h & mask;

	for (;;) {
		struct ds_strmap_slot *s = &m->slot[i];

		if (!s->key || (s->hash == h && !strcmp(s->key, key)))
			return s;
		i = (i + 1) & mask;
	}
}

static int grow(struct ds_strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct ds_strmap old = *m;

	if (cap > SIZE_MAX / sizeof(*m->slot))
		return ENOMEM;
	m->slot = ds_malloc(cap * sizeof(*m->slot));
	if (!m->slot) {
		*m = old;
		return ENOMEM;
	}
	memset(m->slot, 0, cap * sizeof(*m->slot));
	m->cap = cap;
	for (size_t i = 0; i < old.cap; i++) {
		if (old.slot[i].key)
			*find(m, old.slot[i].key, old.slot[i].hash) = old.slot[i];
	}
	ds_free(old.slot);
	return 0;
}

int ds_strmap_put(struct ds_strmap *m, const char *key, void *val, void **old)
{
	uint64_t h = hash_str(key);
	struct ds_strmap_slot *s;

	if (m->cap) {
		s = find(m, key, h);
		if (s->key) {
			if (old)
				*old = s->val;
			return EEXIST;
		}
	}
	/* Keep the load factor at most one half so probes stay short. */
	if ((m->n + 1) * 2 > m->cap) {
		int err = grow(m);

		if (err)
			return err;
	}
	s = find(m, key, h);
	s->key = key;
	s->hash = h;
	s->val = val;
	m->n++;
	return 0;
}

bool ds_strmap_get(const struct ds_strmap *m, const char *key, void **val)
{
	struct ds_strmap_slot *s;

	if (!m->cap)
		return false;
	s = find(m, key, hash_str(key));
	if (!s->key)
		return false;
	if (val)
		*val = s->val;
	return true;
}

void ds_strmap_free(struct ds_strmap *m)
{
	ds_free(m->slot);
	m->slot = NULL;
	m->n = m->cap = 0;
}
