/* Unit tests of src/net/probe.c's wording of why a server is down. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "net/net_priv.h"

static void test_fail_text(void **state)
{
	char buf[96];
	(void)state;

	assert_string_equal(ds_probe_fail_text(2, 0, "", buf, sizeof(buf)), "timed out");
	assert_string_equal(ds_probe_fail_text(0, 2, "refused: ICMP port unreachable",
					       buf, sizeof(buf)),
			    "refused: ICMP port unreachable");
	/* mixed: both kinds, with their counts */
	assert_string_equal(ds_probe_fail_text(1, 2, "refused: TCP connection refused",
					       buf, sizeof(buf)),
			    "1 timed out, 2 refused: TCP connection refused");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
