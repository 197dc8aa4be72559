/* Unit tests of the engine alone: inputs fed by hand, actions and events read
 * back. The scenario suite and the randomized test cover the rules end to end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dualsite/engine.h"

#define MAXREC 64

struct rec {
	struct ds_event ev[MAXREC];
	size_t n_ev;
	struct ds_action act[MAXREC];
	size_t n_act;
};

static void sink(const struct ds_action *a, const struct ds_event *ev, void *arg)
{
	struct rec *r = arg;

	if (a && r->n_act < MAXREC)
		r->act[r->n_act++] = *a;
	if (ev && r->n_ev < MAXREC)
		r->ev[r->n_ev++] = *ev;
}

static struct ds_engine_conf conf_two_sites(void)
{
	static const char *names[DS_SLOT_COUNT] = {
		"SIP_X", "SIP_X_B", "SIP_Y", "SIP_Y_B", "STAT_X", "STAT_X_B",
		"STAT_Y", "STAT_Y_B", "CONF_X", "CONF_X_B", "CONF_Y", "CONF_Y_B"};
	struct ds_engine_conf c = {
		.agent = "alice", .site_name = {"SiteX", "SiteY"},
		.kind_connected = {true, true, true}, .bc_enabled = true,
		.auto_restore = true, .restore_when_idle = true,
		.timeout_ms = 30000, .sipphone_wait_ms = 20000, .hold_down_ms = 10000,
		.reregister_ms = {5000, 5000}, .reg_expires = {600, 600},
	};
	for (int i = 0; i < DS_SLOT_COUNT; i++) {
		c.server_name[i] = names[i];
		c.server_id[i] = i;
	}
	return c;
}

static size_t count(const struct rec *r, enum ds_event_type t)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_ev; i++)
		n += r->ev[i].type == t;
	return n;
}

static const struct ds_event *find(const struct rec *r, enum ds_event_type t, int kind)
{
	for (size_t i = 0; i < r->n_ev; i++)
		if (r->ev[i].type == t && (int)r->ev[i].kind == kind)
			return &r->ev[i];
	return NULL;
}

static const struct ds_action *find_act(const struct rec *r, enum ds_action_type t, int proxy)
{
	for (size_t i = 0; i < r->n_act; i++)
		if (r->act[i].type == t && r->act[i].proxy == proxy)
			return &r->act[i];
	return NULL;
}

static void input(struct ds_engine *e, struct rec *r, struct ds_input in)
{
	r->n_ev = r->n_act = 0;
	ds_engine_input(e, &in);
}

/* Answers every REGISTER the last step asked for. */
static void answer_registers(struct ds_engine *e, struct rec *r, int64_t t)
{
	struct ds_action acts[MAXREC];
	size_t n = r->n_act;

	memcpy(acts, r->act, n * sizeof(acts[0]));
	for (size_t i = 0; i < n; i++)
		if (acts[i].type == DS_ACT_REGISTER)
			input(e, r, (struct ds_input){.type = DS_IN_REG_OK, .t = t,
				.proxy = acts[i].proxy, .seq = acts[i].seq, .expires = acts[i].expires});
}

static uint16_t all_up(void)
{
	return (uint16_t)((1u << DS_SLOT_COUNT) - 1);
}

static uint16_t site_down(int site)
{
	uint16_t m = all_up();

	for (int k = 0; k < DS_KIND_COUNT; k++)
		m &= (uint16_t)~(3u << DS_SLOT(k, site, 0));
	return m;
}

static void start(struct ds_engine **e, struct rec *r, const struct ds_engine_conf *c)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(ds_engine_alloc(e, c, 1, 0, sink, r), 0);
	/* stat and config connect at once; sip waits for its registration */
	assert_non_null(find(r, DS_EV_CONNECTED, DS_KIND_STAT));
	assert_non_null(find(r, DS_EV_CONNECTED, DS_KIND_CONFIG));
	assert_null(find(r, DS_EV_CONNECTED, DS_KIND_SIP));
	assert_non_null(find_act(r, DS_ACT_REGISTER, 0));
	assert_non_null(find_act(r, DS_ACT_REGISTER, 1));
	answer_registers(*e, r, 0);
}

