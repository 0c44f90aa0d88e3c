package main

import (
	"runtime/debug"
	"strings"
)

// commit is the git commit the binary was built from, set at link time:
// `go build -ldflags "-X main.commit=$(git rev-parse --short=12 HEAD)"`
// (make build and make package do). Empty means ask the Go toolchain's
// build stamp (vcs.revision, absent under -buildvcs=false and in tests).
var commit string

// builtFrom is the commit this binary was built from, as short as git
// shows it, with "+changes" when the tree had uncommitted changes (Go's
// vcs.modified); "unknown" when neither the linker nor the toolchain said.
func builtFrom(linked string, info *debug.BuildInfo) string {
	if linked != "" {
		return linked
	}
	if info == nil {
		return "unknown"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "unknown"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		rev += "+changes"
	}
	return rev
}

// versionText is what `assent --version` prints and the About box shows:
// the version of FyneApp.toml and the commit, e.g. "0.1.0 (commit 855562d0a1b2)".
func versionText() string {
	info, _ := debug.ReadBuildInfo()
	return Version + " (commit " + strings.TrimSpace(builtFrom(commit, info)) + ")"
}
