/* A real run's events read back into a trace (`dualsite render`), so that
 * an incident review draws what happened with the simulator's pictures.
 *
 * The lines are the flat JSON objects that `run --events` writes (strings
 * and numbers, one object a line). A line that is not one is an error at
 * FILE:LINE:COL saying what was expected; nothing is guessed. Blank lines
 * are skipped. Events must come in time order, as `run` writes them. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "dualsite/sim.h"
#include "dualsite/validate.h"

#define NAME_MAX_LEN 128

struct ds_sim_ev_line {
	int line;
	int64_t t;                 /* ms */
	int proxy;                 /* -1: absent */
	int code;                  /* from reason rejected:CODE */
	char agent[NAME_MAX_LEN], event[32], kind[16], site[NAME_MAX_LEN], server[NAME_MAX_LEN];
	char from[NAME_MAX_LEN], to[NAME_MAX_LEN], reason[32];
};

struct lexer {
	const char *s, *start;
	struct ds_sim_replay *rp;
	struct ds_diags *d;
	int line;
};

static int fail(struct lexer *lx, const char *at, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct lexer *lx, const char *at, const char *path, const char *fmt, ...)
{
	struct ds_loc loc = {lx->rp->file, lx->line, (int)(at - lx->start) + 1};
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ds_diag_add(lx->d, DS_SEV_ERROR, &loc, path, "%s", msg);
	return EINVAL;
}

static void ws(struct lexer *lx)
{
	while (*lx->s == ' ' || *lx->s == '\t')
		lx->s++;
}

/* A JSON string into buf; escapes of ASCII only (names are ASCII). */
static int string(struct lexer *lx, char *buf, size_t sz, const char *what)
{
	size_t n = 0;
	const char *at = lx->s;

	if (*lx->s != '"')
		return fail(lx, at, "", "expected %s as a JSON string in double quotes", what);
	for (lx->s++; *lx->s && *lx->s != '"'; lx->s++) {
		char c = *lx->s;

		if ((unsigned char)c < 0x20)
			return fail(lx, lx->s, "", "a control character inside a string");
		if (c == '\\') {
			c = *++lx->s;
			if (!strchr("\"\\/", c))
				return fail(lx, lx->s, "", "an escape other than \\\", \\\\ or \\/ in "
					    "a name; event names are plain text");
		}
		if (n + 1 >= sz)
			return fail(lx, at, "", "%s is longer than %zu bytes", what, sz - 1);
		buf[n++] = c;
	}
	if (*lx->s != '"')
		return fail(lx, at, "", "the string is not closed with '\"'");
	lx->s++;
	buf[n] = '\0';
	return 0;
}

/* `t`: seconds with up to three decimals, to ms. */
static int seconds(struct lexer *lx, int64_t *ms)
{
	const char *at = lx->s;
	char *end;
	double x = strtod(lx->s, &end);

	if (end == lx->s || !isfinite(x) || x < 0 || x > 1e12)
		return fail(lx, at, "t", "expected t as a number of seconds from 0, such as 12.345");
	lx->s = end;
	*ms = (int64_t)llround(x * 1000.0);
	return 0;
}

static int whole(struct lexer *lx, const char *key, int *v)
{
	const char *at = lx->s;
	char *end;
	long x = strtol(lx->s, &end, 10);

	if (end == lx->s || x < 0 || x > 1)
		return fail(lx, at, key, "expected %s as 0 or 1", key);
	lx->s = end;
	*v = (int)x;
	return 0;
}

