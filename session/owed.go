package session

import (
	"errors"
	"time"

	"github.com/assent-recorder/assent/storage"
)

// Owed reports whether steps of this session are owed: stored in the owed
// journal but not yet in the consent history, or deletions not yet done
// (or the session not yet marked ended). The change callback runs when it
// turns false: the owed steps are then stored and their deletions done,
// and a screen may say so.
func (s *Session) Owed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.owed || s.endPending
}

// Retry tries now to finish what this session owes (see Owed), and
// returns why it could not, or nil once nothing is owed any more. It may
// wait for the database's busy timeout, without holding the session: call
// it off the screen's goroutine. The session also tries by itself
// (Options.RetryEvery) and at its next step; Retry is for a caller that
// knows the database is free again. The change callback runs when the
// owed steps have been finished.
func (s *Session) Retry() error {
	done, err := s.tryOwed()
	if done {
		s.changed()
	}
	return err
}

// tryOwed asks storage to finish the session's owed steps, then marks
// the session ended if that is still to be done. The storage work runs
// without the lock (it may wait for the busy timeout, and the screen asks
// the session for its state meanwhile); a step owing something new
// meanwhile keeps the session owing. done reports that everything owed is
// now finished.
func (s *Session) tryOwed() (done bool, err error) {
	s.mu.Lock()
	gen, endPending := s.oweGen, s.endPending
	was := s.owed || s.endPending
	s.mu.Unlock()
	owing, err := s.opt.DB.FinishOwed(s.stored.ID)
	ended := false
	if !owing && endPending {
		var endErr error
		if endErr = s.opt.DB.EndSession(s.stored.ID); endErr == nil {
			ended = true
		}
		err = errors.Join(err, endErr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen == s.oweGen {
		s.owed = owing
		if ended {
			s.endPending = false
		}
	}
	still := s.owed || s.endPending
	if !still {
		s.stopRetry()
	}
	return was && !still, err
}

// owe notes that something of the session went to the owed journal, and
// arms the timer that tries again. Call it with the lock held.
func (s *Session) owe() {
	s.owed = true
	s.oweGen++
	s.armRetry()
}

// finishOwed is tryOwed for a step, which holds the lock (and waits for
// storage anyway): it finishes what is owed, and the end.
func (s *Session) finishOwed() {
	owing, _ := s.opt.DB.FinishOwed(s.stored.ID)
	s.owed = owing
	if !owing && s.endPending && s.opt.DB.EndSession(s.stored.ID) == nil {
		s.endPending = false
	}
	if !s.owed && !s.endPending {
		s.stopRetry()
	}
}

// armRetry starts the timer of the next try, unless it runs already, the
// session is silenced or Options.RetryEvery says never. Call it with the
// lock held.
func (s *Session) armRetry() {
	if s.retry != nil || s.opt.RetryEvery < 0 || s.quiet.Load() {
		return
	}
	s.retry = time.AfterFunc(s.opt.RetryEvery, s.retryTick)
}

// stopRetry stops the timer. Call it with the lock held.
func (s *Session) stopRetry() {
	if s.retry != nil {
		s.retry.Stop()
		s.retry = nil
	}
}

// retryTick is the timer's try, on its own goroutine. It logs nothing:
// the step that became owed was logged, and storage's audit log says when
// each was stored. It tries again later unless everything is finished, the
// session is silenced or the database closed.
func (s *Session) retryTick() {
	if s.quiet.Load() {
		return
	}
	done, err := s.tryOwed()
	s.mu.Lock()
	s.retry = nil
	if (s.owed || s.endPending) && !errors.Is(err, storage.ErrClosed) {
		s.armRetry()
	}
	s.mu.Unlock()
	if done && !s.quiet.Load() {
		s.do(s.changed)
	}
}
