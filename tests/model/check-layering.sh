#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# DESIGN.md's layers: only src/ui may include GTK or libadwaita, and
# src/model may not include libsoup either.
src=$1
status=0

bad=$(grep -rlE '#include[[:space:]]*[<"](gtk/|adwaita\.h|gdk/)' "$src/model" "$src/net" "$src/server" 2>/dev/null)
if [ -n "$bad" ]; then
  echo "GTK included below src/ui:"; echo "$bad"; status=1
fi

bad=$(grep -rlE '#include[[:space:]]*[<"]libsoup/' "$src/model" 2>/dev/null)
if [ -n "$bad" ]; then
  echo "libsoup included in src/model:"; echo "$bad"; status=1
fi

bad=$(grep -rlE 'gtk_dep|adw_dep|soup_dep' "$src/model/meson.build" 2>/dev/null)
if [ -n "$bad" ]; then
  echo "src/model/meson.build depends on GTK or libsoup"; status=1
fi

[ $status -eq 0 ] && echo "layers are clean"
exit $status
