package schedule

// The quoting functions, for schedule_test's round trips.
var (
	SystemdQuote = systemdQuote
	ShellQuote   = shellQuote
	WindowsArg   = windowsArg
)
