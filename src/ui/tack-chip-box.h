/* tack-chip-box.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TACK_TYPE_CHIP_BOX (tack_chip_box_get_type())

G_DECLARE_FINAL_TYPE (TackChipBox, tack_chip_box, TACK, CHIP_BOX, GtkWidget)

GtkWidget          *tack_chip_box_new         (void);
const char * const *tack_chip_box_get_items   (TackChipBox        *self);
void                tack_chip_box_set_items   (TackChipBox        *self,
                                               const char * const *items);
gboolean            tack_chip_box_get_avatars (TackChipBox        *self);
void                tack_chip_box_set_avatars (TackChipBox        *self,
                                               gboolean            avatars);

G_END_DECLS
