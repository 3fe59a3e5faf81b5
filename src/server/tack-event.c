/* tack-event.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* One committed event, serialized once: the envelope JSON is built by the
 * storage when it commits, and the SSE framing is built the first time a
 * stream needs it. Every subscriber shares the same bytes. */

#define G_LOG_DOMAIN "tack-server"

#include "config.h"

#include <string.h>

#include "tack-event.h"

struct _TackEvent
{
  gint64  seq;
  char   *type;
  GBytes *json;   /* NUL-terminated, the NUL not counted */
  GBytes *sse;
};

G_DEFINE_BOXED_TYPE (TackEvent, tack_event, tack_event_ref, tack_event_unref)

/**
 * tack_event_new:
 * @json: (transfer full): the envelope, serialized
 */
TackEvent *
tack_event_new (gint64      seq,
                const char *type,
                char       *json)
{
  TackEvent *self = g_atomic_rc_box_new0 (TackEvent);

  self->seq = seq;
  self->type = g_strdup (type);
  self->json = g_bytes_new_take (json, strlen (json));

  return self;
}

TackEvent *
tack_event_ref (TackEvent *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
tack_event_clear (gpointer data)
{
  TackEvent *self = data;

  g_clear_pointer (&self->type, g_free);
  g_clear_pointer (&self->json, g_bytes_unref);
  g_clear_pointer (&self->sse, g_bytes_unref);
}

void
tack_event_unref (TackEvent *self)
{
  g_atomic_rc_box_release_full (self, tack_event_clear);
}

gint64
tack_event_get_seq (TackEvent *self)
{
  return self->seq;
}

const char *
tack_event_get_type_name (TackEvent *self)
{
  return self->type;
}

const char *
tack_event_get_json (TackEvent *self)
{
  return g_bytes_get_data (self->json, NULL);
}

/* The envelope as one GBytes that every WebSocket subscriber is handed:
 * the event is encoded once, whatever the number of subscribers. */
GBytes *
tack_event_get_json_bytes (TackEvent *self)
{
  return g_bytes_ref (self->json);
}

/* Built on first use, on whichever thread asks first (the subscriber
 * threads too): the loser of a race drops its copy. */
GBytes *
tack_event_get_sse (TackEvent *self)
{
  GBytes *sse = g_atomic_pointer_get (&self->sse);

  if (sse == NULL)
    {
      g_autofree char *text = g_strdup_printf ("id: %" G_GINT64_FORMAT "\nevent: %s\ndata: %s\n\n",
                                               self->seq, self->type, tack_event_get_json (self));
      gsize len = strlen (text);

      sse = g_bytes_new_take (g_steal_pointer (&text), len);
      if (!g_atomic_pointer_compare_and_exchange (&self->sse, NULL, sse))
        {
          g_bytes_unref (sse);
          sse = g_atomic_pointer_get (&self->sse);
        }
    }

  return g_bytes_ref (sse);
}
