package consent_test

import (
	"errors"
	"testing"
	"time"

	"github.com/assent-recorder/assent/consent"
)

// TestDeletionDateAcrossDST: 28 calendar days from 20 October 2026 in
// London crosses the return to GMT on 25 October; the recording is gone at
// local midnight of 17 November, which is 00:00 UTC (GMT), not 23:00 of the
// 16th that adding 28×24 hours to a BST midnight would give.
func TestDeletionDateAcrossDST(t *testing.T) {
	cases := []struct {
		name    string
		granted time.Time
		keep    int
		eot     bool
		want    time.Time // written in UTC from the known offsets, not computed
	}{
		{"autumn, BST to GMT", time.Date(2026, 10, 20, 15, 30, 0, 0, london), 28, false, time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC)},
		{"autumn, granted just after midnight", time.Date(2026, 10, 20, 0, 0, 1, 0, london), 28, false, time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC)},
		{"autumn, granted just before midnight", time.Date(2026, 10, 20, 23, 59, 59, 0, london), 28, false, time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC)},
		{"spring, GMT to BST", time.Date(2026, 3, 20, 9, 0, 0, 0, london), 28, false, time.Date(2026, 4, 16, 23, 0, 0, 0, time.UTC)},
		{"one day over the change", time.Date(2026, 10, 24, 12, 0, 0, 0, london), 1, false, time.Date(2026, 10, 24, 23, 0, 0, 0, time.UTC)},
		{"end of today on the day of the change", time.Date(2026, 10, 25, 12, 0, 0, 0, london), 28, true, time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)},
		{"given in UTC, counted in London", time.Date(2026, 10, 19, 23, 30, 0, 0, time.UTC), 28, false, time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC)},
		{"90 days, over new year", time.Date(2026, 12, 1, 10, 0, 0, 0, london), 90, false, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
		// Chile moves its clocks at midnight: on 6 September 2026 the day
		// begins at 01:00 -03 (04:00 UTC), there is no 00:00.
		{"skipped midnight", time.Date(2026, 9, 5, 12, 0, 0, 0, santiago), 1, false, time.Date(2026, 9, 6, 4, 0, 0, 0, time.UTC)},
		{"repeated hour before midnight", time.Date(2026, 4, 4, 12, 0, 0, 0, santiago), 1, false, time.Date(2026, 4, 5, 4, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := consent.DeletionDate(c.granted, c.keep, c.eot, london)
			if c.granted.Location() == santiago {
				got = consent.DeletionDate(c.granted, c.keep, c.eot, santiago)
			}
			if !got.Equal(c.want) {
				t.Errorf("got %v (%v UTC), want %v", got, got.UTC(), c.want)
			}
		})
	}
}

// TestDeletionDateIsTheStartOfTheDay checks DeletionDate against a brute
// force search, minute by minute, for the first instant of the target day,
// around every clock change of several zones (some of which change at
// midnight, by half an hour, or skipped a whole day).
func TestDeletionDateIsTheStartOfTheDay(t *testing.T) {
	zones := []string{"Europe/London", "America/Santiago", "America/Havana", "Asia/Beirut", "Australia/Lord_Howe", "Pacific/Apia", "America/Sao_Paulo", "UTC"}
	for _, name := range zones {
		loc := mustLoad(name)
		for day := time.Date(2008, 1, 1, 12, 0, 0, 0, time.UTC); day.Year() < 2028; day = day.AddDate(0, 0, 1) {
			// Only days near a transition, or every 37th day, to keep it quick.
			prev := day.Add(-36 * time.Hour).In(loc)
			next := day.Add(36 * time.Hour).In(loc)
			_, o1 := prev.Zone()
			_, o2 := next.Zone()
			if o1 == o2 && day.YearDay()%37 != 0 {
				continue
			}
			granted := day.Add(-24 * time.Hour) // the target is the local date of `day`, roughly
			for _, keep := range []int{1, 2} {
				got := consent.DeletionDate(granted, keep, false, loc)
				gy, gm, gd := granted.In(loc).Date()
				target := time.Date(gy, gm, gd+keep, 0, 0, 0, 0, time.UTC)
				want := bruteStartOfDay(target, loc, granted)
				if !got.Equal(want) {
					t.Fatalf("%s: granted %v, keep %d: got %v, brute force %v", name, granted.In(loc), keep, got.In(loc), want.In(loc))
				}
			}
		}
	}
	// Samoa skipped Friday 30 December 2011: the day after the 29th that
	// exists is Saturday the 31st, which began at 00:00 +14.
	apia := mustLoad("Pacific/Apia")
	got := consent.DeletionDate(time.Date(2011, 12, 29, 12, 0, 0, 0, apia), 1, false, apia)
	if want := time.Date(2011, 12, 30, 10, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Samoa: got %v, want %v", got.In(apia), want.In(apia))
	}
}

