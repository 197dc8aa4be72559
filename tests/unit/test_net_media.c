/* Unit tests of a call's RTP echo (src/net/media.c) on a real libre loop and
 * loopback sockets: what comes back, what does not, the counts, the SDP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "net/net_priv.h"

enum { MAXGOT = 16, PAYLOAD = 20, LAST_TS = 99999 };

struct got {
	struct sa src;
	uint8_t pt;
	bool m;
	uint32_t ts, ssrc;
	uint16_t seq;
	size_t len;
	uint8_t payload[64];
};

struct peer {
	struct udp_sock *us;
	struct got got[MAXGOT];
	int n;
};

static void peer_recv_h(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct peer *p = arg;
	struct rtp_header h;
	struct got *g;

	if (p->n >= MAXGOT || rtp_hdr_decode(&h, mb))
		return;
	g = &p->got[p->n++];
	g->src = *src;
	g->pt = h.pt;
	g->m = h.m;
	g->ts = h.ts;
	g->ssrc = h.ssrc;
	g->seq = h.seq;
	g->len = mbuf_get_left(mb);
	memcpy(g->payload, mbuf_buf(mb), g->len < sizeof(g->payload) ? g->len : sizeof(g->payload));
	if (h.ts == LAST_TS)
		re_cancel();
}

static void peer_open(struct peer *p)
{
	struct sa a;

	memset(p, 0, sizeof(*p));
	assert_int_equal(sa_set_str(&a, "127.0.0.1", 0), 0);
	assert_int_equal(udp_listen(&p->us, &a, peer_recv_h, p), 0);
}

/* Sends an RTP packet (version 2) with `pad` bytes of padding, or raw bytes. */
static void send_rtp(struct peer *p, const struct sa *dst, uint8_t pt, bool m, uint32_t ts,
		     uint8_t fill, uint8_t pad)
{
	struct mbuf *mb = mbuf_alloc(128);
	struct rtp_header h = {.ver = 2, .pad = pad > 0, .m = m, .pt = pt, .seq = 7,
			       .ts = ts, .ssrc = 0x1234};

	assert_non_null(mb);
	assert_int_equal(rtp_hdr_encode(mb, &h), 0);
	for (int i = 0; i < PAYLOAD; i++)
		assert_int_equal(mbuf_write_u8(mb, (uint8_t)(fill + i)), 0);
	for (int i = 0; i < pad; i++)
		assert_int_equal(mbuf_write_u8(mb, i == pad - 1 ? pad : 0), 0);
	mb->pos = 0;
	assert_int_equal(udp_send(p->us, dst, mb), 0);
	mem_deref(mb);
}

static void send_raw(struct peer *p, const struct sa *dst, const uint8_t *b, size_t len)
{
	struct mbuf *mb = mbuf_alloc(len);

	assert_non_null(mb);
	assert_int_equal(mbuf_write_mem(mb, b, len), 0);
	mb->pos = 0;
	assert_int_equal(udp_send(p->us, dst, mb), 0);
	mem_deref(mb);
}

static void guard_h(void *arg)
{
	*(bool *)arg = true;
	re_cancel();
}

/* Runs the loop until the echo of the LAST_TS packet arrives (2 s at most). */
static void run_until_last(void)
{
	struct tmr guard;
	bool timed_out = false;

	tmr_init(&guard);
	tmr_start(&guard, 2000, guard_h, &timed_out);
	assert_int_equal(re_main(NULL), 0);
	tmr_cancel(&guard);
	assert_false(timed_out);
}

static void net_init_lo(struct ds_net *n)
{
	memset(n, 0, sizeof(*n));
	assert_int_equal(sa_set_str(&n->laddr, "127.0.0.1", 5060), 0);
	sa_init(&n->advertise, AF_UNSPEC);
}

