/* SIP over TLS (docs/behaviour.md §7): libre's TLS context, made to verify
 * the SIP server's certificate, and failed handshakes told to reg.c and probe.c.
 *
 * libre 1.1.0 verifies nothing: its SIP transport starts TLS on each new
 * connection with the context given to sip_transp_add() and never asks
 * OpenSSL to check the peer (tls_set_verify_server() exists but its
 * transport does not call it, and the per-connection tls_conn is private).
 * So the checks hang on the one SSL_CTX (tls_openssl_context()):
 * - SSL_VERIFY_PEER with our callback: the chain must reach a CA of
 *   dualsite.tls-ca-file (default: the system's bundle), and the server's
 *   certificate must name the host we connected to (a DNS or IP subject
 *   alternative name; the subject's CN is not looked at, RFC 6125). Which
 *   host that is: the connection is new only inside our own sip_send(),
 *   which calls SSL_new() before it returns; an ex_data "new" callback on
 *   every SSL picks up what ds_tls_expect() said just before (single
 *   thread: nothing else runs in between) and keeps it with that SSL.
 * - the info callback: a fatal alert from the server (a client certificate
 *   it wants, a protocol it refuses), and a handshake begun but never
 *   finished when the SSL is freed (the server closed the connection).
 * A failure is logged once, here, and handed to the requests in flight to
 * that address (a REGISTER fails with reason tls, a probe fails at once)
 * from a timer: libre is in the middle of closing the connection then.
 * dualsite.tls-verify false accepts any certificate (chain and name are
 * still looked at, and what failed is logged once per connection). */
#define USE_OPENSSL 1   /* re_tls.h: declares tls_openssl_context() */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include "net_priv.h"

struct net_tls {
	struct ds_net *n;            /* NULL once the driver is gone */
	struct tls *tls;
	SSL_CTX *ctx;
	bool verify;
	struct tmr tmr;              /* hands failures over, after libre's callback */
	struct list failed;          /* struct tls_fail */
};

struct tls_fail {
	struct le le;
	struct sa dst;
	bool probe;
	char why[160];
};

/* What one SSL of ours connects to (its ex_data). */
struct tls_peer {
	struct net_tls *t;           /* referenced */
	struct sa dst;
	char name[2][256];           /* the names (or IPs) the certificate may carry */
	bool probe;                  /* opened by the probes' stack */
	bool started, done, failed;
	bool tls13;                  /* the handshake that was done is TLS 1.3's */
	bool got_data;               /* TLS 1.3: an application data record came */
	bool said;                   /* verification off: what failed was logged */
};

/* ds_tls_expect(): the next SSL_new() is for this peer */
static struct tls_peer *want;
static int ex_idx = -1;
static bool n_verify_any;   /* some driver verifies: a nameless client SSL is refused */

static void fail_tmr_h(void *arg);

/* why: without a "tls: " in front (the callers say it) */
static void fail(struct tls_peer *p, const char *fmt, ...)
{
	struct net_tls *t = p->t;
	struct tls_fail *f;
	va_list ap;

	if (p->failed || !t->n)
		return;
	p->failed = true;
	f = mem_zalloc(sizeof(*f), NULL);
	if (!f)
		return;
	f->dst = p->dst;
	f->probe = p->probe;
	va_start(ap, fmt);
	(void)re_vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
	/* said by reg.c (each REGISTER) and probe.c (when the server goes
	 * down), not per connection: a dead server is probed every round */
	list_append(&t->failed, &f->le, f);
	tmr_start(&t->tmr, 0, fail_tmr_h, t);
}

static void fail_tmr_h(void *arg)
{
	struct net_tls *t = arg;
	struct le *le;

	while ((le = list_head(&t->failed))) {
		struct tls_fail *f = le->data;

		list_unlink(le);
		if (t->n) {
			if (f->probe)
				ds_probe_tls_failed(t->n, &f->dst, f->why);
			else
				ds_reg_tls_failed(t->n, &f->dst, f->why);
		}
		mem_deref(f);
	}
}

