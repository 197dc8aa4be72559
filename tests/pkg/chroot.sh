#!/bin/sh
# `make package-test`: the .deb on a fresh Debian system. A bookworm root made
# by debootstrap (kept pristine as build/chroot/bookworm.tar, unpacked anew for
# every run into build/chroot/root) gets `apt-get install ./dualsite_*.deb`;
# then `dualsite --version`, `dualsite validate` on the installed example, the
# suggested packages (kamailio, sip-tester) and `dualsite lab`; then the
# package is purged and nothing of it may be left. Needs root, debootstrap and
# the Debian mirror this machine uses.
#
#   sh tests/pkg/chroot.sh DEB_DIR       (from the top of the tree)
set -eu
DEBS=$(cd "${1:?usage: sh tests/pkg/chroot.sh DEB_DIR}" && pwd)
W=$(pwd)/build/chroot
R=$W/root
SUITE=bookworm
[ "$(id -u)" = 0 ] || { echo "package-test: needs root (debootstrap, chroot)" >&2; exit 2; }
deb=$(ls "$DEBS"/dualsite_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "package-test: no dualsite_*.deb in $DEBS (run make package)" >&2; exit 2; }

# The mirror: the first Debian URI of this machine's apt sources.
MIRROR=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
	awk '/^deb / { print $2; exit } /^URIs:/ { print $2; exit }')
MIRROR=${MIRROR:-http://deb.debian.org/debian}

n=0 failed=0
ok() { n=$((n + 1)); echo "ok   $1"; }
bad() { n=$((n + 1)); failed=$((failed + 1)); echo "FAIL $1" >&2; }
in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive TMPDIR=/tmp "$@"; }
step() { echo "---- $*"; }

mounted=""
cleanup() {
	set +e
	for m in $mounted; do umount "$m"; done
}
trap cleanup EXIT INT TERM

step "a fresh $SUITE root from $MIRROR"
mkdir -p "$W"
if [ ! -s "$W/$SUITE.tar" ]; then
	rm -rf "$W/base"
	t0=$(date +%s)
	debootstrap --variant=minbase "$SUITE" "$W/base" "$MIRROR" >"$W/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$W/debootstrap.log" >&2; echo "package-test: debootstrap failed" >&2; exit 1; }
	tar -C "$W/base" -cf "$W/$SUITE.tar.tmp" . && mv "$W/$SUITE.tar.tmp" "$W/$SUITE.tar"
	rm -rf "$W/base"
	echo "debootstrap took $(($(date +%s) - t0)) s (kept as build/chroot/$SUITE.tar)"
fi
rm -rf "$R"
mkdir -p "$R"
tar -C "$R" -xf "$W/$SUITE.tar"
cp /etc/resolv.conf "$R/etc/resolv.conf"
mount -t proc proc "$R/proc" && mounted="$R/proc"
in_root apt-get update -qq >/dev/null
# what the root holds before dualsite: compared with what it holds after the purge
snapshot() {
	(cd "$R" && find . -xdev \( -path ./proc -o -path ./tmp -o -path ./var/cache -o \
		-path ./var/log -o -path ./var/lib/apt -o -path ./var/lib/dpkg -o -path ./run \) \
		-prune -o -print) | sort
}
snapshot >"$W/before.txt"

