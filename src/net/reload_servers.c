/* Reload's servers (reload.c): the table kept or rebuilt, the SBCs and DNS
 * look-ups that go with it, and what TLS allows a reload to change. */
#include <stdlib.h>
#include <string.h>
#include "net_priv.h"

/* The servers the agents use now: the same table with its pointers into the
 * new configuration when the set is unchanged, else a new table (probes and
 * look-ups restarted) that keeps the state of the servers it had, their DNS
 * answers and SRV targets too. The agents' SBCs are taken into n->sbcs; a
 * new one restarts the look-ups (and so the probes) as a new table does:
 * the look-ups point into those arrays. */
int ds_reload_servers(struct ds_net *n, const struct ds_config *old,
		      const struct srv_map *m, bool moved)
{
	struct net_server *tab;
	size_t cnt;
	int *idx, err, e2;
	bool same, sbcs = ds_sbc_missing(n);

	if (!moved && !sbcs) {
		/* the same agents on the same servers (each used server's
		 * definition unchanged): the table stays, pointed at the new
		 * configuration */
		idx = malloc((n->cfg->n_servers ? n->cfg->n_servers : 1) * sizeof(int));
		if (!idx)
			return ENOMEM;
		for (size_t i = 0; i < n->cfg->n_servers; i++)
			idx[i] = -1;
		for (size_t i = 0; i < n->n_servers; i++) {
			int to = m->to_new[n->servers[i].s->index];
			n->servers[i].s = &n->cfg->servers[to];
			n->servers[i].dn.host = n->servers[i].s->host;   /* the old one is freed */
			idx[to] = (int)i;
		}
		free(n->srv_index);
		n->srv_index = idx;
		return 0;
	}
	err = ds_servers_build(n, &tab, &cnt, &idx);
	if (err)
		return err;
	same = cnt == n->n_servers;
	for (size_t i = 0; same && i < n->n_servers; i++) {
		int id = n->servers[i].s->index, to = m->to_new[id];
		same = to >= 0 && m->same[id] && idx[to] >= 0;
	}
	if (same) {
		/* the usual reload: no server changed; keep the table as it is */
		for (size_t i = 0; i < old->n_servers; i++)
			if (n->srv_index[i] >= 0)
				idx[m->to_new[i]] = n->srv_index[i];
		for (size_t i = 0; i < n->n_servers; i++) {
			n->servers[i].s = &n->cfg->servers[m->to_new[n->servers[i].s->index]];
			n->servers[i].dn.host = n->servers[i].s->host;
		}
		ds_servers_free(tab, cnt);
		tab = NULL;
		free(n->srv_index);
		n->srv_index = idx;
		if (!sbcs)
			return ds_sbc_attach_all(n);   /* each one is there: no realloc */
	}
	ds_probe_stop(n);
	for (size_t i = 0; tab && i < n->n_servers; i++) {
		struct net_server *os = &n->servers[i];
		int to = m->to_new[os->s->index];

		if (to < 0 || idx[to] < 0 || !m->same[os->s->index]) {
			ds_log(n, "reload: server %s: %s; no longer probed", os->s->name,
			       to < 0 || idx[to] < 0 ? "no running agent uses it" : "changed");
			continue;
		}
		struct net_server *ns = &tab[idx[to]];
		ns->health = os->health;
		ns->known = os->known;
		ns->fails_timeout = os->fails_timeout;
		ns->fails_fast = os->fails_fast;
		memcpy(ns->fast_why, os->fast_why, sizeof(ns->fast_why));
		memcpy(ns->tls_why, os->tls_why, sizeof(ns->tls_why));
		ns->last_ok_round = os->last_ok_round;
		ns->rtt_us = os->rtt_us;
		ns->since = os->since;
		ns->rtt = os->rtt;
		ns->auth_sig = os->auth_sig;
		if (os->named) {   /* usable until the new look-up answers */
			ns->addr = os->addr;
			ds_dname_move(&ns->dn, &os->dn);
		}
	}
	for (size_t i = 0; tab && i < cnt; i++)
		if (!tab[i].known && !tab[i].health.up)
			ds_log(n, "reload: server %s: probed from now on", tab[i].s->name);
	ds_dns_stop(n);   /* before the arrays its look-ups point into change */
	if (tab) {
		ds_servers_free(n->servers, n->n_servers);
		free(n->srv_index);
		n->servers = tab;
		n->n_servers = cnt;
		n->srv_index = idx;
		err = ds_servers_index_agents(n);
	}
	if (!err)
		err = ds_sbc_attach_all(n);
	if (!err)
		err = ds_dns_setup(n);   /* each name's answer now goes to its new place */
	/* the probes once new names are looked up; whatever failed, they
	 * start again (the names then keep what they had) */
	e2 = err ? ds_probe_start(n) : ds_dns_start(n);
	return err ? err : e2;
}

/* TLS is set up at start, when something uses it (tls.c): a reload can
 * neither bring it in nor change its options; it is refused, saying so. */
int ds_reload_tls_check(const struct ds_net *n, const struct ds_config *cfg,
			struct net_agent *const *st, size_t count, struct ds_diags *diags)
{
	static const enum ds_opt_id opts[] = {DS_OPT_TLS_CA_FILE, DS_OPT_TLS_VERIFY,
					      DS_OPT_TLS_CERT_FILE, DS_OPT_TLS_KEY_FILE};
	struct ds_effective a, b;
	size_t errors0 = diags->errors;

	if (n->tls) {
		ds_options_resolve(n->cfg, NULL, &a);
		ds_options_resolve(cfg, NULL, &b);
		for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
			const struct ds_value *va = &a.v[opts[i]], *vb = &b.v[opts[i]];
			char ta[512] = "", tb[512] = "";

			if (va->set)
				(void)ds_value_text(opts[i], va, ta, sizeof(ta));
			if (vb->set)
				(void)ds_value_text(opts[i], vb, tb, sizeof(tb));
			if (va->set == vb->set && !strcmp(ta, tb))
				continue;
			ds_diag_add(diags, DS_SEV_ERROR, vb->opt ? &vb->opt->loc : &cfg->app.loc,
				    vb->opt ? vb->opt->path : "application",
				    "%s changed: TLS is set up at start only; restart dualsite "
				    "to use the new value, or put the old one back to reload",
				    ds_option_defs[opts[i]].name);
		}
		return diags->errors > errors0 ? EINVAL : 0;
	}
	for (size_t i = 0; i < count; i++) {
		const struct net_agent *ag = st[i];
		bool tls = ag->tp == SIP_TRANSP_TLS;
		char path[256];

		for (int k = 0; !tls && k < DS_SLOT_COUNT; k++) {
			int id = ag->conf.server_id[k];
			const struct ds_server *sv = id >= 0 ? &cfg->servers[id] : NULL;

			/* a TLS-only SIP server: its probes use TLS (setup.c) */
			tls = sv && sv->kind == DS_KIND_SIP && sv->transports &&
			      !(sv->transports & (DS_TP_UDP | DS_TP_TCP));
		}
		if (!tls)
			continue;
		snprintf(path, sizeof(path), "persons/%s", ag->p->name);
		ds_diag_add(diags, DS_SEV_ERROR, &ag->p->loc, path,
			    "agent '%s' uses TLS (its transport or a TLS-only server) "
			    "but this run started without TLS, which is set up at start "
			    "only: restart dualsite to bring TLS in", ag->p->name);
	}
	return diags->errors > errors0 ? EINVAL : 0;
}
