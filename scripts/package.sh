#!/bin/sh
# `make package`: builds the Debian packages (dualsite, libdualsite-dev) from a
# copy of this tree in build/pkg/ and checks them with lintian; the .deb files
# end in build/deb/. `make package-test` then tries them on a fresh Debian
# root (tests/pkg/chroot.sh).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
mode=${1:-build}

build() {
	version=$(awk 'NR == 1 { gsub(/[()]/, "", $2); print $2 }' debian/changelog)
	work=build/pkg
	rm -rf "$work" build/deb
	mkdir -p "$work/dualsite-$version" build/deb
	# the tree as git sees it (tracked and new files, nothing ignored)
	git ls-files -co --exclude-standard -z | xargs -0 tar -cf - | tar -xf - -C "$work/dualsite-$version"
	echo "package: dpkg-buildpackage -us -uc -b in $work/dualsite-$version"
	(cd "$work/dualsite-$version" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
		tail -n 40 "$work/build.log" >&2
		echo "package: dpkg-buildpackage failed; the whole log is $work/build.log" >&2
		exit 1
	}
	cp "$work"/*.deb build/deb/
	ls -l build/deb/
	echo "package: lintian"
	lintian --tag-display-limit 0 "$work"/*.changes >"$work/lintian.txt" 2>&1 || true
	cat "$work/lintian.txt"
	if grep -q '^E:' "$work/lintian.txt"; then
		echo "package: lintian reports errors (above)" >&2
		exit 1
	fi
	echo "package: no lintian errors ($(grep -c '^W:' "$work/lintian.txt" || true) warnings)"
}

case $mode in
build) build ;;
test)
	build
	sh tests/pkg/chroot.sh build/deb
	;;
*) echo "usage: sh scripts/package.sh build|test" >&2; exit 2 ;;
esac
