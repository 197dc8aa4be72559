/* Retiring agents (reload.c): an agent removed by a reload, or the old SIP
 * identity of a changed one, hands its bindings (Call-IDs, CSeqs, the
 * servers holding them) to a copy that owns everything it needs (name, SIP
 * user, password, server names and addresses; its SBCs are n->sbcs's, which
 * never shrinks). The copy un-REGISTERs them
 * as a clean stop does, under the agent's id (the Call-IDs name it), and is
 * freed once they are over; nothing of it points into a configuration. */
#include <stdlib.h>
#include <string.h>
#include "net_priv.h"

struct net_retired {
	struct ds_person p;          /* name and sip_user */
	struct ds_server srv[4];     /* name, host, port of the servers bound */
	struct sa addr[4];
	int n_srv;
};

const struct ds_server *ds_reload_retired_server(const struct net_agent *ag, int id)
{
	return &ag->ret->srv[id];
}

const struct sa *ds_reload_retired_addr(const struct net_agent *ag, int id)
{
	return &ag->ret->addr[id];
}

static void retired_free(struct net_agent *c)
{
	struct net_retired *r = c->ret;

	free((char *)r->p.name);
	free((char *)r->p.sip_user);
	for (int i = 0; i < r->n_srv; i++) {
		free((char *)r->srv[i].name);
		free((char *)r->srv[i].host);
	}
	free(r);
	c->ret = NULL;
	ds_agent_free(c);
}

/* The copy's number for server `id` of the current configuration; -1 when
 * it has no address to send to. */
static int retired_srv(struct ds_net *n, struct net_retired *r, int id)
{
	const struct ds_server *s;
	int si;

	if (id < 0 || (size_t)id >= n->cfg->n_servers || (si = n->srv_index[id]) < 0 ||
	    !ds_dns_usable(&n->servers[si]))
		return -1;
	s = &n->cfg->servers[id];
	for (int i = 0; i < r->n_srv; i++)
		if (!strcmp(r->srv[i].name, s->name))
			return i;
	if (r->n_srv == 4)
		return -1;
	r->srv[r->n_srv].name = strdup(s->name);
	r->srv[r->n_srv].host = strdup(s->host);
	r->srv[r->n_srv].port = s->port;
	r->addr[r->n_srv] = n->servers[si].addr;
	if (!r->srv[r->n_srv].name || !r->srv[r->n_srv].host) {
		free((char *)r->srv[r->n_srv].name);
		free((char *)r->srv[r->n_srv].host);
		return -1;
	}
	return r->n_srv++;
}

/* Hands the agent's bindings (Call-IDs, CSeqs, the servers that hold them)
 * to a retiring copy that un-REGISTERs them, under the agent's id; the
 * agent's own bindings are closed. Call with n->cfg still the old one. */
void ds_retire(struct ds_net *n, struct net_agent *ag)
{
	struct net_agent *c = NULL;
	struct net_retired *r = NULL;
	bool any = false;

	for (int p = 0; p < 2; p++) {
		const struct net_binding *b = &ag->bind[p];
		any |= b->bound[0] >= 0 || b->bound[1] >= 0 || b->op == BIND_REGISTER;
	}
	if (any) {
		c = calloc(1, sizeof(*c));
		r = calloc(1, sizeof(*r));
	}
	if (c && r) {
		c->ret = r;
		r->p.name = strdup(ag->p->name);
		r->p.sip_user = strdup(ag->p->sip_user);
		c->p = &r->p;
		c->net = n;
		ds_timer_init(&c->tmr);
		c->password = ag->password;
		ag->password = NULL;
		c->tp = ag->tp;
		/* n->sbcs never shrinks: the SBC (and its look-ups) stays */
		memcpy(c->sbc, ag->sbc, sizeof(c->sbc));
		memcpy(c->sbc_port, ag->sbc_port, sizeof(c->sbc_port));
		c->index = ag->index;
		for (int p = 0; p < 2; p++) {
			const struct net_binding *b = &ag->bind[p];
			struct net_binding *cb = &c->bind[p];
			int k = 0;

			(void)ds_binding_init(cb, c, p);
			cb->callid = b->callid;
			cb->ftag = b->ftag;
			cb->cseq = b->cseq;
			/* a REGISTER in flight may yet create a binding there */
			for (int i = 0; i < 3; i++) {
				int id = i < 2 ? b->bound[i] :
					 b->op == BIND_REGISTER ? b->server_id : -1;
				int l = r->p.name && r->p.sip_user ? retired_srv(n, r, id) : -1;

				if (l >= 0 && k < 2 && (k == 0 || cb->bound[0] != l))
					cb->bound[k++] = l;
			}
		}
	}
	for (int p = 0; p < 2; p++)
		ds_binding_close(&ag->bind[p]);
	n->by_id[ag->index] = NULL;
	if (!c || !r) {
		if (any)
			ds_log(n, "%s: out of memory: its bindings are left to expire",
			       ag->p->name);
		free(c);
		free(r);
		return;
	}
	n->by_id[c->index] = c;
	list_append(&n->retiring, &c->ret_le, c);
	for (int p = 0; p < 2; p++)
		if (ds_binding_stop(&c->bind[p]))
			c->ret_pending++;
	if (!c->ret_pending)
		tmr_start(&n->reap_tmr, 0, ds_reload_reap_h, n);
}

void ds_reload_reap_h(void *arg)
{
	struct ds_net *n = arg;
	struct le *le = n->retiring.head;

	while (le) {
		struct net_agent *c = le->data;

		le = le->next;
		if (c->ret_pending)
			continue;
		list_unlink(&c->ret_le);
		if (n->by_id[c->index] == c)
			n->by_id[c->index] = NULL;
		retired_free(c);
	}
	ds_net_retired_gone(n);
}

void ds_retire_close(struct ds_net *n)
{
	tmr_cancel(&n->reap_tmr);
	while (n->retiring.head) {
		struct net_agent *c = n->retiring.head->data;

		list_unlink(&c->ret_le);
		retired_free(c);
	}
}

