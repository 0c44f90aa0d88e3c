package session

import "time"

// ChoiceDate is the deletion date a yes given now with this choice would
// ask for (consent.Session.ChoiceDate): keepDays (0: the policy's
// default) or the end of today. Offer only choices whose date is before
// DeleteOn.
func (s *Session) ChoiceDate(keepDays int, endOfToday bool) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.ChoiceDate(keepDays, endOfToday)
}
