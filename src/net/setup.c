/* Building the driver: agents from the configuration (options, engine conf,
 * password, transport, SBC), the table of servers they use, the SIP stack.
 * Everything that can fail for one agent is reported as a diagnostic on
 * that agent, so one run names every problem at once. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include "net_priv.h"
#include "sipmsg.h"

/* Without --listen: this port, or the next free one of so many above it. */
enum { DS_SIP_PORT = 5060, DS_SIP_PORT_TRIES = 100 };

static const char *person_path(const struct ds_person *p, char *buf, size_t sz)
{
	snprintf(buf, sz, "persons/%s", p->name);
	return buf;
}

static enum sip_transp transport_of(const struct ds_value *v)
{
	const char *name;

	if (!v->set)
		return SIP_TRANSP_UDP;
	name = ds_option_defs[DS_OPT_TRANSPORT].enums[v->v.e];
	if (!strcasecmp(name, "TCP"))
		return SIP_TRANSP_TCP;
	if (!strcasecmp(name, "TLS"))
		return SIP_TRANSP_TLS;
	return SIP_TRANSP_UDP;
}

void ds_agent_free(struct net_agent *ag)
{
	if (!ag)
		return;
	if (ag->net) {
		ds_timer_cancel(&ag->net->timers, &ag->tmr);
		if (ag->call)
			ds_call_drop(ag);
		for (int i = 0; i < 2; i++)
			ds_binding_close(&ag->bind[i]);
	}
	ds_engine_free(ag->eng);
	ag->eng = NULL;
	if (ag->password) {
		memset(ag->password, 0, strlen(ag->password));
		ag->password = mem_deref(ag->password);
	}
	free(ag);
}

/* (ag->tmr, initialised by the caller, is left as it is) */
int ds_agent_enroll(struct ds_net *n, struct net_agent *ag)
{
	int err;

	if (n->n_ids == n->cap_ids) {
		size_t cap = n->cap_ids ? 2 * n->cap_ids : 64;
		struct net_agent **v = realloc(n->by_id, cap * sizeof(*v));
		if (!v)
			return ENOMEM;
		n->by_id = v;
		n->cap_ids = cap;
	}
	/* one wake-up per agent and one timeout per binding: the heap never
	 * grows while timers are started */
	err = ds_timers_reserve(&n->timers, (uint32_t)(3 * (n->n_ids + 1) + 16));
	if (err)
		return err;
	for (int i = 0; i < 2; i++) {
		err = ds_binding_init(&ag->bind[i], ag, i);
		if (err)
			return err;
	}
	ag->net = n;
	ag->index = (uint32_t)n->n_ids;
	n->by_id[n->n_ids++] = ag;
	return 0;
}

int ds_agent_setup(struct ds_net *n, const struct ds_config *cfg, struct net_agent *ag,
		   const struct ds_person *p, struct ds_diags *diags)
{
	struct ds_effective eff;
	char path[256], pw[512];
	const struct ds_value *tv;
	int err;

	ag->net = n;
	ag->p = p;
	ds_timer_init(&ag->tmr);
	person_path(p, path, sizeof(path));

	ds_options_resolve(cfg, p, &eff);
	if (ds_agent_build(cfg, p, &eff, &ag->conf)) {
		ds_diag_add(diags, DS_SEV_ERROR, &p->loc, path,
			    "agent '%s' cannot run: its sites or servers are incomplete "
			    "(`dualsite validate` says why)", p->name);
		return EINVAL;
	}
	ag->conf.servers_unknown = true; /* until each answers a probe */
	if (!p->sip_user || !*p->sip_user) {
		ds_diag_add(diags, DS_SEV_ERROR, &p->loc, path,
			    "agent '%s' has no SIP user; expected `sip: {user: \"7001\", "
			    "password-env: NAME}`", p->name);
		return EINVAL;
	}
	/* validation refuses it first (docs/behaviour.md §2.3 rule 13); this keeps
	 * a CR, LF or '<' out of To, From and Contact for any other caller */
	if (!ds_sip_user_ok(p->sip_user)) {
		ds_diag_add(diags, DS_SEV_ERROR, &p->sip_user_loc, path,
			    "agent '%s': its SIP user is not a SIP user part (RFC 3261); "
			    "`dualsite validate` says why", p->name);
		return EINVAL;
	}
	if (p->pw_source == DS_PW_NONE) {
		ds_diag_add(diags, DS_SEV_ERROR, &p->loc, path,
			    "agent '%s' has no SIP password; `run` needs one to answer "
			    "digest challenges: set sip/password-env or sip/password-file",
			    p->name);
		return EINVAL;
	}
	err = ds_person_password(p, pw, sizeof(pw), diags);
	if (err)
		return err;
	err = str_dup(&ag->password, pw);
	memset(pw, 0, sizeof(pw));
	if (err)
		return err;

	tv = &eff.v[DS_OPT_TRANSPORT];
	ag->tp = transport_of(tv);

	for (int i = 0; i < 2; i++) {
		const struct ds_value *a = &eff.v[i ? DS_OPT_SBC_ADDRESS_PEER : DS_OPT_SBC_ADDRESS];
		const struct ds_value *pt = &eff.v[i ? DS_OPT_SBC_PORT_PEER : DS_OPT_SBC_PORT];

		/* recorded only: n->sbcs takes it in the loop (ds_sbc_attach_all),
		 * and a name is looked up by dns.c, once for every agent that
		 * names it */
		ag->sbc[i] = -1;
		ag->sbc_port[i] = pt->set ? (uint16_t)lround(pt->v.d) : 0;
		ag->sbc_port_set[i] = pt->set;
		ag->sbc_host[i] = a->set && a->v.s ? a->v.s : NULL;
	}
	ag->answer_delay_ms = eff.v[DS_OPT_ANSWER_DELAY].set ?
		(int64_t)llround(eff.v[DS_OPT_ANSWER_DELAY].v.d * 1000.0) : 1000;

	return 0;
}

