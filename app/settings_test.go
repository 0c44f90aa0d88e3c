package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// settingsUI is an unlocked practice showing the settings screen.
func settingsUI(t *testing.T) (*UI, *storage.DB, *settingsScreen) {
	t.Helper()
	u, db := newTestUI(t)
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	s := newSettingsScreen(u)
	u.show(s)
	return u, db, s
}

func TestSettingsKeepDays(t *testing.T) {
	u, db, s := settingsUI(t)
	if s.keepDays.Text != "28" {
		t.Errorf("keep-days shows %q before anything was saved, want the default 28", s.keepDays.Text)
	}
	for _, bad := range []string{"0", "91", "-3", "two weeks", ""} {
		s.keepDays.SetText(bad)
		test.Tap(s.save)
		if !strings.Contains(s.problem.Text, "from 1 to 90") || !strings.Contains(s.problem.Text, "Nothing was saved") {
			t.Errorf("keep-days %q: problem %q", bad, s.problem.Text)
		}
		if _, ok, _ := db.Setting(settingKeepDays); ok {
			t.Fatalf("keep-days %q was saved", bad)
		}
	}
	s.keepDays.SetText("14")
	test.Tap(s.save)
	if s.problem.Text != "" || !strings.HasPrefix(s.saved.Text, "Saved") {
		t.Fatalf("problem %q, saved %q", s.problem.Text, s.saved.Text)
	}
	if v, _, _ := db.Setting(settingKeepDays); v != "14" {
		t.Errorf("stored keep-days %q", v)
	}
	if p := u.policyFromSettings(); p.DefaultKeepDays != 14 {
		t.Errorf("policy keeps %d days", p.DefaultKeepDays)
	}
	if again := newSettingsScreen(u); again.keepDays.Text != "14" {
		t.Errorf("reopened, keep-days shows %q", again.keepDays.Text)
	}
}

func TestSettingsPurposesMakeThePolicy(t *testing.T) {
	u, db, s := settingsUI(t)
	if p := u.policyFromSettings(); len(p.Purposes) != 1 || p.Purposes[0] != consent.DefaultPolicy().Purposes[0] || p.SupervisionExport {
		t.Fatalf("with nothing saved the policy is %+v, want the default", p)
	}
	byID := map[string]*purposeFields{}
	for _, f := range s.purposes {
		byID[f.id] = f
	}
	refl, sup := byID[consent.PurposeReflection], byID[consent.PurposeSupervision]
	if !refl.offered.Checked || sup.offered.Checked || byID[consent.PurposeTraining].offered.Checked {
		t.Error("by default only reflection is offered")
	}

	t.Run("export needs supervision", func(t *testing.T) {
		test.Tap(s.export)
		test.Tap(s.save)
		if !strings.Contains(s.problem.Text, "only be offered together with supervision") {
			t.Errorf("problem = %q", s.problem.Text)
		}
	})
	t.Run("wording required", func(t *testing.T) {
		test.Tap(sup.offered)
		sup.listeners.SetText("  ")
		test.Tap(s.save)
		if !strings.Contains(s.problem.Text, "who may listen, for supervision") {
			t.Errorf("problem = %q", s.problem.Text)
		}
	})
	t.Run("none offered", func(t *testing.T) {
		refl.offered.SetChecked(false)
		sup.offered.SetChecked(false)
		s.export.SetChecked(false)
		test.Tap(s.save)
		if !strings.Contains(s.problem.Text, "at least one purpose") {
			t.Errorf("problem = %q", s.problem.Text)
		}
	})
	t.Run("saved", func(t *testing.T) {
		refl.offered.SetChecked(true)
		refl.text.SetText("so that I can listen again and think about our session")
		sup.offered.SetChecked(true)
		sup.listeners.SetText("my clinical supervisor, Dr K., and me")
		s.export.SetChecked(true)
		test.Tap(s.save)
		if s.problem.Text != "" {
			t.Fatalf("problem = %q", s.problem.Text)
		}
		p := u.policyFromSettings()
		if len(p.Purposes) != 2 || p.Purposes[0].ID != consent.PurposeReflection || p.Purposes[1].ID != consent.PurposeSupervision {
			t.Fatalf("purposes %+v", p.Purposes)
		}
		if p.Purposes[0].Text != "so that I can listen again and think about our session" || p.Purposes[1].Listeners != "my clinical supervisor, Dr K., and me" {
			t.Errorf("wording not kept: %+v", p.Purposes)
		}
		if !p.SupervisionExport {
			t.Error("supervision export not offered")
		}
		if err := p.Validate(); err != nil {
			t.Error(err)
		}
	})
	t.Run("bad saved settings fall back to the default", func(t *testing.T) {
		if err := db.SetSetting(settingKeepDays, "400"); err != nil {
			t.Fatal(err)
		}
		if p := u.policyFromSettings(); p.DefaultKeepDays != consent.DefaultKeepDays || len(p.Purposes) != 1 || p.SupervisionExport {
			t.Errorf("policy %+v, want the default", p)
		}
	})
}

