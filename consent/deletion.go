package consent

import (
	"fmt"
	"time"
)

// maxCalendarDays keeps DeletionDate's arithmetic far from overflow for any
// keepDays a caller might pass.
const maxCalendarDays = 100_000

// DeletionDate returns the instant by which a recording granted at grantedAt
// must be gone: the start of the local day (in loc) that is keepDays
// calendar days after the local day of grantedAt. With endOfToday it is the
// start of the next local day, unless keepDays asks for earlier. A nil loc
// means UTC; keepDays below 0 counts as 0 (the start of grantedAt's own day,
// already past).
//
// The arithmetic is on calendar dates, not hours: 28 days after 20 October
// is 17 November at local midnight even though a daylight-saving change
// makes that day 673 hours away. Where a day does not begin at 00:00
// (a clock change at midnight), the day starts at its first instant; where
// a date is skipped altogether, the next day that exists is used.
func DeletionDate(grantedAt time.Time, keepDays int, endOfToday bool, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	days := min(max(keepDays, 0), maxCalendarDays)
	if endOfToday {
		days = min(days, 1)
	}
	y, m, d := grantedAt.In(loc).Date()
	return startOfDay(y, m, d+days, loc)
}

// startOfDay returns the first instant whose local date in loc is on or
// after the date y-m-d (d may overflow the month; it is normalised).
//
// time.Date(y, m, d, 0, 0, 0, 0, loc) is not enough: when a clock change
// skips midnight, time.Date may return 23:00 of the previous day. Within one
// zone period the local clock runs evenly, so the earliest instant of a
// period on or after the date is either that period's start or local
// midnight at its offset; walking the periods forward from well before the
// date, the first that reaches the date holds the answer.
func startOfDay(y int, m time.Month, d int, loc *time.Location) time.Time {
	target := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // the civil date, as a UTC midnight
	naive := time.Date(y, m, d, 0, 0, 0, 0, loc)
	u := naive.Add(-48 * time.Hour)
	for range 64 {
		start, end := u.ZoneBounds()
		_, offset := u.Zone()
		midnight := target.Add(-time.Duration(offset) * time.Second)
		cand := midnight
		if !start.IsZero() && start.After(cand) {
			cand = start
		}
		if end.IsZero() || cand.Before(end) {
			return cand.In(loc)
		}
		if !end.After(u) { // cannot happen with a sane zone; never loop forever
			break
		}
		u = end
	}
	return naive
}

// LongDate writes the local date of t in loc in full, as a client reads it:
// "Sunday 27 December 2026". A nil loc means UTC. It is English: see
// LongDateIn for a client's language.
func LongDate(t time.Time, loc *time.Location) string {
	return wordsOf(DefaultLanguage).longDate(t, loc)
}

// LongDateIn is LongDate in the language of tag (English for an unknown
// tag), with the language's own order and words: "domingo, 27 de
// diciembre de 2026", "Sonntag, 27. Dezember 2026".
func LongDateIn(tag string, t time.Time, loc *time.Location) string {
	return wordsOf(tag).longDate(t, loc)
}

// longDate is LongDate in w's words.
func (w *words) longDate(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return fmt.Sprintf(w.LongDate, w.Weekdays[t.Weekday()], t.Day(), w.Months[t.Month()-1], t.Year())
}
