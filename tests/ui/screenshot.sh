#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Takes screenshots of Tack as a user sees it on first launch: the app's
# own embedded server, live, on a board filled with tests/ui/sample-board.json
# (written through the REST API before the app starts), on the current X
# display (for example one made by xvfb-run), with `import` from
# ImageMagick. Not a test: it makes pictures for people to look at.
#
#   dbus-run-session -- xvfb-run -a -s "-screen 0 1400x900x24" tests/ui/screenshot.sh out.png [builddir]
#
# It shoots once the accessibility tree says the board is live and shows
# the sample board's cards (tests/ui/wait-for-app.py), so it needs the
# session bus dbus-run-session provides. With TACK_SCREENSHOT_DARK=1 the
# dark style is used. tests/ui/test-screenshots.sh runs it as a test.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-screenshot.png}
builddir=${2:-${TACK_BUILDDIR:-$top/_build}}
settle=${TACK_SCREENSHOT_SETTLE:-0.5}

if [ -z "${DISPLAY:-}" ]; then
  echo "screenshot.sh: no DISPLAY; run it under xvfb-run" >&2
  exit 2
fi

export GSETTINGS_BACKEND=memory
# Xvfb has no GPU: the software GL path is slow to start and sometimes
# leaves the first frames black.
export GSK_RENDERER=${GSK_RENDERER:-cairo}
export GSETTINGS_SCHEMA_DIR="$builddir/data"

# A fresh user: the local board lives under XDG_DATA_HOME.
home=$(mktemp -d)
export XDG_DATA_HOME="$home/data" XDG_STATE_HOME="$home/state" XDG_CACHE_HOME="$home/cache"
db="$XDG_DATA_HOME/tack/local-board.db"
mkdir -p "$XDG_DATA_HOME/tack"

# A bare X server has no settings daemon; give GTK the font a GNOME
# session would, so the picture looks like the app on a desktop.
export XDG_CONFIG_HOME="$home/config"
mkdir -p "$XDG_CONFIG_HOME/gtk-4.0"
printf '[Settings]\ngtk-font-name=Cantarell 11\n' >"$XDG_CONFIG_HOME/gtk-4.0/settings.ini"
if [ "${TACK_SCREENSHOT_DARK:-0}" = 1 ]; then
  export ADW_DEBUG_COLOR_SCHEME=prefer-dark
fi

pids=()
cleanup () { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$home"; }
trap cleanup EXIT

# Fill the board the app will open: its database, served once by tack-server.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$builddir/src/server/tack-server" --db "$db" --listen "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
pids+=("$server")
python3 - "http://127.0.0.1:$port/api/v1/health" <<'PY'
import sys, time, urllib.request
for _ in range(200):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=1)
        break
    except OSError:
        time.sleep(0.1)
PY
python3 "$top/tests/ui/populate-board.py" "http://127.0.0.1:$port" "$(cat "$db.admin-token")" \
  "$top/tests/ui/sample-board.json" >/dev/null
kill "$server"
wait "$server" 2>/dev/null || true

"$builddir/src/ui/tack" &
pid=$!
pids+=("$pid")

# Wait until a user would see the board live with its cards, then give
# the last frame time to reach the screen.
/usr/bin/python3 "$top/tests/ui/wait-for-app.py" --timeout 60 \
  "Tack 1.0 Launch" "Reconnect with exponential backoff" "Header bar connection indicator"
sleep "$settle"
kill -0 "$pid"
import -window root -crop 1280x800+0+0 +repage "$out"
echo "screenshot.sh: wrote $out"
