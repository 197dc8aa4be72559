#!/bin/sh
# The mutation check of the randomized test (tests/unit/test_random.c): breaks
# each rule of docs/behaviour.md §3.2 in turn in a scratch copy of the tree,
# runs build/tests/test_random alone on it, and prints which check caught the
# mutation. Every mutation must be caught ("caught"); "MISSED" or "NOT
# APPLIED" (the engine's code changed: update the pattern) fails the script.
# Not part of `make check` (a build per mutation): run it after changing
# the engine or the test.
# usage: sh tests/unit/random_mutations.sh [NAME...]   (from the repository root)
set -u
root=$(pwd)
[ -f "$root/tests/unit/test_random.c" ] || { echo "run from the repository root" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ds-mut.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
cp -r "$root/Makefile" "$root/include" "$root/src" "$root/tests" "$tmp/"
make -s -C "$tmp" -j2 build/tests/test_random >"$tmp/build.log" 2>&1 ||
	{ cat "$tmp/build.log"; exit 1; }

# NAME|FILE|perl substitution (applied once to the file's whole text)
mutations='
ha-never|src/engine/engine.c|s/if \(!ds_site_exists\(e, k, s\) \|\| slot_up\(e, from\) \|\| !slot_up\(e, to\)\)/if (1)/
ha-not-sticky|src/engine/engine.c|s/slot_up\(e, from\) \|\| !slot_up\(e, to\)\)/(slot_up(e, from) \&\& m == 0) || !slot_up(e, to))/
switchover-never|src/engine/conn.c|s/if \(!e->conf->bc_enabled \|\| e->now < c->switch_at\)\n\t\treturn;/return;/
switchover-as-oos|src/engine/conn.c|s/if \(try_move\(e, kind, other, DS_R_SERVER_LOSS\)\)/if (0)/
timeout-ignored|src/engine/conn.c|s/c->switch_at = e->now \+ e->conf->timeout_ms \+ ds_delay\(e\);/c->switch_at = e->now;/
lost-not-back|src/engine/conn.c|s/if \(ds_pair_up\(e, kind, c->site\)\) \{ \/\*/if (0) { \/*/
oos-never|src/engine/conn.c|s/\tgo_out_of_service\(e, kind\);\n\}/}/
phone-loss-never|src/engine/conn.c|s/\t\ttry_move\(e, DS_KIND_SIP, 1 - s, DS_R_PHONE_LOSS\);/\t\t;/
phone-wait-ignored|src/engine/conn.c|s/c->phone_at = e->now \+ cf->sipphone_wait_ms \+ ds_delay\(e\);/c->phone_at = e->now;/
hold-down-ignored|src/engine/conn.c|s/c->restore_at = e->now \+ cf->hold_down_ms \+ ds_delay\(e\);/c->restore_at = e->now;/
restore-never|src/engine/conn.c|s/\ttry_move\(e, kind, DS_SITE_PREFERRED, DS_R_AUTO_RESTORE\);/\t;/
restore-during-call|src/engine/conn.c|s/if \(kind == DS_KIND_SIP && cf->restore_when_idle && e->in_call\) \{/if (0) {/
restore-not-after-call|src/engine/conn.c|s/cf->restore_when_idle && e->in_call\) \{/cf->restore_when_idle \&\& (e->in_call || c->deferred_said)) {/
retry-too-early|src/engine/reg.c|s/e->reg\[p\].next_at = e->now \+ wait \+ ds_delay\(e\);/e->reg[p].next_at = e->now + ds_delay(e);/
retry-never|src/engine/reg.c|s/e->reg\[p\].next_at = e->now \+ wait \+ ds_delay\(e\);/e->reg[p].next_at = DS_NEVER - 1;/
refresh-late|src/engine/reg.c|s/r->next_at = e->now \+ \(int64_t\)granted \* 500;/r->next_at = e->now + (int64_t)granted * 1000;/
refresh-early|src/engine/reg.c|s/r->next_at = e->now \+ \(int64_t\)granted \* 500;/r->next_at = e->now + (int64_t)granted * 250;/
return-not-reregistered|src/engine/reg.c|s/\t\t\tr->next_at = DS_NEVER; \/\* register again/\t\t\t\/* register again/
bc-off-switches|src/engine/conn.c|s/if \(!e->conf->bc_enabled \|\| e->now < c->switch_at\)/if (e->now < c->switch_at)/;s/if \(e->conf->bc_enabled\)\n\t\tc->switch_at/c->switch_at/
manual-ignored|src/engine/conn.c|s/\tif \(!e->conf->bc_enabled\)\n\t\treturn;\n\tfor \(int k = 0; k < DS_KIND_COUNT; k\+\+\) \{\n\t\tstruct conn \*c = &e->conn\[k\];\n\n\t\tif \(!e->conf->kind_connected\[k\]\)/\treturn;\n\tfor (int k = 0; k < DS_KIND_COUNT; k++) {\n\t\tstruct conn *c = \&e->conn[k];\n\n\t\tif (!e->conf->kind_connected[k])/
manual-no-suspend|src/engine/conn.c|s/c->suspended = !restore;/c->suspended = false;/
random-delay-doubled|src/engine/engine.c|s/e->rng % \(uint64_t\)\(range \+ 1\)/e->rng % (uint64_t)(2 * range + 1)/
call-other-site-not-ended|src/engine/engine.c|s/\tds_call_observe\(e\);\n\tds_reg_act\(e\);/\tds_reg_act(e);/
call-not-ended|src/engine/conn.c|s/if \(!e->in_call \|\| ds_pair_up\(e, DS_KIND_SIP, site\)\)/if (1)/
'
fail=0
printf "%s\n" "$mutations" | while IFS='|' read -r name file subst; do
	[ -n "$name" ] || continue
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	cp "$tmp/$file" "$tmp/orig"
	perl -0pi -e "$subst" "$tmp/$file"
	if cmp -s "$tmp/$file" "$tmp/orig"; then
		echo "NOT APPLIED $name ($file)"
		echo x >>"$tmp/failed"
		continue
	fi
	if ! make -s -C "$tmp" -j2 build/tests/test_random >"$tmp/build.log" 2>&1; then
		echo "NOT APPLIED $name: does not build"; sed 's/^/    /' "$tmp/build.log" | head -5
		echo x >>"$tmp/failed"
	elif (cd "$tmp" && TMPDIR=$tmp build/tests/test_random) >"$tmp/out" 2>&1; then
		echo "MISSED      $name"
		echo x >>"$tmp/failed"
	else
		why=$(grep '^random: seed' "$tmp/out" | head -n 1 | sed 's/^random: //')
		echo "caught      $name: ${why:-$(tail -n 3 "$tmp/out" | tr '\n' ' ')}"
	fi
	cp "$tmp/orig" "$tmp/$file"
done
[ ! -f "$tmp/failed" ]
