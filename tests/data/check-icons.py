#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Every icon Tack installs is a well-formed SVG of the size its folder
# promises: the full-colour app icon on a 128×128 canvas, symbolic icons on
# 16×16 and drawn in the single colour GTK recolours (#2e3436), so they
# follow the theme and the connection indicator stays legible.
#
# usage: check-icons.py ICONS_DIR   (the hicolor folder)

import os
import re
import sys
import xml.etree.ElementTree as ET

SVG_NS = '{http://www.w3.org/2000/svg}'
APP_ID = 'io.github.tackboard.Tack'
EXPECTED = [
    f'scalable/apps/{APP_ID}.svg',
    f'symbolic/apps/{APP_ID}-symbolic.svg',
    'symbolic/actions/tack-live-symbolic.svg',
    'symbolic/actions/tack-offline-symbolic.svg',
    'symbolic/actions/tack-reconnecting-symbolic.svg',
    'symbolic/actions/tack-pending-symbolic.svg',
    'symbolic/actions/tack-card-symbolic.svg',
]
SYMBOLIC_COLOUR = '#2e3436'
COLOUR_ATTRS = ('fill', 'stroke', 'stop-color', 'color')


def check_svg(path, symbolic):
    problems = []
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        return [f'does not parse as XML: {e}']

    if root.tag != SVG_NS + 'svg':
        return [f'root element is {root.tag}, expected an SVG <svg>']

    size = 16 if symbolic else 128
    view_box = [float(v) for v in re.split(r'[\s,]+', root.get('viewBox', '').strip()) if v]
    if view_box != [0, 0, size, size]:
        problems.append(f'viewBox is {root.get("viewBox")!r}, expected "0 0 {size} {size}"')
    for attr in ('width', 'height'):
        if root.get(attr) not in (None, str(size)):
            problems.append(f'{attr} is {root.get(attr)!r}, expected {size}')

    drawn = [e for e in root.iter() if e.tag in
             (SVG_NS + t for t in ('path', 'rect', 'circle', 'ellipse', 'polygon'))]
    if not drawn:
        problems.append('draws nothing')

    for element in root.iter():
        if element.tag.startswith('{') and not element.tag.startswith(SVG_NS):
            problems.append(f'editor metadata left in: {element.tag}')
        if element.tag == SVG_NS + 'image':
            problems.append('embeds a raster image')
        if symbolic:
            for attr in COLOUR_ATTRS:
                value = element.get(attr)
                if value is not None and value.lower() not in (SYMBOLIC_COLOUR, 'none'):
                    problems.append(f'<{element.tag[len(SVG_NS):]}> {attr}={value!r}: '
                                    f'symbolic icons use {SYMBOLIC_COLOUR} only')
    return problems


def main():
    if len(sys.argv) != 2:
        print('usage: check-icons.py ICONS_DIR', file=sys.stderr)
        return 2
    top = sys.argv[1]

    found = sorted(os.path.relpath(os.path.join(d, f), top)
                   for d, _, files in os.walk(top) for f in files)
    failed = False
    for rel in EXPECTED:
        if rel not in found:
            print(f'{rel}: missing', file=sys.stderr)
            failed = True
    for rel in found:
        if not rel.endswith('.svg'):
            print(f'{rel}: not an SVG', file=sys.stderr)
            failed = True
            continue
        symbolic = rel.startswith('symbolic/')
        if symbolic != rel.endswith('-symbolic.svg'):
            print(f'{rel}: symbolic icons, and only they, belong in symbolic/ '
                  f'and end in -symbolic.svg', file=sys.stderr)
            failed = True
        for problem in check_svg(os.path.join(top, rel), symbolic):
            print(f'{rel}: {problem}', file=sys.stderr)
            failed = True

    if failed:
        return 1
    print(f'{len(found)} icons ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
