/* tack-connect-dialog.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TACK_TYPE_CONNECT_DIALOG (tack_connect_dialog_get_type())

G_DECLARE_FINAL_TYPE (TackConnectDialog, tack_connect_dialog, TACK, CONNECT_DIALOG, AdwWindow)

GtkWidget *tack_connect_dialog_new     (void);
void       tack_connect_dialog_connect (TackConnectDialog *self);

G_END_DECLS
