#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The Flatpak manifest builds Tack from this checkout with the least
# privileges flatpak/README.md justifies. Adding a permission means
# changing this list and the README together.
#
# usage: check-flatpak-manifest.py MANIFEST APP_ID

import json
import sys

LEAST_PRIVILEGE = [
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
]

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def main():
    if len(sys.argv) != 3:
        print('usage: check-flatpak-manifest.py MANIFEST APP_ID', file=sys.stderr)
        return 2
    path, app_id = sys.argv[1], sys.argv[2]

    try:
        with open(path, encoding='utf-8') as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        print(f'{path}: does not parse as JSON: {e}', file=sys.stderr)
        return 1

    check(isinstance(manifest, dict), 'the manifest is not a JSON object')
    if failures:
        print('\n'.join(failures), file=sys.stderr)
        return 1

    check(manifest.get('id') == app_id,
          f'id is {manifest.get("id")!r}, expected {app_id!r}')
    check('app-id' not in manifest, 'use "id", not the deprecated "app-id"')
    check(manifest.get('command') == 'tack',
          f'command is {manifest.get("command")!r}, expected \'tack\'')
    check(manifest.get('runtime') == 'org.gnome.Platform',
          f'runtime is {manifest.get("runtime")!r}, expected \'org.gnome.Platform\'')
    check(manifest.get('sdk') == 'org.gnome.Sdk',
          f'sdk is {manifest.get("sdk")!r}, expected \'org.gnome.Sdk\'')
    check(isinstance(manifest.get('runtime-version'), str) and manifest['runtime-version'],
          'runtime-version must be a non-empty string')

    finish_args = manifest.get('finish-args')
    check(isinstance(finish_args, list), 'finish-args must be a list')
    if isinstance(finish_args, list):
        check(len(finish_args) == len(set(finish_args)), 'finish-args has duplicates')
        extra = sorted(set(finish_args) - set(LEAST_PRIVILEGE))
        missing = sorted(set(LEAST_PRIVILEGE) - set(finish_args))
        check(not extra, f'finish-args grants more than needed: {extra}')
        check(not missing, f'finish-args lacks: {missing}')

    modules = manifest.get('modules')
    check(isinstance(modules, list) and modules, 'modules must be a non-empty list')
    if isinstance(modules, list) and modules:
        last = modules[-1]
        check(isinstance(last, dict), 'the last module must be an object, not a file reference')
        if isinstance(last, dict):
            check(last.get('name') == 'tack',
                  f'the last module is {last.get("name")!r}, expected \'tack\'')
            check(last.get('buildsystem') == 'meson',
                  f'the tack module builds with {last.get("buildsystem")!r}, expected \'meson\'')
            sources = last.get('sources') or []
            check({'type': 'dir', 'path': '..'} in sources,
                  'the tack module must build this checkout: {"type": "dir", "path": ".."}')

    if failures:
        for message in failures:
            print(f'{path}: {message}', file=sys.stderr)
        return 1
    print(f'{path}: ok ({len(finish_args)} finish-args, {len(modules)} module(s))')
    return 0


if __name__ == '__main__':
    sys.exit(main())
