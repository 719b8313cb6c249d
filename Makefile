# irqsim: the commands a person types. The real build is CMake's (build/ and,
# for the sanitizer run, build-asan/); this file installs what is missing,
# configures once and drives cmake/ctest.
#
#   make run          build, then simulate scenarios/many-guests.yaml (SCENARIO=FILE for another)
#   make test         all tests, plain (build/) and under ASan+UBSan (build-asan/)
#   make test-plain   the plain tests only; make test-asan: the sanitizer ones only
#   make build        configure once and build into build/ (also: make, make all)
#   make bench        build, then run every benchmark (bench/) and print one table
#                     (BENCH_FLAGS=--quick: a short smoke run; --long: memory over
#                     16 s at 10,000 guests too, about 25 CPU minutes more)
#   make bench-peer   irqsim against SimPy (python3-simpy): the hold model, and a GIB
#                     scenario checked counter by counter (fails if they disagree)
#   make check-builds build-only: Release with cc and with clang (as CI does)
#   make install      install into PREFIX (default /usr/local): library, headers, CLI,
#                     man page, completions, scenarios and docs (share/irqsim)
#   make deps         install the Debian packages the build needs (through sudo)
#   make format       clang-format the C sources; make format-check: only check
#   make fuzz         libFuzzer harnesses of tests/fuzz (clang), FUZZ_SECONDS each
#                     (default 300); crashes land in tests/fuzz/corpus/NAME/, which
#                     make test replays
#   make clean        remove build/, build-asan/, build-fuzz/, build-release/ and
#                     build-clang/

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

BUILD      ?= build
ASAN_BUILD ?= build-asan
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
SCENARIO   ?= scenarios/many-guests.yaml
CMAKE      ?= cmake
CTEST      ?= ctest

# The sanitizer build: Debug (asserts on) but at -O1, which keeps ASan runs fast.
ASAN_CMAKE_FLAGS := -DIRQ_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
	"-DCMAKE_C_FLAGS_DEBUG=-O1 -g -fno-omit-frame-pointer"

# Debian packages the build and tests need. A C compiler other than gcc will
# do (cc on PATH); libc6-dev is only a Recommends of gcc; gnuplot-nox plots
# the CLI's output.
DEB_PACKAGES ?= cmake gcc libc6-dev make pkg-config libyaml-dev libcmocka-dev gnuplot-nox

# Only `make fuzz` needs clang's libFuzzer; make test replays the corpora
# with gcc-built drivers.
FUZZ_DEB_PACKAGES ?= clang libclang-rt-14-dev
FUZZ_BUILD   ?= build-fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 300
FUZZ_TARGETS ?= scenario set datafile merge
FUZZ_CMAKE_FLAGS := -DIRQ_FUZZ=ON -DIRQ_BUILD_TESTS=OFF -DIRQ_BUILD_BENCH=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=$(FUZZ_CC)

# cmake --build runs its own make: keep our flags, jobserver and level out of
# it. Usage: $(call cmake,ARGS) as a whole recipe line; it echoes `cmake ARGS`.
cmake = @echo '$(CMAKE) $(1)'; env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $(CMAKE) $(1)

.PHONY: all deps configure build run test test-plain test-asan bench install clean \
	check-builds build-release build-clang bench-peer \
	format format-check help fuzz

all: build

help:
	@sed -n '1,/^$$/s/^# \{0,1\}//p' Makefile

deps:
	@missing=""; \
	if ! command -v dpkg-query >/dev/null 2>&1; then \
		echo "note: not a Debian system; make sure these are installed: $(DEB_PACKAGES)" >&2; \
		exit 0; \
	fi; \
	installed() { [ "$$(dpkg-query -W -f='$${Status}' "$$1" 2>/dev/null)" = "install ok installed" ]; }; \
	for p in $(DEB_PACKAGES); do \
		case "$$p" in \
		gcc) if command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1; then continue; fi ;; \
		make) if command -v make >/dev/null 2>&1; then continue; fi ;; \
		pkg-config) if installed pkgconf; then continue; fi ;; \
		gnuplot-nox) if installed gnuplot-qt || installed gnuplot-x11; then continue; fi ;; \
		esac; \
		installed "$$p" || missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	echo "Missing Debian packages:$$missing"; \
	install="apt-get install -y --no-install-recommends$$missing"; \
	if [ "$$(id -u)" = 0 ]; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update && apt-get install -y --no-install-recommends $$missing; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update && \
		sudo -n env DEBIAN_FRONTEND=noninteractive $$install; \
	else \
		echo "Install them with:" >&2; \
		echo "  sudo apt-get update && sudo $$install" >&2; \
		exit 1; \
	fi

# Configure only once; cmake --build re-runs cmake itself when a CMakeLists.txt
# changes or a globbed source file appears.
configure: deps
	@if [ ! -f $(BUILD)/Makefile ] && [ ! -f $(BUILD)/build.ninja ]; then \
		echo '$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo'; \
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
			$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo; \
	fi

build: configure
	$(call cmake,--build $(BUILD) -j$(JOBS))

