/* The rules that depend on one agent's effective options (docs/behaviour.md §2.3 rules 1, 2, 5-9).
 *
 * Each agent is resolved and its pairs picked with the same code that builds
 * its engine (agent/topo.c). A problem is then keyed by the object it comes
 * from: the option value that set the site, the server, the place. So a
 * wrong preferred-site on the Application is one finding that touches every
 * agent inheriting it, reported at the Application's value. */
#include <stdio.h>
#include <string.h>
#include "vd.h"

static const char *const site_opt[2] = {"disaster-recovery.preferred-site",
					 "disaster-recovery.peer-site"};
static const char *const site_role[2] = {"preferred", "peer"};

/* Where a finding about value `val` is reported: its written place, else `fb`. */
static const struct ds_opt *anchor(const struct ds_value *val, const struct ds_opt *fb)
{
	return val->set && val->opt ? val->opt : fb;
}

static void note_at_opt(struct vd *v, const struct ds_person *p, const struct vd_key *k,
			enum ds_severity sev, const struct ds_opt *o, const char *msg)
{
	if (o)
		vd_note(v, p, k, sev, &o->loc, o->path, "%s", msg);
	else
		vd_note(v, p, k, sev, &v->cfg->app.loc, "application", "%s", msg);
}

static bool rule1(struct vd *v, const struct ds_person *p, const struct ds_effective *eff)
{
	const struct ds_value *pref = &eff->v[DS_OPT_DR_PREFERRED_SITE];
	const struct ds_value *peer = &eff->v[DS_OPT_DR_PEER_SITE];
	const struct ds_opt *on = anchor(&eff->v[DS_OPT_DR_ENABLED], NULL);
	char src[128], msg[512];
	struct vd_key k = {1, on, NULL, 0};

	if (!pref->set || !peer->set) {
		k.x = (!pref->set) | (!peer->set) << 1;
		snprintf(msg, sizeof(msg), "Business Continuity is on but no %s resolves for the "
			 "agent; set it on the application, tenant, agent group or person",
			 !pref->set && !peer->set ? "`disaster-recovery.preferred-site` and no "
			 "`disaster-recovery.peer-site`" : !pref->set ?
			 "`disaster-recovery.preferred-site`" : "`disaster-recovery.peer-site`");
		note_at_opt(v, p, &k, DS_SEV_ERROR, on, msg);
		return false;
	}
	if (!strcmp(pref->v.s, peer->v.s)) {
		k.a = peer->opt;
		k.b = pref->opt;
		ds_value_source(pref, src, sizeof(src));
		snprintf(msg, sizeof(msg), "`disaster-recovery.peer-site` is %s, the same as "
			 "`disaster-recovery.preferred-site` (from %s); the peer site must be the "
			 "other site", peer->v.s, src);
		note_at_opt(v, p, &k, DS_SEV_ERROR, peer->opt, msg);
		return false;
	}
	return true;
}

static bool known_site(const struct vd *v, const char *s)
{
	for (size_t i = 0; i < v->n_sites; i++)
		if (!strcmp(v->sites[i], s))
			return true;
	return false;
}

