/* Unit tests of src/lab/verdict.c: the lab's verdict on synthetic timelines,
 * one that keeps every bound and one per bound broken, so that each check is
 * proven without running the lab or racing a clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lab/lab.h"

/* Probe budget 2 × 0.5 + 0.5 = 1.5 s, timeout 3 s, hold-down 2 s. Step 2
 * (kill of SIP_X) at 10 s, step 3 (SiteX silent) at 20 s, step 5 (SiteX
 * back) at 40 s. alice takes the call, bob does not. */
static struct lab *timeline(void)
{
	struct lab *lab = calloc(1, sizeof(*lab));
	static const char *const names[2] = {"alice", "bob"};

	assert_non_null(lab);
	lab->probe_interval = 0.5;
	lab->probe_timeout = 0.5;
	lab->probe_failures = 2;
	lab->dr_timeout = 3;
	lab->hold_down = 2;
	lab->story_t[2] = 10;
	lab->story_t[3] = 20;
	lab->story_t[5] = 40;
	lab->n_agents = 2;
	for (int i = 0; i < 2; i++) {
		struct lab_agent *a = &lab->agents[i];
		struct lab_conn *c = &a->conn[LAB_SIP];

		strcpy(a->name, names[i]);
		c->ha_switches = 1;
		c->ha_t = 11.2;          /* 1.2 s after the kill */
		c->lost_t = 21.4;        /* detected in 1.4 s */
		c->switchovers = 1;
		c->switch_t = 24.6;      /* lost + 3.2 s */
		c->restores = 1;
		c->restore_t = i ? 42.3 : 50.0;
		c->deferrals = i ? 0 : 1;
	}
	strcpy(lab->agents[0].call_end_reason, "bye");
	return lab;
}

/* The verdict's violations and what it printed. */
static int verdict(const struct lab *lab, char **text)
{
	size_t len = 0;
	FILE *f = open_memstream(text, &len);
	int bad;

	assert_non_null(f);
	bad = lab_verdict(lab, f);
	fclose(f);
	return bad;
}

static void expect_one(struct lab *lab, const char *agent, const char *what)
{
	char *text = NULL;

	assert_int_equal(verdict(lab, &text), 1);
	assert_non_null(strstr(text, agent));
	if (!strstr(text, what))
		fail_msg("expected '%s' in: %s", what, text);
	free(text);
	free(lab);
}

static void test_passing(void **state)
{
	struct lab *lab = timeline();
	char *text = NULL;
	(void)state;

	assert_int_equal(verdict(lab, &text), 0);
	assert_string_equal(text, "");
	free(text);
	free(lab);
}

static void test_ha_switch_late(void **state)
{
	struct lab *lab = timeline();
	(void)state;

	lab->agents[1].conn[LAB_SIP].ha_t = 10 + 1.5 + 0.6; /* past budget + tolerance */
	expect_one(lab, "bob", "HA switch 2.100 s after the kill of SIP_X, outside 0..probe budget 1.5 s");
}

static void test_ha_switch_missing(void **state)
{
	struct lab *lab = timeline();
	(void)state;

	lab->agents[0].conn[LAB_SIP].ha_switches = 0;
	expect_one(lab, "alice", "no HA switch");
}

static void test_detection_late(void **state)
{
	struct lab *lab = timeline();
	(void)state;

	/* the switchover keeps its own bounds: lost + 3.2 s */
	lab->agents[0].conn[LAB_SIP].lost_t = 20 + 1.5 + 0.7;
	lab->agents[0].conn[LAB_SIP].switch_t = 22.2 + 3.2;
	expect_one(lab, "alice", "detection (connection-lost) 2.200 s after SiteX went silent");
}

static void test_switchover_before_lost_plus_timeout(void **state)
{
	struct lab *lab = timeline();
	(void)state;

	/* 2.9 s after connection-lost, though 4.3 s after the outage */
	lab->agents[1].conn[LAB_SIP].switch_t = 21.4 + 2.9;
	expect_one(lab, "bob", "switchover 2.900 s after connection-lost, earlier than "
		   "connection-lost + timeout 3 s");
}

static void test_restore_before_hold_down(void **state)
{
	struct lab *lab = timeline();
	(void)state;

	lab->agents[1].conn[LAB_SIP].restore_t = 41.5;
	expect_one(lab, "bob", "restore 1.500 s after SiteX came back, earlier than the hold-down");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passing),
		cmocka_unit_test(test_ha_switch_late),
		cmocka_unit_test(test_ha_switch_missing),
		cmocka_unit_test(test_detection_late),
		cmocka_unit_test(test_switchover_before_lost_plus_timeout),
		cmocka_unit_test(test_restore_before_hold_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
