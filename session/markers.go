package session

import (
	"errors"
	"fmt"

	"github.com/assent-recorder/assent/storage"
)

// ErrNotRecording: a moment can be marked only while recording.
var ErrNotRecording = errors.New("nothing is being recorded")

// Mark marks this moment of the recording under way, with an optional
// word, for the therapist to come back to: the marker is kept with the
// recording's writer and sealed with the recording (storage.AddMarker).
// A marker records nothing; it is the time captured so far and the word.
// It returns the marker and the recording's segment (1 for the session's
// first), or ErrNotRecording.
func (s *Session) Mark(word string) (storage.Marker, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.capture
	if c == nil {
		return storage.Marker{}, 0, ErrNotRecording
	}
	m := storage.Marker{At: s.Level().Elapsed, Word: word}
	if err := c.writer.AddMarker(m); err != nil {
		return storage.Marker{}, 0, fmt.Errorf("session: mark: %w", err)
	}
	return m, s.segments, nil
}

// Segment is the segment of the recording under way (1 for the session's
// first), or 0 when nothing is being recorded.
func (s *Session) Segment() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.capture == nil {
		return 0
	}
	return s.segments
}