static void test_start_registers_and_connects(void **state)
{
	struct ds_engine_conf c = conf_two_sites();
	struct ds_engine *e;
	struct rec r;
	struct ds_conn_view v;

	(void)state;
	start(&e, &r, &c);
	ds_engine_conn(e, DS_KIND_SIP, &v);
	assert_int_equal(v.state, DS_CONN_CONNECTED);
	assert_int_equal(v.site, DS_SITE_PREFERRED);
	assert_true(ds_engine_registered(e, 0));
	assert_true(ds_engine_registered(e, 1));
	/* the refresh comes at half the granted expiry */
	assert_int_equal(ds_engine_next_wakeup(e), 300000);
	ds_engine_free(e);
}

static void test_ha_switch_is_immediate(void **state)
{
	struct ds_engine_conf c = conf_two_sites();
	struct ds_engine *e;
	struct rec r;
	const struct ds_event *ev;
	const struct ds_action *a;

	(void)state;
	start(&e, &r, &c);
	input(e, &r, (struct ds_input){.type = DS_IN_SERVERS, .t = 5000,
		.up_mask = (uint16_t)(all_up() & ~(1u << DS_SLOT(DS_KIND_SIP, 0, 0)))});
	ev = find(&r, DS_EV_HA_SWITCH, DS_KIND_SIP);
	assert_non_null(ev);
	assert_int_equal(ev->t, 5000);
	assert_int_equal(ev->to, DS_SLOT(DS_KIND_SIP, 0, DS_BACKUP));
	a = find_act(&r, DS_ACT_REGISTER, 0);
	assert_non_null(a);
	assert_int_equal(a->slot, DS_SLOT(DS_KIND_SIP, 0, DS_BACKUP));
	assert_int_equal(count(&r, DS_EV_CONNECTION_LOST), 0);
	ds_engine_free(e);
}

static void test_site_loss_switches_after_timeout(void **state)
{
	struct ds_engine_conf c = conf_two_sites();
	struct ds_engine *e;
	struct rec r;
	const struct ds_event *ev;

	(void)state;
	start(&e, &r, &c);
	input(e, &r, (struct ds_input){.type = DS_IN_SERVERS, .t = 5000, .up_mask = site_down(0)});
	/* a whole site at once is a loss, not an HA switch */
	assert_int_equal(count(&r, DS_EV_HA_SWITCH), 0);
	assert_int_equal(count(&r, DS_EV_CONNECTION_LOST), 3);
	assert_int_equal(count(&r, DS_EV_REGISTRATION_LOST), 1);
	assert_int_equal(count(&r, DS_EV_SWITCHOVER), 0);
	assert_int_equal(ds_engine_next_wakeup(e), 5000 + c.timeout_ms);
	input(e, &r, (struct ds_input){.type = DS_IN_TIMER, .t = 5000 + c.timeout_ms});
	assert_int_equal(count(&r, DS_EV_SWITCHOVER), 3);
	ev = find(&r, DS_EV_SWITCHOVER, DS_KIND_SIP);
	assert_non_null(ev);
	assert_int_equal(ev->from, DS_SITE_PREFERRED);
	assert_int_equal(ev->to, DS_SITE_PEER);
	assert_int_equal(ev->reason, DS_R_SERVER_LOSS);
	ds_engine_free(e);
}

/* After a switchover at t, with a call at the peer site: the preferred site
 * comes back at t + 2 s; stat and config restore after the hold-down, sip
 * is held by the call and restores at its end (t + 20 s). */
static void restore_after_call_end(struct ds_engine *e, struct rec *r, int64_t t)
{
	input(e, r, (struct ds_input){.type = DS_IN_SERVERS, .t = t + 2000, .up_mask = all_up()});
	answer_registers(e, r, t + 2000); /* proxy0 registers again at once */
	assert_true(ds_engine_registered(e, 0));
	input(e, r, (struct ds_input){.type = DS_IN_TIMER, .t = ds_engine_next_wakeup(e)});
	assert_int_equal(count(r, DS_EV_RESTORE), 2);
	assert_int_equal(count(r, DS_EV_RESTORE_DEFERRED), 1);
	assert_null(find(r, DS_EV_RESTORE, DS_KIND_SIP));
	input(e, r, (struct ds_input){.type = DS_IN_CALL_END, .t = t + 20000});
	assert_non_null(find(r, DS_EV_CALL_END, DS_KIND_SIP));
	assert_non_null(find(r, DS_EV_RESTORE, DS_KIND_SIP));
}

