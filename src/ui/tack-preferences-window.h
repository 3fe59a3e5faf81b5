/* tack-preferences-window.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TACK_TYPE_PREFERENCES_WINDOW (tack_preferences_window_get_type())

G_DECLARE_FINAL_TYPE (TackPreferencesWindow, tack_preferences_window, TACK, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *tack_preferences_window_new (void);

G_END_DECLS
