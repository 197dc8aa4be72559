/* One SIP user per agent of a run: two agents registering one user could not tell their calls apart.
 *
 * Not a docs/behaviour.md §2.3 rule, but `run` cannot start two such agents together (it
 * routes calls by SIP user). So it is an error found before anything starts,
 * once per person that repeats an earlier person's user, touching both. It is
 * about the two together: persons taking turns at one place (and its user)
 * are simulated or run one at a time, so with agents chosen it is made only
 * when both are chosen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../util/util.h"
#include "vd.h"

static int by_user(const void *a, const void *b)
{
	const struct ds_person *x = *(const struct ds_person *const *)a;
	const struct ds_person *y = *(const struct ds_person *const *)b;
	int c = strcmp(x->sip_user, y->sip_user);

	/* Ties in configuration order, so the first person is the one kept. */
	return c ? c : (x > y) - (x < y);
}

static bool chosen(const struct vd *v, const struct ds_person *p)
{
	return !v->selected || v->selected[p - v->cfg->persons];
}

/* `b` repeats `a`'s user: one finding at b's user, touching both. */
static void shared(struct vd *v, const struct ds_person *a, const struct ds_person *b)
{
	struct vd_key k = {12, a, b, 0};
	char path[512];

	snprintf(path, sizeof(path), "persons/%s/sip/user", b->name);
	vd_note(v, a, &k, DS_SEV_ERROR, &b->sip_user_loc, path, "persons %s and %s share SIP "
		"user \"%s\" (%s's is written at %s:%d:%d, %s's here); one `run` cannot tell "
		"apart the calls of two agents with one SIP user: give each person its own "
		"`sip: {user: ...}`, or run them apart", a->name, b->name, b->sip_user, a->name,
		a->sip_user_loc.file ? a->sip_user_loc.file : "?", a->sip_user_loc.line,
		a->sip_user_loc.col, b->name);
	vd_note(v, b, &k, DS_SEV_ERROR, NULL, NULL, NULL);
}

void vd_users(struct vd *v)
{
	const struct ds_person **s = calloc(v->cfg->n_persons + 1, sizeof(*s));
	size_t n = 0;

	if (!s) {
		v->oom = true;
		return;
	}
	for (size_t i = 0; i < v->cfg->n_persons; i++)
		if (v->cfg->persons[i].sip_user)
			s[n++] = &v->cfg->persons[i];
	qsort(s, n, sizeof(*s), by_user);
	/* Each run of one user: the first chosen person against each later chosen one. */
	for (size_t i = 0, j; i < n; i = j) {
		const struct ds_person *first = NULL;

		for (j = i; j < n && !strcmp(s[i]->sip_user, s[j]->sip_user); j++) {
			if (!chosen(v, s[j]))
				continue;
			if (first)
				shared(v, first, s[j]);
			else
				first = s[j];
		}
	}
	free(s);
}

/* What a user part must not hold, named for the message; NULL when it is
 * one. CR and LF first: they would start a new header line. */
static const char *bad_char(const char *u, char *buf, size_t sz)
{
	if (strchr(u, '\r'))
		return "a CR (\\r)";
	if (strchr(u, '\n'))
		return "an LF (\\n)";
	if (strchr(u, ' '))
		return "a space";
	for (const char *c = u; *c; c++) {
		unsigned char ch = (unsigned char)*c;

		if (ch < 0x20 || ch >= 0x7f) {
			snprintf(buf, sz, "the byte 0x%02x", ch);
			return buf;
		}
		if (!ds_sip_user_ok((char[]){(char)ch, 0}) && ch != '%') {
			snprintf(buf, sz, "'%c'", ch);
			return buf;
		}
	}
	return "a '%' not followed by two hex digits";
}

void vd_person_sip(struct vd *v, const struct ds_person *p)
{
	struct vd_key k = {13, p, NULL, 0};
	char path[512], what[32], quoted[256];

	if (!p->sip_user && p->pw_source == DS_PW_NONE) {
		snprintf(path, sizeof(path), "persons/%s", p->name);
		vd_note(v, p, &k, DS_SEV_ERROR, &p->loc, path, "person %s has no SIP user and "
			"no password source, so `run` cannot start it; add `sip: {user: \"7001\", "
			"password-env: NAME}` (or password-file)", p->name);
		return;
	}
	if (!p->sip_user) {
		k.x = 1;
		snprintf(path, sizeof(path), "persons/%s/sip", p->name);
		vd_note(v, p, &k, DS_SEV_ERROR, &p->pw_loc, path, "person %s has no SIP user, so "
			"`run` cannot start it; add sip/user (e.g. \"7001\")", p->name);
		return;
	}
	if (!ds_sip_user_ok(p->sip_user)) {
		k.x = 2;
		snprintf(path, sizeof(path), "persons/%s/sip/user", p->name);
		ds_json_str(quoted, sizeof(quoted), p->sip_user);
		vd_note(v, p, &k, DS_SEV_ERROR, &p->sip_user_loc, path, "SIP user %s holds %s, "
			"which a SIP user part (RFC 3261) cannot; use letters, digits and "
			"-_.!~*'()&=+$,;?/ (anything else escaped as %%XX)", quoted,
			bad_char(p->sip_user, what, sizeof(what)));
	}
	if (p->pw_source == DS_PW_NONE) {
		k.x = 3;
		snprintf(path, sizeof(path), "persons/%s/sip", p->name);
		vd_note(v, p, &k, DS_SEV_ERROR, &p->sip_user_loc, path, "person %s has no SIP "
			"password source, so `run` cannot answer a digest challenge; set "
			"sip/password-env or sip/password-file", p->name);
	}
}
