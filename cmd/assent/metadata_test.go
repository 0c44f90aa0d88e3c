package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/assent-recorder/assent/assets"
)

// TestMetadataMatchesFyneAppToml keeps the metadata compiled into plain
// `go build` binaries equal to what FyneApp.toml declares for `fyne package`.
func TestMetadataMatchesFyneAppToml(t *testing.T) {
	f, err := os.Open("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	toml := map[string]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			section = strings.Trim(line, "[]")
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			toml[section+"."+strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	m := metadata(fyne.NewStaticResource("icon.png", assets.IconPNG))
	for key, want := range map[string]string{
		"Details.ID":        m.ID,
		"Details.Name":      m.Name,
		"Details.Version":   m.Version,
		"Details.Build":     strconv.Itoa(m.Build),
		"Details.Icon":      "../../assets/icon.png",
		"Migrations.fyneDo": "true",
	} {
		if got := toml[key]; got != want {
			t.Errorf("FyneApp.toml %s = %q, the code has %q", key, got, want)
		}
	}
	if !m.Migrations["fyneDo"] {
		t.Error("metadata does not opt into fyneDo")
	}
	icon, err := os.ReadFile("../../assets/icon.png")
	if err != nil {
		t.Fatal(err)
	}
	if string(icon) != string(assets.IconPNG) {
		t.Error("the embedded icon is not assets/icon.png")
	}
}
