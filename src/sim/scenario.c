/* Scenario files (docs/behaviour.md §6): YAML that scripts the simulated world, parsed
 * with libfyaml. Every problem is reported with file:line:col, the object
 * path and what would be right; events may be written in any order and are
 * sorted stably by time, so events of one instant keep the order written. */
#include <errno.h>
#include <libfyaml.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "dualsite/sim.h"
#include "simint.h"
#include "../util/util.h"

/* Longest file we read: a scenario is a page, not a log. */
#define DS_SCENARIO_MAX_BYTES (16u << 20)

static const char *const top_keys[] = {"agent", "duration", "seed", "events"};
static const char *const event_keys[] = {"at", "down", "up", "call", "unregister",
					 "reject", "code", "retry-after", "accept", "manual", "proxy",
					 "drain", "undrain"};
#define N_TOP (sizeof(top_keys) / sizeof(top_keys[0]))
#define N_EVENT_KEYS (sizeof(event_keys) / sizeof(event_keys[0]))

struct parse {
	struct ds_scenario *sc;
	struct ds_diags *diags;
	size_t cap;
};

static struct ds_loc node_loc(const struct parse *p, struct fy_node *n, const struct ds_loc *dflt)
{
	struct ds_loc loc = dflt ? *dflt : (struct ds_loc){p->sc->file, 1, 1};
	void *it = NULL;
	struct fy_node_pair *pair;
	struct fy_node *item;

	/* Collections have no mark of their own here: use their first key or item. */
	while (n && fy_node_get_type(n) != FYNT_SCALAR) {
		if (fy_node_get_type(n) == FYNT_MAPPING) {
			pair = fy_node_mapping_iterate(n, &it);
			n = pair ? fy_node_pair_key(pair) : NULL;
		} else {
			item = fy_node_sequence_iterate(n, &it);
			n = item;
		}
		it = NULL;
	}
	struct fy_token *tok = n ? fy_node_get_scalar_token(n) : NULL;
	const struct fy_mark *m = tok ? fy_token_start_mark(tok) : NULL;
	if (m) {
		loc.line = m->line + 1;
		loc.col = m->column + 1;
	}
	return loc;
}

