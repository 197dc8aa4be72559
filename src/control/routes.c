/* The control endpoint's routes and the JSON views of agents and servers
 * (docs/behaviour.md §8). State is read through the driver's view
 * (dualsite/view.h); a request changes it only through engine inputs. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "control_priv.h"

const char *ds_ctl_reason(unsigned status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 422: return "Unprocessable Entity";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default:  return "Unknown";
	}
}

void ds_ctl_error(struct ctl_resp *rs, unsigned status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rs->status = status;
	rs->body.len = 0;
	ds_buf_puts(&rs->body, "{\"error\": ");
	ds_buf_jstr(&rs->body, msg);
	ds_buf_puts(&rs->body, "}\n");
}

/* Seconds with three decimals, as the events' t. */
static void put_secs(struct ds_buf *b, int64_t ms)
{
	ds_buf_milli(b, ms);
}

static const char *site_of(const struct ds_engine_conf *c, int site)
{
	return site == 0 || site == 1 ? c->site_name[site] : NULL;
}

/* Written without printf: at 10,000 agents this is most of a status
 * answer's cost to the loop. */
static void agent_json(struct ds_buf *b, const struct ds_agent_view *v, int64_t now)
{
	const struct ds_engine_conf *c = v->conf;
	bool first = true;

	ds_buf_lit(b, "{\"agent\": ");
	ds_buf_jstr(b, v->name);
	ds_buf_lit(b, ", \"preferred_site\": ");
	ds_buf_jstr(b, c->site_name[DS_SITE_PREFERRED]);
	ds_buf_lit(b, ", \"peer_site\": ");
	ds_buf_jstr(b, c->site_name[DS_SITE_PEER]);
	ds_buf_lit(b, ", \"connections\": {");
	for (int k = 0; k < DS_KIND_COUNT; k++) {
		const struct ds_conn_view *cv = &v->conn[k];
		const char *server = NULL;

		if (!c->kind_connected[k])
			continue;
		if (cv->state == DS_CONN_CONNECTED && cv->site >= 0 && cv->member >= 0)
			server = c->server_name[DS_SLOT(k, cv->site, cv->member)];
		if (!first)
			ds_buf_lit(b, ", ");
		ds_buf_jstr(b, ds_kind_name((enum ds_kind)k));
		ds_buf_lit(b, ": {\"state\": ");
		ds_buf_jstr(b, ds_conn_state_name(cv->state));
		ds_buf_lit(b, ", \"site\": ");
		ds_buf_jstr(b, site_of(c, cv->site));
		ds_buf_lit(b, ", \"server\": ");
		ds_buf_jstr(b, server);
		ds_buf_lit(b, "}");
		first = false;
	}
	ds_buf_lit(b, "}, \"registrations\": [");
	first = true;
	for (int p = 0; p < 2; p++) {
		const struct ds_reg_view *r = &v->reg[p];

		if (!c->site_name[p] || c->reg_expires[p] == 0)
			continue;
		if (!first)
			ds_buf_lit(b, ", ");
		ds_buf_lit(b, "{\"proxy\": ");
		ds_buf_int(b, p);
		ds_buf_lit(b, ", \"site\": ");
		ds_buf_jstr(b, c->site_name[p]);
		ds_buf_lit(b, ", \"server\": ");
		ds_buf_jstr(b, r->slot >= 0 ? c->server_name[r->slot] : NULL);
		ds_buf_lit(b, ", \"state\": ");
		ds_buf_jstr(b, ds_reg_state_name(r->state));
		ds_buf_lit(b, ", \"expires_in\": ");
		if (r->state == DS_REG_REGISTERED && r->expires_at != DS_NEVER)
			ds_buf_int(b, r->expires_at > now ? (r->expires_at - now + 999) / 1000 : 0);
		else
			ds_buf_lit(b, "null");
		ds_buf_lit(b, "}");
		first = false;
	}
	ds_buf_lit(b, "], \"call\": ");
	if (v->in_call) {
		ds_buf_lit(b, "{\"site\": ");
		ds_buf_jstr(b, site_of(c, v->call_site));
		ds_buf_lit(b, ", \"since\": ");
		put_secs(b, v->call_since);
		ds_buf_lit(b, "}");
	} else {
		ds_buf_lit(b, "null");
	}
	if (v->restore_suspended)
		ds_buf_lit(b, ", \"auto_restore_suspended\": true}");
	else
		ds_buf_lit(b, ", \"auto_restore_suspended\": false}");
}