static void test_restore_waits_for_call(void **state)
{
	struct ds_engine_conf c = conf_two_sites();
	struct ds_engine *e;
	struct rec r;
	int64_t t = 5000 + c.timeout_ms;

	(void)state;
	start(&e, &r, &c);
	input(e, &r, (struct ds_input){.type = DS_IN_SERVERS, .t = 5000, .up_mask = site_down(0)});
	input(e, &r, (struct ds_input){.type = DS_IN_TIMER, .t = t});
	input(e, &r, (struct ds_input){.type = DS_IN_CALL_START, .t = t + 1000, .site = 1});
	restore_after_call_end(e, &r, t);
	ds_engine_free(e);
}

static void test_second_challenge_style_rejection_retries_later(void **state)
{
	struct ds_engine_conf c = conf_two_sites();
	struct ds_engine *e;
	struct rec r;
	const struct ds_action *a;
	uint32_t seq;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(ds_engine_alloc(&e, &c, 1, 0, sink, &r), 0);
	a = find_act(&r, DS_ACT_REGISTER, 0);
	assert_non_null(a);
	seq = a->seq;
	input(e, &r, (struct ds_input){.type = DS_IN_REG_FAIL, .t = 100, .proxy = 0,
		.seq = seq, .code = 503, .retry_after = 9});
	/* never registered there: failed, not lost */
	assert_non_null(find(&r, DS_EV_REGISTRATION_FAILED, DS_KIND_SIP));
	assert_null(find(&r, DS_EV_REGISTRATION_LOST, DS_KIND_SIP));
	/* the longer of reregister_in_seconds (5 s) and Retry-After (9 s) */
	assert_int_equal(ds_engine_next_wakeup(e), 100 + 9000);
	/* a stale answer changes nothing */
	input(e, &r, (struct ds_input){.type = DS_IN_REG_OK, .t = 200, .proxy = 0, .seq = seq});
	assert_false(ds_engine_registered(e, 0));
	ds_engine_free(e);
}

/* Waits for proxy0's next REGISTER and answers it: `code` 200 grants, 0 is
 * no answer in time (or, with `why`, a failure the driver names), else a
 * rejection. Returns the events of the answer. */
static void answer_next_why(struct ds_engine *e, struct rec *r, int64_t *t, int code,
			    enum ds_reason why)
{
	const struct ds_action *a = find_act(r, DS_ACT_REGISTER, 0);

	while (!a) {
		*t = ds_engine_next_wakeup(e);
		assert_true(*t != DS_NEVER);
		input(e, r, (struct ds_input){.type = DS_IN_TIMER, .t = *t});
		a = find_act(r, DS_ACT_REGISTER, 0);
	}
	*t += 10;
	if (code == 200)
		input(e, r, (struct ds_input){.type = DS_IN_REG_OK, .t = *t, .proxy = 0,
			.seq = a->seq, .expires = 20});
	else
		input(e, r, (struct ds_input){.type = DS_IN_REG_FAIL, .t = *t, .proxy = 0,
			.seq = a->seq, .code = code, .why = why});
}

static void answer_next(struct ds_engine *e, struct rec *r, int64_t *t, int code)
{
	answer_next_why(e, r, t, code, DS_R_NONE);
}

/* registration-failed: said once per reason until a success; a held
 * registration's failure is registration-lost, and its reason counts as said. */
