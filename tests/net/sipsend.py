#!/usr/bin/env python3
"""Sends stored SIP messages to a running `dualsite run` and checks each answer.

usage: sipsend.py HOST PORT DIR EXPECTED [udp|tcp|both]

EXPECTED has one line per message: NAME UDP TCP, where each column is one of
  CODE[|CODE...]  the first final answer (a 1xx is skipped) has one of these codes
  -               no answer
  close           no answer, and the daemon closes the TCP connection
  CODE+close      that answer, then the daemon closes the TCP connection
Each message DIR/NAME.sip is sent as stored (one datagram, or one new TCP
connection). "No answer" is decided without a timer where the transport
allows it: over UDP a sentinel OPTIONS follows the message, and its 200 comes
back after any answer to the message (the daemon reads one socket in order).
A final answer to an INVITE is acknowledged, so that it is not retransmitted.
Prints one line per check; exits 1 when any differs from the table.
"""
import os
import re
import select
import socket
import sys
import time

DEADLINE = 5.0          # seconds to wait for an answer that must come
SENTINEL_USER = "7001"


def headers(raw):
    head = raw.split(b"\r\n\r\n", 1)[0]
    return head.split(b"\r\n")


def hdr(lines, *names):
    """Values of the headers NAMES (full or compact, any case), in order."""
    out = []
    for ln in lines[1:]:
        if b":" not in ln or ln[:1] in (b" ", b"\t"):
            continue
        n, v = ln.split(b":", 1)
        if n.strip().lower() in names:
            out.append(v.strip())
    return out


def callid(raw):
    v = hdr(headers(raw), b"call-id", b"i")
    return v[0] if v else b""


def status(resp):
    m = re.match(rb"SIP/2\.0 (\d{3})", resp)
    return int(m.group(1)) if m else None


def split_stream(buf):
    """Complete messages at the start of a TCP stream buffer, and the rest."""
    msgs = []
    while True:
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return msgs, buf
        cl = hdr(buf[:end].split(b"\r\n"), b"content-length", b"l")
        n = int(cl[0]) if cl and cl[0].isdigit() else 0
        if len(buf) < end + 4 + n:
            return msgs, buf
        msgs.append(buf[:end + 4 + n])
        buf = buf[end + 4 + n:]


def ack_for(req, resp):
    """The ACK of a non-2xx final answer to an INVITE (RFC 3261 §17.1.1.3)."""
    ruri = req.split(b"\r\n", 1)[0].split(b" ")[1] if req.count(b" ") >= 2 else b"sip:x"
    rl = headers(resp)
    vias = [ln for ln in rl[1:] if re.match(rb"(?i)(via|v)\s*:", ln)]
    get = lambda n, c: [ln for ln in rl[1:] if re.match(rb"(?i)(" + n + rb"|" + c + rb")\s*:", ln)]
    cseq = hdr(rl, b"cseq")
    num = cseq[0].split()[0] if cseq else b"1"
    parts = [b"ACK " + ruri + b" SIP/2.0"] + vias[:1] + get(b"from", b"f")[:1] + \
        get(b"to", b"t")[:1] + get(b"call-id", b"i")[:1] + \
        [b"CSeq: " + num + b" ACK", b"Max-Forwards: 70", b"Content-Length: 0", b"", b""]
    return b"\r\n".join(parts)


def is_invite_resp(resp):
    c = hdr(headers(resp), b"cseq")
    return bool(c) and c[0].split()[-1:] == [b"INVITE"]


class Udp:
    def __init__(self, host, port):
        self.dst = (host, port)
        # Answers follow the top Via: the source address with the Via's port,
        # 5060 when it names none (RFC 3261 §18.2.2). The stored messages are
        # sent as they are (over TCP with a TCP top Via), so the sender
        # listens on 5060 of a loopback address of its own, and on 5050 (the
        # one other port a top Via of theirs names).
        for last in range(2, 255):
            socks = []
            try:
                for port in (5060, 5050):
                    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    socks.append(u)
                    u.bind(("127.0.0.%d" % last, port))
                break
            except OSError:
                for u in socks:
                    u.close()
                continue
        else:
            sys.exit("sipsend: no free 127.0.0.X:5060 and :5050 to send from")
        self.s, self.socks = socks[0], socks
        self.seq = 0

    def recv(self, end, poll=False):
        """One datagram from any of our sockets, None at END (at once: POLL)."""
        left = 0 if poll else end - time.monotonic()
        if left < 0 or (left == 0 and not poll):
            return None
        r, _, _ = select.select(self.socks, [], [], left)
        return r[0].recvfrom(65536)[0] if r else None

    def sentinel(self):
        self.seq += 1
        me = "%s:%d" % self.s.getsockname()
        cid = "sentinel-%d-%d@sipsend" % (os.getpid(), self.seq)
        msg = ("OPTIONS sip:%s@%s:%d SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKsent%d.%d;rport\r\n"
               "Max-Forwards: 70\r\nTo: <sip:%s@%s>\r\nFrom: <sip:sipsend@%s>;tag=s%d\r\n"
               "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n" %
               (SENTINEL_USER, self.dst[0], self.dst[1], me, os.getpid(), self.seq,
                SENTINEL_USER, self.dst[0], me, self.seq, cid))
        self.s.sendto(msg.encode(), self.dst)
        return cid.encode()

    def exchange(self, raw):
        """The codes of the answers to RAW (Call-ID matched), up to the sentinel's."""
        want = callid(raw)
        self.s.sendto(raw, self.dst)
        sent = self.sentinel()
        codes = []
        end = time.monotonic() + DEADLINE
        answered = False
        while True:
            # once the sentinel is answered, what is already queued on the
            # other socket (sent before it) is still read
            resp = self.recv(time.monotonic() if answered else end, answered)
            if resp is None:
                break
            code = status(resp)
            if code is None:
                continue
            if code >= 200 and is_invite_resp(resp):
                self.s.sendto(ack_for(raw, resp), self.dst)
            cid = callid(resp)
            if cid == sent and code >= 200:
                answered = True
            elif cid == want:
                codes.append(code)
        return codes, answered