step "apt-get install ./$(basename "$deb")"
mkdir -p "$R/tmp/debs"
cp "$DEBS"/*.deb "$R/tmp/debs/"
if in_root sh -c "cd /tmp/debs && apt-get install -y -q ./$(basename "$deb")" >"$W/install.log" 2>&1; then
	ok "apt-get install ./$(basename "$deb") (dependencies: $(in_root dpkg-query -W -f='${Depends}' dualsite))"
else
	tail -n 30 "$W/install.log" >&2
	bad "apt-get install ./$(basename "$deb")"
	echo "package-test: $((n - failed)) passed, $failed failed"
	exit 1
fi
if [ -L "$R/etc/systemd/system/multi-user.target.wants/dualsite.service" ]; then
	ok "dualsite.service enabled (multi-user.target.wants)"
else
	bad "dualsite.service is not enabled"
fi
if grep -q 'deb-systemd-invoke .*start' "$R/var/lib/dpkg/info/dualsite.postinst"; then
	bad "postinst starts the service"
else
	ok "postinst does not start the service"
fi

step "dualsite --version"
if in_root dualsite --version >"$W/version.out" 2>&1 &&
	grep -qx "dualsite $(cat VERSION)" "$W/version.out"; then
	ok "dualsite --version: $(head -n 1 "$W/version.out")"
else
	bad "dualsite --version: $(cat "$W/version.out")"
fi

step "dualsite validate -c /usr/share/dualsite/examples/two-site.yaml"
if in_root dualsite validate -c /usr/share/dualsite/examples/two-site.yaml >"$W/validate.out" 2>&1; then
	ok "validate the installed example (exit 0, $(wc -l <"$W/validate.out") diagnostics)"
else
	bad "validate the installed example: $(cat "$W/validate.out")"
fi
in_root man -w dualsite-run >/dev/null 2>&1 || in_root test -f /usr/share/man/man1/dualsite-run.1.gz &&
	ok "man page dualsite-run(1) installed" || bad "no man page dualsite-run(1)"

step "apt-get install kamailio sip-tester; dualsite lab"
if in_root apt-get install -y -q --no-install-recommends kamailio sip-tester >"$W/suggests.log" 2>&1; then
	ok "installed the suggested packages"
	# the lab's registrars need the installed registrar.cfg: without it, it says so
	mv "$R/usr/share/dualsite/registrar.cfg" "$R/usr/share/dualsite/registrar.cfg.away"
	if in_root dualsite lab --seed 1 >"$W/lab-nocfg.out" 2>&1; then
		bad "dualsite lab ran without /usr/share/dualsite/registrar.cfg"
	elif grep -q 'cannot find the registrar configuration.*/usr/share/dualsite/' "$W/lab-nocfg.out"; then
		ok "without /usr/share/dualsite/registrar.cfg the lab stops and names where it looked"
	else
		bad "lab without registrar.cfg: $(cat "$W/lab-nocfg.out")"
	fi
	mv "$R/usr/share/dualsite/registrar.cfg.away" "$R/usr/share/dualsite/registrar.cfg"
	t0=$(date +%s)
	if in_root dualsite lab --seed 1 >"$W/lab.out" 2>&1; then
		# no source tree and no DUALSITE_KAMAILIO_CFG here: its registrars
		# ran the installed /usr/share/dualsite/registrar.cfg
		ok "dualsite lab (exit 0, $(($(date +%s) - t0)) s, registrars on the installed registrar.cfg)"
	else
		tail -n 30 "$W/lab.out" >&2
		bad "dualsite lab (output: build/chroot/lab.out)"
	fi
	sed 's/^/     | /' "$W/lab.out" | tail -n 25
else
	tail -n 20 "$W/suggests.log" >&2
	bad "apt-get install kamailio sip-tester"
fi

step "apt-get purge --autoremove dualsite: nothing left"
in_root dpkg -L dualsite | sort >"$W/dpkg-L.txt"
in_root apt-get purge -y -q --autoremove dualsite >"$W/purge.log" 2>&1 || bad "apt-get purge dualsite: $(tail -n 5 "$W/purge.log")"
left=""
while read -r p; do
	# directories (and /lib, a link to one) are shared with other packages
	[ -d "$R$p" ] && continue
	[ -f "$R$p" ] || [ -L "$R$p" ] || continue
	left="$left $p"
done <"$W/dpkg-L.txt"
[ -z "$left" ] && ok "no file of dpkg -L dualsite ($(wc -l <"$W/dpkg-L.txt") paths) is left" ||
	bad "files of dualsite left after purge:$left"
snapshot >"$W/after.txt"
comm -13 "$W/before.txt" "$W/after.txt" | grep -i dualsite >"$W/left.txt" || true
[ -s "$W/left.txt" ] && bad "paths named dualsite left after purge: $(cat "$W/left.txt")" ||
	ok "no path named dualsite anywhere in the root after purge"
in_root dpkg-query -W dualsite >/dev/null 2>&1 && bad "dpkg still knows dualsite" ||
	ok "dpkg no longer knows dualsite"

cleanup
mounted=""
echo "package-test: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
