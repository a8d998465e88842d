# panicsage — one Makefile for everything.
#
#   make          build/panicsage (host front end, glibc), build/panicsage-train
#                 (trainer, BLIS), build/panicsage-collector (collector,
#                 SQLite or PostgreSQL + mbedTLS) and build/panicsage-kdump (static musl
#                 binary for the capture kernel)
#   make demo     install what is missing, build, classify the bundled example
#   make test     install what is missing, build, run the whole test suite
#   make deps     install the Debian packages the build and tests need
#   make bench    benchmarks (read ../shared/corpus when present)
#   make lab      QEMU fault lab: every fault kind, regenerates model/corpus/lab (hours)
#   make ARCH=arm64   also build/arm64/panicsage-kdump, the capture-kernel binary
#                 for aarch64 (static musl, cross-built; `make arm64` builds it alone)
#   make lab ARCH=arm64   the arm64 QEMU fault lab (model/corpus/lab-arm64)
#
# Sources are found by folder, one folder a job (README "Layout"):
#   core/ port/ kdump/vmcore/   the engine, the OS layer, the vmcore reader: every program
#   kdump/                      panicsage-kdump (+ mbedTLS for musl)
#   tools/cli/                  panicsage; its cli.c and modelfile.c serve every host program
#   tools/train/                panicsage-train (+ tools/store/ for train --db)
#   tools/collector/            panicsage-collector (+ tools/store/)

CC      ?= cc
MUSL_CC ?= musl-gcc
# The aarch64 cross compiler: musl-dev:arm64's wrapper around
# gcc-aarch64-linux-gnu (its specs file points at the arm64 musl).
ARM64_MUSL_CC ?= aarch64-linux-musl-gcc
ARCH    ?=
B       := build

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wcast-qual -Wvla -Wformat=2
CSTD    := -std=c11 -D_DEFAULT_SOURCE
OPT     ?= -O2 -g
CFLAGS  ?=
# core/ is freestanding: no libc headers beyond the
# freestanding set, no errno from math builtins.  Not -ffreestanding:
# it implies -fno-builtin, which turns every small memcpy into a call.
# No loop-to-library-call idioms either (GCC turns loops into strlen).
# tests/t_freestanding.sh checks what the objects reference instead.
FREE    := -fno-math-errno -fno-trapping-math
# GCC's flag only: clang has no such option and rejects it
# (tests/t_build_clang.sh builds with CC=clang).
FREE_GCC := -fno-tree-loop-distribute-patterns
is_gcc   = $(shell $(1) -dM -E -x c /dev/null 2>/dev/null | grep -q __clang__ || \
             { $(1) -dM -E -x c /dev/null 2>/dev/null | grep -q __GNUC__ && echo yes; })
CC_IS_GCC   := $(call is_gcc,$(CC))
MUSL_IS_GCC := $(call is_gcc,$(MUSL_CC))
CPPFLAGS := -I. -MMD -MP
ifeq ($(WERROR),1)
WARN += -Werror
endif

