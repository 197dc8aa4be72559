/* The libre network driver's private state: servers, agents, bindings, calls. */
#ifndef DS_NET_PRIV_H
#define DS_NET_PRIV_H

#include <stdio.h>
#include <re.h>
#include "digest.h"
#include "dualsite/net.h"
#include "dualsite/engine.h"
#include "dualsite/agent.h"
#include "dualsite/options.h"
#include "timers.h"
#include "dualsite/view.h"

/* dns.c: one target of an SRV answer */
struct net_target {
	char *name;
	uint16_t port;
};

/* dns.c: a host name (a server's, an SBC's) looked up without blocking the
 * loop and again before its TTL ends; with SRV, the targets in RFC 2782
 * order and the one in use. */
struct net_dname {
	struct ds_net *net;
	const char *host;
	char what[64];               /* "server SIP_X", "SBC sbc.example", for the log */
	struct sa *addr;             /* where the answer goes (the owner's), with its port */
	bool sbc;                    /* an SBC's: not probed, only REGISTERs go there */
	bool ok;                     /* addr holds an answer (kept until its TTL ends) */
	bool init;                   /* its first look-up is over */
	bool said_keep, said_fail;
	uint64_t expires;            /* tmr_jiffies() when the answer's TTL ends */
	struct dns_query *dq;
	struct tmr tmr;              /* the next look-up */
	struct tmr exp_tmr;          /* the answer's TTL ends */
	char why[48];                /* why the last look-up failed */
	char *srv_name;              /* "_sip._udp.HOST" when SRV applies; else NULL */
	char *a_name;                /* the name of the A/AAAA look-up in flight */
	char via[96];                /* "SRV ... -> target:port", for the log */
	uint16_t port;               /* without SRV: the port that goes with the address */
	uint16_t a_port;             /* the port the answer goes with */
	int64_t ttl_cap;             /* the SRV record's TTL, s */
	struct net_target *tg;       /* the SRV targets in order (RFC 2782) */
	uint32_t n_tg, cur;          /* ... how many, the one in use */
	uint32_t gen;                /* changes whenever the target in use changes */
	uint64_t rng;                /* the weighted order's draws (from the run's seed) */
};

/* dns.c: one SBC address some agents use (host, port, transport), looked
 * up once for all of them. */
struct net_sbc {
	char *host;                  /* owned */
	uint16_t port;               /* 0: the member's port, or SRV (srv) */
	enum sip_transp tp;
	bool named;
	bool srv;                    /* a name with port 0 given: RFC 3263 SRV */
	uint32_t n_agents;           /* the agents' proxies that go through it */
	struct sa addr;              /* numeric, or the name's answer */
	struct net_dname dn;
};

/* One server some chosen agent uses: probed once for all of them. */
struct net_server {
	const struct ds_server *s;
	struct sa addr;              /* resolved at start */
	enum sip_transp probe_tp;    /* sip: transport of the OPTIONS probe */
	bool probe_tcp;              /* stat/config (or TLS-only sip): TCP connect */
	struct ds_health health;
	bool known;                  /* answered once, or declared down: until then
				      * unknown (docs/behaviour.md §3.1) */
	uint16_t fails_timeout;      /* of the failures since the last answer: */
	uint16_t fails_fast;         /* timed out, or refused / not sent (fast_why) */
	char fast_why[176];          /* e.g. "refused: ICMP port unreachable" */
	char tls_why[160];           /* tls.c: why its last TLS handshake failed */
	uint64_t last_ok_round;      /* round number of the last answered probe + 1 */
	int64_t rtt_us;              /* the last answered probe's round trip; -1 none */
	int64_t since;               /* ms since start of its last change of state
				      * (unknown, up, down); 0 while unknown */
	struct ds_rtt_hist rtt;      /* every answered probe's (metrics.c) */
	int auth_sig;                /* reg.c: the digest challenge last said; 0 none */
	/* dns.c: a server whose host is a name */
	bool named;
	struct net_dname dn;         /* its look-ups; the answer goes to addr */
	uint32_t *agents;            /* indexes of the agents that use it */
	uint32_t n_agents;
};

