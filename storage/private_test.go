//go:build unix

package storage_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/assent-recorder/assent/storage"
)

// nobody is the unprivileged user that owns "another user's" folder when
// the tests run as root.
const nobody = 65534

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// A folder left open to everyone (0777, files 0644, a umask of 0) is
// private after Open: folders 0700, the database's files 0600.
func TestOpenMakesTheFolderPrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	for _, d := range []string{dir, filepath.Join(dir, storage.RecordingsDir), filepath.Join(dir, storage.OwedDir)} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{tb: t, dir: dir, clock: newClock()}
	f.db = openDB(t, dir, f.clock)
	if _, err := f.db.CreateVault(testPass); err != nil {
		t.Fatal(err)
	}
	if err := f.db.ClaimForApp(); err != nil {
		t.Fatal(err)
	}
	f.session(t) // writes: -wal and -shm exist
	check := func(when string) {
		t.Helper()
		for _, d := range []string{"", storage.RecordingsDir, storage.OwedDir} {
			if m := mode(t, filepath.Join(dir, d)); m != 0o700 {
				t.Errorf("%s: folder %q is %03o, want 700", when, d, m)
			}
		}
		for _, name := range []string{storage.DBFile, storage.DBFile + "-wal", storage.DBFile + "-shm", storage.AppLockFile, storage.RecordingsDir + "/" + storage.CacheDirTag} {
			if m := mode(t, filepath.Join(dir, name)); m != 0o600 {
				t.Errorf("%s: %s is %03o, want 600", when, name, m)
			}
		}
	}
	check("a new folder")

	// Loosened by hand (or by an older Assent, which left the database
	// 0644): the next Open tightens it again.
	f.db.Close()
	os.Chmod(dir, 0o755)
	os.Chmod(filepath.Join(dir, storage.RecordingsDir), 0o777)
	for _, name := range []string{storage.DBFile, storage.AppLockFile} {
		os.Chmod(filepath.Join(dir, name), 0o644)
	}
	f.db = openDB(t, dir, f.clock)
	f.db.ClaimForApp()
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	f.session(t)
	check("a loosened folder")

	// The owner's own bits are left: a folder made read-only stays so.
	f.db.Close()
	os.Chmod(filepath.Join(dir, storage.OwedDir), 0o555)
	db, err := storage.Open(dir, testOptions(f.clock))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if m := mode(t, filepath.Join(dir, storage.OwedDir)); m != 0o500 {
		t.Errorf("owed/ made 0555 is %03o after Open, want 500", m)
	}
}

// SQLite follows symbolic links; Open must not: a linked database file,
// log or recordings folder is refused, by OpenReadOnly too, and nothing
// is written through it.
func TestOpenRefusesLinks(t *testing.T) {
	for _, name := range []string{storage.DBFile, storage.DBFile + "-wal", storage.DBFile + "-shm", storage.RecordingsDir, storage.AppLockFile} {
		t.Run(name, func(t *testing.T) {
			f := newVault(t)
			f.db.Close()
			elsewhere := filepath.Join(t.TempDir(), "elsewhere")
			path := filepath.Join(f.dir, name)
			if _, err := os.Lstat(path); err == nil {
				os.Rename(path, elsewhere) // the real one, moved away
			} else if err := os.WriteFile(elsewhere, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(elsewhere, path); err != nil {
				t.Fatal(err)
			}
			_, err := storage.Open(f.dir, testOptions(f.clock))
			var ue *storage.UnsafeError
			if !errors.Is(err, storage.ErrUnsafeFolder) || !errors.As(err, &ue) || ue.Path != path || ue.Problem != "is a symbolic link" {
				t.Errorf("Open = %v, want ErrUnsafeFolder naming %s as a link", err, path)
			}
			if _, err := storage.OpenReadOnly(f.dir, testOptions(f.clock)); !errors.Is(err, storage.ErrUnsafeFolder) {
				t.Errorf("OpenReadOnly = %v, want ErrUnsafeFolder", err)
			}
		})
	}
}

// A data folder, or a database file in it, that belongs to another user
// is refused: it is not private, whatever its mode. Run as root, the
// folder is given to user nobody.
func TestOpenRefusesAnotherUsersFolder(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs a folder owned by another user, which only root can make: run the tests as root")
	}
	for _, name := range []string{"", storage.DBFile, storage.RecordingsDir} {
		t.Run("owner of "+filepath.Join("data", name), func(t *testing.T) {
			f := newVault(t)
			f.db.Close()
			path := filepath.Join(f.dir, name)
			if err := os.Lchown(path, nobody, nobody); err != nil {
				t.Skipf("cannot give %s to nobody: %v", path, err)
			}
			for _, open := range []func() error{
				func() error { _, err := storage.Open(f.dir, testOptions(f.clock)); return err },
				func() error { _, err := storage.OpenReadOnly(f.dir, testOptions(f.clock)); return err },
			} {
				err := open()
				var ue *storage.UnsafeError
				if !errors.As(err, &ue) || ue.Path != path || !strings.Contains(ue.Problem, "belongs to another user (uid 65534)") {
					t.Errorf("open = %v, want ErrUnsafeFolder: %s belongs to another user", err, path)
				}
			}
		})
	}
}

// On a disk that keeps no permissions the folder stays writable by
// everyone after the chmod: Open refuses it rather than keep a practice
// there.
func TestOpenRefusesAFolderThatStaysWritable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(filepath.Join(dir, storage.RecordingsDir), 0o700); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(dir, storage.RecordingsDir), 0o777)
	storage.IgnoreChmod(t)
	_, err := storage.Open(dir, testOptions(newClock()))
	var ue *storage.UnsafeError
	if !errors.As(err, &ue) || !errors.Is(err, storage.ErrUnsafeFolder) || ue.Path != filepath.Join(dir, storage.RecordingsDir) ||
		!strings.HasPrefix(ue.Problem, "is still writable by other users after chmod 700") {
		t.Errorf("Open = %v, want ErrUnsafeFolder: recordings is still writable", err)
	}
	if _, err := os.Stat(filepath.Join(dir, storage.DBFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a database was created in the refused folder: %v", err)
	}
}
