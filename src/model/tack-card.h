/* tack-card.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "tack-entry-state.h"

G_BEGIN_DECLS

#define TACK_TYPE_CARD (tack_card_get_type())

G_DECLARE_FINAL_TYPE (TackCard, tack_card, TACK, CARD, GObject)

const char          *tack_card_get_id          (TackCard *self);
const char          *tack_card_get_column_id   (TackCard *self);
const char          *tack_card_get_title       (TackCard *self);
const char          *tack_card_get_description (TackCard *self);
const char          *tack_card_get_position    (TackCard *self);
const char * const  *tack_card_get_labels      (TackCard *self);
const char * const  *tack_card_get_assignees   (TackCard *self);
const char          *tack_card_get_due         (TackCard *self);
gint64               tack_card_get_version     (TackCard *self);
const char          *tack_card_get_updated_at  (TackCard *self);
const char          *tack_card_get_updated_by  (TackCard *self);
TackEntryState       tack_card_get_state       (TackCard *self);
gboolean             tack_card_get_pending     (TackCard *self);

G_END_DECLS
