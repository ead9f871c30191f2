# Clearway — the two commands: `make run` and `make test`.
JOBS ?= $(shell nproc)
RELEASE_DIR := build/release
DEBUG_DIR := build/debug
DATA_DIR ?= var
PORT ?= 8443
# ccache keyed on paths relative to the checkout, so a fresh clone reuses earlier builds.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
CMAKE_COMMON := -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_EXPORT_COMPILE_COMMANDS=ON

.PHONY: all deps build build-debug run test test-release test-debug bench clean

all: build

deps:
	@bash scripts/install-deps.sh

$(RELEASE_DIR)/build.ninja:
	cmake -S . -B $(RELEASE_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release

$(DEBUG_DIR)/build.ninja:
	cmake -S . -B $(DEBUG_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DCLEARWAY_SANITIZE=ON -DCLEARWAY_BUILD_BENCH=OFF

build: deps $(RELEASE_DIR)/build.ninja
	cmake --build $(RELEASE_DIR) -j $(JOBS)

build-debug: deps $(DEBUG_DIR)/build.ninja
	cmake --build $(DEBUG_DIR) -j $(JOBS)

run: build
	$(RELEASE_DIR)/clearway demo --data-dir $(DATA_DIR) --port $(PORT)

test-release: build
	cd $(RELEASE_DIR) && ctest -j 2 --output-on-failure --timeout 600

test-debug: build-debug
	cd $(DEBUG_DIR) && ctest -j 2 --output-on-failure --timeout 900 -LE slow

test: test-release test-debug

# Only what the benchmarks run is built (Release); bench/run.sh documents its knobs.
bench: deps $(RELEASE_DIR)/build.ninja
	cmake --build $(RELEASE_DIR) -j $(JOBS) --target clearway clearway-load stage_bench echo_server
	BENCH_BIN=$(RELEASE_DIR) bash bench/run.sh

clean:
	rm -rf build
