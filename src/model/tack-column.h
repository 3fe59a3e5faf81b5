/* tack-column.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tack-entry-state.h"

G_BEGIN_DECLS

#define TACK_TYPE_COLUMN (tack_column_get_type())

G_DECLARE_FINAL_TYPE (TackColumn, tack_column, TACK, COLUMN, GObject)

const char     *tack_column_get_id         (TackColumn *self);
const char     *tack_column_get_board_id   (TackColumn *self);
const char     *tack_column_get_title      (TackColumn *self);
const char     *tack_column_get_position   (TackColumn *self);
guint           tack_column_get_wip_limit  (TackColumn *self);
gint64          tack_column_get_version    (TackColumn *self);
TackEntryState  tack_column_get_state      (TackColumn *self);
GListModel     *tack_column_get_cards      (TackColumn *self);
guint           tack_column_get_n_cards    (TackColumn *self);
gboolean        tack_column_get_over_limit (TackColumn *self);
gboolean        tack_column_get_pending    (TackColumn *self);

G_END_DECLS
