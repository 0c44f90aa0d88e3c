package app

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"math"

	"github.com/go-pdf/fpdf"

	"github.com/assent-recorder/assent/ink"
)

// A handwritten page can be saved as a PDF, for the therapist: from the
// therapist's notes only (the session screen, a session's notes), never
// into anything the client is given. A process note's PDF says on it that
// it is the therapist's private note and not part of the client's record.

// inkPDFWidth is the pixel width the page is drawn at for the PDF: about
// 150 dpi across A4 landscape's 277 mm of paper.
const inkPDFWidth = 1640

// auditInkPageSaved is the audit kind for a handwritten page saved as a
// PDF (the detail says which page and its kind, never its content).
const auditInkPageSaved = "notes.page_saved"

// inkProcessPDFText heads a process note's PDF.
const inkProcessPDFText = "Private process note: the therapist's own working note, kept apart from the record. Not part of the client's record; not to be given to anyone."

// writeInkPagePDF writes sheet as a one-page A4 landscape PDF to w: title
// above, a process note's warning under it, then the page drawn in ink on
// white. Nothing is written to w if making it fails.
func writeInkPagePDF(w io.Writer, sheet ink.Sheet, title string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("writing the page as PDF: %v", p)
		}
	}()
	img := ink.Render(sheet, inkPDFWidth, int(math.Round(inkPDFWidth/ink.Aspect)))
	page := image.NewNRGBA(img.Bounds())
	draw.Draw(page, page.Bounds(), image.NewUniform(ink.PaperColour), image.Point{}, draw.Src)
	draw.Draw(page, page.Bounds(), img, image.Point{}, draw.Over)
	var pngData bytes.Buffer
	if err := png.Encode(&pngData, page); err != nil {
		return fmt.Errorf("writing the page as PDF: %w", err)
	}

	pdf := fpdf.New("L", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetMargins(10, 10, 10)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetTitle(title, true)
	pdf.SetCreator("Assent", true)
	pdf.AddPage()
	pdf.SetFont(recordFont, "B", 12)
	pdf.MultiCell(0, 6, tr(recordPrintable(title)), "", "L", false)
	if sheet.Kind.Private() {
		pdf.SetFont(recordFont, "B", 10)
		pdf.SetTextColor(0xe6, 0x51, 0x00)
		pdf.MultiCell(0, 5, tr(inkProcessPDFText), "", "L", false)
		pdf.SetTextColor(0, 0, 0)
	}
	pdf.RegisterImageOptionsReader("page", fpdf.ImageOptions{ImageType: "PNG"}, &pngData)
	pageW, pageH := pdf.GetPageSize()
	top := pdf.GetY() + 2
	wMM := min(pageW-20, (pageH-top-10)*ink.Aspect)
	pdf.ImageOptions("page", (pageW-wMM)/2, top, wMM, wMM/ink.Aspect, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.Rect((pageW-wMM)/2, top, wMM, wMM/ink.Aspect, "D")
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("writing the page as PDF: %w", err)
	}
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return fmt.Errorf("writing the page as PDF: %w", err)
	}
	_, err = out.WriteTo(w)
	return err
}

// savePagePDF asks where to save the handwritten page shown as a PDF, for
// the therapist, writes it and audits it.
func (e *notesEditor) savePagePDF() {
	e.ui.touch()
	c := e.ink.canvas
	sheet := c.sheets()[c.page()]
	kind := "progress"
	if sheet.Kind.Private() {
		kind = "process"
	}
	title := e.pageTitle(c.page() + 1)
	var data bytes.Buffer
	if err := writeInkPagePDF(&data, sheet, title); err != nil {
		e.ui.opt.Logf("%v", err)
		e.saved.SetText("The page could not be made into a PDF.")
		return
	}
	page := c.page() + 1
	audit := func() error {
		return e.ui.db.AuditAbout(auditInkPageSaved, e.sessionID, fmt.Sprintf("page %d, %s notes", page, kind))
	}
	e.ui.saveFile(data.Bytes(), fmt.Sprintf("assent-notes-page-%d.pdf", page), audit, func(err error) {
		if err != nil {
			e.ui.opt.Logf("saving the page: %v", err)
			e.saved.SetText("The page could not be saved there.")
			return
		}
		e.saved.SetText("The page was saved as a PDF, for you. It is not encrypted: keep it safe.")
	})
}

// pageTitle is the title of handwritten page n of the session's notes.
func (e *notesEditor) pageTitle(n int) string {
	title := fmt.Sprintf("Handwritten notes, page %d", n)
	if ss, err := e.ui.db.Session(e.sessionID); err == nil {
		title += " — session of " + ss.StartedAt.In(e.ui.opt.Location).Format("Monday 2 January 2006, 15:04")
	}
	return title
}
