#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Reads bench/results/<scenario>.jsonl files written by bench/run and prints
# the table of medians with Tack's ratio against each peer (Markdown).
import argparse
import json
import os
import statistics
import sys

# scenario -> [(label, key path, unit, better)]
METRICS = {
    'fanout-ws': {
        'flood': [('delivered events/s', ('events_per_s',), '/s', 'higher'),
                  ('client CPU (core)', ('client_cpu', 'publish'), '', 'info')],
        'latency': [('latency p50', ('latency_us', 'p50'), 'µs', 'lower'),
                    ('latency p99', ('latency_us', 'p99'), 'µs', 'lower'),
                    ('latency max', ('latency_us', 'max'), 'µs', 'lower')],
    },
    'conn-storm': {
        '': [('all live', ('connect_all_s',), 's', 'lower'),
             ('connect p99', ('connect_us', 'p99'), 'µs', 'lower'),
             ('client CPU (core)', ('client_cpu', 'connect'), '', 'info')],
    },
    'mem-per-conn': {
        '': [('RSS per idle subscriber', ('rss_per_sub_kib',), 'KiB', 'lower')],
    },
}
METRICS['fanout-sse'] = METRICS['fanout-ws']

ORDER = ['tack', 'ws', 'socketio', 'nchan']


def get(d, path):
    for k in path:
        d = d[k]
    return d


def fmt(v, unit):
    if v is None:
        return '—'
    if unit == '/s':
        return f'{v:,.0f}'
    if unit == 'µs':
        return f'{v:,.0f} µs'
    if unit == 's':
        return f'{v:.3f} s'
    if unit == 'KiB':
        return f'{v:.1f} KiB'
    return f'{v:.2f}'


def med_range(vals, f='{:,.0f}'):
    vals = [v for v in vals if v is not None and v >= 0]
    if not vals:
        return None, '—'
    m = statistics.median(vals)
    if len(vals) > 1:
        return m, f'{f.format(m)} [{f.format(min(vals))}–{f.format(max(vals))}]'
    return m, f.format(m)


def lost_mark(rs):
    lost = sum(1 for r in rs if r['exit'] != 0)
    return f' (lost/failed {lost})' if lost else ''


def summarize_apply_widgets(rows):
    if not rows:
        return
    print('With the columns bound to list widgets in a mapped window (tack-ui-apply; events/s from the first '
          'event to the first frame painted after the last; "in dispatch" counts only the time inside '
          'TackDispatcher, items-changed handling of the widgets included):\n')
    print('| widgets | cards | events per run | events/s | ÷ none | events/s in dispatch | frames | frame work p50 | frame work p95 | rows bound |')
    print('|---|---|---|---|---|---|---|---|---|---|')
    base = None
    for w in ('none', 'listview', 'window'):
        rs = [r for r in rows if r['result']['widgets'] == w]
        if not rs:
            continue
        m, cell = med_range([r['result']['events_per_s'] for r in rs])
        if w == 'none':
            base = m
        _, disp = med_range([r['result']['dispatch_events_per_s'] for r in rs])
        _, frames = med_range([r['result']['frames'] for r in rs])
        _, p50 = med_range([r['result']['work_ms']['p50'] for r in rs], '{:.1f}')
        _, p95 = med_range([r['result']['work_ms']['p95'] for r in rs], '{:.1f}')
        ratio = f'{m / base:.4f}×' if base and m else '—'
        res = rs[0]['result']
        binds = f"{statistics.median([r['result']['binds'] for r in rs]):,.0f}" if w == 'listview' and 'binds' in res else '—'
        print(f"| {w}{lost_mark(rs)} | {res['cards']:,} | {res['events']:,} | {cell} | {ratio} | {disp} | {frames} | "
              f"{p50 + ' ms' if w != 'none' else '—'} | {p95 + ' ms' if w != 'none' else '—'} | {binds} |")
    print()


def print_display(rows):
    """Starts a UI table's caption with the displays its rows ran on."""
    displays = sorted({r['display'] for r in rows if r.get('display')})
    if displays:
        print(f"Display: {'; '.join(displays)}.", end=' ')


