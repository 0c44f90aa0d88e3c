package audio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/assent-recorder/assent/consent"
)

// Sink receives a recording as it is made: compressed audio in pieces of
// about Options.ChunkDuration, each followed by the waveform Peaks of the
// same stretch of audio. In the app it is storage's sealing writer, which
// encrypts and fsyncs each piece, so a crash loses at most about one piece.
//
// Write is called with whole pieces (never split, never empty) and
// WritePeaks with the Peaks completed since the last call (the final call
// includes the partial last Peak); both from one goroutine, in order. An
// error from either ends the recording (EndSinkFailed) and nothing more is
// written. The Recorder never closes the Sink: the caller finalises it
// after Wait or Stop has returned, knowing from End how it ended.
type Sink interface {
	// Write stores one piece of compressed audio.
	io.Writer
	// WritePeaks stores the Peaks of the audio written so far.
	WritePeaks(peaks []Peak) error
}

// Options configure a recording.
type Options struct {
	// NewEncoder makes the encoder, for the Source's sample rate. Required;
	// the app passes lame.NewFunc(lame.Options{Bitrate: ...}).
	NewEncoder NewEncoderFunc
	// OnLevel, if set, receives a Level for every LevelInterval of audio
	// captured (about 20 a second from a microphone), for a meter. It is
	// called on a goroutine of its own, one call at a time, in order, and
	// capture never waits for it: a slow or blocked OnLevel cannot hold
	// the microphone open or hold up Stop. When it falls behind, or the
	// Source runs faster than real time, the Levels in between are
	// skipped: it gets at most one every 25 ms of wall time, the latest.
	// When the recording ends it still gets the last Level if it had not
	// had it, perhaps after OnEnd and Stop, which do not wait for it.
	OnLevel func(Level)
	// OnEnd, if set, is called once from the recorder's goroutine when
	// the recording has ended and everything that will be written has
	// been, with the End that Wait returns; it says what was kept. It runs
	// before Stop and Wait return, so it must not call them.
	OnEnd func(End)
	// ChunkDuration is how much audio each Sink.Write covers; 0 means one
	// second. It is what a crash can lose.
	ChunkDuration time.Duration
	// Speaker, if set, plays ChimeStart when capture begins and ChimeStop
	// when it ends (whatever ended it), so that everyone in the room hears
	// it. Stop does not wait for the chime. A chime that cannot play is
	// reported to Logf and does not affect the recording.
	Speaker Speaker
	// Logf, if set, receives notes that are not errors of the recording
	// (a chime that did not play, a Source whose Close failed).
	Logf func(format string, args ...any)
}

// EndReason says why a recording ended.
type EndReason int

// Why recordings end.
const (
	// EndStopped: Stop was called.
	EndStopped EndReason = iota + 1
	// EndGrantInvalid: the consent.Grant stopped being valid (pause,
	// withdrawal, someone joined, notes only, session end). No audio was
	// read after the recorder saw it turn invalid.
	EndGrantInvalid
	// EndSourceEnded: the Source gave io.EOF (a finite PCM source).
	EndSourceEnded
	// EndSourceFailed: the Source failed; a lost microphone wraps
	// ErrDeviceLost. Everything read before the failure was kept.
	EndSourceFailed
	// EndEncoderFailed: the encoder failed.
	EndEncoderFailed
	// EndSinkFailed: the Sink refused a write (disk full, I/O error). What
	// it accepted before is kept; what came after is lost.
	EndSinkFailed
)

var endReasonNames = [...]string{
	EndStopped:       "stopped",
	EndGrantInvalid:  "consent no longer valid",
	EndSourceEnded:   "source ended",
	EndSourceFailed:  "microphone failed",
	EndEncoderFailed: "encoder failed",
	EndSinkFailed:    "storage failed",
}

// String returns a short lowercase phrase ("stopped", "microphone failed").
func (r EndReason) String() string {
	if r < EndStopped || r > EndSinkFailed {
		return fmt.Sprintf("EndReason(%d)", int(r))
	}
	return endReasonNames[r]
}

// End is how a recording ended and what was kept.
type End struct {
	// Reason says why it ended.
	Reason EndReason
	// Err is the failure for EndSourceFailed, EndEncoderFailed and
	// EndSinkFailed, and nil otherwise.
	Err error
	// Captured is how much audio was read from the Source.
	Captured time.Duration
	// Kept is how much of it reached the Sink: all of Captured unless the
	// encoder or the Sink failed, in which case it is the audio fed to the
	// encoder before the last piece the Sink accepted (to within the
	// encoder's look-ahead, under 0.1 s).
	Kept time.Duration
	// Bytes is how many compressed bytes the Sink accepted.
	Bytes int64
	// StopLatency, for EndStopped, is the time from the call to Stop to
	// the Source's Close returning: the microphone was closed that long
	// after the person pressed "Stop recording".
	StopLatency time.Duration
}

