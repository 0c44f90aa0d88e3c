package consent_test

import (
	"fmt"
	"time"

	"github.com/assent-recorder/assent/consent"
)

func ExampleSession() {
	loc, _ := time.LoadLocation("Europe/London")
	at := func(hh, mm int) time.Time { return time.Date(2026, 12, 1, hh, mm, 0, 0, loc) }
	anna := consent.Participant{ID: "p1", Name: "Anna", Role: consent.RoleClient}

	s, err := consent.NewSession("session-42", "client-7", []consent.Participant{anna}, consent.DefaultPolicy(), loc)
	if err != nil {
		panic(err)
	}
	// The therapist turns the screen to Anna: the statement is shown.
	s.Apply(consent.Event{Kind: consent.EventAsk, At: at(10, 0), Actor: consent.Therapist()})
	fmt.Println("deleted on", consent.LongDate(s.DeleteOn(), loc))

	// Anna taps "Yes, record today's session".
	eff, _ := s.Apply(consent.Event{Kind: consent.EventConfirm, At: at(10, 1), Actor: consent.ByParticipant("p1"), Participant: "p1"})
	g := eff.Grant
	fmt.Println(s.State(), eff.StartCapture, g.Serial(), g.Valid(), g.ConfirmedBy())

	// Later she taps "Stop recording" and deletes the last five minutes.
	eff, _ = s.Apply(consent.Event{Kind: consent.EventWithdraw, At: at(10, 40), Actor: consent.ByParticipant("p1"),
		Withdrawal: consent.WithdrawDeleteLast, DeleteMinutes: 5})
	fmt.Println(s.State(), eff.StopCapture, eff.Withdrawal, eff.DeleteMinutes, g.Valid())

	// Going back to recording needs the therapist to ask again.
	_, err = s.Apply(consent.Event{Kind: consent.EventResume, At: at(10, 45), Actor: consent.Therapist()})
	fmt.Println(err)
	// Output:
	// deleted on Tuesday 29 December 2026
	// recording true 1 true [p1]
	// notes-only true delete-last 5 false
	// consent: event not allowed in this state: resume in notes-only
}

func ExampleDeletionDate() {
	loc, _ := time.LoadLocation("Europe/London")
	granted := time.Date(2026, 10, 20, 15, 30, 0, 0, loc) // BST, UTC+1

	// 28 days later the clocks have gone back: still local midnight.
	d := consent.DeletionDate(granted, 28, false, loc)
	fmt.Println(d.Format(time.RFC3339), consent.LongDate(d, loc))

	// "Delete at the end of today" is the start of tomorrow.
	d = consent.DeletionDate(granted, 28, true, loc)
	fmt.Println(d.Format(time.RFC3339), consent.LongDate(d, loc))
	// Output:
	// 2026-11-17T00:00:00Z Tuesday 17 November 2026
	// 2026-10-21T00:00:00+01:00 Wednesday 21 October 2026
}

func ExampleStatement() {
	loc, _ := time.LoadLocation("Europe/London")
	s, _ := consent.NewSession("session-42", "client-7",
		[]consent.Participant{{ID: "p1", Name: "Anna", Role: consent.RoleClient}}, consent.DefaultPolicy(), loc)
	s.Apply(consent.Event{Kind: consent.EventAsk, At: time.Date(2026, 11, 29, 9, 0, 0, 0, loc), Actor: consent.Therapist()})
	fmt.Print(consent.Statement(s, s.Policy()))
	// Output:
	// Recording today's session
	//
	// Anna, your therapist would like to record today's session.
	//
	// Why: so your therapist can listen again and reflect on the session. Who may listen: only your therapist.
	//
	// The recording is encrypted and kept on this computer only. It is never uploaded.
	//
	// It is deleted on Sunday 27 December 2026. You may choose an earlier day. Nobody can keep it longer.
	//
	// You can stop the recording at any moment with one tap. Then you choose what happens to what was recorded: keep it until that day, delete the last few minutes, or delete all of it now.
	//
	// You can also pause it on this screen: the microphone turns off, and only a tap on this screen turns it on again.
	//
	// At the end of the session, everyone recorded is asked again whether to keep it. Until everyone says keep, nobody can listen to it. If the session ends before everyone has answered, the recording is deleted.
	//
	// Saying no changes nothing about your care. The session goes on as usual, with notes only.
}

func ExampleGrant_Valid() {
	loc, _ := time.LoadLocation("Europe/London")
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, loc)
	s, _ := consent.NewSession("session-42", "client-7",
		[]consent.Participant{{ID: "p1", Name: "Anna", Role: consent.RoleClient}}, consent.DefaultPolicy(), loc)
	s.Apply(consent.Event{Kind: consent.EventAsk, At: at, Actor: consent.Therapist()})
	eff, _ := s.Apply(consent.Event{Kind: consent.EventConfirm, At: at, Actor: consent.ByParticipant("p1"), Participant: "p1"})

	recorderCopy := eff.Grant // what the audio goroutine holds
	fmt.Println(recorderCopy.Valid())
	s.Apply(consent.Event{Kind: consent.EventPause, At: at.Add(time.Minute), Actor: consent.ByParticipant("p1")})
	fmt.Println(recorderCopy.Valid())
	// Output:
	// true
	// false
}
