/* tack-board-private.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tack-board.h"
#include "tack-ordered-list-private.h"
#include "tack-values-private.h"

G_BEGIN_DECLS

TackBoard       *tack_board_new             (void);
void             tack_board_apply_value     (TackBoard            *self,
                                             const TackBoardValue *value);
void             tack_board_set_seq         (TackBoard            *self,
                                             gint64                seq);
void             tack_board_reset           (TackBoard            *self);
void             tack_board_set_state       (TackBoard            *self,
                                             TackEntryState        state);
TackOrderedList *tack_board_get_column_list (TackBoard            *self);

G_END_DECLS