// String describes e in one line for logs, saying what was kept, for
// example "microphone failed after 12m4s (audio: input device lost); all
// 12m4s kept, 2896000 bytes".
func (e End) String() string {
	what := e.Reason.String()
	if e.Err != nil {
		what = fmt.Sprintf("%s after %s (%v)", what, e.Captured.Round(time.Millisecond), e.Err)
	} else {
		what = fmt.Sprintf("%s after %s", what, e.Captured.Round(time.Millisecond))
	}
	if e.Kept >= e.Captured {
		return fmt.Sprintf("%s; all %s kept, %d bytes", what, e.Kept.Round(time.Millisecond), e.Bytes)
	}
	return fmt.Sprintf("%s; %s of %s kept, %d bytes", what, e.Kept.Round(time.Millisecond), e.Captured.Round(time.Millisecond), e.Bytes)
}

// frameDuration is the size of each Source read: short enough that the
// Grant is checked, and Stop noticed, every 20 ms of audio.
const frameDuration = 20 * time.Millisecond

// batchDuration is the most audio the encoder takes in one call.
const batchDuration = 200 * time.Millisecond

// queueDuration bounds the audio waiting between capture and encoding;
// capture waits (and a live device counts an overflow) beyond it. It is
// also the most that Stop, or a revoked Grant, leaves to encode and hand
// to the Sink after the microphone is closed.
const queueDuration = 5 * time.Second

// grantPoll is how often capture looks at the Grant while it waits for
// the encoder to free a buffer. With the read in progress (at most about
// 20 ms) it bounds how long a revoked Grant leaves the microphone open
// when the Sink has stalled.
const grantPoll = 10 * time.Millisecond

// Recording is a recording in progress, made by Start. Its methods are safe
// for concurrent use.
type Recording struct {
	grant consent.Grant
	src   Source
	sink  Sink
	enc   Encoder
	encw  *bytes.Buffer // the encoder writes here; emptied into the sink per chunk
	opts  Options
	rate  int

	frames chan []int16 // capture → encoder
	free   chan []int16 // encoder → capture, buffers to reuse
	levels *levelPost   // capture → OnLevel

	stopOnce sync.Once
	stopCh   chan struct{}
	stopMu   sync.Mutex
	stopAt   time.Time // when Stop was first called

	encFailed chan struct{} // closed by the encoder goroutine on failure
	done      chan struct{} // closed when End is final

	mu       sync.Mutex
	captured int64 // samples read from the Source
	end      End
}

// Start opens mic under grant and records it into sink until Stop is
// called, the Grant stops being valid, or the Source, encoder or Sink
// fails. It returns once the microphone is open and capture has begun.
//
// An invalid grant is refused with ErrGrantInvalid before mic is touched:
// no device is opened. (A microphone check's consent.CheckGrant is not a
// Grant, so it cannot be passed here: StartMonitor takes it.) Errors from
// mic.Open (ErrNoInputDevice, …) and from opts.NewEncoder are returned
// wrapped; the Source is closed again if the encoder cannot be made. A nil
// sink, mic or NewEncoder is ErrOptions.
//
// Capture reads the Source in pieces of 20 ms, checking grant.Valid()
// before every read; encoding and writing to sink run in a second
// goroutine so that a slow disk does not stall the microphone.
func Start(grant consent.Grant, mic Mic, sink Sink, opts Options) (*Recording, error) {
	if !grant.Valid() {
		return nil, fmt.Errorf("audio: start recording: %w", ErrGrantInvalid)
	}
	if mic == nil || sink == nil || opts.NewEncoder == nil {
		return nil, fmt.Errorf("%w: start needs a mic, a sink and Options.NewEncoder", ErrOptions)
	}
	if opts.ChunkDuration <= 0 {
		opts.ChunkDuration = time.Second
	}
	src, rate, err := openSource(grant, mic)
	if err != nil {
		return nil, err
	}
	encw := new(bytes.Buffer)
	enc, err := opts.NewEncoder(encw, rate)
	if err != nil {
		if cerr := src.Close(); cerr != nil && opts.Logf != nil {
			opts.Logf("audio: close source after encoder failure: %v", cerr)
		}
		return nil, fmt.Errorf("audio: start recording: %w", err)
	}
	frame := max(1, rate*int(frameDuration/time.Millisecond)/1000)
	nbuf := int(queueDuration / frameDuration)
	r := &Recording{
		grant:     grant,
		src:       src,
		sink:      sink,
		enc:       enc,
		encw:      encw,
		opts:      opts,
		rate:      rate,
		frames:    make(chan []int16, nbuf),
		free:      make(chan []int16, nbuf),
		levels:    newLevelPost(opts.OnLevel),
		stopCh:    make(chan struct{}),
		encFailed: make(chan struct{}),
		done:      make(chan struct{}),
	}
	for range nbuf {
		r.free <- make([]int16, frame)
	}
	encDone := make(chan encResult, 1)
	go func() { encDone <- r.encode() }()
	go r.capture(encDone)
	if opts.Speaker != nil {
		go r.chime(ChimeStart)
	}
	return r, nil
}

