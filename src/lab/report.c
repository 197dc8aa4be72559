/* What the lab prints: events in plain words, and the story's summary table. */
#include <stdio.h>
#include <string.h>
#include "lab.h"

void lab_event_narrate(const struct lab *lab, const struct lab_event *ev, FILE *out)
{
	const char *e = ev->event;
	char what[160];

	(void)lab;
	if (!strcmp(e, "connected"))
		snprintf(what, sizeof(what), "%s: connected to %s (%s)", ev->kind, ev->site, ev->server);
	else if (!strcmp(e, "ha-switch"))
		snprintf(what, sizeof(what), "%s: HA switch inside %s, %s -> %s", ev->kind, ev->site,
			 ev->from, ev->to);
	else if (!strcmp(e, "connection-lost"))
		snprintf(what, sizeof(what), "%s: lost %s (both members down)", ev->kind, ev->site);
	else if (!strcmp(e, "switchover"))
		snprintf(what, sizeof(what), "%s: switchover %s -> %s (%s)", ev->kind, ev->from,
			 ev->to, ev->reason);
	else if (!strcmp(e, "restore"))
		snprintf(what, sizeof(what), "%s: restore %s -> %s (%s)", ev->kind, ev->from, ev->to,
			 ev->reason);
	else if (!strcmp(e, "restore-deferred"))
		snprintf(what, sizeof(what), "%s: restore deferred (%s)", ev->kind, ev->reason);
	else if (!strcmp(e, "out-of-service"))
		snprintf(what, sizeof(what), "%s: out of service (no site available)", ev->kind);
	else if (!strcmp(e, "registered"))
		snprintf(what, sizeof(what), "registered at %s (%s, proxy%d)", ev->site, ev->server,
			 ev->proxy);
	else if (!strcmp(e, "registration-lost"))
		snprintf(what, sizeof(what), "registration at %s lost (%s, proxy%d)", ev->site,
			 ev->reason, ev->proxy);
	else if (!strcmp(e, "registration-failed"))
		snprintf(what, sizeof(what), "registration at %s failed (%s, proxy%d)", ev->site,
			 ev->reason, ev->proxy);
	else if (!strcmp(e, "call-start"))
		snprintf(what, sizeof(what), "call started through %s", ev->site);
	else if (!strcmp(e, "call-end"))
		snprintf(what, sizeof(what), "call ended (%s)", ev->reason);
	else
		snprintf(what, sizeof(what), "%s", e);
	fprintf(out, "    t=%8.3f  %-8s %s\n", ev->t, ev->agent, what);
	fflush(out);
}

static void fmt_time(char *buf, size_t sz, double v, bool have)
{
	if (have)
		snprintf(buf, sz, "%.3f", v);
	else
		snprintf(buf, sz, "-");
}

void lab_summary(struct lab *lab, FILE *out)
{
	static const char *const head[7] = {
		"", "1:start", "2:HA", "3:X lost", "4:call", "5:X back", "6:end",
	};
	const double *st = lab->story_t;

	fprintf(out, "Summary: the site of each agent's SIP connection at the end of each "
		     "step, and measured times in seconds\n");
	fprintf(out, "  %-8s", "agent");
	for (int s = 1; s <= 6; s++)
		fprintf(out, " %-8s", head[s]);
	fprintf(out, " %7s %7s %10s %8s\n", "HA", "detect", "switchover", "restore");
	for (unsigned i = 0; i < lab->n_agents; i++) {
		const struct lab_agent *a = &lab->agents[i];
		char ha[16], det[16], sw[16], re[16];
		fprintf(out, "  %-8s", a->name);
		for (int s = 1; s <= 6; s++) {
			const char *site = a->site_at_step[s];
			char cell[24];
			snprintf(cell, sizeof(cell), "%s%s", site[0] ? site : "-",
				 s == 5 && a->conn[LAB_SIP].deferrals ? "*" : "");
			fprintf(out, " %-8s", cell);
		}
		fmt_time(ha, sizeof(ha), a->conn[LAB_SIP].ha_t - st[2], a->conn[LAB_SIP].ha_switches);
		fmt_time(det, sizeof(det), a->conn[LAB_SIP].lost_t - st[3], a->conn[LAB_SIP].lost_t > 0);
		fmt_time(sw, sizeof(sw), a->conn[LAB_SIP].switch_t - st[3],
			 a->conn[LAB_SIP].switchovers);
		fmt_time(re, sizeof(re), a->conn[LAB_SIP].restore_t - st[5], a->conn[LAB_SIP].restores);
		fprintf(out, " %7s %7s %10s %8s\n", ha, det, sw, re);
	}
	fprintf(out,
		"  HA: from the kill of SIP_X to the ha-switch (probe budget %.3g s)\n"
		"  detect: from SiteX going silent to connection-lost; switchover: to the "
		"switchover (timeout %g s + random delay 0..%g s included)\n"
		"  restore: from SiteX answering again to the restore (hold-down %g s included)\n",
		lab_probe_budget(lab), lab->dr_timeout, lab->random_range, lab->hold_down);
	if (lab->n_agents && lab->agents[0].calls)
		fprintf(out, "  * %s was on the call at step 5: its restore waited for the call "
			     "to end (%.3f s after the hang-up)\n",
			lab->agents[0].name,
			lab->agents[0].conn[LAB_SIP].restore_t - lab->agents[0].call_end_t);
	fprintf(out, "\n");
}
