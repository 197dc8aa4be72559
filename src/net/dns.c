/* Host names of servers and SBCs, looked up with libre's DNS client (dnsc)
 * without blocking the loop, and looked up again before their TTL ends.
 *
 * The name servers are the system's (/etc/resolv.conf, dns_srv_get). The
 * first look-ups of every name run before the first probe round, so a
 * server is never probed at an address it does not have yet. After that,
 * halfway through each answer's TTL (the smallest of the records that led
 * to the address, at least 1 s) the name is looked up again, so a working
 * DNS server refreshes the answer before it ends. A failed look-up keeps
 * the last good address until its TTL ends (said once in the log) and is
 * retried every second; when the TTL ends without a fresh answer, the name
 * has no address, and each probe and REGISTER meant for it fails at once
 * with the reason "dns: WHY" until a look-up answers.
 *
 * RFC 3263 SRV (a SIP server named without a port, an SBC address with port
 * 0): the targets in priority order, by weight within one priority (RFC
 * 2782, draws from the run's seed); the first is used until it fails (its
 * server declared down by the probes, a REGISTER through the SBC
 * unanswered), then the next. A fresh answer keeps the target in use if it
 * is still listed.
 *
 * An SBC address is looked up once for all the agents that name it (with
 * one port and transport): a fleet behind one SBC makes one query. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "net_priv.h"
#include "srvorder.h"

enum { DNS_MIN_TTL_MS = 1000, DNS_RETRY_MS = 1000, DNS_MAX_TARGETS = 16 };

static void lookup(struct net_dname *d);

static void dns_tmr_h(void *arg)
{
	lookup(arg);
}

static bool addr_h(struct dnsrr *rr, void *arg)
{
	struct dnsrr **first = arg;

	if (!*first)
		*first = rr;
	return false;
}

/* The smallest TTL of the records that led to the address. */
static bool ttl_h(struct dnsrr *rr, void *arg)
{
	int64_t *ttl = arg;

	if (rr->ttl < *ttl)
		*ttl = rr->ttl;
	return false;
}

static void initial_done(struct net_dname *d)
{
	struct ds_net *n = d->net;

	if (d->init)
		return;
	d->init = true;
	if (n->dns_pending && --n->dns_pending == 0 && n->started && !n->stopping)
		(void)ds_probe_start(n);
}

/* No address any more: the answer's TTL ended without a fresh one. */
static void drop(struct net_dname *d)
{
	if (d->ok || !d->said_fail)
		ds_log(d->net, "%s: no address for '%s' (%s%s): %s fail with reason dns "
		       "until a look-up answers", d->what, d->host,
		       d->why[0] ? d->why : "no answer",
		       d->ok ? "; the last answer's TTL ended" : "",
		       d->sbc ? "REGISTERs through it" : "its probes and REGISTERs");
	d->ok = false;
	d->said_fail = true;
}

static void expire_tmr_h(void *arg)
{
	struct net_dname *d = arg;

	if (d->ok && tmr_jiffies() >= d->expires) {
		if (!d->why[0])
			re_snprintf(d->why, sizeof(d->why), "look-up unanswered");
		drop(d);
	}
}

/* Says once per answer that it is kept although no fresh one came. */
static bool keep(struct net_dname *d, const char *what)
{
	uint64_t now = tmr_jiffies();

	if (!d->ok || now >= d->expires)
		return false;
	if (!d->said_keep)
		ds_log(d->net, "%s: look-up of '%s' %s; keeping %J until its TTL "
		       "ends in %llu ms", d->what, d->host, what, d->addr,
		       (unsigned long long)(d->expires - now));
	d->said_keep = true;
	return true;
}

/* A look-up in flight for a while: dnsc gives up only after its own
 * retries, often past the TTL; say now that the answer is being kept. */
static void slow_tmr_h(void *arg)
{
	struct net_dname *d = arg;

	if (d->dq)
		(void)keep(d, "unanswered for 1 s");
}

static void fail(struct net_dname *d, const char *why)
{
	char what[80];

	re_snprintf(d->why, sizeof(d->why), "%s", why);
	tmr_start(&d->tmr, DNS_RETRY_MS, dns_tmr_h, d);
	re_snprintf(what, sizeof(what), "failed (%s)", why);
	if (keep(d, what))
		return;
	drop(d);
	initial_done(d);
}

