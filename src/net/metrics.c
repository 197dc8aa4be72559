/* The counters behind GET /metrics, kept where things happen: events
 * (switchovers, restores, calls), engine inputs (REGISTER results), probe
 * answers (round trips), and after every engine input the agent's own
 * connections and registrations, moved from where it was counted to where
 * it is now. A scrape reads them; nothing walks the agents. */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include "net_priv.h"

const double ds_rtt_bucket_le[DS_RTT_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
};

enum { NOT_COUNTED = 0xff };

static uint8_t site_index(struct ds_net_counters *c, const char *site)
{
	if (!site)
		return (uint8_t)c->n_sites;   /* filled in below: "no site" */
	for (size_t i = 0; i < c->n_sites; i++)
		if (!strcmp(c->site[i], site))
			return (uint8_t)i;
	if (c->n_sites == DS_VIEW_MAX_SITES)
		return DS_VIEW_MAX_SITES;     /* beyond the table: counted as none */
	c->site[c->n_sites] = site;
	return (uint8_t)c->n_sites++;
}

void ds_metrics_init(struct ds_net *n)
{
	struct ds_net_counters *c = &n->ctr;
	struct timeval tv;

	memset(c, 0, sizeof(*c));
	gettimeofday(&tv, NULL);
	c->start_time = (double)tv.tv_sec + tv.tv_usec / 1e6;
	for (size_t i = 0; i < n->n_servers; i++)
		if (n->servers[i].s->site)
			(void)site_index(c, n->servers[i].s->site);
	for (size_t a = 0; a < n->n_agents; a++)
		ds_metrics_agent_init(n, n->agents[a]);
}

void ds_metrics_agent_init(struct ds_net *n, struct net_agent *ag)
{
	struct ds_net_counters *c = &n->ctr;

	for (int s = 0; s < 2; s++) {
		ag->site_idx[s] = ag->conf.site_name[s]
				  ? site_index(c, ag->conf.site_name[s]) : DS_VIEW_MAX_SITES;
		if (ag->site_idx[s] >= c->n_sites)
			ag->site_idx[s] = DS_VIEW_MAX_SITES;
		else if (ag->conf.reg_expires[s])
			c->reg_site[s][ag->site_idx[s]] = true;
	}
	memset(ag->conn_key, NOT_COUNTED, sizeof(ag->conn_key));
	memset(ag->reg_key, NOT_COUNTED, sizeof(ag->reg_key));
}

void ds_metrics_agent_drop(struct ds_net *n, struct net_agent *ag)
{
	struct ds_net_counters *c = &n->ctr;

	for (int k = 0; k < DS_KIND_COUNT; k++)
		if (ag->conn_key[k] != NOT_COUNTED)
			c->agents[k][ag->conn_key[k] / 4][ag->conn_key[k] % 4]--;
	for (int p = 0; p < 2; p++)
		if (ag->reg_key[p] != NOT_COUNTED)
			c->regs[p][ag->reg_key[p] / 4][ag->reg_key[p] % 4]--;
	memset(ag->conn_key, NOT_COUNTED, sizeof(ag->conn_key));
	memset(ag->reg_key, NOT_COUNTED, sizeof(ag->reg_key));
}

/* The counters' site index of the agent's site 0/1 (n_sites: none). */
static size_t idx(const struct ds_net *n, const struct net_agent *ag, int site)
{
	if ((site != 0 && site != 1) || ag->site_idx[site] >= n->ctr.n_sites)
		return n->ctr.n_sites;
	return ag->site_idx[site];
}

void ds_metrics_agent(struct ds_net *n, struct net_agent *ag)
{
	struct ds_net_counters *c = &n->ctr;

	if (!ag->eng)
		return;
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		struct ds_conn_view v;
		uint8_t key;

		if (!ag->conf.kind_connected[k])
			continue;
		ds_engine_conn(ag->eng, (enum ds_kind)k, &v);
		key = (uint8_t)(idx(n, ag, v.state == DS_CONN_OUT_OF_SERVICE ? -1 : v.site) * 4 +
				v.state);
		if (key == ag->conn_key[k])
			continue;
		if (ag->conn_key[k] != NOT_COUNTED)
			c->agents[k][ag->conn_key[k] / 4][ag->conn_key[k] % 4]--;
		c->agents[k][key / 4][key % 4]++;
		ag->conn_key[k] = key;
	}
	for (int p = 0; p < 2; p++) {
		struct ds_reg_view r;
		uint8_t key;

		if (!ag->conf.reg_expires[p] || idx(n, ag, p) == c->n_sites)
			continue;
		ds_engine_reg(ag->eng, p, &r);
		key = (uint8_t)(idx(n, ag, p) * 4 + r.state);
		if (key == ag->reg_key[p])
			continue;
		if (ag->reg_key[p] != NOT_COUNTED)
			c->regs[p][ag->reg_key[p] / 4][ag->reg_key[p] % 4]--;
		c->regs[p][key / 4][key % 4]++;
		ag->reg_key[p] = key;
	}
}

