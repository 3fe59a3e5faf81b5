/* tack-char-width.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tack-char-width.h"

/**
 * tack_char_width_get:
 * @self: the cached width
 * @widget: whose font
 *
 * Returns: the average width of a character of @widget's font, in pixels,
 *   asked of Pango again only when the widget's Pango context changed
 *   (GTK updates it in place, bumping its serial, when the font does).
 */
int
tack_char_width_get (TackCharWidth *self,
                     GtkWidget     *widget)
{
  PangoContext *context = gtk_widget_get_pango_context (widget);
  guint serial = pango_context_get_serial (context);
  PangoFontMetrics *metrics;

  if (self->width > 0 && self->serial == serial)
    return self->width;

  metrics = pango_context_get_metrics (context, NULL, NULL);
  self->width = PANGO_PIXELS_CEIL (pango_font_metrics_get_approximate_char_width (metrics));
  self->serial = serial;
  pango_font_metrics_unref (metrics);

  return self->width;
}