static int parse_line(struct lexer *lx, struct ds_sim_ev_line *ev)
{
	char key[32];
	bool have_t = false;

	memset(ev, 0, sizeof(*ev));
	ev->line = lx->line;
	ev->proxy = -1;
	ws(lx);
	if (*lx->s != '{')
		return fail(lx, lx->s, "", "expected '{': each line is one JSON object such as "
			    "{\"t\": 1.000, \"agent\": \"alice\", \"event\": \"connected\", ...}");
	lx->s++;
	for (;;) {
		ws(lx);
		const char *kat = lx->s;
		if (string(lx, key, sizeof(key), "a key"))
			return EINVAL;
		ws(lx);
		if (*lx->s != ':')
			return fail(lx, lx->s, key, "expected ':' after the key \"%s\"", key);
		lx->s++;
		ws(lx);
		struct { const char *k; char *buf; size_t sz; } strs[] = {
			{"agent", ev->agent, sizeof(ev->agent)}, {"event", ev->event, sizeof(ev->event)},
			{"kind", ev->kind, sizeof(ev->kind)}, {"site", ev->site, sizeof(ev->site)},
			{"server", ev->server, sizeof(ev->server)}, {"from", ev->from, sizeof(ev->from)},
			{"to", ev->to, sizeof(ev->to)}, {"reason", ev->reason, sizeof(ev->reason)},
		};
		size_t i = 0;
		while (i < sizeof(strs) / sizeof(strs[0]) && strcmp(strs[i].k, key))
			i++;
		int e;
		if (!strcmp(key, "t")) {
			e = seconds(lx, &ev->t);
			have_t = !e;
		} else if (!strcmp(key, "proxy")) {
			e = whole(lx, key, &ev->proxy);
		} else if (i < sizeof(strs) / sizeof(strs[0])) {
			char what[48];
			snprintf(what, sizeof(what), "\"%s\"", key);
			e = string(lx, strs[i].buf, strs[i].sz, what);
		} else {
			e = fail(lx, kat, key, "unknown key \"%s\"; an event has t, agent, event, kind, "
				 "site, server, from, to, reason, proxy", key);
		}
		if (e)
			return e;
		ws(lx);
		if (*lx->s == ',') {
			lx->s++;
			continue;
		}
		if (*lx->s == '}')
			break;
		return fail(lx, lx->s, "", "expected ',' or '}' after the value of \"%s\"", key);
	}
	lx->s++;
	ws(lx);
	if (*lx->s && *lx->s != '\n' && *lx->s != '\r')
		return fail(lx, lx->s, "", "text after the object; one object a line");
	const char *missing = !have_t ? "t" : !ev->agent[0] ? "agent" : !ev->event[0] ? "event" : NULL;
	if (missing)
		return fail(lx, lx->start, missing, "the event has no \"%s\"", missing);
	if (!strncmp(ev->reason, "rejected:", 9))
		ev->code = atoi(ev->reason + 9);
	return 0;
}

static struct ds_sim_ev_line *line_add(struct ds_sim_replay *rp)
{
	if (rp->n_lines == rp->cap_lines) {
		size_t cap = rp->cap_lines ? rp->cap_lines * 2 : 256;
		struct ds_sim_ev_line *v = realloc(rp->lines, cap * sizeof(*v));

		if (!v)
			return NULL;
		rp->lines = v;
		rp->cap_lines = cap;
	}
	return &rp->lines[rp->n_lines++];
}

