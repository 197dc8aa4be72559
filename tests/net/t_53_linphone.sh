# A real softphone calls an agent of run (docs/behaviour.md §7): linphonec (Debian's
# linphone-cli, installed on demand by scripts/deps.sh linphone), headless, places a
# call through SiteX's Kamailio to alice; run answers and echoes its RTP. RTP flows
# both ways: run counts packets received and sent (/metrics while the call lasts, and
# its call-end log line), and linphonec's own RTP statistics count packets received
# (the echo), as many as it sent give or take those in flight. Then SiteX is killed,
# alice switches over to SiteY (waited for with a deadline), and a second call through
# SiteY's Kamailio does the same.
#
# Headless: linphonec runs with HOME in the test's folder and a configuration the test
# writes; with no sound card it is told `soundcard use files`, and `play FILE` gives it a
# tone (a WAV file the test writes) to send as its microphone. Commands go to its
# stdin through a FIFO; its log (-d 6) holds oRTP's statistics of each call.
. "$(dirname "$0")/lib.sh"
net_init "$@"
command -v linphonec >/dev/null 2>&1 || sh "$ROOT/scripts/deps.sh" linphone ||
	{ echo "$TEST_NAME: linphonec not found; run scripts/deps.sh linphone" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "$TEST_NAME: python3 not found" >&2; exit 2; }
two_sites
gen_config "$T/ds.yaml"
free_port CPORT
CTL=127.0.0.1:$CPORT
start_dualsite "$T/ds.yaml" --control "$CTL"
ev_wait 5 alice connected kind=sip site=SiteX server=SIP_X
ev_wait 5 alice registered proxy=1 site=SiteY server=SIP_Y

# ---- linphonec ---------------------------------------------------------------------
free_port LP_SIP
free_port LP_RTP
LP=$T/lp
mkdir -p "$LP"
# 10 s of a 440 Hz tone, 8 kHz mono 16-bit: what linphonec sends as its microphone
python3 - "$LP/tone.wav" <<'EOF'
import math, struct, sys, wave
w = wave.open(sys.argv[1], "wb")
w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000)))
                       for i in range(8000 * 10)))
w.close()
EOF
cat >"$LP/linphonerc" <<EOF
[sip]
sip_port=$LP_SIP
sip_tcp_port=-1
sip_tls_port=-1
contact=sip:caller@127.0.0.1
guess_hostname=0
[rtp]
audio_rtp_port=$LP_RTP
nortp_timeout=60
[net]
auto_net_state_mon=0
[sound]
echocancellation=0
[video]
display=0
capture=0
EOF
mkfifo "$LP/in"
HOME=$LP linphonec -c "$LP/linphonerc" -d 6 -l "$LP/log" <"$LP/in" >"$LP/out" 2>"$LP/err" &
LP_PID=$!
PIDS="$PIDS $LP_PID"
exec 3>"$LP/in"
lp() { printf '%s\n' "$*" >&3; }
lp_said() { grep -q "$1" "$LP/out"; }
lp "ipv6 disable"
lp "ports sip $LP_SIP"
lp "soundcard use files"
lp "play $LP/tone.wav"
lp "ports"
wait_until 10 lp_said "sip port = $LP_SIP" ||
	fail "linphonec did not take its SIP port: $(tail -n 5 "$LP/out" "$LP/err")"

# metric DIRECTION: run's dualsite_rtp_packets_total{direction=DIRECTION} now.
metric() {
	perl "$NET_DIR/http.pl" "$CTL" GET /metrics >"$T/m.out" 2>"$T/m.err" ||
		fail "GET /metrics: no answer: $(cat "$T/m.err")"
	awk -v s="dualsite_rtp_packets_total{direction=\"$1\"}" '$1 == s { print $2 }' "$T/m.out"
}
# flowing RX0 TX0: run has received and sent 50 RTP packets (a second of audio) more
# than RX0 and TX0.
flowing() { [ "$(metric received)" -ge $(($1 + 50)) ] && [ "$(metric sent)" -ge $(($2 + 50)) ]; }
# lp_stats N WHAT: linphonec's oRTP count of packets WHAT (sent, received) in its N-th
# audio session's statistics.
lp_stats() {
	awk -v n="$1" -v what="$2" '/AUDIO SESSION.S RTP STATISTICS/ { k++ }
		k == n && $0 ~ ("-" what " +[0-9]+ packets") { sub(/ packets.*/, ""); print $NF; exit }' "$LP/log"
}
lp_ended() { [ -n "$(lp_stats "$1" received)" ]; }

