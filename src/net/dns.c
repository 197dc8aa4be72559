/* Server host names, looked up with libre's DNS client (dnsc) without
 * blocking the loop, and looked up again before their TTL ends.
 *
 * The name servers are the system's (/etc/resolv.conf, dns_srv_get). The
 * first look-ups of every named server run before the first probe round,
 * so a server is never probed at an address it does not have yet. After
 * that, halfway through each answer's TTL (the smallest of the records
 * that led to the address, at least 1 s) the name is looked up again, so
 * a working DNS server refreshes the answer before it ends. A failed
 * look-up keeps the last good address until its TTL ends (said once in the
 * log) and is retried every second; when the TTL ends without a fresh
 * answer, the server has no address, and each probe and REGISTER meant for
 * it fails at once with the reason "dns: WHY" until a look-up answers. */
#include <string.h>
#include "net_priv.h"

enum { DNS_MIN_TTL_MS = 1000, DNS_RETRY_MS = 1000 };

static void lookup(struct net_server *s);

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

static void initial_done(struct net_server *s)
{
	struct ds_net *n = s->net;

	if (s->dns_init)
		return;
	s->dns_init = true;
	if (n->dns_pending && --n->dns_pending == 0 && n->started && !n->stopping)
		(void)ds_probe_start(n);
}

/* No address any more: the answer's TTL ended without a fresh one. */
static void drop(struct net_server *s)
{
	if (s->dns_ok || !s->dns_said_fail)
		ds_log(s->net, "server %s: no address for '%s' (%s%s): its probes and "
		       "REGISTERs fail with reason dns until a look-up answers", s->s->name,
		       s->s->host, s->dns_why[0] ? s->dns_why : "no answer",
		       s->dns_ok ? "; the last answer's TTL ended" : "");
	s->dns_ok = false;
	s->dns_said_fail = true;
}

static void expire_tmr_h(void *arg)
{
	struct net_server *s = arg;

	if (s->dns_ok && tmr_jiffies() >= s->dns_expires) {
		if (!s->dns_why[0])
			re_snprintf(s->dns_why, sizeof(s->dns_why), "look-up unanswered");
		drop(s);
	}
}

/* Says once per answer that it is kept although no fresh one came. */
static bool keep(struct net_server *s, const char *what)
{
	uint64_t now = tmr_jiffies();

	if (!s->dns_ok || now >= s->dns_expires)
		return false;
	if (!s->dns_said_keep)
		ds_log(s->net, "server %s: look-up of '%s' %s; keeping %J until its TTL "
		       "ends in %llu ms", s->s->name, s->s->host, what, &s->addr,
		       (unsigned long long)(s->dns_expires - now));
	s->dns_said_keep = true;
	return true;
}

/* A look-up in flight for a while: dnsc gives up only after its own
 * retries, often past the TTL; say now that the answer is being kept. */
static void slow_tmr_h(void *arg)
{
	struct net_server *s = arg;

	if (s->dq)
		(void)keep(s, "unanswered for 1 s");
}

static void fail(struct net_server *s, const char *why)
{
	char what[80];

	re_snprintf(s->dns_why, sizeof(s->dns_why), "%s", why);
	tmr_start(&s->dns_tmr, DNS_RETRY_MS, dns_tmr_h, s);
	re_snprintf(what, sizeof(what), "failed (%s)", why);
	if (keep(s, what))
		return;
	drop(s);
	initial_done(s);
}