enum bind_op { BIND_NONE, BIND_REGISTER, BIND_CHECK, BIND_UNREGISTER, BIND_STOP };

/* One agent's REGISTER binding at one proxy: one Call-ID for its lifetime,
 * CSeq always increasing, one attempt at a time (sent stateless, answers
 * matched by ds_reg_listen()'s listener). */
struct net_binding {
	struct net_agent *ag;
	struct ds_digest digest;     /* the registrar's last challenge */
	struct ds_timer tmr;         /* retransmission and register-timeout */
	struct mbuf *pkt;            /* UDP: the request as sent, to retransmit */
	uint64_t deadline;           /* tmr_jiffies() of the register-timeout */
	uint64_t callid;
	uint64_t ftag;
	uint32_t cseq;               /* of the last request sent */
	uint32_t first_cseq;         /* of the attempt's first request */
	uint32_t auth_cseq;          /* of the first request with our answer; 0 none */
	uint32_t seq;                /* the engine's seq of the action in flight */
	uint32_t expires;            /* asked */
	int server_id;               /* server of the attempt in flight */
	int bound[2];                /* servers that granted us a binding not
				      * removed since (both members after an HA
				      * switch); -1 free */
	uint16_t rto;                /* UDP retransmission interval, ms */
	uint8_t op;                  /* enum bind_op */
	uint8_t proxy;
	uint8_t challenges;          /* per attempt */
	uint8_t why;                 /* enum ds_reason: the attempt failed before
				      * anything went out (DS_R_DNS); DS_R_NONE */
	uint32_t sbc_gen;            /* the SBC's target (dn.gen) the attempt went to */
};

struct net_call;
struct net_retired;
struct net_reload_job;

/* local.c: the local address the kernel sends from to one destination */
struct net_local {
	struct sa dst;
	struct sa src;
};

struct net_agent {
	struct ds_net *net;
	const struct ds_person *p;
	struct ds_engine *eng;
	struct ds_engine_conf conf;
	char *password;
	enum sip_transp tp;
	struct ds_timer tmr;         /* ds_engine_next_wakeup() */
	struct net_binding bind[2];
	struct net_call *call;
	const char *sbc_host[2];     /* sipendpoint.sbc-register-address(.peer); NULL none */
	uint16_t sbc_port[2];
	bool sbc_port_set[2];        /* ... a port given (0 with a name: SRV) */
	int sbc[2];                  /* index in net->sbcs (ds_sbc_attach()); -1 no SBC */
	int64_t answer_delay_ms;
	int64_t call_since;          /* ms: the current call's call-start */
	int call_site;               /* ... and its site */
	uint8_t site_idx[2];         /* metrics.c: its sites in the counters' numbering */
	uint8_t conn_key[DS_KIND_COUNT];   /* ... where it is counted: site * 4 + state */
	uint8_t reg_key[2];          /* ... site * 4 + reg state; 0xff not counted */
	uint32_t index;              /* its id in by_id and in its Call-IDs: never
				      * reused (reload.c) */
	/* reload.c: an agent removed (or the old SIP identity of a changed one)
	 * that un-REGISTERs before it is freed; owns what it needs */
	struct net_retired *ret;     /* NULL: a live agent */
	unsigned ret_pending;        /* its un-REGISTERs not over yet */
	struct le ret_le;            /* in ds_net.retiring */
};

/* evout.c: where the event lines go, and those the reader has not taken. */
struct ds_evout {
	FILE *f;                     /* NULL: no events */
	int fd;                      /* pipe or socket written directly; -1: stdio */
	char *buf;                   /* queued bytes: buf[head .. head + len) */
	size_t head, len, cap;
	bool listening;              /* fd_listen() for FD_WRITE is on */
	bool broken;                 /* the reader went away */
	bool said_full;
	struct tmr tmr;              /* the end of the loop turn: write them */
};

