package app

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"
)

// sessionRun is one session under way: the consent state machine, its
// history kept in storage, and the recorder while capture is on. It holds no
// widgets. Screens call its methods from the UI goroutine; it tells them
// about changes through onChange, also on the UI goroutine.
//
// The order of work is what makes the promises true:
//   - consent decides first (consent.Session.Apply). A stop revokes the Grant
//     there and then, so the audio goroutine reads no further frame even
//     before the recorder is told.
//   - the event is stored before anything is started: a recording never
//     exists without its consent on disk. A "delete all" is stored in the
//     same transaction that erases the recordings.
//   - only then is the microphone opened, with the Grant consent made.
type sessionRun struct {
	ui     *UI
	client storage.Client
	stored storage.Session
	cs     *consent.Session

	// capture is the recording in progress, nil while the microphone is
	// off. Only the UI goroutine starts and stops it.
	capture *capture
	// segments counts the recordings made in this session.
	segments int

	// onChange is called after every change of state, and about 20 times
	// a second with a new level while recording.
	onChange func()
	// onProblem shows a sentence to the people in the room.
	onProblem func(msg string)
	// quiet: Assent is closing (UI.Shutdown); the screens are not told
	// anything more.
	quiet atomic.Bool

	mu    sync.Mutex
	level audio.Level // latest level, written by the audio goroutine
}

// capture is one recording segment: the recorder and where it writes.
type capture struct {
	rec    *audio.Recording
	writer *storage.RecordingWriter
	grant  consent.Grant
	// bitrate is the encoder's, in kbit/s: constant, so bytes sealed give
	// the time kept.
	bitrate int
	ended   chan audio.End // receives the End once the writer is closed
}

// startSession creates the session in storage with the people present and
// the consent state machine over the same participant IDs.
func (u *UI) startSession(client storage.Client, people []consent.Participant) (*sessionRun, error) {
	stored := make([]storage.Participant, len(people))
	for i, p := range people {
		stored[i] = storage.Participant{Name: p.Name, Role: roleID(p.Role)}
	}
	s, err := u.db.CreateSession(client.ID, stored...)
	if err != nil {
		return nil, err
	}
	// Storage chose the participant IDs; a minor's guardian is named by
	// position in people until then.
	ids := map[string]string{}
	for i := range people {
		ids[people[i].ID] = s.Participants[i].ID
	}
	for i := range people {
		people[i].ID = s.Participants[i].ID
		if g := people[i].GuardianID; g != "" {
			people[i].GuardianID = ids[g]
		}
	}
	policy := u.policy()
	if err := u.saveSessionPolicy(s.ID, policy); err != nil {
		return nil, err
	}
	cs, err := consent.NewSession(s.ID, client.ID, people, policy, u.opt.Location)
	if err != nil {
		return nil, err
	}
	return &sessionRun{ui: u, client: client, stored: s, cs: cs, onChange: func() {}, onProblem: func(string) {}}, nil
}

// apply runs ev through consent, stores it, and does what consent says.
// A refusal from consent comes back unchanged (errors.Is with consent's
// sentinels); nothing is stored or started then.
func (r *sessionRun) apply(ev consent.Event) error {
	ev.At = r.ui.opt.Now()
	eff, err := r.cs.Apply(ev)
	if err != nil {
		return err
	}
	defer func() {
		r.ui.tray.update(r.recording())
		r.changed()
	}()
	if eff.StopCapture {
		r.stopCapture()
	}
	if err := r.store(ev); err != nil {
		r.ui.opt.Logf("storing consent event %s: %v", ev.Kind, err)
		if eff.StartCapture {
			// Without its consent on disk a recording could not be
			// shown to be agreed: record nothing.
			r.system(consent.EventSwitchToNotes)
			r.problem("Assent could not save the answer, so it is not recording. The session goes on as notes only.")
			return fmt.Errorf("storing %s: %w", ev.Kind, err)
		}
		r.problem("Assent could not save this step to its records. Please tell your therapist.")
	}
	if !eff.DeleteOn.IsZero() && r.segments > 0 {
		// A shorter choice applies to what was already recorded too.
		if _, err := r.ui.db.ShortenDeletion(r.stored.ID, eff.DeleteOn); err != nil {
			r.ui.opt.Logf("shortening the deletion date: %v", err)
			r.problem("Assent could not bring the deletion date forward. Please tell your therapist.")
		}
	}
	if eff.Withdrawal == consent.WithdrawDeleteLast {
		if err := r.deleteLast(time.Duration(eff.DeleteMinutes) * time.Minute); err != nil {
			r.ui.opt.Logf("deleting the last %d minutes: %v", eff.DeleteMinutes, err)
			r.problem("Assent could not delete the last minutes. Please tell your therapist; nothing else was changed.")
		}
	}
	if eff.StartCapture {
		if err := r.startCapture(eff.Grant); err != nil {
			r.ui.opt.Logf("starting the recording: %v", err)
			r.system(consent.EventSwitchToNotes)
			r.problem(startProblem(err))
		}
	}
	return nil
}