static void server_json(struct ds_buf *b, const struct ds_server_view *s)
{
	ds_buf_puts(b, "{\"name\": ");
	ds_buf_jstr(b, s->name);
	ds_buf_printf(b, ", \"kind\": \"%s\", \"site\": ", ds_kind_name(s->kind));
	ds_buf_jstr(b, s->site);
	ds_buf_printf(b, ", \"state\": \"%s\", \"rtt_ms\": ", ds_srv_state_name(s->state));
	if (s->rtt_us >= 0)
		ds_buf_milli(b, s->rtt_us);
	else
		ds_buf_puts(b, "null");
	ds_buf_puts(b, ", \"since\": ");
	put_secs(b, s->since);
	ds_buf_puts(b, "}");
}

void ds_ctl_status_slice(struct ds_control *c, struct ctl_status *st, struct ds_buf *b)
{
	size_t nd;
	const char *const *drained;

	if (!st->begun) {
		ds_buf_lit(b, "{\"t\": ");
		put_secs(b, st->now);
		ds_buf_lit(b, ", \"agents\": [");
		st->begun = true;
	}
	/* the count is read again each turn: a reload may change it meanwhile */
	for (; st->next < ds_view_n_agents(c->net) && b->len < CTL_SLICE; st->next++) {
		struct ds_agent_view v;

		ds_view_agent(c->net, st->next, &v);
		if (st->next)
			ds_buf_lit(b, ",\n  ");
		agent_json(b, &v, st->now);
	}
	if (st->next < ds_view_n_agents(c->net))
		return;
	drained = ds_view_drained(c->net, &nd);
	ds_buf_puts(b, "], \"drained_sites\": [");
	for (size_t i = 0; i < nd; i++) {
		if (i)
			ds_buf_puts(b, ", ");
		ds_buf_jstr(b, drained[i]);
	}
	ds_buf_puts(b, "], \"servers\": [");
	for (size_t i = 0; i < ds_view_n_servers(c->net); i++) {
		struct ds_server_view s;

		ds_view_server(c->net, i, &s);
		if (i)
			ds_buf_puts(b, ",\n  ");
		server_json(b, &s);
	}
	ds_buf_puts(b, "]}\n");
	st->done = true;
}

/* The answer's head now; its body in slices, one per loop turn (http.c). */
static void get_status(struct ds_control *c, struct ctl_resp *rs)
{
	rs->status = 200;
	rs->sliced = true;
	rs->st.now = ds_view_now(c->net);
}

static void one_agent(struct ds_control *c, size_t i, unsigned status, struct ctl_resp *rs)
{
	struct ds_agent_view v;

	rs->status = status;
	ds_view_agent(c->net, i, &v);
	agent_json(&rs->body, &v, ds_view_now(c->net));
	ds_buf_puts(&rs->body, "\n");
}

static bool method_is(const struct ctl_req *rq, struct ctl_resp *rs, const char *m)
{
	if (!strcmp(rq->method, m))
		return true;
	ds_ctl_error(rs, 405, "%s is not allowed here; use %s", rq->method, m);
	rs->allow = m;
	return false;
}

static bool seg_is(const struct ctl_req *rq, int n, const char *a, const char *b)
{
	return rq->nseg == n && !strcmp(rq->seg[0], a) && (!b || !strcmp(rq->seg[1], b));
}

/* /v1/agents/NAME[/switchover|/restore] */
static void agents(struct ds_control *c, const struct ctl_req *rq, struct ctl_resp *rs)
{
	char why[256];
	size_t i;
	bool restore;

	if (rq->nseg == 4 && strcmp(rq->seg[3], "switchover") && strcmp(rq->seg[3], "restore")) {
		ds_ctl_error(rs, 404, "no such path: an agent offers /switchover and /restore");
		return;
	}
	if (ds_view_agent_find(c->net, rq->seg[2], &i)) {
		ds_ctl_error(rs, 404, "no agent '%s' in this run", rq->seg[2]);
		return;
	}
	if (rq->nseg == 3) {
		if (method_is(rq, rs, "GET"))
			one_agent(c, i, 200, rs);
		return;
	}
	if (!method_is(rq, rs, "POST"))
		return;
	restore = !strcmp(rq->seg[3], "restore");
	if (ds_view_manual(c->net, i, restore, why, sizeof(why))) {
		ds_ctl_error(rs, 409, "no manual %s for %s: %s",
			     restore ? "restore" : "switchover", rq->seg[2], why);
		return;
	}
	one_agent(c, i, 202, rs);
}

