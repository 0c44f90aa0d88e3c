package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestPracticeClients(t *testing.T) {
	u, db := newTestUI(t)
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	u.showPractice()
	p := u.screen.(*practiceScreen)

	test.Tap(p.add)
	if p.problem.Text == "" {
		t.Error("adding a client without a label gave no message")
	}
	test.Type(p.newLabel, "J.K.")
	p.newLabel.TypedKey(&fyneKeyEvent)
	test.Type(p.newLabel, "A.B.")
	test.Tap(p.add)
	if len(p.clients) != 2 || p.clients[0].Label != "A.B." {
		t.Fatalf("clients %+v", p.clients)
	}
	if p.selected != 0 || !strings.Contains(p.sessions.Text, "No sessions yet") {
		t.Errorf("the new client is not selected with its (empty) sessions: %d, %q", p.selected, p.sessions.Text)
	}
	if u.win.Canvas().Focused() != p.start {
		t.Error("after adding a client the focus is not on Start a session")
	}

	p.rename.SetText("A.B.C.")
	p.rename.TypedKey(&fyneKeyEvent)
	if c, _ := db.Client(p.clients[0].ID); c.Label != "A.B.C." {
		t.Errorf("rename: %+v", c)
	}

	t.Run("archive", func(t *testing.T) {
		p.list.Select(0)
		id := p.clients[0].ID
		test.Tap(p.archiveBtn)
		if len(p.clients) != 1 || p.clients[0].ID == id {
			t.Fatalf("after archiving, the list holds %+v", p.clients)
		}
		test.Tap(p.archived)
		if len(p.clients) != 1 || p.clients[0].ID != id {
			t.Fatalf("archived list %+v", p.clients)
		}
		p.list.Select(0)
		if !p.start.Disabled() {
			t.Error("a session can be started with an archived client")
		}
		test.Tap(p.archiveBtn)
		test.Tap(p.archived)
		if len(p.clients) != 2 {
			t.Errorf("after bringing back: %+v", p.clients)
		}
	})
}
