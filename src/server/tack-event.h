/* tack-event.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TACK_TYPE_EVENT (tack_event_get_type ())

typedef struct _TackEvent TackEvent;

GType       tack_event_get_type (void) G_GNUC_CONST;
TackEvent  *tack_event_new      (gint64      seq,
                                 const char *type,
                                 char       *json);
TackEvent  *tack_event_ref      (TackEvent  *self);
void        tack_event_unref    (TackEvent  *self);
gint64      tack_event_get_seq  (TackEvent  *self);
const char *tack_event_get_type_name (TackEvent *self);
const char *tack_event_get_json (TackEvent  *self);
GBytes     *tack_event_get_json_bytes (TackEvent *self);
GBytes     *tack_event_get_sse  (TackEvent  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TackEvent, tack_event_unref)

G_END_DECLS
