/* Incoming calls: an INVITE for a registered agent rings (180), then is
 * answered (200 with SDP) after dualsite.answer-delay.
 *
 * Policy: an INVITE is taken only from where a call can come from
 * (docs/behaviour.md §7): one of the agent's SIP Servers (primary or backup,
 * either site) or its SBCs (sipendpoint.sbc-register-address / .peer);
 * anything else gets 403, logged at most once per REFUSED_SAY_MS with the
 * count of those not logged (a flood does not flood the log). The call's
 * site is the site of the server it came through, found by its source
 * address (and port, when they match exactly); only when one address
 * stands for both sites (one SBC, one host) does the `dsp` parameter our
 * Contact carried decide, as the registrar copied it into the request URI.
 * One call per agent (a second INVITE gets 486); an unknown user gets 404
 * and a known one not registered at the site the INVITE came through gets
 * 480. Media is echoed (media.c): one RTP socket per call, freed with
 * the call, its packet counts logged at the end.
 * Nothing in a switchover or a restore touches a session; only the engine's
 * DROP_CALL (its site was lost) or the peer's BYE/CANCEL ends one. */
#include <stdlib.h>
#include <string.h>
#include "net_priv.h"
#include "sipmsg.h"

enum { REFUSED_SAY_MS = 10000 };

struct net_call {
	struct net_agent *ag;
	struct sipsess *sess;
	struct ds_media *media;
	struct mbuf *sdp;
	struct tmr tmr;
	int site;
};

static void call_destructor(void *arg)
{
	struct net_call *c = arg;

	tmr_cancel(&c->tmr);
	/* an established session sends BYE, a ringing one 486 */
	c->sess = mem_deref(c->sess);
	c->media = mem_deref(c->media);
	c->sdp = mem_deref(c->sdp);
}

/* Ends the call on our side; `tell` reports it to the engine (reason bye). */
static void call_end(struct net_call *c, const char *why, bool tell)
{
	struct net_agent *ag = c->ag;

	ds_log(ag->net, "%s: call ended (%s), %H", ag->p->name, why, ds_media_print,
	       c->media);
	ag->call = NULL;
	mem_deref(c);
	if (tell) {
		struct ds_input in = {.type = DS_IN_CALL_END};
		ds_net_input(ag, &in);
	}
}

static int offer_h(struct mbuf **descp, const struct sip_msg *msg, void *arg)
{
	struct net_call *c = arg;
	(void)msg;

	/* a re-INVITE: the same media description again */
	*descp = mem_ref(c->sdp);
	return 0;
}

static int answer_h(const struct sip_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return 0;   /* the caller's answer (late offer): the echo goes where RTP comes from */
}

static void estab_h(const struct sip_msg *msg, void *arg)
{
	struct net_call *c = arg;
	(void)msg;

	ds_log(c->ag->net, "%s: call established", c->ag->p->name);
}

static void close_h(int err, const struct sip_msg *msg, void *arg)
{
	struct net_call *c = arg;
	char why[64];
	(void)msg;

	if (err == ECONNRESET)
		snprintf(why, sizeof(why), "by the caller");
	else
		re_snprintf(why, sizeof(why), "session closed: %m", err);
	call_end(c, why, true);
}

static void answer_tmr_h(void *arg)
{
	struct net_call *c = arg;
	int err;

	err = sipsess_answer(c->sess, 200, "OK", c->sdp, ALLOW_HDR);
	if (err) {
		char why[64];
		re_snprintf(why, sizeof(why), "cannot answer: %m", err);
		call_end(c, why, true);
		return;
	}
	ds_log(c->ag->net, "%s: call answered (200 OK), media at %J (RTP echo)",
	       c->ag->p->name, ds_media_addr(c->media));
}

/* n->by_user is sorted by strcmp() of the SIP users */
static int user_cmp(const void *key, const void *elem)
{
	const struct pl *user = key;
	const struct net_agent *const *ag = elem;
	const char *u = (*ag)->p->sip_user;
	size_t ul = strlen(u);
	size_t l = user->l < ul ? user->l : ul;
	int r = memcmp(user->p, u, l);

	if (r)
		return r;
	return user->l < ul ? -1 : user->l > ul ? 1 : 0;
}

