#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Waits until a running Tack shows, in its accessibility tree, what a user
# would look for: the connection indicator saying "Live" and every given
# text (a board title, a card title). Exits 0 when it does, 1 with what is
# missing after the timeout. Needs the AT-SPI bus of the session Tack runs
# in (dbus-run-session does that).
#
#   wait-for-app.py [--timeout SECONDS] TEXT...
import argparse
import sys
import time

import pyatspi

parser = argparse.ArgumentParser()
parser.add_argument("--timeout", type=float, default=30)
parser.add_argument("texts", nargs="*")
args = parser.parse_args()


def names(node, depth=0):
    if node is None or depth > 60:
        return
    try:
        name = node.name
        role = node.getRole()
        children = list(node)
    except Exception:
        # The tree changes under us while the app builds its window.
        return
    yield role, name or ""
    for child in children:
        yield from names(child, depth + 1)


def missing():
    want = {"Live"} | set(args.texts)
    for app in pyatspi.Registry.getDesktop(0):
        if app is None or app.name != "tack":
            continue
        seen = set()
        for role, name in names(app):
            if role == pyatspi.ROLE_PUSH_BUTTON and name == "Live":
                seen.add("Live")
            elif name in want:
                seen.add(name)
        return want - seen
    return {"the application"}


deadline = time.monotonic() + args.timeout
while True:
    left = missing()
    if not left:
        sys.exit(0)
    if time.monotonic() > deadline:
        print("wait-for-app.py: not shown after %gs: %s" % (args.timeout, ", ".join(sorted(left))),
              file=sys.stderr)
        sys.exit(1)
    time.sleep(0.2)
