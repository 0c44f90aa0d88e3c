#!/usr/bin/env bash
# packaging/test.sh DEB COMMIT: what `make package-test` runs after `make
# package`. It checks the Debian package as a distribution would (lintian:
# no errors; desktop-file-validate), installs it with dpkg -i, runs the
# installed /usr/bin/assent (--version, status), starts the installed app
# under Xvfb from its .desktop entry's Exec line and waits for its window,
# then removes it with dpkg -r and checks that only the user's data is
# left. It needs root (CI runs as root); otherwise it says so and skips.
# Whatever happens, the package is removed at the end: /usr/bin/assent
# must not outlive the test on a shared machine.
set -euo pipefail

deb=${1:?usage: packaging/test.sh DEB COMMIT}
commit=${2-}
say() { echo "package-test: $*"; }
fail() { echo "package-test: FAILED: $*" >&2; exit 1; }

if [[ $(id -u) != 0 ]]; then
  say "SKIPPED: installing a package needs root; run 'sudo make package-test' (CI runs it as root)."
  exit 0
fi
if dpkg-query -W -f='${Status}' assent 2>/dev/null | grep -q 'install ok installed' || [[ -e /usr/bin/assent ]]; then
  fail "assent is installed on this computer already (/usr/bin/assent); the test leaves an installed Assent alone."
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/assent-pkgtest.XXXXXX")
installed=""
app_pid="" xvfb_pid=""
cleanup() {
  [[ -n $app_pid ]] && kill "$app_pid" 2>/dev/null || true
  [[ -n $xvfb_pid ]] && kill "$xvfb_pid" 2>/dev/null || true
  if [[ -n $installed ]]; then
    dpkg -r assent >/dev/null 2>&1 || echo "package-test: could not remove the package: run dpkg -r assent" >&2
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# dpkg with a wait while another dpkg or apt holds its lock (other
# engineers install packages on the same machine).
dpkg_locked() {
  local i out
  for i in $(seq 60); do
    if out=$(dpkg "$@" 2>&1); then echo "$out"; return 0; fi
    grep -q 'lock' <<<"$out" || { echo "$out" >&2; return 1; }
    sleep 5
  done
  echo "$out" >&2; return 1
}

version=$(dpkg-deb -f "$deb" Version)
say "checking $deb (version $version)"

# 1. As a distribution checks it.
lintian --fail-on error "$deb" || fail "lintian found errors"
dpkg-deb -x "$deb" "$tmp/contents"
desktop=$(find "$tmp/contents/usr/share/applications" -name '*.desktop')
[[ $(wc -l <<<"$desktop") == 1 ]] || fail "expected one .desktop entry, found: $desktop"
desktop-file-validate "$desktop" || fail "desktop-file-validate: $desktop"
for f in usr/bin/assent usr/share/man/man1/assent.1.gz usr/lib/systemd/user/assent-purge.service \
         usr/lib/systemd/user/assent-purge.timer usr/share/icons/hicolor/512x512/apps/org.assent.recorder.png \
         usr/share/icons/hicolor/scalable/apps/org.assent.recorder.svg; do
  [[ -f $tmp/contents/$f ]] || fail "the package has no /$f"
done
grep -qx 'ExecStart="/usr/bin/assent" "purge"' "$tmp/contents/usr/lib/systemd/user/assent-purge.service" ||
  fail "the packaged service does not run /usr/bin/assent purge"
if command -v systemd-analyze >/dev/null; then
  out=$(systemd-analyze --user verify "$tmp/contents/usr/lib/systemd/user/assent-purge.timer" 2>&1 |
    grep -v 'assent is not executable' || true)
  case $out in
    "") say "systemd-analyze verify: the units are well-formed" ;;
    *"Failed to initialize manager"*) say "systemd-analyze verify skipped: no systemd user manager here" ;;
    *) fail "systemd-analyze verify: $out" ;;
  esac
fi
files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }')

