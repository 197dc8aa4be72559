#!/bin/sh
# Data-driven tests of `dualsite validate` (docs/behaviour.md §2.3, §4).
#
# Each directory CASE/ holds config.yaml (and any file it includes), the exact
# expected stdout of `dualsite validate -c config.yaml` run inside CASE/
# (expected.txt, so paths are relative) and the expected exit status (exit);
# optionally `args`, more arguments (--strict, --resolve). Every directory is
# a case: one without expected.txt or exit fails, and so does a run of none.
# An optional `setup` script runs first in CASE/ (e.g. to chmod a password
# file: git does not keep modes). Then every examples/mistakes/*.yaml must
# print exactly the diagnostics its comment block shows, and the examples
# must validate clean. Usage: run.sh /abs/path/to/dualsite
suite=validate
. "$(dirname "$0")/../lib.sh"

for dir in "$here"/*/; do
	[ -d "$dir" ] || continue   # no directory at all: finish() says so
	name=$(basename "$dir")
	cases=$((cases + 1))
	need "$name" "$dir" expected.txt exit || continue
	if [ -f "$dir/setup" ]; then
		(cd "$dir" && sh ./setup) || { echo "FAIL validate/$name: setup"; fail=$((fail + 1)); continue; }
	fi
	args=
	[ -f "$dir/args" ] && args=$(cat "$dir/args")
	# shellcheck disable=SC2086
	(cd "$dir" && "$bin" validate -c config.yaml $args >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
	check "$name" "$dir/expected.txt" "$tmp/out" "$(cat "$dir/exit")" "$(cat "$tmp/rc")"
done

# Each mistake file shows, in a comment block, exactly what validate prints:
#   # dualsite validate -c examples/mistakes/NAME.yaml prints (exit N):
#   #   LINE...
# run from the repository root.
for f in "$root"/examples/mistakes/*.yaml; do
	[ -f "$f" ] || continue
	cases=$((cases + 1))
	rel=examples/mistakes/$(basename "$f")
	want=$(sed -n 's/^# dualsite validate -c .* prints (exit \([0-9]\)):$/\1/p' "$f")
	awk '/^# dualsite validate -c .* prints/ {on = 1; next}
	     on && /^#   / {sub(/^#   /, ""); print; next}
	     on {exit}' "$f" >"$tmp/want"
	(cd "$root" && "$bin" validate -c "$rel" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
	check "mistake:$(basename "$f")" "$tmp/want" "$tmp/out" "${want:-missing}" "$(cat "$tmp/rc")"
done

# The examples themselves validate clean.
for f in "$root"/examples/*.yaml; do
	[ -f "$f" ] || continue
	cases=$((cases + 1))
	: >"$tmp/want"
	(cd "$root" && "$bin" validate -c "examples/$(basename "$f")" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
	check "example:$(basename "$f")" "$tmp/want" "$tmp/out" 0 "$(cat "$tmp/rc")"
done

# Rule 14 (docs/behaviour.md §2.3), one report per cause: in a generated file
# of many persons, each with its own place, one wrong name that every place or
# person uses is exactly one line, at the first reference, with the count; the
# places and persons it breaks are not reported again.
many() { # persons, server switch, DN switch, tenant, place prefix
	cat <<EOF
application:
  name: WS
  connections: [SIP_X, SIP_Y]
  options:
    interaction-workspace:
      disaster-recovery.enabled: true
      disaster-recovery.preferred-site: SiteX
      disaster-recovery.peer-site: SiteY
      sipendpoint.proxies.proxy0.reregister_in_seconds: 30
servers:
  SIP_X: {kind: sip, host: 127.0.0.1, port: 5061, switch: $2, options: {interaction-workspace: {disaster-recovery.site: SiteX}}}
  SIP_Y: {kind: sip, host: 127.0.0.1, port: 5071, switch: SW_Y, options: {interaction-workspace: {disaster-recovery.site: SiteY}}}
switches: {SW_X: {}, SW_Y: {}}
tenants: {Env: {}}
places:
EOF
	awk -v n="$1" -v sw="$3" 'BEGIN { for (i = 0; i < n; i++)
		printf "  P%d: {dns: [{switch: %s, number: \"%d\"}, {switch: SW_Y, number: \"%d\"}]}\n", i, sw, i, i }'
	echo "persons:"
	awk -v n="$1" -v t="$4" -v pl="$5" 'BEGIN { for (i = 0; i < n; i++)
		printf "  u%d: {tenant: %s, place: %s%d, sip: {user: \"%d\", password-env: PW}}\n", i, t, pl, i, i }'
}
n=5000
one_cause() { # label, expected line, many() arguments after the count
	label=$1
	printf '%s\n' "$2" >"$tmp/want"
	shift 2
	cases=$((cases + 1))
	many "$n" "$@" >"$tmp/many.yaml"
	(cd "$tmp" && "$bin" validate -c many.yaml >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
	check "rule 14: $label" "$tmp/want" "$tmp/out" 1 "$(cat "$tmp/rc")"
}
many "$n" SW_X SW_X Env P >"$tmp/many.yaml"
cases=$((cases + 1))
(cd "$tmp" && "$bin" validate -c many.yaml >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
check "rule 14: the generated file is clean" /dev/null "$tmp/out" 0 "$(cat "$tmp/rc")"
one_cause "a server's switch" "many.yaml:11:59: error: servers/SIP_X/switch: switch 'SW_XX' is not defined; did you mean 'SW_X'?" SW_XX SW_X Env P
one_cause "every place's switch" "many.yaml:16:23: error: places/P0/dns/0/switch: switch 'SW_XX' is not defined; did you mean 'SW_X'? (named by $n objects; reported once, here)" SW_X SW_XX Env P
one_cause "every person's tenant" "many.yaml:$((n + 17)):16: error: persons/u0/tenant: tenant 'Envv' is not defined; did you mean 'Env'? (named by $n objects; reported once, here)" SW_X SW_X Envv P

# --resolve alone looks names up: without it the same file is clean.
cases=$((cases + 1))
(cd "$here/rule13-resolve" && "$bin" validate -c config.yaml >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
check "rule13-resolve without --resolve" /dev/null "$tmp/out" 0 "$(cat "$tmp/rc")"

# The command line (docs/behaviour.md §4): --help is exit 0, usage errors exit 2, --json
# carries the same diagnostics as JSON.
"$bin" validate --help >"$tmp/out" 2>&1
rc=$?
grep -q '^usage: dualsite validate' "$tmp/out" && echo 0 >"$tmp/rc" || echo 9 >"$tmp/rc"
check "--help" /dev/null /dev/null "0 0" "$rc $(cat "$tmp/rc")"
"$bin" validate >"$tmp/out" 2>/dev/null
check "no -c (usage)" /dev/null "$tmp/out" 2 $?
"$bin" validate -c "$here/base-ok/config.yaml" --bogus >"$tmp/out" 2>/dev/null
check "unknown argument (usage)" /dev/null "$tmp/out" 2 $?
(cd "$here/rule09-slow" && "$bin" validate -c config.yaml --json >"$tmp/out" 2>/dev/null; echo $? >"$tmp/rc")
if command -v python3 >/dev/null 2>&1; then
	python3 - "$tmp/out" "$here/rule09-slow/expected.txt" >"$tmp/json" 2>&1 <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for x in doc["diagnostics"]:
    print("%s:%d:%d: %s: %s: %s" % (x["file"], x["line"], x["column"], x["severity"], x["path"], x["message"]))
PY
	check "--json (same diagnostics)" "$here/rule09-slow/expected.txt" "$tmp/json" 0 "$(cat "$tmp/rc")"
fi

finish
