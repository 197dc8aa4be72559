#!/bin/sh
# `make pkg-test`: what `make install` puts where and `make uninstall` takes
# back, the man pages, the installed library (headers, pkg-config, the embed
# example built against the installed copy) and the systemd unit. No network,
# no root needed; the chroot test of the .deb is tests/pkg/chroot.sh.
#
#   sh tests/pkg/run.sh BUILD_DIR      (from the top of the tree)
set -u
B=${1:-build}
BIN=$(pwd)/$B/dualsite
T=$(mktemp -d "${TMPDIR:-/tmp}/dspkg.XXXXXX")
D=$T/dest
P=/usr/local
n=0 failed=0
trap 'rm -rf "$T"' EXIT INT TERM

ok() { n=$((n + 1)); echo "ok   $1"; }
bad() { n=$((n + 1)); failed=$((failed + 1)); echo "FAIL $1" >&2; }
check() { _what=$1; shift; if "$@"; then ok "$_what"; else bad "$_what"; fi; }

# ---- one version: VERSION is the source; the package's changelog agrees -----
chv=$(awk 'NR == 1 { gsub(/[()]/, "", $2); print $2 }' debian/changelog)
check "debian/changelog's version ($chv) is VERSION's ($(cat VERSION))" [ "$chv" = "$(cat VERSION)" ]

# ---- install into a DESTDIR, then uninstall: nothing left -------------------
make --no-print-directory -s B="$B" PREFIX=$P DESTDIR="$D" install >"$T/install.out" 2>&1 ||
	{ cat "$T/install.out" >&2; bad "make install DESTDIR"; exit 1; }
make --no-print-directory -s B="$B" PREFIX=$P DESTDIR="$D" install-list | sort >"$T/list"
(find "$D" -type f -o -type l) | sort >"$T/found"
check "install puts exactly the listed files ($(wc -l <"$T/list") files)" cmp -s "$T/list" "$T/found"
[ -s "$T/list" ] || bad "the install list is empty"
for f in bin/dualsite share/man/man1/dualsite.1 share/man/man5/dualsite.yaml.5 \
	share/dualsite/registrar.cfg share/dualsite/examples/two-site.yaml \
	lib/systemd/system/dualsite.service lib/libdualsite.a include/dualsite/dualsite.h \
	lib/pkgconfig/dualsite.pc; do
	check "installed $P/$f" test -f "$D$P/$f"
done
for c in validate explain simulate run lab; do
	check "man page dualsite-$c(1) installed" test -f "$D$P/share/man/man1/dualsite-$c.1"
done
check "binary is executable" test -x "$D$P/bin/dualsite"
check "the installed binary validates the installed example" \
	"$D$P/bin/dualsite" validate -c "$D$P/share/dualsite/examples/two-site.yaml"

# ---- man pages: each command has one, they render without warnings, and each
# carries every section of its doc (they are generated from it) -------------
cmds=$("$BIN" --help 2>&1 | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
[ -n "$cmds" ] || bad "no commands found in dualsite --help"
for c in $cmds; do
	check "command '$c' of --help has a man page" test -f "$B/man/dualsite-$c.1"
done
for m in "$B"/man/*.[15]; do
	w=$(LC_ALL=C.UTF-8 groff -man -ww -z "$m" 2>&1; LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$m" 2>&1 >/dev/null)
	if [ -z "$w" ]; then ok "$(basename "$m") renders without warnings"; else bad "$(basename "$m"): $w"; fi
done
# each `## Heading` of the doc is a section heading of the rendered page
for c in validate explain simulate run lab; do
	LC_ALL=C.UTF-8 MANWIDTH=200 man -E UTF-8 -l "$B/man/dualsite-$c.1" 2>/dev/null | col -b >"$T/page.txt"
	missing=$(perl -CSD -ne 'BEGIN { open(my $p, "<:encoding(UTF-8)", shift) or die; %h = map { chomp; ($_ => 1) } <$p> }
		if (/^## (.*)/) { ($x = $1) =~ s/[`*]//g; print uc($x), "; " unless $h{uc $x} }' "$T/page.txt" "docs/$c.md")
	if [ -z "$missing" ]; then ok "dualsite-$c(1) has every section of docs/$c.md"
	else bad "dualsite-$c(1) lacks sections of docs/$c.md: $missing"; fi
done
check "dualsite.yaml(5) has the option table" grep -q 'disaster\\-recovery.timeout' "$B/man/dualsite.yaml.5"
check "man pages are up to date with the docs" sh -c "make --no-print-directory -q B='$B' man"

# ---- the library: headers, pkg-config, the embed example against the installed copy
H=$D$P/include/dualsite
# the code of the headers, comments removed
perl -0777 -pe 's{/\*.*?\*/}{}gs' "$H"/*.h >"$T/code.h"
if grep -nE 'fyaml|fy_[a-z]|<re\.h>|<re_|struct (sa|mbuf|pl|tmr|sip|fy_[a-z_]*)[ ;{*]' "$T/code.h" >"$T/leak"; then
	bad "public headers expose libfyaml or libre: $(cat "$T/leak")"