static void test_registration_failed_once_per_reason(void **state)
{
	static const struct {
		int code;                   /* the answer to the next REGISTER at proxy0 */
		enum ds_event_type said;    /* what it must say; DS_EV_CONNECTED: nothing */
	} steps[] = {
		{403, DS_EV_REGISTRATION_FAILED},
		{403, DS_EV_CONNECTED},
		{0, DS_EV_REGISTRATION_FAILED},   /* timeout: a new reason */
		{403, DS_EV_CONNECTED},           /* said before, though not last */
		{401, DS_EV_REGISTRATION_FAILED},
		{0, DS_EV_CONNECTED},
		{200, DS_EV_REGISTERED},
		{401, DS_EV_REGISTRATION_LOST},   /* the refresh: a registration held */
		{401, DS_EV_CONNECTED},           /* the loss said it */
		{403, DS_EV_REGISTRATION_FAILED}, /* forgotten at the success */
		{0, DS_EV_REGISTRATION_FAILED},   /* likewise */
	};
	struct ds_engine_conf c = conf_two_sites();
	struct ds_engine *e;
	struct rec r;
	int64_t t = 0;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(ds_engine_alloc(&e, &c, 1, 0, sink, &r), 0);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		answer_next(e, &r, &t, steps[i].code);
		if (steps[i].said == DS_EV_CONNECTED) {
			assert_int_equal(count(&r, DS_EV_REGISTRATION_FAILED), 0);
			assert_int_equal(count(&r, DS_EV_REGISTRATION_LOST), 0);
			continue;
		}
		assert_int_equal(count(&r, steps[i].said), 1);
		if (steps[i].said == DS_EV_REGISTRATION_FAILED)
			assert_int_equal(count(&r, DS_EV_REGISTRATION_LOST), 0);
		if (steps[i].said == DS_EV_REGISTRATION_LOST)
			assert_int_equal(count(&r, DS_EV_REGISTRATION_FAILED), 0);
	}
	ds_engine_free(e);
}

/* An attempt that failed before any answer could come keeps the driver's
 * reason (tls, dns) instead of timeout, and each is said once. */
static void test_registration_failed_tls_dns(void **state)
{
	static const enum ds_reason why[] = {DS_R_TLS, DS_R_TLS, DS_R_DNS, DS_R_NONE};
	static const enum ds_reason said[] = {DS_R_TLS, DS_R_NONE, DS_R_DNS, DS_R_TIMEOUT};
	struct ds_engine_conf c = conf_two_sites();
	struct ds_engine *e;
	struct rec r;
	int64_t t = 0;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(ds_engine_alloc(&e, &c, 1, 0, sink, &r), 0);
	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++) {
		const struct ds_event *ev;

		answer_next_why(e, &r, &t, 0, why[i]);
		ev = find(&r, DS_EV_REGISTRATION_FAILED, DS_KIND_SIP);
		if (said[i] == DS_R_NONE) {
			assert_null(ev);
			continue;
		}
		assert_non_null(ev);
		assert_int_equal(ev->reason, said[i]);
	}
	ds_engine_free(e);
}

static void test_state_is_small(void **state)
{
	(void)state;
	assert_true(ds_engine_size() <= 1024);
}

static void test_same_seed_same_delays(void **state)
{
	struct ds_engine_conf c = conf_two_sites();
	struct ds_engine *a, *b;
	struct rec ra, rb;

	(void)state;
	c.random_range_ms = 2000;
	memset(&ra, 0, sizeof(ra));
	memset(&rb, 0, sizeof(rb));
	assert_int_equal(ds_engine_alloc(&a, &c, ds_engine_seed(7, "alice"), 0, sink, &ra), 0);
	assert_int_equal(ds_engine_alloc(&b, &c, ds_engine_seed(7, "alice"), 0, sink, &rb), 0);
	assert_int_equal(ds_engine_next_wakeup(a), ds_engine_next_wakeup(b));
	assert_true(ds_engine_next_wakeup(a) <= 2000);
	assert_true(ds_engine_seed(7, "alice") != ds_engine_seed(7, "bob"));
	ds_engine_free(a);
	ds_engine_free(b);
}

static void test_names_are_spec_names(void **state)
{
	(void)state;
	assert_string_equal(ds_event_name(DS_EV_HA_SWITCH), "ha-switch");
	assert_string_equal(ds_event_name(DS_EV_REGISTRATION_LOST), "registration-lost");
	assert_string_equal(ds_event_name(DS_EV_REGISTRATION_FAILED), "registration-failed");
	assert_string_equal(ds_event_name(DS_EV_RESTORE_DEFERRED), "restore-deferred");
	assert_string_equal(ds_conn_state_name(DS_CONN_LOST), "lost");
	assert_string_equal(ds_conn_state_name(DS_CONN_OUT_OF_SERVICE), "out-of-service");
}

