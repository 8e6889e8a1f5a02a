# The two commands a newcomer runs: `make demo` and `make test`. Both install what is missing first.
JOBS ?= $(shell nproc)

.PHONY: setup build demo test test-slow asan fuzz bench clean

setup:
	@bash scripts/setup.sh

build: setup
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

demo: build
	./build/segue demo

test: build
	ctest --preset release -j $(JOBS)

# Soak and load tests; run by hand, not in CI.
test-slow: build
	ctest --test-dir build -L slow --output-on-failure

# Debug build with AddressSanitizer + UBSan; runs the unit tests.
asan: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

# libFuzzer + ASan/UBSan harnesses (clang, build-fuzz/), each run for FUZZ_SECONDS (default 60); see
# scripts/fuzz.sh and docs/testing.md. `make test` replays their corpora without clang.
fuzz:
	@JOBS=$(JOBS) bash scripts/fuzz.sh

bench: build
	@ls build/bench/

clean:
	rm -rf build build-asan build-fuzz
