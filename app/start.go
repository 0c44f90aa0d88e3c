package app

import (
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"
)

// roleChoices are the roles offered on the start screen, in order.
var roleChoices = []consent.Role{consent.RoleClient, consent.RolePartner, consent.RoleFamily, consent.RoleGuardian, consent.RoleMinor,
	consent.RoleInterpreter, consent.RoleTrainee, consent.RoleObserver}

// startScreen asks who is in the room before a session starts.
type startScreen struct {
	ui      *UI
	client  storage.Client
	rows    []*personRow
	people  *fyne.Container
	more    *widget.Button
	begin   *widget.Button
	problem *widget.Label
	// method is how consent is asked: on screen, or read aloud by the
	// therapist for someone who cannot read the screen.
	method *widget.RadioGroup
	// language is the language the client reads, stored with the client.
	language *languageChoice
	// minorAlone marks, in the client's record, that a minor of this
	// client may decide alone (the guardian is not asked for them); shown
	// while a minor is in the room.
	minorAlone *widget.Check
}

// The choices of startScreen.method, in order.
var methodChoices = []struct {
	method consent.CollectionMethod
	label  string
}{
	{consent.CollectionOnScreen, "They read it on the screen and tap their answer"},
	{consent.CollectionReadAloud, "I read it aloud; they answer aloud and I enter it"},
}

// personRow is one person present: a name and a role, and for a minor
// which of the guardians present is theirs.
type personRow struct {
	id       string // made for the row, so that a minor can name their guardian before anyone is stored
	name     *widget.Entry
	role     *widget.Select
	guardian *guardianChoice
}

func newStartScreen(u *UI, c storage.Client) *startScreen {
	u.lookForMicrophones() // one plugged in since the start is used
	s := &startScreen{ui: u, client: c, people: container.NewVBox()}
	s.more = widget.NewButton("Add another person", func() { s.addRow(consent.RolePartner) })
	s.begin = widget.NewButton("Start the session", s.submit)
	s.begin.Importance = widget.HighImportance
	s.problem = newProblemLabel()
	var labels []string
	for _, m := range methodChoices {
		labels = append(labels, m.label)
	}
	s.method = widget.NewRadioGroup(labels, nil)
	s.method.Required = true
	s.method.SetSelected(labels[0])
	if stored, err := u.db.Client(c.ID); err == nil {
		s.client = stored // with what the client's record says of them now
	}
	s.language = newLanguageChoice(s.client.Language)
	s.minorAlone = widget.NewCheck("The minor may decide alone (judged able to); their guardian is not asked for them", func(bool) { s.offerGuardians() })
	s.minorAlone.SetChecked(s.client.MinorDecidesAlone)
	s.minorAlone.Hide()
	s.addRow(consent.RoleClient)
	return s
}

// chosenMethod is how consent is to be asked.
func (s *startScreen) chosenMethod() consent.CollectionMethod {
	for _, m := range methodChoices {
		if m.label == s.method.Selected {
			return m.method
		}
	}
	return consent.CollectionOnScreen
}

func (s *startScreen) addRow(role consent.Role) {
	r := &personRow{id: storage.NewID(), name: widget.NewEntry(), role: newRoleSelect(role), guardian: newGuardianChoice()}
	r.name.SetPlaceHolder("Name as the person likes to be called")
	r.name.OnSubmitted = func(string) { s.submit() }
	r.name.OnChanged = func(string) { s.offerGuardians() }
	r.role.OnChanged = func(string) { s.offerGuardians() }
	s.rows = append(s.rows, r)
	s.people.Add(container.NewVBox(container.NewBorder(nil, nil, nil, r.role, r.name), r.guardian.box))
	s.offerGuardians()
}

// offerGuardians shows, under each minor, the guardians named so far.
func (s *startScreen) offerGuardians() {
	var guardians []consent.Participant
	for _, r := range s.rows {
		if name := strings.TrimSpace(r.name.Text); name != "" && roleOf(r.role) == consent.RoleGuardian {
			guardians = append(guardians, consent.Participant{ID: r.id, Name: name})
		}
	}
	minor := false
	for _, r := range s.rows {
		minor = minor || roleOf(r.role) == consent.RoleMinor
	}
	if s.minorAlone != nil {
		if minor {
			s.minorAlone.Show()
		} else {
			s.minorAlone.Hide()
		}
	}
	alone := s.minorAlone != nil && s.minorAlone.Checked
	for _, r := range s.rows {
		r.guardian.offer(roleOf(r.role) == consent.RoleMinor && !alone, guardians)
	}
}

func (s *startScreen) content() fyne.CanvasObject {
	intro := wrapped("Who is in the room? Each person decides for themselves whether today's session is recorded. " +
		"A minor's guardian decides too.")
	back := widget.NewButton("Back", func() { s.ui.show(newPracticeScreen(s.ui)) })
	back.Importance = widget.LowImportance
	how := bold("How is the question asked?")
	lang := bold("In which language does the client read it?")
	hint := settingsHint("The consent statement, the client screen, the summary and the client's record are in this language; your screens stay in English.")
	return pageLayout("New session with "+s.client.Label, intro, s.people, s.minorAlone, s.more, how, s.method,
		lang, s.language.sel, s.language.status, hint, s.problem, s.begin, back)
}

func (s *startScreen) focus() fyne.Focusable { return s.rows[0].name }

