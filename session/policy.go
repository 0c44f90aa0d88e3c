package session

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"
)

// Settings keys of what new sessions are asked under, written by the
// settings screen. Settings are not encrypted; none of these is clinical.
const (
	// SettingKeepDays is the default deletion, in days:
	// consent.MinKeepDays..consent.MaxKeepDays.
	SettingKeepDays = "keep_days"
	// SettingBitrate is the recording quality in kbit/s: one of Bitrates.
	SettingBitrate = "bitrate"
	// SettingSupervisionExport is "true" when a copy for supervision is
	// offered, else "false".
	SettingSupervisionExport = "supervision_export"
	// SettingPurpose + a standard purpose's ID + "_offered" ("true" or
	// "false"), "_text" and "_listeners" (the therapist's wording).
	SettingPurpose = "purpose_"
	// SettingEndQuestion is "false" when the practice turned the question
	// at the end off; anything else (or nothing) asks it.
	SettingEndQuestion = "end_question"
	// SettingUnanswered is what happens to a recording when the question
	// at the end goes unanswered: UnansweredDelete (the default) or
	// UnansweredKeep.
	SettingUnanswered = "unanswered"
	// SettingNeverRecordMinors is "true" when sessions with a minor
	// present are never recorded.
	SettingNeverRecordMinors = "never_record_minors"
)

// Values of SettingUnanswered.
const (
	UnansweredDelete = "delete"
	UnansweredKeep   = "keep"
)

// Bitrates are the recording qualities offered, in kbit/s; the first is the
// default.
var Bitrates = []int{32, 48, 64}

// PracticePolicy is the consent policy new sessions are asked under, as
// the therapist set it: consent.DefaultPolicy overlaid with the saved
// settings. The error says why the saved settings do not make a valid
// policy; the policy returned with it is then the default, which always
// asks less of the client.
func PracticePolicy(db *storage.DB) (consent.Policy, error) {
	p, err := savedPolicy(db)
	if err != nil {
		return consent.DefaultPolicy(), err
	}
	return p, nil
}

func savedPolicy(db *storage.DB) (consent.Policy, error) {
	p := consent.DefaultPolicy()
	if v, ok, err := db.Setting(SettingKeepDays); err != nil {
		return p, err
	} else if ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return p, fmt.Errorf("%s = %q: %w", SettingKeepDays, v, err)
		}
		p.DefaultKeepDays = n
	}
	p.Purposes = nil
	for _, sp := range consent.StandardPurposes() {
		offered := sp.ID == consent.PurposeReflection
		if v, ok, err := db.Setting(SettingPurpose + sp.ID + "_offered"); err != nil {
			return p, err
		} else if ok {
			offered = v == "true"
		}
		if !offered {
			continue
		}
		if v, ok, err := db.Setting(SettingPurpose + sp.ID + "_text"); err != nil {
			return p, err
		} else if ok {
			sp.Text = v
		}
		if v, ok, err := db.Setting(SettingPurpose + sp.ID + "_listeners"); err != nil {
			return p, err
		} else if ok {
			sp.Listeners = v
		}
		p.Purposes = append(p.Purposes, sp)
	}
	if v, ok, err := db.Setting(SettingSupervisionExport); err != nil {
		return p, err
	} else if ok {
		p.SupervisionExport = v == "true"
	}
	if v, ok, err := db.Setting(SettingEndQuestion); err != nil {
		return p, err
	} else if ok {
		p.EndQuestion = v != "false"
	}
	if v, ok, err := db.Setting(SettingUnanswered); err != nil {
		return p, err
	} else if ok {
		p.KeepUnconfirmed = p.EndQuestion && v == UnansweredKeep
	}
	if v, ok, err := db.Setting(SettingNeverRecordMinors); err != nil {
		return p, err
	} else if ok {
		p.NeverRecordMinors = v == "true"
	}
	return p, p.Validate()
}

// Bitrate is the recording quality in kbit/s: one of Bitrates, the first
// unless the therapist chose another.
func Bitrate(db *storage.DB) int {
	v, ok, err := db.Setting(SettingBitrate)
	if err != nil || !ok {
		return Bitrates[0]
	}
	if n, err := strconv.Atoi(v); err == nil && slices.Contains(Bitrates, n) {
		return n
	}
	return Bitrates[0]
}

// PolicyOf is the policy a stored session was asked under. A session
// stored without one (none are made outside tests and tools) was asked
// under the default, with the question at the end only if storage says
// the session promised it.
func PolicyOf(ss storage.Session) (consent.Policy, error) {
	if ss.Policy == nil {
		p := consent.DefaultPolicy()
		p.EndQuestion = ss.ConfirmAtEnd
		return p, nil
	}
	var p consent.Policy
	if err := json.Unmarshal(ss.Policy, &p); err != nil {
		return consent.Policy{}, fmt.Errorf("the policy of session %s: %w", ss.ID, err)
	}
	if err := p.Validate(); err != nil {
		return consent.Policy{}, fmt.Errorf("the policy of session %s: %w", ss.ID, err)
	}
	return p, nil
}

// MethodOf is how consent was asked in a stored session.
func MethodOf(ss storage.Session) consent.CollectionMethod {
	for m, name := range methodNames {
		if name == ss.Method {
			return m
		}
	}
	return consent.CollectionOnScreen
}
