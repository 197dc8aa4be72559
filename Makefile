# dualsite build. `make` builds; `make check` runs every test (then again under
# ASan+UBSan); `make demo` runs the main job; `make bench` runs the benchmarks.

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
RE_LIBS   = $(shell pkg-config --libs libre 2>/dev/null)
CMOCKA    = $(shell pkg-config --libs cmocka 2>/dev/null)

# The core library: no network, no clock (config, options, validate, agent,
# engine, sim, util). The network driver and the lab link libre on top.
CORE_SRC = $(wildcard src/util/*.c src/config/*.c src/options/*.c src/validate/*.c \
                      src/agent/*.c src/engine/*.c src/sim/*.c)
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

.PHONY: all deps check test unit data net fuzz demo bench docs-img clean
all: deps $(BIN)

deps:
	@sh scripts/deps.sh

$(B)/src/net/%.o $(B)/src/lab/%.o $(B)/src/control/%.o $(B)/src/cli/%.o: CFLAGS += $(RE_CFLAGS)
$(B)/src/config/%.o: CFLAGS += $(FY_CFLAGS)
$(B)/%.o: %.c
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

$(B)/tests/%: tests/unit/%.c $(LIB) $(NETLIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(RE_CFLAGS) $(FY_CFLAGS) -Isrc -o $@ $< $(NETLIB) $(LIB) \
		$(LDFLAGS) $(CMOCKA) $(RE_LIBS) $(FY_LIBS) -lm

unit: deps $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)
data: deps $(BIN)
	@sh tests/run-data.sh $(BIN)
net: deps $(BIN)
	@sh tests/run-net.sh $(BIN)
fuzz: deps
	@sh tests/fuzz/run.sh $(B)
test: unit data net fuzz

# check: the whole suite with -Werror, then once more under the sanitizers.
check:
	@$(MAKE) --no-print-directory WERROR=-Werror test
	@$(MAKE) --no-print-directory WERROR=-Werror SAN=1 B=build-asan unit data net
	@echo "check: all suites passed (plain and ASan+UBSan)"

demo: all
	@sh scripts/demo.sh $(BIN)

bench: all
	@sh bench/run.sh $(B)

docs-img: all
	@sh scripts/gen-docs-img.sh $(BIN)

clean:
	rm -rf build build-asan

-include $(CORE_OBJ:.o=.d) $(NET_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
