#!/bin/sh
# Data-driven tests of `dualsite validate` (SPEC §2.3, §4).
#
# Each directory CASE/ holds config.yaml (and any file it includes), the exact
# expected stdout of `dualsite validate -c config.yaml` run inside CASE/
# (expected.txt, so paths are relative) and the expected exit status (exit).
# An optional `setup` script runs first in CASE/ (e.g. to chmod a password
# file: git does not keep modes). Then every examples/mistakes/*.yaml must
# print exactly the diagnostics its comment block shows, and the examples
# must validate clean. Usage: run.sh /abs/path/to/dualsite
suite=validate
. "$(dirname "$0")/../lib.sh"

for dir in "$here"/*/; do
	name=$(basename "$dir")
	[ -f "$dir/expected.txt" ] || continue
	if [ -f "$dir/setup" ]; then
		(cd "$dir" && sh ./setup) || { echo "FAIL validate/$name: setup"; fail=$((fail + 1)); continue; }
	fi
	(cd "$dir" && "$bin" validate -c config.yaml >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
	check "$name" "$dir/expected.txt" "$tmp/out" "$(cat "$dir/exit")" "$(cat "$tmp/rc")"
done

# Each mistake file shows, in a comment block, exactly what validate prints:
#   # dualsite validate -c examples/mistakes/NAME.yaml prints (exit N):
#   #   LINE...
# run from the repository root.
for f in "$root"/examples/mistakes/*.yaml; do
	[ -f "$f" ] || continue
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
	: >"$tmp/want"
	(cd "$root" && "$bin" validate -c "examples/$(basename "$f")" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
	check "example:$(basename "$f")" "$tmp/want" "$tmp/out" 0 "$(cat "$tmp/rc")"
done

# The command line (SPEC §4): --help is exit 0, usage errors exit 2, --json
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

echo "validate: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