int ds_sim_replay_parse(struct ds_sim_replay *rp, FILE *f, const char *file, struct ds_diags *d)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	struct lexer lx = {.rp = rp, .d = d};
	int64_t prev = 0;
	size_t errors = d->errors;

	rp->file = file;
	while ((len = getline(&buf, &cap, f)) >= 0) {
		struct ds_sim_ev_line *ev;

		lx.line++;
		lx.s = lx.start = buf;
		ws(&lx);
		if (!*lx.s || *lx.s == '\n' || *lx.s == '\r')
			continue;
		if (strlen(buf) != (size_t)len) {
			fail(&lx, buf + strlen(buf), "", "a NUL byte; the events are text");
			continue;
		}
		if (!(ev = line_add(rp))) {
			free(buf);
			return ENOMEM;
		}
		if (parse_line(&lx, ev)) {
			rp->n_lines--;
			continue;
		}
		if (ev->t < prev)
			fail(&lx, buf, "t", "t %lld.%03lld is before the previous event's %lld.%03lld; "
			     "the events must be in time order, as run writes them",
			     (long long)(ev->t / 1000), (long long)(ev->t % 1000),
			     (long long)(prev / 1000), (long long)(prev % 1000));
		prev = ev->t;
	}
	free(buf);
	if (ferror(f))
		return EIO;
	if (d->errors == errors && !rp->n_lines) {
		struct ds_loc loc = {file, 0, 0};
		ds_diag_add(d, DS_SEV_ERROR, &loc, "", "no event in the file; expected the JSON "
			    "lines of `dualsite run --events` or `dualsite lab --events`");
	}
	rp->last_t = prev;
	return d->errors == errors ? 0 : EINVAL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *pool_add(struct ds_sim_replay *rp, const char *s)
{
	for (size_t i = 0; i < rp->n_pool; i++)
		if (!strcmp(rp->pool[i], s))
			return rp->pool[i];
	if (rp->n_pool == rp->cap_pool) {
		size_t cap = rp->cap_pool ? rp->cap_pool * 2 : 32;
		char **v = realloc(rp->pool, cap * sizeof(*v));

		if (!v)
			return NULL;
		rp->pool = v;
		rp->cap_pool = cap;
	}
	char *c = strdup(s);
	if (c)
		rp->pool[rp->n_pool++] = c;
	return c;
}

static int kind_of(const char *name)
{
	for (int k = 0; k < DS_KIND_COUNT; k++)
		if (!strcmp(ds_kind_name((enum ds_kind)k), name))
			return k;
	return -1;
}

static int site_index(const struct ds_engine_conf *c, const char *name)
{
	for (int s = 0; s < 2; s++)
		if (c->site_name[s] && !strcmp(c->site_name[s], name))
			return s;
	return -1;
}

/* Without a configuration: a site takes the first free place (proxyN's
 * site takes place N), a server the first free member at (kind, site). */
static int learn_site(struct ds_sim_replay *rp, struct ds_engine_conf *c, const char *name,
		      int want)
{
	int s = site_index(c, name);

	if (s >= 0 || !*name)
		return s;
	if (want < 0 || c->site_name[want])
		want = !c->site_name[0] ? 0 : !c->site_name[1] ? 1 : -1;
	if (want >= 0 && !(c->site_name[want] = pool_add(rp, name)))
		return -2;
	return want;
}

static int learn_server(struct ds_sim_replay *rp, struct ds_engine_conf *c, int kind, int site,
			const char *name)
{
	if (kind < 0 || site < 0 || !*name)
		return 0;
	for (int m = 0; m < 2; m++) {
		int slot = DS_SLOT(kind, site, m);

		if (c->server_name[slot] && !strcmp(c->server_name[slot], name))
			return 0;
		if (!c->server_name[slot]) {
			const char *p = pool_add(rp, name);
			if (!p)
				return ENOMEM;
			c->server_name[slot] = p;
			/* its place in the pool: one id per name, for every agent */
			for (size_t i = 0; i < rp->n_pool; i++)
				if (rp->pool[i] == p)
					c->server_id[slot] = (int)i;
			c->kind_connected[kind] = true;
			return 0;
		}
	}
	return 0;
}

static int learn(struct ds_sim_replay *rp, struct ds_engine_conf *c, const struct ds_sim_ev_line *ev)
{
	int kind = ev->kind[0] ? kind_of(ev->kind) : ev->proxy >= 0 ? DS_KIND_SIP : -1;
	int site = learn_site(rp, c, ev->site, ev->proxy);

	if (site == -2)
		return ENOMEM;
	if (learn_site(rp, c, ev->from, -1) == -2 || learn_site(rp, c, ev->to, -1) == -2)
		return ENOMEM;
	if (kind >= 0)
		c->kind_connected[kind] = true;
	if (!strcmp(ev->event, "ha-switch"))
		return learn_server(rp, c, kind, site, ev->from) ||
		       learn_server(rp, c, kind, site, ev->to) ? ENOMEM : 0;
	return learn_server(rp, c, kind, site, ev->server);
}