// system applies an event made by Assent itself (a lost microphone, a
// failed start); these are never refused in a state that allows them.
func (r *sessionRun) system(kind consent.EventKind) {
	ev := consent.Event{Kind: kind, Actor: consent.System(), At: r.ui.opt.Now()}
	if _, err := r.cs.Apply(ev); err != nil {
		r.ui.opt.Logf("system event %s refused: %v", kind, err)
		return
	}
	if err := r.store(ev); err != nil {
		r.ui.opt.Logf("storing system event %s: %v", kind, err)
	}
}

// store appends ev to the session's consent history in storage.
func (r *sessionRun) store(ev consent.Event) error {
	return r.ui.storeConsentEvent(r.stored.ID, ev)
}

// storeConsentEvent appends ev, as the consent package emits it, to the
// session's history in storage.
func (u *UI) storeConsentEvent(sessionID string, ev consent.Event) error {
	data, err := consent.MarshalEvent(ev)
	if err != nil {
		return err
	}
	_, err = u.db.AppendConsentEvent(storage.ConsentEvent{
		SessionID:         sessionID,
		Kind:              ev.Kind.String(),
		At:                ev.At,
		Actor:             ev.Actor.Kind.String(),
		Participant:       ev.Participant,
		Data:              data,
		WithdrawDeleteAll: ev.Kind == consent.EventWithdraw && ev.Withdrawal == consent.WithdrawDeleteAll,
	})
	return err
}

// captureChunk is how much audio the recorder hands to storage at a time.
const captureChunk = 250 * time.Millisecond

// startCapture opens a new recording in storage and the microphone under
// grant.
func (r *sessionRun) startCapture(grant consent.Grant) error {
	mic := r.ui.mic().mic
	if mic == nil {
		return audio.ErrNoInputDevice
	}
	var purposes []string
	for _, p := range grant.Purposes() {
		purposes = append(purposes, p.ID)
	}
	w, err := r.ui.db.NewRecording(r.stored.ID, r.segments+1, grant.DeleteOn(), purposes)
	if err != nil {
		return err
	}
	bitrate := r.ui.bitrateFromSettings()
	c := &capture{writer: w, grant: grant, bitrate: bitrate, ended: make(chan audio.End, 1)}
	sink := &recordingSink{w: w}
	rec, err := audio.Start(grant, mic, sink, audio.Options{
		NewEncoder: r.ui.opt.NewEncoder(bitrate),
		Speaker:    r.ui.opt.Speaker,
		Logf:       r.ui.opt.Logf,
		OnLevel:    r.levelChanged,
		OnEnd:      func(e audio.End) { r.captureEnded(c, sink, e) },
		// Small pieces, sealed and fsynced as they come: with storage's
		// 1 KiB chunks a crash or power cut loses well under a second
		// (proof/crash_test.go measures it).
		ChunkDuration: captureChunk,
	})
	if err != nil {
		if aerr := w.Abort("the microphone could not be opened"); aerr != nil {
			r.ui.opt.Logf("discarding the empty recording: %v", aerr)
		}
		return err
	}
	r.segments++
	c.rec = rec
	r.capture = c
	r.setLevel(audio.Level{})
	return nil
}

// captureEnded runs on the recorder's goroutine when a recording ends for
// any reason: it seals what was captured. A failure of the microphone or the
// disk also turns the session to notes only, with a sentence saying what
// was kept.
func (r *sessionRun) captureEnded(c *capture, sink *recordingSink, e audio.End) {
	c.writer.SetDuration(e.Kept)
	c.writer.SetPeaks(sink.storagePeaks())
	closeErr := c.writer.Close()
	if closeErr != nil && !errors.Is(closeErr, storage.ErrDeleted) {
		r.ui.opt.Logf("sealing recording %s: %v", c.writer.ID(), closeErr)
	}
	if errors.Is(closeErr, storage.ErrFileLost) {
		r.ui.do(func() {
			r.problem("The recording's file was removed from the disk while recording (was the data folder moved or cleaned?), so what was recorded could not be kept. Notes are not affected.")
		})
	}
	r.ui.opt.Logf("recording %s ended: %s", c.writer.ID(), e)
	// What the client is told was kept is what storage sealed: after a
	// disk error the last piece the recorder handed over may be missing.
	kept := e.Kept
	if rec, err := r.ui.db.Recording(c.writer.ID()); err == nil && c.bitrate > 0 {
		kept = min(kept, time.Duration(rec.Bytes*8*int64(time.Second)/int64(c.bitrate*1000)))
	}
	c.ended <- e
	switch e.Reason {
	case audio.EndSourceFailed, audio.EndSinkFailed, audio.EndEncoderFailed, audio.EndSourceEnded:
		r.ui.do(func() {
			if r.capture != c {
				return
			}
			r.capture = nil
			r.system(consent.EventSwitchToNotes)
			r.problem(failureProblem(e.Reason, kept, c.grant.DeleteOn(), r.ui.opt.Location))
			r.ui.tray.update(false)
			r.changed()
		})
	}
}

// stopCapture stops the recorder (if consent has not already stopped it)
// and waits until what was captured is sealed.
func (r *sessionRun) stopCapture() {
	c := r.capture
	if c == nil {
		return
	}
	r.capture = nil
	c.rec.Stop()
	<-c.ended
}

