# Benchmarks.  Included by tests/tests.mk.
#
#   make bench    installs the bench packages (ci/deps.sh build test bench),
#                 builds, runs every benchmark once and writes
#                 tests/bench/REPORT.md and tests/bench/results.json
#                 (tests/bench/run.sh; ../shared is used when present)

BENCH_BIN := $(B)/tests/dbscan-bench $(B)/tests/sage-bench $(B)/tests/catalogue-bench

$(B)/tests/dbscan-bench: tests/bench/dbscan_bench.c $(B)/libpanicsage.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) $(WARN) $(CPPFLAGS) -Wno-missing-prototypes -o $@ $< $(B)/libpanicsage.a -lm

$(B)/tests/catalogue-bench: tests/bench/catalogue_bench.c $(B)/libpanicsage.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) $(WARN) $(CPPFLAGS) -Wno-missing-prototypes -o $@ $< $(B)/libpanicsage.a

$(B)/tests/sage-bench: tests/bench/sage_bench.c $(B)/libpanicsage.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) $(WARN) $(CPPFLAGS) -Wno-missing-prototypes -o $@ $< $(B)/libpanicsage.a $(HOST_LIBS)

.PHONY: bench bench-build
bench-build: test-build $(BENCH_BIN)
# make test builds the benchmark programs too, so they cannot rot unseen.
test-build: $(BENCH_BIN)

bench:
	ci/deps.sh build test bench
	$(MAKE) bench-build
	tests/bench/run.sh
