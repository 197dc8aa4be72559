/* Many timers on one libre timer: a binary min-heap of expiry times.
 *
 * Why not one libre `struct tmr` per agent: libre 1.1.0 keeps its timers in
 * one sorted linked list and tmr_start() finds the insert position by a
 * linear scan from the tail. Every SIP transaction starts short timers
 * (retransmission 500 ms, 1 s …) that must walk back over every longer one;
 * with ten thousand agents' wake-ups (minutes away) in that list, a burst of
 * REGISTERs spent most of its CPU in that scan (measured with perf: 60 % in
 * list_apply at 2,000 agents). The agents' and bindings' timers live here
 * instead, O(log n) per start or cancel, and only the earliest one is armed
 * in libre. Equal expiry times fire in the order they were started. */
#include <stdlib.h>
#include "timers.h"

#define NOT_QUEUED UINT32_MAX

static bool earlier(const struct ds_timer *a, const struct ds_timer *b)
{
	return a->at < b->at || (a->at == b->at && a->order < b->order);
}

static void put(struct ds_timers *t, uint32_t i, struct ds_timer *x)
{
	t->heap[i] = x;
	x->idx = i;
}

static void sift_up(struct ds_timers *t, uint32_t i)
{
	struct ds_timer *x = t->heap[i];

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!earlier(x, t->heap[parent]))
			break;
		put(t, i, t->heap[parent]);
		i = parent;
	}
	put(t, i, x);
}

static void sift_down(struct ds_timers *t, uint32_t i)
{
	struct ds_timer *x = t->heap[i];

	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		const struct ds_timer *best = x;

		if (l < t->n && earlier(t->heap[l], best)) {
			m = l;
			best = t->heap[l];
		}
		if (r < t->n && earlier(t->heap[r], best))
			m = r;
		if (m == i)
			break;
		put(t, i, t->heap[m]);
		i = m;
	}
	put(t, i, x);
}

static void remove_at(struct ds_timers *t, uint32_t i)
{
	struct ds_timer *last;

	t->heap[i]->idx = NOT_QUEUED;
	last = t->heap[--t->n];
	if (i == t->n)
		return;
	put(t, i, last);
	if (i > 0 && earlier(last, t->heap[(i - 1) / 2]))
		sift_up(t, i);
	else
		sift_down(t, i);
}

static void fire_h(void *arg);

/* Arms the one libre timer for the earliest entry. */
static void rearm(struct ds_timers *t)
{
	uint64_t now;

	if (t->firing)
		return;   /* fire_h() re-arms once it is done */
	if (!t->n) {
		tmr_cancel(&t->tmr);
		return;
	}
	now = tmr_jiffies();
	tmr_start(&t->tmr, t->heap[0]->at > now ? t->heap[0]->at - now : 0,
		  fire_h, t);
}

static void fire_h(void *arg)
{
	struct ds_timers *t = arg;
	uint64_t now = tmr_jiffies();

	t->firing = true;
	while (t->n && t->heap[0]->at <= now) {
		struct ds_timer *x = t->heap[0];

		remove_at(t, 0);
		/* the handler may start or cancel any timer, this one included */
		x->h(x->arg);
	}
	t->firing = false;
	rearm(t);
}

void ds_timers_init(struct ds_timers *t)
{
	t->heap = NULL;
	t->n = t->cap = 0;
	t->seq = 0;
	t->firing = false;
	tmr_init(&t->tmr);
}

int ds_timers_reserve(struct ds_timers *t, uint32_t cap)
{
	struct ds_timer **heap;

	if (cap <= t->cap)
		return 0;
	heap = realloc(t->heap, cap * sizeof(*heap));
	if (!heap)
		return ENOMEM;
	t->heap = heap;
	t->cap = cap;
	return 0;
}

void ds_timers_close(struct ds_timers *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		t->heap[i]->idx = NOT_QUEUED;
	tmr_cancel(&t->tmr);
	free(t->heap);
	t->heap = NULL;
	t->n = t->cap = 0;
}

void ds_timer_init(struct ds_timer *x)
{
	x->idx = NOT_QUEUED;
	x->at = 0;
	x->order = 0;
	x->h = NULL;
	x->arg = NULL;
}

bool ds_timer_running(const struct ds_timer *x)
{
	return x->idx != NOT_QUEUED;
}

int ds_timer_start(struct ds_timers *t, struct ds_timer *x, uint64_t delay,
		   ds_timer_h *h, void *arg)
{
	bool was_top;

	if (ds_timer_running(x))
		remove_at(t, x->idx);
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? 2 * t->cap : 64;
		struct ds_timer **heap = realloc(t->heap, cap * sizeof(*heap));
		if (!heap)
			return ENOMEM;
		t->heap = heap;
		t->cap = cap;
	}
	x->at = tmr_jiffies() + delay;
	x->order = t->seq++;
	x->h = h;
	x->arg = arg;
	put(t, t->n, x);
	t->n++;
	sift_up(t, x->idx);
	was_top = x->idx == 0;
	if (was_top)
		rearm(t);
	return 0;
}

void ds_timer_cancel(struct ds_timers *t, struct ds_timer *x)
{
	bool top;

	if (!ds_timer_running(x))
		return;
	top = x->idx == 0;
	remove_at(t, x->idx);
	if (top)
		rearm(t);
}