/* The servers the agents use, each once: a fresh table (state unknown),
 * with the map from the configuration's server indexes. */
int ds_servers_build(struct ds_net *n, struct net_server **out, size_t *count, int **index)
{
	const struct ds_config *cfg = n->cfg;
	struct net_server *servers;
	int *srv_index;
	size_t cnt = 0;

	*out = NULL;
	*count = 0;
	*index = NULL;
	srv_index = malloc((cfg->n_servers ? cfg->n_servers : 1) * sizeof(int));
	if (!srv_index)
		return ENOMEM;
	for (size_t i = 0; i < cfg->n_servers; i++)
		srv_index[i] = -1;
	for (size_t a = 0; a < n->n_agents; a++)
		for (int s = 0; s < DS_SLOT_COUNT; s++) {
			int id = n->agents[a]->conf.server_id[s];
			if (id >= 0 && srv_index[id] < 0)
				srv_index[id] = (int)cnt++;
		}
	servers = calloc(cnt ? cnt : 1, sizeof(*servers));
	if (!servers) {
		free(srv_index);
		return ENOMEM;
	}

	for (size_t i = 0; i < cfg->n_servers; i++) {
		const struct ds_server *s = &cfg->servers[i];
		struct net_server *ns;

		if (srv_index[i] < 0)
			continue;
		ns = &servers[srv_index[i]];
		ns->s = s;
		ds_health_init(&ns->health);
		ns->health.up = false;   /* unknown until its first answer */
		ns->rtt_us = -1;
		/* a name is looked up by dns.c, in the loop */
		if (sa_set_str(&ns->addr, s->host, s->port)) {
			ns->named = true;
			sa_init(&ns->addr, sa_af(&n->laddr));
		}
		if (s->kind != DS_KIND_SIP) {
			ns->probe_tcp = true;
		}
		else if (s->transports & DS_TP_UDP || !s->transports) {
			ns->probe_tp = SIP_TRANSP_UDP;
		}
		else if (s->transports & DS_TP_TCP) {
			ns->probe_tp = SIP_TRANSP_TCP;
		}
		else {
			/* TLS only: OPTIONS over TLS, verified as REGISTERs are */
			ns->probe_tp = SIP_TRANSP_TLS;
		}
	}
	*out = servers;
	*count = cnt;
	*index = srv_index;
	return 0;
}

void ds_servers_free(struct net_server *s, size_t count)
{
	for (size_t i = 0; s && i < count; i++) {
		free(s[i].agents);
		ds_dname_free(&s[i].dn);
	}
	free(s);
}

