/* tack-test-ui.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tack-card-row.h"
#include "tack-column-view.h"
#include "tack-test-ui.h"
#include "tack-wrap-label.h"

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

/* One main loop iteration, woken at the latest after 50 ms so that
 * conditions nothing signals (a server's state) are looked at again. */
void
test_wait_tick (void)
{
  GSource *source = g_timeout_source_new (50);

  g_source_set_callback (source, tick_cb, NULL, NULL);
  g_source_attach (source, NULL);
  g_main_context_iteration (NULL, TRUE);
  g_source_destroy (source);
  g_source_unref (source);
}

/* The first widget under @root, depth first, that @match accepts. */
GtkWidget *
test_find_widget (GtkWidget     *root,
                  TestMatch      match,
                  gconstpointer  data)
{
  if (root == NULL)
    return NULL;

  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = test_find_widget (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The text a mapped label shows: a GtkLabel, or the TackWrapLabel that
 * cards use for titles and descriptions. */
static const char *
shown_text (GtkWidget *widget)
{
  if (!gtk_widget_get_mapped (widget))
    return NULL;
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_text (GTK_LABEL (widget));
  if (TACK_IS_WRAP_LABEL (widget))
    return tack_wrap_label_get_label (TACK_WRAP_LABEL (widget));

  return NULL;
}

/* A label on screen showing exactly @text. */
gboolean
test_is_label_with_text (GtkWidget     *widget,
                         gconstpointer  text)
{
  return g_strcmp0 (shown_text (widget), text) == 0;
}

gboolean
test_is_label_containing (GtkWidget     *widget,
                          gconstpointer  text)
{
  const char *shown = shown_text (widget);

  return shown != NULL && strstr (shown, text) != NULL;
}

/* @type: a GType, as GSIZE_TO_POINTER() */
gboolean
test_is_type (GtkWidget     *widget,
              gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

gboolean
test_is_column_view_for (GtkWidget     *widget,
                         gconstpointer  column_id)
{
  TackColumn *column;

  if (!TACK_IS_COLUMN_VIEW (widget) || !gtk_widget_get_mapped (widget))
    return FALSE;

  column = tack_column_view_get_column (TACK_COLUMN_VIEW (widget));
  return column != NULL && g_strcmp0 (tack_column_get_id (column), column_id) == 0;
}

gboolean
test_is_card_row_for (GtkWidget     *widget,
                      gconstpointer  card_id)
{
  TackCard *card;

  if (!TACK_IS_CARD_ROW (widget) || !gtk_widget_get_mapped (widget))
    return FALSE;

  card = tack_card_row_get_card (TACK_CARD_ROW (widget));
  return card != NULL && g_strcmp0 (tack_card_get_id (card), card_id) == 0;
}

gboolean
test_is_button_for_action (GtkWidget     *widget,
                           gconstpointer  action)
{
  return GTK_IS_BUTTON (widget) &&
         gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

gboolean
test_is_mapped_with_class (GtkWidget     *widget,
                           gconstpointer  css_class)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_has_css_class (widget, css_class);
}

GtkWidget *
test_find_label (GtkWidget  *root,
                 const char *text)
{
  return test_find_widget (root, test_is_label_with_text, text);
}

GtkWidget *
test_find_column_view (GtkWidget  *root,
                       const char *column_id)
{
  return test_find_widget (root, test_is_column_view_for, column_id);
}

GtkWidget *
test_find_card_row (GtkWidget  *root,
                    const char *card_id)
{
  return test_find_widget (root, test_is_card_row_for, card_id);
}
