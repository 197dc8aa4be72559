/* RFC 2782's order of SRV records: by priority, then weighted random. */
#include "srvorder.h"

static uint64_t draw(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static void swap(struct ds_srv_rec *a, struct ds_srv_rec *b)
{
	struct ds_srv_rec t = *a;
	*a = *b;
	*b = t;
}

void ds_srv_order(struct ds_srv_rec *r, size_t n, uint64_t *rng)
{
	/* insertion sort by priority, stable (a handful of records) */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && r[j - 1].prio > r[j].prio; j--)
			swap(&r[j - 1], &r[j]);

	for (size_t lo = 0; lo < n;) {
		size_t hi = lo;

		while (hi < n && r[hi].prio == r[lo].prio)
			hi++;
		/* RFC 2782: the weight-0 records first among the unordered,
		 * then a number in [0, sum] picks the first record whose
		 * running sum reaches it; it takes the next place */
		for (size_t i = lo + 1; i < hi; i++)
			for (size_t j = i; j > lo && r[j - 1].weight && !r[j].weight; j--)
				swap(&r[j - 1], &r[j]);
		for (size_t k = lo; k + 1 < hi; k++) {
			uint64_t sum = 0, pick, run = 0;
			size_t at = k;

			for (size_t i = k; i < hi; i++)
				sum += r[i].weight;
			pick = draw(rng) % (sum + 1);
			for (size_t i = k; i < hi; i++) {
				run += r[i].weight;
				if (run >= pick) {
					at = i;
					break;
				}
			}
			/* keep the rest in their order, weight-0 ones first */
			for (size_t j = at; j > k; j--)
				swap(&r[j - 1], &r[j]);
		}
		lo = hi;
	}
}
