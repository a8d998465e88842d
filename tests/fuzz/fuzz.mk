# Fuzzing and sanitizer builds.  Included by tests/tests.mk.
#
#   make fuzz            builds the libFuzzer targets (clang) and runs each
#                        for FUZZ_SECONDS (default 900) on its corpus,
#                        under nice; new inputs go to build/fuzz/corpus/,
#                        crashes to build/fuzz/crashes/<target>/
#   make fuzz-build      only builds them: build/fuzz/fuzz_<target>
#   make fuzz-seeds      regenerates the binary seeds in tests/fuzz/corpus/
#   make asan-build      the unit tests and the replay runners built with
#                        gcc -fsanitize=address,undefined: build/asan/
#
# `make test` builds both (the fuzz targets only when $(FUZZ_CC) exists)
# and runs them through tests/t_sanitizers.sh, tests/t_fuzz_regress.sh
# and tests/t_fuzz_smoke.sh.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 900
FUZZ_JOBS    ?= 1
SAN_FLAGS    := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=all -DPS_ARENA_POISON
FB           := $(B)/fuzz
AB           := $(B)/asan

# A target per tests/fuzz/fuzz_*.c; fuzz_vmcore needs the vmcore reader.
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
ifeq ($(wildcard kdump/vmcore/vmcore.h),)
FUZZ_SRC     := $(filter-out tests/fuzz/fuzz_vmcore.c,$(FUZZ_SRC))
endif
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRC))
FUZZ_BIN     := $(addprefix $(FB)/,$(FUZZ_TARGETS))
REPLAY_BIN   := $(addprefix $(AB)/replay_,$(FUZZ_TARGETS))
HAVE_FUZZ_CC := $(shell command -v $(FUZZ_CC) >/dev/null 2>&1 && echo yes)

fuzz_obj = $(patsubst %.c,$(FB)/obj/%.o,$(1))
asan_obj = $(patsubst %.c,$(AB)/obj/%.o,$(1))
FUZZ_ENGINE := $(call fuzz_obj,$(CORE_SRC) $(PORT_SRC) $(READER_SRC))
ASAN_ENGINE := $(call asan_obj,$(CORE_SRC) $(PORT_SRC) $(READER_SRC))

$(FB)/obj/core/%.o $(AB)/obj/core/%.o: CFLAGS_EXTRA = $(FREE)
$(FB)/obj/core/default_model.o $(AB)/obj/core/default_model.o: $(wildcard model/default.psm)

# libFuzzer builds: coverage instrumentation in every engine object;
# the arena puts poisoned red zones between allocations.
$(FB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CSTD) $(SAN_FLAGS) -fsanitize=fuzzer-no-link -DPS_ARENA_REDZONE=16 \
		$(CFLAGS_EXTRA) $(CPPFLAGS) -c $< -o $@

$(FB)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_ENGINE)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CSTD) $(SAN_FLAGS) -fsanitize=fuzzer $(CPPFLAGS) -o $@ $< $(filter %.o,$^)

# Targets that need more than the engine.
$(FB)/fuzz_config: $(call fuzz_obj,kdump/config.c)
$(AB)/replay_fuzz_config: $(call asan_obj,kdump/config.c)
$(FB)/fuzz_http: $(call fuzz_obj,tools/collector/http_reader.c)
$(AB)/replay_fuzz_http: $(call asan_obj,tools/collector/http_reader.c)
$(FB)/fuzz_webreq: $(call fuzz_obj,tools/collector/web_req.c)
$(AB)/replay_fuzz_webreq: $(call asan_obj,tools/collector/web_req.c)

# gcc sanitizer builds: the engine and the host tools, the unit tests,
# and a replay runner per fuzz target (no libFuzzer needed).
$(AB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(SAN_FLAGS) $(WARN) $(CFLAGS_EXTRA) $(CPPFLAGS) -c $< -o $@

$(AB)/libpanicsage.a: $(ASAN_ENGINE) $(call asan_obj,$(TOOLS_LIB_SRC))
	rm -f $@
	ar rcs $@ $^

$(AB)/tests/%: tests/unit/%.c tests/unit/check.h $(AB)/libpanicsage.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(SAN_FLAGS) $(WARN) $(CPPFLAGS) -Wno-missing-prototypes \
		-o $@ $< $(AB)/libpanicsage.a $(UNIT_LIBS)

$(AB)/replay_%: tests/fuzz/%.c tests/fuzz/fuzz.h tests/fuzz/replay.c $(ASAN_ENGINE)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(SAN_FLAGS) $(CPPFLAGS) -Wno-missing-prototypes \
		-o $@ $< tests/fuzz/replay.c $(filter %.o,$^) -lm

$(B)/tests/gen-seeds: tests/fuzz/gen_seeds.c tests/unit/randmodel.h $(B)/libpanicsage.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) $(CPPFLAGS) -o $@ $< $(B)/libpanicsage.a -lm

ASAN_UNIT_BIN := $(patsubst tests/unit/%.c,$(AB)/tests/%,$(UNIT_SRC))

# The host command line under the sanitizers (tests/t_sanitizers.sh runs
# it on the test data and the fuzz seeds).
$(AB)/panicsage: $(ASAN_ENGINE) $(call asan_obj,$(CLI_MAIN) $(CLI_LIB) $(CLI_SRC))
	$(CC) $(SAN_FLAGS) -o $@ $^ $(CLI_LIBS)
$(AB)/panicsage-train: $(ASAN_ENGINE) $(call asan_obj,$(TRAIN_MAIN) $(CLI_LIB) $(TRAIN_SRC) $(STORE_SRC))
	$(CC) $(SAN_FLAGS) -o $@ $^ $(TRAIN_LIBS)
$(AB)/panicsage-collector: $(ASAN_ENGINE) $(call asan_obj,$(COLL_MAIN) $(CLI_LIB) $(COLL_SRC) $(STORE_SRC))
	$(CC) $(SAN_FLAGS) -o $@ $^ $(COLL_LIBS)

.PHONY: fuzz fuzz-build fuzz-seeds asan-build
asan-build: $(ASAN_UNIT_BIN) $(REPLAY_BIN) $(AB)/panicsage $(AB)/panicsage-train $(AB)/panicsage-collector

fuzz-build: $(FUZZ_BIN)

fuzz-seeds: $(B)/tests/gen-seeds
	$(B)/tests/gen-seeds tests/fuzz/corpus

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run.sh $(FUZZ_TARGETS)