static void peer_new_h(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
		       long argl, void *argp)
{
	struct tls_peer *p;
	(void)ptr;
	(void)argl;
	(void)argp;

	if (!want || SSL_get_SSL_CTX(parent) != want->t->ctx)
		return;
	p = malloc(sizeof(*p));
	if (!p)
		return;   /* no record: the verify callback refuses it */
	*p = *want;
	mem_ref(p->t);
	if (!CRYPTO_set_ex_data(ad, idx, p)) {
		mem_deref(p->t);
		free(p);
	}
}

static void peer_free_h(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
			long argl, void *argp)
{
	struct tls_peer *p = ptr;
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;

	if (!p)
		return;
	if (p->started && !p->done)
		fail(p, "the handshake did not complete (the connection closed: is it a "
		     "TLS port?)");
	/* TLS 1.3 ends the client's handshake before the server has checked
	 * the client's certificate: a server that refuses it closes the
	 * connection after "our" handshake, and its alert may be lost with
	 * the reset that our unread request causes */
	else if (p->done && p->tls13 && !p->got_data)
		fail(p, "the server closed the connection after the handshake without "
		     "answering (does it want a client certificate? dualsite.tls-cert-file)");
	mem_deref(p->t);
	free(p);
}

static bool is_ip(const char *s)
{
	struct sa sa;

	return !sa_set_str(&sa, s, 0);
}

/* The certificate names the host (RFC 6125: subject alternative names
 * only, no partial wildcards). */
static bool names_host(X509 *cert, const struct tls_peer *p, const char **which)
{
	for (int i = 0; i < 2; i++) {
		const char *nm = p->name[i];
		size_t len = strlen(nm);

		if (!len)
			continue;
		*which = nm;
		if (is_ip(nm)) {
			if (X509_check_ip_asc(cert, nm, 0) == 1)
				return true;
			continue;
		}
		if (nm[len - 1] == '.')
			len--;   /* an absolute name: the certificate has none */
		if (X509_check_host(cert, nm, len, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
				    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL) == 1)
			return true;
	}
	return false;
}

static const char *subject_cn(X509 *cert, char *buf, int sz)
{
	if (!cert || X509_NAME_get_text_by_NID(X509_get_subject_name(cert),
					       NID_commonName, buf, sz) < 0)
		snprintf(buf, (size_t)sz, "(no CN)");
	return buf;
}

static int verify_h(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_peer *p = ssl ? SSL_get_ex_data(ssl, ex_idx) : NULL;
	X509 *cert = X509_STORE_CTX_get_current_cert(xs);
	int depth = X509_STORE_CTX_get_error_depth(xs);
	const char *which = "";
	char cn[128];

	if (!p) {
		/* an SSL of ours without a name to check: refuse rather than
		 * connect unverified; an incoming one has no record either */
		return ssl && !SSL_is_server(ssl) && n_verify_any ? 0 : ok;
	}
	if (!ok) {
		int e = X509_STORE_CTX_get_error(xs);

		if (!p->t->verify) {
			if (!p->said && p->t->n)
				ds_log(p->t->n, "tls: %J (%s): %s (certificate '%s'); accepted: "
				       "dualsite.tls-verify is false", &p->dst, p->name[0],
				       X509_verify_cert_error_string(e),
				       subject_cn(cert, cn, sizeof(cn)));
			p->said = true;
			return 1;
		}
		fail(p, "%s (certificate '%s', depth %d)", X509_verify_cert_error_string(e),
		     subject_cn(cert, cn, sizeof(cn)), depth);
		return 0;
	}
	if (depth != 0 || names_host(cert, p, &which))
		return 1;
	if (!p->t->verify) {
		if (!p->said && p->t->n)
			ds_log(p->t->n, "tls: %J: %s '%s' not in the certificate '%s'; accepted: "
			       "dualsite.tls-verify is false", &p->dst, is_ip(which) ?
			       "IP address" : "host name", which, subject_cn(cert, cn, sizeof(cn)));
		p->said = true;
		return 1;
	}
	fail(p, "%s '%s' not in certificate '%s' (its subject alternative names)",
	     is_ip(which) ? "IP address" : "host name", which,
	     subject_cn(cert, cn, sizeof(cn)));
	X509_STORE_CTX_set_error(xs, X509_V_ERR_HOSTNAME_MISMATCH);
	return 0;
}