# 2. Installed.
dpkg_locked -i "$deb" >/dev/null || fail "dpkg -i"
installed=yes
say "installed; /usr/bin/assent: $(stat -c '%a %U' /usr/bin/assent)"
out=$(/usr/bin/assent --version)
[[ $out == "assent $version (commit ${commit:-unknown})" ]] || fail "assent --version said '$out', want 'assent $version (commit ${commit:-unknown})'"
say "$out"
man -w assent >/dev/null || fail "man assent finds no page"
# Built as make builds it, without Fyne's emoji font (no_emoji; README
# "Quiet"): the font's file name is in any binary that bundles it.
! grep -q EmojiOneColor /usr/bin/assent || fail "the installed binary bundles Fyne's emoji font: was it built without -tags no_emoji?"

# 3. The app from its menu entry: the Exec line, without field codes, in a
#    fresh home under Xvfb.
home=$tmp/home
mkdir -p "$home"
read -r -a exec_line <<<"$(sed -n 's/^Exec=//p' /usr/share/applications/org.assent.recorder.desktop | sed 's/ *%[fFuUdDnNickvm]//g')"
[[ $(PATH=/usr/bin:/bin; command -v "${exec_line[0]}") == /usr/bin/assent ]] || fail "Exec=${exec_line[*]} is not the installed binary"
exec 3>"$tmp/display"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 2>"$tmp/xvfb.log" &
xvfb_pid=$!
exec 3>&-
for _ in $(seq 300); do [[ -s $tmp/display ]] && break; sleep 0.1; done
display=:$(head -n1 "$tmp/display")
[[ $display != : ]] || fail "Xvfb did not start: $(cat "$tmp/xvfb.log")"
env -i PATH=/usr/bin:/bin HOME="$home" DISPLAY="$display" LANG=C.UTF-8 "${exec_line[@]}" >"$tmp/app.log" 2>&1 &
app_pid=$!
window=""
for _ in $(seq 120); do
  window=$(DISPLAY=$display xdotool search --onlyvisible --name '^Assent$' 2>/dev/null | head -n1) && [[ -n $window ]] && break
  kill -0 "$app_pid" 2>/dev/null || fail "the app ended before showing a window: $(cat "$tmp/app.log")"
  sleep 0.5
done
[[ -n $window ]] || fail "no window named Assent within 60 s: $(cat "$tmp/app.log")"
say "the installed app shows its window ($(DISPLAY=$display xdotool getwindowname "$window"), started as: ${exec_line[*]})"

# The libraries GLFW opens with dlopen, declared by hand in Depends
# (packaging/debian/dlopened): each must really be loaded by the app.
while read -r p; do
  loaded=""
  for l in $(dpkg -L "$p" | grep '\.so\.[0-9.]*$'); do
    grep -qF "/$(basename "$l")" "/proc/$app_pid/maps" && loaded=$l
  done
  [[ -n $loaded ]] || fail "the app did not load $p, which Depends declares as dlopened"
done <packaging/debian/dlopened
say "the app loaded every library Depends declares for dlopen ($(paste -sd' ' packaging/debian/dlopened))"

kill -TERM "$app_pid"
for _ in $(seq 40); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.25; done
kill -0 "$app_pid" 2>/dev/null && fail "the app did not end within 10 s of SIGTERM"
wait "$app_pid" || fail "the app exited with status $? on SIGTERM: $(cat "$tmp/app.log")"
app_pid=""
data=$home/.local/share/assent
[[ -f $data/assent.db ]] || fail "the app made no data folder in $data"

out=$(env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 /usr/bin/assent status --data "$data") ||
  fail "assent status --data $data: $out"
say "assent status --data: $(head -n1 <<<"$out")"

# 4. Removed: none of its files is left; the user's data is.
dpkg_locked -r assent >/dev/null || fail "dpkg -r"
installed=""
[[ $(dpkg-query -W -f='${db:Status-Abbrev}' assent 2>/dev/null || true) != ii* ]] || fail "dpkg still lists assent as installed"
left=""
for f in $files; do [[ -e $f || -L $f ]] && left="$left $f"; done
[[ -z $left ]] || fail "dpkg -r left:$left"
[[ -f $data/assent.db ]] || fail "removing the package took the user's data ($data)"
say "removed: none of its $(wc -w <<<"$files") files is left; the user's data is ($data)"
say "passed"