static void rule2(struct vd *v, const struct ds_person *p, const struct ds_value *val, int role)
{
	struct vd_key k = {2, val->opt, NULL, role};
	const char *near;
	char list[256], msg[640];
	size_t n = 0;

	if (vd_note(v, p, &k, DS_SEV_ERROR, NULL, NULL, NULL))
		return;
	list[0] = '\0';
	for (size_t i = 0; i < v->n_sites && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", v->sites[i]);
	near = ds_closest(val->v.s, v->sites, v->n_sites);
	if (near)
		snprintf(msg, sizeof(msg), "`%s` is %s, which no server's `disaster-recovery.site` "
			 "names; did you mean %s? (known sites: %s)", site_opt[role], val->v.s,
			 near, list);
	else if (v->n_sites)
		snprintf(msg, sizeof(msg), "`%s` is %s, which no server's `disaster-recovery.site` "
			 "names; known sites: %s", site_opt[role], val->v.s, list);
	else
		snprintf(msg, sizeof(msg), "`%s` is %s, but no server has a "
			 "`disaster-recovery.site`", site_opt[role], val->v.s);
	note_at_opt(v, p, &k, DS_SEV_ERROR, val->opt, msg);
}

static void rule5(struct vd *v, const struct ds_person *p, const struct ds_topo *t,
		  const struct ds_effective *eff, enum ds_kind kind, int s)
{
	const struct ds_value *val = &eff->v[s ? DS_OPT_DR_PEER_SITE : DS_OPT_DR_PREFERRED_SITE];
	struct vd_key k = {5, val->opt, NULL, (int)kind};
	char msg[512];

	snprintf(msg, sizeof(msg), "no connected %s pair at site %s, the agent's %s site; list "
		 "one in application.connections with `disaster-recovery.site: %s`%s",
		 vd_kind_title(kind), t->k[kind].site[s], site_role[s], t->k[kind].site[s],
		 kind == DS_KIND_STAT ? " (without it the agent runs with no Stat Server there)" : "");
	note_at_opt(v, p, &k, kind == DS_KIND_STAT ? DS_SEV_WARNING : DS_SEV_ERROR, val->opt, msg);
}

static const struct ds_opt *server_opt(const struct ds_server *s, int id)
{
	for (size_t i = 0; i < s->opts.n; i++)
		if (s->opts.v[i].id == id && s->opts.v[i].valid)
			return &s->opts.v[i];
	return NULL;
}

static void rule6(struct vd *v, const struct ds_person *p, const struct ds_topo *t,
		  const struct ds_effective *eff)
{
	const struct ds_topo_kind *tk = &t->k[DS_KIND_SIP];
	const struct ds_server *s0 = tk->pair[0];
	const struct ds_opt *nm = server_opt(s0, DS_OPT_DR_NAME);
	struct vd_key k = {6, s0, eff->v[DS_OPT_DR_PEER_SITE].opt, 0};
	char path[512];

	/* An unnamed pair among more than two is reported as such already. */
	if (!nm && v->n_r6)
		return;
	snprintf(path, sizeof(path), "servers/%s", s0->name);
	vd_note(v, p, &k, DS_SEV_ERROR, nm ? &nm->loc : &s0->loc, nm ? nm->path : path,
		"SIP Server pairs with `disaster-recovery.name` %s: %u at %s (preferred site), "
		"%u at %s (peer site); each of an agent's two sites needs exactly one pair of "
		"the name (pairs of one name are peers)", tk->name, tk->name_count[0],
		tk->site[0], tk->name_count[1], tk->site[1]);
}

static void rule7(struct vd *v, const struct ds_person *p, const struct ds_topo *t)
{
	const struct ds_topo_kind *tk = &t->k[DS_KIND_SIP];
	const struct ds_place *pl = p->place_obj;
	const struct ds_dn *dn[2] = {NULL, NULL};
	int sites = t->bc ? 2 : 1;
	char path[512];

	if (!pl) {
		struct vd_key k = {7, p, NULL, 3};

		if (p->place.name)  /* an unknown place: the loader said so */
			return;
		snprintf(path, sizeof(path), "persons/%s", p->name);
		vd_note(v, p, &k, DS_SEV_ERROR, &p->loc, path, "the agent has no place; it needs "
			"a `place:` whose DN is on the SIP switch of its %s", sites == 2 ?
			"preferred and of its peer site" : "site");
		return;
	}
	/* A switch name that is not defined is the loader's one error (rule
	 * 14); the places it leaves without a DN are not reported again. */
	for (size_t i = 0; i < pl->n_dns; i++)
		if (pl->dns[i].sw.name && !pl->dns[i].switch_obj)
			return;
	for (int s = 0; s < sites; s++)
		for (int m = 0; m < 2; m++) {
			const struct ds_server *sv = tk->pair[s];

			sv = sv && m ? sv->backup_srv : sv;
			if (sv && sv->sw.name && !sv->switch_obj)
				return;
		}
	snprintf(path, sizeof(path), "places/%s", pl->name);
	for (int s = 0; s < sites; s++) {
		struct vd_key k = {7, pl, NULL, s};

		if (tk->err[s] == DS_TOPO_NO_DN) {
			vd_note(v, p, &k, DS_SEV_ERROR, &pl->loc, path, "place %s has no DN on the "
				"switch of any SIP Server pair at %s, the agent's %s site; add the "
				"agent's DN on the switch of its pair there", pl->name,
				tk->site[s], site_role[s]);
			return;
		}
		if (tk->err[s] != DS_TOPO_OK || !tk->pair[s])
			return;
		dn[s] = ds_topo_dn(p, tk->pair[s]);
		if (!dn[s]) {
			k.b = tk->pair[s];
			vd_note(v, p, &k, DS_SEV_ERROR, &pl->loc, path, "place %s has no DN on switch "
				"%s, the switch of SIP Server %s at %s (the agent's %s site); places "
				"must be configured identically at both sites", pl->name,
				tk->pair[s]->sw.name ? tk->pair[s]->sw.name : "(none)",
				tk->pair[s]->name, tk->site[s], site_role[s]);
			return;
		}
	}
	if (sites == 2 && dn[0]->number && dn[1]->number && strcmp(dn[0]->number, dn[1]->number)) {
		struct vd_key k = {7, pl, dn[1], 2};

		snprintf(path, sizeof(path), "places/%s/dns/%zu", pl->name, (size_t)(dn[1] - pl->dns));
		vd_note(v, p, &k, DS_SEV_ERROR, &dn[1]->loc, path, "place %s has DN %s on %s (%s) "
			"but DN %s on %s (%s); the same DR number must be used at both sites",
			pl->name, dn[0]->number, dn[0]->sw.name, tk->site[0], dn[1]->number,
			dn[1]->sw.name, tk->site[1]);
	}
}

/* Rule 8's cross-object part: the transport chosen must be one the agent's SIP
 * Servers accept. One finding per written value, listing the servers. */
static void transport(struct vd *v, const struct ds_person *p, const struct ds_topo *t,
		      const struct ds_effective *eff)
{
	const struct ds_value *tp = &eff->v[DS_OPT_TRANSPORT];
	const char *const *names = ds_option_defs[DS_OPT_TRANSPORT].enums;
	const struct ds_server *bad[4];
	struct vd_key k = {8, tp->opt, NULL, 0};
	char list[256], path[512], src[128];
	size_t n_bad = 0, n = 0;

	if (!tp->set)
		return;
	for (int s = 0; s < (t->bc ? 2 : 1); s++)
		for (int m = 0; m < 2; m++) {
			const struct ds_server *pr = t->k[DS_KIND_SIP].pair[s];
			const struct ds_server *srv = m ? (pr ? pr->backup_srv : NULL) : pr;

			if (srv && !(srv->transports & (1u << tp->v.e)))
				bad[n_bad++] = srv;
		}
	if (!n_bad)
		return;
	k.b = bad[0];
	k.x = (int)n_bad;
	if (vd_note(v, p, &k, DS_SEV_ERROR, NULL, NULL, NULL))
		return;
	list[0] = '\0';
	for (size_t i = 0; i < n_bad; i++) {
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s (accepts ", i ? ", " : "",
				      bad[i]->name);
		for (int j = 0, first = 1; names[j]; j++)
			if (bad[i]->transports & (1u << j)) {
				n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
						      first ? "" : "/", names[j]);
				first = 0;
			}
		n += (size_t)snprintf(list + n, sizeof(list) - n, ")");
		if (n >= sizeof(list))
			break;
	}
	ds_value_source(tp, src, sizeof(src));
	snprintf(path, sizeof(path), "servers/%s", bad[0]->name);
	vd_note(v, p, &k, DS_SEV_ERROR, tp->opt ? &tp->opt->loc : &bad[0]->loc,
		tp->opt ? tp->opt->path : path, "`sipendpoint.transport-protocol` is %s (%s) but "
		"the agent's SIP Server%s %s do%s not accept it; choose a transport they accept or "
		"add it to their `transport`", names[tp->v.e], src, n_bad > 1 ? "s" : "", list,
		n_bad > 1 ? "" : "es");
}

