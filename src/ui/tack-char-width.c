/* tack-char-width.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <pango/pangocairo.h>

#include "tack-char-width.h"

/* What Pango answers depends on the font, the language, the resolution,
 * the font options and the fonts installed, not on the widget: a column
 * of card rows asks the same question for every row and every label it
 * builds, so the answers are kept for the process. GTK's widgets live on
 * one thread, and so does this table. */
static GHashTable *widths; /* key (char *) → width in pixels */

static int
shared_char_width (PangoContext *context)
{
  const PangoFontDescription *font = pango_context_get_font_description (context);
  const cairo_font_options_t *options = pango_cairo_context_get_font_options (context);
  PangoFontMap *font_map = pango_context_get_font_map (context);
  g_autofree char *font_name = font ? pango_font_description_to_string (font) : g_strdup ("");
  g_autofree char *key = NULL;
  PangoFontMetrics *metrics;
  gpointer width;

  key = g_strdup_printf ("%s|%s|%g|%lu|%p:%u",
                         font_name,
                         pango_language_to_string (pango_context_get_language (context)),
                         pango_cairo_context_get_resolution (context),
                         options ? cairo_font_options_hash (options) : 0UL,
                         (gpointer) font_map,
                         font_map ? pango_font_map_get_serial (font_map) : 0);

  if (widths == NULL)
    widths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  else if (g_hash_table_lookup_extended (widths, key, NULL, &width))
    return GPOINTER_TO_INT (width);

  metrics = pango_context_get_metrics (context, NULL, NULL);
  width = GINT_TO_POINTER (MAX (1, PANGO_PIXELS_CEIL (pango_font_metrics_get_approximate_char_width (metrics))));
  pango_font_metrics_unref (metrics);
  g_hash_table_insert (widths, g_steal_pointer (&key), width);

  return GPOINTER_TO_INT (width);
}

/**
 * tack_char_width_get:
 * @self: the cached width
 * @widget: whose font
 *
 * Returns: the average width of a character of @widget's font, in pixels,
 *   looked up again only when the widget's Pango context changed (GTK
 *   updates it in place, bumping its serial, when the font does), and
 *   asked of Pango once per font in the process.
 */
int
tack_char_width_get (TackCharWidth *self,
                     GtkWidget     *widget)
{
  PangoContext *context = gtk_widget_get_pango_context (widget);
  guint serial = pango_context_get_serial (context);

  if (self->width > 0 && self->serial == serial)
    return self->width;

  self->width = shared_char_width (context);
  self->serial = serial;

  return self->width;
}
