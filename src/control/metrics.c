/* GET /metrics: the Prometheus text exposition format 0.0.4 of the
 * driver's counters (dualsite/view.h). Labels are bounded: kinds, sites,
 * servers, proxies, states, reasons; never an agent's name, so 10,000
 * agents are the same few dozen series as two. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <dirent.h>
#include <unistd.h>
#include "control_priv.h"

/* A label value: backslash, double quote and line feed escaped. */
static void lv(struct ds_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			ds_buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			ds_buf_puts(b, "\\n");
		else
			ds_buf_put(b, s, 1);
	}
}

static void head(struct ds_buf *b, const char *name, const char *type, const char *help)
{
	ds_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static const char *site_name(const struct ds_net_counters *c, size_t i)
{
	return i < c->n_sites ? c->site[i] : "";
}

static bool kind_used(const struct ds_net_counters *c, int k)
{
	for (size_t s = 0; s <= c->n_sites; s++)
		for (int st = 0; st < 3; st++)
			if (c->agents[k][s][st])
				return true;
	return false;
}

static void agents(struct ds_buf *b, const struct ds_net_counters *c)
{
	head(b, "dualsite_agents", "gauge", "Agents' connections per kind, site and state "
	     "(site \"\" when out of service).");
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		if (!kind_used(c, k))
			continue;
		for (size_t s = 0; s <= c->n_sites; s++)
			for (int st = 0; st < 3; st++) {
				/* out of service has no site, and no site is out of service */
				if ((s == c->n_sites) != (st == DS_CONN_OUT_OF_SERVICE))
					continue;
				ds_buf_printf(b, "dualsite_agents{kind=\"%s\",site=\"",
					      ds_kind_name((enum ds_kind)k));
				lv(b, site_name(c, s));
				ds_buf_printf(b, "\",state=\"%s\"} %u\n",
					      ds_conn_state_name((enum ds_conn_state)st),
					      c->agents[k][s][st]);
			}
	}
}

static void registrations(struct ds_buf *b, const struct ds_net_counters *c)
{
	head(b, "dualsite_registrations", "gauge",
	     "Agents' registrations per proxy, site and state.");
	for (int p = 0; p < 2; p++)
		for (size_t s = 0; s < c->n_sites; s++) {
			if (!c->reg_site[p][s])
				continue;
			for (int st = 0; st < 3; st++) {
				ds_buf_printf(b, "dualsite_registrations{proxy=\"%d\",site=\"", p);
				lv(b, c->site[s]);
				ds_buf_printf(b, "\",state=\"%s\"} %u\n",
					      ds_reg_state_name((enum ds_reg_state)st),
					      c->regs[p][s][st]);
			}
		}
}

