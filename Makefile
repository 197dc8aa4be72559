# dualsite build. `make` builds; `make check` runs every test (then again under
# ASan+UBSan) and the benchmarks' smoke runs; `make demo` runs the main job;
# `make bench` runs the benchmarks. Each installs the Debian packages it needs
# first (scripts/deps.sh build, test or lab), quietly when they are there.

B        ?= build
CC       ?= cc
WERROR   ?=
SAN      ?=
RE_DEFS   = -DHAVE_INTTYPES_H -DHAVE_STDBOOL_H -DHAVE_INET6
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wmissing-prototypes \
            -Wstrict-prototypes -Wvla -Iinclude $(WERROR)
ifneq ($(SAN),)
CFLAGS   += -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS  += -fsanitize=address,undefined
endif
FY_CFLAGS = $(shell pkg-config --cflags libfyaml 2>/dev/null)
FY_LIBS   = $(shell pkg-config --libs libfyaml 2>/dev/null)
RE_CFLAGS = $(shell pkg-config --cflags libre 2>/dev/null) $(RE_DEFS)
RE_LIBS   = $(shell pkg-config --libs libre libssl libcrypto 2>/dev/null)
CMOCKA    = $(shell pkg-config --libs cmocka 2>/dev/null)
# The version, written once (VERSION), and the libraries' as built against.
DS_VERSION = $(shell cat VERSION)
VER_DEFS  = -DDS_VERSION='"$(DS_VERSION)"' \
            -DDS_LIBRE_BUILT='"$(shell pkg-config --modversion libre 2>/dev/null)"' \
            -DDS_LIBFYAML_BUILT='"$(shell pkg-config --modversion libfyaml 2>/dev/null)"'