/* The address to use, with the TTL that bounds it (s). */
static void take(struct net_dname *d, const struct sa *a, int64_t ttl)
{
	if (d->ttl_cap < ttl)
		ttl = d->ttl_cap;
	if (!d->ok || !sa_cmp(a, d->addr, SA_ALL)) {
		ds_log(d->net, "%s: '%s' is %J (%sTTL %lld s)%s", d->what, d->host, a,
		       d->via, (long long)ttl, d->init && d->ok ? ", was another" : "");
		d->gen++;
	}
	if (ttl * 1000 < DNS_MIN_TTL_MS)
		ttl = DNS_MIN_TTL_MS / 1000;
	*d->addr = *a;
	d->ok = true;
	d->said_keep = d->said_fail = false;
	d->why[0] = '\0';
	d->expires = tmr_jiffies() + (uint64_t)ttl * 1000;
	tmr_start(&d->exp_tmr, (uint64_t)ttl * 1000, expire_tmr_h, d);
	tmr_start(&d->tmr, (uint64_t)ttl * 500 > DNS_MIN_TTL_MS ? (uint64_t)ttl * 500 :
		  DNS_MIN_TTL_MS, dns_tmr_h, d);
	initial_done(d);
}

/* The first A (AAAA) record for `name` in `rrl`, following CNAMEs; with
 * the smallest TTL of the chain. */
static struct dnsrr *addr_of(struct ds_net *n, struct list *rrl, const char *name,
			     int64_t *ttl)
{
	bool v6 = sa_af(&n->laddr) == AF_INET6;
	struct dnsrr *rr = NULL;

	(void)dns_rrlist_apply(rrl, name, v6 ? DNS_TYPE_AAAA : DNS_TYPE_A,
			       DNS_CLASS_IN, true, addr_h, &rr);
	if (rr)
		(void)dns_rrlist_apply2(rrl, name, DNS_TYPE_CNAME,
					v6 ? DNS_TYPE_AAAA : DNS_TYPE_A, DNS_CLASS_IN,
					true, ttl_h, ttl);
	return rr;
}

static void set_from(struct net_dname *d, const struct dnsrr *rr, int64_t ttl)
{
	struct sa a;

	if (rr->type == DNS_TYPE_AAAA)
		sa_set_in6(&a, rr->rdata.aaaa.addr, d->a_port);
	else
		sa_set_in(&a, rr->rdata.a.addr, d->a_port);
	take(d, &a, ttl);
}

/* Whether the answer is usable; else says why (fail()). */
static bool answered(struct net_dname *d, int err, const struct dnshdr *hdr)
{
	char why[48];

	d->dq = mem_deref(d->dq);
	if (err) {
		re_snprintf(why, sizeof(why), "%m", err);
		fail(d, why);
		return false;
	}
	if (hdr->rcode != DNS_RCODE_OK && hdr->rcode != DNS_RCODE_NAME_ERR) {
		re_snprintf(why, sizeof(why), "%s", dns_hdr_rcodename(hdr->rcode));
		fail(d, why);
		return false;
	}
	return true;
}

static void query_h(int err, const struct dnshdr *hdr, struct list *ansl,
		    struct list *authl, struct list *addl, void *arg)
{
	struct net_dname *d = arg;
	int64_t ttl = INT64_MAX;
	struct dnsrr *rr;
	(void)authl;
	(void)addl;

	if (!answered(d, err, hdr))
		return;
	rr = addr_of(d->net, ansl, d->a_name, &ttl);
	if (!rr) {
		fail(d, hdr->rcode == DNS_RCODE_NAME_ERR ? "no such name" :
		     sa_af(&d->net->laddr) == AF_INET6 ? "no AAAA record" : "no A record");
		return;
	}
	set_from(d, rr, ttl);
}

static void a_lookup(struct net_dname *d, const char *name, uint16_t port)
{
	struct ds_net *n = d->net;
	int err;

	d->a_port = port;
	d->dq = mem_deref(d->dq);
	d->a_name = mem_deref(d->a_name);
	err = str_dup(&d->a_name, name);
	if (!err)
		err = dnsc_query(&d->dq, n->dnsc, name,
				 sa_af(&n->laddr) == AF_INET6 ? DNS_TYPE_AAAA : DNS_TYPE_A,
				 DNS_CLASS_IN, true, query_h, d);
	if (err) {
		char why[48];
		re_snprintf(why, sizeof(why), "query not sent: %m", err);
		fail(d, why);
		return;
	}
	tmr_start(&d->tmr, DNS_RETRY_MS, slow_tmr_h, d);
}

