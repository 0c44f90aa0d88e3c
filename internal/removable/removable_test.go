package removable_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/assent-recorder/assent/internal/removable"
)

// fakeSys builds a small sysfs tree in a temp folder. A real USB stick
// cannot be plugged into the machine the tests run on, so this tree is
// the stand-in: its layout copies a real one (a laptop's SATA disk, a USB
// stick that reports removable 1, a USB disk that reports removable 0, a
// memory card reader on PCI, a virtio disk).
func fakeSys(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	pci := "devices/pci0000:00/0000:00:14.0"
	disks := []struct {
		dir, majMin, removable string
		parts                  map[string]string // name → MAJ:MIN
	}{
		{"devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda", "8:0", "0", map[string]string{"sda1": "8:1", "sda2": "8:2"}},
		{pci + "/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdb", "8:16", "1", map[string]string{"sdb1": "8:17"}},
		{pci + "/usb2/2-2/2-2:1.0/host7/target7:0:0/7:0:0:0/block/sdc", "8:32", "0", map[string]string{"sdc1": "8:33"}},
		{"devices/pci0000:00/0000:00:1c.0/0000:02:00.0/mmc_host/mmc0/mmc0:aaaa/block/mmcblk0", "179:0", "1", map[string]string{"mmcblk0p1": "179:1"}},
		{"devices/pci0000:00/0000:00:02.0/virtio1/block/vda", "254:0", "0", nil},
	}
	link := func(target, name string) {
		rel, err := filepath.Rel(filepath.Dir(name), target)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(rel, name); err != nil {
			t.Fatal(err)
		}
	}
	for _, dir := range []string{"dev/block", "class/block"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name, text string) {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(text+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range disks {
		disk := filepath.Join(root, d.dir)
		write(filepath.Join(disk, "removable"), d.removable)
		link(disk, filepath.Join(root, "dev/block", d.majMin))
		link(disk, filepath.Join(root, "class/block", filepath.Base(disk)))
		for name, majMin := range d.parts {
			part := filepath.Join(disk, name)
			write(filepath.Join(part, "partition"), "1")
			link(part, filepath.Join(root, "dev/block", majMin))
			link(part, filepath.Join(root, "class/block", name))
		}
	}
	return root
}

// mountinfo is the mount table the fake tree goes with.
const mountinfo = `27 1 8:2 / / rw,relatime shared:1 - ext4 /dev/root rw
28 27 8:1 / /boot/efi rw,relatime shared:2 - vfat /dev/sda1 rw
29 27 0:25 / /tmp rw,nosuid shared:3 - tmpfs tmpfs rw
40 27 8:17 / /media/anna/KINGSTON rw,nosuid,nodev shared:40 - vfat /dev/sdb1 rw
41 27 8:33 / /media/anna/My\040Passport rw,nosuid,nodev shared:41 - exfat /dev/sdc1 rw
42 27 179:1 / /media/anna/SD rw,nosuid,nodev shared:42 - vfat /dev/mmcblk0p1 rw
43 27 0:50 / /media/anna/KINGSTONE rw shared:43 - fuse.sshfs anna@host: rw
44 27 0:51 / /srv/overlay rw - overlay overlay rw
45 44 254:0 / /srv/overlay rw - ext4 /dev/vda rw
46 27 0:52 / /mnt/byname rw - ext4 /dev/sdb1 rw
`

func TestInMounts(t *testing.T) {
	sys := fakeSys(t)
	for _, tc := range []struct {
		dir       string
		removable bool
	}{
		{"/media/anna/KINGSTON", true},              // removable 1, on USB
		{"/media/anna/KINGSTON/therapy/2026", true}, // a folder on it
		{"/media/anna/My Passport/Backups", true},   // removable 0, but on USB; "\040" is a space
		{"/media/anna/SD", true},                    // a card reader: removable 1, no USB
		{"/media/anna/KINGSTONE", false},            // a network share whose name starts like the stick's
		{"/media/anna", false},                      // the root disk, partition sda2 (mounted as /dev/root)
		{"/home/anna/Documents", false},             // likewise
		{"/boot/efi/EFI", false},                    // sda1
		{"/tmp/session", false},                     // tmpfs
		{"/srv/overlay/x", false},                   // the later of two mounts on one point: vda
		{"/mnt/byname", true},                       // no MAJ:MIN device: found by its source's name
	} {
		t.Run(tc.dir, func(t *testing.T) {
			err := removable.InMounts(tc.dir, mountinfo, sys)
			switch {
			case tc.removable && err != nil:
				t.Errorf("refused: %v", err)
			case !tc.removable && !errors.Is(err, removable.ErrNotRemovable):
				t.Errorf("want ErrNotRemovable, got %v", err)
			}
		})
	}
	if err := removable.InMounts("/x", "garbage\n", sys); err == nil || errors.Is(err, removable.ErrNotRemovable) {
		t.Errorf("a table with no mount: %v", err)
	}
}

// TestCheckRootDisk: the machine's own root filesystem is not removable.
func TestCheckRootDisk(t *testing.T) {
	err := removable.Check("/")
	if runtime.GOOS != "linux" {
		if !errors.Is(err, removable.ErrCannotTell) {
			t.Errorf("on %s: %v", runtime.GOOS, err)
		}
		return
	}
	if !errors.Is(err, removable.ErrNotRemovable) {
		t.Errorf("the root filesystem: %v", err)
	}
	if err := removable.Check(t.TempDir()); !errors.Is(err, removable.ErrNotRemovable) {
		t.Errorf("a temp folder: %v", err)
	}
	if err := removable.Check(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing folder was accepted")
	}
}
