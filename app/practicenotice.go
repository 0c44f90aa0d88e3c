package app

import (
	"strconv"

	"github.com/assent-recorder/assent/storage"
)

// What the practice screen tells the therapist after an unlock: recordings
// crash recovery kept or could not keep, recording files removed for want
// of a record, and sessions a crash left open that were ended.

// practiceNotice is recoveryNotice, and a sentence when opening the folder
// found files without a record but could not trust the database to say so.
func (u *UI) practiceNotice(recovered []storage.Recovery, orphans, closed int) string {
	msg := recoveryNotice(recovered, orphans, closed)
	if err := u.db.OrphanProblem(); err != nil {
		u.opt.Logf("files without a record: %v", err)
		msg += "Some recording files have no record in the database, and the database fails its own check, so they were left as they are. Please keep the data folder as it is, run `assent verify`, and contact support. "
	}
	return msg
}

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

// recoveryNotice is the sentence shown after an unlock that recovered
// recordings left unfinished by a crash, after opening a folder that held
// orphans (files the database had lost the record of), or after closing
// sessions a crash left open; or "".
func recoveryNotice(rs []storage.Recovery, orphans, abandoned int) string {
	var recovered, erased, failed int
	for _, r := range rs {
		switch r.Outcome {
		case storage.OutcomeRecovered:
			recovered++
		case storage.OutcomeFailed:
			failed++
		default:
			erased++
		}
	}
	var msg string
	if recovered > 0 {
		msg += plural(recovered, "recording") + " interrupted by a crash or power cut " + isAre(recovered) + " recovered up to the last second and kept until " + itsTheir(recovered) + " deletion date. "
	}
	if erased > 0 {
		msg += plural(erased, "unfinished recording") + " could not be kept and " + isAre(erased) + " deleted. "
	}
	if failed > 0 {
		msg += plural(failed, "unfinished recording") + " could not be recovered; see the log. "
	}
	if abandoned > 0 {
		msg += plural(abandoned, "session") + " left open when Assent stopped unexpectedly " + isAre(abandoned) + " ended as of " + itsTheir(abandoned) + " last step. "
	}
	switch {
	case orphans == 1:
		msg += "1 recording file had no record in the database (the record, and the file's key with it, was lost to damage or a crash), so nobody could play it; it was removed. Run `assent verify` to check the rest. "
	case orphans > 1:
		msg += plural(orphans, "recording file") + " had no record in the database (their records, and the files' keys with them, were lost to damage or a crash), so nobody could play them; they were removed. Run `assent verify` to check the rest. "
	}
	return msg
}

func isAre(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

func itsTheir(n int) string {
	if n == 1 {
		return "its"
	}
	return "their"
}