/* The target in use, its address from `addl` when the answer carries it. */
static void target_lookup(struct net_dname *d, struct list *addl)
{
	const struct net_target *t = &d->tg[d->cur];
	int64_t ttl = INT64_MAX;
	struct dnsrr *rr;

	re_snprintf(d->via, sizeof(d->via), "SRV %s -> %s:%u, ", d->srv_name, t->name,
		    t->port);
	d->a_port = t->port;
	rr = addl ? addr_of(d->net, addl, t->name, &ttl) : NULL;
	if (rr) {
		set_from(d, rr, ttl);
		return;
	}
	a_lookup(d, t->name, t->port);
}

static void targets_free(struct net_dname *d)
{
	for (uint32_t i = 0; i < d->n_tg; i++)
		mem_deref(d->tg[i].name);
	d->tg = mem_deref(d->tg);
	d->n_tg = d->cur = 0;
}

struct srv_collect {
	struct dnsrr *rr[DNS_MAX_TARGETS];
	struct ds_srv_rec rec[DNS_MAX_TARGETS];
	size_t n;
};

static bool srv_collect_h(struct dnsrr *rr, void *arg)
{
	struct srv_collect *c = arg;

	/* RFC 2782: a lone target "." says the service is not offered */
	if (c->n < DNS_MAX_TARGETS && strcmp(rr->rdata.srv.target, ".") &&
	    rr->rdata.srv.target[0]) {
		c->rec[c->n] = (struct ds_srv_rec){rr->rdata.srv.pri, rr->rdata.srv.weight,
						   (uint32_t)c->n};
		c->rr[c->n++] = rr;
	}
	return false;
}

/* The answer's targets in RFC 2782 order, the one in use kept if listed. */
static int targets_set(struct net_dname *d, struct srv_collect *c)
{
	struct net_target *tg;
	uint32_t cur = 0;
	int err = 0;

	ds_srv_order(c->rec, c->n, &d->rng);
	tg = mem_zalloc(c->n * sizeof(*tg), NULL);
	if (!tg)
		return ENOMEM;
	for (size_t i = 0; i < c->n && !err; i++) {
		const struct dnsrr *rr = c->rr[c->rec[i].idx];
		tg[i].port = rr->rdata.srv.port;
		err = str_dup(&tg[i].name, rr->rdata.srv.target);
		if (!err && d->n_tg && !strcasecmp(tg[i].name, d->tg[d->cur].name) &&
		    tg[i].port == d->tg[d->cur].port)
			cur = (uint32_t)i;
	}
	targets_free(d);
	d->tg = tg;
	d->n_tg = (uint32_t)c->n;
	d->cur = cur;
	return err;
}

/* RFC 3263 §4.2: the SRV targets in order; no SRV record: A/AAAA on the
 * default port. */
static void srv_h(int err, const struct dnshdr *hdr, struct list *ansl,
		  struct list *authl, struct list *addl, void *arg)
{
	struct net_dname *d = arg;
	bool tls = !strncmp(d->srv_name, "_sips.", 6);
	int64_t ttl = INT64_MAX;
	struct srv_collect c;
	(void)authl;

	if (!answered(d, err, hdr))
		return;
	c.n = 0;
	(void)dns_rrlist_apply(ansl, d->srv_name, DNS_TYPE_SRV, DNS_CLASS_IN, false,
			       srv_collect_h, &c);
	if (!c.n) {
		targets_free(d);
		re_snprintf(d->via, sizeof(d->via), "no SRV %s: A on %u, ",
			    d->srv_name, tls ? 5061 : 5060);
		d->ttl_cap = INT64_MAX;
		a_lookup(d, d->host, tls ? 5061 : 5060);
		return;
	}
	if (targets_set(d, &c)) {
		fail(d, "out of memory");
		return;
	}
	(void)dns_rrlist_apply(ansl, d->srv_name, DNS_TYPE_SRV, DNS_CLASS_IN, false,
			       ttl_h, &ttl);
	d->ttl_cap = ttl;
	target_lookup(d, addl);
}

static void lookup(struct net_dname *d)
{
	struct ds_net *n = d->net;
	int err;

	if (d->dq || n->stopping)
		return;
	if (!d->srv_name) {
		d->ttl_cap = INT64_MAX;
		a_lookup(d, d->host, d->port);
		return;
	}
	err = dnsc_query(&d->dq, n->dnsc, d->srv_name, DNS_TYPE_SRV, DNS_CLASS_IN, true,
			 srv_h, d);
	if (err) {
		char why[48];
		re_snprintf(why, sizeof(why), "query not sent: %m", err);
		fail(d, why);
		return;
	}
	tmr_start(&d->tmr, DNS_RETRY_MS, slow_tmr_h, d);
}

