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
 * builds. So the answers are kept on the font map the widgets share, and
 * go with it; a font map whose serial moved (fonts installed or removed)
 * starts its table again. GTK's widgets live on one thread, and so does
 * this table. */
typedef struct
{
  guint       serial;
  GHashTable *widths; /* key (char *) → width in pixels */
} FontMapWidths;

static G_DEFINE_QUARK (tack-char-widths, tack_char_widths)

static void
font_map_widths_free (gpointer data)
{
  FontMapWidths *self = data;

  g_hash_table_unref (self->widths);
  g_free (self);
}

static int
measure_char_width (PangoContext *context)
{
  PangoFontMetrics *metrics = pango_context_get_metrics (context, NULL, NULL);
  int width = MAX (1, PANGO_PIXELS_CEIL (pango_font_metrics_get_approximate_char_width (metrics)));

  pango_font_metrics_unref (metrics);

  return width;
}

static FontMapWidths *
font_map_widths (PangoFontMap *font_map)
{
  FontMapWidths *self = g_object_get_qdata (G_OBJECT (font_map), tack_char_widths_quark ());
  guint serial = pango_font_map_get_serial (font_map);

  if (self == NULL)
    {
      self = g_new0 (FontMapWidths, 1);
      self->widths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_object_set_qdata_full (G_OBJECT (font_map), tack_char_widths_quark (), self, font_map_widths_free);
    }
  else if (self->serial != serial)
    {
      g_hash_table_remove_all (self->widths);
    }
  self->serial = serial;

  return self;
}

static int
shared_char_width (PangoContext *context)
{
  const PangoFontDescription *font = pango_context_get_font_description (context);
  const cairo_font_options_t *options = pango_cairo_context_get_font_options (context);
  PangoFontMap *font_map = pango_context_get_font_map (context);
  g_autofree char *font_name = NULL;
  g_autofree char *key = NULL;
  FontMapWidths *shared;
  gpointer width;

  if (font_map == NULL)
    return measure_char_width (context);

  shared = font_map_widths (font_map);
  font_name = font ? pango_font_description_to_string (font) : g_strdup ("");
  key = g_strdup_printf ("%s|%s|%g|%lu",
                         font_name,
                         pango_language_to_string (pango_context_get_language (context)),
                         pango_cairo_context_get_resolution (context),
                         options ? cairo_font_options_hash (options) : 0UL);

  if (!g_hash_table_lookup_extended (shared->widths, key, NULL, &width))
    {
      width = GINT_TO_POINTER (measure_char_width (context));
      g_hash_table_insert (shared->widths, g_steal_pointer (&key), width);
    }

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
 *   asked of Pango once per font for all the widgets sharing a font map.
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
