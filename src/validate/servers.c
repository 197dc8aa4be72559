/* Rules about servers themselves (docs/behaviour.md §2.3 rules 3, 4 and 6's unnamed pairs).
 *
 * These are checked once per server, not per agent. Rule 4's findings are made
 * here (an HA pair is broken whether or not anyone uses it); each agent whose
 * chosen pair is broken then counts itself in (validate/agents.c). Rules 3
 * and 6 only matter "while any agent has BC on", so their offenders are
 * listed here and the finding is made when the first agent with BC on uses
 * the configuration. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vd.h"

static void r4(struct vd *v, const struct ds_server *s, unsigned bit, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void r4(struct vd *v, const struct ds_server *s, unsigned bit, const char *fmt, ...)
{
	struct vd_key key = {4, s, NULL, (int)bit};
	char path[512], msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "servers/%s/backup", s->name);
	v->r4[s->index] |= bit;
	vd_note(v, NULL, &key, DS_SEV_ERROR, &s->backup.loc, path, "%s", msg);
}

static bool explicit_name(const struct ds_server *s)
{
	for (size_t i = 0; i < s->opts.n; i++)
		if (s->opts.v[i].id == DS_OPT_DR_NAME && s->opts.v[i].valid)
			return true;
	return false;
}

/* Rule 4: following backups from `s` must stop at its backup. */
static void check_backup(struct vd *v, const struct ds_server *s, const struct ds_server **first_primary)
{
	const struct ds_server *b = s->backup_srv, *w;
	size_t steps;

	if (!s->backup.name || !b)
		return;
	/* A cycle is reported once, at its member that comes first in the file. */
	for (w = b, steps = 0; w && steps <= v->cfg->n_servers; w = w->backup_srv, steps++)
		if (w == s)
			break;
	if (w == s) {
		const struct ds_server *lo = s;

		for (w = b; w != s; w = w->backup_srv)
			if (w->index < lo->index)
				lo = w;
		if (lo == s)
			r4(v, s, R4_CYCLE, "backup `%s` of %s %s leads back to %s; backups cannot "
			   "form a cycle: name the backup in its primary only", b->name,
			   vd_kind_title(s->kind), s->name, s->name);
		else
			v->r4[s->index] |= R4_CYCLE;
		return;
	}
	if (b->kind != s->kind)
		r4(v, s, R4_KIND, "backup `%s` of %s %s is a %s; both members of an HA pair "
		   "must be of one kind", b->name, vd_kind_title(s->kind), s->name,
		   vd_kind_title(b->kind));
	if (s->site && b->site && strcmp(s->site, b->site))
		r4(v, s, R4_SITE, "backup `%s` of %s %s is at site %s, %s at site %s; both "
		   "members of an HA pair must be at the same site", b->name,
		   vd_kind_title(s->kind), s->name, b->site, s->name, s->site);
	if (b->backup.name)
		r4(v, s, R4_CHAINED, "backup `%s` of %s %s names a backup of its own (`%s`); a "
		   "backup cannot be the primary of another pair", b->name,
		   vd_kind_title(s->kind), s->name, b->backup.name);
	if (b->connected)
		r4(v, s, R4_CONNECTED, "backup `%s` of %s %s is also listed in "
		   "application.connections, as a primary; list primaries only", b->name,
		   vd_kind_title(s->kind), s->name);
	if (first_primary[b->index] && first_primary[b->index] != s)
		r4(v, s, R4_SHARED, "`%s` is the backup of both %s and %s; a backup belongs "
		   "to one HA pair", b->name, first_primary[b->index]->name, s->name);
	else
		first_primary[b->index] = s;
}

static bool push_r3(struct vd *v, const struct ds_server *s, const struct ds_server *primary)
{
	struct vd_nosite *r = realloc(v->r3, (v->n_r3 + 1) * sizeof(*r));

	if (!r)
		return false;
	v->r3 = r;
	for (size_t i = 0; i < v->n_r3; i++)
		if (r[i].srv == s)
			return true;
	r[v->n_r3].srv = s;
	r[v->n_r3].primary = primary;
	v->n_r3++;
	return true;
}

void vd_servers(struct vd *v)
{
	struct ds_config *cfg = v->cfg;
	const struct ds_server **first_primary = calloc(cfg->n_servers + 1, sizeof(*first_primary));
	size_t n_sip = 0;

	v->r4 = calloc(cfg->n_servers + 1, sizeof(*v->r4));
	v->sites = calloc(cfg->n_servers + 1, sizeof(*v->sites));
	v->r6 = calloc(cfg->n_servers + 1, sizeof(*v->r6));
	if (!first_primary || !v->r4 || !v->sites || !v->r6) {
		v->oom = true;
		free(first_primary);
		return;
	}
	for (size_t i = 0; i < cfg->n_servers; i++) {
		const struct ds_server *s = &cfg->servers[i];
		bool seen = false;

		for (size_t j = 0; s->site && j < v->n_sites; j++)
			seen = seen || !strcmp(v->sites[j], s->site);
		if (s->site && !seen)
			v->sites[v->n_sites++] = s->site;
	}
	/* "The backup of both A and B" names A and B in file order. */
	for (size_t i = 0; i < cfg->n_servers; i++)
		check_backup(v, &cfg->servers[i], first_primary);
	for (size_t i = 0; i < cfg->app.n_connections; i++) {
		const struct ds_server *s = ds_config_server(cfg, cfg->app.connections[i].name);

		if (!s || (s->primary && s->primary->connected))
			continue;
		if (!s->site)
			v->nosite_kind[s->kind] = true;
		if ((!s->site && !push_r3(v, s, NULL)) ||
		    (s->backup_srv && !s->backup_srv->site && !push_r3(v, s->backup_srv, s)))
			v->oom = true;
		if (s->kind == DS_KIND_SIP) {
			bool dup = false;

			for (size_t j = 0; j < i; j++)
				dup = dup || ds_config_server(cfg, cfg->app.connections[j].name) == s;
			if (dup)
				continue;
			n_sip++;
			if (!explicit_name(s))
				v->r6[v->n_r6++] = s;
		}
	}
	/* Names only matter with more than two SIP Server pairs (seed, rule 6). */
	if (n_sip <= 2)
		v->n_r6 = 0;
	free(first_primary);
}
