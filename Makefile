# emotion-live: every set-up step a fresh Debian machine needs is in here.
#   make run  [ARGS="clip.mp4 --headless"]   install missing packages, build, run
#   make test                                 the same set-up, then every test
SHELL := /bin/bash
.DEFAULT_GOAL := build

PREFIX ?= /usr/local
ARGS ?=
SHARED ?= ../shared
BIN := .build/release/emotion-live
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The engine's kernels are written for 8-, 16- and 32-wide SIMD; the release build targets the
# build machine's vector extensions so they compile to them: on a CPU with AVX-512 (F, BW, DQ,
# VL) Skylake-AVX512-class x86-64 and 32-column weight panels (KERASENGINE_AVX512), on one with
# AVX2 and FMA Haswell-class x86-64. KERASENGINE_FMA makes the micro-kernels use fused
# multiply-add (Swift cannot test for a CPU feature at compile time; without a target CPU, FMA
# would be a library call per lane). PORTABLE=1 (or a CPU without them) builds for baseline
# x86-64: the same results, slower. CPU=avx2 forces the AVX2 build on an AVX-512 machine.
has_flags = $(shell [ "$$(uname -m)" = x86_64 ] && for f in $(1); do grep -qw $$f /proc/cpuinfo 2>/dev/null || exit 1; done && echo yes)
ifeq ($(PORTABLE),)
ifeq ($(CPU)$(call has_flags,avx512f avx512bw avx512dq avx512vl fma),yes)
CPU_FLAGS := -Xswiftc -target-cpu -Xswiftc skylake-avx512 -Xcc -march=skylake-avx512 -Xswiftc -DKERASENGINE_FMA -Xswiftc -DKERASENGINE_AVX512
else ifeq ($(call has_flags,avx2 fma),yes)
CPU_FLAGS := -Xswiftc -target-cpu -Xswiftc haswell -Xcc -march=haswell -Xswiftc -DKERASENGINE_FMA
endif
endif
# The Swift runtime and FoundationEssentials (the only part of Foundation the sources import:
# full Foundation brings CoreFoundation and ICU, 3-4 MB resident in every run) are linked in
# (--static-swift-stdlib): the binary runs without the toolchain's libraries, starts faster, and
# a run is 6.5 MB smaller in memory (a dozen shared libraries fewer to map and relocate).
# Where the toolchain has lld and the C library reads packed relative relocations (glibc 2.36,
# Debian 12 on), the binary is linked with them (DT_RELR): the ~75,000 pointers the loader fixes
# up at start-up are listed in 14 KB instead of 1.8 MB, which every run used to read in whole
# (1.6 MB less resident, measured on the 1080p crowd clip). Elsewhere the default linker.
glibc_has_relr = $(shell v=$$(ldd --version 2>/dev/null | head -1 | grep -oE '[0-9]+\.[0-9]+$$'); \
	[ -n "$$v" ] && [ "$$(printf '%s\n' 2.36 $$v | sort -V | head -1)" = 2.36 ] && echo yes)
LLD := $(shell d=$$(dirname "$$(readlink -f "$$(command -v swift)")" 2>/dev/null); [ -x "$$d/ld.lld" ] && echo yes)
ifeq ($(LLD)$(glibc_has_relr),yesyes)
LINK_FLAGS := -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs
endif
SWIFT_BUILD := swift build -c release --static-swift-stdlib $(CPU_FLAGS) $(LINK_FLAGS)

# Debian's opencv4.pc lists all ~55 OpenCV modules, and the linker keeps every one of them
# (SwiftPM puts -Xlinker --as-needed after the libraries, where it has no effect): start-up
# then loads ~380 shared libraries. The builds here read a pkg-config file of the same name
# that lists only the three modules the shim links (plain `swift build` still works, with all).
# Video files are decoded with FFmpeg's libraries directly. highgui (Qt and its ~40 libraries
# on Debian), videoio (cameras, the annotated-video writer) and imgcodecs (still images; GDAL,
# GDCM, poppler... ~30 MB resident) are not linked: the shim loads each with dlopen when first
# needed, so a headless run on a video maps none of them.
PKG_DIR := $(CURDIR)/.build/pkgconfig
export PKG_CONFIG_PATH := $(PKG_DIR)$(if $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH))
OPENCV_MODULES := objdetect imgproc core