static void test_health_counts_failures(void **state)
{
	struct ds_health h;

	(void)state;
	ds_health_init(&h);
	assert_true(h.up);
	assert_false(ds_health_result(&h, false, 2));
	assert_true(ds_health_result(&h, false, 2));
	assert_false(h.up);
	assert_true(ds_health_result(&h, true, 2));
	assert_true(h.up);
}

/* A reload's new SIP identity: both registrations refreshed at once, no
 * event (nothing changed for the agent), and an attempt in flight made again
 * (the driver dropped it), its late answer ignored. */
static void test_reregister_refreshes_now(void **state)
{
	struct ds_engine_conf c = conf_two_sites();
	struct ds_engine *e;
	struct rec r;
	const struct ds_action *a;
	uint32_t old_seq;

	(void)state;
	start(&e, &r, &c);
	input(e, &r, (struct ds_input){.type = DS_IN_TIMER, .t = 1000});
	assert_int_equal(r.n_act, 0);
	input(e, &r, (struct ds_input){.type = DS_IN_REREGISTER, .t = 1000});
	assert_non_null(find_act(&r, DS_ACT_REGISTER, 0));
	assert_non_null(find_act(&r, DS_ACT_REGISTER, 1));
	assert_int_equal(r.n_ev, 0);
	a = find_act(&r, DS_ACT_REGISTER, 0);
	old_seq = a->seq;
	/* again while both are in flight: sent again, with new seqs */
	input(e, &r, (struct ds_input){.type = DS_IN_REREGISTER, .t = 1100});
	a = find_act(&r, DS_ACT_REGISTER, 0);
	assert_non_null(a);
	assert_int_not_equal(a->seq, old_seq);
	answer_registers(e, &r, 1200);
	assert_int_equal(count(&r, DS_EV_REGISTERED), 0);
	assert_true(ds_engine_registered(e, 0));
	/* the answer to the dropped attempt changes nothing */
	input(e, &r, (struct ds_input){.type = DS_IN_REG_FAIL, .t = 1300, .proxy = 0,
				       .seq = old_seq, .code = 403});
	assert_int_equal(r.n_ev, 0);
	assert_true(ds_engine_registered(e, 0));
	/* refreshed at 1.2 s: the next refresh at half of 600 s from then */
	assert_int_equal(ds_engine_next_wakeup(e), 1200 + 300000);
	ds_engine_free(e);
}

/* A rebuilt engine told of a call in progress (ds_engine_set_call, no
 * event) defers a restore as a call does, and ends it with call-end. */
static void test_set_call_defers_restore(void **state)
{
	struct ds_engine_conf c = conf_two_sites();
	struct ds_engine *e;
	struct rec r;
	int64_t t = 5000 + c.timeout_ms;

	(void)state;
	start(&e, &r, &c);
	input(e, &r, (struct ds_input){.type = DS_IN_SERVERS, .t = 5000, .up_mask = site_down(0)});
	input(e, &r, (struct ds_input){.type = DS_IN_TIMER, .t = t});
	r.n_ev = 0;
	ds_engine_set_call(e, DS_SITE_PEER);
	assert_true(ds_engine_in_call(e));
	assert_int_equal(r.n_ev, 0);
	restore_after_call_end(e, &r, t);
	ds_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_registers_and_connects),
		cmocka_unit_test(test_ha_switch_is_immediate),
		cmocka_unit_test(test_site_loss_switches_after_timeout),
		cmocka_unit_test(test_restore_waits_for_call),
		cmocka_unit_test(test_second_challenge_style_rejection_retries_later),
		cmocka_unit_test(test_registration_failed_once_per_reason),
		cmocka_unit_test(test_registration_failed_tls_dns),
		cmocka_unit_test(test_state_is_small),
		cmocka_unit_test(test_same_seed_same_delays),
		cmocka_unit_test(test_health_counts_failures),
		cmocka_unit_test(test_names_are_spec_names),
		cmocka_unit_test(test_reregister_refreshes_now),
		cmocka_unit_test(test_set_call_defers_restore),
	};
	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
