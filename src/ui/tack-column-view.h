/* tack-column-view.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "tack-column.h"

G_BEGIN_DECLS

#define TACK_TYPE_COLUMN_VIEW (tack_column_view_get_type())

G_DECLARE_FINAL_TYPE (TackColumnView, tack_column_view, TACK, COLUMN_VIEW, GtkWidget)

GtkWidget  *tack_column_view_new        (void);
TackColumn *tack_column_view_get_column (TackColumnView *self);
void        tack_column_view_set_column (TackColumnView *self,
                                         TackColumn     *column);

G_END_DECLS