static void rule9(struct vd *v, const struct ds_person *p, const struct ds_effective *eff)
{
	const struct ds_value *rr = &eff->v[DS_OPT_P0_REREGISTER];
	const struct ds_value *ar = &eff->v[DS_OPT_DR_AUTO_RESTORE];
	const struct ds_opt *at;
	struct vd_key k = {9, rr->opt, NULL, 0};
	char num[32], msg[512];

	/* Auto-restore only acts with Business Continuity on. */
	if (!eff->v[DS_OPT_DR_ENABLED].set || !eff->v[DS_OPT_DR_ENABLED].v.b ||
	    !ar->set || !ar->v.b || !rr->set || rr->v.d <= 300)
		return;
	/* The default has no place: report it where auto-restore or BC was turned on. */
	at = anchor(rr, anchor(ar, anchor(&eff->v[DS_OPT_DR_ENABLED], NULL)));
	k.b = at;
	if (vd_note(v, p, &k, DS_SEV_WARNING, NULL, NULL, NULL))
		return;
	ds_value_text(DS_OPT_P0_REREGISTER, rr, num, sizeof(num));
	snprintf(msg, sizeof(msg), "`sipendpoint.proxies.proxy0.reregister_in_seconds` is %s%s "
		 "with auto-restore on: a return to the preferred site may wait up to %s s after "
		 "it comes back; 30-60 s is recommended (seed: Optimizing Switchover)", num,
		 rr->opt ? "" : " (the default)", num);
	note_at_opt(v, p, &k, DS_SEV_WARNING, at, msg);
}

