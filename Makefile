# Assent — two commands do everything on a fresh Debian/Ubuntu machine:
#   make run    install what is missing, build, start the app
#   make test   the same, plus vet, unit tests and the end-to-end smoke test
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

GO ?= go
BIN := bin/assent
ARTEFACTS ?= test-artefacts
# Fyne reads LANG for its translations and warns when it is unset.
export LANG ?= en_US.UTF-8
# migrated_fynedo: we call widgets from other goroutines only through
# fyne.Do, as cmd/assent/FyneApp.toml declares ([Migrations] fyneDo = true).
# no_emoji: leave out Fyne's bundled colour emoji font, which Fyne parses
# into memory once per text style (about 50 MB of the running app;
# README "Quiet"); no screen of Assent's has an emoji, and a therapist's
# typed one still finds the system's emoji font if it has one.
export GOFLAGS := $(strip $(GOFLAGS) -tags=migrated_fynedo,no_emoji)
# The commit `assent --version` and the About box name (short hash, with
# "+changes" when the tree has uncommitted changes).
COMMIT := $(shell c=$$(git rev-parse --short=12 HEAD 2>/dev/null) && { git diff --quiet HEAD || c="$$c+changes"; echo "$$c"; })
VERSION_LDFLAGS := -X main.commit=$(COMMIT)

# System libraries to build and run (cgo: PortAudio, LAME, OpenGL, X11).
RUN_PKGS := portaudio19-dev libmp3lame-dev libgl1-mesa-dev xorg-dev pkg-config gcc
# What the tests need on top: a virtual display and a way to drive it, a
# screenshot tool, the speech fixture maker, ALSA's utilities, and the
# reference tools the tests compare against, and tesseract to read the
# client screen's words off a screenshot in each language.
TEST_PKGS := xvfb xdotool imagemagick espeak-ng sox alsa-utils lame age poppler-utils tesseract-ocr

.PHONY: run build deps test-deps vet unit e2e test bench reliability clean help

help:
	@echo "make run    build and start Assent (installs system libraries if missing)"
	@echo "make test   vet, unit tests and the end-to-end smoke test under Xvfb"
	@echo "make build  build $(BIN) only"
	@echo "make bench  benchmarks with side-by-side figures, as one table"
	@echo "make reliability  50 crash trials (kill -9 while recording)"
	@echo "make package  the Debian package and the Linux bundle, in $(DIST)/"
	@echo "make package-test  build, lintian, install, run and remove the package (root)"

# ensure_pkgs installs the Debian packages that are missing: with apt-get when
# root, with sudo when that works without a terminal prompt, otherwise it
# prints the exact command and stops.
define ensure_pkgs
missing=""; \
if ! command -v dpkg-query >/dev/null 2>&1; then \
  if pkg-config --exists portaudio-2.0 lame 2>/dev/null; then exit 0; fi; \
  echo "Assent needs PortAudio and LAME (see README: macOS and Windows)."; exit 1; \
fi; \
for p in $(1); do \
  dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -q '^install ok installed$$' || missing="$$missing $$p"; \
done; \
if [ -z "$$missing" ]; then exit 0; fi; \
echo "Installing system packages:$$missing"; \
if [ "$$(id -u)" = 0 ]; then \
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
else \
  echo "Please run:  sudo apt-get install$$missing"; exit 1; \
fi
endef

deps:
	@$(call ensure_pkgs,$(RUN_PKGS))

test-deps: deps
	@$(call ensure_pkgs,$(TEST_PKGS))

build: deps
	$(GO) build -ldflags "$(VERSION_LDFLAGS)" -o $(BIN) ./cmd/assent

run: build
	./$(BIN) $(ARGS)

vet: deps
	$(GO) vet ./...
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi

unit: test-deps
	$(GO) test -count=1 ./...

# The real binary under Xvfb, driven with xdotool; the screenshot lands in
# $(ARTEFACTS)/ (not committed). TestQuitWhileRecording then ends it ten
# times while it records, by SIGTERM and by Ctrl+Q (about a minute).
e2e: test-deps build
	mkdir -p $(ARTEFACTS)
	ASSENT_E2E=1 ASSENT_BIN=$(abspath $(BIN)) ASSENT_ARTEFACTS=$(abspath $(ARTEFACTS)) \
	  $(GO) test -count=1 -run 'TestE2E|TestQuitWhileRecording' -v ./cmd/assent

test: vet cross-check unit e2e

