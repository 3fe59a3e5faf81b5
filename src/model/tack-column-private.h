/* tack-column-private.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tack-column.h"
#include "tack-ordered-list-private.h"
#include "tack-values-private.h"

G_BEGIN_DECLS

TackColumn      *tack_column_new            (const char            *id);
void             tack_column_set_id         (TackColumn            *self,
                                             const char            *id);
void             tack_column_apply_value    (TackColumn            *self,
                                             const TackColumnValue *value);
void             tack_column_set_state      (TackColumn            *self,
                                             TackEntryState         state);
void             tack_column_set_pending    (TackColumn            *self,
                                             gboolean               pending);
TackOrderedList *tack_column_get_card_list  (TackColumn            *self);
void             tack_column_key_func       (gpointer               item,
                                             const char           **position,
                                             const char           **id);

G_END_DECLS