/* TLS 1.3 records say their inner type here: an application data record
 * means the server took the connection (peer_free_h). */
static void msg_h(int write_p, int version, int content_type, const void *buf,
		  size_t len, SSL *ssl, void *arg)
{
	struct tls_peer *p;
	(void)version;
	(void)arg;

	if (write_p || content_type != SSL3_RT_INNER_CONTENT_TYPE || len != 1 ||
	    *(const uint8_t *)buf != SSL3_RT_APPLICATION_DATA)
		return;
	p = SSL_get_ex_data(ssl, ex_idx);
	if (p)
		p->got_data = true;
}

/* OpenSSL 3.0 names no TLS 1.3 alert: the ones a refused client meets */
static const char *alert_text(int ret)
{
	switch (ret & 0xff) {
	case 116: return "certificate required (set dualsite.tls-cert-file)";
	case 42:  return "bad certificate (our client certificate)";
	case 48:  return "unknown CA (the server does not trust our client certificate)";
	default:  return SSL_alert_desc_string_long(ret);
	}
}

static void info_h(const SSL *ssl, int where, int ret)
{
	struct tls_peer *p = SSL_get_ex_data(ssl, ex_idx);

	if (!p)
		return;
	if (where & SSL_CB_HANDSHAKE_START)
		p->started = true;
	if (where & SSL_CB_HANDSHAKE_DONE) {
		p->done = true;
		p->tls13 = SSL_version(ssl) == TLS1_3_VERSION;
	}
	/* a fatal alert the server sent: it refused us (e.g. no client
	 * certificate, or one it does not trust) */
	if ((where & SSL_CB_READ_ALERT) == SSL_CB_READ_ALERT && (ret >> 8) == 2)
		fail(p, "the server refused the handshake: %s", alert_text(ret));
}

static void net_tls_destructor(void *arg)
{
	struct net_tls *t = arg;

	tmr_cancel(&t->tmr);
	list_flush(&t->failed);
	mem_deref(t->tls);
}

/* The OpenSSL error queue's first reason, for a message. */
static const char *ssl_why(char *buf, size_t sz)
{
	unsigned long e = ERR_get_error();

	if (e)
		ERR_error_string_n(e, buf, sz);
	else
		snprintf(buf, sz, "not a PEM file of that kind");
	ERR_clear_error();
	return buf;
}

static bool needed(const struct ds_net *n)
{
	for (size_t i = 0; i < n->n_agents; i++)
		if (n->agents[i]->tp == SIP_TRANSP_TLS)
			return true;
	for (size_t i = 0; i < n->n_servers; i++)
		if (n->servers[i].probe_tp == SIP_TRANSP_TLS && !n->servers[i].probe_tcp)
			return true;
	return false;
}