# Debian packages: what building and running need (OpenCV, libhdf5, FFmpeg's libraries), and
# what only the tests need.
CASCADE := /usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml

.PHONY: deps test-deps build run serve test install install-files install-check uninstall train test-training fixtures bench bench-serve bench-deps bench-compare check-deploy clean help

help:
	@echo "make run ARGS='[SOURCE] [options]'  build and run (default: webcam, window)"
	@echo "make test                            build and run every test (but the training script's)"
	@echo "make test-training                   the PyTorch training script's tests (5.5 GB venv on first use)"
	@echo "make install PREFIX=/usr/local       install binary, model, man page, completions"
	@echo "make serve                           the HTTP/WebSocket server and its page on http://127.0.0.1:8080"
	@echo "make bench                           engine speed of the bundled and reference models"
	@echo "make bench-serve                     the server under load: throughput, latency, streams, memory"
	@echo "make train                           retrain the bundled model (Python, offline)"

deps:
	@missing=""; \
	command -v pkg-config >/dev/null || missing="$$missing pkg-config"; \
	PKG_CONFIG_PATH= pkg-config --exists opencv4 2>/dev/null || missing="$$missing libopencv-dev"; \
	pkg-config --exists hdf5 2>/dev/null || missing="$$missing libhdf5-dev"; \
	for lib in avformat avcodec swscale; do \
		pkg-config --exists lib$$lib 2>/dev/null || missing="$$missing lib$$lib-dev"; \
	done; \
	[ -f $(CASCADE) ] || missing="$$missing opencv-data"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Xvfb for the window tests, ffmpeg (ffprobe) to check written videos and to serve test streams,
# rtsp-server-perl to relay an RTSP test stream, GNU parallel for the batch test, xdotool to press the window's keys, curl and
# Chromium (a fake webcam) for the server's API and page tests, python3-venv for the
# training script's test (PyTorch comes from PyPI into training/.venv-torch).
test-deps: deps
	@missing=""; \
	command -v xvfb-run >/dev/null || missing="$$missing xvfb xauth"; \
	command -v ffprobe >/dev/null || missing="$$missing ffmpeg"; \
	command -v rtsp-server-perl >/dev/null || missing="$$missing rtsp-server-perl"; \
	command -v xdotool >/dev/null || missing="$$missing xdotool"; \
	command -v curl >/dev/null || missing="$$missing curl"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v parallel >/dev/null || missing="$$missing parallel"; \
	python3 -c "import venv, ensurepip" 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(PKG_DIR)/opencv4.pc: Makefile
	@mkdir -p $(PKG_DIR)
	@printf 'Name: opencv4\nDescription: OpenCV 4, the modules emotion-live calls\nVersion: %s\nCflags: %s\nLibs: %s %s\n' \
		"$$(PKG_CONFIG_PATH= pkg-config --modversion opencv4)" "$$(PKG_CONFIG_PATH= pkg-config --cflags opencv4)" \
		"$$(PKG_CONFIG_PATH= pkg-config --libs-only-L opencv4)" "$(foreach m,$(OPENCV_MODULES),-lopencv_$(m))" > $@

build: deps
	@$(MAKE) --no-print-directory $(PKG_DIR)/opencv4.pc
	$(SWIFT_BUILD) --product emotion-live

run: build
	$(BIN) $(ARGS)

serve: build
	$(BIN) serve $(ARGS)

