package audio

import (
	"bytes"
	"fmt"

	"github.com/assent-recorder/assent/assets"
)

// Chime is one of the sounds that tell everyone in the room that recording
// has started or stopped.
type Chime int

// The chimes. They are MP3s in assets (chime-start.mp3, chime-stop.mp3),
// synthesised and encoded by this project: `go generate ./assets`.
const (
	// ChimeStart is two soft notes rising: recording has started.
	ChimeStart Chime = iota + 1
	// ChimeStop is the same two notes falling: recording has stopped.
	ChimeStop
)

// String returns "start" or "stop".
func (c Chime) String() string {
	switch c {
	case ChimeStart:
		return "start"
	case ChimeStop:
		return "stop"
	}
	return fmt.Sprintf("Chime(%d)", int(c))
}

// MP3 returns the chime's MP3 bytes (shared; do not modify), or nil for an
// unknown Chime.
func (c Chime) MP3() []byte {
	switch c {
	case ChimeStart:
		return assets.ChimeStartMP3
	case ChimeStop:
		return assets.ChimeStopMP3
	}
	return nil
}

// PlayChime plays c on spk and returns when it has been played. Errors
// wrap ErrFormat for an unknown Chime, and otherwise come from the Speaker.
func PlayChime(spk Speaker, c Chime) error {
	b := c.MP3()
	if b == nil {
		return fmt.Errorf("%w: unknown chime %d", ErrFormat, int(c))
	}
	p, err := NewPlayer(bytes.NewReader(b), spk)
	if err != nil {
		return fmt.Errorf("audio: %s chime: %w", c, err)
	}
	defer p.Close()
	if err := p.Play(); err != nil {
		return err
	}
	<-p.Ended()
	return p.Err()
}
