/* libFuzzer harness for the control endpoint's request heads (any bytes a
 * client may send): parsed with and without a required token, and what a
 * routable request carries is checked to be sane. */
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
	return 0;
}