// participants reads the rows, each minor linked to the guardian chosen
// for them.
func (s *startScreen) participants() ([]consent.Participant, error) {
	var people []consent.Participant
	for _, r := range s.rows {
		name := strings.TrimSpace(r.name.Text)
		if name == "" {
			continue
		}
		p := consent.Participant{ID: r.id, Name: name, Role: roleOf(r.role)}
		if p.Role == consent.RoleMinor && s.minorAlone.Checked {
			p.DecidesAlone = true
		} else if p.Role == consent.RoleMinor {
			var err error
			if p.GuardianID, err = r.guardian.chosen(name); err != nil {
				return nil, err
			}
		}
		people = append(people, p)
	}
	if len(people) == 0 {
		return nil, errors.New("Type the name of at least one person.")
	}
	return people, nil
}

func (s *startScreen) submit() {
	people, err := s.participants()
	if err != nil {
		s.problem.SetText(err.Error())
		return
	}
	if tag := s.language.chosen(); tag != s.client.Language && !(s.client.Language == "" && tag == consent.DefaultLanguage) {
		if err := s.ui.db.SetClientLanguage(s.client.ID, tag); err != nil {
			s.ui.opt.Logf("storing the client's language: %v", err)
			s.problem.SetText("The client's language could not be saved. Please try again.")
			return
		}
		s.client.Language = tag
	}
	if s.minorAlone.Checked != s.client.MinorDecidesAlone {
		if err := s.ui.db.SetMinorDecidesAlone(s.client.ID, s.minorAlone.Checked); err != nil {
			s.ui.opt.Logf("marking the minor: %v", err)
			s.problem.SetText("Whether the minor may decide alone could not be saved. Nothing was started.")
			return
		}
		s.client.MinorDecidesAlone = s.minorAlone.Checked
	}
	run, err := s.ui.startSession(s.client, people, s.chosenMethod())
	if err != nil {
		s.ui.opt.Logf("starting a session: %v", err)
		s.problem.SetText(s.ui.problemText(err))
		return
	}
	s.ui.show(newSessionScreen(s.ui, run))
}

// newRoleSelect offers the roles, with role chosen.
func newRoleSelect(role consent.Role) *widget.Select {
	var labels []string
	for _, rc := range roleChoices {
		labels = append(labels, rc.String())
	}
	sel := widget.NewSelect(labels, nil)
	sel.SetSelected(role.String())
	return sel
}

// roleOf is the role chosen in a newRoleSelect.
func roleOf(sel *widget.Select) consent.Role {
	for _, rc := range roleChoices {
		if rc.String() == sel.Selected {
			return rc
		}
	}
	return consent.RoleClient
}

// guardianChoice asks which of the guardians present is a minor's: shown
// only for a minor, with the only guardian chosen when there is one and
// nothing chosen when there are several.
type guardianChoice struct {
	box       *fyne.Container
	sel       *widget.Select
	guardians []consent.Participant
	// picked is the guardian the therapist chose by hand; "" while the
	// choice is only the one guardian there is.
	picked   string
	offering bool // offer is setting the selection, not the therapist
}

func newGuardianChoice() *guardianChoice {
	g := &guardianChoice{}
	g.sel = widget.NewSelect(nil, func(string) {
		if !g.offering {
			g.picked, _ = g.chosenID()
		}
	})
	g.sel.PlaceHolder = "Choose their guardian"
	g.box = container.NewBorder(nil, nil, widget.NewLabel("Their guardian:"), nil, g.sel)
	g.box.Hide()
	return g
}

// offer shows the choice (for a minor) among guardians, keeping the
// therapist's choice while it is still on offer. The only guardian there
// is is chosen for them; when a second comes, nothing is chosen until the
// therapist chooses.
func (g *guardianChoice) offer(minor bool, guardians []consent.Participant) {
	if !minor {
		g.box.Hide()
		return
	}
	g.offering = true
	defer func() { g.offering = false }()
	g.guardians = guardians
	g.sel.Options = guardianLabels(guardians)
	g.sel.ClearSelected()
	for i, p := range guardians {
		if p.ID == g.picked || len(guardians) == 1 {
			g.sel.SetSelectedIndex(i)
		}
	}
	g.sel.Refresh()
	g.box.Show()
}

func (g *guardianChoice) chosenID() (string, bool) {
	i := g.sel.SelectedIndex()
	if i < 0 || i >= len(g.guardians) {
		return "", false
	}
	return g.guardians[i].ID, true
}

// chosen is the guardian chosen for the minor called name, or a sentence
// saying what is missing.
func (g *guardianChoice) chosen(name string) (string, error) {
	if len(g.guardians) == 0 {
		return "", errors.New("A minor needs their guardian in the room: add the guardian as a person.")
	}
	id, ok := g.chosenID()
	if !ok {
		return "", fmt.Errorf("Choose which guardian is %s's.", name)
	}
	return id, nil
}

// guardianLabels names the guardians; two of the same name are told apart
// by their place in the list.
func guardianLabels(guardians []consent.Participant) []string {
	count := map[string]int{}
	for _, p := range guardians {
		count[p.Name]++
	}
	labels := make([]string, len(guardians))
	for i, p := range guardians {
		labels[i] = p.Name
		if count[p.Name] > 1 {
			labels[i] = fmt.Sprintf("%s (guardian %d)", p.Name, i+1)
		}
	}
	return labels
}
