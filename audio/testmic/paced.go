package testmic

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Block is how much audio the Feeder writes at a time: 20 ms, 640 bytes
// of 16 kHz mono signed 16-bit, one Input read of audio/portaudio.
const Block = 20 * time.Millisecond

// blockBytes is Block in bytes of the fixture's format (2 bytes a sample).
const blockBytes = 2 * Rate / 50

// PipeBytes is the capacity the Feeder gives the named pipe, the smallest
// Linux allows (one page; the default is 64 KiB). A block that does not
// fit is dropped, so little audio waits in the pipe: see InFlight.
const PipeBytes = 4096

// InFlight is the most audio that can wait in the pipe for a reader, the
// whole blocks that fit in PipeBytes: six, 120 ms. A reader that opens
// the device and starts reading later gets at most this much audio older
// than the present.
const InFlight = time.Duration(PipeBytes/blockBytes) * Block

// reconnectPoll is how often the Feeder looks for a new reader. ALSA's
// file plugin opens its infile blocking, so a device open (by PortAudio's
// scans too) waits at most about this long for the Feeder to answer.
const reconnectPoll = 2 * time.Millisecond

// NewPaced is New with a paced device: the ALSA capture device reads a
// named pipe that a Feeder in this process fills with the fixture, over
// and over, at the pace of the wall clock, so that a recording of it takes
// as long as the audio it captures (New's device answers every read at
// once). Mic.Feeder reports what has been delivered; it stops at t's
// cleanup. Point HOME at the Mic (Setenv, or Env for a child) as with New;
// the child may be killed at any time, the Feeder waits for the next
// reader.
func NewPaced(t testing.TB, text string) *Mic {
	t.Helper()
	m := newMic(t, text)
	m.Infile = filepath.Join(m.Home, "speech.fifo")
	if err := unix.Mkfifo(m.Infile, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	pcm, err := os.ReadFile(m.Fixture)
	if err != nil {
		t.Fatal(err)
	}
	m.writeConfig(t)
	f, err := startFeeder(m.Infile, pcm)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Stop)
	m.Feeder = f
	return m
}

// Feeder writes a fixture into the named pipe that the paced test
// microphone reads, one Block at a time at wall-clock pace, for whichever
// process has the device open.
//
// A reader is whoever has the pipe open for reading: ALSA's file plugin
// opens it when the capture device is opened (PortAudio opens and closes
// devices when it initialises, scans and opens streams), and closes it
// with the device. The Feeder opens its end when a reader appears, starts
// the fixture from its beginning, writes one block per Block of wall time,
// and closes its end when the reader goes away (a write fails with EPIPE,
// which Go reports as an error rather than a signal for any file but
// stdout and stderr), then waits for the next reader. It notices at its
// next block: a reader that opens the device within a block of the last
// one closing it (PortAudio reopening a device it has just probed) joins
// the same feed and continues where that one left off. The fixture loops,
// so a recording hears speech however long it lasts.
//
// Delivery never runs ahead of the clock: a late tick (a busy machine) is
// caught up only as far as the pipe has room, and a block that does not
// fit in the pipe (a reader that opened the device but is not reading) is
// dropped, not kept for later, and the fixture does not advance past it.
// So what a reader can have captured from the Feeder by time t is at most
// t − FirstBlock() + Block, and a reader that starts reading late gets at
// most InFlight of older audio before audio of the present. (This holds
// for what the Feeder writes; a reader that asks the device for more than
// a block at a time gets filler on top, as the package doc explains.)
//
// Its methods are safe for concurrent use.
type Feeder struct {
	path string
	pcm  []byte

	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once

	mu        sync.Mutex
	delivered int64     // bytes written to the pipe, all readers
	first     time.Time // first block for the current reader; zero without one
	reading   bool
	readingCh chan struct{} // closed while reading
}

// startFeeder starts feeding pcm into the named pipe at path.
func startFeeder(path string, pcm []byte) (*Feeder, error) {
	if len(pcm) < blockBytes {
		return nil, fmt.Errorf("testmic: fixture of %d bytes is shorter than a block", len(pcm))
	}
	f := &Feeder{
		path:      path,
		pcm:       pcm[:len(pcm)/blockBytes*blockBytes],
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
		readingCh: make(chan struct{}),
	}
	go f.run()
	return f, nil
}

// Delivered is all the audio written into the pipe so far, for every
// reader together; a block is counted as its write begins, so no reader
// has read more than this. Audio dropped because a reader did not read is
// not counted.
func (f *Feeder) Delivered() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return bytesToDuration(f.delivered)
}

// FirstBlock is when the first block for the current reader (or the feed
// it joined; see Feeder) was written into the pipe, or the zero Time while
// no process has the device open.
// The current reader cannot have captured more than
// time.Since(FirstBlock()) + Block of audio from the Feeder.
func (f *Feeder) FirstBlock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.first
}