# The tests build once: the whole package in release with testing enabled (the engine's
# reference tests need optimized kernels anyway, and one configuration instead of a debug tree
# beside the release one halves the build), in a scratch path of its own so that `make build`'s
# binary is left as built. The end-to-end tests drive that build's emotion-live. The packages
# only the tests need install while it compiles. The PyTorch training tests are `make
# test-training` (a 5.5 GB venv on first use); CI runs both. The tests run as two shards at once
# (Tests/run-shards.sh): most of their time is spent waiting on the processes, streams and
# servers they start, not computing.
TEST_SCRATCH := .build-test
SWIFT_TEST_FLAGS := -c release $(CPU_FLAGS) -Xswiftc -enable-testing --scratch-path $(TEST_SCRATCH)
TEST_BIN := $(TEST_SCRATCH)/release/emotion-live
test: deps
	@$(MAKE) --no-print-directory $(PKG_DIR)/opencv4.pc
	@mkdir -p $(TEST_SCRATCH)
	@$(MAKE) --no-print-directory test-deps > $(TEST_SCRATCH)/test-deps.log 2>&1 & apt=$$!; \
	swift build $(SWIFT_TEST_FLAGS) --build-tests; built=$$?; \
	wait $$apt || { cat $(TEST_SCRATCH)/test-deps.log; exit 1; }; \
	cat $(TEST_SCRATCH)/test-deps.log; exit $$built
	EMOTION_LIVE_BIN=$(CURDIR)/$(TEST_BIN) Tests/run-shards.sh $(TEST_SCRATCH)
	@$(MAKE) --no-print-directory install-check INSTALL_BIN=$(TEST_BIN) MAN_SCRATCH=$(TEST_SCRATCH) \
		MAN_FLAGS="-Xswiftc -enable-testing" MAN_CONFIG=release

# The man page comes from the argument parser (its GenerateManual plugin, on the debug build so
# the optimized binary is left as built); completions from the binary itself. install-check
# (make test's last step) installs the tests' build instead, its man page made from that same
# build, so nothing is compiled twice.
INSTALL_BIN ?= $(BIN)
MAN_SCRATCH ?= .build
MAN_CONFIG ?= debug
MAN_FLAGS ?=
MAN_PAGE = $(MAN_SCRATCH)/plugins/GenerateManual/outputs/emotion-live/emotion-live.1
SHARE := $(DESTDIR)$(PREFIX)/share
install: build install-files

install-files:
	swift package $(CPU_FLAGS) $(MAN_FLAGS) --scratch-path $(MAN_SCRATCH) --allow-writing-to-package-directory \
		generate-manual --configuration $(MAN_CONFIG) >/dev/null
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/emotion-live $(SHARE)/man/man1 \
		$(SHARE)/bash-completion/completions $(SHARE)/zsh/site-functions $(SHARE)/fish/vendor_completions.d
	install -m 755 $(INSTALL_BIN) $(DESTDIR)$(PREFIX)/bin/emotion-live
	install -m 644 models/emotion-cnn.h5 models/emotion-cnn.meta.json models/emotion-cnn-fer2013.h5 models/emotion-cnn-fer2013.meta.json models/mtcnn-pnet.h5 models/mtcnn-rnet.h5 \
		models/mtcnn-onet.h5 models/yunet-n.h5 $(SHARE)/emotion-live/
	install -m 644 $(MAN_PAGE) $(SHARE)/man/man1/emotion-live.1
	$(INSTALL_BIN) --generate-completion-script bash > $(SHARE)/bash-completion/completions/emotion-live
	$(INSTALL_BIN) --generate-completion-script zsh > $(SHARE)/zsh/site-functions/_emotion-live
	$(INSTALL_BIN) --generate-completion-script fish > $(SHARE)/fish/vendor_completions.d/emotion-live.fish
	@echo "installed $(DESTDIR)$(PREFIX)/bin/emotion-live (model in $(SHARE)/emotion-live)"

# make test's last step: install under a scratch prefix outside the checkout (so nothing can be
# found by walking up to ./models) and check the installed binary finds its model on its own.
install-check:
	@dest=$$(mktemp -d /tmp/emotion-live-install-XXXXXX) && \
	$(MAKE) --no-print-directory install-files DESTDIR=$$dest PREFIX=/usr >/dev/null && \
	(cd / && env -u EMOTION_LIVE_MODEL $$dest/usr/bin/emotion-live bench --seconds 0.1 >/dev/null) && \
	{ printf 'P5\n32 32\n255\n'; head -c 1024 /dev/zero; } > $$dest/grey.pgm && \
	(cd / && $$dest/usr/bin/emotion-live $$dest/grey.pgm --headless --detector mtcnn >/dev/null) && \
	test -s $$dest/usr/share/man/man1/emotion-live.1 && \
	test -s $$dest/usr/share/bash-completion/completions/emotion-live && \
	rm -rf $$dest && \
	echo "install-check: the installed binary finds its model and MTCNN's networks; man page and completions installed"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/emotion-live $(SHARE)/man/man1/emotion-live.1 \
		$(SHARE)/bash-completion/completions/emotion-live $(SHARE)/zsh/site-functions/_emotion-live \
		$(SHARE)/fish/vendor_completions.d/emotion-live.fish
	rm -rf $(SHARE)/emotion-live

