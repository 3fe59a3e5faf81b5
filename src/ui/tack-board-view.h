/* tack-board-view.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "tack-board.h"

G_BEGIN_DECLS

#define TACK_TYPE_BOARD_VIEW (tack_board_view_get_type())

G_DECLARE_FINAL_TYPE (TackBoardView, tack_board_view, TACK, BOARD_VIEW, GtkWidget)

GtkWidget *tack_board_view_new       (void);
TackBoard *tack_board_view_get_board (TackBoardView *self);
void       tack_board_view_set_board (TackBoardView *self,
                                      TackBoard     *board);

G_END_DECLS