static void err(struct parse *p, const struct ds_loc *loc, const char *path,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void err(struct parse *p, const struct ds_loc *loc, const char *path,
		const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ds_diag_add(p->diags, DS_SEV_ERROR, loc, path, "%s", msg);
}

static const char *scalar(struct fy_node *n)
{
	return n && fy_node_get_type(n) == FYNT_SCALAR ? fy_node_get_scalar0(n) : NULL;
}

/* docs/behaviour.md §2.3 rule 15, as in the configuration: "10" is a string. */
static int quoted(struct parse *p, struct fy_node *n, const char *path,
		  const struct ds_loc *loc, const char *s)
{
	if (fy_node_get_style(n) == FYNS_PLAIN)
		return 0;
	err(p, loc, path, "\"%s\" is written in quotes, which makes it a string, not a "
	    "number; drop the quotes", s);
	return EINVAL;
}

/* Seconds, decimals allowed, to whole milliseconds. */
static int seconds(struct parse *p, struct fy_node *n, const char *path,
		   const struct ds_loc *loc, bool positive, int64_t *ms)
{
	const char *s = scalar(n);
	char *end;
	double x;

	if (!s || !*s) {
		err(p, loc, path, "expected a number of seconds such as 10 or 2.5");
		return EINVAL;
	}
	errno = 0;
	x = strtod(s, &end);
	if (*end || errno || !isfinite(x) || x < 0 || (positive && x <= 0) || x > 1e12) {
		err(p, loc, path, "'%s' is not a valid time; expected a number of seconds %s, "
		    "such as 10 or 2.5", s, positive ? "above 0" : "from 0");
		return EINVAL;
	}
	double r = round(x * 1000.0);
	if (fabs(x * 1000.0 - r) > 1e-6 * (1.0 + r)) {
		err(p, loc, path, "'%s' is finer than a millisecond; use at most 3 decimals", s);
		return EINVAL;
	}
	if (quoted(p, n, path, loc, s))
		return EINVAL;
	*ms = (int64_t)r;
	return 0;
}

static int whole(struct parse *p, struct fy_node *n, const char *path, const struct ds_loc *loc,
		 unsigned long long lo, unsigned long long hi, const char *what,
		 unsigned long long *v)
{
	const char *s = scalar(n);
	char *end;

	if (s && *s >= '0' && *s <= '9') {
		errno = 0;
		*v = strtoull(s, &end, 10);
		if (!*end && !errno && *v >= lo && *v <= hi)
			return quoted(p, n, path, loc, s);
	}
	err(p, loc, path, "'%s' is not %s; expected a whole number %llu..%llu", s ? s : "(not a scalar)",
	    what, lo, hi);
	return EINVAL;
}

static int choice(struct parse *p, struct fy_node *n, const char *path, const struct ds_loc *loc,
		  const char *a, const char *b, bool *is_b)
{
	const char *s = scalar(n);

	if (s && !strcasecmp(s, a)) {
		*is_b = false;
		return 0;
	}
	if (s && !strcasecmp(s, b)) {
		*is_b = true;
		return 0;
	}
	err(p, loc, path, "'%s' is not valid here; expected '%s' or '%s'", s ? s : "(not a scalar)", a, b);
	return EINVAL;
}

static bool is_action(const char *k)
{
	static const char *const actions[] = {"down", "up", "call", "unregister", "reject",
					      "accept", "manual", "drain", "undrain"};

	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (!strcmp(k, actions[i]))
			return true;
	return false;
}

/* One event: {at: T, ACTION: VALUE [, code: C [, retry-after: S]] [, proxy: N]}. */
static int parse_event(struct parse *p, struct fy_node *n, size_t idx, struct ds_scenario_event *ev)
{
	char path[64], kpath[96];
	struct ds_loc eloc = node_loc(p, n, NULL);
	struct fy_node *v_at = NULL, *v_act = NULL, *v_code = NULL, *v_retry = NULL, *v_proxy = NULL;
	const char *act = NULL;
	struct ds_loc act_loc = eloc, code_loc = eloc, retry_loc = eloc, proxy_loc = eloc;
	int bad = 0;
	void *it = NULL;
	struct fy_node_pair *pair;

	snprintf(path, sizeof(path), "events/%zu", idx);
	memset(ev, 0, sizeof(*ev));
	ev->loc = eloc;
	if (fy_node_get_type(n) != FYNT_MAPPING) {
		err(p, &eloc, path, "an event is a mapping such as {at: 10, down: SiteX}");
		return EINVAL;
	}
	while ((pair = fy_node_mapping_iterate(n, &it))) {
		struct fy_node *kn = fy_node_pair_key(pair), *vn = fy_node_pair_value(pair);
		const char *k = scalar(kn);
		struct ds_loc kloc = node_loc(p, kn, &eloc), vloc = node_loc(p, vn, &kloc);

		if (!k) {
			err(p, &kloc, path, "an event's keys are names such as 'at' or 'down'");
			bad = 1;
			continue;
		}
		snprintf(kpath, sizeof(kpath), "%s/%s", path, k);
		if (!strcmp(k, "at")) {
			v_at = vn;
		} else if (!strcmp(k, "code")) {
			v_code = vn;
			code_loc = vloc;
		} else if (!strcmp(k, "retry-after")) {
			v_retry = vn;
			retry_loc = vloc;
		} else if (!strcmp(k, "proxy")) {
			v_proxy = vn;
			proxy_loc = vloc;
		} else if (is_action(k)) {
			if (act) {
				err(p, &kloc, kpath, "an event does one thing; '%s' and '%s' "
				    "belong in two events", act, k);
				bad = 1;
				continue;
			}
			act = k;
			v_act = vn;
			act_loc = vloc;
		} else {
			const char *near = ds_closest(k, event_keys, N_EVENT_KEYS);
			err(p, &kloc, kpath, "unknown event key '%s'%s%s%s", k,
			    near ? "; did you mean '" : "; expected at and one of down, up, call, "
			    "unregister, reject (with code), accept, manual, drain, undrain",
			    near ? near : "",
			    near ? "'?" : "");
			bad = 1;
		}
	}
	if (!v_at) {
		err(p, &eloc, path, "the event has no time; add 'at: SECONDS'");
		bad = 1;
	} else {
		snprintf(kpath, sizeof(kpath), "%s/at", path);
		struct ds_loc l = node_loc(p, v_at, &eloc);
		bad |= seconds(p, v_at, kpath, &l, false, &ev->fault.at) != 0;
	}
	if (!act) {
		err(p, &eloc, path, "the event does nothing; add one of down, up, call, unregister, "
		    "reject (with code), accept, manual, drain, undrain");
		return EINVAL;
	}
	snprintf(kpath, sizeof(kpath), "%s/%s", path, act);
	struct ds_fault *f = &ev->fault;
	bool b = false;
	unsigned long long u;
	if (!strcmp(act, "down") || !strcmp(act, "up")) {
		const char *s = scalar(v_act);

		f->type = act[0] == 'd' ? DS_FAULT_DOWN : DS_FAULT_UP;
		ev->target_loc = act_loc;
		if (!s || !*s) {
			err(p, &act_loc, kpath, "expected a site or server name such as SiteX or SIP_X");
			bad = 1;
		} else if (!(f->name = strdup(s))) {
			return ENOMEM;
		}
	} else if (!strcmp(act, "drain") || !strcmp(act, "undrain")) {
		const char *s = scalar(v_act);

		f->type = act[0] == 'd' ? DS_FAULT_DRAIN : DS_FAULT_UNDRAIN;
		ev->target_loc = act_loc;
		if (!s || !*s) {
			err(p, &act_loc, kpath, "expected a site name such as SiteX");
			bad = 1;
		} else if (!(f->name = strdup(s))) {
			return ENOMEM;
		}
	} else if (!strcmp(act, "call")) {
		if (choice(p, v_act, kpath, &act_loc, "start", "end", &b))
			bad = 1;
		f->type = b ? DS_FAULT_CALL_END : DS_FAULT_CALL_START;
		snprintf(kpath, sizeof(kpath), "%s/proxy", path);
		if (v_proxy && f->type == DS_FAULT_CALL_START) {
			if (whole(p, v_proxy, kpath, &proxy_loc, 0, 1,
				  "the registration the call comes through (0: preferred site, 1: peer site)", &u))
				bad = 1;
			else
				f->proxy = (int)u;
			f->via_proxy = true;
		}
	} else if (!strcmp(act, "manual")) {
		if (choice(p, v_act, kpath, &act_loc, "switchover", "restore", &b))
			bad = 1;
		f->type = b ? DS_FAULT_MANUAL_RESTORE : DS_FAULT_MANUAL_SWITCHOVER;
	} else {
		f->type = !strcmp(act, "unregister") ? DS_FAULT_UNREGISTER
			  : !strcmp(act, "reject") ? DS_FAULT_REJECT : DS_FAULT_ACCEPT;
		if (whole(p, v_act, kpath, &act_loc, 0, 1, "a proxy (0: preferred site, 1: peer site)", &u))
			bad = 1;
		else
			f->proxy = (int)u;
	}
	if (f->type == DS_FAULT_REJECT) {
		snprintf(kpath, sizeof(kpath), "%s/code", path);
		if (!v_code) {
			err(p, &eloc, path, "'reject' needs the SIP status to answer with, e.g. 'code: 403'");
			bad = 1;
		} else if (whole(p, v_code, kpath, &code_loc, 300, 699, "a SIP rejection status", &u)) {
			bad = 1;
		} else {
			f->code = (int)u;
		}
		snprintf(kpath, sizeof(kpath), "%s/retry-after", path);
		if (v_retry) {
			if (whole(p, v_retry, kpath, &retry_loc, 1, 86400, "a Retry-After in seconds", &u))
				bad = 1;
			else if (v_code && f->code != 503) {
				err(p, &retry_loc, kpath, "retry-after goes with 'code: 503' only "
				    "(a 503 Service Unavailable carries Retry-After), not with %d", f->code);
				bad = 1;
			} else {
				f->retry_after = (uint32_t)u;
			}
		}
	} else {
		if (v_code) {
			err(p, &code_loc, path, "'code' goes with 'reject' only");
			bad = 1;
		}
		if (v_retry) {
			err(p, &retry_loc, path, "'retry-after' goes with 'reject' (and code 503) only");
			bad = 1;
		}
	}
	if (v_proxy && f->type != DS_FAULT_CALL_START) {
		err(p, &proxy_loc, path, "'proxy' goes with 'call: start' only (the registration "
		    "the call comes through)");
		bad = 1;
	}
	return bad ? EINVAL : 0;
}

static int parse_events(struct parse *p, struct fy_node *n, const struct ds_loc *loc)
{
	struct ds_scenario *sc = p->sc;
	void *it = NULL;
	struct fy_node *item;
	size_t idx = 0;

	if (fy_node_get_type(n) != FYNT_SEQUENCE) {
		err(p, loc, "events", "'events' is a list, e.g. [{at: 10, down: SiteX}]");
		return EINVAL;
	}
	while ((item = fy_node_sequence_iterate(n, &it))) {
		struct ds_scenario_event ev;
		char path[64];
		int e = parse_event(p, item, idx, &ev);

		if (e == ENOMEM)
			return ENOMEM;
		snprintf(path, sizeof(path), "events/%zu", idx++);
		if (e) {
			free((char *)ev.fault.name);
			continue;
		}
		if (sc->n_events == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 16;
			struct ds_scenario_event *v = realloc(sc->events, cap * sizeof(*v));

			if (!v) {
				free((char *)ev.fault.name);
				return ENOMEM;
			}
			sc->events = v;
			p->cap = cap;
		}
		if (!(ev.path = strdup(path))) {
			free((char *)ev.fault.name);
			return ENOMEM;
		}
		sc->events[sc->n_events++] = ev;
	}
	return 0;
}

/* Stable by time: insertion sort keeps equal times in the written order. */
static void sort_events(struct ds_scenario *sc)
{
	for (size_t i = 1; i < sc->n_events; i++) {
		struct ds_scenario_event ev = sc->events[i];
		size_t j = i;

		while (j > 0 && sc->events[j - 1].fault.at > ev.fault.at) {
			sc->events[j] = sc->events[j - 1];
			j--;
		}
		sc->events[j] = ev;
	}
}

static int add_agent(struct ds_scenario *sc, const char *name, const struct ds_loc *loc)
{
	for (size_t i = 0; i < sc->n_agents; i++)
		if (!strcmp(sc->agents[i], name))
			return 0;   /* named twice: one agent */
	char **v = realloc(sc->agents, (sc->n_agents + 1) * sizeof(*v));
	if (!v)
		return ENOMEM;
	sc->agents = v;
	struct ds_loc *l = realloc(sc->agent_locs, (sc->n_agents + 1) * sizeof(*l));
	if (!l)
		return ENOMEM;
	sc->agent_locs = l;
	l[sc->n_agents] = *loc;
	if (!(v[sc->n_agents] = strdup(name)))
		return ENOMEM;
	sc->n_agents++;
	sc->agent = sc->agents[0];
	return 0;
}

/* `agent:` one person, a list of persons, or `all` (docs/behaviour.md §9). */
static int parse_agents(struct parse *p, struct fy_node *vn, const struct ds_loc *vloc)
{
	static const char *const want = "expected the name of a person ('agent: alice'), "
					"a list of them ('agent: [alice, bob]') or 'all'";
	struct ds_scenario *sc = p->sc;
	const char *s = scalar(vn);
	void *it = NULL;
	struct fy_node *item;
	size_t idx = 0;

	if (s && !strcmp(s, "all")) {
		sc->all_agents = true;
		return 0;
	}
	if (s)
		return *s ? add_agent(sc, s, vloc) : (err(p, vloc, "agent", "%s", want), 0);
	if (!vn || fy_node_get_type(vn) != FYNT_SEQUENCE) {
		err(p, vloc, "agent", "%s", want);
		return 0;
	}
	while ((item = fy_node_sequence_iterate(vn, &it))) {
		const char *name = scalar(item);
		struct ds_loc iloc = node_loc(p, item, vloc);
		char path[48];

		snprintf(path, sizeof(path), "agent/%zu", idx++);
		if (!name || !*name || !strcmp(name, "all")) {
			err(p, &iloc, path, "expected the name of a person%s",
			    name && !strcmp(name, "all") ? " ('all' stands alone: 'agent: all')" : "");
			continue;
		}
		int e = add_agent(sc, name, &iloc);
		if (e)
			return e;
	}
	if (!idx)
		err(p, vloc, "agent", "the list of agents is empty; %s", want);
	return 0;
}

static int parse_root(struct parse *p, struct fy_node *root)
{
	struct ds_scenario *sc = p->sc;
	struct ds_loc top = {sc->file, 1, 1};
	void *it = NULL;
	struct fy_node_pair *pair;
	bool have_duration = false;
	int e;

	if (!root || fy_node_get_type(root) != FYNT_MAPPING) {
		err(p, &top, "", "a scenario is a mapping with agent, duration, seed and events");
		return 0;
	}
	while ((pair = fy_node_mapping_iterate(root, &it))) {
		struct fy_node *kn = fy_node_pair_key(pair), *vn = fy_node_pair_value(pair);
		const char *k = scalar(kn);
		struct ds_loc kloc = node_loc(p, kn, &top), vloc = node_loc(p, vn, &kloc);
		unsigned long long u;

		if (!k) {
			err(p, &kloc, "", "expected a key: agent, duration, seed or events");
		} else if (!strcmp(k, "agent")) {
			sc->agent_loc = vloc;
			if ((e = parse_agents(p, vn, &vloc)))
				return e;
		} else if (!strcmp(k, "duration")) {
			have_duration = !seconds(p, vn, "duration", &vloc, true, &sc->duration);
		} else if (!strcmp(k, "seed")) {
			if (!whole(p, vn, "seed", &vloc, 0, UINT64_MAX, "a seed", &u)) {
				sc->seed = u;
				sc->has_seed = true;
			}
		} else if (!strcmp(k, "events")) {
			if (scalar(vn) && !*scalar(vn))
				continue;   /* `events:` with nothing: no events */
			e = parse_events(p, vn, &vloc);
			if (e == ENOMEM)
				return e;
		} else {
			const char *near = ds_closest(k, top_keys, N_TOP);

			err(p, &kloc, k, "unknown key '%s'; %s%s%s", k,
			    near ? "did you mean '" : "expected agent, duration, seed or events",
			    near ? near : "", near ? "'?" : "");
		}
	}
	if (!sc->n_agents && !sc->all_agents && !fy_node_mapping_lookup_by_string(root, "agent", -1))
		err(p, &top, "agent", "no agent; add 'agent: NAME' (a person of the configuration)");
	if (!fy_node_mapping_lookup_by_string(root, "duration", -1))
		err(p, &top, "duration", "no duration; add 'duration: SECONDS'");
	for (size_t i = 0; have_duration && i < sc->n_events; i++) {
		struct ds_scenario_event *ev = &sc->events[i];

		if (ev->fault.at > sc->duration)
			err(p, &ev->loc, ev->path, "at %lld.%03lld is after the end of the scenario "
			    "(duration %lld.%03lld); move it earlier or lengthen the duration",
			    (long long)(ev->fault.at / 1000), (long long)(ev->fault.at % 1000),
			    (long long)(sc->duration / 1000), (long long)(sc->duration % 1000));
	}
	sort_events(sc);
	return 0;
}

int ds_scenario_parse(struct ds_scenario **scp, const char *name,
		      const char *text, size_t len, struct ds_diags *diags)
{
	struct ds_scenario *sc = calloc(1, sizeof(*sc));
	struct fy_diag_cfg dcfg;
	struct fy_diag *fdiag = NULL;
	struct fy_document *fyd = NULL;
	struct parse p = {.sc = sc, .diags = diags};
	int e = ENOMEM;

	if (!sc || !(sc->file = strdup(name)))
		goto out;
	{
		struct ds_loc loc = {sc->file, 1, 1};
		char why[192];

		if (ds_yaml_text_refused(text, len, &loc.line, &loc.col, why, sizeof(why))) {
			ds_diag_add(diags, DS_SEV_ERROR, &loc, "", "YAML syntax: %s", why);
			e = 0;
			goto out;
		}
	}
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	if (!(fdiag = fy_diag_create(&dcfg)))
		goto out;
	fy_diag_set_collect_errors(fdiag, true);
	struct fy_parse_cfg pcfg = {
		.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE,
		.diag = fdiag,
	};
	fyd = fy_document_build_from_string(&pcfg, text, len);
	if (!fyd) {
		void *it = NULL;
		struct fy_diag_error *de;
		size_t before = diags->errors;

		/* libfyaml's collected errors carry 1-based positions. */
		while ((de = fy_diag_errors_iterate(fdiag, &it))) {
			struct ds_loc loc = {sc->file, de->line, de->column};

			ds_diag_add(diags, DS_SEV_ERROR, &loc, "", "YAML syntax: %s", de->msg);
		}
		if (diags->errors == before) {
			struct ds_loc loc = {sc->file, 1, 1};

			ds_diag_add(diags, DS_SEV_ERROR, &loc, "", "YAML syntax: not a valid YAML document");
		}
		e = 0;
		goto out;
	}
	{
		struct ds_loc loc = {sc->file, 1, 1};

		if (ds_yaml_quote_trap(fy_document_root(fyd), text, len, &loc.line, &loc.col)) {
			ds_diag_add(diags, DS_SEV_ERROR, &loc, "", "%s", DS_QUOTE_TRAP_MSG);
			e = 0;
			goto out;
		}
	}
	e = parse_root(&p, fy_document_root(fyd));
out:
	if (fyd)
		fy_document_destroy(fyd);
	if (fdiag)
		fy_diag_destroy(fdiag);
	if (e) {
		ds_scenario_free(sc);
		return e;
	}
	*scp = sc;
	return 0;
}

int ds_scenario_load(struct ds_scenario **scp, const char *file, struct ds_diags *diags)
{
	FILE *f = fopen(file, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int e = 0;

	struct ds_loc whole_file = {file, 0, 0};

	if (!f) {
		e = errno ? errno : EIO;
		ds_diag_add(diags, DS_SEV_ERROR, &whole_file, "", "cannot read the scenario: %s",
			    strerror(e));
		return e;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= DS_SCENARIO_MAX_BYTES) {
				ds_diag_add(diags, DS_SEV_ERROR, &whole_file, "", "the scenario is "
					    "larger than %u bytes", DS_SCENARIO_MAX_BYTES);
				e = EIO;
				break;
			}
			cap = cap ? cap * 2 : 4096;
			char *b = realloc(buf, cap);
			if (!b) {
				e = ENOMEM;
				break;
			}
			buf = b;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0) {
			if (ferror(f)) {
				e = EIO;
				ds_diag_add(diags, DS_SEV_ERROR, &whole_file, "", "cannot read the "
					    "scenario: %s", strerror(errno ? errno : EIO));
			}
			break;
		}
	}
	fclose(f);
	if (!e)
		e = ds_scenario_parse(scp, file, buf, n, diags);
	free(buf);
	return e;
}