# Offline only: Python and the FER-2013 data in $(SHARED)/data. Never needed to run.
# Training is PyTorch (bf16 where the CPU has it); Keras on its PyTorch backend writes the .h5.
# An unfinished run (training/runs/$(RUN)) is resumed; FRESH=1 starts it over. TRAIN_ARGS adds
# options (python -m training.emotion.train --help). The Keras/TensorFlow venv writes the engine's
# test fixtures. The scripts are packages under training/, run as modules from the repository root.
TRAIN_VENV := training/.venv-torch
FIXTURE_VENV := training/.venv
RUN ?= default
$(TRAIN_VENV)/.installed: training/requirements-torch.txt
	python3 -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/pip install -q -r training/requirements-torch.txt
	touch $@

$(FIXTURE_VENV)/.installed: training/requirements.txt
	python3 -m venv $(FIXTURE_VENV)
	$(FIXTURE_VENV)/bin/pip install -q -r training/requirements.txt
	touch $@

# LABELS=ferplus (the default) learns FER+'s ten votes a face, eight emotions; LABELS=fer2013,
# FER-2013's own single labels, seven emotions.
LABELS ?= ferplus
VOTES_ARGS := $(if $(filter ferplus,$(LABELS)),--train-votes $(SHARED)/data/ferplus-train-votes.csv \
	--test-votes $(SHARED)/data/ferplus-test-votes.csv)
train: $(TRAIN_VENV)/.installed
	$(TRAIN_VENV)/bin/python -m training.emotion.train \
		--train $(SHARED)/data/fer2013-train.csv.gz --test $(SHARED)/data/fer2013-test.csv $(VOTES_ARGS) \
		--out models/emotion-cnn.h5 --run-name $(RUN) $(if $(FRESH),--fresh) $(TRAIN_ARGS)

# The training script's own test: a run killed mid-epoch resumes and ends where an uninterrupted
# run ends (synthetic data, a tiny net; about a minute, plus the PyTorch venv on first use).
test-training: $(TRAIN_VENV)/.installed
	$(TRAIN_VENV)/bin/python -m unittest discover -s training/tests -t . -v

fixtures: $(FIXTURE_VENV)/.installed
	$(FIXTURE_VENV)/bin/python -m training.fixtures.make_fixtures

# Engine speed per model (batch 1 and 8), then the pipeline against decode + full-frame Haar
# alone on the same clip, measured in one run (fps, ratio, face recall).
# Engine speed of the three models; then, on dinner_table (854x480) and a 1920x1080 crowd clip
# made from it (2x2 tiles, 150 frames, with ffmpeg into .build/bench), the pipeline against
# decode + full-frame Haar in one run, and a headless run's peak RSS and wall time.
BENCH_DIR := .build/bench
CROWD := $(BENCH_DIR)/crowd_1920x1080.mp4
bench: build bench-deps
	@for model in models/emotion-cnn.h5 $(SHARED)/models/seed-cnn.h5 $(SHARED)/models/mini-xception-fer2013.hdf5; do \
		[ -f $$model ] || { echo "skipping $$model (not found)"; continue; }; \
		for batch in 1 8; do $(BIN) bench --model $$model --batch $$batch; done; \
	done
	@clip=$(SHARED)/media/videos/dinner_table_854x480.mp4; \
	if [ ! -f $$clip ]; then echo "skipping the pipeline benchmark ($$clip not found)"; exit 0; fi; \
	mkdir -p $(BENCH_DIR); \
	[ -f $(CROWD) ] || ffmpeg -loglevel error -y -i $$clip -filter_complex \
		"[0:v]split=4[a][b][c][d];[a][b]hstack[t];[c][d]hstack[u];[t][u]vstack,scale=1920:1080" \
		-frames:v 150 -c:v libx264 -preset veryfast -pix_fmt yuv420p $(CROWD); \
	for video in $$clip $(CROWD); do \
		$(BIN) bench --video $$video --repeat 3; \
		/usr/bin/time -f "$$video: headless run, peak RSS %M KB, %e s" $(BIN) $$video --headless --format jsonl >/dev/null; \
	done

