package app

import (
	"strconv"

	"github.com/assent-recorder/assent/storage"
)

// settingOrphansToldThrough is the audit row up to which the therapist has
// been told of recording files removed for want of a record.
const settingOrphansToldThrough = "orphans_told_through"

// orphansToTell counts the recording files without a record that were
// removed since the therapist was last told, by this process's Open or
// another's (the hourly purge usually opens the folder first), and marks
// them told.
func (u *UI) orphansToTell() int {
	head, _, err := u.db.AuditHead()
	if err != nil {
		u.opt.Logf("reading the audit log: %v", err)
		return 0
	}
	v, _, err := u.db.Setting(settingOrphansToldThrough)
	if err != nil {
		u.opt.Logf("reading %s: %v", settingOrphansToldThrough, err)
		return 0
	}
	after, _ := strconv.ParseInt(v, 10, 64)
	removed, err := u.db.AuditOfKind(storage.AuditOrphanRemoved, after, head)
	if err != nil {
		u.opt.Logf("reading the audit log: %v", err)
		return 0
	}
	if err := u.db.SetSetting(settingOrphansToldThrough, strconv.FormatInt(head, 10)); err != nil {
		u.opt.Logf("saving %s: %v", settingOrphansToldThrough, err)
	}
	return len(removed)
}
