#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The compiled GSettings schema offers exactly the keys the app reads, with
# the types, ranges and defaults the app relies on: an empty server-url
# means the embedded local board on first launch, and live updates pick
# their transport automatically.
#
# usage: check-schema.py GSETTINGS SCHEMA_DIR

import os
import subprocess
import sys

SCHEMA = 'io.github.tackboard.Tack'

# key: (range as `gsettings range` prints it, default as `gsettings get` prints it)
EXPECTED = {
    'server-url': ('type s', "''"),
    'board-id': ('type s', "''"),
    'display-name': ('type s', "''"),
    'live-update-mode': ('enum\n\'auto\'\n\'websocket\'\n\'sse\'\n\'polling\'', "'auto'"),
    'poll-interval': ('range u 1 300', 'uint32 5'),
    'recent-boards': ('type a(sss)', '@a(sss) []'),
    'window-width': ('type i', None),
    'window-height': ('type i', None),
    'window-maximized': ('type b', 'false'),
}


def main():
    if len(sys.argv) != 3:
        print('usage: check-schema.py GSETTINGS SCHEMA_DIR', file=sys.stderr)
        return 2
    gsettings, schema_dir = sys.argv[1], sys.argv[2]
    # Never touch the user's dconf database.
    env = dict(os.environ, GSETTINGS_BACKEND='memory')

    def run(*args):
        result = subprocess.run([gsettings, '--schemadir', schema_dir, *args],
                                env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f'gsettings {" ".join(args)}: {result.stderr.strip()}')
        return result.stdout.strip()

    failed = []
    keys = set(run('list-keys', SCHEMA).split())
    if keys != set(EXPECTED):
        failed.append(f'keys are {sorted(keys)}, expected {sorted(EXPECTED)}')

    for key, (expected_range, expected_default) in EXPECTED.items():
        if key not in keys:
            continue
        got_range = run('range', SCHEMA, key)
        if got_range != expected_range:
            failed.append(f'{key}: range is {got_range!r}, expected {expected_range!r}')
        if expected_default is not None:
            got = run('get', SCHEMA, key)
            if got != expected_default:
                failed.append(f'{key}: default is {got!r}, expected {expected_default!r}')

    # The range is enforced, not just documented.
    for bad in ('0', '301'):
        result = subprocess.run([gsettings, '--schemadir', schema_dir,
                                 'set', SCHEMA, 'poll-interval', bad],
                                env=env, capture_output=True, text=True)
        if result.returncode == 0:
            failed.append(f'poll-interval accepted {bad}, outside 1..300')

    for message in failed:
        print(message, file=sys.stderr)
    if failed:
        return 1
    print(f'{len(keys)} keys ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