else
	ok "public headers expose no libfyaml or libre type"
fi
check "every public call is documented" awk -f tests/pkg/header-docs.awk "$H"/*.h
for h in "$H"/*.h; do
	check "$(basename "$h") compiles on its own" \
		sh -c "printf '#include <dualsite/%s>\n' '$(basename "$h")' | cc -std=c11 -Wall -Wextra -Werror -fsyntax-only -I'$D$P/include' -x c -"
done
export PKG_CONFIG_PATH="$D$P/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D"
flags=$(pkg-config --cflags --libs dualsite 2>"$T/pc.err")
check "pkg-config --cflags --libs dualsite: $flags" test -n "$flags"
case $flags in *"-I$D$P/include"*"-L$D$P/lib"*) ok "pkg-config points into the installed tree" ;;
*) bad "pkg-config flags do not point into $D$P: $flags" ;; esac
check "examples/embed/embed.c is at most 150 lines" test "$(wc -l <examples/embed/embed.c)" -le 150
if cc -std=c11 -Wall -Wextra -Werror examples/embed/embed.c $flags -o "$T/embed" 2>"$T/cc.err"; then
	ok "embed example builds against the installed library"
else
	bad "embed example does not build: $(cat "$T/cc.err")"
fi
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
# A site loss at LOSS s: connection lost then, switchover TIMEOUT s later, none before.
for args in "30 10 60" "5 3 20"; do
	set -- $args
	"$T/embed" "$@" >"$T/embed.out" 2>&1
	sw_want=$(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }')
	lost=$(awk '/sip +connection lost to SiteX/ { print $1; exit }' "$T/embed.out")
	sw=$(awk '/sip +switchover SiteX -> SiteY \(server-loss\)/ { print $1; exit }' "$T/embed.out")
	check "embed (timeout $1, loss at $2): connection lost at the loss ($lost)" \
		test "$lost" = "$(printf '%.3f' "$2")"
	check "embed (timeout $1, loss at $2): switchover at loss + timeout = $sw_want ($sw)" \
		test "$sw" = "$sw_want"
	check "embed (timeout $1, loss at $2): one switchover" \
		test "$(grep -c switchover "$T/embed.out")" = 1
done

# ---- the systemd unit -------------------------------------------------------
U=$D$P/lib/systemd/system/dualsite.service
check "unit has WatchdogSec=" grep -q '^WatchdogSec=[1-9]' "$U"
for k in 'Type=notify' "ExecStart=$P/bin/dualsite run -c $P/etc/dualsite/dualsite.yaml --all" \
	'ExecReload=/bin/kill -HUP $MAINPID' \
	'Restart=on-failure' 'DynamicUser=yes' 'NoNewPrivileges=yes' \
	'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' \
	'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK'; do
	check "unit has $k" grep -qxF -- "$k" "$U"
done
if command -v systemd-analyze >/dev/null 2>&1; then
	# verify wants ExecStart's binary to exist: point it at the installed one
	mkdir -p "$T/unit"
	sed "s|$P/bin/dualsite|$D$P/bin/dualsite|" "$U" >"$T/unit/dualsite.service"
	# its Documentation= pages are the installed ones
	if MANPATH="$D$P/share/man" systemd-analyze verify "$T/unit/dualsite.service" >"$T/verify" 2>&1; then
		ok "systemd-analyze verify accepts the unit"
		[ -s "$T/verify" ] && sed 's/^/     /' "$T/verify"
	else
		bad "systemd-analyze verify: $(cat "$T/verify")"
	fi
else
	echo "skip systemd-analyze verify (systemd-analyze not installed)"
fi

# ---- uninstall: nothing of ours left ---------------------------------------
make --no-print-directory -s B="$B" PREFIX=$P DESTDIR="$D" uninstall >"$T/uninstall.out" 2>&1 ||
	bad "make uninstall failed: $(cat "$T/uninstall.out")"
left=$(find "$D" -type f -o -type l)
check "uninstall leaves no file${left:+ (left: $left)}" test -z "$left"
for d in share/dualsite include/dualsite; do
	check "uninstall removes $P/$d" test ! -e "$D$P/$d"
done

echo "pkg: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
