#!/bin/sh
# `make install` and `make uninstall`: one list of installed files serves both,
# so uninstall removes exactly what install put there.
#
#   sh scripts/install.sh install|uninstall|list
#
# The Makefile passes DESTDIR, BINDIR, LIBDIR, INCLUDEDIR, DATADIR, MANDIR,
# UNITDIR, PKGCONFIGDIR, B (the build directory) and MAN_PAGES (the generated
# pages) in the environment.
set -eu
: "${DESTDIR=}" "${BINDIR:?}" "${LIBDIR:?}" "${INCLUDEDIR:?}" "${DATADIR:?}"
: "${MANDIR:?}" "${UNITDIR:?}" "${PKGCONFIGDIR:?}" "${B:?}" "${MAN_PAGES:?}"

# The public headers: the engine and what it is built from; not net.h, whose
# driver needs libre and is not part of the library.
HEADERS="dualsite config diag options validate agent engine sim"

# One line per file: MODE SOURCE DESTINATION (without DESTDIR).
files() {
	echo "0755 $B/dualsite $BINDIR/dualsite"
	# named by the Makefile, not globbed: uninstall works after `make clean`
	for m in $MAN_PAGES; do echo "0644 $m $MANDIR/man${m##*.}/${m##*/}"; done
	echo "0644 scripts/kamailio/registrar.cfg $DATADIR/registrar.cfg"
	for f in examples/*.yaml examples/scenarios/*.yaml examples/mistakes/*.yaml; do
		echo "0644 $f $DATADIR/$f"
	done
	echo "0644 $B/dualsite.service $UNITDIR/dualsite.service"
	echo "0644 $B/libdualsite.a $LIBDIR/libdualsite.a"
	for h in $HEADERS; do
		echo "0644 include/dualsite/$h.h $INCLUDEDIR/dualsite/$h.h"
	done
	echo "0644 $B/dualsite.pc $PKGCONFIGDIR/dualsite.pc"
}

# The directories that are dualsite's own: uninstall removes them once empty
# (never bin/, lib/ or man1/, which other software shares).
own_dirs() {
	echo "$DATADIR/examples/scenarios"
	echo "$DATADIR/examples/mistakes"
	echo "$DATADIR/examples"
	echo "$DATADIR"
	echo "$INCLUDEDIR/dualsite"
}

case ${1:-} in
list)
	files | while read -r mode src dst; do echo "$DESTDIR$dst"; done
	;;
install)
	files | while read -r mode src dst; do
		[ -f "$src" ] || { echo "install: $src is missing; run make first" >&2; exit 1; }
		install -D -m "$mode" "$src" "$DESTDIR$dst"
		echo "  installed $DESTDIR$dst"
	done
	;;
uninstall)
	files | while read -r mode src dst; do
		if [ -e "$DESTDIR$dst" ] || [ -L "$DESTDIR$dst" ]; then
			rm -f "$DESTDIR$dst"
			echo "  removed $DESTDIR$dst"
		fi
	done
	own_dirs | while read -r d; do
		[ -d "$DESTDIR$d" ] && rmdir "$DESTDIR$d" 2>/dev/null || true
	done
	;;
*)
	echo "usage: sh scripts/install.sh install|uninstall|list" >&2
	exit 2
	;;
esac
