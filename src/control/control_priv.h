/* The control endpoint's private state: the listener, its connections and
 * the request each is answering. */
#ifndef DS_CONTROL_PRIV_H
#define DS_CONTROL_PRIV_H

#include <stdbool.h>
#include <string.h>
#include <re.h>
#include "dualsite/control.h"
#include "dualsite/view.h"
#include "buf.h"

/* Limits that keep a slow or hostile client from costing the SIP loop
 * anything but a bounded amount of memory and a few reads. */
enum {
	CTL_MAX_CONNS   = 64,          /* more are closed at once on accept */
	CTL_MAX_REQUEST = 16384,       /* request line, headers and body */
	CTL_IDLE_MS     = 30000,       /* no progress for this long: closed */
	CTL_LINGER_MS   = 2000,        /* after a last answer, its client's rest is dropped */
	CTL_SSE_PING_MS = 15000,       /* a comment line keeps streams alive */
	CTL_SSE_MAX_OUT = 4 << 20,     /* a stream's reader this far behind is dropped */
	CTL_SLICE       = 65536,       /* a status answer is written this much at a time, */
	CTL_TURN_US     = 1000,        /* ... more in one loop turn while this has not passed */
};

/* GET /v1/status is written in slices, each once the last is in the
 * kernel, for about a millisecond per loop turn: at 10,000 agents no turn of
 * the SIP loop is held for the whole answer, and a client that reads slowly
 * holds one slice of memory. An agent is as it was when its slice was written; `t` is when the
 * answer began (expires_in counts from it). */
struct ctl_status {
	int64_t now;                  /* the answer's t */
	size_t next;                  /* the next agent to write */
	bool begun, done;
};

struct ds_control {
	struct ds_net *net;
	int lfd;
	char *addr;                   /* as listened on */
	char *unix_path;              /* our socket file, removed at the end */
	dev_t unix_dev;
	ino_t unix_ino;
	char *token;
	struct list conns;
	unsigned n_conns;
	unsigned n_streams;
	struct tmr ping;
	struct tmr accept_tmr;        /* out of descriptors: accept again later */
	char *line;                   /* an event's JSON line, grown to fit */
	size_t line_cap;
};

struct ctl_conn {
	struct le le;
	struct ds_control *ctl;
	int fd;
	struct ds_buf in;
	struct ds_buf out;
	size_t out_off;               /* bytes of `out` already written */
	struct tmr idle;
	bool stream;                  /* GET /v1/events: an open event stream */
	bool waiting;                 /* POST /v1/reload: answered when it is over */
	bool close_after;             /* close once `out` is written */
	bool draining;                /* ... written: dropping what still comes */
	int flags;                    /* fd_listen() flags in force */
	bool slicing;                 /* a status answer has slices still to write */
	bool chunked;                 /* ... in chunks; else up to the close (HTTP/1.0) */
	struct ctl_status st;
	size_t sliced_bytes;          /* for the debug line: the body's size, */
	unsigned turns;               /* the loop turns that wrote it, */
	int64_t turn_max_us, turns_us; /* the longest and all of them */
	int64_t turn_max_cpu_us, turns_cpu_us; /* the same in CPU time */
};

/* A request as the routes see it. */
struct ctl_req {
	size_t clen;                  /* Content-Length */
	bool close;                   /* Connection: close, or HTTP/1.0 */
	bool http10;                  /* HTTP/1.0: no chunked answers */
	char method[8];
	char store[512];              /* the segments, NUL-terminated each */
	const char *seg[6];           /* the path's segments, percent-decoded */
	int nseg;
};

struct ctl_resp {
	unsigned status;
	const char *ctype;            /* NULL: application/json */
	const char *allow;            /* 405: the methods allowed */
	struct ds_buf body;
	bool stream;                  /* start an event stream (no body) */
	bool sliced;                  /* the body is `st`'s slices (GET /v1/status) */
	struct ctl_status st;
	bool defer;                   /* answered later, by ds_ctl_answer_waiting() */
};

/* request.c: parses the request head head[0..hlen) (up to and with its
 * blank line) into rq; `token`, when not NULL, must be its bearer token.
 * Returns 0 when it may be routed, else the status to answer with why[sz];
 * *fatal when the framing is lost (answer, then close). */
unsigned ds_ctl_parse_head(const char *head, size_t hlen, const char *token,
			   struct ctl_req *rq, bool *fatal, char *why, size_t sz);

/* The status page's paths: "/" and "/status.*", the page's own files. They
 * hold no state (the page reads it through /v1/), so a browser, which cannot
 * send a token with a page load, gets them without one. */
static inline bool ds_ctl_page_path(const struct ctl_req *rq)
{
	return rq->nseg == 1 && (!rq->seg[0][0] || !strncmp(rq->seg[0], "status.", 7));
}
/* page.c: GET of a page path. */
void ds_ctl_page(const struct ctl_req *rq, struct ctl_resp *rs);

/* routes.c: answers one request into resp. */
void ds_ctl_route(struct ds_control *c, const struct ctl_req *rq, struct ctl_resp *rs);
/* {"error": MESSAGE} with `status`. */
void ds_ctl_error(struct ctl_resp *rs, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *ds_ctl_reason(unsigned status);
/* routes.c: appends the status answer's next slice (about CTL_SLICE bytes)
 * to b; sets st->done with the last. */
void ds_ctl_status_slice(struct ds_control *c, struct ctl_status *st, struct ds_buf *b);
/* http.c: answers every connection waiting for a reload (rs->defer) with rs. */
void ds_ctl_answer_waiting(struct ds_control *c, struct ctl_resp *rs);
/* metrics.c: GET /metrics */
void ds_ctl_metrics(struct ds_control *c, struct ctl_resp *rs);

#endif