void ds_scenario_free(struct ds_scenario *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->n_events; i++) {
		free((char *)sc->events[i].fault.name);
		free(sc->events[i].path);
	}
	free(sc->events);
	for (size_t i = 0; i < sc->n_agents; i++)
		free(sc->agents[i]);
	free(sc->agents);
	free(sc->agent_locs);
	free(sc->file);
	free(sc);
}

/* The names a down/up target may take: the configuration's sites, then its
 * servers. Returns a malloc'd array (NULL with *n = 0 when empty). */
static const char **known_targets(const struct ds_config *cfg, size_t *n)
{
	const char **v = calloc(2 * cfg->n_servers + 1, sizeof(*v));
	size_t k = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < cfg->n_servers; i++) {
		const char *site = cfg->servers[i].site;
		bool seen = false;

		for (size_t j = 0; site && j < k; j++)
			seen |= !strcmp(v[j], site);
		if (site && !seen)
			v[k++] = site;
	}
	for (size_t i = 0; i < cfg->n_servers; i++)
		v[k++] = cfg->servers[i].name;
	*n = k;
	return v;
}

/* drain:/undrain: name a site of the configuration (any agent's: the
 * event is for every agent of the scenario, each on its own sites). */
static void resolve_site(const struct ds_config *cfg, struct ds_scenario_event *ev,
			 struct ds_diags *diags)
{
	const struct ds_fault *f = &ev->fault;
	const char **sites = calloc(cfg->n_servers + 1, sizeof(*sites));
	size_t n = 0;
	char path[96];

