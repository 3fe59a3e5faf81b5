/* tack-board.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tack-entry-state.h"

G_BEGIN_DECLS

#define TACK_TYPE_BOARD (tack_board_get_type())

G_DECLARE_FINAL_TYPE (TackBoard, tack_board, TACK, BOARD, GObject)

const char     *tack_board_get_id      (TackBoard *self);
const char     *tack_board_get_title   (TackBoard *self);
gint64          tack_board_get_version (TackBoard *self);
gint64          tack_board_get_seq     (TackBoard *self);
TackEntryState  tack_board_get_state   (TackBoard *self);
GListModel     *tack_board_get_columns (TackBoard *self);

G_END_DECLS