struct ds_net {
	const struct ds_config *cfg;
	struct ds_net_conf nc;
	struct ds_probe_conf pc;
	struct sip *sip;
	struct sip *probe_sip;       /* OPTIONS probes over TCP, on sockets of their own */
	struct udp_sock *probe_us;   /* OPTIONS probes over UDP, with IP_RECVERR */
	struct sa probe_laddr;       /* its address */
	struct sipsess_sock *sess_sock;
	struct sip_lsnr *lsnr;
	struct sip_lsnr *reg_lsnr;   /* answers to our REGISTERs */
	uint64_t rng;                /* reg.c's stream of branches and cnonces */
	struct dnsc *dnsc;           /* dns.c; NULL when no server is named */
	struct net_tls *tls;         /* tls.c; NULL when nothing uses TLS */
	unsigned dns_pending;        /* first look-ups not over yet */
	struct net_sbc *sbcs;        /* dns.c: the agents' SBC addresses, each once */
	size_t n_sbcs;
	struct sa laddr;             /* SIP listen address (UDP and TCP) */
	struct sa advertise;         /* --advertise; AF_UNSPEC: per destination */
	struct net_local *local;     /* local.c's cache */
	size_t n_local;
	int said[8];                 /* send failures explained (errno), once each */
	size_t n_said;
	uint64_t t0;                 /* tmr_jiffies() at start */
	struct ds_timers timers;     /* the agents' and bindings' timers */
	struct net_agent **agents;   /* the live agents, in the configuration's order */
	size_t n_agents;
	struct net_agent **by_id;    /* by index (Call-ID); retiring ones too, NULL freed */
	size_t n_ids, cap_ids;
	struct list retiring;        /* reload.c: agents un-REGISTERing before their end */
	struct tmr reap_tmr;
	char *site_own[DS_VIEW_MAX_SITES];   /* reload.c: the counters' site names, owned */
	/* reload.c */
	struct mqueue *reload_mq;    /* the worker thread's result to the loop */
	struct net_reload_job *job;  /* the reload in progress; NULL none */
	bool reload_again;           /* asked again meanwhile: one more after it */
	ds_net_reload_done_h *reload_doneh;
	void *reload_arg;
	struct ds_config *cfg_own;   /* the configuration the last reload brought */
	struct net_agent **by_user;  /* sorted by SIP user, for INVITEs */
	struct net_server *servers;
	size_t n_servers;
	int *srv_index;              /* ds_config server index -> servers[], or -1 */
	/* probes */
	struct tmr probe_tmr;
	uint64_t round;              /* number of the next round */
	struct list rounds;          /* struct net_round in flight */
	struct sip_lsnr *probe_lsnr; /* answers to our OPTIONS */
	/* clean stop */
	bool started;
	bool stopping;
	unsigned stop_pending;
	unsigned stop_sent;
	size_t stop_cursor;          /* agents whose un-REGISTERs went out */
	bool stop_finished;
	struct tmr stop_tmr;         /* finish (0 ms) */
	struct tmr stop_step_tmr;    /* next batch of un-REGISTERs */
	struct tmr stop_deadline_tmr;
	ds_net_stop_h *stoph;
	void *stop_arg;
	uint64_t calls_total;
	uint64_t refused_said_at;    /* tmr_jiffies() of the last 403 logged */
	uint32_t refused_unsaid;     /* 403s since, not logged (rate limit) */
	struct ds_evout evout;
	struct ds_uas *uas;          /* uas.c: the checks before libre's handlers */
	struct ds_tcpfront *tcpfront; /* tcpfront.c: the SIP port's TCP listener */
	char *line;                  /* an event's line (ds_event_line), grown to fit */
	size_t line_cap;
	struct net_notify *notify;   /* systemd notifications (notify.c); NULL: off */
	const char *drained[8];      /* view.c: sites drained by the operator */
	size_t n_drained;
	struct ds_net_counters ctr;  /* metrics.c */
};