# The server under load, in one run (bench/serve_load.py, standard-library Python): the CLI's
# per-image rate, POST /v1/analyze at 1, 8 and 64 clients, 16 WebSocket streams, and the
# server's RSS after 100 and 10,000 requests (of a 320-pixel-wide copy of the picture, which
# the streams send too).
BENCH_PICTURE := $(SHARED)/media/images/two_people.jpg
bench-serve: build bench-deps
	@if [ ! -f $(BENCH_PICTURE) ]; then echo "skipping the server benchmark ($(BENCH_PICTURE) not found)"; exit 0; fi; \
	mkdir -p $(BENCH_DIR); \
	ffmpeg -loglevel error -y -i $(BENCH_PICTURE) -vf scale=320:-2 $(BENCH_DIR)/small.jpg && \
	python3 bench/serve_load.py --bin $(BIN) --image $(BENCH_PICTURE) --small-image $(BENCH_DIR)/small.jpg $(BENCH_ARGS)

bench-deps:
	@missing=""; \
	command -v ffmpeg >/dev/null || missing="$$missing ffmpeg"; \
	[ -x /usr/bin/time ] || missing="$$missing time"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Optional: emotion-live against ONNX Runtime and Keras, one thread, one run (Python venv in
# bench/.venv, ~600 MB of wheels on first use; needs python3-venv). Never needed to run.
bench-compare: build
	test -x bench/.venv/bin/python || python3 -m venv bench/.venv
	bench/.venv/bin/pip install -q -r bench/requirements.txt
	bench/.venv/bin/python bench/compare.py --bin $(BIN) --shared $(SHARED)

# Optional: the Kubernetes manifests in deploy/ against Kubernetes' own schemas (PyPI's
# kubernetes-validate, which carries them: no cluster or network needed once installed).
DEPLOY_VENV := deploy/.venv
check-deploy:
	test -x $(DEPLOY_VENV)/bin/kubernetes-validate || { python3 -m venv $(DEPLOY_VENV) && \
		$(DEPLOY_VENV)/bin/pip install -q kubernetes-validate==1.37.0; }
	$(DEPLOY_VENV)/bin/kubernetes-validate --strict deploy/kubernetes.yaml deploy/indexed-job.yaml

clean:
	rm -rf .build $(TEST_SCRATCH)

# --- Hostile inputs: fuzzing and sanitizers -------------------------------------------------
# Fuzz targets are in Fuzz/ (see each file's header). They build in .build-fuzz with coverage
# and AddressSanitizer, optimised (-O keeps Swift's overflow and bounds traps), and each runs
# FUZZ_SECONDS; corpora and crash artifacts stay in .build-fuzz. All three run; then any artifact
# (or a fuzzer's failing exit status, kept as artifacts/<target>/exit-status) fails the run.
# FuzzModel runs with -fork=1 -ignore_crashes=1: a fault inside a guarded libhdf5 read ends the
# process on purpose (Sources/CHDF5Guard), which must end one child job, not the campaign.
# ASan (and TSan) options, fuzzers and tests alike: malloc returns NULL past the guard's address-space cap,
# as glibc's does (the reader relies on it). FuzzModel ignores memory errors and leaks inside
# libhdf5 itself (Fuzz/*-suppressions.txt) to look for ours, and its seeds include the inputs it
# has found (Tests/KerasEngineTests/Fixtures/fuzz), so a regression shows at once. Its leak
# reports unwind slowly (fast_unwind_on_malloc=0): libhdf5 has no frame pointers, and a fast
# unwind stops inside it, before the H5F_open frame its suppression names. Its exit status is
# not a finding: the child jobs the guard ends count as crashes in fork mode; a real crash leaves
# an artifact. The test run
# does not check leaks: Foundation, XCTest and OpenCV's libusb leak at exit; the fuzzers do.
FUZZ_SECONDS ?= 60
FUZZ_DIR := .build-fuzz
FUZZ_FLAGS := -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1
FUZZ_BUILD := swift build -c debug --scratch-path $(FUZZ_DIR) -Xswiftc -sanitize=fuzzer,address -Xswiftc -DLIBFUZZER -Xswiftc -O
FUZZ_FIXTURES := Tests/KerasEngineTests/Fixtures
SANITIZE_ASAN_OPTIONS := allocator_may_return_null=1

.PHONY: fuzz sanitize

# Build the three fuzz targets, then fuzz the config decoder, the model-file reader and the .npy reader.
fuzz: deps
	@$(MAKE) --no-print-directory $(PKG_DIR)/opencv4.pc
	for product in FuzzConfig FuzzModel FuzzNPY; do $(FUZZ_BUILD) --product $$product || exit 1; done
	rm -rf $(FUZZ_DIR)/artifacts
	mkdir -p $(FUZZ_DIR)/corpus/config $(FUZZ_DIR)/corpus/model $(FUZZ_DIR)/corpus/npy \
		$(FUZZ_DIR)/artifacts/config $(FUZZ_DIR)/artifacts/model $(FUZZ_DIR)/artifacts/npy
	cp $(FUZZ_FIXTURES)/*.h5 $(FUZZ_FIXTURES)/fuzz/*.h5 $(wildcard models/emotion-cnn.h5) $(FUZZ_DIR)/corpus/model/
	python3 Fuzz/make-npy-seeds.py $(FUZZ_DIR)/corpus/npy
	ASAN_OPTIONS=$(SANITIZE_ASAN_OPTIONS) FUZZ_WEIGHTS_DIR=$(FUZZ_FIXTURES) FUZZ_SEED_OUT=$(FUZZ_DIR)/corpus/config \
		$(FUZZ_DIR)/debug/FuzzConfig $(FUZZ_FLAGS) -dict=Fuzz/keras.dict -artifact_prefix=$(FUZZ_DIR)/artifacts/config/ $(FUZZ_DIR)/corpus/config \
		|| echo $$? > $(FUZZ_DIR)/artifacts/config/exit-status
	ASAN_OPTIONS=$(SANITIZE_ASAN_OPTIONS):fast_unwind_on_malloc=0:suppressions=$(CURDIR)/Fuzz/asan-suppressions.txt \
		LSAN_OPTIONS=suppressions=$(CURDIR)/Fuzz/lsan-suppressions.txt \
		$(FUZZ_DIR)/debug/FuzzModel $(FUZZ_FLAGS) -fork=1 -ignore_crashes=1 -artifact_prefix=$(FUZZ_DIR)/artifacts/model/ $(FUZZ_DIR)/corpus/model \
		|| true
	ASAN_OPTIONS=$(SANITIZE_ASAN_OPTIONS) $(FUZZ_DIR)/debug/FuzzNPY $(FUZZ_FLAGS) -artifact_prefix=$(FUZZ_DIR)/artifacts/npy/ $(FUZZ_DIR)/corpus/npy \
		|| echo $$? > $(FUZZ_DIR)/artifacts/npy/exit-status
	@ASAN_OPTIONS=$(SANITIZE_ASAN_OPTIONS):fast_unwind_on_malloc=0:suppressions=$(CURDIR)/Fuzz/asan-suppressions.txt \
		LSAN_OPTIONS=suppressions=$(CURDIR)/Fuzz/lsan-suppressions.txt \
		Fuzz/triage.sh $(FUZZ_DIR)/debug/FuzzModel $(FUZZ_DIR)/artifacts/model
	@found=""; \
	for f in $(FUZZ_DIR)/artifacts/*/crash-* $(FUZZ_DIR)/artifacts/*/leak-* $(FUZZ_DIR)/artifacts/*/timeout-* \
		$(FUZZ_DIR)/artifacts/*/oom-* $(FUZZ_DIR)/artifacts/*/slow-unit-* $(FUZZ_DIR)/artifacts/*/exit-status; do \
		[ -e "$$f" ] && found="$$found $$f"; \
	done; \
	if [ -n "$$found" ]; then echo "fuzz findings:"; ls -l $$found; exit 1; else echo "fuzz: no findings"; fi

# swift test under AddressSanitizer and ThreadSanitizer, each in its own scratch path.
sanitize: test-deps
	@$(MAKE) --no-print-directory $(PKG_DIR)/opencv4.pc
	ASAN_OPTIONS=$(SANITIZE_ASAN_OPTIONS):detect_leaks=0:suppressions=$(CURDIR)/Fuzz/asan-suppressions.txt \
		swift test --scratch-path .build-asan --sanitize=address
	TSAN_OPTIONS=allocator_may_return_null=1 swift test --scratch-path .build-tsan --sanitize=thread
