/* A person's settings: tenant, place, SIP credentials (where the password
 * comes from, never the password itself in any message) and options. */
#include <string.h>
#include "config_int.h"

static const char *const person_keys[] = { "tenant", "place", "sip", "options" };
static const char *const sip_keys[] = {
	"user", "password-env", "password-file", "password",
};

static const char *pw_key(enum ds_pw_source s)
{
	switch (s) {
	case DS_PW_NONE:
		break;
	case DS_PW_ENV:
		return "password-env";
	case DS_PW_FILE:
		return "password-file";
	case DS_PW_INLINE:
		return "password";
	}
	return "";
}

static void sip_h(struct ds_loader *L, const char *key, struct ds_loc kloc,
		  struct fy_node *v, struct ds_loc vloc, const char *path, void *arg)
{
	struct ds_person *p = arg;
	const char *sub = ds_ld_printf(L, "%s/%s", path, key);
	enum ds_pw_source src = DS_PW_NONE;
	const char *s;

	if (!strcmp(key, "user")) {
		p->sip_user = ds_yaml_name(L, v, vloc, sub, "a SIP user name such as \"7001\"");
		p->sip_user_loc = vloc;
		return;
	}
	if (!strcmp(key, "password-env"))
		src = DS_PW_ENV;
	else if (!strcmp(key, "password-file"))
		src = DS_PW_FILE;
	else if (!strcmp(key, "password"))
		src = DS_PW_INLINE;
	if (src == DS_PW_NONE) {
		ds_ld_unknown_key(L, key, kloc, path, sip_keys, 4);
		return;
	}
	if (p->pw_source != DS_PW_NONE) {
		ds_ld_error(L, &kloc, sub,
			    "'%s' and '%s' both set; give one of password-env, "
			    "password-file or password", pw_key(p->pw_source), key);
		return;
	}
	if (src == DS_PW_INLINE) {
		/* Never echo the value, even in a type error. */
		if (!ds_yaml_is_scalar(v)) {
			ds_ld_error(L, &vloc, sub, "expected the password as a string, got %s",
				    ds_yaml_what(v));
			return;
		}
		s = ds_yaml_text(L, v);
	} else {
		s = ds_yaml_name(L, v, vloc, sub, src == DS_PW_ENV ?
				 "the name of an environment variable" :
				 "the path of a file holding the password");
		if (!s)
			return;
		if (src == DS_PW_FILE)
			s = ds_cfg_relpath(L, s);
	}
	p->pw_source = src;
	p->pw_ref = s;
	p->pw_loc = vloc;
}

static void person_h(struct ds_loader *L, const char *key, struct ds_loc kloc,
		     struct fy_node *v, struct ds_loc vloc, const char *path, void *arg)
{
	struct ds_person *p = arg;
	const char *sub = ds_ld_printf(L, "%s/%s", path, key);

	if (!strcmp(key, "tenant")) {
		ds_cfg_ref(L, v, vloc, sub, "a tenant name", &p->tenant);
	} else if (!strcmp(key, "place")) {
		ds_cfg_ref(L, v, vloc, sub, "a place name", &p->place);
	} else if (!strcmp(key, "sip")) {
		if (ds_yaml_is_null(v))
			return;
		if (!ds_yaml_is_map(v)) {
			ds_ld_error(L, &vloc, sub,
				    "expected a map (user, password-env | password-file | password), got %s",
				    ds_yaml_what(v));
			return;
		}
		ds_yaml_each(L, v, sub, sip_h, p);
		if (p->pw_source != DS_PW_NONE)
			ds_cfg_password_check(L, p, ds_ld_printf(L, "%s/%s", sub,
								 pw_key(p->pw_source)));
	} else if (!strcmp(key, "options")) {
		ds_cfg_options(L, &p->opts, v, vloc, path, true);
	} else {
		ds_ld_unknown_key(L, key, kloc, path, person_keys, 4);
	}
}

void ds_cfg_person_body(struct ds_loader *L, struct ds_person *p,
			struct fy_node *body, const char *path)
{
	if (body)
		ds_yaml_each(L, body, path, person_h, p);
}
