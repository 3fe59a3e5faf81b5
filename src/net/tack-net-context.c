/* tack-net-context.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tack-net"

#include "config.h"

#include "tack-net-private.h"

static guint
attach (GSource        *source,
        GSourceFunc     func,
        gpointer        data,
        GDestroyNotify  notify)
{
  guint id;

  g_source_set_callback (source, func, data, notify);
  id = g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);

  return id;
}

guint
tack_net_timeout_add (guint       interval_ms,
                      GSourceFunc func,
                      gpointer    data)
{
  return attach (g_timeout_source_new (interval_ms), func, data, NULL);
}

guint
tack_net_timeout_add_seconds (guint       interval_s,
                              GSourceFunc func,
                              gpointer    data)
{
  return attach (g_timeout_source_new_seconds (interval_s), func, data, NULL);
}

guint
tack_net_idle_add_full (gint           priority,
                        GSourceFunc    func,
                        gpointer       data,
                        GDestroyNotify notify)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, priority);
  return attach (source, func, data, notify);
}

void
tack_net_source_remove (guint id)
{
  GMainContext *context = g_main_context_ref_thread_default ();
  GSource *source = g_main_context_find_source_by_id (context, id);

  if (source != NULL)
    g_source_destroy (source);
  else
    g_critical ("No source %u on this thread's main context", id);
  g_main_context_unref (context);
}
