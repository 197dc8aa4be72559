/* The option table of docs/behaviour.md §2.2: the one place a name, type, default or range is written.
 *
 * Every consumer reads this table: the parser (check.c), the hierarchy
 * (resolve.c), validation, the agent builder, `dualsite explain` and the
 * generated reference docs/options.md (`dualsite explain --reference`).
 * A default is written here as text and parsed by the same code that parses
 * a configured value, so it cannot drift from what a user could write. */
#include <string.h>
#include "dualsite/options.h"

static const char *const transports[] = {"UDP", "TCP", "TLS", NULL};
static const char *const reg_modes[] = {"dual", "single", NULL};

#define BOOL_(n, sc, d, h)       {n, DS_OT_BOOL, sc, d, 0, 0, NULL, h}
#define INT_(n, d, lo, hi, h)    {n, DS_OT_INT, DS_SCOPE_AGENT, d, lo, hi, NULL, h}
#define DEC_(n, sc, d, lo, hi, h) {n, DS_OT_DECIMAL, sc, d, lo, hi, NULL, h}

const struct ds_option_def ds_option_defs[DS_OPT_COUNT] = {
	[DS_OPT_DR_ENABLED] = BOOL_("disaster-recovery.enabled", DS_SCOPE_AGENT, "false",
		"Business Continuity on or off; off: the agent stays on one site"),
	[DS_OPT_DR_SITE] = {"disaster-recovery.site", DS_OT_NAME, DS_SCOPE_SERVER, NULL, 0, 0, NULL,
		"on a server: the site it belongs to; mandatory on every connected server when any agent has BC on"},
	[DS_OPT_DR_NAME] = {"disaster-recovery.name", DS_OT_NAME, DS_SCOPE_SERVER, "default", 0, 0, NULL,
		"on a SIP Server: pairs with the same name are peers; must be set when more than two SIP Server pairs are connected"},
	[DS_OPT_DR_PREFERRED_SITE] = {"disaster-recovery.preferred-site", DS_OT_NAME, DS_SCOPE_AGENT,
		NULL, 0, 0, NULL,
		"the agent's preferred site (proxy0); must match some server's disaster-recovery.site"},
	[DS_OPT_DR_PEER_SITE] = {"disaster-recovery.peer-site", DS_OT_NAME, DS_SCOPE_AGENT,
		NULL, 0, 0, NULL,
		"the agent's peer site (proxy1); must match some server's disaster-recovery.site and differ from the preferred site"},
	[DS_OPT_DR_TIMEOUT] = INT_("disaster-recovery.timeout", "60", 1, 86400,
		"after losing the current site's HA pair, wait this long (s) before switching over"),
	[DS_OPT_DR_WAIT_SIPPHONE] = INT_("disaster-recovery.wait-for-sipphone-timeout", "20", 0, 86400,
		"after the registration at the current site is lost or expired, wait this long (s) for it before switching over"),
	[DS_OPT_DR_AUTO_RESTORE] = BOOL_("disaster-recovery.auto-restore", DS_SCOPE_AGENT, "true",
		"switch back to the preferred site once it is available again"),
	[DS_OPT_P0_REREGISTER] = INT_("sipendpoint.proxies.proxy0.reregister_in_seconds", "3600", 1, 86400,
		"after a failed registration at proxy0 (preferred site), wait this long (s) before the next attempt; 30-60 recommended"),
	[DS_OPT_P1_REREGISTER] = INT_("sipendpoint.proxies.proxy1.reregister_in_seconds", "3600", 1, 86400,
		"after a failed registration at proxy1 (peer site), wait this long (s) before the next attempt"),
	[DS_OPT_P0_REG_TIMEOUT] = INT_("sipendpoint.proxies.proxy0.reg_timeout", "1800", 0, 86400,
		"Expires (s) asked for at proxy0; 0 = do not register there"),
	[DS_OPT_P1_REG_TIMEOUT] = INT_("sipendpoint.proxies.proxy1.reg_timeout", "1800", 0, 86400,
		"Expires (s) asked for at proxy1; 0 = do not register there"),
	[DS_OPT_SBC_ADDRESS] = {"sipendpoint.sbc-register-address", DS_OT_HOST, DS_SCOPE_AGENT,
		NULL, 0, 0, NULL,
		"where proxy0 REGISTERs go (an SBC); unset: the member of the preferred site's SIP Server pair in use"},
	[DS_OPT_SBC_ADDRESS_PEER] = {"sipendpoint.sbc-register-address.peer", DS_OT_HOST, DS_SCOPE_AGENT,
		NULL, 0, 0, NULL,
		"where proxy1 REGISTERs go (an SBC); unset: the member of the peer site's SIP Server pair in use"},
	[DS_OPT_SBC_PORT] = INT_("sipendpoint.sbc-register-port", NULL, 0, 65535,
		"port for proxy0 REGISTERs; unset: the port of the member in use; 0 with an SBC name: its SRV records (RFC 3263)"),
	[DS_OPT_SBC_PORT_PEER] = INT_("sipendpoint.sbc-register-port.peer", NULL, 0, 65535,
		"port for proxy1 REGISTERs; unset: the port of the member in use; 0 with an SBC name: its SRV records (RFC 3263)"),
	[DS_OPT_TRANSPORT] = {"sipendpoint.transport-protocol", DS_OT_ENUM, DS_SCOPE_AGENT, "UDP",
		0, 0, transports,
		"SIP transport; the agent's SIP Servers must accept it (their `transport`)"},
	[DS_OPT_REGISTRATION_MODE] = {"dualsite.registration-mode", DS_OT_ENUM, DS_SCOPE_AGENT, "dual",
		0, 0, reg_modes,
		"dual: stay registered at both sites at once; single: register only at the current site"},
	[DS_OPT_PROBE_INTERVAL] = DEC_("dualsite.probe-interval", DS_SCOPE_APP_ONLY, "5", 0.05, 3600,
		"health probe period per server (s): SIP OPTIONS for sip, TCP connect for stat/config"),
	[DS_OPT_PROBE_TIMEOUT] = DEC_("dualsite.probe-timeout", DS_SCOPE_APP_ONLY, "2", 0.05, 60,
		"a probe with no answer by then (s) has failed"),
	/* A count of probes: a whole number even though dualsite.* durations
	 * accept decimals (2.5 failures has no meaning). */
	[DS_OPT_PROBE_FAILURES] = {"dualsite.probe-failures", DS_OT_INT, DS_SCOPE_APP_ONLY, "2", 1, 100,
		NULL, "consecutive failed probes before a server counts as down; one answer brings it up"},
	[DS_OPT_REGISTER_TIMEOUT] = DEC_("dualsite.register-timeout", DS_SCOPE_AGENT, "8", 0.05, 60,
		"a REGISTER (or binding check) with no final answer by then (s) has failed"),
	[DS_OPT_RESTORE_HOLD_DOWN] = DEC_("dualsite.restore-hold-down", DS_SCOPE_AGENT, "30", 0, 86400,
		"the preferred site must stay available this long (s) before an auto-restore"),
	[DS_OPT_RESTORE_WHEN_IDLE] = BOOL_("dualsite.restore-when-idle", DS_SCOPE_AGENT, "true",
		"defer an auto-restore while the agent has a call"),
	[DS_OPT_BINDING_CHECK_INTERVAL] = DEC_("dualsite.binding-check-interval", DS_SCOPE_AGENT, "0", 0, 86400,
		"0: off; else ask each registrar for the current bindings at this period (s); ours missing = registration lost"),
	[DS_OPT_ANSWER_DELAY] = DEC_("dualsite.answer-delay", DS_SCOPE_AGENT, "1", 0, 300,
		"`run` answers an incoming call after this long (s), ringing meanwhile"),
	[DS_OPT_RANDOM_DELAY_RANGE] = DEC_("dualsite.random-delay-range", DS_SCOPE_AGENT, "2", 0, 3600,
		"a random delay in [0, range] (s) added to each registration attempt, switchover and restore"),
	[DS_OPT_REGISTRAR_CAPACITY] = {"dualsite.registrar-capacity", DS_OT_INT, DS_SCOPE_APP_ONLY, "0",
		0, 1000000, NULL, "REGISTERs per second one registrar can take, for `dualsite report`; "
		"0 = unknown"},
	/* TLS (docs/behaviour.md §7): one TLS context for the whole process */
	[DS_OPT_TLS_CA_FILE] = {"dualsite.tls-ca-file", DS_OT_PATH, DS_SCOPE_APP_ONLY, NULL,
		0, 0, NULL, "PEM file of the CAs a SIP server's certificate must chain to; "
		"unset: the system's CA bundle"},
	[DS_OPT_TLS_VERIFY] = BOOL_("dualsite.tls-verify", DS_SCOPE_APP_ONLY, "true",
		"verify each SIP server's TLS certificate (chain and host name); false accepts any, "
		"with a warning"),
	[DS_OPT_TLS_CERT_FILE] = {"dualsite.tls-cert-file", DS_OT_PATH, DS_SCOPE_APP_ONLY, NULL,
		0, 0, NULL, "PEM client certificate (chain) shown to SIP servers over TLS; "
		"needs dualsite.tls-key-file"},
	[DS_OPT_TLS_KEY_FILE] = {"dualsite.tls-key-file", DS_OT_PATH, DS_SCOPE_APP_ONLY, NULL,
		0, 0, NULL, "PEM private key of dualsite.tls-cert-file (unencrypted)"},
};

int ds_option_find(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < DS_OPT_COUNT; i++)
		if (!strcmp(ds_option_defs[i].name, name))
			return i;
	return -1;
}
