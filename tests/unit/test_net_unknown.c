/* The engine as the network driver runs it (conf.servers_unknown): a server
 * is unknown until its first probe result (docs/behaviour.md §3.1). No
 * connection, no `connected` and no `out-of-service` before the results;
 * a kind whose servers all turn out down goes out of service, never
 * connected; the peer site is not taken while the preferred one is unknown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dualsite/engine.h"

#define MAXREC 64

struct rec {
	struct ds_event ev[MAXREC];
	size_t n_ev;
	size_t n_act;
};

static void sink(const struct ds_action *a, const struct ds_event *ev, void *arg)
{
	struct rec *r = arg;

	if (a)
		r->n_act++;
	if (ev && r->n_ev < MAXREC)
		r->ev[r->n_ev++] = *ev;
}

/* stat and config at two sites, no sip (no registrations to answer) */
static struct ds_engine_conf conf_unknown(void)
{
	static const char *names[DS_SLOT_COUNT] = {
		NULL, NULL, NULL, NULL, "STAT_X", "STAT_X_B",
		"STAT_Y", "STAT_Y_B", "CONF_X", "CONF_X_B", "CONF_Y", "CONF_Y_B"};
	struct ds_engine_conf c = {
		.agent = "alice", .site_name = {"SiteX", "SiteY"},
		.kind_connected = {false, true, true}, .bc_enabled = true,
		.auto_restore = true, .timeout_ms = 30000, .hold_down_ms = 10000,
		.servers_unknown = true,
	};
	for (int i = 0; i < DS_SLOT_COUNT; i++) {
		c.server_name[i] = names[i];
		c.server_id[i] = names[i] ? i : -1;
	}
	return c;
}

static uint16_t bits(int kind, int site)
{
	return (uint16_t)(3u << DS_SLOT(kind, site, 0));
}

static size_t count(const struct rec *r, enum ds_event_type t, int kind)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_ev; i++)
		n += r->ev[i].type == t && (int)r->ev[i].kind == kind;
	return n;
}

static const struct ds_event *find(const struct rec *r, enum ds_event_type t, int kind)
{
	for (size_t i = 0; i < r->n_ev; i++)
		if (r->ev[i].type == t && (int)r->ev[i].kind == kind)
			return &r->ev[i];
	return NULL;
}

static void servers(struct ds_engine *e, int64_t t, uint16_t up, uint16_t unknown)
{
	struct ds_input in = {.type = DS_IN_SERVERS, .t = t, .up_mask = up,
			      .unknown_mask = unknown};

	ds_engine_input(e, &in);
}

static void test_nothing_before_results(void **state)
{
	struct ds_engine_conf c = conf_unknown();
	struct ds_engine *e;
	struct rec r = {0};
	struct ds_conn_view v;
	(void)state;

	assert_int_equal(ds_engine_alloc(&e, &c, 1, 0, sink, &r), 0);
	assert_int_equal(r.n_ev, 0);
	ds_engine_conn(e, DS_KIND_STAT, &v);
	assert_int_equal(v.state, DS_CONN_OUT_OF_SERVICE);

	/* the first round: Stat Servers refused (down), config answers */
	servers(e, 20, bits(DS_KIND_CONFIG, 0) | bits(DS_KIND_CONFIG, 1), 0);
	assert_int_equal(count(&r, DS_EV_CONNECTED, DS_KIND_STAT), 0);
	assert_non_null(find(&r, DS_EV_OUT_OF_SERVICE, DS_KIND_STAT));
	assert_non_null(find(&r, DS_EV_CONNECTED, DS_KIND_CONFIG));
	assert_int_equal(find(&r, DS_EV_CONNECTED, DS_KIND_CONFIG)->site, 0);
	ds_engine_free(e);
}

static void test_peer_waits_for_preferred(void **state)
{
	struct ds_engine_conf c = conf_unknown();
	struct ds_engine *e;
	struct rec r = {0};
	uint16_t peer = bits(DS_KIND_STAT, 1) | bits(DS_KIND_CONFIG, 1);
	uint16_t pref = bits(DS_KIND_STAT, 0) | bits(DS_KIND_CONFIG, 0);
	(void)state;

	assert_int_equal(ds_engine_alloc(&e, &c, 1, 0, sink, &r), 0);
	/* the peer answered, the preferred site has no result yet */
	servers(e, 20, peer, pref);
	assert_int_equal(r.n_ev, 0);
	/* the preferred site is now known down: the peer, at once */
	servers(e, 1500, peer, 0);
	assert_non_null(find(&r, DS_EV_CONNECTED, DS_KIND_STAT));
	assert_int_equal(find(&r, DS_EV_CONNECTED, DS_KIND_STAT)->site, 1);
	assert_int_equal(count(&r, DS_EV_OUT_OF_SERVICE, DS_KIND_STAT), 0);
	ds_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_before_results),
		cmocka_unit_test(test_peer_waits_for_preferred),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
