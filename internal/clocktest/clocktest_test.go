package clocktest_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/assent-recorder/assent/internal/clocktest"
)

var start = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)

func TestClockMovesOnlyWhenTold(t *testing.T) {
	c := clocktest.New(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("New(%v).Now() = %v", start, got)
	}
	time.Sleep(2 * time.Millisecond)
	if got := c.Now(); !got.Equal(start) {
		t.Errorf("the clock moved by itself: %v", got)
	}
	c.Add(90 * time.Second)
	if want := start.Add(90 * time.Second); !c.Now().Equal(want) {
		t.Errorf("after Add: %v, want %v", c.Now(), want)
	}
	c.Add(-time.Hour)
	if want := start.Add(90*time.Second - time.Hour); !c.Now().Equal(want) {
		t.Errorf("after a negative Add: %v, want %v", c.Now(), want)
	}
	later := start.AddDate(0, 0, 30)
	c.Set(later)
	if !c.Now().Equal(later) {
		t.Errorf("after Set: %v, want %v", c.Now(), later)
	}
	c.Set(start)
	if !c.Now().Equal(start) {
		t.Errorf("after Set back: %v, want %v", c.Now(), start)
	}
}

// TestClockConcurrentUse reads the clock from several goroutines while
// another moves it; run with -race it checks that Clock is safe for
// concurrent use, and every read sees a time the clock really showed.
func TestClockConcurrentUse(t *testing.T) {
	c := clocktest.New(start)
	const steps = 1000
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := start
			for range steps {
				now := c.Now()
				if now.Before(last) || now.After(start.Add(steps*time.Second)) {
					t.Errorf("read %v after %v", now, last)
					return
				}
				last = now
			}
		}()
	}
	for range steps {
		c.Add(time.Second)
	}
	wg.Wait()
	if want := start.Add(steps * time.Second); !c.Now().Equal(want) {
		t.Errorf("after %d steps: %v, want %v", steps, c.Now(), want)
	}
}

// A Clock's Now is what options that take `func() time.Time` are given.
func Example() {
	c := clocktest.New(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	var now func() time.Time = c.Now // as in storage.Options{Now: c.Now}
	c.Add(24 * time.Hour)
	fmt.Println(now().Format("2 January 15:04"))
	// Output: 2 June 10:00
}