static void servers(struct ds_buf *b, struct ds_net *n)
{
	size_t ns = ds_view_n_servers(n);

	head(b, "dualsite_server_up", "gauge",
	     "1 when the server answers its probes (0 when down or not answered yet).");
	for (size_t i = 0; i < ns; i++) {
		struct ds_server_view v;

		ds_view_server(n, i, &v);
		ds_buf_puts(b, "dualsite_server_up{server=\"");
		lv(b, v.name);
		ds_buf_printf(b, "\",kind=\"%s\",site=\"", ds_kind_name(v.kind));
		lv(b, v.site);
		ds_buf_printf(b, "\"} %d\n", v.state == DS_SRV_UP);
	}
	head(b, "dualsite_probe_rtt_seconds", "histogram",
	     "Round trip of answered health probes (SIP OPTIONS or TCP connect).");
	for (size_t i = 0; i < ns; i++) {
		const struct ds_rtt_hist *h = ds_view_server_rtt(n, i);
		struct ds_server_view v;
		uint64_t cum = 0;

		ds_view_server(n, i, &v);
		for (int k = 0; k <= DS_RTT_BUCKETS; k++) {
			cum += h->bucket[k];
			ds_buf_puts(b, "dualsite_probe_rtt_seconds_bucket{server=\"");
			lv(b, v.name);
			if (k < DS_RTT_BUCKETS)
				ds_buf_printf(b, "\",le=\"%g\"} %llu\n", ds_rtt_bucket_le[k],
					      (unsigned long long)cum);
			else
				ds_buf_printf(b, "\",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
		}
		ds_buf_puts(b, "dualsite_probe_rtt_seconds_sum{server=\"");
		lv(b, v.name);
		ds_buf_printf(b, "\"} %.6f\n", h->sum);
		ds_buf_puts(b, "dualsite_probe_rtt_seconds_count{server=\"");
		lv(b, v.name);
		ds_buf_printf(b, "\"} %llu\n", (unsigned long long)h->count);
	}
}

static void moves(struct ds_buf *b, const struct ds_net_counters *c)
{
	static const char *const sw[DS_SW_N] = {"server-loss", "phone-loss", "manual", "drain"};
	static const char *const rs[DS_RS_N] = {"auto-restore", "manual"};
	static const char *const ra[DS_RA_N] = {"ok", "timeout", "rejected", "tls", "dns"};

	head(b, "dualsite_switchovers_total", "counter", "Switchovers per kind and reason.");
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		if (!kind_used(c, k))
			continue;
		for (int r = 0; r < DS_SW_N; r++)
			ds_buf_printf(b, "dualsite_switchovers_total{kind=\"%s\",reason=\"%s\"} %llu\n",
				      ds_kind_name((enum ds_kind)k), sw[r],
				      (unsigned long long)c->switchovers[k][r]);
	}
	head(b, "dualsite_restores_total", "counter", "Restores per kind and reason.");
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		if (!kind_used(c, k))
			continue;
		for (int r = 0; r < DS_RS_N; r++)
			ds_buf_printf(b, "dualsite_restores_total{kind=\"%s\",reason=\"%s\"} %llu\n",
				      ds_kind_name((enum ds_kind)k), rs[r],
				      (unsigned long long)c->restores[k][r]);
	}
	head(b, "dualsite_register_attempts_total", "counter",
	     "REGISTER attempts per proxy and result.");
	for (int p = 0; p < 2; p++)
		for (int r = 0; r < DS_RA_N; r++)
			ds_buf_printf(b, "dualsite_register_attempts_total{proxy=\"%d\",result=\"%s\"} "
				      "%llu\n", p, ra[r], (unsigned long long)c->reg_attempts[p][r]);
	head(b, "dualsite_calls_active", "gauge", "Calls in progress.");
	ds_buf_printf(b, "dualsite_calls_active %u\n", c->calls_active);
	head(b, "dualsite_calls_total", "counter", "Calls taken, per site they came through.");
	for (size_t s = 0; s < c->n_sites; s++) {
		ds_buf_puts(b, "dualsite_calls_total{site=\"");
		lv(b, c->site[s]);
		ds_buf_printf(b, "\"} %llu\n", (unsigned long long)c->calls_total[s]);
	}
	head(b, "dualsite_rtp_packets_total", "counter",
	     "RTP packets of calls, per direction (received from callers, sent: echoed back).");
	ds_buf_printf(b, "dualsite_rtp_packets_total{direction=\"received\"} %llu\n",
		      (unsigned long long)c->rtp_received);
	ds_buf_printf(b, "dualsite_rtp_packets_total{direction=\"sent\"} %llu\n",
		      (unsigned long long)c->rtp_sent);
}

static long open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;   /* the one opendir holds */
}

static void process(struct ds_buf *b, const struct ds_net_counters *c)
{
	struct rusage ru;
	struct rlimit rl;
	long pages_total = 0, pages_res = 0, fds = open_fds();
	FILE *f = fopen("/proc/self/statm", "r");
	long page = sysconf(_SC_PAGESIZE);

	if (f) {
		if (fscanf(f, "%ld %ld", &pages_total, &pages_res) != 2)
			pages_total = pages_res = 0;
		fclose(f);
	}
	getrusage(RUSAGE_SELF, &ru);
	head(b, "process_cpu_seconds_total", "counter", "User and system CPU time spent.");
	ds_buf_printf(b, "process_cpu_seconds_total %.3f\n",
		      (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		      (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	head(b, "process_resident_memory_bytes", "gauge", "Resident memory size.");
	ds_buf_printf(b, "process_resident_memory_bytes %ld\n", pages_res * page);
	head(b, "process_virtual_memory_bytes", "gauge", "Virtual memory size.");
	ds_buf_printf(b, "process_virtual_memory_bytes %ld\n", pages_total * page);
	if (fds >= 0) {
		head(b, "process_open_fds", "gauge", "Open file descriptors.");
		ds_buf_printf(b, "process_open_fds %ld\n", fds);
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		head(b, "process_max_fds", "gauge", "Limit of open file descriptors.");
		ds_buf_printf(b, "process_max_fds %llu\n", (unsigned long long)rl.rlim_cur);
	}
	head(b, "process_start_time_seconds", "gauge",
	     "Start time of the process since the epoch, in seconds.");
	ds_buf_printf(b, "process_start_time_seconds %.3f\n", c->start_time);
}

void ds_ctl_metrics(struct ds_control *c, struct ctl_resp *rs)
{
	const struct ds_net_counters *ctr = ds_view_counters(c->net);

	rs->status = 200;
	rs->ctype = "text/plain; version=0.0.4; charset=utf-8";
	agents(&rs->body, ctr);
	registrations(&rs->body, ctr);
	servers(&rs->body, c->net);
	moves(&rs->body, ctr);
	process(&rs->body, ctr);
}
