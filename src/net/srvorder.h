/* RFC 2782's order of SRV records: by priority, then weighted random. */
#ifndef DS_NET_SRVORDER_H
#define DS_NET_SRVORDER_H

#include <stddef.h>
#include <stdint.h>

struct ds_srv_rec {
	uint16_t prio;
	uint16_t weight;
	uint32_t idx;        /* the caller's: where the record came from */
};

/* Orders r[0..n) in place: lowest priority first; within one priority,
 * RFC 2782's weighted random selection, one record at a time, each draw
 * from *rng (a xorshift64 state, not 0), so that one seed gives one
 * order. A record of weight 0 is chosen only when no other of its
 * priority is left, or by a draw of 0. */
void ds_srv_order(struct ds_srv_rec *r, size_t n, uint64_t *rng);

#endif
