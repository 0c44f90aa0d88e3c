package audio

import (
	"errors"
	"fmt"
	"io"
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
// is encoded, kept or written anywhere. It runs under a Grant like a
// Recording, normally a consent.MicCheck's, and stops on the next 20 ms
// frame once the Grant turns invalid, at Stop, or after Limit of audio.
type Monitor struct {
	grant  consent.Grant
	src    Source
	opts   MonitorOptions
	rate   int
	stopCh chan struct{}
	once   sync.Once
	done   chan struct{}
	end    End
}

// StartMonitor opens mic under grant and measures it until Stop, the
// Grant turning invalid, Limit, or a failure of the Source. As with Start,
// an invalid Grant is refused (ErrGrantInvalid) before mic is touched.
func StartMonitor(grant consent.Grant, mic Mic, opts MonitorOptions) (*Monitor, error) {
	if !grant.Valid() {
		return nil, fmt.Errorf("audio: start level check: %w", ErrGrantInvalid)
	}
	if mic == nil || opts.OnLevel == nil {
		return nil, fmt.Errorf("%w: a level check needs a mic and Options.OnLevel", ErrOptions)
	}
	if opts.Limit <= 0 {
		opts.Limit = DefaultCheckDuration
	}
	src, rate, err := openSource(grant, mic, "start level check")
	if err != nil {
		return nil, err
	}
	m := &Monitor{grant: grant, src: src, opts: opts, rate: rate, stopCh: make(chan struct{}), done: make(chan struct{})}
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
	meter := newLevelMeter(m.rate)
	limit := int64(m.opts.Limit) * int64(m.rate) / int64(time.Second)
	buf := make([]int16, max(1, m.rate*int(frameDuration/time.Millisecond)/1000))
	var captured int64
	for end.Reason == 0 {
		select {
		case <-m.stopCh:
			end.Reason = EndStopped
			continue
		default:
		}
		if !m.grant.Valid() {
			end.Reason = EndGrantInvalid
			continue
		}
		if captured >= limit {
			end.Reason = EndSourceEnded
			continue
		}
		n, err := m.src.Read(buf[:min(int64(len(buf)), limit-captured)])
		captured += int64(n)
		meter.add(buf[:n], m.opts.OnLevel)
		clear(buf[:n]) // nothing heard outlives its measurement
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
	if err := m.src.Close(); err != nil && end.Err == nil && end.Reason != EndSourceFailed {
		end.Reason, end.Err = EndSourceFailed, fmt.Errorf("audio: close after level check: %w", err)
	}
	end.Captured = samplesToDuration(captured, m.rate)
	m.end = end
	if m.opts.OnEnd != nil {
		m.opts.OnEnd(end)
	}
	close(m.done)
}