static void test_echo(void **state)
{
	struct ds_net n;
	struct ds_media *m = NULL;
	struct peer caller, stranger;
	struct sa toward, media, from;
	const uint8_t rtcp_rr[] = {0x81, 201, 0, 7, 0, 0, 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0,
				   0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	const uint8_t stun[] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4,
				5, 6, 7, 8, 9, 10, 11, 12};
	char line[256];
	(void)state;

	net_init_lo(&n);
	assert_int_equal(sa_set_str(&toward, "127.0.0.1", 5070), 0);
	assert_int_equal(ds_media_open(&m, &n, &toward), 0);
	media = *ds_media_addr(m);
	assert_true(sa_cmp(&media, &n.laddr, SA_ADDR));
	assert_true(sa_port(&media) >= 32768 && sa_port(&media) % 2 == 0);
	peer_open(&caller);
	peer_open(&stranger);
	assert_int_equal(udp_local_get(caller.us, &from), 0);

	send_rtp(&caller, &media, 0, true, 160, 1, 0);      /* latches the caller */
	send_raw(&caller, &media, stun, sizeof(stun));       /* not RTP */
	send_raw(&caller, &media, rtcp_rr, sizeof(rtcp_rr)); /* RTCP on the RTP port */
	send_rtp(&stranger, &media, 0, false, 320, 2, 0);    /* another source */
	send_rtp(&caller, &media, 8, false, 480, 3, 4);      /* padded */
	send_rtp(&caller, &media, 0, false, LAST_TS, 4, 0);
	run_until_last();

	assert_int_equal(caller.n, 3);
	assert_int_equal(stranger.n, 0);
	for (int i = 0; i < 3; i++) {
		assert_true(sa_cmp(&caller.got[i].src, &media, SA_ALL));
		assert_int_not_equal(caller.got[i].ssrc, 0x1234);
		assert_int_equal(caller.got[i].ssrc, caller.got[0].ssrc);
		assert_int_equal(caller.got[i].seq, (uint16_t)(caller.got[0].seq + i));
		assert_int_equal(caller.got[i].len, PAYLOAD);   /* padding stripped */
	}
	assert_int_equal(caller.got[0].pt, 0);
	assert_true(caller.got[0].m);
	assert_int_equal(caller.got[0].ts, 160);
	assert_int_equal(caller.got[0].payload[0], 1);
	assert_int_equal(caller.got[1].pt, 8);
	assert_false(caller.got[1].m);
	assert_int_equal(caller.got[1].ts, 480);
	assert_int_equal(caller.got[1].payload[PAYLOAD - 1], 3 + PAYLOAD - 1);
	assert_int_equal(caller.got[2].payload[0], 4);
	assert_int_equal(n.ctr.rtp_received, 3);
	assert_int_equal(n.ctr.rtp_sent, 3);
	re_snprintf(line, sizeof(line), "%H", ds_media_print, m);
	re_snprintf(line + 128, 128, "RTP packets received 3, sent 3 (1 from a source other "
		    "than %J ignored)", &from);
	assert_string_equal(line, line + 128);

	mem_deref(m);
	mem_deref(caller.us);
	mem_deref(stranger.us);
}

static void test_sdp_advertise(void **state)
{
	struct ds_net n;
	struct ds_media *m = NULL;
	struct mbuf *sdp = NULL;
	struct sa toward;
	char want[64], *text;
	(void)state;

	net_init_lo(&n);
	/* --advertise HOST:PORT: HOST with the RTP port, never PORT (SIP's) */
	assert_int_equal(sa_set_str(&n.advertise, "198.51.100.7", 5999), 0);
	assert_int_equal(sa_set_str(&toward, "127.0.0.1", 5070), 0);
	assert_int_equal(ds_media_open(&m, &n, &toward), 0);
	assert_int_not_equal(sa_port(ds_media_addr(m)), 5999);
	assert_int_equal(ds_media_sdp(m, &sdp), 0);
	assert_int_equal(mbuf_strdup(sdp, &text, mbuf_get_left(sdp)), 0);
	assert_non_null(strstr(text, "c=IN IP4 198.51.100.7\r\n"));
	re_snprintf(want, sizeof(want), "m=audio %u RTP/AVP 0 8\r\n", sa_port(ds_media_addr(m)));
	assert_non_null(strstr(text, want));
	mem_deref(text);
	mem_deref(sdp);
	mem_deref(m);
}

static int group_setup(void **state)
{
	(void)state;
	return libre_init();
}

static int group_teardown(void **state)
{
	(void)state;
	libre_close();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_sdp_advertise),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
