/* The lab's verdict: each bound the story prints is checked, not only shown.
 *
 * Per agent (docs/behaviour.md §3.1, §3.2): the HA switch comes within the
 * probe budget of the kill; the loss of SiteX is detected within the probe
 * budget of the outage; the switchover comes no earlier than
 * connection-lost + disaster-recovery.timeout (nor than outage + timeout);
 * the restore waits the hold-down; one switchover, one restore, the caller's
 * restore deferred once and never made during the call, its call ended by BYE.
 * Instants of the lab's own actions (a kill, a SIGSTOP) are taken on the
 * lab's clock, converted to the run's with the offset estimated from the
 * first event: "no earlier than" a lab action allows LAB_SLACK for that
 * conversion, "no later than" allows LAB_TOL for process scheduling on a
 * shared machine (as the net tests do). Bounds between two events of the run
 * are on one clock and checked exactly (to the millisecond it reports). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lab.h"

#define LAB_TOL   0.5
#define LAB_SLACK 0.05
#define LAB_MS    0.0005   /* events carry milliseconds */

static void against(FILE *out, const struct lab_agent *a, int *bad, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void against(FILE *out, const struct lab_agent *a, int *bad, const char *fmt, ...)
{
	va_list ap;

	fprintf(out, "  %-8s against docs/behaviour.md §3: ", a->name);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fprintf(out, "\n");
	(*bad)++;
}

int lab_verdict(const struct lab *lab, FILE *out)
{
	const double *st = lab->story_t;
	double budget = lab_probe_budget(lab);
	int bad = 0;

	for (unsigned i = 0; i < lab->n_agents; i++) {
		const struct lab_agent *a = &lab->agents[i];
		const struct lab_conn *c = &a->conn[LAB_SIP];
		double ha = c->ha_t - st[2], det = c->lost_t - st[3];

		if (a->restore_in_call)
			against(out, a, &bad, "restored during the call");
		if (c->switchovers != 1)
			against(out, a, &bad, "%u sip switchovers, expected exactly one",
				c->switchovers);
		if (c->restores != 1)
			against(out, a, &bad, "%u sip restores, expected exactly one", c->restores);
		if (c->deferrals != (i == 0 ? 1u : 0u))
			against(out, a, &bad, i == 0 ? "%u restore-deferred, expected exactly one" :
				"%u restore-deferred without a call", c->deferrals);
		if (!c->ha_switches)
			against(out, a, &bad, "no HA switch after the kill of SIP_X");
		else if (ha < -LAB_SLACK || ha > budget + LAB_TOL)
			against(out, a, &bad, "HA switch %.3f s after the kill of SIP_X, outside "
				"0..probe budget %.3g s (+%.1f s tolerance)", ha, budget, LAB_TOL);
		if (c->switchovers) {
			if (det < -LAB_SLACK || det > budget + LAB_TOL)
				against(out, a, &bad, "detection (connection-lost) %.3f s after SiteX "
					"went silent, outside 0..probe budget %.3g s (+%.1f s "
					"tolerance)", det, budget, LAB_TOL);
			if (c->switch_t - c->lost_t < lab->dr_timeout - LAB_MS)
				against(out, a, &bad, "switchover %.3f s after connection-lost, "
					"earlier than connection-lost + timeout %g s",
					c->switch_t - c->lost_t, lab->dr_timeout);
			if (c->switch_t - st[3] < lab->dr_timeout - LAB_SLACK)
				against(out, a, &bad, "switchover %.3f s after SiteX went silent, "
					"earlier than the timeout %g s", c->switch_t - st[3],
					lab->dr_timeout);
		}
		if (c->restores && c->restore_t - st[5] < lab->hold_down - LAB_SLACK)
			against(out, a, &bad, "restore %.3f s after SiteX came back, earlier than "
				"the hold-down %g s", c->restore_t - st[5], lab->hold_down);
		if (i == 0 && strcmp(a->call_end_reason, "bye"))
			against(out, a, &bad, "the call ended with reason '%s', expected bye",
				a->call_end_reason);
	}
	return bad;
}
