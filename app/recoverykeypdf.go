package app

import (
	"fmt"
	"io"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/assent-recorder/assent/consent"
)

// writeRecoveryKeyPDF writes the practice's recovery key as one A4 page to
// print: the key, the date it was made, what it opens and where to keep
// it. It is the only way back in if the passphrase is forgotten, so the
// page says to print it and not to keep the file on this computer. Nothing
// is written to w if making the page fails; it never panics.
func writeRecoveryKeyPDF(w io.Writer, key string, made time.Time, loc *time.Location, dataDir string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("writing the recovery key as PDF: %v", p)
		}
	}()
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetMargins(25, 25, 25)
	pdf.SetTitle(recoveryPDFTitle, true)
	pdf.SetCreator("Assent", true)
	pdf.SetCreationDate(made)
	pdf.AddPage()
	para := func(text string, size, line float64, style string) {
		pdf.SetFont("Helvetica", style, size)
		pdf.MultiCell(0, line, tr(recordPrintable(text)), "", "L", false)
		pdf.Ln(3)
	}
	para(recoveryPDFTitle, 20, 10, "B")
	para(fmt.Sprintf(recoveryPDFMade, consent.LongDate(made, loc), made.In(loc).Format("15:04"), dataDir), 11, 6, "")
	pdf.Ln(4)
	pdf.SetFont("Courier", "B", 18)
	pdf.CellFormat(0, 16, key, "1", 1, "C", false, 0, "")
	pdf.Ln(8)
	for _, p := range recoveryPDFText {
		para(p, 11, 6, "")
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("writing the recovery key as PDF: %w", err)
	}
	return pdf.Output(w)
}

// The recovery key page's words.
const (
	recoveryPDFTitle = "Assent: the practice's recovery key"
	recoveryPDFMade  = "Made on %s at %s for the practice whose data is in %s."
)

// recoveryPDFText says what the key opens and where to keep it.
var recoveryPDFText = []string{
	"This key opens the practice's notes and recordings if its passphrase is forgotten: at the unlock screen, choose \"Forgot the passphrase? Use the recovery key\", type the key above, and set a new passphrase. It opens everything the passphrase opens.",
	"Print this page, keep the paper somewhere safe and private, away from the laptop (a locked drawer, a safe), and delete this file: a copy on the computer is a copy anyone who gets the computer can use.",
	"It never expires. Making a new one in the settings makes this one useless.",
}