# The core library: no network, no clock (config, options, validate, agent,
# engine, sim, util). The network driver and the lab link libre on top.
CORE_SRC = $(wildcard src/util/*.c src/config/*.c src/options/*.c src/validate/*.c \
                      src/agent/*.c src/engine/*.c src/sim/*.c src/report/*.c)
NET_SRC  = $(wildcard src/net/*.c src/lab/*.c src/control/*.c)
CLI_SRC  = $(wildcard src/cli/*.c)
CORE_OBJ = $(CORE_SRC:%.c=$(B)/%.o)
NET_OBJ  = $(NET_SRC:%.c=$(B)/%.o)
WEB_SRC  = $(wildcard web/*)
CLI_OBJ  = $(CLI_SRC:%.c=$(B)/%.o)
LIB      = $(B)/libdualsite.a
NETLIB   = $(B)/libdualsite-net.a
BIN      = $(B)/dualsite
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: all deps check test unit data net fuzz bench-smoke demo bench docs-img clean
all: $(BIN)

# The packages are installed before anything compiles: every object waits
# (order-only) for a stamp that scripts/deps.sh leaves once its list is
# there, so `make -j2` on a fresh machine cannot compile before libre-dev is
# installed. `make deps` checks again whatever the stamp says.
deps:
	@sh scripts/deps.sh build
$(B)/.deps-build $(B)/.deps-test $(B)/.deps-lab: $(B)/.deps-%: scripts/deps.sh
	@mkdir -p $(B)
	@sh scripts/deps.sh $*
	@touch $@

$(B)/src/net/%.o $(B)/src/lab/%.o $(B)/src/control/%.o $(B)/src/cli/%.o: CFLAGS += $(RE_CFLAGS)
$(B)/src/config/%.o: CFLAGS += $(FY_CFLAGS)
$(B)/src/cli/main.o: CFLAGS += $(FY_CFLAGS) $(VER_DEFS)
$(B)/src/cli/main.o: VERSION
$(B)/%.o: %.c | $(B)/.deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^
# The status page (web/) embedded as a generated C file: GET / serves it.
$(B)/gen/web.c: $(WEB_SRC) scripts/embed-web.sh
	@mkdir -p $(dir $@)
	sh scripts/embed-web.sh $@ $(WEB_SRC)
$(B)/gen/web.o: $(B)/gen/web.c src/control/web.h
	$(CC) $(CFLAGS) -Isrc -c $< -o $@
$(NETLIB): $(NET_OBJ) $(B)/gen/web.o
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^
$(BIN): $(CLI_OBJ) $(NETLIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(NETLIB) $(LIB) $(RE_LIBS) $(FY_LIBS) -lm

$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIB) $(NETLIB) | $(B)/.deps-test
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(RE_CFLAGS) $(FY_CFLAGS) -Isrc -o $@ $< $(NETLIB) $(LIB) \
		$(LDFLAGS) $(CMOCKA) $(RE_LIBS) $(FY_LIBS) -lm

unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)
data: $(BIN)
	@sh tests/run-data.sh $(BIN)
net: $(BIN) | $(B)/.deps-test
	@sh tests/run-net.sh $(BIN)
fuzz: | $(B)/.deps-test
	@sh tests/fuzz/run.sh $(B)
test: unit data net fuzz

# Every benchmark at tiny sizes: each must still produce its figures (what
# they are is not judged here; `make bench` measures).
bench-smoke: $(BIN) | $(B)/.deps-test
	@sh bench/config/run.sh $(B) smoke
	@sh bench/engine/run.sh $(B) smoke
	@bash bench/net/latency.sh $(BIN) smoke
	@bash bench/net/tls-latency.sh $(BIN) smoke
	@bash bench/net/fleet.sh $(BIN) smoke
	@bash bench/net/storm.sh $(BIN) smoke
	@sh bench/net/register.sh $(BIN) smoke
	@bash bench/net/control.sh $(BIN) --smoke
	@bash bench/net/reload.sh $(BIN) --smoke

# check: the whole suite with -Werror, then once more under the sanitizers,
# and the benchmarks' smoke runs. Both builds come first; then two lanes run
# side by side, each suite into its own log (scripts/check.sh): the suites
# that start registrars (net, then net under ASan, then the network
# benchmarks) one after the other, and the rest beside them.
check: | $(B)/.deps-test
	@$(MAKE) --no-print-directory WERROR=-Werror $(BIN) $(UNIT_BIN)
	@$(MAKE) --no-print-directory WERROR=-Werror SAN=1 B=build-asan \
		build-asan/dualsite $(UNIT_BIN:$(B)/%=build-asan/%)
	@sh scripts/check.sh $(B) build-asan

demo: $(B)/.deps-lab
	@$(MAKE) --no-print-directory -s $(BIN) >$(B)/build.log 2>&1 || \
		{ cat $(B)/build.log; echo "demo: the build failed" >&2; exit 1; }
	@sh scripts/demo.sh $(BIN)

bench: $(BIN) | $(B)/.deps-test
	@sh bench/run.sh $(B)

docs-img: $(BIN)
	@sh scripts/gen-docs-img.sh $(BIN)

clean:
	rm -rf build build-asan

-include $(CORE_OBJ:.o=.d) $(NET_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

# ---- install, man pages, library, Debian package (README "Install") ----------
# `make install` honours PREFIX and DESTDIR; install and uninstall read one list
# of files (scripts/install.sh). Man pages are generated from docs/ at build
# time (scripts/md2man.pl), so they cannot drift from the docs. The library is
# static only (docs/library.md says why). `make package` builds the .deb files
# into build/deb/; `make package-test` installs them into a fresh Debian root.
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
DATADIR     ?= $(PREFIX)/share/dualsite
MANDIR      ?= $(PREFIX)/share/man
SYSCONFDIR  ?= $(PREFIX)/etc
UNITDIR     ?= $(PREFIX)/lib/systemd/system
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# One version for the binary, the man pages, dualsite.pc and the package
# (tests/pkg/run.sh checks that debian/changelog says the same).
PKG_VERSION := $(DS_VERSION)
MAN_CMDS    = validate explain simulate run lab ctl report render
MAN_PAGES   = $(B)/man/dualsite.1 $(MAN_CMDS:%=$(B)/man/dualsite-%.1) $(B)/man/dualsite.yaml.5
INSTALL_ENV = DESTDIR="$(DESTDIR)" BINDIR="$(BINDIR)" LIBDIR="$(LIBDIR)" \
              INCLUDEDIR="$(INCLUDEDIR)" DATADIR="$(DATADIR)" MANDIR="$(MANDIR)" \
              UNITDIR="$(UNITDIR)" PKGCONFIGDIR="$(PKGCONFIGDIR)" B="$(B)" \
              MAN_PAGES="$(MAN_PAGES)"

.PHONY: lib man dist-files install uninstall install-list pkg-test package package-test FORCE

# The lab finds an installed registrar.cfg in DATADIR: rebuild when it changes.
$(B)/src/lab/kam.o $(B)/src/lab/lab.o: CFLAGS += -DDS_DATADIR='"$(DATADIR)"'
$(B)/src/lab/kam.o $(B)/src/lab/lab.o: $(B)/datadir.stamp
$(B)/datadir.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@

lib: $(LIB) $(B)/dualsite.pc
man: $(MAN_PAGES)
dist-files: $(B)/dualsite.service $(B)/dualsite.pc

$(B)/man/dualsite-%.1: docs/%.md scripts/md2man.pl debian/changelog
	@mkdir -p $(dir $@)
	perl scripts/md2man.pl dualsite-$* 1 $(PKG_VERSION) $< > $@.tmp && mv $@.tmp $@
$(B)/man/dualsite.1: man/dualsite.md README.md scripts/md2man.pl debian/changelog
	@mkdir -p $(dir $@)
	perl scripts/md2man.pl dualsite 1 $(PKG_VERSION) $< 'README.md#Commands' > $@.tmp && mv $@.tmp $@
$(B)/man/dualsite.yaml.5: man/dualsite.yaml.md README.md docs/options.md scripts/md2man.pl debian/changelog
	@mkdir -p $(dir $@)
	perl scripts/md2man.pl dualsite.yaml 5 $(PKG_VERSION) $< 'README.md#Configuration file' \
		docs/options.md@OPTIONS > $@.tmp && mv $@.tmp $@

$(B)/dualsite.service: dist/dualsite.service.in $(B)/paths.stamp
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< > $@
$(B)/dualsite.pc: dist/dualsite.pc.in $(B)/paths.stamp debian/changelog
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(PKG_VERSION)|g' $< > $@
$(B)/paths.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(PREFIX) $(BINDIR) $(LIBDIR) $(INCLUDEDIR) $(SYSCONFDIR)' | cmp -s - $@ || \
		echo '$(PREFIX) $(BINDIR) $(LIBDIR) $(INCLUDEDIR) $(SYSCONFDIR)' > $@

install: $(BIN) lib man dist-files
	@$(INSTALL_ENV) sh scripts/install.sh install
uninstall:
	@$(INSTALL_ENV) sh scripts/install.sh uninstall
install-list:
	@$(INSTALL_ENV) sh scripts/install.sh list

# Install, man pages, the library against its installed copy (examples/embed),
# the unit file: no network, no chroot (part of what CI can run).
pkg-test: $(BIN) lib man dist-files
	@sh tests/pkg/run.sh $(B)

package:
	@sh scripts/deps.sh package
	@sh scripts/package.sh build
package-test:
	@sh scripts/deps.sh package
	@sh scripts/package.sh test