/* POST /v1/sites/SITE/drain|undrain */
static void sites(struct ds_control *c, const struct ctl_req *rq, struct ctl_resp *rs)
{
	bool on = !strcmp(rq->seg[3], "drain");
	char why[256];
	size_t n = 0;
	int err;

	if (!on && strcmp(rq->seg[3], "undrain")) {
		ds_ctl_error(rs, 404, "no such path: a site offers /drain and /undrain");
		return;
	}
	if (!method_is(rq, rs, "POST"))
		return;
	err = ds_view_drain(c->net, rq->seg[2], on, &n, why, sizeof(why));
	if (err == ENOENT) {
		ds_ctl_error(rs, 404, "no site '%s' among the servers of this run", rq->seg[2]);
		return;
	}
	if (err) {
		ds_ctl_error(rs, 409, "cannot %s %s: %s", on ? "drain" : "undrain", rq->seg[2],
			     why);
		return;
	}
	rs->status = 202;
	ds_buf_puts(&rs->body, "{\"site\": ");
	ds_buf_jstr(&rs->body, rq->seg[2]);
	ds_buf_printf(&rs->body, ", \"agents\": %zu}\n", n);
}

/* A reload is over: 200 with what changed, 422 with the errors (nothing
 * changed), the diagnostics as `dualsite validate --json` writes them. */
static void reload_done_h(int err, const struct ds_diags *d,
			  const struct ds_net_reload_result *res, void *arg)
{
	struct ds_control *c = arg;
	struct ctl_resp rs;
	struct ds_buf *b = &rs.body;

	memset(&rs, 0, sizeof(rs));
	if (err && err != EINVAL) {
		ds_ctl_error(&rs, 409, "cannot reload: %s", err == EBUSY ? "dualsite is stopping" :
			     strerror(err));
		ds_ctl_answer_waiting(c, &rs);
		ds_buf_free(b);
		return;
	}
	rs.status = err ? 422 : 200;
	if (err)
		ds_buf_puts(b, "{\"error\": \"the configuration has errors; nothing changed\", ");
	else
		ds_buf_puts(b, "{");
	ds_buf_puts(b, "\"diagnostics\": [");
	for (size_t i = 0; d && i < d->n; i++) {
		const struct ds_diag *x = &d->v[i];

		ds_buf_puts(b, i ? ",\n  {\"file\": " : "\n  {\"file\": ");
		ds_buf_jstr(b, x->loc.file);
		ds_buf_printf(b, ", \"line\": %d, \"column\": %d, \"severity\": \"%s\", "
			      "\"path\": ", x->loc.line, x->loc.col,
			      x->sev == DS_SEV_ERROR ? "error" : "warning");
		ds_buf_jstr(b, x->path ? x->path : "");
		ds_buf_puts(b, ", \"message\": ");
		ds_buf_jstr(b, x->msg ? x->msg : "");
		ds_buf_puts(b, "}");
	}
	ds_buf_printf(b, "], \"added\": %zu, \"removed\": %zu, \"changed\": %zu}\n",
		      res->added, res->removed, res->changed);
	ds_ctl_answer_waiting(c, &rs);
	ds_buf_free(b);
}

/* POST /v1/reload: answered when the reload is over (the file is read in a
 * worker thread, the loop goes on meanwhile). */
static void reload(struct ds_control *c, const struct ctl_req *rq, struct ctl_resp *rs)
{
	int err;

	if (!method_is(rq, rs, "POST"))
		return;
	err = ds_view_reload(c->net, reload_done_h, c);
	if (err) {
		ds_ctl_error(rs, 409, "cannot reload: %s", err == EBUSY ? "dualsite is stopping" :
			     err == ENOTSUP ? "this run has no configuration file to read" :
			     strerror(err));
		return;
	}
	rs->defer = true;
}

void ds_ctl_route(struct ds_control *c, const struct ctl_req *rq, struct ctl_resp *rs)
{
	if (rq->nseg >= 3 && rq->nseg <= 4 && seg_is(rq, rq->nseg, "v1", "agents")) {
		agents(c, rq, rs);
	} else if (rq->nseg == 4 && seg_is(rq, 4, "v1", "sites")) {
		sites(c, rq, rs);
	} else if (seg_is(rq, 2, "v1", "status")) {
		if (method_is(rq, rs, "GET"))
			get_status(c, rs);
	} else if (seg_is(rq, 1, "metrics", NULL)) {
		if (method_is(rq, rs, "GET"))
			ds_ctl_metrics(c, rs);
	} else if (seg_is(rq, 2, "v1", "reload")) {
		reload(c, rq, rs);
	} else if (seg_is(rq, 2, "v1", "events")) {
		if (method_is(rq, rs, "GET"))
			rs->stream = true;
	} else if (ds_ctl_page_path(rq)) {
		if (method_is(rq, rs, "GET"))
			ds_ctl_page(rq, rs);
	} else {
		ds_ctl_error(rs, 404, "no such path; the endpoint serves / (the status page), "
			     "/v1/status, /v1/agents/NAME, /v1/sites/SITE/drain, /v1/reload, "
			     "/v1/events, /metrics");
	}
}
