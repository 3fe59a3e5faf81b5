/* tack-descriptors.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Linux keeps a process's descriptors in a table that doubles when it is
 * full, and once threads share it, every doubling waits out an RCU grace
 * period before the old table goes: the thread that asked for the
 * descriptor sleeps for milliseconds. In a storm of connections that is
 * tack-server's main loop in accept() at the 256th, 512th, 1,024th…
 * connection (4–12 ms each, with every client behind it waiting), and a
 * load client in socket(). The table never shrinks, so a program that
 * will hold many sockets grows it once, up front, preferably while it has
 * a single thread. The table is kernel memory (512 KiB for 65,536
 * descriptors), not the process's.
 */

#pragma once

#include <glib.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

/* Grows the descriptor table to hold at least @n descriptors, or as many
 * as the open file limit allows: a descriptor placed at the top, then
 * closed. */
static inline void
tack_reserve_descriptors (guint n)
{
  struct rlimit limit;
  int fd, top;

  if (n < 2 || getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur < 2)
    return;

  fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;

  top = fcntl (fd, F_DUPFD_CLOEXEC, (int)MIN ((rlim_t)n, limit.rlim_cur) - 1);
  if (top >= 0)
    close (top);
  close (fd);
}