def summarize_ttff(rows):
    renderers = sorted({r['result']['renderer'] for r in rows})
    adw = any(r['result']['view'] == 'bare-adw' for r in rows)
    print_display(rows)
    print(f"GSK renderer: {', '.join(renderers)}. Window 1280×800; the board has four columns. "
          'file: a board export (`--snapshot FILE`); live: the same board served by tack-server '
          '(`--server URL --board ID`; Tack\'s window is added before the board arrives, the bare one after). '
          'Max stall: the longest the main loop went without running a 5 ms high-priority timeout, '
          'from the window being added to the first frame.'
          + (' bare, libadwaita window: the bare board in an AdwApplicationWindow with a header bar, '
             'as Tack\'s window is.' if adw else '') + '\n')
    print('| source | cards | Tack first frame | bare first frame | Tack ÷ bare | '
          + ('bare, libadwaita window, first frame | Tack ÷ bare, libadwaita window | ' if adw else '')
          + 'Tack window built at | bare lists built at | '
          'Tack max stall | bare max stall | rows built Tack / bare | rows shown Tack / bare |')
    print('|---|---|---|---|---|---|---|---|---|---|---|' + ('---|---|' if adw else ''))
    for v in dict.fromkeys(r['variant'] for r in rows):
        source, cards = ('live', v[len('live-'):]) if v.startswith('live-') else ('file', v)
        t = [r for r in rows if r['variant'] == v and r['result']['view'] == 'tack']
        b = [r for r in rows if r['variant'] == v and r['result']['view'] == 'bare']
        a = [r for r in rows if r['variant'] == v and r['result']['view'] == 'bare-adw']
        tm, tc = med_range([r['result']['first_frame_ms'] for r in t], '{:,.0f}')
        bm, bc = med_range([r['result']['first_frame_ms'] for r in b], '{:,.0f}')
        am, ac = med_range([r['result']['first_frame_ms'] for r in a], '{:,.0f}')
        _, tw = med_range([r['result']['window_ms'] for r in t], '{:,.0f}')
        _, bw = med_range([r['result']['window_ms'] for r in b], '{:,.0f}')
        # Results from before the stall clock have none.
        ts, tsc = med_range([r['result'].get('max_stall_ms') for r in t], '{:,.0f}')
        bs, bsc = med_range([r['result'].get('max_stall_ms') for r in b], '{:,.0f}')
        # Row counts do not vary from round to round: the median only.
        trb, brb, trm, brm = (f"{statistics.median([r['result'][k] for r in rs]):,.0f}" if rs else '—'
                              for rs, k in ((t, 'rows_built'), (b, 'rows_built'), (t, 'rows_mapped'), (b, 'rows_mapped')))
        ratio = f'{tm / bm:.2f}×' if tm and bm else '—'
        adw_cells = ''
        if adw:
            adw_ratio = f'{tm / am:.2f}×' if tm and am else '—'
            adw_cells = f"{ac} ms{lost_mark(a)} | {adw_ratio} | "
        print(f"| {source} | {int(cards):,} | {tc} ms{lost_mark(t)} | {bc} ms{lost_mark(b)} | {ratio} | {adw_cells}{tw} ms | {bw} ms | "
              f"{tsc + ' ms' if ts is not None else tsc} | {bsc + ' ms' if bs is not None else bsc} | {trb} / {brb} | {trm} / {brm} |")
    print()


def summarize_scroll(rows):
    renderers = sorted({r['result']['renderer'] for r in rows})
    cards = rows[0]['result']['cards']
    views = [v for v in ('tack', 'bare', 'bare-adw') if any(r['result']['view'] == v for r in rows)]
    names = {'tack': 'Tack', 'bare': 'bare', 'bare-adw': 'bare, libadwaita window'}
    print_display(rows)
    print(f"GSK renderer: {', '.join(renderers)}. A {cards:,}-card column scrolled every frame; "
          'frame work = GdkFrameClock before-paint → after-paint. '
          'bare: the list in a plain GtkWindow; bare, libadwaita window: the same list in a libadwaita '
          'window with a header bar, as Tack\'s window is.\n')
    print('| scroll | events/s | metric | ' + ' | '.join(names[v] for v in views) + ' | '
          + ' | '.join(f'Tack ÷ {names[v]}' for v in views[1:]) + ' |')
    print('|---|---|---|' + '---|' * (2 * len(views) - 1))
    metrics = [('frame work p50', ('work_ms', 'p50'), '{:.1f}', ' ms'),
               ('frame work p95', ('work_ms', 'p95'), '{:.1f}', ' ms'),
               ('frame work max', ('work_ms', 'max'), '{:.1f}', ' ms'),
               ('frames recorded', ('frames',), '{:.0f}', ''),
               ('frames/s', ('fps',), '{:.1f}', ''),
               ('event dispatch, ms per s', ('dispatch_ms_per_s',), '{:.0f}', ''),
               ('events due, not applied at the end', ('backlog',), '{:,.0f}', '')]
    for v in dict.fromkeys(r['variant'] for r in rows):
        mode, rate = v.split('-')
        for label, key, f, unit in metrics:
            if rate == '0' and key[0] in ('dispatch_ms_per_s', 'backlog'):
                continue
            cells, meds = [], []
            for view in views:
                rs = [r for r in rows if r['variant'] == v and r['result']['view'] == view]
                m, c = med_range([get(r['result'], key) for r in rs], f)
                meds.append(m)
                cells.append((c + unit if m is not None else c) + lost_mark(rs))
            ratios = [f'{meds[0] / m:.2f}×' if meds[0] and m else '—' for m in meds[1:]]
            print(f'| {mode} | {int(rate):,} | {label} | ' + ' | '.join(cells + ratios) + ' |')
    print()


