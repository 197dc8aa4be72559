/* Many timers on one libre timer (a min-heap): see timers.c for why. */
#ifndef DS_NET_TIMERS_H
#define DS_NET_TIMERS_H

#include <stdbool.h>
#include <stdint.h>
#include <re.h>

typedef void (ds_timer_h)(void *arg);

struct ds_timer {
	uint64_t at;       /* tmr_jiffies() of expiry */
	uint64_t order;    /* start order: ties fire first-started first */
	ds_timer_h *h;
	void *arg;
	uint32_t idx;      /* position in the heap; UINT32_MAX when not queued */
};

struct ds_timers {
	struct ds_timer **heap;
	uint32_t n, cap;
	uint64_t seq;
	bool firing;
	struct tmr tmr;    /* armed at the earliest expiry */
};

void ds_timers_init(struct ds_timers *t);
/* Room for `cap` queued timers, so that starting them never allocates. */
int ds_timers_reserve(struct ds_timers *t, uint32_t cap);
/* Forgets every queued timer (they stay valid, not running). */
void ds_timers_close(struct ds_timers *t);

void ds_timer_init(struct ds_timer *x);
/* (Re)starts `x` to call h(arg) `delay` ms from now. 0 or ENOMEM. */
int ds_timer_start(struct ds_timers *t, struct ds_timer *x, uint64_t delay,
		   ds_timer_h *h, void *arg);
void ds_timer_cancel(struct ds_timers *t, struct ds_timer *x);
bool ds_timer_running(const struct ds_timer *x);

#endif
