/* tack-bench-cpu.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How much of its core a load client used over a span: every load client
 * reports it (docs/performance.md), so a figure can be trusted only when
 * the client was not the bottleneck.
 */

#pragma once

#include <glib.h>
#include <sys/resource.h>

typedef struct
{
  struct rusage ru;
  gint64        wall_us;   /* 0: never marked */
} TackBenchCpu;

static inline double
tack_bench_cpu_seconds (const struct rusage *ru)
{
  return ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6
       + ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6;
}

/* The share of one core this process used since the last mark (0 for the
 * first), and a new mark. */
static inline double
tack_bench_cpu_mark (TackBenchCpu *cpu)
{
  struct rusage ru;
  gint64 t = g_get_monotonic_time ();
  double frac = 0;

  getrusage (RUSAGE_SELF, &ru);
  if (cpu->wall_us != 0 && t > cpu->wall_us)
    frac = (tack_bench_cpu_seconds (&ru) - tack_bench_cpu_seconds (&cpu->ru)) / ((t - cpu->wall_us) / 1e6);
  cpu->ru = ru;
  cpu->wall_us = t;
  return frac;
}
