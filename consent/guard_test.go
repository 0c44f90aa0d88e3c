package consent_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// parsePackage parses the package's own (non-test) files.
func parsePackage(t *testing.T) (*token.FileSet, []*ast.File) {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatal("no source files found")
	}
	return fset, files
}

// TestNeverReadsTheClockOrPanics: time comes in as arguments, and nothing
// in the package panics on purpose. (The layering test in cmd/assent checks
// that only the standard library is imported.)
func TestNeverReadsTheClockOrPanics(t *testing.T) {
	fset, files := parsePackage(t)
	forbidden := map[string]bool{"time.Now": true, "time.Since": true, "time.Until": true, "time.Tick": true, "time.After": true, "time.NewTimer": true, "time.NewTicker": true}
	for _, f := range files {
		for _, imp := range f.Imports {
			if p := strings.Trim(imp.Path.Value, `"`); p == "math/rand" || p == "math/rand/v2" || p == "crypto/rand" || p == "os" {
				t.Errorf("%s imports %s: the package is deterministic and does no I/O", fset.Position(imp.Pos()), p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && forbidden[id.Name+"."+n.Sel.Name] {
					t.Errorf("%s: %s.%s reads the clock", fset.Position(n.Pos()), id.Name, n.Sel.Name)
				}
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "panic" {
					t.Errorf("%s: panic", fset.Position(n.Pos()))
				}
			}
			return true
		})
	}
}

// TestEveryExportedNameIsDocumented: the doc comments are the contract.
func TestEveryExportedNameIsDocumented(t *testing.T) {
	fset, files := parsePackage(t)
	pkgDoc := false
	for _, f := range files {
		if f.Doc != nil && strings.HasPrefix(f.Doc.Text(), "Package consent ") {
			pkgDoc = true
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Name.IsExported() && d.Doc == nil && receiverExported(d) {
					t.Errorf("%s: %s has no doc comment", fset.Position(d.Pos()), d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() && s.Doc == nil && d.Doc == nil {
							t.Errorf("%s: type %s has no doc comment", fset.Position(s.Pos()), s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() && s.Doc == nil && d.Doc == nil {
								t.Errorf("%s: %s has no doc comment", fset.Position(n.Pos()), n.Name)
							}
						}
					}
				}
			}
		}
	}
	if !pkgDoc {
		t.Error("no package doc comment")
	}
}

func receiverExported(d *ast.FuncDecl) bool {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return true
	}
	typ := d.Recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}

// TestManualSections: the package doc reads as a manual.
func TestManualSections(t *testing.T) {
	_, files := parsePackage(t)
	for _, f := range files {
		if f.Doc == nil || !strings.HasPrefix(f.Doc.Text(), "Package consent ") {
			continue
		}
		for _, h := range []string{"# States", "# Grants", "# Deletion date", "# Errors"} {
			if !strings.Contains(f.Doc.Text(), h) {
				t.Errorf("the package doc has no %q section", h)
			}
		}
		return
	}
	t.Error("no package doc")
}
