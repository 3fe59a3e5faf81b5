/* tack-char-width.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A widget's average character width, kept for as long as its font stays
 * the same: asking Pango for it shapes a sample text, too much to do on
 * every size request of a list row. Zero-initialise it. */
typedef struct
{
  guint serial;
  int   width;
} TackCharWidth;

int tack_char_width_get (TackCharWidth *self,
                         GtkWidget     *widget);

G_END_DECLS
