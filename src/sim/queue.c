/* The simulator's event queue: a binary min-heap keyed by (time, class,
 * insertion order), so that one scenario always yields one order. */
#include <errno.h>
#include <stdlib.h>
#include "simint.h"

static bool before(const struct ds_sim_item *a, const struct ds_sim_item *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	if (a->cls != b->cls)
		return a->cls < b->cls;
	return a->seq < b->seq;
}

static void swap(struct ds_sim_item *a, struct ds_sim_item *b)
{
	struct ds_sim_item tmp = *a;

	*a = *b;
	*b = tmp;
}

/* Stamps `it` with the next insertion number and adds it. */
int ds_sim_queue_push(struct ds_sim_queue *q, struct ds_sim_item *it)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		struct ds_sim_item *v = realloc(q->v, cap * sizeof(*v));

		if (!v)
			return ENOMEM;
		q->v = v;
		q->cap = cap;
	}
	it->seq = q->next_seq++;
	size_t i = q->n++;
	q->v[i] = *it;
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!before(&q->v[i], &q->v[parent]))
			break;
		swap(&q->v[i], &q->v[parent]);
		i = parent;
	}
	return 0;
}

const struct ds_sim_item *ds_sim_queue_peek(const struct ds_sim_queue *q)
{
	return q->n ? &q->v[0] : NULL;
}

bool ds_sim_queue_pop(struct ds_sim_queue *q, struct ds_sim_item *out)
{
	if (!q->n)
		return false;
	*out = q->v[0];
	q->v[0] = q->v[--q->n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < q->n && before(&q->v[l], &q->v[m]))
			m = l;
		if (r < q->n && before(&q->v[r], &q->v[m]))
			m = r;
		if (m == i)
			break;
		swap(&q->v[i], &q->v[m]);
		i = m;
	}
	return true;
}

void ds_sim_queue_reset(struct ds_sim_queue *q)
{
	free(q->v);
	q->v = NULL;
	q->n = q->cap = 0;
	q->next_seq = 0;
}