int ds_servers_index_agents(struct ds_net *n)
{
	/* agents per server (two passes: count, then fill) */
	for (size_t i = 0; i < n->n_servers; i++)
		n->servers[i].n_agents = 0;
	for (size_t a = 0; a < n->n_agents; a++)
		for (int s = 0; s < DS_SLOT_COUNT; s++) {
			int id = n->agents[a]->conf.server_id[s];
			if (id >= 0)
				n->servers[n->srv_index[id]].n_agents++;
		}
	for (size_t i = 0; i < n->n_servers; i++) {
		free(n->servers[i].agents);
		n->servers[i].agents = calloc(n->servers[i].n_agents + 1, sizeof(uint32_t));
		if (!n->servers[i].agents)
			return ENOMEM;
		n->servers[i].n_agents = 0;
	}
	for (size_t a = 0; a < n->n_agents; a++)
		for (int s = 0; s < DS_SLOT_COUNT; s++) {
			int id = n->agents[a]->conf.server_id[s];
			struct net_server *ns;
			if (id < 0)
				continue;
			ns = &n->servers[n->srv_index[id]];
			/* agents are filled in order: one agent once per server,
			 * even when two of its slots name it */
			if (ns->n_agents && ns->agents[ns->n_agents - 1] == (uint32_t)a)
				continue;
			ns->agents[ns->n_agents++] = (uint32_t)a;
		}
	return 0;
}

/* The addresses a wildcard stands for: libre 1.1.0's SIP transports take
 * no wildcard (sip_transp_add() wants an address), so "every interface" is
 * one transport per interface address of the family. Requests without a
 * socket of their own leave from the first transport of the family, so
 * the interfaces that route come first and loopback last. */
struct if_addrs {
	struct sa a[32];
	size_t n;
	int af;
	bool loopback;   /* this pass takes loopback addresses */
};

static bool if_addr_h(const char *ifname, const struct sa *sa, void *arg)
{
	struct if_addrs *l = arg;
	(void)ifname;

	if (sa_af(sa) != l->af || sa_is_linklocal(sa) || sa_is_loopback(sa) != l->loopback)
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (sa_cmp(&l->a[i], sa, SA_ADDR))
			return false;
	if (l->n < sizeof(l->a) / sizeof(l->a[0]))
		l->a[l->n++] = *sa;
	return false;
}

static int listen_addrs(const struct sa *want, struct if_addrs *l)
{
	memset(l, 0, sizeof(*l));
	l->af = sa_af(want);
	if (!sa_is_any(want)) {
		l->a[l->n++] = *want;
		return 0;
	}
	(void)net_getifaddrs(if_addr_h, l);
	l->loopback = true;
	(void)net_getifaddrs(if_addr_h, l);
	return l->n ? 0 : EADDRNOTAVAIL;
}

/* UDP and TCP on each listen address, one port for all; an ephemeral port
 * is drawn by the first UDP bind and taken for the rest (retried when one
 * finds it in use). With no --listen, port 5060 or the next free port
 * above it. The TCP listeners are tcpfront.c's; libre's TCP transport
 * (which our REGISTERs over TCP use, and tcpfront.c passes what it took
 * on to) listens on loopback only, one per address family. */
