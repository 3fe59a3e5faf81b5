/* tack-net-private.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Timeouts and idles of the net layer go to the thread-default main
 * context of the thread that makes them, as GIO's and libsoup's own do:
 * the global default context only on the main thread. g_timeout_add() and
 * g_source_remove() always use the global default one, so a connection
 * made on a thread with a context of its own would have its heartbeat
 * and its retries run on another thread. An id from these is removed on
 * the same thread, with tack_net_source_remove(). */
guint tack_net_timeout_add         (guint          interval_ms,
                                    GSourceFunc    func,
                                    gpointer       data);
guint tack_net_timeout_add_seconds (guint          interval_s,
                                    GSourceFunc    func,
                                    gpointer       data);
guint tack_net_idle_add_full       (gint           priority,
                                    GSourceFunc    func,
                                    gpointer       data,
                                    GDestroyNotify notify);
void  tack_net_source_remove       (guint          id);

G_END_DECLS