/* "udp", "tcp", "tls": the URI transport parameter */
static inline const char *ds_net_tp_name(enum sip_transp tp)
{
	return tp == SIP_TRANSP_TCP ? "tcp" : tp == SIP_TRANSP_TLS ? "tls" : "udp";
}

/* dns.c */
/* The DNS client, when a server or SBC is named (system name servers). */
int ds_dns_setup(struct ds_net *n);
/* First look-ups; the first probe round starts when they are all over. */
int ds_dns_start(struct ds_net *n);
void ds_dns_stop(struct ds_net *n);
/* Whether requests can go to the server: numeric, or a name with an answer. */
static inline bool ds_dns_usable(const struct net_server *s)
{
	return !s->named || s->dn.ok;
}
/* The SBC (host, port, transport) in n->sbcs, added if new: *idx. A name
 * with port 0 given (port_set) is looked up by SRV. */
int ds_sbc_add(struct ds_net *n, const char *host, uint16_t port, bool port_set,
	       enum sip_transp tp, int *idx);
/* Every live agent's SBCs (sbc_host...) in n->sbcs, added if new: ag->sbc[].
 * n->sbcs never shrinks (a retiring copy may use one); adding to it while
 * look-ups run is wrong: ds_dns_stop() first when ds_sbc_missing(). */
int ds_sbc_attach_all(struct ds_net *n);
bool ds_sbc_missing(const struct ds_net *n);
/* The look-up stopped and its answer and SRV targets freed. */
void ds_dname_free(struct net_dname *d);
/* A stopped name's answer and SRV targets go to `to` (a reload's new
 * server table; its look-ups stopped, ds_dns_setup() after). */
void ds_dname_move(struct net_dname *to, struct net_dname *from);
/* The target in use of d (gen: when the failure was seen) failed: the next
 * SRV target is looked up and used. False when there is none other, or the
 * list wrapped around to its first (every target failed once). */
bool ds_dns_next_target(struct net_dname *d, uint32_t gen);
/* The SRV target in use (a name its TLS certificate may carry); NULL
 * without SRV. */
const char *ds_dns_target(const struct net_dname *d);

/* tls.c: SIP over TLS, verified (docs/behaviour.md §7) */
/* The TLS context, when an agent or a probe uses TLS; logs why it failed. */
int ds_tls_setup(struct ds_net *n);
/* A TLS transport on sip (libre connects from it), when TLS is in use. */
int ds_tls_transp_add(struct ds_net *n, struct sip *sip, const struct sa *laddr);
/* Call before a sip_send() that may open a TLS connection to dst: the
 * server certificate must name `name` or `name2` (a host name or an IP
 * address; NULL or "" for none). dst NULL: done. */
void ds_tls_expect(struct ds_net *n, const struct sa *dst, const char *name,
		   const char *name2, bool probe);
void ds_tls_close(struct ds_net *n);
/* A TLS connection to dst failed (handshake or verification): what is in
 * flight there fails with that reason (reg.c, probe.c). */
void ds_reg_tls_failed(struct ds_net *n, const struct sa *dst, const char *why);
void ds_probe_tls_failed(struct ds_net *n, const struct sa *dst, const char *why);

/* local.c */
/* The address (with `port`) that Via, Contact and SDP carry toward dst:
 * --advertise, else the listen address, else (a wildcard) the one the
 * kernel routes from, cached. 0 or the errno of the route look-up. */
int ds_net_local(struct ds_net *n, const struct sa *dst, uint16_t port, struct sa *out);
/* Logs why a request to dst could not be sent and what to do about it,
 * once per cause (errno) for the whole run. */
