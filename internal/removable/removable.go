// Package removable tells whether a folder is on a removable drive (a USB
// stick, a memory card), so that Assent writes a client's plain,
// unencrypted MP3 only to a drive the client takes away, never to the
// laptop's own disk.
//
// # How (Linux)
//
// The folder's mount is the entry of /proc/self/mountinfo with the longest
// mount point that contains it (the last such entry where mounts are
// stacked on one point). Its block device is found in sysfs, first by the
// mount's major:minor (/sys/dev/block/MAJ:MIN, which also names a root
// mounted as "/dev/root") and otherwise by its source's name
// (/sys/class/block/<name>). A partition's disk is the folder above it.
// The disk is removable when its "removable" file reads 1, or when its
// sysfs device path runs through a USB bus ("/usb"): many USB drives
// report removable 0.
//
// A filesystem without a block device (tmpfs, a network share, an
// overlay) is not removable. Nor, today, is a drive under a
// device-mapper layer (an encrypted USB stick opened with LUKS): its
// dm-N device has no USB path of its own; the answer errs on the side of
// refusing.
//
// # Other systems
//
// On other operating systems Check returns ErrCannotTell: it does not
// guess.
package removable

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrNotRemovable is returned for a folder that is not on a removable
// drive.
var ErrNotRemovable = errors.New("removable: not on a removable drive")

// ErrCannotTell is returned where this system gives no way to tell.
var ErrCannotTell = errors.New("removable: cannot tell on this system whether a folder is on a removable drive")

// Check returns nil if the folder dir is on a removable drive, an error
// wrapping ErrNotRemovable if it is not, ErrCannotTell on a system where
// Check cannot tell, or another error if dir or the system's tables
// cannot be read. Symbolic links in dir are followed first.
func Check(dir string) error { return check(dir) }

// InMounts is Check's decision over given tables, for tests and for
// Check itself: dir is an absolute path with no symbolic links,
// mountinfo the text of /proc/self/mountinfo, and sysRoot the folder
// where sysfs is mounted ("/sys").
func InMounts(dir, mountinfo, sysRoot string) error {
	m, ok := mountOf(dir, mountinfo)
	if !ok {
		return fmt.Errorf("removable: no mount holds %s", dir)
	}
	dev, ok := blockDevice(m, sysRoot)
	if !ok {
		return fmt.Errorf("%w: %s is on %s (%s), not a block device", ErrNotRemovable, dir, m.source, m.fstype)
	}
	disk := dev
	if _, err := os.Stat(filepath.Join(dev, "partition")); err == nil {
		disk = filepath.Dir(dev)
	}
	flag, err := os.ReadFile(filepath.Join(disk, "removable"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removable: %w", err)
	}
	rel, _ := filepath.Rel(sysRoot, disk)
	if strings.TrimSpace(string(flag)) == "1" || strings.Contains("/"+filepath.ToSlash(rel), "/usb") {
		return nil
	}
	return fmt.Errorf("%w: %s is on %s (%s)", ErrNotRemovable, dir, m.source, filepath.Base(disk))
}

// mount is the part of a mountinfo line Check needs.
type mount struct {
	point, device, fstype, source string // device is "MAJ:MIN"
}

// mountOf finds the mount holding dir: the longest mount point that is
// dir or a folder above it; of equal ones, the last (mounted on top).
func mountOf(dir, mountinfo string) (mount, bool) {
	var best mount
	found := false
	sc := bufio.NewScanner(strings.NewReader(mountinfo))
	for sc.Scan() {
		m, ok := parseMountinfo(sc.Text())
		if !ok || !within(dir, m.point) {
			continue
		}
		if !found || len(m.point) >= len(best.point) {
			best, found = m, true
		}
	}
	return best, found
}

// parseMountinfo reads one line of /proc/self/mountinfo:
// "ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER".
func parseMountinfo(line string) (mount, bool) {
	fields := strings.Fields(line)
	sep := -1
	for i, f := range fields {
		if f == "-" && i >= 6 {
			sep = i
			break
		}
	}
	if sep < 0 || len(fields) < sep+3 {
		return mount{}, false
	}
	return mount{point: unescape(fields[4]), device: fields[2], fstype: fields[sep+1], source: unescape(fields[sep+2])}, true
}

// unescape undoes mountinfo's octal escapes (a space is "\040").
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// within reports whether dir is point or below it.
func within(dir, point string) bool {
	return dir == point || point == "/" || strings.HasPrefix(dir, strings.TrimSuffix(point, "/")+"/")
}

// blockDevice returns the sysfs folder of m's block device, with links
// resolved.
func blockDevice(m mount, sysRoot string) (string, bool) {
	candidates := []string{filepath.Join(sysRoot, "dev", "block", m.device)}
	if strings.HasPrefix(m.source, "/dev/") {
		candidates = append(candidates, filepath.Join(sysRoot, "class", "block", filepath.Base(m.source)))
	}
	for _, c := range candidates {
		if strings.HasPrefix(m.device, "0:") && strings.Contains(c, "/dev/block/") {
			continue // major 0: no block device (tmpfs, overlay, nfs, btrfs's own)
		}
		if real, err := filepath.EvalSymlinks(c); err == nil {
			return real, true
		}
	}
	return "", false
}