// bruteStartOfDay scans forward from from, minute by minute then second by
// second, for the first instant whose local date is on or after target.
func bruteStartOfDay(target time.Time, loc *time.Location, from time.Time) time.Time {
	reached := func(u time.Time) bool {
		y, m, d := u.In(loc).Date()
		return !time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Before(target)
	}
	u := from.Truncate(time.Minute)
	for !reached(u) {
		u = u.Add(time.Minute)
	}
	for u = u.Add(-time.Minute); !reached(u); {
		u = u.Add(time.Second)
	}
	return u
}

func TestDeletionDateEdges(t *testing.T) {
	g := time.Date(2026, 10, 20, 15, 30, 0, 0, london)
	if got, want := consent.DeletionDate(g, 0, false, london), time.Date(2026, 10, 20, 0, 0, 0, 0, london); !got.Equal(want) {
		t.Errorf("0 days: %v, want the start of the same day %v", got, want)
	}
	if got, want := consent.DeletionDate(g, -5, false, london), time.Date(2026, 10, 20, 0, 0, 0, 0, london); !got.Equal(want) {
		t.Errorf("negative days: %v, want %v", got, want)
	}
	if got, want := consent.DeletionDate(g, 7, true, london), time.Date(2026, 10, 21, 0, 0, 0, 0, london); !got.Equal(want) {
		t.Errorf("end of today wins over 7 days: %v", got)
	}
	if got, want := consent.DeletionDate(g, 28, false, nil), time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("nil location means UTC: %v", got)
	}
	// Absurd inputs give a time, not a panic.
	for _, k := range []int{1 << 62, -1 << 62} {
		_ = consent.DeletionDate(g, k, false, london)
	}
	_ = consent.DeletionDate(time.Time{}, 28, false, london)
	_ = consent.DeletionDate(time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC), 90, false, london)
}

func TestLongDate(t *testing.T) {
	cases := map[string]time.Time{
		"Sunday 27 December 2026":  time.Date(2026, 12, 27, 0, 0, 0, 0, london),
		"Tuesday 17 November 2026": time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC),
		"Wednesday 1 March 2028":   time.Date(2028, 3, 1, 0, 0, 0, 0, london),
		// 02:00 UTC on the 17th is 23:00 on the 16th in Santiago (-03):
		// the date is the local one.
		"Monday 16 November 2026": time.Date(2026, 11, 17, 2, 0, 0, 0, time.UTC),
	}
	for want, tm := range cases {
		loc := london
		if tm.Hour() == 2 {
			loc = santiago
		}
		if got := consent.LongDate(tm, loc); got != want {
			t.Errorf("LongDate(%v) = %q, want %q", tm, got, want)
		}
	}
}

