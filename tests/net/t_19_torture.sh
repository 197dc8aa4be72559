# RFC 4475's torture messages (tests/data/sip-torture/) sent to `run` over UDP and
# over TCP while alice is registered at two real Kamailios: each gets the answer
# tests/data/sip-torture/expected.txt lists (docs/run.md, "What run answers"), no
# line of run's stderr is written by a sender (every line carries run's stamp, no
# control byte), and afterwards alice is still registered and run still answers.
# A request sent straight to libre's own TCP transport (loopback, fed only by
# run's framing listener) is dropped and its connection closed; a connection
# over the cap (1024) is closed at once, and served again once others closed;
# a message that never ends is closed 32 s after it began.
. "$(dirname "$0")/lib.sh"
net_init "$@"
command -v python3 >/dev/null 2>&1 || { echo "$TEST_NAME: 'python3' not found" >&2; exit 2; }
DATA=$ROOT/tests/data/sip-torture
two_sites
gen_config "$T/ds.yaml"
free_port DS_PORT
start_dualsite "$T/ds.yaml" --listen "127.0.0.1:$DS_PORT"
ev_wait 5 alice registered proxy=0 site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y
for k in KX KY; do wait_until 2 has_binding $k 7001 || fail "$k holds no binding for 7001"; done

python3 "$NET_DIR/sipsend.py" 127.0.0.1 "$DS_PORT" "$DATA" "$DATA/expected.txt" both \
	>"$T/sipsend.out" 2>&1
rc=$?
cat "$T/sipsend.out" >&2
# no sender wrote into the log: one stamped line per line, no control bytes
bad=$(grep -cv "$DS_LOG_RE" "$T/ds.err")
[ "$bad" = 0 ] || fail "$bad line(s) of run's stderr lack run's stamp: $(grep -v "$DS_LOG_RE" "$T/ds.err" | head -3 | od -c | head -5)"
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$T/ds.err"; then
	fail "run's stderr holds control bytes: $(LC_ALL=C grep -n "$(printf '[\001-\010\013-\037\177]')" "$T/ds.err" | head -2 | od -c | head -4)"
fi
grep -q 'FAKE\\x0b\\x1b\[2K' "$T/ds.err" || fail "the forged request's method is not logged escaped"
[ "$rc" = 0 ] || fail "answers differ from $DATA/expected.txt: $(grep -c '^FAIL' "$T/sipsend.out") of them"
ds_alive || fail "dualsite run died during the torture messages"

# still registered at both proxies, and still answering (the sentinel: 200)
for k in KX KY; do has_binding $k 7001 || fail "$k lost alice's binding during the torture messages"; done
printf 'zeromf 200 200\n' >"$T/one.txt"
python3 "$NET_DIR/sipsend.py" 127.0.0.1 "$DS_PORT" "$DATA" "$T/one.txt" udp >"$T/last.out" 2>&1 ||
	fail "run does not answer OPTIONS after the torture messages: $(cat "$T/last.out")"

# libre's own TCP transport (on loopback) takes nothing but what run's SIP
# port passes on: a request sent to it straight is dropped, its connection closed
inner=$(sed -n "s/.*libre's TCP transport listens on 127\.0\.0\.1:\([0-9]*\),.*/\1/p" "$T/ds.err" | head -n 1)
[ -n "$inner" ] || fail "run's log does not say where libre's TCP transport listens"
python3 - 127.0.0.1 "$inner" >"$T/inner.out" 2>&1 <<'PY' ||
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
me = "%s:%d" % c.getsockname()
c.sendall(("OPTIONS sip:7001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP %s;branch=z9hG4bKinner\r\n"
           "Max-Forwards: 70\r\nTo: <sip:7001@127.0.0.1>\r\nFrom: <sip:x@%s>;tag=in\r\n"
           "Call-ID: inner@t19\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n" % (me, me)).encode())
got = b""
try:
    while True:
        d = c.recv(65536)
        if not d:
            break
        got += d
except socket.timeout:
    sys.exit("still open after 5 s, sent back %r" % got[:80])
sys.exit("answered: %r" % got[:80] if got else 0)
PY
	fail "a request straight to libre's TCP transport was not dropped: $(cat "$T/inner.out")"
grep -q "to libre's loopback listener 127.0.0.1:$inner dropped" "$T/ds.err" ||
	fail "run did not log the request sent straight to libre's TCP transport"

# a message begun and not whole is closed after 32 s, however slowly more of
# it trickles in (one byte every 5 s here: each must not move the deadline)
python3 - 127.0.0.1 "$DS_PORT" "$DATA/clerr.sip" >"$T/partial.out" 2>&1 <<'PY' ||
import socket, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
c.sendall(open(sys.argv[3], "rb").read())    # Content-Length 9999, far less body
c.settimeout(5)
end = time.monotonic() + 60
while True:
    try:
        d = c.recv(100)
        if not d:
            break
        sys.exit("got %r" % d[:60])
    except socket.timeout:
        pass
    except ConnectionResetError:
        break
    if time.monotonic() > end:
        sys.exit("still open 60 s after the message began")
    c.sendall(b"x")
PY
	fail "a message that never ends over TCP: $(cat "$T/partial.out")"
grep -q "TCP connection from 127.0.0.1:[0-9]* closed: a message started but did not end in time" \
	"$T/ds.err" || fail "run did not log closing the connection whose message never ended"

# at most 1024 connections to the SIP port (each answering a keep-alive ping):
# the next one is closed at once (and said in the log); once they are gone, a
# new connection is served again
python3 - 127.0.0.1 "$DS_PORT" >"$T/cap.out" 2>&1 <<'PY' ||
import resource, socket, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
dst = (sys.argv[1], int(sys.argv[2]))
held = []
for _ in range(1024):
    # each one taken by run for sure: a CRLFCRLF ping gets its CRLF back
    c = socket.create_connection(dst, timeout=5)
    c.sendall(b"\r\n\r\n")
    if c.recv(2) != b"\r\n":
        sys.exit("connection %d: no CRLF answering a CRLFCRLF ping" % (len(held) + 1))
    held.append(c)
extra = socket.create_connection(dst, timeout=5)
try:
    if extra.recv(100) != b"":
        sys.exit("the 1025th connection got bytes")
except ConnectionResetError:
    pass
except socket.timeout:
    sys.exit("the 1025th connection is still open after 5 s")
for c in held:
    c.close()
opt = ("OPTIONS sip:7001@%s:%d SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKcap%%d\r\n"
       "Max-Forwards: 70\r\nTo: <sip:7001@x>\r\nFrom: <sip:cap@x>;tag=cap\r\n"
       "Call-ID: cap%%d@t19\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n" % dst)
end = time.monotonic() + 10
n = 0
while True:
    n += 1
    try:
        c = socket.create_connection(dst, timeout=2)
        c.sendall((opt % (n, n)).encode())
        if c.recv(100).startswith(b"SIP/2.0 200 "):
            break
    except (ConnectionResetError, socket.timeout):
        pass
    if time.monotonic() > end:
        sys.exit("no connection served within 10 s of closing the 1024")
PY
	fail "the cap on TCP connections: $(cat "$T/cap.out")"
grep -q "TCP connection from 127.0.0.1:[0-9]* refused: 1024 connections open" "$T/ds.err" ||
	fail "run did not log the TCP connection it refused over the cap"

ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
note "ok"