/* The site an INVITE for `ag` came through, from its source: one of the
 * agent's SIP Servers (an exact address and port first, then the address
 * alone: over TCP a server sends from another port) or its SBCs (address).
 * -1: none of them. When the source stands for both sites, the request
 * URI's `dsp` (0 or 1, else -1) decides, then the preferred site. */
static int site_of_source(const struct net_agent *ag, const struct sa *src, int dsp)
{
	const struct ds_net *n = ag->net;
	unsigned exact = 0, host = 0, sites;

	for (int site = 0; site < 2; site++) {
		for (int m = 0; m < 2; m++) {
			int id = ag->conf.server_id[DS_SLOT(DS_KIND_SIP, site, m)];
			const struct sa *a;

			if (id < 0 || n->srv_index[id] < 0)
				continue;
			a = &n->servers[n->srv_index[id]].addr;
			if (sa_cmp(a, src, SA_ALL))
				exact |= 1u << site;
			else if (sa_cmp(a, src, SA_ADDR))
				host |= 1u << site;
		}
		if (ag->sbc[site] >= 0 && sa_cmp(&n->sbcs[ag->sbc[site]].addr, src, SA_ADDR))
			host |= 1u << site;
	}
	sites = exact ? exact : host;
	if (!sites)
		return -1;
	if (sites == 3)
		return dsp >= 0 ? dsp : 0;
	return sites == 2 ? 1 : 0;
}

/* Whether src is a SIP Server or an SBC of some agent: only those learn
 * whether a user exists (404); anyone else gets 403. */
static bool source_known(const struct ds_net *n, const struct sa *src)
{
	for (size_t i = 0; i < n->n_servers; i++)
		if (n->servers[i].s->kind == DS_KIND_SIP && sa_cmp(&n->servers[i].addr, src, SA_ADDR))
			return true;
	for (size_t i = 0; i < n->n_sbcs; i++)
		if (sa_cmp(&n->sbcs[i].addr, src, SA_ADDR))
			return true;
	return false;
}

/* 403 to an INVITE from elsewhere; one log line per REFUSED_SAY_MS. */
static void refuse(struct ds_net *n, const struct sip_msg *msg, const struct net_agent *ag)
{
	uint64_t now = tmr_jiffies();

	(void)sip_treply(NULL, n->sip, msg, 403, "Forbidden");
	if (n->refused_said_at && now - n->refused_said_at < REFUSED_SAY_MS) {
		n->refused_unsaid++;
		return;
	}
	ds_log(n, "INVITE for '%r' from %J refused (403): not from a SIP Server, backup or "
	       "SBC of %s (sipendpoint.sbc-register-address sets an SBC); refused INVITEs "
	       "are logged once per %d s (%u not logged since the last line)", &msg->uri.user,
	       &msg->src, ag ? ag->p->name : "any agent", REFUSED_SAY_MS / 1000,
	       n->refused_unsaid);
	n->refused_said_at = now ? now : 1;
	n->refused_unsaid = 0;
}

