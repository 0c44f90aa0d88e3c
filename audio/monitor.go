package audio

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	"github.com/assent-recorder/assent/consent"
)

// DefaultCheckDuration is how long a Monitor listens when
// MonitorOptions.Limit is zero: long enough to say a sentence and watch the
// level move.
const DefaultCheckDuration = 10 * time.Second

// MonitorOptions configure a Monitor.
type MonitorOptions struct {
	// OnLevel receives a Level for every LevelInterval of audio; required.
	// It is called from the capture goroutine and must return quickly.
	// Unlike a Recording's, it gets every Level, however fast the Source
	// (a check is at most Limit long), so that the loudest is among them.
	OnLevel func(Level)
	// OnEnd, if set, is called once from the capture goroutine when the
	// microphone has been closed, with the End that Wait returns.
	OnEnd func(End)
	// Limit is how much audio to listen to before closing the microphone
	// by itself; 0 means DefaultCheckDuration.
	Limit time.Duration
}

// Monitor listens to a microphone only to measure its level: the level test
// of the settings screen. Every frame is measured and then cleared; nothing
// is encoded, kept or written anywhere. It runs under a consent.MicCheck's
// CheckGrant, and stops on the next 20 ms frame once the check is stopped,
// at Stop, or after Limit of audio.
type Monitor struct {
	meter  *Meter // answers to the check
	opts   MonitorOptions
	stopCh chan struct{}
	once   sync.Once
	done   chan struct{}
	end    End
}

// StartMonitor opens mic for a level check under check and measures it
// until Stop, the check being stopped, Limit, or a failure of the
// microphone. An invalid check is refused (ErrGrantInvalid) before mic is
// touched; a nil mic or OnLevel is ErrOptions; errors from OpenMeter
// (ErrNoInputDevice, …) are returned wrapped.
//
// It takes a consent.CheckGrant and never a session's Grant, and a
// recording (Start) never takes a CheckGrant: a level check and a
// recording cannot be mistaken for one another.
func StartMonitor(check consent.CheckGrant, mic Meterable, opts MonitorOptions) (*Monitor, error) {
	if !check.Valid() {
		return nil, fmt.Errorf("audio: start level check: %w", ErrGrantInvalid)
	}
	if mic == nil || opts.OnLevel == nil {
		return nil, fmt.Errorf("%w: a level check needs a mic and Options.OnLevel", ErrOptions)
	}
	if opts.Limit <= 0 {
		opts.Limit = DefaultCheckDuration
	}
	meter, err := mic.OpenMeter(check)
	if err != nil {
		return nil, fmt.Errorf("audio: start level check: %w", err)
	}
	m := &Monitor{meter: meter, opts: opts, stopCh: make(chan struct{}), done: make(chan struct{})}
	go m.run()
	return m, nil
}

// Stop closes the microphone once the read in progress returns and
// reports how the check ended. It is idempotent.
func (m *Monitor) Stop() End {
	m.once.Do(func() { close(m.stopCh) })
	return m.Wait()
}

// Wait waits for the check to end and returns how it ended.
func (m *Monitor) Wait() End {
	<-m.done
	return m.end
}

// Done is closed when the microphone has been closed.
func (m *Monitor) Done() <-chan struct{} { return m.done }

func (m *Monitor) run() {
	end := End{}
	rate := m.meter.SampleRate()
	limit := int64(m.opts.Limit) * int64(rate) / int64(time.Second)
	var heard int64
	for end.Reason == 0 {
		select {
		case <-m.stopCh:
			end.Reason = EndStopped
			continue
		default:
		}
		if heard >= limit {
			end.Reason = EndSourceEnded
			continue
		}
		n, err := m.meter.Listen(int(min(limit-heard, math.MaxInt32)), m.opts.OnLevel)
		heard += int64(n)
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			end.Reason = EndSourceEnded
		case errors.Is(err, ErrGrantInvalid):
			end.Reason = EndGrantInvalid
		default:
			end.Reason, end.Err = EndSourceFailed, fmt.Errorf("audio: level check: %w", err)
		}
	}
	if err := m.meter.Close(); err != nil && end.Err == nil && end.Reason != EndSourceFailed {
		end.Reason, end.Err = EndSourceFailed, fmt.Errorf("audio: close after level check: %w", err)
	}
	end.Captured = samplesToDuration(heard, rate)
	m.end = end
	if m.opts.OnEnd != nil {
		m.opts.OnEnd(end)
	}
	close(m.done)
}

// Meter is a microphone opened for a level check (Meterable.OpenMeter): it
// hears, measures and forgets. It gives out Levels and never the samples,
// which it clears as soon as they are measured, so nothing opened under a
// consent.CheckGrant can be kept, whoever holds the Meter. Its methods are
// for one goroutine.
type Meter struct {
	check  consent.CheckGrant
	src    Source
	buf    []int16 // one frame; cleared after each Listen
	levels *levelMeter
}

// NewMeter is how a Meterable hands out what OpenMeter opened: src, opened
// under check, becomes a Meter, which from then on is its only reader and
// closes it. An invalid check (ErrGrantInvalid) or a Source without a
// sample rate (ErrFormat) is refused, and src closed.
func NewMeter(check consent.CheckGrant, src Source) (*Meter, error) {
	if !check.Valid() {
		src.Close()
		return nil, fmt.Errorf("audio: level check: %w", ErrGrantInvalid)
	}
	rate := src.SampleRate()
	if rate <= 0 {
		src.Close()
		return nil, fmt.Errorf("%w: source rate %d Hz", ErrFormat, rate)
	}
	return &Meter{
		check:  check,
		src:    src,
		buf:    make([]int16, max(1, rate*int(frameDuration/time.Millisecond)/1000)),
		levels: newLevelMeter(rate),
	}, nil
}

// SampleRate is the microphone's rate, in Hz.
func (m *Meter) SampleRate() int { return m.src.SampleRate() }

// Listen hears up to limit samples (one read of the microphone: at most
// 20 ms of audio), hands onLevel a Level for every LevelInterval completed
// (Elapsed counting from the first Listen), clears what it heard, and
// returns how many samples that was. Its errors are the Source's: io.EOF,
// ErrDeviceLost, ErrClosed after Close; and ErrGrantInvalid, with nothing
// read, once the check has been stopped.
func (m *Meter) Listen(limit int, onLevel func(Level)) (int, error) {
	if !m.check.Valid() {
		return 0, fmt.Errorf("audio: level check: %w", ErrGrantInvalid)
	}
	if limit <= 0 {
		return 0, nil
	}
	p := m.buf[:min(len(m.buf), limit)]
	n, err := m.src.Read(p)
	m.levels.add(p[:n], onLevel)
	clear(p[:n]) // nothing heard outlives its measurement
	return n, err
}

// Close closes the microphone. It is idempotent.
func (m *Meter) Close() error { return m.src.Close() }
