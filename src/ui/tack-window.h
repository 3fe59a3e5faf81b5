/* tack-window.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tack-session.h"
#include "tack-store.h"

G_BEGIN_DECLS

#define TACK_TYPE_WINDOW (tack_window_get_type())

G_DECLARE_FINAL_TYPE (TackWindow, tack_window, TACK, WINDOW, AdwApplicationWindow)

TackStore   *tack_window_get_store     (TackWindow *self);
TackSession *tack_window_get_session   (TackWindow *self);
gboolean     tack_window_get_read_only (TackWindow *self);
GListModel  *tack_window_get_presence  (TackWindow *self);
void         tack_window_add_toast     (TackWindow *self,
                                        AdwToast   *toast);

G_END_DECLS
