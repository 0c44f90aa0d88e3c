package app

import (
	"errors"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// sessionOptions is what every session gets from the UI: the database, the
// clock, the microphone chosen in the settings, the speaker, the encoder,
// and fyne.Do for reports from the recorder's goroutine.
func (u *UI) sessionOptions() session.Options {
	return session.Options{
		DB:         u.db,
		Now:        u.opt.Now,
		Logf:       u.opt.Logf,
		Location:   u.opt.Location,
		Mic:        func() audio.Mic { return u.mic().mic },
		Speaker:    u.opt.Speaker,
		NewEncoder: u.opt.NewEncoder,
		// Always later, never on the caller's goroutine: after Fyne's loop
		// has ended fyne.Do runs f at once, and the session's reports must
		// not run while their caller holds the session.
		Do: func(f func()) { go u.do(f) },
	}
}

// startSession creates the session in storage with the people present.
func (u *UI) startSession(client storage.Client, people []consent.Participant, method consent.CollectionMethod) (*session.Session, error) {
	return session.Start(u.sessionOptions(), client, people, method)
}

// watch makes screen the one told of run's changes and problems (in tx's
// words), and keeps the tray's icon in step with the microphone.
func (u *UI) watch(run *session.Session, tx *clientText, changed func(), problem func(string)) {
	run.Watch(func() {
		u.tray.update(run.Recording())
		changed()
	}, func(p *session.Problem) { problem(tx.problemText(p, u.opt.Location)) })
}

// problemText is the sentence the therapist reads for what went wrong in
// a step, in the app's language (the client screen says it in the
// client's: clientText.problemText). The detail goes to the log.
func (u *UI) problemText(err error) string { return appText.problemText(err, u.opt.Location) }

// problemText is the sentence the people in the room read for what went
// wrong in a step: a session's Problem in words, or, for a step consent
// refused, that it is not possible now; dates in loc.
func (t *clientText) problemText(err error, loc *time.Location) string {
	var p *session.Problem
	if !errors.As(err, &p) {
		return t.NotPossibleText
	}
	switch p.Kind {
	case session.KindMicrophoneFailed, session.KindMicrophoneSilent, session.KindDiskFailed:
		return t.recordingStoppedText(p.Kind, t.duration(p.Kept.Round(time.Second)), t.longDate(p.DeleteOn, loc))
	}
	return t.problemSentence(p.Kind)
}

// roleID is the stable name of a role, as storage keeps it and
// consent.ParseRole reads it.
func roleID(r consent.Role) string {
	b, err := r.MarshalText()
	if err != nil {
		return "client"
	}
	return string(b)
}

// isRefusal reports whether err is consent refusing a step (nothing
// happened), as opposed to a session's Problem (the step happened, and the
// problem says what is true now).
func isRefusal(err error) bool {
	var p *session.Problem
	return err != nil && !errors.As(err, &p)
}