// openSource opens mic under grant and checks its rate.
func openSource(grant consent.Grant, mic Mic) (Source, int, error) {
	src, err := mic.Open(grant)
	if err != nil {
		return nil, 0, fmt.Errorf("audio: start recording: %w", err)
	}
	rate := src.SampleRate()
	if rate <= 0 {
		src.Close()
		return nil, 0, fmt.Errorf("%w: source rate %d Hz", ErrFormat, rate)
	}
	return src, rate, nil
}

// SampleRate is the rate the Source captures at, in Hz.
func (r *Recording) SampleRate() int { return r.rate }

// Grant is the consent.Grant the recording runs under.
func (r *Recording) Grant() consent.Grant { return r.grant }

// Elapsed is how much audio has been captured so far.
func (r *Recording) Elapsed() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return samplesToDuration(r.captured, r.rate)
}

// Done is closed when the recording has ended and everything has been
// written; Wait then returns at once.
func (r *Recording) Done() <-chan struct{} { return r.done }

// Wait waits for the recording to end by itself (or by a Stop elsewhere)
// and returns how it ended.
func (r *Recording) Wait() End {
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.end
}

// Stop ends the recording: the Source is closed once the read in progress
// (at most about 20 ms of audio) returns, then everything captured is
// encoded and written to the Sink, and Stop returns how it ended. Stop is
// idempotent, and returns the same End if the recording had already ended
// by itself.
//
// The microphone is closed first whatever the encoder and the Sink are
// doing, even when the Sink has stalled. What is left to encode then is
// only what was queued, at most 5 s of audio however far a fast Source
// ran ahead, so Stop waits for little more than writing that; but it
// returns only once the Sink's call in progress has returned.
func (r *Recording) Stop() End {
	r.stopOnce.Do(func() {
		r.stopMu.Lock()
		r.stopAt = time.Now()
		r.stopMu.Unlock()
		close(r.stopCh)
	})
	return r.Wait()
}

// capture reads the Source until told to stop, then closes it and waits
// for the encoder.
func (r *Recording) capture(encDone <-chan encResult) {
	end := End{}
	meter := newLevelMeter(r.rate)
loop:
	for {
		select {
		case <-r.stopCh:
			end.Reason = EndStopped
			break loop
		case <-r.encFailed:
			break loop // the encoder goroutine says why
		default:
		}
		if !r.grant.Valid() {
			end.Reason = EndGrantInvalid
			break loop
		}
		buf, why := r.freeBuffer()
		if buf == nil {
			end.Reason = why // 0 after an encoder failure: the encoder says why
			break loop
		}
		n, err := r.src.Read(buf[:cap(buf)])
		if n > 0 {
			r.mu.Lock()
			r.captured += int64(n)
			r.mu.Unlock()
			meter.add(buf[:n], r.levels.put)
			r.frames <- buf[:n]
		} else {
			r.free <- buf
		}
		if err != nil {
			switch {
			case errors.Is(err, io.EOF):
				end.Reason = EndSourceEnded
			case errors.Is(err, ErrGrantInvalid):
				end.Reason = EndGrantInvalid
			default:
				end.Reason = EndSourceFailed
				end.Err = fmt.Errorf("audio: capture: %w", err)
			}
			break loop
		}
	}
	if err := r.src.Close(); err != nil && r.opts.Logf != nil {
		r.opts.Logf("audio: close source: %v", err)
	}
	closed := time.Now()
	r.levels.close()
	close(r.frames)
	if r.opts.Speaker != nil {
		go r.chime(ChimeStop)
	}
	res := <-encDone
	if res.err != nil {
		end.Reason, end.Err = res.reason, res.err
	}
	r.mu.Lock()
	end.Captured = samplesToDuration(r.captured, r.rate)
	end.Kept = samplesToDuration(res.kept, r.rate)
	end.Bytes = res.bytes
	if end.Reason == EndStopped {
		r.stopMu.Lock()
		end.StopLatency = closed.Sub(r.stopAt)
		r.stopMu.Unlock()
	}
	r.end = end
	r.mu.Unlock()
	if r.opts.OnEnd != nil {
		r.opts.OnEnd(end)
	}
	close(r.done)
}

