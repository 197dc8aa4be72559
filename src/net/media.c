/* A call's media: an RTP echo, as on an echo-test line (libre's rtp).
 *
 * Policy (docs/behaviour.md §7): every answered call gets its own RTP
 * socket (and the RTCP one next to it, which libre binds too), opened when
 * the INVITE is taken and freed with the call, whatever ends it; nothing is
 * kept per agent, so ten thousand idle agents hold no media socket. Each
 * RTP packet received is sent back at once to where it came from, with the
 * caller's payload type, timestamp, marker and payload, under our own SSRC
 * and sequence numbers (libre's rtp_send), so the caller hears itself.
 *
 * The echo goes to the packet's source, not to the address of the caller's
 * SDP (symmetric RTP, RFC 4961): that is the address that reaches the
 * caller, also behind a NAT or when its SDP names an address of another
 * interface. The first source latches: packets from any other address are
 * neither counted nor echoed (someone who found the port cannot make us
 * send to a third party), only counted as strays for the call's log line.
 * RTCP that arrives on the RTP port (RFC 5761's payload types 64..95) is
 * not RTP: it is dropped, not echoed. Not-RTP datagrams (libre's decoder
 * refuses them) are dropped too. */
#include <string.h>
#include "net_priv.h"

/* The Linux default ephemeral range: above the ports SIP servers and the
 * tests pick, as the media sockets' kernel-chosen ports always were. libre
 * binds an even port and the next one (RTCP), 64 random tries. */
enum { RTP_PORT_MIN = 32768, RTP_PORT_MAX = 60998 };

struct ds_media {
	struct ds_net *net;
	struct rtp_sock *rs;
	struct sa peer;         /* the latched source; AF_UNSPEC until the first packet */
	struct sa local;        /* the address the SDP carries */
	uint64_t rx, tx, stray, tx_fail;
	int tx_err;             /* the last send error */
};

static void media_destructor(void *arg)
{
	struct ds_media *m = arg;

	m->rs = mem_deref(m->rs);
}

static void echo_h(const struct sa *src, const struct rtp_header *hdr,
		   struct mbuf *mb, void *arg)
{
	struct ds_media *m = arg;
	int err;

	if (hdr->pt >= 64 && hdr->pt <= 95)
		return;   /* RTCP on the RTP port */
	if (!sa_isset(&m->peer, SA_ALL))
		m->peer = *src;
	else if (!sa_cmp(&m->peer, src, SA_ALL)) {
		m->stray++;
		return;
	}
	m->rx++;
	m->net->ctr.rtp_received++;
	/* the padding's length is its last byte: we send without padding */
	if (hdr->pad && mbuf_get_left(mb)) {
		size_t pad = mb->buf[mb->end - 1];
		mb->end -= pad <= mbuf_get_left(mb) ? pad : mbuf_get_left(mb);
	}
	/* rtp_send writes our header into the RTP_HEADER_SIZE bytes before
	 * mb->pos, where the caller's header (at least that long) was */
	err = rtp_send(m->rs, src, false, hdr->m, hdr->pt, hdr->ts, mb);
	if (err) {
		m->tx_fail++;
		m->tx_err = err;
		return;
	}
	m->tx++;
	m->net->ctr.rtp_sent++;
}

int ds_media_open(struct ds_media **mp, struct ds_net *n, const struct sa *toward)
{
	struct ds_media *m;
	struct sa ip = n->laddr;
	int err;

	m = mem_zalloc(sizeof(*m), media_destructor);
	if (!m)
		return ENOMEM;
	m->net = n;
	sa_init(&m->peer, AF_UNSPEC);
	sa_set_port(&ip, 0);
	err = rtp_listen(&m->rs, IPPROTO_UDP, &ip, RTP_PORT_MIN, RTP_PORT_MAX, false,
			 echo_h, NULL, m);
	/* on a wildcard, the address that reaches whoever sent the INVITE
	 * (libre would say 0.0.0.0); --advertise's port is SIP's, not ours */
	if (!err)
		err = ds_net_local(n, toward, sa_port(rtp_local(m->rs)), &m->local);
	if (!err)
		sa_set_port(&m->local, sa_port(rtp_local(m->rs)));
	if (err)
		mem_deref(m);
	else
		*mp = m;
	return err;
}

const struct sa *ds_media_addr(const struct ds_media *m)
{
	return &m->local;
}

int ds_media_sdp(const struct ds_media *m, struct mbuf **sdpp)
{
	const struct sa *a = &m->local;
	const char *ipv = sa_af(a) == AF_INET6 ? "IP6" : "IP4";
	struct mbuf *mb;
	int err;

	mb = mbuf_alloc(512);
	if (!mb)
		return ENOMEM;
	err = mbuf_printf(mb,
			  "v=0\r\n"
			  "o=dualsite %u 1 IN %s %j\r\n"
			  "s=dualsite\r\n"
			  "c=IN %s %j\r\n"
			  "t=0 0\r\n"
			  "m=audio %u RTP/AVP 0 8\r\n"
			  "a=rtpmap:0 PCMU/8000\r\n"
			  "a=rtpmap:8 PCMA/8000\r\n"
			  "a=sendrecv\r\n",
			  rand_u32(), ipv, a, ipv, a, sa_port(a));
	mb->pos = 0;
	if (err)
		mem_deref(mb);
	else
		*sdpp = mb;
	return err;
}

int ds_media_print(struct re_printf *pf, const struct ds_media *m)
{
	int err;

	err = re_hprintf(pf, "RTP packets received %llu, sent %llu",
			 (unsigned long long)m->rx, (unsigned long long)m->tx);
	if (!err && m->stray)
		err = re_hprintf(pf, " (%llu from a source other than %J ignored)",
				 (unsigned long long)m->stray, &m->peer);
	if (!err && m->tx_fail)
		err = re_hprintf(pf, " (%llu not sent: %m)", (unsigned long long)m->tx_fail,
				 m->tx_err);
	return err;
}
