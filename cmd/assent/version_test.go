package main

import (
	"runtime/debug"
	"testing"
)

func TestBuiltFrom(t *testing.T) {
	stamp := func(kv ...string) *debug.BuildInfo {
		info := &debug.BuildInfo{}
		for i := 0; i < len(kv); i += 2 {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return info
	}
	const rev = "855562d0a1b2c3d4e5f60718293a4b5c6d7e8f90"
	for _, c := range []struct {
		name, linked string
		info         *debug.BuildInfo
		want         string
	}{
		{"the linker's commit wins", "855562d", stamp("vcs.revision", "0000000000000000"), "855562d"},
		{"the toolchain's stamp, shortened", "", stamp("vcs.revision", rev, "vcs.modified", "false"), "855562d0a1b2"},
		{"uncommitted changes are said", "", stamp("vcs.revision", rev, "vcs.modified", "true"), "855562d0a1b2+changes"},
		{"no stamp (-buildvcs=false)", "", stamp("-buildvcs", "false"), "unknown"},
		{"no build info", "", nil, "unknown"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := builtFrom(c.linked, c.info); got != c.want {
				t.Errorf("builtFrom = %q, want %q", got, c.want)
			}
		})
	}
}
