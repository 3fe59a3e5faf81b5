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
            print('| clients | moves per run | p50 | p99 | max | lost |')
            print('|---|---|---|---|---|---|')
            for v in dict.fromkeys(r['variant'] for r in rows):
                rs = [r for r in rows if r['variant'] == v]
                cells = []
                for k in ('p50', 'p99', 'max'):
                    vals = [r['result']['latency_us'][k] for r in rs if r['result']['latency_us'][k] >= 0]
                    cells.append(f"{fmt(statistics.median(vals), 'µs')} [{min(vals):,.0f}–{max(vals):,.0f}]" if vals else '—')
                lost = sum(1 for r in rs if r['exit'] != 0)
                print(f"| {v} | {rs[0]['result']['moves']} | " + ' | '.join(cells) + f' | {lost} |')
            print()
            continue
        if scenario == 'resync':
            print('| cards | missed | replay: raw event bytes | replay: wire bytes | wire ÷ raw | replay ms | snapshot bytes | snapshot ms | snapshot ms ÷ replay ms |')
            print('|---|---|---|---|---|---|---|---|---|')
            for r in rows:
                res = r['result']
                snap = res['snapshot']
                for rp in res['replay']:
                    raw = rp['raw_event_bytes'] or 1
                    note = ' (reset)' if rp['reset'] else ''
                    print(f"| {res['cards']:,} | {rp['missed']:,}{note} | {rp['raw_event_bytes']:,} | {rp['wire_bytes']:,} | "
                          f"{rp['wire_bytes'] / raw:.3f}× | {rp['ms']:.1f} | {snap['bytes']:,} | {snap['ms']:.1f} | "
                          f"{snap['ms'] / rp['ms'] if rp['ms'] > 0 else 0:.2f}× |")
            print()
            continue
        if scenario == 'client-apply':
            print('| cards | events per run | TackStore events/s | hash-table ceiling events/s | store ÷ ceiling |')
            print('|---|---|---|---|---|')
            res = [r['result'] for r in rows]
            def mr(k):
                vals = [x[k] for x in res]
                return statistics.median(vals), min(vals), max(vals)
            s_, h_, q_ = mr('store_events_per_s'), mr('hashtable_events_per_s'), mr('ratio')
            print(f"| {res[0]['cards']:,} | {res[0]['events']:,} | {s_[0]:,.0f} [{s_[1]:,.0f}–{s_[2]:,.0f}] | "
                  f"{h_[0]:,.0f} [{h_[1]:,.0f}–{h_[2]:,.0f}] | {q_[0]:.2f}× [{q_[1]:.2f}–{q_[2]:.2f}] |")
            print()
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
