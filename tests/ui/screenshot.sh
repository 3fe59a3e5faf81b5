#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Takes a screenshot of Tack showing tests/ui/sample-board.json on the
# current X display (for example one made by xvfb-run), with `import` from
# ImageMagick. Not a test: it makes pictures for people to look at.
#
#   xvfb-run -a -s "-screen 0 1400x900x24" tests/ui/screenshot.sh out.png [builddir]
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-screenshot.png}
builddir=${2:-${TACK_BUILDDIR:-$top/_build}}
settle=${TACK_SCREENSHOT_SETTLE:-3}

if [ -z "${DISPLAY:-}" ]; then
  echo "screenshot.sh: no DISPLAY; run it under xvfb-run" >&2
  exit 2
fi

export GSETTINGS_BACKEND=memory
export GSETTINGS_SCHEMA_DIR="$builddir/data"

# A bare X server has no settings daemon; give GTK the font a GNOME
# session would, so the picture looks like the app on a desktop.
config=$(mktemp -d)
mkdir -p "$config/gtk-4.0"
printf '[Settings]\ngtk-font-name=Cantarell 11\n' >"$config/gtk-4.0/settings.ini"
export XDG_CONFIG_HOME="$config"

"$builddir/src/ui/tack" --snapshot "$top/tests/ui/sample-board.json" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$config"' EXIT

# Give the window time to map and draw its first frames.
sleep "$settle"
kill -0 "$pid"
import -window root "$out"
echo "screenshot.sh: wrote $out"
