/* tack-presence.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define TACK_TYPE_PRESENCE (tack_presence_get_type())

G_DECLARE_FINAL_TYPE (TackPresence, tack_presence, TACK, PRESENCE, GObject)

const char *tack_presence_get_user     (TackPresence *self);
gboolean    tack_presence_get_viewing  (TackPresence *self);
const char *tack_presence_get_dragging (TackPresence *self);
const char *tack_presence_get_editing  (TackPresence *self);

G_END_DECLS