// freeBuffer returns a buffer for the next read. When none is free, the
// encoder is behind (a slow or stalled disk, a busy machine) and it waits
// for one, but no longer than until Stop, an encoder failure or the Grant
// turning invalid, which it looks at every grantPoll meanwhile: a disk
// that hangs must not keep the microphone open. It then returns nil and
// EndStopped, EndGrantInvalid, or 0 after an encoder failure.
func (r *Recording) freeBuffer() ([]int16, EndReason) {
	select {
	case buf := <-r.free:
		return buf, 0
	default:
	}
	poll := time.NewTicker(grantPoll)
	defer poll.Stop()
	for {
		select {
		case buf := <-r.free:
			return buf, 0
		case <-r.stopCh:
			return nil, EndStopped
		case <-r.encFailed:
			return nil, 0
		case <-poll.C:
			if !r.grant.Valid() {
				return nil, EndGrantInvalid
			}
		}
	}
}

// encResult is what the encoder goroutine reports when frames is closed.
type encResult struct {
	reason EndReason // EndEncoderFailed or EndSinkFailed when err != nil
	err    error
	kept   int64 // samples covered by what the Sink accepted
	bytes  int64
}

// encode encodes frames until the channel closes, writing a piece to the
// Sink every ChunkDuration of audio and the rest at the end.
func (r *Recording) encode() (res encResult) {
	chunk := max(1, int64(r.opts.ChunkDuration)*int64(r.rate)/int64(time.Second))
	peaks := newPeakMeter(r.rate)
	var fed, pending int64
	fail := func(reason EndReason, err error) {
		res.reason, res.err = reason, err
		close(r.encFailed)
	}
	// flush hands the bytes and Peaks gathered so far to the Sink.
	flush := func(final bool) {
		if r.encw.Len() > 0 {
			n, err := r.sink.Write(r.encw.Bytes())
			if err == nil && n < r.encw.Len() {
				err = io.ErrShortWrite
			}
			if err != nil {
				fail(EndSinkFailed, fmt.Errorf("audio: write recording: %w", err))
				return
			}
			res.bytes += int64(n)
			r.encw.Reset()
		}
		if p := peaks.take(final); len(p) > 0 {
			if err := r.sink.WritePeaks(p); err != nil {
				fail(EndSinkFailed, fmt.Errorf("audio: write peaks: %w", err))
				return
			}
		}
		res.kept = fed
		pending = 0
	}
	// When the encoder is behind (a fast source, a busy machine) it takes
	// every frame already waiting, up to batchDuration, in one Encode: LAME
	// costs less per sample in larger calls.
	batch := make([]int16, 0, max(1, r.rate*int(batchDuration/time.Millisecond)/1000))
	more := true
	for more {
		f, ok := <-r.frames
		if !ok {
			break
		}
		batch = append(batch[:0], f...)
		r.free <- f[:cap(f)]
		// Stop at the piece boundary, so pieces stay about ChunkDuration.
		limit := min(int64(cap(batch)), chunk-pending)
	gather:
		for int64(len(batch)) < limit {
			select {
			case f, ok := <-r.frames:
				if !ok {
					more = false
					break gather
				}
				batch = append(batch, f...)
				r.free <- f[:cap(f)]
			default:
				break gather
			}
		}
		if res.err != nil {
			continue // drain after a failure
		}
		if err := r.enc.Encode(batch); err != nil {
			fail(EndEncoderFailed, fmt.Errorf("audio: encode: %w", err))
			continue
		}
		peaks.add(batch)
		fed += int64(len(batch))
		pending += int64(len(batch))
		if pending >= chunk {
			flush(false)
		}
	}
	if res.err != nil {
		r.enc.Close() // frees the encoder; its error adds nothing
		return res
	}
	if err := r.enc.Close(); err != nil {
		fail(EndEncoderFailed, fmt.Errorf("audio: finish encoding: %w", err))
		return res
	}
	flush(true)
	return res
}

// chime plays c, reporting a failure to Logf.
func (r *Recording) chime(c Chime) {
	if err := PlayChime(r.opts.Speaker, c); err != nil && r.opts.Logf != nil {
		r.opts.Logf("audio: %s chime: %v", c, err)
	}
}