def over_tcp(raw):
    """RAW with its top Via saying TCP: the messages ostensibly came over UDP,
    and an answer follows the Via's transport."""
    m = re.search(rb"(?im)^(via|v)[ \t]*:[ \t\r\n]*SIP[ \t\r\n]*/[ \t\r\n]*2\.0[ \t\r\n]*/([ \t\r\n]*)UDP", raw)
    if m:
        raw = raw[:m.end() - 3] + b"TCP" + raw[m.end():]
    # its own branch and Call-ID too: the same branch and sent-by over UDP a
    # moment ago is the same transaction (RFC 3261 §17.2.3), answered where it
    # began, and the same Call-ID, From tag and CSeq with another branch is a
    # merged request (§8.2.2.2: 482)
    m = re.search(rb"(?i)branch[ \t\r\n]*=[ \t\r\n]*([^; ,\t\r\n]+)", raw)
    if m and m.group(1) != b"z9hG4bK":
        raw = raw[:m.end()] + b".tcp" + raw[m.end():]
    for m in re.finditer(rb"(?im)^(call-id|i)[ \t]*:[ \t]*([^\r\n]+)", raw):
        raw = raw[:m.end()] + b".tcp" + raw[m.end():]
        break
    return raw


def tcp_exchange(host, port, raw, udp):
    """(codes, closed) of RAW sent on a new TCP connection."""
    raw = over_tcp(raw)
    want = callid(raw)
    c = socket.create_connection((host, port), timeout=DEADLINE)
    c.sendall(raw)
    buf, codes, closed = b"", [], False
    # an answer when one comes, else a close; silence is taken once a UDP
    # sentinel sent after the message has been answered
    _, ok = udp.exchange_sentinel_only()
    if not ok:
        c.close()
        return None, False
    # the daemon handled the connection's bytes in the loop turn before the
    # sentinel's or in the same one: what it sent is in flight by now
    end = time.monotonic() + 0.5
    c.setblocking(False)
    while True:
        try:
            data = c.recv(65536)
            if not data:
                closed = True
                break
            buf += data
            msgs, buf = split_stream(buf)
            for m in msgs:
                code = status(m)
                if code is None:
                    continue
                if code >= 200 and is_invite_resp(m):
                    c.sendall(ack_for(raw, m))
                if callid(m) == want:
                    codes.append(code)
            if [x for x in codes if x >= 200]:
                # the close that may follow the answer
                end = time.monotonic() + 1.0
        except BlockingIOError:
            if time.monotonic() >= end:
                break
            time.sleep(0.02)
        except ConnectionResetError:
            closed = True
            break
    c.close()
    return codes, closed


def sentinel_only(self):
    sent = self.sentinel()
    end = time.monotonic() + DEADLINE
    while True:
        resp = self.recv(end)
        if resp is None:
            break
        code = status(resp)
        if code and code >= 200 and is_invite_resp(resp):
            self.s.sendto(ack_for(b"ACK sip:x SIP/2.0", resp), self.dst)
        if callid(resp) == sent and code and code >= 200:
            return [], True
    return [], False


Udp.exchange_sentinel_only = sentinel_only


def verdict(expect, codes, closed, tcp):
    finals = [c for c in codes if c >= 200]
    got = str(finals[0]) if finals else "-"
    if tcp and closed:
        got = got + "+close" if finals else "close"
    want = expect.split("|")
    return got in want, got


def main():
    host, port, d, table = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    modes = sys.argv[5] if len(sys.argv) > 5 else "both"
    udp = Udp(host, port)
    bad = 0
    for line in open(table):
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        name, exp_udp, exp_tcp = line
        raw = open(os.path.join(d, name + ".sip"), "rb").read()
        if modes in ("udp", "both"):
            codes, ok = udp.exchange(raw)
            if not ok:
                print("FAIL %s udp: the sentinel OPTIONS was not answered: daemon gone?" % name)
                return 1
            good, got = verdict(exp_udp, codes, False, False)
            print("%s %s udp: want %s, got %s" % ("ok  " if good else "FAIL", name, exp_udp, got))
            bad += not good
        if modes in ("tcp", "both"):
            codes, closed = tcp_exchange(host, port, raw, udp)
            if codes is None:
                print("FAIL %s tcp: the sentinel OPTIONS was not answered: daemon gone?" % name)
                return 1
            # a closed connection that was expected open, or the reverse, differs
            good, got = verdict(exp_tcp, codes, closed, True)
            print("%s %s tcp: want %s, got %s" % ("ok  " if good else "FAIL", name, exp_tcp, got))
            bad += not good
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
