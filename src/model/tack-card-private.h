/* tack-card-private.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tack-card.h"
#include "tack-values-private.h"

G_BEGIN_DECLS

/* Only the store changes a card: it keeps the card's place in its
 * column's ordered list in step with the card's position. */
TackCard *tack_card_new         (const char          *id);
void      tack_card_set_id      (TackCard            *self,
                                 const char          *id);
void      tack_card_apply_value (TackCard            *self,
                                 const TackCardValue *value);
void      tack_card_apply_changes (TackCard            *self,
                                   const TackCardValue *value,
                                   TackCardFields       fields);
void      tack_card_set_state   (TackCard            *self,
                                 TackEntryState       state);
void      tack_card_set_pending (TackCard            *self,
                                 gboolean             pending);
void      tack_card_key_func    (gpointer             item,
                                 const char         **position,
                                 const char         **id);

G_END_DECLS