# lp_call N REGISTRAR SITE: linphonec's N-th call, through REGISTRAR (at SITE), to alice;
# it records what it hears into heard-N.wav.
lp_call() {
	_n=$1 _site=$3
	_rx0=$(metric received) _tx0=$(metric sent)
	_ev0=$(ds_now)
	lp "record $LP/heard-$_n.wav"
	lp "call sip:7001@127.0.0.1:$(kport "$2")"
	ev_wait 10 --after "$_ev0" alice call-start site="$_site"
	wait_until 15 lp_said "Media streams established with .* for call $_n " ||
		fail "call $_n: linphonec did not establish media: $(tail -n 5 "$LP/out")"
	# RTP both ways, seen by run while the call lasts: what it received and sent
	wait_until 15 flowing "$_rx0" "$_tx0" ||
		fail "call $_n: RTP not flowing both ways through run: received $_rx0 -> $(metric received), sent $_tx0 -> $(metric sent)"
	# two seconds of tone at least, then the caller hangs up
	wait_until 15 flowing "$((_rx0 + 50))" "$((_tx0 + 50))" ||
		fail "call $_n: RTP stopped flowing: received $(metric received), sent $(metric sent)"
	lp "terminate"
	ev_wait 10 --after "$_ev0" alice call-end site="$_site" reason=bye
	wait_until 10 lp_ended "$_n" || fail "call $_n: no RTP statistics in linphonec's log"
	_line=$(grep "alice: call ended (by the caller), RTP packets" "$T/ds.err" | sed -n "${_n}p")
	_rx=$(printf '%s\n' "$_line" | sed -n 's/.*RTP packets received \([0-9]*\), sent \([0-9]*\)$/\1/p')
	_tx=$(printf '%s\n' "$_line" | sed -n 's/.*RTP packets received \([0-9]*\), sent \([0-9]*\)$/\2/p')
	[ -n "$_rx" ] && [ -n "$_tx" ] ||
		fail "call $_n: run's call-end line lacks its RTP counts (or some were not sent): '$_line'"
	_lsent=$(lp_stats "$_n" sent) _lrecv=$(lp_stats "$_n" received)
	note "call $_n via $2: run received $_rx, sent $_tx; linphonec sent $_lsent, received $_lrecv"
	[ "$_rx" -ge 100 ] && [ "$_tx" = "$_rx" ] ||
		fail "call $_n: run received $_rx and sent $_tx RTP packets; expected >= 100, each echoed"
	# what run got, linphonec sent; what linphonec got back, run sent (those in flight
	# when linphonec hung up are lost; none is made up)
	[ "$_lsent" -ge "$_rx" ] || fail "call $_n: run received $_rx packets, linphonec sent only $_lsent"
	[ "$_lrecv" -gt 0 ] && [ "$_lrecv" -le "$_tx" ] ||
		fail "call $_n: linphonec received $_lrecv packets, run sent $_tx"
	# and what it heard is its own tone: 440 Hz, loud (silence, noise or another
	# tone fails)
	python3 - "$LP/heard-$_n.wav" >"$T/heard-$_n.out" 2>&1 <<'PY' ||
import math, struct, sys, wave
w = wave.open(sys.argv[1])
rate = w.getframerate()
raw = w.readframes(w.getnframes())
x = struct.unpack("<%dh" % (len(raw) // 2), raw)
def power(f):
    k, s1, s2 = 2 * math.cos(2 * math.pi * f / rate), 0.0, 0.0
    for v in x:
        s1, s2 = v + k * s1 - s2, s1
    return s1 * s1 + s2 * s2 - k * s1 * s2
rms = math.sqrt(sum(v * v for v in x) / max(len(x), 1))
p440 = power(440)
other = max(power(f) for f in (250, 330, 550, 700, 1000))
print("%d samples at %d Hz, rms %.0f, 440 Hz over the strongest other: %.0f" % (len(x), rate, rms, p440 / max(other, 1)))
sys.exit(0 if rms > 1000 and p440 > 100 * other else 1)
PY
		fail "call $_n: linphonec did not hear its 440 Hz tone echoed: $(cat "$T/heard-$_n.out")"
	note "call $_n: linphonec heard: $(cat "$T/heard-$_n.out")"
}

# 1. before a switchover: through SiteX's Kamailio
lp_call 1 KX SiteX

# 2. SiteX is lost; alice switches over to SiteY; through SiteY's Kamailio
site_signal KILL SiteX
out=$SIG_T0
ev_wait "$(fcalc "3 + $BUDGET + $TOL + 2")" --after "$out" alice switchover kind=sip from=SiteX to=SiteY
lp_call 2 KY SiteY

lp quit
wait_exit 10 "$LP_PID" || fail "linphonec did not quit"
exec 3>&-
ds_stop
[ "$DS_RC" = 0 ] || fail "dualsite run exited $DS_RC after SIGTERM, expected 0"