static void conn_h(const struct sip_msg *msg, void *arg)
{
	struct ds_net *n = arg;
	struct net_agent *ag;
	struct net_call *c;
	struct sa local;
	char contact[128];
	int dsp, site, err;
	bool reg;

	if (n->stopping) {
		(void)sip_treply(NULL, n->sip, msg, 503, "Service Unavailable");
		return;
	}
	if (!source_known(n, &msg->src)) {
		refuse(n, msg, NULL);
		return;
	}
	ag = ds_call_agent(n, &msg->uri.user);
	if (!ag) {
		ds_log(n, "INVITE for unknown user '%r' from %J: 404", &msg->uri.user,
		       &msg->src);
		(void)sip_treply(NULL, n->sip, msg, 404, "Not Found");
		return;
	}
	dsp = ds_sipmsg_dsp(&msg->uri);
	site = site_of_source(ag, &msg->src, dsp);
	if (site < 0) {
		refuse(n, msg, ag);
		return;
	}
	reg = ds_engine_registered(ag->eng, site);
	if (!reg) {
		ds_log(n, "%s: INVITE while not registered at proxy%d: 480", ag->p->name, site);
		(void)sip_treply(NULL, n->sip, msg, 480, "Temporarily Unavailable");
		return;
	}
	if (ag->call) {
		ds_log(n, "%s: INVITE during a call: 486", ag->p->name);
		(void)sip_treply(NULL, n->sip, msg, 486, "Busy Here");
		return;
	}

	c = mem_zalloc(sizeof(*c), call_destructor);
	if (!c) {
		(void)sip_treply(NULL, n->sip, msg, 500, "Server Internal Error");
		return;
	}
	c->ag = ag;
	c->site = site;
	tmr_init(&c->tmr);
	err = ds_media_open(&c->media, n, &msg->src);
	/* on a wildcard, the Contact carries the address that reaches whoever
	 * sent the INVITE (libre would write 0.0.0.0) */
	if (!err)
		err = ds_net_local(n, &msg->src, sa_port(&n->laddr), &local);
	if (!err && re_snprintf(contact, sizeof(contact), "sip:%s@%J;transport=%s",
				ag->p->sip_user, &local, ds_net_tp_name(msg->tp)) < 0)
		err = ENOMEM;
	if (!err)
		err = ds_media_sdp(c->media, &c->sdp);
	if (!err)
		err = sipsess_accept(&c->sess, n->sess_sock, msg, 180, "Ringing",
				     contact, "application/sdp", NULL,
				     NULL, NULL, false, offer_h, answer_h, estab_h,
				     NULL, NULL, close_h, c, ALLOW_HDR);
	if (err) {
		ds_log(n, "%s: cannot take the call: %m", ag->p->name, err);
		mem_deref(c);
		(void)sip_treply(NULL, n->sip, msg, 500, "Server Internal Error");
		return;
	}

	ag->call = c;
	n->calls_total++;
	ds_log(n, "%s: INVITE from %J via site %d: ringing, answer in %lld ms",
	       ag->p->name, &msg->src, site, (long long)ag->answer_delay_ms);
	tmr_start(&c->tmr, (uint64_t)ag->answer_delay_ms, answer_tmr_h, c);

	struct ds_input in = {.type = DS_IN_CALL_START, .site = site};
	ds_net_input(ag, &in);
}

static bool options_h(const struct sip_msg *msg, void *arg)
{
	struct ds_net *n = arg;

	/* someone probing us: we are alive */
	if (pl_strcmp(&msg->met, "OPTIONS"))
		return false;
	(void)sip_treplyf(NULL, NULL, n->sip, msg, false, 200, "OK",
			  ALLOW_HDR "Content-Length: 0\r\n\r\n");
	return true;
}

struct net_agent *ds_call_agent(const struct ds_net *n, const struct pl *user)
{
	struct net_agent **agp = NULL;

	if (n->by_user)
		agp = bsearch(user, n->by_user, n->n_agents, sizeof(*n->by_user), user_cmp);
	return agp ? *agp : NULL;
}

static int by_user_cmp(const void *a, const void *b)
{
	const struct net_agent *const *x = a, *const *y = b;

	return strcmp((*x)->p->sip_user, (*y)->p->sip_user);
}

int ds_call_users(struct ds_net *n)
{
	struct net_agent **v = malloc((n->n_agents ? n->n_agents : 1) * sizeof(*v));

	if (!v)
		return ENOMEM;
	for (size_t i = 0; i < n->n_agents; i++)
		v[i] = n->agents[i];
	qsort(v, n->n_agents, sizeof(*v), by_user_cmp);
	free(n->by_user);
	n->by_user = v;
	return 0;
}

int ds_call_listen(struct ds_net *n)
{
	int err = ds_call_users(n);

	if (err)
		return err;
	err = sipsess_listen(&n->sess_sock, n->sip, 1024, conn_h, n);
	if (err)
		return err;
	return sip_listen(&n->lsnr, n->sip, true, options_h, n);
}

void ds_call_drop(struct net_agent *ag)
{
	/* the engine already said call-end (site-lost) */
	if (ag->call)
		call_end(ag->call, "its site was lost", false);
}

void ds_call_hangup(struct net_agent *ag, const char *why)
{
	if (ag->call)
		call_end(ag->call, why, false);
}

void ds_call_close_all(struct ds_net *n)
{
	for (size_t i = 0; i < n->n_agents; i++)
		if (n->agents[i]->call)
			call_end(n->agents[i]->call, "clean stop", false);
}