bool ds_dns_next_target(struct net_dname *d, uint32_t gen)
{
	const struct net_target *was;

	if (d->n_tg < 2 || gen != d->gen || d->net->stopping)
		return false;
	was = &d->tg[d->cur];
	d->cur = (d->cur + 1) % d->n_tg;
	d->gen++;   /* one move per failure seen, however many saw it */
	ds_log(d->net, "%s: SRV target %s:%u failed; next: %s:%u", d->what, was->name,
	       was->port, d->tg[d->cur].name, d->tg[d->cur].port);
	target_lookup(d, NULL);
	return d->cur != 0;
}

/* The SRV name for a transport (RFC 3263 §4.1), into *name. */
static int srv_name_of(char **name, const char *host, bool tls, enum sip_transp tp)
{
	return re_sdprintf(name, "%s.%s", tls ? "_sips._tcp" : tp == SIP_TRANSP_TCP ?
			   "_sip._tcp" : "_sip._udp", host);
}

static void dname_init(struct net_dname *d, struct ds_net *n, struct sa *addr,
		       const char *host, uint16_t port)
{
	d->net = n;
	d->addr = addr;
	d->host = host;
	d->port = port;
	d->rng = (n->nc.seed ^ hash_joaat_str(host)) | 1;
	tmr_init(&d->tmr);
	tmr_init(&d->exp_tmr);
}

/* Its look-up stops; the answer and the SRV targets stay (a reload's
 * ds_dns_stop() and ds_dns_start() go on with them). */
static void dname_close(struct net_dname *d)
{
	if (!d->net)
		return;
	tmr_cancel(&d->tmr);
	tmr_cancel(&d->exp_tmr);
	d->dq = mem_deref(d->dq);
	d->srv_name = mem_deref(d->srv_name);
	d->a_name = mem_deref(d->a_name);
}

void ds_dname_free(struct net_dname *d)
{
	dname_close(d);
	targets_free(d);
}

void ds_dname_move(struct net_dname *to, struct net_dname *from)
{
	to->ok = from->ok;
	to->init = from->init;
	to->expires = from->expires;
	to->said_keep = from->said_keep;
	to->said_fail = from->said_fail;
	memcpy(to->why, from->why, sizeof(to->why));
	memcpy(to->via, from->via, sizeof(to->via));
	to->ttl_cap = from->ttl_cap;
	to->tg = from->tg;
	to->n_tg = from->n_tg;
	to->cur = from->cur;
	to->gen = from->gen;
	from->tg = NULL;
	from->n_tg = from->cur = 0;
}

/* The SBC's place in n->sbcs, or -1. */
static int sbc_find(const struct ds_net *n, const char *host, uint16_t port, bool srv,
		    enum sip_transp tp)
{
	for (size_t i = 0; i < n->n_sbcs; i++) {
		const struct net_sbc *b = &n->sbcs[i];
		if (b->port == port && b->srv == srv && b->tp == tp && !strcmp(b->host, host))
			return (int)i;
	}
	return -1;
}

static bool sbc_srv(const char *host, uint16_t port, bool port_set)
{
	return port_set && !port && sa_set_str(&(struct sa){0}, host, 0);
}

int ds_sbc_add(struct ds_net *n, const char *host, uint16_t port, bool port_set,
	       enum sip_transp tp, int *idx)
{
	struct net_sbc *t, *b;
	bool srv = sbc_srv(host, port, port_set);
	int i = sbc_find(n, host, port, srv, tp);
	char *h;

	if (i >= 0) {
		n->sbcs[i].n_agents++;
		*idx = i;
		return 0;
	}
	/* never while look-ups run: dn's timers and queries point here */
	h = strdup(host);   /* owned: a reload frees the configuration it came from */
	t = h ? realloc(n->sbcs, (n->n_sbcs + 1) * sizeof(*t)) : NULL;
	if (!t) {
		free(h);
		return ENOMEM;
	}
	n->sbcs = t;
	b = &n->sbcs[n->n_sbcs];
	memset(b, 0, sizeof(*b));
	b->host = h;
	b->port = port;
	b->tp = tp;
	b->srv = srv;
	b->n_agents = 1;
	b->named = sa_set_str(&b->addr, host, port) != 0;
	if (b->named)
		sa_init(&b->addr, sa_af(&n->laddr));
	*idx = (int)n->n_sbcs++;
	return 0;
}

bool ds_sbc_missing(const struct ds_net *n)
{
	for (size_t a = 0; a < n->n_agents; a++) {
		const struct net_agent *ag = n->agents[a];
		for (int i = 0; i < 2; i++)
			if (ag->sbc_host[i] &&
			    sbc_find(n, ag->sbc_host[i], ag->sbc_port[i],
				     sbc_srv(ag->sbc_host[i], ag->sbc_port[i], ag->sbc_port_set[i]),
				     ag->tp) < 0)
				return true;
	}
	return false;
}

