/* Unit tests of src/net/srvorder.c: RFC 2782's order of SRV records (lowest
 * priority first, weighted random within one priority), reproducible from
 * a seed, against the probabilities RFC 2782's selection gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "net/srvorder.h"

enum { DRAWS = 10000 };

static void order(struct ds_srv_rec *r, const struct ds_srv_rec *in, size_t n, uint64_t seed)
{
	uint64_t rng = seed | 1;

	memcpy(r, in, n * sizeof(*r));
	ds_srv_order(r, n, &rng);
}

static void test_priority_first(void **state)
{
	const struct ds_srv_rec in[] = {
		{30, 5, 0}, {10, 1, 1}, {20, 100, 2}, {10, 1000, 3}, {20, 0, 4},
	};
	struct ds_srv_rec r[5];
	(void)state;

	for (uint64_t seed = 1; seed < 200; seed++) {
		order(r, in, 5, seed * 7919);
		/* 10, 10, 20, 20, 30 whatever the weights and draws */
		assert_int_equal(r[0].prio, 10);
		assert_int_equal(r[1].prio, 10);
		assert_int_equal(r[2].prio, 20);
		assert_int_equal(r[3].prio, 20);
		assert_int_equal(r[4].prio, 30);
		assert_int_equal(r[4].idx, 0);
		/* every record once */
		unsigned seen = 0;
		for (int i = 0; i < 5; i++)
			seen |= 1u << r[i].idx;
		assert_int_equal(seen, 0x1f);
	}
}

static void test_same_seed_same_order(void **state)
{
	const struct ds_srv_rec in[] = {{1, 10, 0}, {1, 10, 1}, {1, 10, 2}, {1, 10, 3}};
	struct ds_srv_rec a[4], b[4];
	bool differs = false;
	(void)state;

	for (uint64_t seed = 1; seed < 100; seed++) {
		order(a, in, 4, seed);
		order(b, in, 4, seed);
		assert_memory_equal(a, b, sizeof(a));
		order(b, in, 4, seed + 1000003);
		differs |= memcmp(a, b, sizeof(a)) != 0;
	}
	assert_true(differs);   /* the order does depend on the seed */
}

/* Two records of weights 90 and 10: RFC 2782 draws a number in [0, 100]
 * and takes the first whose running sum (90, 100) reaches it, so the
 * weight-90 one comes first with probability 91/101 (about 0.90). */
static void test_weights(void **state)
{
	const struct ds_srv_rec in[] = {{5, 10, 0}, {5, 90, 1}};
	struct ds_srv_rec r[2];
	unsigned heavy = 0;
	uint64_t rng = 12345;
	(void)state;

	for (int i = 0; i < DRAWS; i++) {
		memcpy(r, in, sizeof(r));
		ds_srv_order(r, 2, &rng);
		heavy += r[0].idx == 1;
	}
	assert_in_range(heavy, DRAWS * 86 / 100, DRAWS * 94 / 100);
}

/* A weight-0 record is placed first among the unordered and taken only by
 * a draw of 0: with weights 0 and 50, first with probability 1/51. */
static void test_weight_zero(void **state)
{
	const struct ds_srv_rec in[] = {{0, 50, 0}, {0, 0, 1}};
	const struct ds_srv_rec zeros[] = {{0, 0, 0}, {0, 0, 1}, {0, 0, 2}};
	struct ds_srv_rec r[3];
	unsigned zero_first = 0;
	uint64_t rng = 99;
	(void)state;

	for (int i = 0; i < DRAWS; i++) {
		memcpy(r, in, 2 * sizeof(*r));
		ds_srv_order(r, 2, &rng);
		zero_first += r[0].idx == 1;
	}
	assert_in_range(zero_first, DRAWS / 200, DRAWS / 20);
	/* all of weight 0: a draw of 0 each time, the order as given */
	order(r, zeros, 3, 42);
	assert_int_equal(r[0].idx, 0);
	assert_int_equal(r[1].idx, 1);
	assert_int_equal(r[2].idx, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priority_first),
		cmocka_unit_test(test_same_seed_same_order),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_weight_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
