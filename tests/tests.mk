# Test suite.  Included by the top-level Makefile.
#
# tests/unit/test_*.c   one C program each, linked with the engine
# tests/t_*.sh          shell tests driving the built binaries
#
# `make test` runs all of them through tests/run.sh, which prints one
# line per test and a summary, and fails if any test failed.

UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
UNIT_LIBS ?= $(HOST_LIBS)

$(B)/tests/%: tests/unit/%.c tests/unit/check.h $(B)/libpanicsage.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) $(WARN) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes \
		-o $@ $< $(B)/libpanicsage.a $(UNIT_LIBS)

# A musl test driver around the kdump upload code (kdump/*.c without
# kdump_main.c): the exact spool + TLS client of panicsage-kdump.
KDUMP_UPLOAD_OBJ := $(call musl_obj,$(filter-out kdump/kdump_main.c,$(KDUMP_SRC)))
$(B)/tests/kdump-upload: $(B)/musl/tests/kdump/upload_driver.o $(MUSL_ENGINE) $(KDUMP_UPLOAD_OBJ) $(MBEDTLS_MUSL_LIB)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(OPT) -static -Wl,--gc-sections -o $@ $^

# Synthetic vmcores for the vmcore reader's shell tests and benchmark.
$(B)/tests/vmcoregen: tests/vmcoregen.c tests/vmcoregen.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) $(WARN) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -o $@ $<

# The vmcore reader alone, static musl as in panicsage-kdump (benchmark).
$(B)/tests/vmcore-dmesg-static: $(B)/musl/tests/bench/vmcore_dmesg_static.o $(MUSL_ENGINE)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(OPT) -static -Wl,--gc-sections -o $@ $^

.PHONY: test test-build
test-build: all $(B)/arm64/panicsage-kdump $(UNIT_BIN) $(B)/tests/kdump-upload $(B)/tests/vmcoregen $(B)/tests/vmcore-dmesg-static

test: deps
	$(MAKE) test-build
	tests/run.sh

# Fuzz targets and sanitizer builds (tests/fuzz/fuzz.mk).  The libFuzzer
# targets need clang; without it tests/t_fuzz_smoke.sh says SKIP.
include tests/fuzz/fuzz.mk
test-build: asan-build
ifeq ($(HAVE_FUZZ_CC),yes)
test-build: fuzz-build
endif

# Benchmarks: make bench (tests/bench/bench.mk).
include tests/bench/bench.mk
