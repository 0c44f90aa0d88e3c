package storage

import (
	"database/sql"
	"fmt"
	"time"
)

// ClockTolerance is how far the clock may read before the latest time seen
// (a correction, a drifting clock set right) before recordings are refused
// (*ClockBehindError). Within it, the latest time seen still decides what
// is due.
const ClockTolerance = 24 * time.Hour

// The latest time seen is kept in the clock table: every write
// transaction raises it to its own time (noteClock, from write), and so
// does every Purge, with the time it was given. The anchor of the audit
// log (anchor.go) carries it too, under the key, so that lowering the
// table's copy by hand gains nothing once the vault has been unlocked.

// noteClock raises the latest time seen to now, in tx.
func noteClock(tx *sql.Tx, now time.Time) error {
	_, err := tx.Exec(`INSERT INTO clock (id, latest_seen) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET latest_seen = max(latest_seen, excluded.latest_seen)`, nanos(now))
	return err
}

// latestSeen is the latest time any process of this folder has seen on
// its clock: the clock table's, or the anchor's if later (read without
// the key: raising it by hand can only make recordings go sooner).
func latestSeen(q querier) (time.Time, error) {
	var n int64
	err := q.QueryRow(`SELECT max(coalesce((SELECT latest_seen FROM clock WHERE id = 1), 0),
		coalesce((SELECT seen_at FROM audit_anchor WHERE id = 1), 0))`).Scan(&n)
	if err != nil {
		return time.Time{}, dbErr(err)
	}
	return fromNanos(n), nil
}

// LatestSeen returns the latest time seen on the clock by any process
// of this folder (the zero time if none yet): what Purge deletes by when
// the clock reads earlier, and what the clock is compared with before a
// recording is played (ClockTolerance).
func (db *DB) LatestSeen() (time.Time, error) {
	t, err := latestSeen(db.sql)
	if err != nil {
		return time.Time{}, fmt.Errorf("storage: latest time seen: %w", err)
	}
	if t.Equal(time.Unix(0, 0)) {
		return time.Time{}, nil
	}
	return t, nil
}

// checkClock returns the latest time seen, or a *ClockBehindError when now
// is more than ClockTolerance before it.
func checkClock(q querier, now time.Time) (time.Time, error) {
	latest, err := latestSeen(q)
	if err != nil {
		return latest, err
	}
	if now.Before(latest.Add(-ClockTolerance)) {
		return latest, &ClockBehindError{Now: now, Latest: latest}
	}
	return latest, nil
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
