/* The lab's configuration (docs/behaviour.md §2): two sites, N agents, short timeouts
 * so that every step of the story is visible within seconds. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "lab.h"

static const char *const names[] = {
	"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
};

const char *lab_agent_name(unsigned i, char *buf, size_t sz)
{
	if (i < sizeof(names) / sizeof(names[0]))
		snprintf(buf, sz, "%s", names[i]);
	else
		snprintf(buf, sz, "agent%u", i + 1);
	return buf;
}

static void server(FILE *f, const char *name, const char *kind, uint16_t port,
		   const char *backup, const char *sw, const char *site)
{
	fprintf(f, "  %s:\n    kind: %s\n    host: 127.0.0.1\n    port: %u\n", name, kind, port);
	if (!strcmp(kind, "sip"))
		fprintf(f, "    transport: udp\n    switch: %s\n", sw);
	if (backup)
		fprintf(f, "    backup: %s\n", backup);
	fprintf(f, "    options: {interaction-workspace: {disaster-recovery.site: %s}}\n", site);
}

int lab_conf_write(struct lab *lab)
{
	FILE *f = fopen(lab->cfgpath, "w");
	if (!f)
		return errno;

	fprintf(f,
		"# dualsite lab: generated for this run (seed %llu); removed at the end.\n"
		"application:\n"
		"  name: Workspace\n"
		"  connections: [SIP_X, SIP_Y, STAT_X, STAT_Y, CONF_X, CONF_Y]\n"
		"  options:\n"
		"    interaction-workspace:\n"
		"      disaster-recovery.enabled: true\n"
		"      disaster-recovery.preferred-site: %s\n"
		"      disaster-recovery.peer-site: %s\n"
		"      disaster-recovery.timeout: %g\n"
		"      disaster-recovery.wait-for-sipphone-timeout: %g\n"
		"      disaster-recovery.auto-restore: true\n"
		"      sipendpoint.proxies.proxy0.reregister_in_seconds: 5\n"
		"      sipendpoint.proxies.proxy1.reregister_in_seconds: 5\n"
		"      sipendpoint.proxies.proxy0.reg_timeout: 60\n"
		"      sipendpoint.proxies.proxy1.reg_timeout: 60\n"
		"      dualsite.registration-mode: dual\n"
		"      dualsite.probe-interval: %g\n"
		"      dualsite.probe-timeout: %g\n"
		"      dualsite.probe-failures: %u\n"
		"      dualsite.register-timeout: %g\n"
		"      dualsite.restore-hold-down: %g\n"
		"      dualsite.restore-when-idle: true\n"
		"      dualsite.answer-delay: %g\n"
		"      dualsite.random-delay-range: %g\n"
		"      dualsite.binding-check-interval: %g\n"
		"servers:\n",
		(unsigned long long)lab->seed, LAB_SITE_X, LAB_SITE_Y, lab->dr_timeout,
		lab->dr_timeout, lab->probe_interval, lab->probe_timeout,
		lab->probe_failures, lab->reg_timeout, lab->hold_down, lab->answer_delay,
		lab->random_range, lab->binding_check);
	for (int i = 0; i < LAB_N_KAM; i++) {
		const struct lab_kam *k = &lab->kam[i];
		bool primary = i == LAB_SIP_X || i == LAB_SIP_Y;
		server(f, k->name, "sip", k->port, primary ? lab->kam[i + 1].name : NULL,
		       !strcmp(k->site, LAB_SITE_X) ? "SW_X" : "SW_Y", k->site);
	}
	for (int i = 0; i < LAB_N_STANDIN; i++) {
		const struct lab_standin *s = &lab->standin[i];
		server(f, s->name, s->kind, s->port, i % 2 == 0 ? lab->standin[i + 1].name : NULL,
		       NULL, s->site);
	}
	fprintf(f, "switches:\n  SW_X: {}\n  SW_Y: {}\n"
		   "tenants:\n  Environment: {}\n"
		   "agent-groups:\n  Lab:\n    tenant: Environment\n    members: [");
	for (unsigned i = 0; i < lab->n_agents; i++)
		fprintf(f, "%s%s", i ? ", " : "", lab->agents[i].name);
	fprintf(f, "]\nplaces:\n");
	for (unsigned i = 0; i < lab->n_agents; i++)
		fprintf(f, "  Place_%s:\n    dns:\n"
			   "      - {switch: SW_X, number: \"%s\"}\n"
			   "      - {switch: SW_Y, number: \"%s\"}\n",
			lab->agents[i].user, lab->agents[i].user, lab->agents[i].user);
	fprintf(f, "persons:\n");
	for (unsigned i = 0; i < lab->n_agents; i++)
		fprintf(f, "  %s:\n    tenant: Environment\n    place: Place_%s\n"
			   "    sip: {user: \"%s\", password-env: DUALSITE_LAB_PASSWORD}\n",
			lab->agents[i].name, lab->agents[i].user, lab->agents[i].user);
	int err = ferror(f) ? EIO : 0;
	if (fclose(f) && !err)
		err = errno;
	return err;
}
