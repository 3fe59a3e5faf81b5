/* tack-connection-indicator.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "tack-session.h"

G_BEGIN_DECLS

#define TACK_TYPE_CONNECTION_INDICATOR (tack_connection_indicator_get_type())

G_DECLARE_FINAL_TYPE (TackConnectionIndicator, tack_connection_indicator, TACK, CONNECTION_INDICATOR, GtkWidget)

GtkWidget   *tack_connection_indicator_new         (void);
TackSession *tack_connection_indicator_get_session (TackConnectionIndicator *self);
void         tack_connection_indicator_set_session (TackConnectionIndicator *self,
                                                    TackSession             *session);
const char  *tack_connection_indicator_get_text    (TackConnectionIndicator *self);

G_END_DECLS