// Reading reports whether a reader is reading: it has the device open and
// took audio from the pipe since the last block that did not fit. A
// device that is open but not started, or stopped, is not reading.
func (f *Feeder) Reading() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reading
}

// WaitReading waits until a reader is reading (see Reading), for at most
// timeout, and reports whether one is.
func (f *Feeder) WaitReading(timeout time.Duration) bool {
	f.mu.Lock()
	ch := f.readingCh
	f.mu.Unlock()
	select {
	case <-ch:
		return true
	case <-time.After(timeout):
		return f.Reading()
	}
}

// Stop stops feeding and returns at once (it never waits for a reader).
// From then on the device reads as an empty file, silence, whether it was
// open or is opened later; a process blocked opening it is released. It is
// idempotent.
func (f *Feeder) Stop() {
	f.stopOnce.Do(func() {
		close(f.stop)
		<-f.done
		f.release()
	})
}

// release replaces the pipe with an empty file and lets any process
// blocked in opening the pipe go on: opening a FIFO read-write never
// blocks on Linux and counts as the writer it waits for; closing it then
// gives that reader end-of-file.
func (f *Feeder) release() {
	fd, err := unix.Open(f.path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	empty := f.path + ".stopped"
	if os.WriteFile(empty, nil, 0o600) == nil {
		os.Rename(empty, f.path)
	}
	if err == nil {
		unix.Close(fd)
	}
}

// run is the Feeder's goroutine: wait for a reader, feed it, repeat.
func (f *Feeder) run() {
	defer close(f.done)
	for {
		fd, ok := f.waitReader()
		if !ok {
			return
		}
		stopped := f.feed(fd)
		unix.Close(fd)
		f.setReader(time.Time{}, false)
		if stopped {
			return
		}
	}
}

// waitReader opens the pipe for writing as soon as a reader has it open,
// without ever blocking: a non-blocking open for writing fails with ENXIO
// while there is no reader. It returns false when stopped.
func (f *Feeder) waitReader() (int, bool) {
	for {
		fd, err := unix.Open(f.path, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err == nil {
			// Shrinking fails only for a pipe holding more than
			// PipeBytes, which one this Feeder fed never does.
			// TestPacedLateReader checks the bound.
			unix.FcntlInt(uintptr(fd), unix.F_SETPIPE_SZ, PipeBytes)
			return fd, true
		}
		select {
		case <-f.stop:
			return -1, false
		case <-time.After(reconnectPoll):
		}
	}
}

// feed writes the fixture from its start into fd, one block per Block of
// wall time, until the reader goes away (false) or Stop (true).
func (f *Feeder) feed(fd int) (stopped bool) {
	var (
		off      int       // next byte of pcm to write
		written  int64     // bytes written for this reader
		consumed int64     // of which the reader had taken, when last seen
		next     time.Time // when the next block is due
		started  bool
		timer    = time.NewTimer(0)
	)
	// A reader that took audio since we last looked is reading.
	look := func() {
		// TIOCINQ is FIONREAD: the bytes waiting in the pipe.
		if n, err := unix.IoctlGetInt(fd, unix.TIOCINQ); err == nil && written-int64(n) > consumed {
			consumed = written - int64(n)
			f.setReading(true)
		}
	}
	defer timer.Stop()
	block := func() []byte { return f.pcm[off : off+blockBytes] }
	for {
		select {
		case <-f.stop:
			return true
		case <-timer.C:
		}
		now := time.Now()
		if !started {
			next = now
		}
		look()
		for !next.After(now) {
			// Counted before the write, so that Delivered is never less
			// than what a reader has read, and taken back if it fails.
			f.addDelivered(blockBytes)
			_, err := unix.Write(fd, block())
			if err != nil {
				f.addDelivered(-blockBytes)
			}
			if errors.Is(err, unix.EAGAIN) {
				// No room: the reader is not reading. Drop this tick's
				// audio and the rest of any lag; never burst later.
				f.setReading(false)
				next = now.Add(Block)
				break
			}
			if err != nil { // EPIPE: the reader went away
				return false
			}
			if !started {
				started = true
				f.setReader(now, false)
			}
			written += blockBytes
			off = (off + blockBytes) % len(f.pcm)
			next = next.Add(Block)
		}
		look()
		timer.Reset(time.Until(next))
	}
}

// addDelivered adds n bytes to what has been delivered.
func (f *Feeder) addDelivered(n int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delivered += n
}

// setReader records a new reader's first block (zero: no reader).
func (f *Feeder) setReader(first time.Time, reading bool) {
	f.mu.Lock()
	f.first = first
	f.mu.Unlock()
	f.setReading(reading)
}

// setReading records whether the reader reads, waking WaitReading.
func (f *Feeder) setReading(r bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r == f.reading {
		return
	}
	f.reading = r
	if r {
		close(f.readingCh)
	} else {
		f.readingCh = make(chan struct{})
	}
}

// bytesToDuration is how long n bytes of the fixture's format play.
func bytesToDuration(n int64) time.Duration {
	return time.Duration(n/2) * time.Second / Rate
}