void ds_net_send_failed(struct ds_net *n, const char *what, const struct sa *dst, int err);

/* net.c */
int64_t ds_net_now(const struct ds_net *n);
void ds_net_input(struct net_agent *ag, struct ds_input *in);
void ds_net_servers_changed(struct ds_net *n, const bool *changed);
uint16_t ds_net_up_mask(const struct ds_net *n, const struct net_agent *ag);
/* The agent's slots whose server has no probe result yet. */
uint16_t ds_net_unknown_mask(const struct ds_net *n, const struct net_agent *ag);

/* probe.c */
/* The probes' own UDP socket on laddr (port 0: ephemeral). */
int ds_probe_sock_open(struct ds_net *n, const struct sa *laddr);
/* The listener of the OPTIONS answers (over TCP and TLS), before uas.c's
 * catch-all: the probes may start later, once names are looked up. */
int ds_probe_listen(struct ds_net *n);
int ds_probe_start(struct ds_net *n);
/* Why a server was declared down, from its failed probes since its last
 * answer: "timed out", the fast failure's text ("refused: ICMP port
 * unreachable"), or, mixed, both with their counts. Returns buf. */
const char *ds_probe_fail_text(unsigned timed_out, unsigned fast, const char *fast_why,
			       char *buf, size_t sz);
void ds_probe_stop(struct ds_net *n);

/* reg.c */
int ds_reg_listen(struct ds_net *n);
int ds_binding_init(struct net_binding *b, struct net_agent *ag, int proxy);
void ds_binding_close(struct net_binding *b);
void ds_binding_action(struct net_binding *b, const struct ds_action *a);
/* Clean stop: un-REGISTER if bound. Returns true when a request went out
 * (ds_net_stop_done() is called once it is answered or abandoned). */
bool ds_binding_stop(struct net_binding *b);

/* What `run` serves, in the Allow header of its answers (call.c, uas.c) */
#define ALLOW_HDR "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS\r\n"

/* media.c: a call's RTP echo, one socket pair per call */
struct ds_media;
/* Opens the call's RTP socket on the listen address; its SDP address is
 * the local one that reaches `toward` (the INVITE's source). */
int ds_media_open(struct ds_media **mp, struct ds_net *n, const struct sa *toward);
const struct sa *ds_media_addr(const struct ds_media *m);
/* Our SDP answer: the media address, PCMU and PCMA. */
int ds_media_sdp(const struct ds_media *m, struct mbuf **sdpp);
/* "RTP packets received N, sent M" (and strays, send failures): %H */
int ds_media_print(struct re_printf *pf, const struct ds_media *m);

/* call.c */
int ds_call_listen(struct ds_net *n);
/* The agent whose SIP user is `user`, or NULL (after ds_call_listen). */
struct net_agent *ds_call_agent(const struct ds_net *n, const struct pl *user);
/* n->by_user from n->agents (again after a reload). */
int ds_call_users(struct ds_net *n);
void ds_call_drop(struct net_agent *ag);
/* Ends the agent's call (BYE) without telling its engine; why: for the log. */
void ds_call_hangup(struct net_agent *ag, const char *why);
void ds_call_close_all(struct ds_net *n);

/* uas.c: the UAS rules of RFC 3261 checked before libre's handlers. _listen
 * goes before every other listener (and sends the datagram that finds the
 * UDP sockets), _start after every other one (the catch-alls). */
int ds_uas_listen(struct ds_net *n);
int ds_uas_start(struct ds_net *n);
void ds_uas_close(struct ds_net *n);
/* A whole request from a TCP peer of tcpfront.c, before libre reads it: the
 * checks a datagram gets first (start line, version, scheme, RFC 2543
 * branch, readable headers). true: answered on tc (or dropped); false: mb,
 * maybe rewritten with a branch, goes on to libre. */
bool ds_uas_tcp_request(struct ds_net *n, const struct sa *src, struct tcp_conn *tc,
			struct mbuf *mb);