// levelChanged is the recorder's level callback, on the audio goroutine.
func (r *sessionRun) levelChanged(l audio.Level) {
	r.setLevel(l)
	r.ui.do(r.changed)
}

func (r *sessionRun) setLevel(l audio.Level) {
	r.mu.Lock()
	r.level = l
	r.mu.Unlock()
}

// currentLevel is the latest level and elapsed time.
func (r *sessionRun) currentLevel() audio.Level {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.level
}

// recording reports whether the microphone is on.
func (r *sessionRun) recording() bool { return r.capture != nil }

// deleteLast deletes the last d of audio recorded in this session, across
// segments: whole segments from the end, then the tail of the one where d
// runs out. The encoding is constant bitrate, so bytes are proportional to
// time.
func (r *sessionRun) deleteLast(d time.Duration) error {
	recs, err := r.ui.db.Recordings(r.stored.ID)
	if err != nil {
		return err
	}
	reason := fmt.Sprintf("the client chose to delete the last %d minutes", int(d/time.Minute))
	for i := len(recs) - 1; i >= 0 && d > 0; i-- {
		rec := recs[i]
		if rec.State == storage.StateDeleted {
			continue
		}
		if rec.Duration <= d {
			if err := r.ui.db.DeleteNow(rec.ID, reason); err != nil {
				return err
			}
			d -= rec.Duration
			continue
		}
		keep := int64(float64(rec.Bytes) * float64(rec.Duration-d) / float64(rec.Duration))
		return r.ui.db.DeleteAfter(rec.ID, keep, reason)
	}
	return nil
}

// recordingSink hands the recorder's MP3 pieces to storage's sealing writer
// and keeps the waveform peaks for when the recording is sealed.
type recordingSink struct {
	w     *storage.RecordingWriter
	mu    sync.Mutex
	peaks []audio.Peak
}

var _ audio.Sink = (*recordingSink)(nil)

// Write seals one piece of MP3 into the recording file.
func (s *recordingSink) Write(p []byte) (int, error) { return s.w.Write(p) }

// WritePeaks keeps the peaks until the recording is sealed.
func (s *recordingSink) WritePeaks(p []audio.Peak) error {
	s.mu.Lock()
	s.peaks = append(s.peaks, p...)
	s.mu.Unlock()
	return nil
}

// storagePeaks turns the recorder's min/max peaks into storage's 0–255
// levels.
func (s *recordingSink) storagePeaks() storage.Peaks {
	s.mu.Lock()
	defer s.mu.Unlock()
	levels := make([]byte, len(s.peaks))
	for i, p := range s.peaks {
		m := max(abs(int(p.Min)), abs(int(p.Max)))
		levels[i] = byte(min(255, m*255/32767))
	}
	return storage.Peaks{Interval: audio.PeakInterval, Levels: levels}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// startProblem is the sentence shown when recording could not start.
func startProblem(err error) string {
	if errors.Is(err, audio.ErrNoInputDevice) {
		return noMicText
	}
	return "The microphone could not be started, so Assent is not recording. The session goes on as notes only."
}

// failureProblem is the sentence shown when a recording stopped by itself.
func failureProblem(reason audio.EndReason, kept time.Duration, deleteOn time.Time, loc *time.Location) string {
	var what string
	switch reason {
	case audio.EndSinkFailed:
		what = "Assent could not write to the disk, so the recording stopped."
	case audio.EndSourceEnded:
		what = "The microphone stopped sending sound, so the recording stopped."
	default:
		what = "The microphone stopped working, so the recording stopped."
	}
	return fmt.Sprintf("%s The %s recorded before that is kept until %s. The session goes on as notes only.",
		what, humanDuration(kept.Round(time.Second)), consent.LongDate(deleteOn, loc))
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

// addPerson records someone joining: storage first, then consent, which
// stops capture until everyone has said yes again.
func (r *sessionRun) addPerson(name string, role consent.Role) error {
	p, err := r.ui.db.AddParticipant(r.stored.ID, storage.Participant{Name: name, Role: roleID(role)})
	if err != nil {
		return err
	}
	joiner := consent.Participant{ID: p.ID, Name: p.Name, Role: role}
	if role == consent.RoleMinor {
		for _, q := range r.cs.Participants() {
			if q.Role == consent.RoleGuardian {
				joiner.GuardianID = q.ID
				break
			}
		}
	}
	if err := r.apply(consent.Event{Kind: consent.EventJoin, Actor: consent.Therapist(), Joiner: &joiner}); err != nil {
		return err
	}
	return r.apply(consent.Event{Kind: consent.EventAsk, Actor: consent.Therapist()})
}

// changed tells the screen of a change, unless Assent is closing. Call it
// on the UI goroutine (through UI.do from elsewhere).
func (r *sessionRun) changed() {
	if !r.quiet.Load() {
		r.onChange()
	}
}

// problem shows msg on the screen, unless Assent is closing.
func (r *sessionRun) problem(msg string) {
	if !r.quiet.Load() {
		r.onProblem(msg)
	}
}
