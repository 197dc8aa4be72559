/* The TLS options of docs/behaviour.md §7 (rule 13: what `run` would refuse at start). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "vd.h"

/* A file `run` must read: an error naming it and why when it cannot. */
static size_t readable(struct vd *v, const struct ds_value *val, const char *what)
{
	FILE *f;

	if (!val->set || !val->opt)
		return 0;
	f = fopen(val->v.s, "r");
	if (f) {
		fclose(f);
		return 0;
	}
	ds_diag_add(v->d, DS_SEV_ERROR, &val->opt->loc, val->opt->path,
		    "`%s` '%s' cannot be read (%s); expected a readable PEM file with %s",
		    val->opt->name, val->v.s, strerror(errno), what);
	return 1;
}

size_t vd_tls(struct vd *v)
{
	struct ds_effective eff;
	size_t errors = 0;
	const struct ds_value *ca, *ver, *cert, *key;

	/* Application options: no person takes part */
	ds_options_resolve(v->cfg, NULL, &eff);
	ca = &eff.v[DS_OPT_TLS_CA_FILE];
	ver = &eff.v[DS_OPT_TLS_VERIFY];
	cert = &eff.v[DS_OPT_TLS_CERT_FILE];
	key = &eff.v[DS_OPT_TLS_KEY_FILE];

	errors += readable(v, ca, "the CA certificates");
	errors += readable(v, cert, "the client certificate");
	errors += readable(v, key, "the client certificate's private key");
	if (cert->set != key->set) {
		const struct ds_value *has = cert->set ? cert : key;

		ds_diag_add(v->d, DS_SEV_ERROR, &has->opt->loc, has->opt->path,
			    "`%s` is set without `%s`; a client certificate needs both "
			    "(or neither)", has->opt->name,
			    cert->set ? "dualsite.tls-key-file" : "dualsite.tls-cert-file");
		errors++;
	}
	if (ver->set && !ver->v.b && ver->opt)
		ds_diag_add(v->d, DS_SEV_WARNING, &ver->opt->loc, ver->opt->path,
			    "`dualsite.tls-verify` is false: `run` accepts any certificate "
			    "from a SIP server over TLS (no chain, no host name check), so "
			    "anyone on the path can pose as it; set true and give "
			    "`dualsite.tls-ca-file` instead");
	return errors;
}