func TestSettingsQualityAndAutoLock(t *testing.T) {
	u, db, s := settingsUI(t)
	if session.Bitrate(db) != 32 || !strings.HasPrefix(s.quality.Selected, "32 kbit/s") {
		t.Errorf("default quality %d, shown %q", session.Bitrate(db), s.quality.Selected)
	}
	if s.autoLock.Text != "10" {
		t.Errorf("auto-lock shows %q, want the default 10", s.autoLock.Text)
	}
	for _, bad := range []string{"0", "121", "soon"} {
		s.autoLock.SetText(bad)
		test.Tap(s.save)
		if !strings.Contains(s.problem.Text, "from 1 to 120") {
			t.Errorf("auto-lock %q: problem %q", bad, s.problem.Text)
		}
	}
	s.autoLock.SetText("5")
	s.quality.SetSelected(bitrates[1].label)
	test.Tap(s.save)
	if s.problem.Text != "" {
		t.Fatal(s.problem.Text)
	}
	if got := u.autoLockAfter(); got != 5*time.Minute {
		t.Errorf("auto-lock after %v", got)
	}
	if v, _, _ := db.Setting(settingBitrate); v != "48" || session.Bitrate(db) != 48 {
		t.Errorf("bitrate stored %q, read %d", v, session.Bitrate(db))
	}
}

func TestSettingsChangePassphrase(t *testing.T) {
	u, db, s := settingsUI(t)
	const newPass = "harbour violin copper meadow"

	s.oldPass.SetText("not my passphrase")
	s.newPass.pass.SetText(newPass)
	s.newPass.repeat.SetText(newPass)
	test.Tap(s.change.button)
	settle(u)
	if !strings.Contains(s.passResult.Text, "current passphrase is not right") {
		t.Errorf("wrong old passphrase: %q", s.passResult.Text)
	}

	s.oldPass.SetText(goodPassphrase)
	s.newPass.repeat.SetText(newPass + "!")
	test.Tap(s.change.button)
	settle(u)
	if !strings.Contains(s.passResult.Text, "different") {
		t.Errorf("different repeat: %q", s.passResult.Text)
	}

	s.newPass.repeat.SetText("short")
	s.newPass.pass.SetText("short")
	test.Tap(s.change.button)
	if !strings.Contains(s.passResult.Text, "at least") {
		t.Errorf("short: %q", s.passResult.Text)
	}

	s.newPass.pass.SetText(newPass)
	s.newPass.repeat.SetText(newPass)
	test.Tap(s.change.button)
	settle(u)
	if !strings.Contains(s.passResult.Text, "passphrase was changed") {
		t.Fatalf("result %q", s.passResult.Text)
	}
	if s.oldPass.Text != "" || s.newPass.pass.Text != "" || s.newPass.repeat.Text != "" {
		t.Error("passphrases left in the fields")
	}
	if !db.Unlocked() {
		t.Error("changing the passphrase locked the practice")
	}
	db.Lock()
	if err := db.Unlock(goodPassphrase); err == nil {
		t.Error("the old passphrase still unlocks")
	}
	if err := db.Unlock(newPass); err != nil {
		t.Errorf("the new passphrase does not unlock: %v", err)
	}
}

func TestSettingsMicrophone(t *testing.T) {
	u, _, s := settingsUI(t)
	if !strings.Contains(s.mic.about.Text, "No microphone found") {
		t.Errorf("without a microphone: %q", s.mic.about.Text)
	}
	if !s.mic.test.Disabled() {
		t.Error("the level test is offered without a microphone")
	}
	if !containsText(u.win.Content(), "Data folder: "+u.opt.DataDir) {
		t.Error("the data folder is not shown")
	}

	u.opt.Microphones = oneMicrophone{audio.PCMMic{}}
	s = newSettingsScreen(u)
	u.show(s)
	if s.mic.about.Text != "Sessions record from the microphone chosen here." || s.mic.test.Disabled() || s.mic.choose.Selected != defaultInput {
		t.Errorf("with a microphone: %q, test disabled %v", s.mic.about.Text, s.mic.test.Disabled())
	}
	if !containsText(u.win.Content(), "nothing is recorded or kept") {
		t.Error("the screen does not say that the level test keeps nothing")
	}

	test.Tap(s.back)
	if _, ok := u.screen.(*practiceScreen); !ok {
		t.Errorf("after Back the screen is %T", u.screen)
	}
}
