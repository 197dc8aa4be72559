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

static void query_h(int err, const struct dnshdr *hdr, struct list *ansl,
		    struct list *authl, struct list *addl, void *arg)
{
	struct net_server *s = arg;
	struct ds_net *n = s->net;
	bool v6 = sa_af(&n->laddr) == AF_INET6;
	struct dnsrr *rr = NULL;
	int64_t ttl = INT64_MAX;
	char why[48];
	struct sa a;
	(void)authl;
	(void)addl;

	s->dq = mem_deref(s->dq);
	if (err) {
		re_snprintf(why, sizeof(why), "%m", err);
		fail(s, why);
		return;
	}
	if (hdr->rcode != DNS_RCODE_OK) {
		re_snprintf(why, sizeof(why), "%s", dns_hdr_rcodename(hdr->rcode));
		fail(s, why);
		return;
	}
	(void)dns_rrlist_apply(ansl, s->s->host, v6 ? DNS_TYPE_AAAA : DNS_TYPE_A,
			       DNS_CLASS_IN, true, addr_h, &rr);
	if (!rr) {
		fail(s, v6 ? "no AAAA record" : "no A record");
		return;
	}
	(void)dns_rrlist_apply2(ansl, s->s->host, DNS_TYPE_CNAME,
				v6 ? DNS_TYPE_AAAA : DNS_TYPE_A, DNS_CLASS_IN, true,
				ttl_h, &ttl);
	if (v6)
		sa_set_in6(&a, rr->rdata.aaaa.addr, s->s->port);
	else
		sa_set_in(&a, rr->rdata.a.addr, s->s->port);
	if (!s->dns_ok || !sa_cmp(&a, &s->addr, SA_ALL))
		ds_log(n, "server %s: '%s' is %J (TTL %lld s)%s", s->s->name, s->s->host,
		       &a, (long long)ttl, s->dns_init && s->dns_ok ? ", was another" : "");
	if (ttl * 1000 < DNS_MIN_TTL_MS)
		ttl = DNS_MIN_TTL_MS / 1000;
	s->addr = a;
	s->dns_ok = true;
	s->dns_said_keep = s->dns_said_fail = false;
	s->dns_why[0] = '\0';
	s->dns_expires = tmr_jiffies() + (uint64_t)ttl * 1000;
	tmr_start(&s->dns_exp_tmr, (uint64_t)ttl * 1000, expire_tmr_h, s);
	tmr_start(&s->dns_tmr, (uint64_t)ttl * 500 > DNS_MIN_TTL_MS ? (uint64_t)ttl * 500 :
		  DNS_MIN_TTL_MS, dns_tmr_h, s);
	initial_done(s);
}

static void lookup(struct net_server *s)
{
	struct ds_net *n = s->net;
	int err;

	if (s->dq || n->stopping)
		return;
	err = dnsc_query(&s->dq, n->dnsc, s->s->host,
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
	}
	n->dnsc = mem_deref(n->dnsc);
}
