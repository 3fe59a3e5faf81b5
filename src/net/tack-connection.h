/* tack-connection.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tack-api.h"
#include "tack-dispatcher.h"
#include "tack-net-enums.h"
#include "tack-net-types.h"

G_BEGIN_DECLS

#define TACK_TYPE_CONNECTION (tack_connection_get_type())

G_DECLARE_FINAL_TYPE (TackConnection, tack_connection, TACK, CONNECTION, GObject)

TackConnection      *tack_connection_new                  (TackApi             *api,
                                                           TackDispatcher      *dispatcher);
TackApi             *tack_connection_get_api              (TackConnection      *self);
TackDispatcher      *tack_connection_get_dispatcher       (TackConnection      *self);
TackConnectionState  tack_connection_get_state            (TackConnection      *self);
const char          *tack_connection_get_reason           (TackConnection      *self);
gint64               tack_connection_get_next_attempt     (TackConnection      *self);
guint                tack_connection_get_attempt          (TackConnection      *self);
TackTransportMode    tack_connection_get_mode             (TackConnection      *self);
void                 tack_connection_set_mode             (TackConnection      *self,
                                                           TackTransportMode    mode);
TackTransportMode    tack_connection_get_transport        (TackConnection      *self);
GListModel          *tack_connection_get_presence         (TackConnection      *self);

void                 tack_connection_start                (TackConnection      *self);
void                 tack_connection_stop                 (TackConnection      *self);
void                 tack_connection_reconnect_now        (TackConnection      *self);

void                 tack_connection_set_presence_state   (TackConnection      *self,
                                                           JsonObject          *state);
void                 tack_connection_set_viewing          (TackConnection      *self);
void                 tack_connection_set_dragging         (TackConnection      *self,
                                                           const char          *card_id);
void                 tack_connection_set_editing          (TackConnection      *self,
                                                           const char          *card_id);

G_END_DECLS