static int stack_setup(struct ds_net *n, const struct sa *want0)
{
	struct sa want = *want0;
	struct if_addrs l;
	int err = 0;

	err = sip_alloc(&n->sip, NULL, 16384, 16384, 4096, "dualsite", NULL, NULL);
	if (err)
		return err;
	err = sip_alloc(&n->probe_sip, NULL, 256, 16, 64, "dualsite", NULL, NULL);
	if (!err)
		err = ds_tcpfront_alloc(n);
	if (err)
		return err;
	err = listen_addrs(&want, &l);
	if (err)
		return err;

	for (int attempt = 0; attempt < 16 + DS_SIP_PORT_TRIES; attempt++) {
		uint16_t port = sa_port(&want);

		for (size_t i = 0; !err && i < l.n; i++) {
			struct sa a = l.a[i];
			sa_set_port(&a, port);
			err = sip_transp_add(n->sip, SIP_TRANSP_UDP, &a);
			if (!err && !port) {
				err = sip_transp_laddr(n->sip, &a, SIP_TRANSP_UDP, &a);
				port = sa_port(&a);
			}
		}
		for (size_t i = 0; !err && i < l.n; i++) {
			struct sa a = l.a[i];
			sa_set_port(&a, port);
			err = ds_tcpfront_listen(n, &a);
		}
		for (int af = 0; !err && af < 2; af++) {
			for (size_t i = 0; i < l.n; i++) {
				if (sa_af(&l.a[i]) == (af ? AF_INET6 : AF_INET)) {
					err = ds_tcpfront_inner(n, sa_af(&l.a[i]));
					break;
				}
			}
		}
		if (!err) {
			n->laddr = want;
			sa_set_port(&n->laddr, port);
			break;
		}
		sip_transp_flush(n->sip);
		ds_tcpfront_flush(n);
		if (err != EADDRINUSE)
			return err;
		if (!n->nc.listen && sa_port(&want) < DS_SIP_PORT + DS_SIP_PORT_TRIES - 1)
			sa_set_port(&want, (uint16_t)(sa_port(&want) + 1));
		else if (sa_port(&want))
			return err;
		err = 0;
	}
	if (err)
		return err;
	if (!sa_port(&n->laddr))
		return EADDRINUSE;

	/* the probes' stack: the same (first) address, ephemeral ports; UDP
	 * probes on a socket of their own, which takes a wildcard */
	struct sa paddr = n->laddr;
	sa_set_port(&paddr, 0);
	struct sa pudp;
	err = ds_probe_sock_open(n, &paddr);
	pudp = n->probe_laddr;
	paddr = l.a[0];
	sa_set_port(&paddr, 0);
	if (!err)
		err = sip_transp_add(n->probe_sip, SIP_TRANSP_TCP, &paddr);
	if (!err)
		err = ds_tls_transp_add(n, n->probe_sip, &paddr);
	if (!err)
		err = ds_tls_transp_add(n, n->sip, &l.a[0]);
	if (err)
		return err;
	/* not fatal: without them a burst may drop datagrams, as said */
	(void)ds_sockbuf_raise(n, &n->laddr, "SIP", DS_SIP_RCVBUF, DS_SIP_SNDBUF);
	(void)ds_sockbuf_raise(n, &pudp, "probe", DS_PROBE_RCVBUF, DS_PROBE_SNDBUF);
	return 0;
}

int ds_net_alloc(struct ds_net **np, const struct ds_config *cfg,
		 const struct ds_person *const *persons, size_t count,
		 const struct ds_net_conf *nc, struct ds_diags *diags)
{
	struct ds_net *n;
	struct sa want;
	struct rlimit rl;
	size_t errors0 = diags->errors;
	int err = 0;

	if (!np || !cfg || (!persons && count) || !nc)
		return EINVAL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return ENOMEM;
	n->cfg = cfg;
	n->nc = *nc;
	ds_evout_init(&n->evout, nc->events);
	ds_probe_conf_get(cfg, &n->pc);
	if (n->pc.failures == 0)
		n->pc.failures = 1;
	tmr_init(&n->probe_tmr);
	tmr_init(&n->stop_tmr);
	tmr_init(&n->stop_step_tmr);
	tmr_init(&n->stop_deadline_tmr);
	tmr_init(&n->reap_tmr);
	list_init(&n->rounds);
	list_init(&n->retiring);
	ds_timers_init(&n->timers);

	if (ds_sipmsg_parse_listen(nc->listen ? nc->listen : "0.0.0.0", &want)) {
		ds_log(NULL, "--listen '%s' is not a listen address; expected ADDR[:PORT], "
		       "e.g. 0.0.0.0:5070, 127.0.0.1:5070 or [::]:5070", nc->listen);
		err = EINVAL;
		goto out;
	}
	if (!nc->listen)
		sa_set_port(&want, DS_SIP_PORT);
	sa_init(&n->advertise, AF_UNSPEC);
	if (nc->advertise && (ds_net_advertise_check(nc->advertise) ||
			      ds_sipmsg_parse_listen(nc->advertise, &n->advertise))) {
		ds_log(NULL, "--advertise '%s' is not an address to advertise; expected "
		       "HOST[:PORT] with a numeric, non-wildcard address, e.g. "
		       "203.0.113.7:5060", nc->advertise);
		err = EINVAL;
		goto out;
	}
	n->laddr = want;

	/* room for one TCP connection per server and one RTP/RTCP socket pair per call */
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rlim_t need = 4096 + 2 * (rlim_t)count;
		if (rl.rlim_cur < need && rl.rlim_max > rl.rlim_cur) {
			rl.rlim_cur = need < rl.rlim_max ? need : rl.rlim_max;
			(void)setrlimit(RLIMIT_NOFILE, &rl);
		}
		(void)fd_setsize((int)(rl.rlim_cur > 1048576 ? 1048576 : rl.rlim_cur));
	}

	n->agents = calloc(count ? count : 1, sizeof(*n->agents));
	if (!n->agents) {
		err = ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		struct net_agent *ag = calloc(1, sizeof(*ag));
		int e = ENOMEM;

		if (ag) {
			ds_timer_init(&ag->tmr);
			n->agents[n->n_agents++] = ag;
			e = ds_agent_enroll(n, ag);
		}
		if (!e)
			e = ds_agent_setup(n, cfg, ag, persons[i], diags);
		if (e && !err)
			err = e;
		if (err == ENOMEM)
			goto out;
	}
	if (err || diags->errors > errors0) {
		err = err ? err : EINVAL;
		goto out;
	}
	err = ds_servers_build(n, &n->servers, &n->n_servers, &n->srv_index);
	if (!err)
		err = ds_servers_index_agents(n);
	if (!err)
		err = ds_sbc_attach_all(n);
	if (!err)
		err = ds_dns_setup(n);
	if (!err)
		err = ds_tls_setup(n);
	if (err)
		goto out;

	err = stack_setup(n, &want);
	if (err) {
		ds_log(NULL, "cannot listen for SIP on %J (udp and tcp): %m; expected a "
		       "free port (--listen ADDR:PORT) or none for an ephemeral one",
		       &want, err);
		goto out;
	}
	err = ds_uas_listen(n);
	if (!err)
		err = ds_call_listen(n);
	if (!err)
		err = ds_reg_listen(n);
	if (!err)
		err = ds_probe_listen(n);
	if (err)
		goto out;

	/* two agents with one SIP user could not tell their INVITEs apart; validation
	 * stops such a run first (validate/users.c): this guards other callers */
	for (size_t i = 1; i < count; i++) {
		const struct ds_person *a = n->by_user[i - 1]->p, *b = n->by_user[i]->p;
		if (!strcmp(a->sip_user, b->sip_user)) {
			char path[256];
			ds_diag_add(diags, DS_SEV_ERROR, &b->loc, person_path(b, path, sizeof(path)),
				    "agents '%s' and '%s' share SIP user '%s'; expected one "
				    "SIP user per agent in one `run`", a->name, b->name,
				    b->sip_user);
			err = EINVAL;
		}
	}

 out:
	if (err)
		ds_net_free(n);
	else
		*np = n;
	return err;
}

