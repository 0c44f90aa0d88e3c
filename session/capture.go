package session

import (
	"errors"
	"sync"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"
)

// CaptureChunk is how much audio the recorder hands to storage at a time.
// With storage's 1 KiB chunks, each sealed and fsynced as it fills, a crash
// or a power cut loses well under a second (proof/crash_test.go measures
// it).
const CaptureChunk = 250 * time.Millisecond

// capture is one recording segment: the recorder and where it writes.
type capture struct {
	rec    *audio.Recording
	writer *storage.RecordingWriter
	sink   *sink
	grant  consent.Grant
	// bitrate is the encoder's, in kbit/s: constant, so bytes sealed give
	// the time kept.
	bitrate int
	ended   chan audio.End // receives the End once the writer is closed
}

// startCapture opens a new recording in storage and the microphone under
// grant. Call it with the lock held.
func (s *Session) startCapture(grant consent.Grant) error {
	mic := s.opt.Mic()
	if mic == nil {
		return audio.ErrNoInputDevice
	}
	if s.opt.NewEncoder == nil {
		return errors.New("session: no encoder")
	}
	var purposes []string
	for _, p := range grant.Purposes() {
		purposes = append(purposes, p.ID)
	}
	w, err := s.opt.DB.NewRecording(s.stored.ID, s.segments+1, grant.DeleteOn(), purposes)
	if errors.Is(err, storage.ErrClockBehind) {
		return &Problem{Kind: KindClockBehind, Err: err}
	}
	if err != nil {
		return &Problem{Kind: KindRecordingNotCreated, Err: err}
	}
	bitrate := Bitrate(s.opt.DB)
	c := &capture{writer: w, sink: &sink{w: w}, grant: grant, bitrate: bitrate, ended: make(chan audio.End, 1)}
	rec, err := audio.Start(grant, mic, c.sink, audio.Options{
		NewEncoder:    s.opt.NewEncoder(bitrate),
		Speaker:       s.opt.Speaker,
		Logf:          s.opt.Logf,
		OnLevel:       s.levelChanged,
		OnEnd:         func(e audio.End) { s.captureEnded(c, e) },
		ChunkDuration: CaptureChunk,
	})
	if err != nil {
		if aerr := w.Abort("the microphone could not be opened"); aerr != nil {
			s.opt.Logf("discarding the empty recording: %v", aerr)
		}
		return err
	}
	s.segments++
	c.rec = rec
	s.capture = c
	s.setLevel(audio.Level{})
	return nil
}

// stopCapture stops the recorder (if consent has not already stopped it)
// and waits until what was captured is sealed. Call it with the lock held:
// captureEnded sends on ended before it needs the lock.
func (s *Session) stopCapture() {
	c := s.capture
	if c == nil {
		return
	}
	s.capture = nil
	c.rec.Stop()
	<-c.ended
}

// captureEnded runs on the recorder's goroutine when a recording ends for
// any reason: it seals what was captured. A failure of the microphone or
// the disk also turns the session to notes only, reported as a Problem
// saying how much storage kept.
func (s *Session) captureEnded(c *capture, e audio.End) {
	c.writer.SetDuration(e.Kept)
	c.writer.SetPeaks(c.sink.storagePeaks())
	closeErr := c.writer.Close()
	if closeErr != nil && !errors.Is(closeErr, storage.ErrDeleted) {
		s.opt.Logf("sealing recording %s: %v", c.writer.ID(), closeErr)
	}
	s.opt.Logf("recording %s ended: %s", c.writer.ID(), e)
	// What the client is told was kept is what storage sealed in the
	// file: after a disk error the last piece the recorder handed over may
	// be missing, and the row may not have been updated (the next unlock
	// recovers what the file holds).
	kept := e.Kept
	if c.bitrate > 0 {
		kept = min(kept, time.Duration(c.writer.Sealed()*8*int64(time.Second)/int64(c.bitrate*1000)))
	}
	s.sealedMu.Lock()
	if s.sealed == nil {
		s.sealed = map[string]sealedSegment{}
	}
	s.sealed[c.writer.ID()] = sealedSegment{bytes: c.writer.Sealed(), duration: kept}
	s.sealedMu.Unlock()
	c.ended <- e // before the lock: a stopper holding it waits for this
	var p *Problem
	switch e.Reason {
	case audio.EndSourceFailed, audio.EndEncoderFailed:
		p = &Problem{Kind: KindMicrophoneFailed, Err: e.Err}
	case audio.EndSourceEnded:
		p = &Problem{Kind: KindMicrophoneSilent, Err: e.Err}
	case audio.EndSinkFailed:
		p = &Problem{Kind: KindDiskFailed, Err: e.Err}
	}
	if errors.Is(closeErr, storage.ErrFileLost) {
		p = &Problem{Kind: KindFileLost, Err: closeErr}
	}
	if p == nil {
		return
	}
	p.Kept, p.DeleteOn = kept, c.grant.DeleteOn()
	s.do(func() { s.captureFailed(c, p) })
}

// captureFailed is the rest of a recording that stopped by itself, where
// reports are handled: unless a step stopped it meanwhile, the session goes
// on as notes only, and the problem is told.
func (s *Session) captureFailed(c *capture, p *Problem) {
	s.mu.Lock()
	mine := s.capture == c
	if mine {
		s.capture = nil
		s.system(consent.EventSwitchToNotes)
	}
	onProblem := s.onProblem
	s.mu.Unlock()
	if !mine && p.Kind != KindFileLost {
		return
	}
	if onProblem != nil && !s.quiet.Load() {
		onProblem(p)
	}
	s.changed()
}

// levelChanged is the recorder's level callback, on the audio goroutine.
func (s *Session) levelChanged(l audio.Level) {
	s.setLevel(l)
	s.do(s.changed)
}

// sink hands the recorder's MP3 pieces to storage's sealing writer and
// keeps the waveform peaks for when the recording is sealed.
type sink struct {
	w     *storage.RecordingWriter
	mu    sync.Mutex
	peaks []audio.Peak
}

var _ audio.Sink = (*sink)(nil)

// Write seals one piece of MP3 into the recording file.
func (s *sink) Write(p []byte) (int, error) { return s.w.Write(p) }

// WritePeaks keeps the peaks until the recording is sealed.
func (s *sink) WritePeaks(p []audio.Peak) error {
	s.mu.Lock()
	s.peaks = append(s.peaks, p...)
	s.mu.Unlock()
	return nil
}

// storagePeaks turns the recorder's peaks into storage's levels.
func (s *sink) storagePeaks() storage.Peaks {
	s.mu.Lock()
	defer s.mu.Unlock()
	return StoragePeaks(s.peaks)
}

// StoragePeaks turns the recorder's min/max peaks (one per
// audio.PeakInterval) into storage's 0–255 levels.
func StoragePeaks(peaks []audio.Peak) storage.Peaks {
	levels := make([]byte, len(peaks))
	for i, p := range peaks {
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
