// Package clocktest is a clock for tests: it moves only when told to.
//
// A test hands Now to the code under test wherever that code takes a
// `Now func() time.Time` (storage.Options, app.Options, session.Options),
// then moves the time with Add or Set between steps. Every reader sees the
// same time until the test moves it, so a deadline, a deletion date or an
// auto-lock is reached exactly when the test says, never by the machine
// being slow.
package clocktest

import (
	"sync"
	"time"
)

// Clock is a time that changes only through Add and Set. Its methods are
// safe for concurrent use: the code under test may read it from its own
// goroutines while the test moves it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a clock showing t.
func New(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time. Its method value (c.Now) is the
// `func() time.Time` that options take.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d, backwards if d is negative.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set puts the clock at t, which may be before its time.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
