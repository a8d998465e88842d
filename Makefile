# panicsage — one Makefile for everything.
#
#   make          build/panicsage (host CLI, glibc), build/panicsage-kdump
#                 (static musl binary for the capture kernel) and
#                 build/panicsage-logform (renders a log in the forms users paste)
#   make demo     install what is missing, build, classify the bundled example
#   make test     install what is missing, build, run the whole test suite
#   make deps     install the Debian packages the build and tests need
#   make bench    benchmarks (read ../shared/corpus when present)
#   make lab      QEMU fault lab: every fault kind, regenerates model/corpus/lab (hours)
#
# Sources are found by folder: every core/*.c, model/*.c, port/*.c goes
# into both binaries; kdump/vmcore*.c and kdump/printk*.c (the vmcore
# reader) too; the other kdump/*.c only into panicsage-kdump and
# tools/*.c only into panicsage.

CC      ?= cc
MUSL_CC ?= musl-gcc
B       := build

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wcast-qual -Wvla -Wformat=2
CSTD    := -std=c11 -D_DEFAULT_SOURCE
OPT     ?= -O2 -g
CFLAGS  ?=
# core/ and model/ are freestanding: no libc headers beyond the
# freestanding set, no errno from math builtins.  Not -ffreestanding:
# it implies -fno-builtin, which turns every small memcpy into a call.
# No loop-to-library-call idioms either (GCC turns loops into strlen).
# tests/t_freestanding.sh checks what the objects reference instead.
FREE    := -fno-math-errno -fno-trapping-math
FREE_GCC := -fno-tree-loop-distribute-patterns
CPPFLAGS := -I. -MMD -MP
ifeq ($(WERROR),1)
WARN += -Werror
endif

CORE_SRC   := $(sort $(wildcard core/*.c))
MODEL_SRC  := $(sort $(wildcard model/*.c))
PORT_SRC   := $(sort $(wildcard port/*.c))
READER_SRC := $(sort $(wildcard kdump/vmcore*.c kdump/printk*.c))
KDUMP_SRC  := $(filter-out $(READER_SRC),$(sort $(wildcard kdump/*.c)))
TOOLS_SRC  := $(sort $(wildcard tools/*.c))

FREE_SRC   := $(CORE_SRC) $(MODEL_SRC)
HOST_LIBS  ?= -lblis -lm -lmbedtls -lmbedx509 -lmbedcrypto -lsqlite3 -lpthread
KDUMP_LIBS ?=
MBEDTLS_MUSL     := $(B)/mbedtls-musl
MBEDTLS_MUSL_LIB := $(MBEDTLS_MUSL)/libmbedtls.a

host_obj = $(patsubst %.c,$(B)/host/%.o,$(1))
musl_obj = $(patsubst %.c,$(B)/musl/%.o,$(1))

HOST_ENGINE := $(call host_obj,$(FREE_SRC) $(PORT_SRC) $(READER_SRC))
MUSL_ENGINE := $(call musl_obj,$(FREE_SRC) $(PORT_SRC) $(READER_SRC))

.PHONY: all deps demo test bench clean lab
all: $(B)/panicsage $(B)/panicsage-kdump $(B)/panicsage-logform

$(B)/host/core/%.o $(B)/host/model/%.o: CFLAGS_EXTRA = $(FREE) $(FREE_GCC)
$(B)/musl/core/%.o $(B)/musl/model/%.o: CFLAGS_EXTRA = $(FREE) $(FREE_GCC)

# The default model is built into both binaries (model/default_model.c).
$(B)/host/model/default_model.o $(B)/musl/model/default_model.o: $(wildcard model/default.psm)

$(B)/host/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) $(WARN) $(CFLAGS_EXTRA) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(B)/musl/%.o: %.c
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(CSTD) $(OPT) $(WARN) $(CFLAGS_EXTRA) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(B)/panicsage: $(HOST_ENGINE) $(call host_obj,$(TOOLS_SRC))
	$(CC) $(OPT) -o $@ $^ $(HOST_LIBS)

$(B)/panicsage-kdump: $(MUSL_ENGINE) $(call musl_obj,$(KDUMP_SRC)) $(MBEDTLS_MUSL_LIB)
	$(MUSL_CC) $(OPT) -static -Wl,--gc-sections -o $@ $^ $(KDUMP_LIBS)

# A stand-alone tool of the training side: no engine, no libraries.
$(B)/panicsage-logform: tools/train/logform.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) $(WARN) $(CPPFLAGS) $(CFLAGS) -o $@ $<

# mbedTLS for the capture kernel: Debian's source package built with
# musl-gcc and kdump/tls_config.h (ci/mbedtls_musl.sh; the source is
# fetched once with a project-local apt configuration and cached).
$(MBEDTLS_MUSL_LIB): kdump/tls_config.h ci/mbedtls_musl.sh
	MUSL_CC=$(MUSL_CC) ci/mbedtls_musl.sh $(MBEDTLS_MUSL) kdump/tls_config.h
$(B)/musl/kdump/%.o: CPPFLAGS += -I$(MBEDTLS_MUSL)/src/include -DMBEDTLS_CONFIG_FILE='"kdump/tls_config.h"'
$(call musl_obj,$(KDUMP_SRC)): | $(MBEDTLS_MUSL_LIB)

# Everything the tests link against: the engine plus the host tools
# minus their main().
$(B)/libpanicsage.a: $(HOST_ENGINE) $(call host_obj,$(filter-out tools/main.c,$(TOOLS_SRC)))
	rm -f $@
	ar rcs $@ $^

deps:
	ci/deps.sh

demo: deps
	$(MAKE) all
	$(B)/panicsage-kdump tests/data/example.log

lab:
	ci/lab.sh all

include tests/tests.mk

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' -type f 2>/dev/null)