int ds_net_listen_check(const char *s)
{
	struct sa sa;

	return ds_sipmsg_parse_listen(s, &sa);
}

int ds_net_advertise_check(const char *s)
{
	struct sa sa;

	if (ds_sipmsg_parse_listen(s, &sa))
		return EINVAL;
	return sa_is_any(&sa) ? EINVAL : 0;
}

void ds_net_free(struct ds_net *n)
{
	if (!n)
		return;
	ds_reload_close(n);   /* first: a reload's worker reads the agents */
	ds_probe_stop(n);
	ds_dns_stop(n);
	ds_tls_close(n);
	tmr_cancel(&n->stop_tmr);
	tmr_cancel(&n->stop_step_tmr);
	tmr_cancel(&n->stop_deadline_tmr);
	for (size_t i = 0; i < n->n_agents; i++)
		ds_agent_free(n->agents[i]);
	ds_timers_close(&n->timers);
	n->sess_sock = mem_deref(n->sess_sock);
	n->lsnr = mem_deref(n->lsnr);
	n->reg_lsnr = mem_deref(n->reg_lsnr);
	n->probe_lsnr = mem_deref(n->probe_lsnr);   /* kept across probe restarts */
	ds_tcpfront_close(n);
	ds_uas_close(n);
	if (n->sip) {
		sip_close(n->sip, true);
		n->sip = mem_deref(n->sip);
	}
	n->probe_us = mem_deref(n->probe_us);
	if (n->probe_sip) {
		sip_close(n->probe_sip, true);
		n->probe_sip = mem_deref(n->probe_sip);
	}
	ds_evout_close(n);   /* the last events, before the process exits */
	ds_servers_free(n->servers, n->n_servers);
	for (size_t i = 0; i < n->n_sbcs; i++) {
		ds_dname_free(&n->sbcs[i].dn);
		free(n->sbcs[i].host);
	}
	free(n->sbcs);
	free(n->srv_index);
	free(n->by_id);
	for (size_t i = 0; i < DS_VIEW_MAX_SITES; i++)
		free(n->site_own[i]);
	ds_config_free(n->cfg_own);   /* last: the agents pointed into it */
	free(n->local);
	free(n->by_user);
	free(n->agents);
	free(n->line);
	free(n);
}