/* A stateless `code` answer on tc to the raw request head [p, p+len) whose
 * framing failed (`why`); code 0 or a response: only logged. */
void ds_uas_tcp_refuse(struct ds_net *n, const struct sa *src, struct tcp_conn *tc,
		       const char *p, size_t len, uint16_t code, const char *why);

/* tcpfront.c: the SIP port's TCP listener, framing and checking each message
 * before libre's transport (which listens on loopback only) gets it. */
int ds_tcpfront_alloc(struct ds_net *n);
int ds_tcpfront_listen(struct ds_net *n, const struct sa *laddr);
/* libre's TCP transport for family af, on loopback at an ephemeral port. */
int ds_tcpfront_inner(struct ds_net *n, int af);
/* Drops the listeners (a retry on another port). */
void ds_tcpfront_flush(struct ds_net *n);
/* The peer behind the relay connection whose address libre saw as src, or
 * NULL; *foreign: dst is libre's loopback listener, yet src is no relay. */
const struct sa *ds_tcpfront_peer(const struct ds_net *n, const struct sa *src,
				  const struct sa *dst, bool *foreign);
void ds_tcpfront_close(struct ds_net *n);

/* net.c: one un-REGISTER of the clean stop (or of a retiring agent) is over */
void ds_net_stop_done(struct net_agent *ag);
/* net.c: starts the agent's engine (sink, seed) at time t0 and its wake-ups */
int ds_net_agent_start(struct ds_net *n, struct net_agent *ag, int64_t t0);

/* setup.c */
/* Options, engine conf, password, transport and SBC of one agent from
 * cfg, its bindings not yet made; per-agent problems go to diags. Touches
 * nothing of n but reading its listen address: a reload's worker thread
 * calls it. */
int ds_agent_setup(struct ds_net *n, const struct ds_config *cfg, struct net_agent *ag,
		   const struct ds_person *p, struct ds_diags *diags);
/* Frees an agent (timers, call, bindings, engine, password). */
void ds_agent_free(struct net_agent *ag);
/* Gives the agent an id (by_id) and its two bindings. */
int ds_agent_enroll(struct ds_net *n, struct net_agent *ag);
/* The servers' lists of the agents (dense indexes) that use them. */
int ds_servers_index_agents(struct ds_net *n);
/* The table of servers the live agents use, fresh (state unknown). */
int ds_servers_build(struct ds_net *n, struct net_server **out, size_t *count, int **index);
/* The table's servers' agent lists and DNS names. */
void ds_servers_free(struct net_server *s, size_t count);

/* reload.c */
/* The old configuration's servers in the new one. */
struct srv_map {
	int *to_new;                 /* old configuration's index -> new, or -1 */
	bool *same;                  /* by old index: same definition in the new */
};
/* reload_servers.c: n->servers for the agents of the new configuration
 * (n->cfg, n->agents already the new ones), their SBCs in n->sbcs; the
 * probes and look-ups restarted when those arrays change. */
int ds_reload_servers(struct ds_net *n, const struct ds_config *old,
		      const struct srv_map *m, bool moved);
/* Whether the new configuration's staged agents need TLS that this run
 * does not have, or change its options; errors to diags (EINVAL). A
 * reload's worker thread calls it (reads n->tls and n->cfg only). */
int ds_reload_tls_check(const struct ds_net *n, const struct ds_config *cfg,
			struct net_agent *const *st, size_t count, struct ds_diags *diags);
/* retire.c */
/* Hands the agent's bindings to a retiring copy that un-REGISTERs them (or
 * closes them when none is held); the agent keeps everything else. Call
 * before n->cfg and n->servers change. */