static void touch_servers(struct vd *v, const struct ds_person *p, const struct ds_topo *t)
{
	char path[512];

	for (int k = 0; k < DS_KIND_COUNT; k++)
		for (int s = 0; s < 2; s++) {
			const struct ds_server *pr = t->k[k].pair[s];

			for (unsigned bit = 1; pr && bit <= R4_SHARED; bit <<= 1) {
				struct vd_key key = {4, pr, NULL, (int)bit};

				if (v->r4[pr->index] & bit)
					vd_note(v, p, &key, DS_SEV_ERROR, NULL, NULL, NULL);
			}
		}
	if (!t->bc)
		return;
	for (size_t i = 0; i < v->n_r3; i++) {
		const struct vd_nosite *r = &v->r3[i];
		struct vd_key key = {3, r->srv, NULL, 0};

		snprintf(path, sizeof(path), "servers/%s", r->srv->name);
		if (r->primary)
			vd_note(v, p, &key, DS_SEV_ERROR, &r->srv->loc, path, "`%s`, the backup of "
				"connected %s %s, has no `disaster-recovery.site`; it is mandatory "
				"on every connected server and its backup when Business Continuity "
				"is on", r->srv->name, vd_kind_title(r->primary->kind), r->primary->name);
		else
			vd_note(v, p, &key, DS_SEV_ERROR, &r->srv->loc, path, "connected %s %s has "
				"no `disaster-recovery.site`; it is mandatory on every connected "
				"server and its backup when Business Continuity is on",
				vd_kind_title(r->srv->kind), r->srv->name);
	}
	for (size_t i = 0; t->connected[DS_KIND_SIP] && i < v->n_r6; i++) {
		struct vd_key key = {6, v->r6[i], NULL, 1};

		snprintf(path, sizeof(path), "servers/%s", v->r6[i]->name);
		vd_note(v, p, &key, DS_SEV_ERROR, &v->r6[i]->loc, path, "SIP Server %s has no "
			"`disaster-recovery.name`; with %u SIP Server pairs connected every pair "
			"must name its peer pair (the same name at both sites)", v->r6[i]->name,
			t->n_pairs[DS_KIND_SIP]);
	}
}

/* True when the person's tenant is named but not defined: the loader
 * reported it once (rule 14), and what the agent misses without the
 * tenant's options would only repeat that cause. */
static bool tenant_missing(const struct ds_person *p)
{
	return p->tenant.name && !p->tenant_obj;
}

void vd_agent(struct vd *v, const struct ds_person *p)
{
	struct ds_effective eff;
	struct ds_topo t;
	const struct ds_value *site[2];
	bool site_ok[2] = {true, true};

	if (tenant_missing(p))
		return;

	ds_options_resolve(v->cfg, p, &eff);
	ds_topo_pick(v->cfg, p, &eff, &t);
	site[0] = &eff.v[DS_OPT_DR_PREFERRED_SITE];
	site[1] = &eff.v[DS_OPT_DR_PEER_SITE];
	if (t.bc)
		v->bc_agents++;
	touch_servers(v, p, &t);
	rule9(v, p, &eff);
	if (t.bc && !rule1(v, p, &eff))
		return;
	for (int s = 0; s < (t.bc ? 2 : 1); s++)
		if (site[s]->set && !known_site(v, site[s]->v.s)) {
			rule2(v, p, site[s], s);
			site_ok[s] = false;
		}
	for (int k = 0; k < DS_KIND_COUNT; k++)
		for (int s = 0; s < (t.bc ? 2 : 1); s++)
			/* A primary without a site is rule 3's (which touches agents
			 * with BC on): not also "no pair" for them. */
			if (t.connected[k] && site_ok[s] && t.k[k].err[s] == DS_TOPO_NO_PAIR &&
			    site[s]->set && !(t.bc && v->nosite_kind[k]) && !v->conn_missing)
				rule5(v, p, &t, &eff, (enum ds_kind)k, s);
	if (!t.connected[DS_KIND_SIP]) {
		struct vd_key k = {5, &v->cfg->app, NULL, -1};

		if (v->conn_missing)
			return;

		/* Nothing to register with: no agent can run (ds_agent_build). */
		vd_note(v, p, &k, DS_SEV_ERROR, &v->cfg->app.loc, "application/connections",
			"no SIP Server is connected; list the primary SIP Server of each site in "
			"application.connections");
		return;
	}
	if (!site_ok[0] || !site_ok[1])
		return;
	if (t.k[DS_KIND_SIP].err[0] == DS_TOPO_NAME_COUNT ||
	    t.k[DS_KIND_SIP].err[1] == DS_TOPO_NAME_COUNT)
		rule6(v, p, &t, &eff);
	rule7(v, p, &t);
	transport(v, p, &t, &eff);
}
