// Package proof holds Assent's crash, fault and bad-input trials; it has no
// code of its own.
//
// The trials drive the real pieces together, as the app wires them:
// consent makes the Grant, storage keeps the consent events and seals the
// audio, audio records through LAME. They check the promises of DESIGN.md
// ("Failure behaviour") from the outside, with the figures a reviewer can
// rerun:
//
//	go test ./proof/                                  # a few crash trials
//	ASSENT_CRASH_TRIALS=50 go test -timeout 30m -run TestCrash -v ./proof/
//	go test -run '^$' -bench StartStop -benchtime 1x ./proof/
package proof