void ds_metrics_event(struct ds_net *n, const struct net_agent *ag, const struct ds_event *ev)
{
	struct ds_net_counters *c = &n->ctr;
	int k = (int)ev->kind;

	switch (ev->type) {
	case DS_EV_SWITCHOVER:
		if (ev->reason == DS_R_SERVER_LOSS)
			c->switchovers[k][DS_SW_SERVER_LOSS]++;
		else if (ev->reason == DS_R_PHONE_LOSS)
			c->switchovers[k][DS_SW_PHONE_LOSS]++;
		else if (ev->reason == DS_R_MANUAL)
			c->switchovers[k][DS_SW_MANUAL]++;
		else if (ev->reason == DS_R_DRAIN)
			c->switchovers[k][DS_SW_DRAIN]++;
		break;
	case DS_EV_RESTORE:
		c->restores[k][ev->reason == DS_R_MANUAL ? DS_RS_MANUAL : DS_RS_AUTO]++;
		break;
	case DS_EV_CALL_START:
		c->calls_total[idx(n, ag, ev->site)]++;
		c->calls_active++;
		break;
	case DS_EV_CALL_END:
		if (c->calls_active)
			c->calls_active--;
		break;
	case DS_EV_CONNECTED:
	case DS_EV_HA_SWITCH:
	case DS_EV_CONNECTION_LOST:
	case DS_EV_RESTORE_DEFERRED:
	case DS_EV_OUT_OF_SERVICE:
	case DS_EV_REGISTERED:
	case DS_EV_REGISTRATION_LOST:
	case DS_EV_REGISTRATION_FAILED:
		break;
	}
}

void ds_metrics_input(struct ds_net *n, const struct ds_input *in)
{
	int p = in->proxy;

	if (p != 0 && p != 1)
		return;
	if (in->type == DS_IN_REG_OK)
		n->ctr.reg_attempts[p][DS_RA_OK]++;
	else if (in->type == DS_IN_REG_FAIL)
		n->ctr.reg_attempts[p][in->code ? DS_RA_REJECTED :
				       in->why == DS_R_DNS ? DS_RA_DNS :
				       in->why == DS_R_TLS ? DS_RA_TLS : DS_RA_TIMEOUT]++;
}

void ds_metrics_rtt(struct net_server *s, int64_t rtt_us)
{
	double v = (double)rtt_us / 1e6;
	size_t b = 0;

	while (b < DS_RTT_BUCKETS && v > ds_rtt_bucket_le[b])
		b++;
	s->rtt.bucket[b]++;
	s->rtt.sum += v;
	s->rtt.count++;
}

const struct ds_net_counters *ds_view_counters(const struct ds_net *n)
{
	return &n->ctr;
}

const struct ds_rtt_hist *ds_view_server_rtt(const struct ds_net *n, size_t i)
{
	return &n->servers[i].rtt;
}

/* "sip: SiteX 2 connected, SiteY 1 connected, 1 lost; out of service 0" */
static void summary_kind(const struct ds_net *n, int k, char *buf, size_t sz)
{
	const struct ds_net_counters *c = &n->ctr;
	size_t len = 0;

	for (size_t s = 0; s < c->n_sites && len < sz; s++)
		for (int st = DS_CONN_CONNECTED; st <= DS_CONN_LOST && len < sz; st++)
			if (c->agents[k][s][st]) {
				int w = snprintf(buf + len, sz - len, "%s%s %u %s",
						 len ? ", " : "", c->site[s], c->agents[k][s][st],
						 ds_conn_state_name((enum ds_conn_state)st));
				len += w > 0 ? (size_t)w : 0;
			}
	if (len < sz)
		snprintf(buf + len, sz - len, "%sout of service %u", len ? "; " : "",
			 c->agents[k][c->n_sites][DS_CONN_OUT_OF_SERVICE]);
}

void ds_metrics_summary(const struct ds_net *n)
{
	const struct ds_net_counters *c = &n->ctr;
	char line[512];
	size_t up = 0, len = 0;

	ds_log(n, "status: %zu agent%s, %u call%s active, %zu site%s drained", n->n_agents,
	       n->n_agents == 1 ? "" : "s", c->calls_active, c->calls_active == 1 ? "" : "s",
	       n->n_drained, n->n_drained == 1 ? "" : "s");
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		bool used = false;

		for (size_t a = 0; a < n->n_agents && !used; a++)
			used = n->agents[a]->conf.kind_connected[k];
		if (!used)
			continue;
		summary_kind(n, k, line, sizeof(line));
		ds_log(n, "status: %s: %s", ds_kind_name((enum ds_kind)k), line);
	}
	line[0] = '\0';
	for (size_t i = 0; i < n->n_servers; i++) {
		const struct net_server *s = &n->servers[i];
		bool is_up = s->health.up && s->last_ok_round > 0;
		int w;

		up += is_up;
		if (is_up || len >= sizeof(line))
			continue;
		w = snprintf(line + len, sizeof(line) - len, " %s", s->s->name);
		len += w > 0 ? (size_t)w : 0;
	}
	ds_log(n, "status: servers %zu of %zu up%s%s", up, n->n_servers,
	       up < n->n_servers ? "; not up:" : "", line);
}
