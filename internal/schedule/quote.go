package schedule

import "strings"

// systemdQuote quotes one ExecStart argument: C-style escapes inside double
// quotes, % doubled (specifiers) and $ doubled (variable expansion).
func systemdQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `%`, `%%`, `$`, `$$`)
	return `"` + r.Replace(s) + `"`
}

// shellQuote quotes for a POSIX shell when needed.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == ':' || r == '+' || r == ',' || r == '=' || r == '@' ||
			('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9'))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// windowsArg quotes one argument so that a Windows program reading its
// command line by the usual rules (CommandLineToArgvW, the C runtime) gets
// it back unchanged: in double quotes, a quote escaped with a backslash, and
// the backslashes before a quote, or before the closing quote, doubled.
// (syscall.EscapeArg does the same, but quotes only where needed and is
// built for Windows only.)
func windowsArg(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			slashes++
		case '"':
			b.WriteString(strings.Repeat(`\`, slashes+1))
			slashes = 0
		default:
			slashes = 0
		}
		b.WriteByte(s[i])
	}
	b.WriteString(strings.Repeat(`\`, slashes))
	b.WriteByte('"')
	return b.String()
}