void ds_retire(struct ds_net *n, struct net_agent *ag);
/* Frees every retiring copy (at the end of the run). */
void ds_retire_close(struct ds_net *n);
/* A retiring agent's copy of server `id` (its bindings' numbering). */
const struct ds_server *ds_reload_retired_server(const struct net_agent *ag, int id);
const struct sa *ds_reload_retired_addr(const struct net_agent *ag, int id);
/* reload.c: ends a reload in progress (at the end of the run), then
 * ds_retire_close(). */
void ds_reload_close(struct ds_net *n);
/* Frees the retiring agents whose un-REGISTERs are over (a timer's handler). */
void ds_reload_reap_h(void *arg);
/* net.c: a retiring agent was freed (a clean stop may be waiting for it) */
void ds_net_retired_gone(struct ds_net *n);

/* sockbuf.c: kernel buffers of the SIP stacks' UDP sockets. The main one
 * takes every REGISTER answer of the fleet (a start or a switchover is a
 * burst of up to two per agent); the probes' one only OPTIONS answers. */
#define DS_SIP_RCVBUF   (4 * 1024 * 1024)
#define DS_SIP_SNDBUF   (1024 * 1024)
#define DS_PROBE_RCVBUF (1024 * 1024)
#define DS_PROBE_SNDBUF (256 * 1024)
/* Sets the buffers of the UDP socket bound to laddr; says once when the
 * kernel granted less (net.core.rmem_max / wmem_max). 0 or ENOENT. */
int ds_sockbuf_raise(const struct ds_net *n, const struct sa *laddr, const char *what,
		     int rcv, int snd);

/* evout.c */
void ds_evout_init(struct ds_evout *o, FILE *f);
/* Writes one line (without its newline) to the events, never blocking the
 * loop unless the reader is far behind. */
void ds_evout_line(struct ds_net *n, const char *line);
/* Writes out what is queued (blocking) and gives the descriptor back as it was. */
void ds_evout_close(struct ds_net *n);

/* notify.c: systemd's Type=notify, for ds_net_main(). Each is a no-op while
 * notifications are off. */
/* Reads NOTIFY_SOCKET/WATCHDOG_USEC/WATCHDOG_PID; logs what it will do. */
void ds_net_notify_open(struct ds_net *n);
/* READY=1 with the first STATUS=, and starts the watchdog timer. */
void ds_net_notify_ready(struct ds_net *n);
/* An event may have moved agents: a new STATUS= soon, if the text changed. */
void ds_net_notify_changed(struct ds_net *n);
/* RELOADING=1 before a reload, READY=1 (and STATUS=) after it. */
void ds_net_notify_reloading(struct ds_net *n);
void ds_net_notify_reloaded(struct ds_net *n);
/* STOPPING=1 and a STATUS= saying so. */
void ds_net_notify_stopping(struct ds_net *n);
void ds_net_notify_close(struct ds_net *n);
/* metrics.c: the counters of the control endpoint's /metrics */
void ds_metrics_init(struct ds_net *n);
/* An agent added by a reload: its sites in the counters' numbering. */
void ds_metrics_agent_init(struct ds_net *n, struct net_agent *ag);
/* An agent going away: its counts taken back. */
void ds_metrics_agent_drop(struct ds_net *n, struct net_agent *ag);
/* After anything that may have changed an agent's connections or
 * registrations: moves its counts where it now is. */
void ds_metrics_agent(struct ds_net *n, struct net_agent *ag);
void ds_metrics_event(struct ds_net *n, const struct net_agent *ag, const struct ds_event *ev);
void ds_metrics_input(struct ds_net *n, const struct ds_input *in);
void ds_metrics_rtt(struct net_server *s, int64_t rtt_us);
/* SIGUSR1: the counters' summary to the log, a few lines. */
void ds_metrics_summary(const struct ds_net *n);

/* log.c */
void ds_log(const struct ds_net *n, const char *fmt, ...);
void ds_log_set_t0(uint64_t t0);
/* While on (the loop runs), log lines are written together at the end of
 * each loop turn; off writes what is held, and each line at once after. */
void ds_log_hold(bool on);

#endif