// TestSessionDeletionDate: the session's date follows the rules of the
// package doc: the shortest choice wins, it counts from the question, and
// once granted it never moves later.
func TestSessionDeletionDate(t *testing.T) {
	nov17 := time.Date(2026, 11, 17, 0, 0, 0, 0, london) // 28 days from t0's day
	oct27 := time.Date(2026, 10, 27, 0, 0, 0, 0, london) // 7 days
	oct21 := time.Date(2026, 10, 21, 0, 0, 0, 0, london) // end of today

	t.Run("shown before anyone answers", func(t *testing.T) {
		s := newSession(t, anna, ben)
		if !s.DeleteOn().IsZero() {
			t.Fatalf("a date before the question: %v", s.DeleteOn())
		}
		apply(t, s, ask(0))
		if !s.DeleteOn().Equal(nov17) {
			t.Fatalf("after the question: %v, want %v", s.DeleteOn(), nov17)
		}
	})
	t.Run("shortest choice wins", func(t *testing.T) {
		s := newSession(t, anna, ben)
		apply(t, s, ask(0), consent.Event{Kind: consent.EventConfirm, At: at(1), Actor: byAnna, Participant: "a", KeepDays: 7})
		if !s.DeleteOn().Equal(oct27) {
			t.Fatalf("after Anna chose 7 days: %v", s.DeleteOn())
		}
		eff := apply(t, s, consent.Event{Kind: consent.EventConfirm, At: at(2), Actor: byBen, Participant: "b", EndOfToday: true})
		if !eff.Grant.DeleteOn().Equal(oct21) || !eff.DeleteOn.Equal(oct21) || !s.DeleteOn().Equal(oct21) {
			t.Fatalf("grant %v, effects %v, session %v; want %v", eff.Grant.DeleteOn(), eff.DeleteOn, s.DeleteOn(), oct21)
		}
	})
	t.Run("a second yes cannot lengthen the first", func(t *testing.T) {
		s := newSession(t, anna, ben)
		apply(t, s, ask(0), consent.Event{Kind: consent.EventConfirm, At: at(1), Actor: byAnna, Participant: "a", KeepDays: 7}, yes(2, "a"))
		if !s.DeleteOn().Equal(oct27) {
			t.Fatalf("%v", s.DeleteOn())
		}
	})
	t.Run("answered after midnight", func(t *testing.T) {
		s := newSession(t, anna)
		asked := time.Date(2026, 10, 20, 23, 50, 0, 0, london)
		apply(t, s, consent.Event{Kind: consent.EventAsk, At: asked, Actor: therapist})
		shown := s.DeleteOn()
		eff := apply(t, s, consent.Event{Kind: consent.EventConfirm, At: asked.Add(20 * time.Minute), Actor: byAnna, Participant: "a"})
		if !shown.Equal(nov17) || !eff.Grant.DeleteOn().Equal(nov17) {
			t.Fatalf("shown %v, granted %v, want %v for both", shown, eff.Grant.DeleteOn(), nov17)
		}
	})
	t.Run("never later after a grant", func(t *testing.T) {
		s := newSession(t, anna, ben)
		g1 := apply(t, s, ask(0), yes(1, "a"), yes(2, "b")).Grant
		// Three days later (times moving on), the room changes and everyone agrees again.
		later := 3 * 24 * 60
		apply(t, s, join(later, cleo), ask(later+1), yes(later+2, "a"), yes(later+3, "b"))
		g2 := apply(t, s, yes(later+4, "c")).Grant
		if !g1.DeleteOn().Equal(nov17) || !g2.DeleteOn().Equal(nov17) || !s.DeleteOn().Equal(nov17) {
			t.Fatalf("first %v, second %v, session %v; want %v", g1.DeleteOn(), g2.DeleteOn(), s.DeleteOn(), nov17)
		}
	})
	t.Run("a shorter choice in a later round applies to the session", func(t *testing.T) {
		s := newSession(t, anna, ben)
		apply(t, s, ask(0), yes(1, "a"), yes(2, "b"), join(10, cleo), ask(11))
		eff := apply(t, s, consent.Event{Kind: consent.EventConfirm, At: at(12), Actor: byAnna, Participant: "a", KeepDays: 7})
		if !eff.DeleteOn.Equal(oct27) {
			t.Fatalf("Effects.DeleteOn %v, want %v: recordings already made must follow", eff.DeleteOn, oct27)
		}
		apply(t, s, no(13, "c"))
		if !s.DeleteOn().Equal(oct27) {
			t.Fatalf("after Cleo's no the date went back to %v", s.DeleteOn())
		}
	})
	t.Run("clock backwards", func(t *testing.T) {
		s := newSession(t, anna)
		apply(t, s, ask(0), yes(1, "a"), by(consent.EventSwitchToNotes, 2, therapist))
		// The clock is corrected two days back; the therapist asks again.
		eff := apply(t, s, by(consent.EventReAsk, -2*24*60, therapist))
		want := time.Date(2026, 11, 15, 0, 0, 0, 0, london)
		if !s.DeleteOn().Equal(want) || !eff.DeleteOn.Equal(want) {
			t.Fatalf("session %v, effects %v; want %v", s.DeleteOn(), eff.DeleteOn, want)
		}
		// Forward again by a week: still no later.
		apply(t, s, yes(7*24*60, "a"))
		if !s.DeleteOn().Equal(want) {
			t.Fatalf("moved later to %v", s.DeleteOn())
		}
		evs := s.Events()
		if !evs[3].At.Equal(at(-2 * 24 * 60)) {
			t.Fatalf("the backwards time was not recorded as given: %v", evs[3].At)
		}
	})
	t.Run("keep longer than the default", func(t *testing.T) {
		p := consent.DefaultPolicy()
		p.DefaultKeepDays = 14
		s, _ := consent.NewSession("s", "c", []consent.Participant{anna}, p, london)
		apply(t, s, ask(0))
		_, err := s.Apply(consent.Event{Kind: consent.EventConfirm, At: at(1), Actor: byAnna, Participant: "a", KeepDays: 15})
		if !errors.Is(err, consent.ErrKeepDaysOutOfRange) {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestChoiceDate: the date a choice would give is the date a yes with that
// choice gets, and a choice later than the one shown changes nothing.
func TestChoiceDate(t *testing.T) {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	p := consent.DefaultPolicy()
	p.DefaultKeepDays = 5
	s, err := consent.NewSession("s", "c", []consent.Participant{{ID: "a", Name: "Anna", Role: consent.RoleClient}}, p, loc)
	if err != nil {
		t.Fatal(err)
	}
	if !s.ChoiceDate(3, false).IsZero() {
		t.Error("a choice date before the question")
	}
	asked := time.Date(2026, 10, 24, 23, 50, 0, 0, loc) // the day before the clocks go back
	if _, err := s.Apply(consent.Event{Kind: consent.EventAsk, Actor: consent.Therapist(), At: asked}); err != nil {
		t.Fatal(err)
	}
	shown := s.DeleteOn()
	if got := s.ChoiceDate(0, false); !got.Equal(shown) {
		t.Errorf("the default choice gives %v, the screen shows %v", got, shown)
	}
	three, today := s.ChoiceDate(3, false), s.ChoiceDate(0, true)
	if !three.Before(shown) || !today.Before(three) || !s.ChoiceDate(7, false).After(shown) {
		t.Errorf("3 days %v, end of today %v, 7 days %v; shown %v", three, today, s.ChoiceDate(7, false), shown)
	}
	// Answered after midnight, the yes still gets the date that was offered.
	eff, err := s.Apply(consent.Event{Kind: consent.EventConfirm, Actor: consent.ByParticipant("a"), Participant: "a",
		KeepDays: 3, At: asked.Add(20 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if !eff.DeleteOn.Equal(three) || !eff.Grant.DeleteOn().Equal(three) {
		t.Errorf("the yes with 3 days gives %v, the choice said %v", eff.DeleteOn, three)
	}
}