# Benchmarks with their side-by-side figures, each comparison measured in
# the same run, printed as one table (benchmark, figure, value).
# BenchmarkQuiet runs the real binary under Xvfb for about three minutes:
# what recording, idle screens and lock/unlock cycles cost the laptop.
bench: test-deps build
	@{ $(GO) test -run '^$$' -bench 'RecordPipeline|TwoHours' -benchtime 1x ./audio/lame; \
	   $(GO) test -run '^$$' -bench 'Open|Purge' -benchtime 1x ./storage/; \
	   $(GO) test -run '^$$' -bench 'Seal' ./storage/internal/recfile/; \
	   $(GO) test -run '^$$' -bench 'StartStopLatency' -benchtime 1x ./proof/; \
	   $(GO) test -run '^$$' -bench 'StartToPractice' -benchtime 3x ./app; \
	   ASSENT_BIN=$(abspath $(BIN)) $(GO) test -run '^$$' -bench 'Quiet' -benchtime 1x -timeout 15m ./cmd/assent; \
	 } 2>/dev/null | awk '/^Benchmark/ { name=$$1; sub(/-[0-9]+$$/, "", name); \
	     for (i = 3; i < NF; i += 2) printf "%-40s %-18s %s\n", name, $$(i+1), $$i }'

# The full crash trials: 50 SIGKILLs of a real recording at random moments
# (make test runs 3).
reliability: test-deps
	ASSENT_CRASH_TRIALS=50 $(GO) test -count=1 -timeout 40m -run 'TestCrash' -v ./proof/

clean:
	rm -rf bin $(ARTEFACTS) $(DIST)

# ---- Packaging (README: "Installing") --------------------------------------
# fyne.io/tools at a pinned version, built once into bin/.
FYNE_TOOLS_VERSION := v1.7.4
FYNE := bin/fyne-$(FYNE_TOOLS_VERSION)
DIST ?= dist
# What building and checking the Debian package needs.
PKG_PKGS := dpkg-dev lintian desktop-file-utils xz-utils

.PHONY: package package-deps package-test cross-check

package-deps: deps
	@$(call ensure_pkgs,$(PKG_PKGS))

$(FYNE):
	GOBIN=$(abspath bin/.fyne-tools) GOFLAGS= $(GO) install fyne.io/tools/cmd/fyne@$(FYNE_TOOLS_VERSION)
	mv bin/.fyne-tools/fyne $@ && rmdir bin/.fyne-tools

# The Linux bundle (fyne package) and the Debian package, in $(DIST)/.
package: package-deps $(FYNE)
	FYNE=$(abspath $(FYNE)) DIST=$(DIST) COMMIT=$(COMMIT) GO=$(GO) packaging/deb.sh

# Checks the package (lintian, desktop-file-validate), installs it, runs
# the installed app from its menu entry under Xvfb, and removes it again
# (as root; otherwise it says so and skips). .ci/run runs it.
package-test: package test-deps
	packaging/test.sh $(DIST)/assent_*.deb "$(COMMIT)"

# What builds for Windows and macOS without cgo, checked from Linux: go vet
# (tests included) of every package but those below, and go build of the
# packages whose code is portable but whose tests use Linux's test
# microphone. Not checked: what needs cgo (PortAudio, LAME, the window
# system) and audio/testmic (ALSA, a FIFO). app builds for Windows only:
# Fyne's macOS code needs cgo.
CROSS_CGO := audio/lame audio/portaudio audio/internal/chimegen audio/testmic cmd/assent internal/fynefloor
CROSS_BUILD_ONLY := audio session proof
MODULE := $(shell $(GO) list -m 2>/dev/null)

cross-check:
	@vet=$$($(GO) list ./... | grep -vxF -e '$(MODULE)/app' $(foreach p,$(CROSS_CGO) $(CROSS_BUILD_ONLY),-e '$(MODULE)/$(p)')); \
	for os in windows darwin; do \
	  echo "cross-check GOOS=$$os CGO_ENABLED=0: go vet $$(echo $$vet | wc -w) packages, go build $(CROSS_BUILD_ONLY)$$([ $$os = windows ] && echo ' app')"; \
	  GOOS=$$os CGO_ENABLED=0 $(GO) vet $$vet; \
	  GOOS=$$os CGO_ENABLED=0 $(GO) build -o /dev/null $(addprefix ./,$(CROSS_BUILD_ONLY)) $$([ $$os = windows ] && echo ./app); \
	done
