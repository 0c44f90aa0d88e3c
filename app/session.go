package app

import (
	"errors"
	"fmt"
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
		Do:         func(f func()) { u.do(f) },
	}
}

// startSession creates the session in storage with the people present.
func (u *UI) startSession(client storage.Client, people []consent.Participant, method consent.CollectionMethod) (*session.Session, error) {
	return session.Start(u.sessionOptions(), client, people, method)
}

// watch makes screen the one told of run's changes and problems, and keeps
// the tray's icon in step with the microphone.
func (u *UI) watch(run *session.Session, changed func(), problem func(string)) {
	run.Watch(func() {
		u.tray.update(run.Recording())
		changed()
	}, func(p *session.Problem) { problem(u.problemText(p)) })
}

// problemText is the sentence the people in the room read for what went
// wrong in a step: a session's Problem in words, or, for a step consent
// refused, that it is not possible now. The detail goes to the log.
func (u *UI) problemText(err error) string {
	var p *session.Problem
	if !errors.As(err, &p) {
		return notPossibleText
	}
	switch p.Kind {
	case session.KindNotStarted:
		return "The session could not be started. Nothing was saved."
	case session.KindAnswerNotStored:
		return "Assent could not save the answer, so it is not recording. The session goes on as notes only."
	case session.KindWithdrawalNotStored:
		return "The recording has stopped, but Assent could not save this step to its records, so nothing has been deleted yet. Please tell your therapist."
	case session.KindJoinNotStored:
		return "The recording has stopped, but the new person could not be added to the records. Please tell your therapist."
	case session.KindEndNotStored:
		return "The microphone is off, but the end of the session could not be saved. It will be saved the next time Assent is unlocked."
	case session.KindDeletionNotShortened:
		return "Assent could not bring the deletion date forward. Please tell your therapist."
	case session.KindDeleteLastFailed:
		return "Assent could not delete the last minutes. Please tell your therapist; nothing else was changed."
	case session.KindNoMicrophone:
		return noMicText
	case session.KindMicrophoneNotStarted:
		return "The microphone could not be started, so Assent is not recording. The session goes on as notes only."
	case session.KindRecordingNotCreated:
		return "Assent could not begin a recording on the disk, so it is not recording. The session goes on as notes only."
	case session.KindFileLost:
		return "The recording's file was removed from the disk while recording (was the data folder moved or cleaned?), so what was recorded could not be kept. Notes are not affected."
	case session.KindMicrophoneFailed, session.KindMicrophoneSilent, session.KindDiskFailed:
		what := "The microphone stopped working, so the recording stopped."
		switch p.Kind {
		case session.KindDiskFailed:
			what = "Assent could not write to the disk, so the recording stopped."
		case session.KindMicrophoneSilent:
			what = "The microphone stopped sending sound, so the recording stopped."
		}
		return fmt.Sprintf("%s The %s recorded before that is kept until %s. The session goes on as notes only.",
			what, humanDuration(p.Kept.Round(time.Second)), consent.LongDate(p.DeleteOn, u.opt.Location))
	}
	return "Assent could not save this step to its records. Please tell your therapist."
}

// humanDuration writes d as "3 minutes 5 seconds", or "1 hour 59 minutes"
// from an hour on.
func humanDuration(d time.Duration) string {
	if h := int(d / time.Hour); h > 0 {
		if m := int(d % time.Hour / time.Minute); m > 0 {
			return plural(h, "hour") + " " + plural(m, "minute")
		}
		return plural(h, "hour")
	}
	m, s := int(d/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case m == 0:
		return plural(s, "second")
	case s == 0:
		return plural(m, "minute")
	}
	return plural(m, "minute") + " " + plural(s, "second")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
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
