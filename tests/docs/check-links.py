#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Every relative link in the Markdown files given leads somewhere: the file
# exists, and a #fragment names a heading of the page it points to, as
# GitHub turns headings into anchors. docs/performance.md and its log link
# into each other's sections by anchor; a renamed heading breaks them
# silently otherwise.
#
# usage: check-links.py FILE.md|DIR...   (a folder: every .md file in it)

import os
import re
import sys

HEADING = re.compile(r'^(#{1,6}) +(.*?) *#* *$')
LINK = re.compile(r'!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)(?: "[^"]*")?\)')


def slug(title):
    """GitHub's anchor for a heading: the text, lower-cased, without
    punctuation, spaces turned into hyphens."""
    title = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', title)
    title = re.sub(r'[^\w\- ]', '', title.lower())
    return title.replace(' ', '-')


def read(path):
    """The page's lines outside fenced code blocks."""
    lines, fenced = [], False
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.lstrip().startswith('```'):
                fenced = not fenced
                continue
            if not fenced:
                lines.append(line.rstrip('\n'))
    return lines


def anchors(path):
    seen, out = {}, set()
    for line in read(path):
        m = HEADING.match(line)
        if not m:
            continue
        s = slug(m.group(2))
        n = seen.get(s, 0)
        seen[s] = n + 1
        out.add(s if n == 0 else f'{s}-{n}')
    return out


def main(args):
    paths = []
    for arg in args:
        if os.path.isdir(arg):
            paths += sorted(os.path.join(arg, name) for name in os.listdir(arg) if name.endswith('.md'))
        else:
            paths.append(arg)
    cache, errors, checked = {}, [], 0
    for path in paths:
        # A link's text may run over several lines; code spans never hold links.
        text = '\n'.join(re.sub(r'`[^`]*`', '', line) for line in read(path))
        for target in LINK.findall(text):
            if re.match(r'^[a-z][a-z0-9+.-]*:', target):
                continue  # https:, mailto: and the like
            checked += 1
            file, _, fragment = target.partition('#')
            dest = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
            if not os.path.exists(dest):
                errors.append(f'{path}: {target}: no file {dest}')
                continue
            if fragment and dest.endswith('.md'):
                if dest not in cache:
                    cache[dest] = anchors(dest)
                if fragment not in cache[dest]:
                    errors.append(f'{path}: {target}: no heading #{fragment} in {dest}')
    for error in errors:
        print(error)
    print(f'{len(paths)} pages, {checked} links checked, {len(errors)} broken')
    return 1 if errors else 0


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit('usage: check-links.py FILE.md|DIR...')
    sys.exit(main(sys.argv[1:]))