static int conf_from_events(struct ds_sim_replay *rp, size_t a)
{
	struct ds_engine_conf *c = &rp->confs[a];

	memset(c, 0, sizeof(*c));
	c->agent = rp->agents[a];
	for (int s = 0; s < DS_SLOT_COUNT; s++)
		c->server_id[s] = -1;
	/* proxies first: they say which site is preferred */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < rp->n_lines; i++) {
			const struct ds_sim_ev_line *ev = &rp->lines[i];

			if (strcmp(ev->agent, c->agent) || (pass == 0) != (ev->proxy >= 0))
				continue;
			if (learn(rp, c, ev))
				return ENOMEM;
		}
	c->bc_enabled = c->site_name[1] != NULL;
	return 0;
}

static int slot_of(const struct ds_engine_conf *c, int kind, const char *name)
{
	for (int s = 0; s < DS_SLOT_COUNT; s++)
		if ((kind < 0 || s / 4 == kind) && c->server_name[s] && !strcmp(c->server_name[s], name))
			return s;
	return -1;
}

/* The event's reason: the engine's own names, found by asking it to write
 * each reason (no second list of names to keep in step). */
static int reason_of(const struct ds_event *ev, const struct ds_engine_conf *c, const char *want)
{
	char buf[512], needle[64];
	struct ds_event e = *ev;

	snprintf(needle, sizeof(needle), "\"reason\": \"%s\"", want);
	for (int r = 0; r < 64; r++) {
		e.reason = (enum ds_reason)r;
		ds_event_json(&e, c, buf, sizeof(buf));
		if (strstr(buf, needle))
			return r;
	}
	return -1;
}

static int to_event(struct ds_sim_replay *rp, const struct ds_engine_conf *c,
		    const struct ds_sim_ev_line *l, struct ds_event *ev, struct ds_diags *d)
{
	struct ds_loc loc = {rp->file, l->line, 1};
	int type = -1;

	memset(ev, 0, sizeof(*ev));
	for (int i = 0; i < 64 && type < 0; i++)
		if (!strcmp(ds_event_name((enum ds_event_type)i), l->event))
			type = i;
	if (type < 0) {
		ds_diag_add(d, DS_SEV_ERROR, &loc, "event", "unknown event \"%s\"; expected one of "
			    "the events of docs/behaviour.md §5 (connected, switchover, ...)", l->event);
		return EINVAL;
	}
	ev->type = (enum ds_event_type)type;
	ev->t = l->t;
	ev->proxy = l->proxy;
	ev->code = l->code;
	ev->slot = ev->from = ev->to = -1;
	int kind = l->kind[0] ? kind_of(l->kind) : DS_KIND_SIP;
	const char *bad = NULL, *what = NULL;
	if (kind < 0) {
		bad = l->kind;
		what = "kind";
	}
	ev->kind = kind < 0 ? DS_KIND_SIP : (enum ds_kind)kind;
	if (l->site[0] && (ev->site = site_index(c, l->site)) < 0 && !bad) {
		bad = l->site;
		what = "site";
	}
	if (l->server[0] && (ev->slot = slot_of(c, kind, l->server)) < 0 && !bad) {
		bad = l->server;
		what = "server";
	}
	bool servers = ev->type == DS_EV_HA_SWITCH;
	if (l->from[0] && (ev->from = servers ? slot_of(c, kind, l->from) : site_index(c, l->from)) < 0 && !bad) {
		bad = l->from;
		what = "from";
	}
	if (l->to[0] && (ev->to = servers ? slot_of(c, kind, l->to) : site_index(c, l->to)) < 0 && !bad) {
		bad = l->to;
		what = "to";
	}
	if (bad) {
		ds_diag_add(d, DS_SEV_ERROR, &loc, what, "\"%s\" is not a %s of agent %s in the "
			    "configuration (sites %s and %s)", bad, !strcmp(what, "kind") ? "kind"
			    : !strcmp(what, "site") ? "site" : "server or site", c->agent,
			    c->site_name[0] ? c->site_name[0] : "(none)",
			    c->site_name[1] ? c->site_name[1] : "(none)");
		return EINVAL;
	}
	if (l->reason[0]) {
		char r[32];
		snprintf(r, sizeof(r), "%s", l->reason);
		int reason = reason_of(ev, c, r);
		if (reason < 0) {
			ds_diag_add(d, DS_SEV_ERROR, &loc, "reason", "unknown reason \"%s\" for %s",
				    l->reason, l->event);
			return EINVAL;
		}
		ev->reason = (enum ds_reason)reason;
	}
	return 0;
}

