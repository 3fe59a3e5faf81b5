/* tack-card-filter.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TACK_TYPE_CARD_FILTER (tack_card_filter_get_type())

G_DECLARE_FINAL_TYPE (TackCardFilter, tack_card_filter, TACK, CARD_FILTER, GtkFilter)

TackCardFilter *tack_card_filter_new       (void);
void            tack_card_filter_hide      (TackCardFilter *self,
                                            const char     *card_id);
void            tack_card_filter_show      (TackCardFilter *self,
                                            const char     *card_id);
gboolean        tack_card_filter_is_hidden (TackCardFilter *self,
                                            const char     *card_id);

G_END_DECLS
