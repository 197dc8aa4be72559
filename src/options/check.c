/* Parsing and checking every written option once (docs/behaviour.md §2.2, rules 8 and 11).
 *
 * Policy: each value written in an `interaction-workspace` section is parsed
 * here exactly once and its result stored in the ds_opt itself (id, valid,
 * value); the hierarchy and validation only read those results, so a bad
 * value is reported once, at the place it was written, however many agents
 * inherit it. Names outside our three prefixes are left alone: Workspace
 * keeps hundreds of other options in the same section. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "dualsite/config.h"
#include "dualsite/options.h"
#include "parse.h"

static const char *const prefixes[] = {"disaster-recovery.", "sipendpoint.", "dualsite."};

void ds_option_numfmt(double d, char *buf, size_t sz)
{
	if (d == floor(d) && fabs(d) < 1e15)
		snprintf(buf, sz, "%.0f", d);
	else
		snprintf(buf, sz, "%.6g", d);
}

void ds_option_expect(int id, char *buf, size_t sz)
{
	const struct ds_option_def *def = &ds_option_defs[id];
	char lo[32], hi[32];
	size_t n;

	switch (def->type) {
	case DS_OT_BOOL:
		snprintf(buf, sz, "true or false");
		return;
	case DS_OT_INT:
	case DS_OT_DECIMAL:
		ds_option_numfmt(def->min, lo, sizeof(lo));
		ds_option_numfmt(def->max, hi, sizeof(hi));
		snprintf(buf, sz, "%s %s..%s", def->type == DS_OT_INT ? "a whole number" : "a number",
			 lo, hi);
		return;
	case DS_OT_NAME:
		snprintf(buf, sz, "a name");
		return;
	case DS_OT_HOST:
		snprintf(buf, sz, "a host name or address");
		return;
	case DS_OT_PATH:
		snprintf(buf, sz, "a file name");
		return;
	case DS_OT_ENUM:
		n = (size_t)snprintf(buf, sz, "one of ");
		for (size_t i = 0; def->enums[i] && n < sz; i++)
			n += (size_t)snprintf(buf + n, sz - n, "%s%s", i ? ", " : "", def->enums[i]);
		return;
	}
}

/* Digits with an optional sign and, when `decimals`, one fractional part:
 * stricter than strtod, which would take "1e3", "0x10", "inf" or " 5". */
static bool number_syntax(const char *s, bool decimals)
{
	size_t i = 0, digits = 0;

	if (s[i] == '+' || s[i] == '-')
		i++;
	for (; isdigit((unsigned char)s[i]); i++)
		digits++;
	if (decimals && s[i] == '.') {
		i++;
		for (; isdigit((unsigned char)s[i]); i++)
			digits++;
	}
	return digits > 0 && s[i] == '\0';
}

/* YAML 1.1 spellings of booleans: a user who writes these meant a boolean. */
static bool yaml11_bool(const char *s)
{
	static const char *const words[] = {"y", "yes", "n", "no", "on", "off", "true", "false"};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(s, words[i]))
			return true;
	return false;
}

bool ds_option_parse(int id, const char *text, union ds_optval *v, char *why, size_t sz)
{
	const struct ds_option_def *def = &ds_option_defs[id];
	char expect[96];

	ds_option_expect(id, expect, sizeof(expect));
	if (!text) {
		snprintf(why, sz, "is not a single value; expected %s", expect);
		return false;
	}
	if (!*text && def->type != DS_OT_NAME && def->type != DS_OT_HOST) {
		snprintf(why, sz, "has no value; expected %s", expect);
		return false;
	}
	switch (def->type) {
	case DS_OT_BOOL:
		if (!strcmp(text, "true") || !strcmp(text, "false")) {
			v->b = text[0] == 't';
			return true;
		}
		if (yaml11_bool(text))
			snprintf(why, sz, "is `%s`; YAML 1.2 booleans are true/false", text);
		else
			snprintf(why, sz, "is `%s`; expected true or false", text);
		return false;
	case DS_OT_INT:
	case DS_OT_DECIMAL:
		if (!number_syntax(text, def->type == DS_OT_DECIMAL)) {
			snprintf(why, sz, "is `%s`; expected %s", text, expect);
			return false;
		}
		v->d = strtod(text, NULL);
		if (v->d < def->min || v->d > def->max) {
			snprintf(why, sz, "is %s; expected %s", text, expect);
			return false;
		}
		return true;
	case DS_OT_NAME:
		if (!*text) {
			snprintf(why, sz, "is empty; expected %s", expect);
			return false;
		}
		v->s = text;
		return true;
	case DS_OT_HOST:
		if (!*text) {
			snprintf(why, sz, "is empty; expected %s", expect);
			return false;
		}
		/* rule 13: what `run` could not resolve nor send to */
		if (!ds_host_ok(text)) {
			snprintf(why, sz, "is `%s`; expected %s: an IP address (IPv6 without "
				 "brackets) or a DNS name, no port, no URI", text, expect);
			return false;
		}
		v->s = text;
		return true;
	case DS_OT_PATH:
		/* whether it can be read is validate's and run's (tls.c) */
		v->s = text;
		return true;
	case DS_OT_ENUM:
		for (int i = 0; def->enums[i]; i++)
			if (!strcasecmp(text, def->enums[i])) {
				v->e = i;
				return true;
			}
		snprintf(why, sz, "is `%s`; expected %s (any case)", text, expect);
		return false;
	}
	return false;
}