int ds_sim_replay_build(struct ds_sim_replay *rp, const struct ds_config *cfg,
			const char *only, struct ds_diags *d)
{
	size_t errors = d->errors;

	if (!(rp->agents = calloc(rp->n_lines + 1, sizeof(*rp->agents))))
		return ENOMEM;
	for (size_t i = 0; i < rp->n_lines; i++)
		if (!only || !strcmp(only, rp->lines[i].agent))
			rp->agents[rp->n_agents++] = rp->lines[i].agent;
	qsort(rp->agents, rp->n_agents, sizeof(*rp->agents), by_name);
	size_t k = 0;
	for (size_t i = 0; i < rp->n_agents; i++)
		if (!k || strcmp(rp->agents[k - 1], rp->agents[i]))
			rp->agents[k++] = rp->agents[i];
	rp->n_agents = k;
	if (!k)
		return ENOENT;
	if (!(rp->confs = calloc(k, sizeof(*rp->confs))))
		return ENOMEM;
	for (size_t a = 0; a < k; a++) {
		int e;

		if (!cfg) {
			if ((e = conf_from_events(rp, a)))
				return e;
			continue;
		}
		struct ds_probe_conf pc;
		if ((e = ds_sim_setup(cfg, rp->agents[a], &rp->confs[a], &pc))) {
			const struct ds_sim_ev_line *l = rp->lines;
			while (strcmp(l->agent, rp->agents[a]))
				l++;
			struct ds_loc loc = {rp->file, l->line, 1};
			ds_diag_add(d, DS_SEV_ERROR, &loc, "agent", e == ENOENT ? "agent \"%s\" is no "
				    "person of the configuration" : "agent \"%s\" cannot be drawn with "
				    "this configuration", rp->agents[a]);
		}
	}
	if (d->errors != errors)
		return EINVAL;
	rp->trace.regs_answered = true;
	for (size_t i = 0; i < rp->n_lines; i++) {
		const struct ds_sim_ev_line *l = &rp->lines[i];
		const char *key = l->agent;
		const char **hit = bsearch(&key, rp->agents, k, sizeof(*rp->agents), by_name);
		struct ds_event ev;

		if (!hit)
			continue;
		size_t a = (size_t)(hit - rp->agents);
		if (to_event(rp, &rp->confs[a], l, &ev, d))
			continue;
		if (ds_sim_trace_agent_event(&rp->trace, &ev, (int)a))
			return ENOMEM;
		/* a real run's REGISTERs are not in its events: count the answered ones */
		if (ev.type == DS_EV_REGISTERED && ev.slot >= 0 &&
		    ds_sim_trace_register(&rp->trace, ev.t, rp->confs[a].server_id[ev.slot]))
			return ENOMEM;
	}
	return d->errors == errors ? 0 : EINVAL;
}

void ds_sim_replay_reset(struct ds_sim_replay *rp)
{
	free(rp->lines);
	free(rp->agents);
	free(rp->confs);
	ds_sim_trace_reset(&rp->trace);
	for (size_t i = 0; i < rp->n_pool; i++)
		free(rp->pool[i]);
	free(rp->pool);
	memset(rp, 0, sizeof(*rp));
}
