/* libFuzzer harness for the control endpoint's request heads (any bytes a
 * client may send): parsed with and without a required token, and what a
 * routable request carries is checked to be sane; and for the chunked
 * framing `dualsite ctl` reads answers with (the same bytes as a body). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "control/control_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char token[] = "fuzz-token-0123456789";
	const char *tokens[2] = {NULL, token};
	size_t pos = 0;
	char *copy;

	for (int t = 0; t < 2; t++) {
		struct ctl_req rq;
		char why[256];
		bool fatal;
		unsigned st = ds_ctl_parse_head((const char *)data, size, tokens[t], &rq,
						&fatal, why, sizeof(why));

		if (st && strlen(why) == 0)
			abort();          /* every refusal says why */
		if (st)
			continue;
		if (fatal || rq.nseg < 1 || rq.nseg > 6 || !rq.method[0] ||
		    rq.clen > CTL_MAX_REQUEST)
			abort();
		for (int i = 0; i < rq.nseg; i++)
			if (rq.seg[i] < rq.store || rq.seg[i] >= rq.store + sizeof(rq.store) ||
			    strlen(rq.seg[i]) >= sizeof(rq.store))
				abort();
	}
	/* a body scanned whole ends inside it, and its data is no longer */
	if (ds_chunks_scan((const char *)data, size, &pos) == 0) {
		if (pos > size || !(copy = malloc(size ? size : 1)))
			abort();
		memcpy(copy, data, size);
		if (ds_chunks_join(copy, pos) > pos)
			abort();
		free(copy);
	} else if (pos > size) {
		abort();
	}
	return 0;
}