def summarize_resync_peers(rows):
    print('One subscriber misses M events and reconnects asking for them; bytes read on the new connection '
          '(HTTP upgrade included) and connect() → last missed event. raw = the messages themselves (Tack: the '
          'event frames; peers: the published bodies, padded to the size of Tack\'s).\n')
    print('| missed | metric | tack | socketio | nchan | Tack ÷ socket.io | Tack ÷ nchan |')
    print('|---|---|---|---|---|---|---|')
    for v in dict.fromkeys(r['variant'] for r in rows):
        for label, fn, f, unit in [
                ('catch-up time', lambda x: x['resync']['ms'], '{:,.1f}', ' ms'),
                ('bytes read', lambda x: x['resync']['rx_bytes'], '{:,.0f}', ''),
                ('bytes read ÷ raw', lambda x: x['resync']['rx_bytes'] / x['resync']['raw_bytes'] if x['resync']['raw_bytes'] else None, '{:.3f}', '×')]:
            cells, meds = [], {}
            for t in ('tack', 'socketio', 'nchan'):
                rs = [r for r in rows if r['variant'] == v and r['result']['target'] == t]
                m, c = med_range([fn(r['result']) for r in rs], f)
                meds[t] = m
                cells.append((c + unit if m is not None else c) + lost_mark(rs))
            ratios = [f"{meds['tack'] / meds[t]:.2f}×" if meds['tack'] and meds.get(t) else '—' for t in ('socketio', 'nchan')]
            print(f"| {int(v):,} | {label} | " + ' | '.join(cells) + ' | ' + ' | '.join(ratios) + ' |')
    print()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--stamp', default='')
    ap.add_argument('--runs', default='')
    ap.add_argument('files', nargs='+')
    args = ap.parse_args()

    print(f'# Tack bench results {args.stamp}\n')
    print(f'Medians of {args.runs} round(s), [min–max] over the rounds; ratio = Tack ÷ peer (of the medians). '
          '"lost" counts runs that did not deliver every event or connect every subscriber.\n')
    for base in args.files:
        path = base if base.endswith('.jsonl') else base + '.jsonl'
        scenario = os.path.basename(path)[:-len('.jsonl')]
        if not os.path.exists(path):
            continue
        rows = [json.loads(l) for l in open(path) if l.strip()]
        if not rows:
            continue
        print(f'## {scenario}\n')
        if scenario == 'e2e':
            print('| clients | moves per run | p50 | p99 | max | client CPU (core) | lost |')
            print('|---|---|---|---|---|---|---|')
            for v in dict.fromkeys(r['variant'] for r in rows):
                rs = [r for r in rows if r['variant'] == v]
                cells = []
                for k in ('p50', 'p99', 'max'):
                    vals = [r['result']['latency_us'][k] for r in rs if r['result']['latency_us'][k] >= 0]
                    cells.append(f"{fmt(statistics.median(vals), 'µs')} [{min(vals):,.0f}–{max(vals):,.0f}]" if vals else '—')
                cpu = [r['result']['client_cpu'] for r in rs if 'client_cpu' in r['result']]
                cells.append(f"{statistics.median(cpu):.2f}" if cpu else '—')
                lost = sum(1 for r in rs if r['exit'] != 0)
                print(f"| {v} | {rs[0]['result']['moves']} | " + ' | '.join(cells) + f' | {lost} |')
            print()
            continue
        if scenario == 'resync':
            print('Snapshot ms: the first GET after the board changed (the server encodes it); warm: the same GET again, '
                  'answered from tack-server\'s snapshot cache (— in results from before it was measured).\n')
            print('| cards | missed | replay: raw event bytes | replay: wire bytes | wire ÷ raw | replay ms | snapshot bytes | snapshot ms | snapshot ms ÷ replay ms | warm snapshot ms |')
            print('|---|---|---|---|---|---|---|---|---|---|')
            for r in rows:
                res = r['result']
                snap = res['snapshot']
                for rp in res['replay']:
                    raw = rp['raw_event_bytes'] or 1
                    note = ' (reset)' if rp['reset'] else ''
                    print(f"| {res['cards']:,} | {rp['missed']:,}{note} | {rp['raw_event_bytes']:,} | {rp['wire_bytes']:,} | "
                          f"{rp['wire_bytes'] / raw:.3f}× | {rp['ms']:.1f} | {snap['bytes']:,} | {snap['ms']:.1f} | "
                          f"{snap['ms'] / rp['ms'] if rp['ms'] > 0 else 0:.2f}× | "
                          f"{format(snap['warm_ms'], '.1f') if 'warm_ms' in snap else '—'} |")
            print()
            continue
        if scenario == 'client-apply':
            res = [r['result'] for r in rows if 'widgets' not in r['result']]
            if res:
                print('| cards | events per run | frames parsed | TackStore events/s | hash-table ceiling events/s | store ÷ ceiling |')
                print('|---|---|---|---|---|---|')
                def mr(group, k):
                    vals = [x[k] for x in group]
                    return statistics.median(vals), min(vals), max(vals)
                # Results from before --batch parsed every frame ahead.
                def parsed(x):
                    batch = x.get('batch', x['events'])
                    return 'all before the clock' if batch >= x['events'] else f"{batch:,} at a time"
                for label in sorted(set(map(parsed, res)), key=lambda l: l != 'all before the clock'):
                    group = [x for x in res if parsed(x) == label]
                    s_, h_, q_ = mr(group, 'store_events_per_s'), mr(group, 'hashtable_events_per_s'), mr(group, 'ratio')
                    print(f"| {group[0]['cards']:,} | {group[0]['events']:,} | {label} | {s_[0]:,.0f} [{s_[1]:,.0f}–{s_[2]:,.0f}] | "
                          f"{h_[0]:,.0f} [{h_[1]:,.0f}–{h_[2]:,.0f}] | {q_[0]:.2f}× [{q_[1]:.2f}–{q_[2]:.2f}] |")
                print()
            summarize_apply_widgets([r for r in rows if 'widgets' in r['result']])
            continue
        if scenario == 'ui-ttff':
            summarize_ttff(rows)
            continue
        if scenario == 'ui-scroll':
            summarize_scroll(rows)
            continue
        if scenario == 'resync-peers':
            summarize_resync_peers(rows)
            continue
        if scenario == 'instructions-per-event':
            print('| target | N | events delivered | instructions | instructions / delivered event |')
            print('|---|---|---|---|---|')
            for r in rows:
                res = r['result']
                d = res['delivered'] or 1
                print(f"| {res['target']} | {r['variant']} | {res['delivered']:,} | {r['instructions']:,} | "
                      f"{r['instructions'] / d:,.0f} |")
            print()
            continue
        spec = METRICS.get(scenario, {})
        variants = []
        for r in rows:
            if r['variant'] not in variants:
                variants.append(r['variant'])
        print('| variant | metric | ' + ' | '.join(ORDER) + ' | Tack ÷ ws | Tack ÷ socket.io | Tack ÷ nchan |')
        print('|---|---|' + '---|' * (len(ORDER) + 3))
        for v in variants:
            mode = v.split('-')[0] if '-' in v else ''
            for label, key, unit, better in spec.get(mode, []):
                med = {}
                rng = {}
                lost = {}
                for t in ORDER:
                    vals = [get(r['result'], key) for r in rows
                            if r['variant'] == v and r['result']['target'] == t]
                    lost[t] = sum(1 for r in rows if r['variant'] == v and r['result']['target'] == t and r['exit'] != 0)
                    vals = [x for x in vals if x is not None and x >= 0]
                    med[t] = statistics.median(vals) if vals else None
                    rng[t] = (min(vals), max(vals)) if len(vals) > 1 else None
                cells = []
                for t in ORDER:
                    c = fmt(med[t], unit)
                    if rng[t] and better != 'info':
                        c += f' [{fmt(rng[t][0], unit)}–{fmt(rng[t][1], unit)}]'.replace(' µs', '').replace(' KiB', '').replace(' s]', ']').replace(' s–', '–')
                    if lost[t]:
                        c += f' (lost {lost[t]})'
                    cells.append(c)
                ratios = []
                for t in ('ws', 'socketio', 'nchan'):
                    if med['tack'] and med[t]:
                        ratios.append(f"{med['tack'] / med[t]:.2f}×")
                    else:
                        ratios.append('—')
                n = v.split('-')[-1]
                print(f'| {v} | {label} | ' + ' | '.join(cells) + ' | ' + ' | '.join(ratios) + ' |')
        print()
    return 0


if __name__ == '__main__':
    sys.exit(main())