int ds_sbc_attach_all(struct ds_net *n)
{
	for (size_t i = 0; i < n->n_sbcs; i++)
		n->sbcs[i].n_agents = 0;   /* kept: a retiring copy may still use it */
	for (size_t a = 0; a < n->n_agents; a++) {
		struct net_agent *ag = n->agents[a];
		for (int i = 0; i < 2; i++) {
			ag->sbc[i] = -1;
			if (ag->sbc_host[i]) {
				int err = ds_sbc_add(n, ag->sbc_host[i], ag->sbc_port[i],
						     ag->sbc_port_set[i], ag->tp, &ag->sbc[i]);
				if (err)
					return err;
			}
		}
	}
	return 0;
}

int ds_dns_setup(struct ds_net *n)
{
	struct sa ns[8];
	uint32_t nn = 8;
	char domain[64];
	bool any = false;
	int err;

	for (size_t i = 0; i < n->n_servers; i++) {
		struct net_server *s = &n->servers[i];
		if (!s->named)
			continue;
		any = true;
		dname_init(&s->dn, n, &s->addr, s->s->host, s->s->port);
		re_snprintf(s->dn.what, sizeof(s->dn.what), "server %s", s->s->name);
		/* a SIP server named without a port: RFC 3263 SRV, for the
		 * transport its probes use (TLS only: _sips._tcp) */
		if (s->s->kind == DS_KIND_SIP && !s->s->port_given) {
			err = srv_name_of(&s->dn.srv_name, s->s->host,
					  s->probe_tp == SIP_TRANSP_TLS, s->probe_tp);
			if (err)
				return err;
		}
	}
	for (size_t i = 0; i < n->n_sbcs; i++) {
		struct net_sbc *b = &n->sbcs[i];
		if (!b->named)
			continue;
		any = true;
		dname_init(&b->dn, n, &b->addr, b->host, b->port);
		b->dn.sbc = true;
		re_snprintf(b->dn.what, sizeof(b->dn.what), "SBC %s", b->host);
		if (b->srv) {
			err = srv_name_of(&b->dn.srv_name, b->host, b->tp == SIP_TRANSP_TLS,
					  b->tp);
			if (err)
				return err;
		}
	}
	if (!any)
		return 0;
	err = dns_srv_get(domain, sizeof(domain), ns, &nn);
	if (err || !nn) {
		ds_log(NULL, "servers or SBCs are named by host names but no name server "
		       "is configured (/etc/resolv.conf): %m", err ? err : ENOENT);
		return err ? err : ENOENT;
	}
	return dnsc_alloc(&n->dnsc, NULL, ns, nn);
}

int ds_dns_start(struct ds_net *n)
{
	bool wait;

	/* the names a reload kept have their answer: only new ones hold the
	 * probes back */
	n->dns_pending = 0;
	for (size_t i = 0; i < n->n_servers; i++)
		n->dns_pending += n->servers[i].named && !n->servers[i].dn.init;
	for (size_t i = 0; i < n->n_sbcs; i++)
		n->dns_pending += n->sbcs[i].named && !n->sbcs[i].dn.init;
	wait = n->dns_pending != 0;   /* else the probes start now */
	for (size_t i = 0; i < n->n_servers; i++)
		if (n->servers[i].named)
			lookup(&n->servers[i].dn);
	for (size_t i = 0; i < n->n_sbcs; i++) {
		struct net_sbc *b = &n->sbcs[i];
		if (!b->named)
			continue;
		if (b->srv)
			ds_log(n, "SBC %s: a name with port 0: SRV %s, one look-up for %u "
			       "agent proxies", b->host, b->dn.srv_name, b->n_agents);
		else
			ds_log(n, "SBC %s: a name: DNS, one look-up for %u agent proxies",
			       b->host, b->n_agents);
		lookup(&b->dn);
	}
	return wait ? 0 : ds_probe_start(n);
}

void ds_dns_stop(struct ds_net *n)
{
	for (size_t i = 0; i < n->n_servers; i++)
		dname_close(&n->servers[i].dn);
	for (size_t i = 0; i < n->n_sbcs; i++)
		dname_close(&n->sbcs[i].dn);
	n->dnsc = mem_deref(n->dnsc);
}

const char *ds_dns_target(const struct net_dname *d)
{
	return d->n_tg ? d->tg[d->cur].name : NULL;
}
