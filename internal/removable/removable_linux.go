package removable

import (
	"fmt"
	"os"
	"path/filepath"
)

func check(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("removable: %w", err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return fmt.Errorf("removable: %w", err)
	}
	info, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return fmt.Errorf("removable: %w", err)
	}
	return InMounts(real, string(info), "/sys")
}
