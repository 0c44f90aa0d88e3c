#!/usr/bin/env bash
# packaging/deb.sh: what `make package` runs. It builds the release binary,
# has `fyne package` (fyne.io/tools, pinned in the Makefile) make the Linux
# bundle from cmd/assent/FyneApp.toml, and makes the Debian package from
# that bundle with dpkg-deb:
#
#   DIST/Assent-VERSION-linux-ARCH.tar.xz  binary, icon, .desktop entry and
#                                          the bundle's install Makefile
#   DIST/assent_VERSION_ARCH.deb           /usr/bin/assent, the .desktop
#                                          entry, hicolor icons, the systemd
#                                          user units of the hourly purge,
#                                          assent.1, and its Depends from
#                                          dpkg-shlibdeps
#
# Environment: FYNE (the fyne tool), DIST (output folder), COMMIT (for
# `assent --version`), GO (default go). Run from the repository's root.
set -euo pipefail
umask 022

: "${FYNE:?FYNE must name the fyne tool}" "${DIST:?DIST must name the output folder}"
GO=${GO:-go}
COMMIT=${COMMIT:-}
# Who answers for the package; a distributor puts their own here.
MAINTAINER=${MAINTAINER:-Assent developers <assent-recorder@users.noreply.github.com>}

root=$(pwd)
mkdir -p "$DIST"
dist=$(cd "$DIST" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/assent-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
rm -f "$dist"/assent_*.deb "$dist"/Assent-*.tar.xz # one of each: the current

# 1. The binary: stripped (-s -w), linked with full RELRO and immediate
#    binding as Debian's hardening asks, and told its commit. Not PIE
#    (lintian warns hardening-no-pie): -buildmode=pie recompiles every
#    package, which took 10 minutes on the CI machine; a distributor may add
#    it here.
"$GO" build -ldflags "-s -w -X main.commit=$COMMIT -extldflags '-Wl,-z,relro,-z,now'" -o "$work/build/assent" ./cmd/assent
version=$("$work/build/assent" version | awk '{print $2}')
arch=$(dpkg --print-architecture)
[[ $version =~ ^[0-9]+(\.[0-9]+)*$ ]] || { echo "deb.sh: 'assent version' gave no version: $version" >&2; exit 1; }

# 2. The Linux bundle, by fyne package, from FyneApp.toml's metadata.
#    fyne package rewrites FyneApp.toml afterwards (Build + 1, its own
#    layout): put the committed file back.
toml=$root/cmd/assent/FyneApp.toml
cp -p "$toml" "$work/FyneApp.toml"
trap 'cp -p "$work/FyneApp.toml" "$toml"; rm -rf "$work"' EXIT
(cd "$work" && "$FYNE" package -os linux --src "$root/cmd/assent" --exe "$work/build/assent")
cp -p "$work/FyneApp.toml" "$toml"
bundle="$dist/Assent-$version-linux-$arch.tar.xz"
mv "$work/Assent.tar.xz" "$bundle"
mkdir "$work/bundle"
tar -xJf "$bundle" -C "$work/bundle"
# fyne package puts the files under usr/local/ where the build machine has
# /usr/local, else under usr/.
usr=$work/bundle/assent/usr/local
[[ -d $usr ]] || usr=$work/bundle/assent/usr
app_id=$(basename "$usr"/share/applications/*.desktop .desktop)

# 3. The package's tree, from the bundle and the code, where
#    dpkg-shlibdeps expects it (debian/PACKAGE beside debian/control).
pkg=$work/src/debian/assent
install -D -m 0755 "$usr/bin/assent" "$pkg/usr/bin/assent"
install -D -m 0644 "$usr/share/applications/$app_id.desktop" "$pkg/usr/share/applications/$app_id.desktop"
install -D -m 0644 "$usr/share/pixmaps/$app_id.png" "$pkg/usr/share/icons/hicolor/512x512/apps/$app_id.png"
install -D -m 0644 assets/icon.svg "$pkg/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
install -d -m 0755 "$pkg/usr/lib/systemd/user" "$pkg/usr/share/man/man1" "$pkg/usr/share/doc/assent"
"$GO" run ./packaging/gen units "$pkg/usr/lib/systemd/user"
"$GO" run ./packaging/gen man "$pkg/usr/bin/assent" | gzip -9n >"$pkg/usr/share/man/man1/assent.1.gz"
chmod 0644 "$pkg"/usr/lib/systemd/user/* "$pkg/usr/share/man/man1/assent.1.gz"

# Dated by the commit, so that the same commit gives the same package.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
when=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
sed "s/@VERSION@/$version/; s/@COMMIT@/${COMMIT:-an unknown commit}/; s/@MAINTAINER@/$MAINTAINER/; s/@DATE@/$when/" \
  packaging/debian/changelog.in | gzip -9n >"$pkg/usr/share/doc/assent/changelog.gz"
install -m 0644 packaging/debian/copyright "$pkg/usr/share/doc/assent/copyright"

# 4. Its runtime dependencies: the shared libraries the binary links
#    (PortAudio, LAME, GL, X11, libc), found by dpkg-shlibdeps, and those
#    GLFW (Fyne's window system) opens with dlopen on X11, which no tool
#    can find (go-gl/glfw's x11_init.c). packaging/test.sh checks that the
#    running app loads each of these.
mkdir -m 0755 "$pkg/DEBIAN"
printf 'Source: assent\n\nPackage: assent\nArchitecture: any\n' >"$work/src/debian/control"
depends=$(cd "$work/src" && dpkg-shlibdeps -O -e "$PWD/debian/assent/usr/bin/assent" | sed -n 's/^shlibs:Depends=//p')
[[ -n $depends ]] || { echo "deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
depends="$depends, $(tr '\n' ' ' <packaging/debian/dlopened | sed 's/ *$//; s/ /, /g')"

# 5. The control files, and the package.
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed "s/@VERSION@/$version/; s/@ARCH@/$arch/; s/@MAINTAINER@/$MAINTAINER/; s/@SIZE@/$size/; s/@DEPENDS@/$depends/" \
  packaging/debian/control.in >"$pkg/DEBIAN/control"
(cd "$pkg" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/md5sums"
find "$pkg" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
deb="$dist/assent_${version}_$arch.deb"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "Built $bundle"
echo "Built $deb (Depends: $depends)"