enum holder { H_APP, H_TENANT, H_GROUP, H_PERSON, H_SERVER };

static bool known_prefix(const char *name)
{
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* Why an option of this scope does nothing on this holder; NULL when it belongs. */
static const char *misplaced(int id, enum ds_opt_scope scope, enum holder h)
{
	switch (scope) {
	case DS_SCOPE_AGENT:
		return h == H_SERVER ? "is an agent option (application, tenant, agent group or "
				       "person); on a server it is ignored" : NULL;
	case DS_SCOPE_APP_ONLY:
		if (h == H_APP)
			return NULL;
		if (!strncmp(ds_option_defs[id].name, "dualsite.tls-", 13))
			return "is read from the Application alone (one TLS context serves "
			       "every agent of a process); ignored here";
		return "is read from the Application alone (probes are shared by every agent "
		       "of a process); ignored here";
	case DS_SCOPE_SERVER:
		return h == H_SERVER ? NULL : "belongs on a server object "
		       "(servers/NAME/options/interaction-workspace); ignored here";
	}
	return NULL;
}

/* The option `name` misspells in case or separators only, or -1. */
static int near_miss(const char *name)
{
	for (int i = 0; i < DS_OPT_COUNT; i++)
		if (ds_same_loosely(name, ds_option_defs[i].name))
			return i;
	return -1;
}

static void check_one(struct ds_opt *o, enum holder h, struct ds_diags *d)
{
	static const char *names[DS_OPT_COUNT];
	union ds_optval val;
	const char *why, *near;
	char msg[256];

	o->valid = false;
	o->id = ds_option_find(o->name);
	if (o->id < 0 && o->name && (o->id = near_miss(o->name)) >= 0) {
		/* rule 12: an error, not rule 11's warning, since the value
		 * would be dropped for the default without a word. Keeping
		 * the id (not valid) makes it stop the agents that read it. */
		ds_diag_add(d, DS_SEV_ERROR, &o->loc, o->path,
			    "`%s` would be ignored: the option is `%s` (option names are "
			    "lower case and spelt with '-' and '.' exactly as listed); "
			    "rename it", o->name, ds_option_defs[o->id].name);
		return;
	}
	if (o->id < 0) {
		if (!o->name || !known_prefix(o->name))
			return;
		for (int i = 0; i < DS_OPT_COUNT; i++)
			names[i] = ds_option_defs[i].name;
		near = ds_closest(o->name, names, DS_OPT_COUNT);
		if (near)
			ds_diag_add(d, DS_SEV_WARNING, &o->loc, o->path,
				    "unknown option `%s` (ignored); did you mean `%s`?", o->name, near);
		else
			ds_diag_add(d, DS_SEV_WARNING, &o->loc, o->path,
				    "unknown option `%s` (ignored); docs/options.md lists the known ones",
				    o->name);
		return;
	}
	why = misplaced(o->id, ds_option_defs[o->id].scope, h);
	if (why) {
		ds_diag_add(d, DS_SEV_WARNING, &o->loc, o->path, "`%s` %s", o->name, why);
		return;
	}
	if (!ds_option_parse(o->id, o->text, &val, msg, sizeof(msg))) {
		ds_diag_add(d, DS_SEV_ERROR, &o->loc, o->path, "`%s` %s", o->name, msg);
		return;
	}
	/* rule 15: "false" or "60" in quotes is a string to YAML */
	if (o->quoted && (ds_option_defs[o->id].type == DS_OT_BOOL ||
			  ds_option_defs[o->id].type == DS_OT_INT ||
			  ds_option_defs[o->id].type == DS_OT_DECIMAL)) {
		ds_diag_add(d, DS_SEV_ERROR, &o->loc, o->path,
			    "`%s` is written in quotes (\"%s\"), which makes it a string, not %s; "
			    "drop the quotes: `%s: %s`", o->name, o->text,
			    ds_option_defs[o->id].type == DS_OT_BOOL ? "a boolean" : "a number",
			    o->name, o->text);
		return;
	}
	o->valid = true;
	_Static_assert(sizeof(val) == sizeof(o->value), "one value layout");
	memcpy(&o->value, &val, sizeof(val));
}

static void check_set(struct ds_optset *set, enum holder h, struct ds_diags *d)
{
	for (size_t i = 0; i < set->n; i++)
		check_one(&set->v[i], h, d);
}

void ds_options_check(struct ds_config *cfg, struct ds_diags *diags)
{
	check_set(&cfg->app.opts, H_APP, diags);
	for (size_t i = 0; i < cfg->n_tenants; i++)
		check_set(&cfg->tenants[i].opts, H_TENANT, diags);
	for (size_t i = 0; i < cfg->n_groups; i++)
		check_set(&cfg->groups[i].opts, H_GROUP, diags);
	for (size_t i = 0; i < cfg->n_persons; i++)
		check_set(&cfg->persons[i].opts, H_PERSON, diags);
	for (size_t i = 0; i < cfg->n_servers; i++)
		check_set(&cfg->servers[i].opts, H_SERVER, diags);
}
