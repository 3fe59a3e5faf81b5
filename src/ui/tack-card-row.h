/* tack-card-row.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "tack-card.h"

G_BEGIN_DECLS

#define TACK_TYPE_CARD_ROW (tack_card_row_get_type())

G_DECLARE_FINAL_TYPE (TackCardRow, tack_card_row, TACK, CARD_ROW, GtkWidget)

GtkWidget *tack_card_row_new      (void);
TackCard  *tack_card_row_get_card (TackCardRow *self);
void       tack_card_row_set_card (TackCardRow *self,
                                   TackCard    *card);

G_END_DECLS
