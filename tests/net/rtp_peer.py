#!/usr/bin/env python3
"""A caller's media for the echo test: sends RTP to dualsite's media address and
checks that each packet comes back, as from an echo-test line.

usage: rtp_peer.py LOCAL_PORT DEST_HOST:DEST_PORT COUNT [DEADLINE_S]

From 127.0.0.1:LOCAL_PORT (the port the caller's SDP offered) it sends packet 1,
waits for its echo (dualsite latches this source), then a datagram that is not
RTP (version 0), an RTCP receiver report on the RTP port, and an RTP packet from
another port (a stray), then packets 2..COUNT. Every packet has its own payload
type (0 or 8), timestamp, marker and random payload. It checks that exactly the
COUNT RTP packets come back from DEST, in order, each with its payload type,
timestamp, marker and payload, under one SSRC that is not ours, with sequence
numbers one apart; and that nothing else comes back (the echo of packet COUNT
arrives after anything sent before it would have: one socket, one queue, in
order). Prints "echoed N of COUNT" and what was wrong; exit 0 only when all is
right, 1 otherwise, 2 on a usage error.
"""
import os
import socket
import struct
import sys
import time

SSRC = 0x0DDBA11


def rtp(seq, ts, pt, marker, payload, ssrc=SSRC):
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq, ts, ssrc) + payload


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    port = int(sys.argv[1])
    host, dport = sys.argv[2].rsplit(":", 1)
    dest = (host, int(dport))
    count = int(sys.argv[3])
    deadline = time.monotonic() + (float(sys.argv[4]) if len(sys.argv) > 4 else 10.0)

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    stray = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    stray.bind(("127.0.0.1", 0))
    sent = []
    got = []
    errors = []

    def send(i):
        pkt = (i, 160 * i + 1000, 8 if i % 3 == 0 else 0, i % 5 == 1, os.urandom(160))
        sent.append(pkt)
        s.sendto(rtp(100 + i, pkt[1], pkt[2], pkt[3], pkt[4]), dest)

    def receive(n):
        while len(got) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            s.settimeout(left)
            try:
                data, src = s.recvfrom(2048)
            except socket.timeout:
                return False
            got.append((src, data))
        return True

    send(1)
    if receive(1):
        s.sendto(b"\x00\x01 not RTP at all", dest)
        # an RTCP receiver report with one block (as long as RTP's header and more)
        s.sendto(struct.pack("!BBHI", 0x81, 201, 7, SSRC) + struct.pack("!IIIIII", 0xBAD, 0, 100, 0, 0, 0), dest)
        stray.sendto(rtp(1, 1, 0, False, b"\xff" * 160, ssrc=0xBAD), dest)
        for i in range(2, count + 1):
            send(i)
            time.sleep(0.005)   # pacing like a phone's, not a flood of one burst
        receive(count)

    ssrc = None
    for k, (src, data) in enumerate(got):
        if k >= len(sent):
            errors.append("extra datagram from %s:%d" % src)
            continue
        i, ts, pt, marker, payload = sent[k]
        if src != dest:
            errors.append("packet %d came back from %s:%d, not %s:%d" % ((i,) + src + dest))
        if len(data) < 12 or data[0] >> 6 != 2:
            errors.append("packet %d came back as no RTP: %r" % (i, data[:12]))
            continue
        v, b1, seq, rts, rssrc = struct.unpack("!BBHII", data[:12])
        cc = v & 0x0F
        body = data[12 + 4 * cc:]
        if (b1 & 0x7F) != pt:
            errors.append("packet %d: payload type %d, sent %d" % (i, b1 & 0x7F, pt))
        if bool(b1 & 0x80) != marker:
            errors.append("packet %d: marker %d, sent %d" % (i, b1 >> 7, marker))
        if rts != ts:
            errors.append("packet %d: timestamp %d, sent %d" % (i, rts, ts))
        if body != payload:
            errors.append("packet %d: payload differs (%d bytes back, %d sent)" % (i, len(body), len(payload)))
        if rssrc == SSRC:
            errors.append("packet %d came back with our own SSRC" % i)
        if ssrc is None:
            ssrc, seq0 = rssrc, seq
        elif rssrc != ssrc:
            errors.append("packet %d: SSRC %#x, earlier ones %#x" % (i, rssrc, ssrc))
        elif seq != (seq0 + k) & 0xFFFF:
            errors.append("packet %d: sequence %d, expected %d" % (i, seq, (seq0 + k) & 0xFFFF))
    # The last echo came after anything sent before it: whatever else is queued
    # now is an echo of what must not be echoed.
    for sock, what in ((s, "caller's port"), (stray, "stray's port")):
        sock.setblocking(False)
        try:
            while True:
                data, src = sock.recvfrom(2048)
                errors.append("unexpected datagram at the %s from %s:%d (%d bytes)" % ((what,) + src + (len(data),)))
        except BlockingIOError:
            pass
    print("echoed %d of %d" % (min(len(got), len(sent)), count))
    for e in errors[:10]:
        print(e)
    return 0 if not errors and len(got) == count else 1


if __name__ == "__main__":
    sys.exit(main())
