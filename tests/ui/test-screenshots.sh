#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The screenshots of issue 5: the real app, live on its embedded server,
# on a populated board, in the light and the dark style, as PNGs in the
# build tree (tests/ui/screenshots/). Checks that each is a real picture
# of the window (not blank, not black), that the dark one is dark and the
# light one light. Run by meson inside the session bus that .ci/run
# provides; each picture is taken on an X display of its own (xvfb-run -a),
# so windows of tests running beside it are never in the picture. Prints
# TAP.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
builddir=${1:?usage: test-screenshots.sh BUILDDIR OUTDIR}
outdir=${2:?usage: test-screenshots.sh BUILDDIR OUTDIR}
mkdir -p "$outdir"

echo "1..2"
n=0
for style in light dark; do
  n=$((n + 1))
  out="$outdir/board-$style.png"
  rm -f "$out"
  dark=0
  [ "$style" = dark ] && dark=1
  if ! TACK_SCREENSHOT_DARK=$dark xvfb-run -a -s "-screen 0 1400x900x24" \
       "$top/tests/ui/screenshot.sh" "$out" "$builddir" >&2; then
    echo "not ok $n - $style screenshot: screenshot.sh failed"
    continue
  fi
  # Mean brightness and its spread over the whole picture, 0..1.
  read -r mean spread < <(identify -format '%[fx:mean] %[fx:standard_deviation]\n' "$out")
  size=$(identify -format '%wx%h' "$out")
  verdict=$(python3 -c "
import sys
mean, spread, style = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
if spread < 0.05: print('a flat picture (nothing drawn?)')
elif style == 'light' and mean < 0.6: print('too dark for the light style')
elif style == 'dark' and mean > 0.4: print('too light for the dark style')
else: print('ok')" "$mean" "$spread" "$style")
  if [ "$size" = 1280x800 ] && [ "$verdict" = ok ]; then
    echo "ok $n - $style screenshot $out ($size, mean $mean, spread $spread)"
  else
    echo "not ok $n - $style screenshot $out: $size, $verdict (mean $mean, spread $spread)"
  fi
done