int ds_tls_setup(struct ds_net *n)
{
	struct ds_effective eff;
	const struct ds_value *ca, *cert, *key, *ver;
	struct net_tls *t;
	char why[256];
	int err;

	if (!needed(n))
		return 0;
	ds_options_resolve(n->cfg, NULL, &eff);
	ca = &eff.v[DS_OPT_TLS_CA_FILE];
	ver = &eff.v[DS_OPT_TLS_VERIFY];
	cert = &eff.v[DS_OPT_TLS_CERT_FILE];
	key = &eff.v[DS_OPT_TLS_KEY_FILE];
	if (cert->set != key->set) {
		ds_log(NULL, "dualsite.tls-%s-file is set without dualsite.tls-%s-file; a "
		       "client certificate needs both (`dualsite validate` says where)",
		       cert->set ? "cert" : "key", cert->set ? "key" : "cert");
		return EINVAL;
	}
	if (ex_idx < 0) {
		ex_idx = SSL_get_ex_new_index(0, NULL, peer_new_h, NULL, peer_free_h);
		if (ex_idx < 0)
			return ENOMEM;
	}
	t = mem_zalloc(sizeof(*t), net_tls_destructor);
	if (!t)
		return ENOMEM;
	t->n = n;
	t->verify = !ver->set || ver->v.b;
	tmr_init(&t->tmr);
	list_init(&t->failed);
	err = tls_alloc(&t->tls, TLS_METHOD_SSLV23, NULL, NULL);
	if (err) {
		ds_log(NULL, "tls: cannot make a TLS context: %m", err);
		goto out;
	}
	t->ctx = tls_openssl_context(t->tls);
	ERR_clear_error();
	if (ca->set) {
		if (SSL_CTX_load_verify_locations(t->ctx, ca->v.s, NULL) != 1) {
			ds_log(NULL, "dualsite.tls-ca-file '%s': cannot load CA certificates: %s; "
			       "expected a readable PEM file of CA certificates", ca->v.s,
			       ssl_why(why, sizeof(why)));
			err = EINVAL;
			goto out;
		}
	}
	else if (SSL_CTX_set_default_verify_paths(t->ctx) != 1) {
		ds_log(NULL, "tls: cannot load the system's CA bundle: %s; set "
		       "dualsite.tls-ca-file", ssl_why(why, sizeof(why)));
		err = EINVAL;
		goto out;
	}
	if (cert->set) {
		if (SSL_CTX_use_certificate_chain_file(t->ctx, cert->v.s) != 1) {
			ds_log(NULL, "dualsite.tls-cert-file '%s': cannot load the client "
			       "certificate: %s; expected a readable PEM certificate (chain)",
			       cert->v.s, ssl_why(why, sizeof(why)));
			err = EINVAL;
			goto out;
		}
		if (SSL_CTX_use_PrivateKey_file(t->ctx, key->v.s, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(t->ctx) != 1) {
			ds_log(NULL, "dualsite.tls-key-file '%s': cannot load the key of "
			       "dualsite.tls-cert-file: %s; expected the certificate's "
			       "unencrypted PEM private key", key->v.s, ssl_why(why, sizeof(why)));
			err = EINVAL;
			goto out;
		}
	}
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, verify_h);
	SSL_CTX_set_info_callback(t->ctx, info_h);
	SSL_CTX_set_msg_callback(t->ctx, msg_h);
	if (!t->verify)
		ds_log(NULL, "tls: dualsite.tls-verify is false: SIP servers' certificates "
		       "are NOT verified");
	n_verify_any |= t->verify;
	n->tls = t;
	t = NULL;
 out:
	mem_deref(t);
	return err;
}

int ds_tls_transp_add(struct ds_net *n, struct sip *sip, const struct sa *laddr)
{
	struct sa a = *laddr;

	if (!n->tls)
		return 0;
	/* libre wants a TLS listener to connect from; nothing is served on
	 * it (no server certificate): an ephemeral port */
	sa_set_port(&a, 0);
	return sip_transp_add(sip, SIP_TRANSP_TLS, &a, n->tls->tls);
}

void ds_tls_expect(struct ds_net *n, const struct sa *dst, const char *name,
		   const char *name2, bool probe)
{
	static struct tls_peer p;

	if (!n->tls || !dst) {
		want = NULL;
		return;
	}
	memset(&p, 0, sizeof(p));
	p.t = n->tls;
	p.dst = *dst;
	p.probe = probe;
	str_ncpy(p.name[0], name ? name : "", sizeof(p.name[0]));
	str_ncpy(p.name[1], name2 ? name2 : "", sizeof(p.name[1]));
	want = &p;
}

void ds_tls_close(struct ds_net *n)
{
	if (!n->tls)
		return;
	/* connections still open may outlive this (freed with the stacks) */
	n->tls->n = NULL;
	tmr_cancel(&n->tls->tmr);
	list_flush(&n->tls->failed);
	n->tls = mem_deref(n->tls);
}
