package app

import (
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"
)

// roleChoices are the roles offered on the start screen, in order.
var roleChoices = []consent.Role{consent.RoleClient, consent.RolePartner, consent.RoleFamily, consent.RoleGuardian, consent.RoleMinor}

// startScreen asks who is in the room before a session starts.
type startScreen struct {
	ui      *UI
	client  storage.Client
	rows    []*personRow
	people  *fyne.Container
	more    *widget.Button
	begin   *widget.Button
	problem *widget.Label
}

// personRow is one person present: a name and a role.
type personRow struct {
	name *widget.Entry
	role *widget.Select
}

func newStartScreen(u *UI, c storage.Client) *startScreen {
	u.lookForMicrophones() // one plugged in since the start is used
	s := &startScreen{ui: u, client: c, people: container.NewVBox()}
	s.more = widget.NewButton("Add another person", func() { s.addRow(consent.RolePartner) })
	s.begin = widget.NewButton("Start the session", s.submit)
	s.begin.Importance = widget.HighImportance
	s.problem = newProblemLabel()
	s.addRow(consent.RoleClient)
	return s
}

func (s *startScreen) addRow(role consent.Role) {
	r := &personRow{name: widget.NewEntry()}
	r.name.SetPlaceHolder("Name as the person likes to be called")
	r.name.OnSubmitted = func(string) { s.submit() }
	var labels []string
	for _, rc := range roleChoices {
		labels = append(labels, rc.String())
	}
	r.role = widget.NewSelect(labels, nil)
	r.role.SetSelected(role.String())
	s.rows = append(s.rows, r)
	s.people.Add(container.NewBorder(nil, nil, nil, r.role, r.name))
}

func (s *startScreen) content() fyne.CanvasObject {
	intro := widget.NewLabel("Who is in the room? Each person decides for themselves whether today's session is recorded. " +
		"A minor's guardian decides too.")
	intro.Wrapping = fyne.TextWrapWord
	back := widget.NewButton("Back", func() { s.ui.show(newPracticeScreen(s.ui)) })
	back.Importance = widget.LowImportance
	return pageLayout("New session with "+s.client.Label, intro, s.people, s.more, s.problem, s.begin, back)
}

func (s *startScreen) focus() fyne.Focusable { return s.rows[0].name }

// participants reads the rows; the IDs are positions, replaced by storage's.
func (s *startScreen) participants() ([]consent.Participant, error) {
	var people []consent.Participant
	guardian := ""
	for i, r := range s.rows {
		name := strings.TrimSpace(r.name.Text)
		if name == "" {
			continue
		}
		role := consent.RoleClient
		for _, rc := range roleChoices {
			if rc.String() == r.role.Selected {
				role = rc
			}
		}
		id := strconv.Itoa(i)
		if role == consent.RoleGuardian && guardian == "" {
			guardian = id
		}
		people = append(people, consent.Participant{ID: id, Name: name, Role: role})
	}
	if len(people) == 0 {
		return nil, errors.New("Type the name of at least one person.")
	}
	for i := range people {
		if people[i].Role == consent.RoleMinor {
			if guardian == "" {
				return nil, errors.New("A minor needs their guardian in the room: add the guardian as a person.")
			}
			people[i].GuardianID = guardian
		}
	}
	return people, nil
}

func (s *startScreen) submit() {
	people, err := s.participants()
	if err != nil {
		s.problem.SetText(err.Error())
		return
	}
	run, err := s.ui.startSession(s.client, people)
	if err != nil {
		s.ui.opt.Logf("starting a session: %v", err)
		s.problem.SetText("The session could not be started. Nothing was saved.")
		return
	}
	s.ui.show(newSessionScreen(s.ui, run))
}
