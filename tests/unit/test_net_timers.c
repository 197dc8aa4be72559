/* Unit tests of the driver's timer heap (src/net/timers.c) on a real libre
 * loop: order of expiry, ties in start order, cancel, restart, handlers that
 * start and cancel timers while the heap fires. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "net/timers.h"

enum { N = 200 };

struct rec {
	struct ds_timers *t;
	struct ds_timer tm[N];
	uint64_t delay[N];
	uint64_t at[N];      /* expiry as started */
	int fired[N];        /* order of firing, -1 never */
	int count;
	int cancel_from;     /* timer i cancels timer cancel_from + i when fired */
	struct ds_timer stop;
};

static void fire_h(void *arg);

static struct rec *R;

static void fire_h(void *arg)
{
	int i = (int)(intptr_t)arg;

	assert_int_equal(R->fired[i], -1);
	R->fired[i] = R->count++;
	if (R->cancel_from && i < N - R->cancel_from)
		ds_timer_cancel(R->t, &R->tm[i + R->cancel_from]);
}

static void stop_h(void *arg)
{
	(void)arg;
	re_cancel();
}

static void run_loop(struct rec *r, uint64_t ms)
{
	ds_timer_init(&r->stop);
	assert_int_equal(ds_timer_start(r->t, &r->stop, ms, stop_h, NULL), 0);
	assert_int_equal(re_main(NULL), 0);
}

static void setup_rec(struct rec *r, struct ds_timers *t)
{
	memset(r, 0, sizeof(*r));
	r->t = t;
	for (int i = 0; i < N; i++) {
		r->fired[i] = -1;
		ds_timer_init(&r->tm[i]);
	}
	R = r;
}

static void test_order(void **state)
{
	static struct rec r;
	struct ds_timers t;
	(void)state;

	ds_timers_init(&t);
	setup_rec(&r, &t);
	/* a scrambled set of delays in 0..49 ms, many equal */
	for (int i = 0; i < N; i++) {
		uint64_t before = tmr_jiffies(), after;

		r.delay[i] = (uint64_t)((i * 37) % 50);
		assert_int_equal(ds_timer_start(&t, &r.tm[i], r.delay[i], fire_h,
						(void *)(intptr_t)i), 0);
		after = tmr_jiffies();
		assert_true(ds_timer_running(&r.tm[i]));
		r.at[i] = r.tm[i].at;
		assert_true(r.at[i] >= before + r.delay[i] && r.at[i] <= after + r.delay[i]);
	}
	run_loop(&r, 120);
	assert_int_equal(r.count, N);
	for (int i = 0; i < N; i++) {
		assert_false(ds_timer_running(&r.tm[i]));
		for (int j = 0; j < N; j++) {
			if (r.at[i] < r.at[j] || (r.at[i] == r.at[j] && i < j)) {
				/* earlier expiry, or a tie started first, fires first */
				if (r.fired[i] > r.fired[j])
					fail_msg("timer %d (at %llu) fired after %d (at %llu)",
						 i, (unsigned long long)r.at[i], j,
						 (unsigned long long)r.at[j]);
			}
		}
	}
	ds_timers_close(&t);
}

static void test_cancel_restart(void **state)
{
	static struct rec r;
	struct ds_timers t;
	(void)state;

	ds_timers_init(&t);
	setup_rec(&r, &t);
	for (int i = 0; i < N; i++)
		assert_int_equal(ds_timer_start(&t, &r.tm[i], (uint64_t)(i % 20), fire_h,
						(void *)(intptr_t)i), 0);
	/* cancel the odd ones; move every tenth to the end */
	for (int i = 1; i < N; i += 2)
		ds_timer_cancel(&t, &r.tm[i]);
	for (int i = 0; i < N; i += 10)
		assert_int_equal(ds_timer_start(&t, &r.tm[i], 60, fire_h,
						(void *)(intptr_t)i), 0);
	ds_timer_cancel(&t, &r.tm[1]);   /* twice: harmless */
	run_loop(&r, 120);

	int last_early = -1;
	for (int i = 0; i < N; i++) {
		if (i % 2) {
			assert_int_equal(r.fired[i], -1);
			continue;
		}
		assert_true(r.fired[i] >= 0);
		if (i % 10)
			last_early = r.fired[i] > last_early ? r.fired[i] : last_early;
	}
	for (int i = 0; i < N; i += 10)
		assert_true(r.fired[i] > last_early);
	assert_int_equal(r.count, N / 2);
	ds_timers_close(&t);
}

static void test_cancel_from_handler(void **state)
{
	static struct rec r;
	struct ds_timers t;
	(void)state;

	ds_timers_init(&t);
	assert_int_equal(ds_timers_reserve(&t, 8), 0);   /* then grows */
	setup_rec(&r, &t);
	r.cancel_from = 1;
	/* all due at once: the first to fire cancels the next, and so on */
	for (int i = 0; i < N; i++)
		assert_int_equal(ds_timer_start(&t, &r.tm[i], 5, fire_h,
						(void *)(intptr_t)i), 0);
	run_loop(&r, 60);
	for (int i = 0; i < N; i++)
		assert_int_equal(r.fired[i] >= 0, i % 2 == 0);
	ds_timers_close(&t);
}

static int group_setup(void **state)
{
	(void)state;
	return libre_init();
}

static int group_teardown(void **state)
{
	(void)state;
	libre_close();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_cancel_restart),
		cmocka_unit_test(test_cancel_from_handler),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