	snprintf(path, sizeof(path), "%s/%s", ev->path,
		 f->type == DS_FAULT_DRAIN ? "drain" : "undrain");
	if (!sites) {
		ds_diag_add(diags, DS_SEV_ERROR, &ev->target_loc, path, "out of memory");
		return;
	}
	for (size_t i = 0; i < cfg->n_servers; i++) {
		const char *s = cfg->servers[i].site;
		bool seen = false;

		for (size_t j = 0; s && j < n; j++)
			seen |= !strcmp(sites[j], s);
		if (!s || seen)
			continue;
		if (!strcmp(s, f->name)) {
			free(sites);
			return;
		}
		sites[n++] = s;
	}
	const char *near = ds_closest(f->name, sites, n);
	ds_diag_add(diags, DS_SEV_ERROR, &ev->target_loc, path,
		    "'%s' is not a site of the configuration%s%s%s", f->name,
		    near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
	free(sites);
}

size_t ds_scenario_resolve(struct ds_scenario *sc, const struct ds_config *cfg,
			   const struct ds_engine_conf *conf, struct ds_diags *diags)
{
	size_t before = diags->errors;
	size_t n_known = 0;
	const char **known = NULL;

	for (size_t a = 0; a < sc->n_agents; a++) {
		const char *agent = sc->agents[a];
		const char **names;
		const char *near = NULL;

		if (ds_config_person(cfg, agent))
			continue;
		names = calloc(cfg->n_persons + 1, sizeof(*names));
		for (size_t i = 0; names && i < cfg->n_persons; i++)
			names[i] = cfg->persons[i].name;
		if (names)
			near = ds_closest(agent, names, cfg->n_persons);
		ds_diag_add(diags, DS_SEV_ERROR, &sc->agent_locs[a], "agent",
			    "no person '%s' in the configuration%s%s%s", agent,
			    near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
		free(names);
	}
	for (size_t i = 0; i < sc->n_events; i++) {
		struct ds_scenario_event *ev = &sc->events[i];
		struct ds_fault *f = &ev->fault;
		bool found = false;
		char path[96];

		if (f->type == DS_FAULT_DRAIN || f->type == DS_FAULT_UNDRAIN) {
			resolve_site(cfg, ev, diags);
			continue;
		}
		if ((f->type != DS_FAULT_DOWN && f->type != DS_FAULT_UP) || !f->name)
			continue;
		snprintf(path, sizeof(path), "%s/%s", ev->path, f->type == DS_FAULT_DOWN ? "down" : "up");
		if (!known && !(known = known_targets(cfg, &n_known)) && cfg->n_servers) {
			ds_diag_add(diags, DS_SEV_ERROR, &ev->target_loc, path, "out of memory");
			break;
		}
		for (size_t j = 0; j < n_known; j++)
			found |= !strcmp(known[j], f->name);
		if (!found) {
			const char *near = ds_closest(f->name, known, n_known);

			ds_diag_add(diags, DS_SEV_ERROR, &ev->target_loc, path,
				    "'%s' is neither a site nor a server of the configuration%s%s%s",
				    f->name, near ? "; did you mean '" : "", near ? near : "",
				    near ? "'?" : "");
			continue;
		}
		if (!conf)
			continue;
		f->slots = ds_sim_slots_of(conf, f->name);
		if (!f->slots)
			ds_diag_add(diags, DS_SEV_WARNING, &ev->target_loc, path,
				    "'%s' serves none of %s's connections; this event changes nothing",
				    f->name, conf->agent);
	}
	free(known);
	return diags->errors - before;
}