CORE_SRC   := $(sort $(wildcard core/*.c))
PORT_SRC   := $(sort $(wildcard port/*.c))
READER_SRC := $(sort $(wildcard kdump/vmcore/*.c))
KDUMP_SRC  := $(sort $(wildcard kdump/*.c))
CLI_MAIN   := tools/cli/main.c
CLI_LIB    := tools/cli/cli.c tools/cli/modelfile.c
CLI_SRC    := $(filter-out $(CLI_MAIN) $(CLI_LIB),$(sort $(wildcard tools/cli/*.c)))
STORE_SRC  := $(sort $(wildcard tools/store/*.c))
TRAIN_MAIN := tools/train/main.c
TRAIN_SRC  := $(filter-out $(TRAIN_MAIN),$(sort $(wildcard tools/train/*.c)))
COLL_MAIN  := tools/collector/main.c
# kdump/tls_io.c, the socket under mbedTLS sessions, is compiled for
# both sides: panicsage-kdump (musl mbedTLS) and the collector.
COLL_SRC   := $(filter-out $(COLL_MAIN),$(sort $(wildcard tools/collector/*.c))) kdump/tls_io.c
# Everything of the host programs but their main(): what tests link.
TOOLS_LIB_SRC := $(CLI_LIB) $(CLI_SRC) $(STORE_SRC) $(TRAIN_SRC) $(COLL_SRC)

# Each host program links only the libraries its job needs.
CLI_LIBS   ?= -lm
# The store (tools/store) speaks SQLite and PostgreSQL (libpq): the
# programs that link it, not the front end or panicsage-kdump.
TRAIN_LIBS ?= -lblis -lm -lsqlite3 -lpq -lpthread
COLL_LIBS  ?= -lmbedtls -lmbedx509 -lmbedcrypto -lsqlite3 -lpq -lm -lpthread
HOST_LIBS  ?= -lblis -lm -lmbedtls -lmbedx509 -lmbedcrypto -lsqlite3 -lpq -lpthread
PQ_CFLAGS  ?= -I$(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
KDUMP_LIBS ?=
MBEDTLS_MUSL     := $(B)/mbedtls-musl
MBEDTLS_MUSL_LIB := $(MBEDTLS_MUSL)/libmbedtls.a
MBEDTLS_ARM64     := $(B)/mbedtls-musl-arm64
MBEDTLS_ARM64_LIB := $(MBEDTLS_ARM64)/libmbedtls.a

host_obj = $(patsubst %.c,$(B)/host/%.o,$(1))
musl_obj = $(patsubst %.c,$(B)/musl/%.o,$(1))
arm64_obj = $(patsubst %.c,$(B)/arm64/obj/%.o,$(1))

HOST_ENGINE := $(call host_obj,$(CORE_SRC) $(PORT_SRC) $(READER_SRC))
MUSL_ENGINE := $(call musl_obj,$(CORE_SRC) $(PORT_SRC) $(READER_SRC))
ARM64_ENGINE := $(call arm64_obj,$(CORE_SRC) $(PORT_SRC) $(READER_SRC))
HOST_PROGS  := $(B)/panicsage $(B)/panicsage-train $(B)/panicsage-collector

.PHONY: all deps demo test bench clean lab lab-smoke-arm64 arm64 boot-test boot-measure
all: $(HOST_PROGS) $(B)/panicsage-kdump
ifeq ($(ARCH),arm64)
all: $(B)/arm64/panicsage-kdump
else ifneq ($(filter-out x86_64 x86 amd64,$(ARCH)),)
$(error ARCH=$(ARCH): only ARCH=arm64 (or the host's x86_64) is known; the host programs are always built for the host)
endif
arm64: $(B)/arm64/panicsage-kdump

$(B)/host/core/%.o: CFLAGS_EXTRA = $(FREE) $(if $(CC_IS_GCC),$(FREE_GCC))
$(B)/musl/core/%.o: CFLAGS_EXTRA = $(FREE) $(if $(MUSL_IS_GCC),$(FREE_GCC))
$(B)/arm64/obj/core/%.o: CFLAGS_EXTRA = $(FREE) $(FREE_GCC)

# every build of it (host, asan, clang): a pattern
%/tools/store/sql_pg.o: CPPFLAGS += $(PQ_CFLAGS)

# The default model is built into every program (core/default_model.c).
$(B)/host/core/default_model.o $(B)/musl/core/default_model.o $(B)/arm64/obj/core/default_model.o: $(wildcard model/default.psm)
# So is the catalogue (core/default_catalogue.c), for models without one.
$(B)/host/core/default_catalogue.o $(B)/musl/core/default_catalogue.o $(B)/arm64/obj/core/default_catalogue.o: $(wildcard model/catalogue.tsv)

$(B)/host/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) $(WARN) $(CFLAGS_EXTRA) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(B)/musl/%.o: %.c
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(CSTD) $(OPT) $(WARN) $(CFLAGS_EXTRA) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(B)/arm64/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(ARM64_MUSL_CC) $(CSTD) $(OPT) $(WARN) $(CFLAGS_EXTRA) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(B)/panicsage: $(HOST_ENGINE) $(call host_obj,$(CLI_MAIN) $(CLI_LIB) $(CLI_SRC))
	$(CC) $(OPT) -o $@ $^ $(CLI_LIBS)

$(B)/panicsage-train: $(HOST_ENGINE) $(call host_obj,$(TRAIN_MAIN) $(CLI_LIB) $(TRAIN_SRC) $(STORE_SRC))
	$(CC) $(OPT) -o $@ $^ $(TRAIN_LIBS)

$(B)/panicsage-collector: $(HOST_ENGINE) $(call host_obj,$(COLL_MAIN) $(CLI_LIB) $(COLL_SRC) $(STORE_SRC))
	$(CC) $(OPT) -o $@ $^ $(COLL_LIBS)

$(B)/panicsage-kdump: $(MUSL_ENGINE) $(call musl_obj,$(KDUMP_SRC)) $(MBEDTLS_MUSL_LIB)
	$(MUSL_CC) $(OPT) -static -Wl,--gc-sections -o $@ $^ $(KDUMP_LIBS)

# mbedTLS for the capture kernel: Debian's source package built with
# musl-gcc and kdump/tls_config.h (ci/mbedtls_musl.sh; the source is
# fetched once with a project-local apt configuration and cached).
$(MBEDTLS_MUSL_LIB): kdump/tls_config.h ci/mbedtls_musl.sh
	MUSL_CC=$(MUSL_CC) ci/mbedtls_musl.sh $(MBEDTLS_MUSL) kdump/tls_config.h
$(B)/musl/kdump/%.o: CPPFLAGS += -I$(MBEDTLS_MUSL)/src/include -DMBEDTLS_CONFIG_FILE='"kdump/tls_config.h"'
$(call musl_obj,$(KDUMP_SRC)): | $(MBEDTLS_MUSL_LIB)

# The same program for aarch64 (README "arm64"): the same sources and
# mbedTLS source tree, cross-compiled with $(ARM64_MUSL_CC).
$(B)/arm64/panicsage-kdump: $(ARM64_ENGINE) $(call arm64_obj,$(KDUMP_SRC)) $(MBEDTLS_ARM64_LIB)
	$(ARM64_MUSL_CC) $(OPT) -static -Wl,--gc-sections -o $@ $^ $(KDUMP_LIBS)
$(MBEDTLS_ARM64_LIB): kdump/tls_config.h ci/mbedtls_musl.sh | $(MBEDTLS_MUSL_LIB)
	MUSL_CC=$(ARM64_MUSL_CC) MBEDTLS_SRC=$(MBEDTLS_MUSL)/src ci/mbedtls_musl.sh $(MBEDTLS_ARM64) kdump/tls_config.h
$(B)/arm64/obj/kdump/%.o: CPPFLAGS += -I$(MBEDTLS_ARM64)/src/include -DMBEDTLS_CONFIG_FILE='"kdump/tls_config.h"'
$(call arm64_obj,$(KDUMP_SRC)): | $(MBEDTLS_ARM64_LIB)

# Everything the tests link against: the engine plus the host programs
# minus their main().
$(B)/libpanicsage.a: $(HOST_ENGINE) $(call host_obj,$(TOOLS_LIB_SRC))
	rm -f $@
	ar rcs $@ $^

deps:
	ci/deps.sh

demo: deps
	$(MAKE) all
	$(B)/panicsage-kdump tests/data/example.log

lab:
	LAB_ARCH=$(if $(filter arm64,$(ARCH)),arm64,x86_64) ci/lab.sh all

# The arm64 lab's smoke run alone (make test runs it as t_lab_arm64_e2e).
lab-smoke-arm64:
	LAB_ARCH=arm64 ci/lab.sh smoke

# The Debian capture boot, booted: a Debian 12 guest with kdump-tools,
# panicsage installed as README says, crashed twice under QEMU TCG
# (ci/debian_boot.sh; ~15 min cold).  Not part of `make test` yet: its
# output goes to tests/boot-test.txt with the date and commit.
boot-test: all
	ci/deps.sh build boot lab
	{ date -u; git rev-parse HEAD; git status --porcelain --untracked-files=no | grep -v ' tests/boot-' | sed 's/^/uncommitted: /'; } > tests/boot-test.txt
	sh ci/debian_boot.sh >> tests/boot-test.txt 2>&1; rc=$$?; cat tests/boot-test.txt; exit $$rc

# The capture boot's memory (ci/debian_boot.sh --measure, ~40 min):
# tests/boot-measure.txt with the date and commit.
boot-measure: all
	ci/deps.sh build boot lab
	{ date -u; git rev-parse HEAD; git status --porcelain --untracked-files=no | grep -v ' tests/boot-' | sed 's/^/uncommitted: /'; } > tests/boot-measure.txt
	sh ci/debian_boot.sh --measure >> tests/boot-measure.txt 2>&1; rc=$$?; cat tests/boot-measure.txt; exit $$rc

include tests/tests.mk

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' -type f 2>/dev/null)