run: build
	$(BUILD)/irqsim run $(SCENARIO)

define plain_tests
	$(CTEST) --test-dir $(BUILD) --output-on-failure --no-tests=error -j$(JOBS)
endef

define asan_tests
	@if [ ! -f $(ASAN_BUILD)/Makefile ] && [ ! -f $(ASAN_BUILD)/build.ninja ]; then \
		echo '$(CMAKE) -S . -B $(ASAN_BUILD) $(ASAN_CMAKE_FLAGS)'; \
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $(CMAKE) -S . -B $(ASAN_BUILD) $(ASAN_CMAKE_FLAGS); \
	fi
	$(call cmake,--build $(ASAN_BUILD) -j$(JOBS))
	$(CTEST) --test-dir $(ASAN_BUILD) --output-on-failure --no-tests=error -j$(JOBS)
endef

# One after the other (also under make -j); the first failure stops make.
test: build
	$(plain_tests)
	$(asan_tests)

test-plain: build
	$(plain_tests)

test-asan: deps
	$(asan_tests)

# Every benchmark in one table (bench/summary.sh), the SimPy GIB comparison
# included (so it installs python3-simpy too); BENCH_FLAGS=--quick for a
# short smoke run, --long for memory over time at 10,000 guests.
# bench-peer: the hold model in irqsim and in SimPy (Debian's
# python3-simpy, installed if missing), speeds and ratio; then the GIB scenario
# bench/peer/gib-peer.yaml in irqsim and in a SimPy model of it (python3-yaml
# reads the scenario), counters compared, speeds and ratio (about 1 to 2 min).
bench: DEB_PACKAGES += python3-simpy python3-yaml
bench: build
	bench/summary.sh $(BUILD) $(BENCH_FLAGS)

bench-peer: DEB_PACKAGES += python3-simpy python3-yaml
bench-peer: build
	bench/peer/run.sh $(BUILD)

# Build-only configurations CI checks besides `make test`: Release (what users
# run; gcc's -Wformat-truncation only fires with optimisation) with the
# default compiler and with clang. Their tests are the plain and ASan runs.
RELEASE_BUILD ?= build-release
CLANG_BUILD   ?= build-clang

check-builds: build-release build-clang

build-release: deps
	$(call cmake,-S . -B $(RELEASE_BUILD) -DCMAKE_BUILD_TYPE=Release)
	$(call cmake,--build $(RELEASE_BUILD) -j$(JOBS))

build-clang: DEB_PACKAGES += clang
build-clang: deps
	$(call cmake,-S . -B $(CLANG_BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang)
	$(call cmake,--build $(CLANG_BUILD) -j$(JOBS))

install: build
	$(call cmake,--install $(BUILD) --prefix $(PREFIX))
	@if [ -z "$${DESTDIR:-}" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then \
		ldconfig; fi

# Each harness mutates from its seed corpus (tests/fuzz/corpus/NAME, kept in
# git) into $(FUZZ_BUILD)/corpus-NAME, with the dictionary generated from
# the parameter tables; an input that crashes, leaks or hangs (10 s) is
# written into tests/fuzz/corpus/NAME/ as a regression input.
fuzz: DEB_PACKAGES += $(FUZZ_DEB_PACKAGES)
fuzz: deps
	@if [ ! -f $(FUZZ_BUILD)/Makefile ] && [ ! -f $(FUZZ_BUILD)/build.ninja ]; then \
		echo '$(CMAKE) -S . -B $(FUZZ_BUILD) $(FUZZ_CMAKE_FLAGS)'; \
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $(CMAKE) -S . -B $(FUZZ_BUILD) $(FUZZ_CMAKE_FLAGS); \
	fi
	$(call cmake,--build $(FUZZ_BUILD) -j$(JOBS))
	$(FUZZ_BUILD)/fuzz-gen-dict >$(FUZZ_BUILD)/scenario.dict
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus-$$t; \
		echo "fuzz-$$t: $(FUZZ_SECONDS) s (log: $(FUZZ_BUILD)/fuzz-$$t.log)"; \
		$(FUZZ_BUILD)/fuzz-$$t $(FUZZ_BUILD)/corpus-$$t tests/fuzz/corpus/$$t \
			-dict=$(FUZZ_BUILD)/scenario.dict -max_total_time=$(FUZZ_SECONDS) \
			-timeout=10 -rss_limit_mb=2048 -max_len=16384 -close_fd_mask=1 \
			-artifact_prefix=tests/fuzz/corpus/$$t/ >$(FUZZ_BUILD)/fuzz-$$t.log 2>&1 \
			|| { tail -40 $(FUZZ_BUILD)/fuzz-$$t.log; exit 1; }; \
		grep -E '^#[0-9]+.*DONE|^Done' $(FUZZ_BUILD)/fuzz-$$t.log | tail -2; \
	done

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(RELEASE_BUILD) $(CLANG_BUILD)

FORMAT_FILES = $(shell find include src tests bench -name '*.[ch]' 2>/dev/null | sort)

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)