/* The address to use, with the TTL that bounds it (s). */
static void take(struct net_server *s, const struct sa *a, int64_t ttl)
{
	if (s->ttl_cap < ttl)
		ttl = s->ttl_cap;
	if (!s->dns_ok || !sa_cmp(a, &s->addr, SA_ALL))
		ds_log(s->net, "server %s: '%s' is %J (%sTTL %lld s)%s", s->s->name,
		       s->s->host, a, s->srv_via, (long long)ttl,
		       s->dns_init && s->dns_ok ? ", was another" : "");
	if (ttl * 1000 < DNS_MIN_TTL_MS)
		ttl = DNS_MIN_TTL_MS / 1000;
	s->addr = *a;
	s->dns_ok = true;
	s->dns_said_keep = s->dns_said_fail = false;
	s->dns_why[0] = '\0';
	s->dns_expires = tmr_jiffies() + (uint64_t)ttl * 1000;
	tmr_start(&s->dns_exp_tmr, (uint64_t)ttl * 1000, expire_tmr_h, s);
	tmr_start(&s->dns_tmr, (uint64_t)ttl * 500 > DNS_MIN_TTL_MS ? (uint64_t)ttl * 500 :
		  DNS_MIN_TTL_MS, dns_tmr_h, s);
	initial_done(s);
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

static void set_from(struct net_server *s, const struct dnsrr *rr, int64_t ttl)
{
	struct sa a;

	if (rr->type == DNS_TYPE_AAAA)
		sa_set_in6(&a, rr->rdata.aaaa.addr, s->a_port);
	else
		sa_set_in(&a, rr->rdata.a.addr, s->a_port);
	take(s, &a, ttl);
}

/* Whether the answer is usable; else says why (fail()). */
static bool answered(struct net_server *s, int err, const struct dnshdr *hdr)
{
	char why[48];

	s->dq = mem_deref(s->dq);
	if (err) {
		re_snprintf(why, sizeof(why), "%m", err);
		fail(s, why);
		return false;
	}
	if (hdr->rcode != DNS_RCODE_OK && hdr->rcode != DNS_RCODE_NAME_ERR) {
		re_snprintf(why, sizeof(why), "%s", dns_hdr_rcodename(hdr->rcode));
		fail(s, why);
		return false;
	}
	return true;
}

static void query_h(int err, const struct dnshdr *hdr, struct list *ansl,
		    struct list *authl, struct list *addl, void *arg)
{
	struct net_server *s = arg;
	int64_t ttl = INT64_MAX;
	struct dnsrr *rr;
	(void)authl;
	(void)addl;

	if (!answered(s, err, hdr))
		return;
	rr = addr_of(s->net, ansl, s->a_name, &ttl);
	if (!rr) {
		fail(s, hdr->rcode == DNS_RCODE_NAME_ERR ? "no such name" :
		     sa_af(&s->net->laddr) == AF_INET6 ? "no AAAA record" : "no A record");
		return;
	}
	set_from(s, rr, ttl);
}

static void a_lookup(struct net_server *s, const char *name, uint16_t port)
{
	struct ds_net *n = s->net;
	int err;

	s->a_port = port;
	s->a_name = mem_deref(s->a_name);
	err = str_dup(&s->a_name, name);
	if (!err)
		err = dnsc_query(&s->dq, n->dnsc, name,
				 sa_af(&n->laddr) == AF_INET6 ? DNS_TYPE_AAAA : DNS_TYPE_A,
				 DNS_CLASS_IN, true, query_h, s);
	if (err) {
		char why[48];
		re_snprintf(why, sizeof(why), "query not sent: %m", err);
		fail(s, why);
		return;
	}
	tmr_start(&s->dns_tmr, DNS_RETRY_MS, slow_tmr_h, s);
}

static bool srv_min_ttl_h(struct dnsrr *rr, void *arg)
{
	return ttl_h(rr, arg);
}

/* RFC 3263 §4.2: the SRV targets in priority order, by weight within one
 * priority (libre's sort); the first is used, its address from the
 * additional records or looked up. No SRV record: A/AAAA on the default
 * port. */
static void srv_h(int err, const struct dnshdr *hdr, struct list *ansl,
		  struct list *authl, struct list *addl, void *arg)
{
	struct net_server *s = arg;
	bool tls = !strncmp(s->srv_name, "_sips.", 6);
	int64_t ttl = INT64_MAX;
	struct dnsrr *srv = NULL, *rr;
	(void)authl;

	if (!answered(s, err, hdr))
		return;
	dns_rrlist_sort(ansl, DNS_TYPE_SRV, (size_t)s->net->nc.seed);
	(void)dns_rrlist_apply(ansl, s->srv_name, DNS_TYPE_SRV, DNS_CLASS_IN, false,
			       addr_h, &srv);
	if (!srv) {
		re_snprintf(s->srv_via, sizeof(s->srv_via), "no SRV %s: A on %u, ",
			    s->srv_name, tls ? 5061 : 5060);
		s->ttl_cap = INT64_MAX;
		a_lookup(s, s->s->host, tls ? 5061 : 5060);
		return;
	}
	(void)dns_rrlist_apply(ansl, s->srv_name, DNS_TYPE_SRV, DNS_CLASS_IN, false,
			       srv_min_ttl_h, &ttl);
	s->ttl_cap = ttl;
	s->a_port = srv->rdata.srv.port;
	str_ncpy(s->srv_target, srv->rdata.srv.target, sizeof(s->srv_target));
	re_snprintf(s->srv_via, sizeof(s->srv_via), "SRV %s -> %s:%u, ", s->srv_name,
		    srv->rdata.srv.target, srv->rdata.srv.port);
	ttl = INT64_MAX;
	rr = addr_of(s->net, addl, srv->rdata.srv.target, &ttl);
	if (rr) {
		set_from(s, rr, ttl);
		return;
	}
	a_lookup(s, srv->rdata.srv.target, srv->rdata.srv.port);
}

static void lookup(struct net_server *s)
{
	struct ds_net *n = s->net;
	int err;

	if (s->dq || n->stopping)
		return;
	if (!s->srv_name) {
		s->ttl_cap = INT64_MAX;
		a_lookup(s, s->s->host, s->s->port);
		return;
	}
	err = dnsc_query(&s->dq, n->dnsc, s->srv_name, DNS_TYPE_SRV, DNS_CLASS_IN, true,
			 srv_h, s);
	if (err) {
		char why[48];
		re_snprintf(why, sizeof(why), "query not sent: %m", err);
		fail(s, why);
		return;
	}
	tmr_start(&s->dns_tmr, DNS_RETRY_MS, slow_tmr_h, s);
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
		s->net = n;
		tmr_init(&s->dns_tmr);
		tmr_init(&s->dns_exp_tmr);
		any |= s->named;
		/* a SIP server named without a port: RFC 3263 SRV, for the
		 * transport its probes use (TLS only: _sips._tcp) */
		if (s->named && s->s->kind == DS_KIND_SIP && !s->s->port_given) {
			const char *p = s->probe_tp == SIP_TRANSP_TLS ? "_sips._tcp" :
				s->probe_tp == SIP_TRANSP_TCP ? "_sip._tcp" : "_sip._udp";
			err = re_sdprintf(&s->srv_name, "%s.%s", p, s->s->host);
			if (err)
				return err;
		}
	}
	if (!any)
		return 0;
	err = dns_srv_get(domain, sizeof(domain), ns, &nn);
	if (err || !nn) {
		ds_log(NULL, "servers are named by host names but no name server is "
		       "configured (/etc/resolv.conf): %m", err ? err : ENOENT);
		return err ? err : ENOENT;
	}
	return dnsc_alloc(&n->dnsc, NULL, ns, nn);
}

int ds_dns_start(struct ds_net *n)
{
	n->dns_pending = 0;
	for (size_t i = 0; i < n->n_servers; i++)
		if (n->servers[i].named)
			n->dns_pending++;
	if (!n->dns_pending)
		return ds_probe_start(n);
	for (size_t i = 0; i < n->n_servers; i++)
		if (n->servers[i].named)
			lookup(&n->servers[i]);
	return 0;
}

void ds_dns_stop(struct ds_net *n)
{
	for (size_t i = 0; i < n->n_servers; i++) {
		tmr_cancel(&n->servers[i].dns_tmr);
		tmr_cancel(&n->servers[i].dns_exp_tmr);
		n->servers[i].dq = mem_deref(n->servers[i].dq);
		n->servers[i].srv_name = mem_deref(n->servers[i].srv_name);
		n->servers[i].a_name = mem_deref(n->servers[i].a_name);
	}
	n->dnsc = mem_deref(n->dnsc);
}
