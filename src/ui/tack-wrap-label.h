/* tack-wrap-label.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TACK_TYPE_WRAP_LABEL (tack_wrap_label_get_type())

G_DECLARE_FINAL_TYPE (TackWrapLabel, tack_wrap_label, TACK, WRAP_LABEL, GtkWidget)

GtkWidget   *tack_wrap_label_new        (const char    *label);
const char  *tack_wrap_label_get_label  (TackWrapLabel *self);
void         tack_wrap_label_set_label  (TackWrapLabel *self,
                                         const char    *label);
PangoLayout *tack_wrap_label_get_layout (TackWrapLabel *self);
int          tack_wrap_label_get_lines  (TackWrapLabel *self);
void         tack_wrap_label_set_lines  (TackWrapLabel *self,
                                         int            lines);

G_END_DECLS
