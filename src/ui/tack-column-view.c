/* tack-column-view.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* One column of the board: a header (title, card count, work-in-progress
 * limit) and its cards in a vertical list view over the column's card
 * model. Everything shown is bound to the TackColumn in the template. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "tack-card-row.h"
#include "tack-column-view.h"

struct _TackColumnView
{
  GtkWidget   parent_instance;

  TackColumn *column;

  GtkWidget  *header;
  GtkWidget  *cards_scroller;
  GtkLabel   *title_label;
  GtkLabel   *count_label;
  GtkWidget  *cards_view;
};

G_DEFINE_FINAL_TYPE (TackColumnView, tack_column_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_COLUMN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
tack_column_view_count_text (gpointer this_,
                             guint    n_cards,
                             guint    wip_limit)
{
  if (wip_limit == 0)
    return g_strdup_printf ("%u", n_cards);

  /* Translators: the number of cards in a column, then the column's
   * work-in-progress limit, as in "3 / 5". */
  return g_strdup_printf (_("%u / %u"), n_cards, wip_limit);
}

static char *
tack_column_view_count_tooltip (gpointer this_,
                                guint    n_cards,
                                guint    wip_limit,
                                gboolean over_limit)
{
  if (wip_limit == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u card", "%u cards", n_cards), n_cards);

  if (over_limit)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u card, over the limit of %u",
                                         "%u cards, over the limit of %u",
                                         n_cards),
                            n_cards, wip_limit);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u card, limit %u",
                                       "%u cards, limit %u",
                                       n_cards),
                          n_cards, wip_limit);
}

static char **
tack_column_view_count_classes (gpointer this_,
                                gboolean over_limit)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **classes;

  g_strv_builder_add (builder, "column-count");
  if (over_limit)
    g_strv_builder_add (builder, "warning");

  classes = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return classes;
}

static void
tack_column_view_dispose (GObject *object)
{
  TackColumnView *self = (TackColumnView *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), TACK_TYPE_COLUMN_VIEW);

  g_clear_object (&self->column);

  G_OBJECT_CLASS (tack_column_view_parent_class)->dispose (object);
}

static void
tack_column_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TackColumnView *self = TACK_COLUMN_VIEW (object);

  switch (prop_id)
    {
    case PROP_COLUMN:
      g_value_set_object (value, self->column);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_column_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TackColumnView *self = TACK_COLUMN_VIEW (object);

  switch (prop_id)
    {
    case PROP_COLUMN:
      tack_column_view_set_column (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_column_view_class_init (TackColumnViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tack_column_view_dispose;
  object_class->get_property = tack_column_view_get_property;
  object_class->set_property = tack_column_view_set_property;

  /**
   * TackColumnView:column:
   *
   * The column shown.
   */
  properties[PROP_COLUMN] =
    g_param_spec_object ("column", NULL, NULL,
                         TACK_TYPE_COLUMN,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TACK_TYPE_CARD);
  g_type_ensure (TACK_TYPE_CARD_ROW);
  g_type_ensure (TACK_TYPE_COLUMN);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tackboard/Tack/tack-column-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TackColumnView, header);
  gtk_widget_class_bind_template_child (widget_class, TackColumnView, cards_scroller);
  gtk_widget_class_bind_template_child (widget_class, TackColumnView, title_label);
  gtk_widget_class_bind_template_child (widget_class, TackColumnView, count_label);
  gtk_widget_class_bind_template_child (widget_class, TackColumnView, cards_view);
  gtk_widget_class_bind_template_callback (widget_class, tack_column_view_count_text);
  gtk_widget_class_bind_template_callback (widget_class, tack_column_view_count_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, tack_column_view_count_classes);

  gtk_widget_class_set_css_name (widget_class, "boardcolumn");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tack_column_view_init (TackColumnView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The column and its card list are announced by the column's title,
   * which the template keeps bound to the model. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->title_label, NULL,
                                  -1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->cards_view),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->title_label, NULL,
                                  -1);
}

GtkWidget *
tack_column_view_new (void)
{
  return g_object_new (TACK_TYPE_COLUMN_VIEW, NULL);
}

/**
 * tack_column_view_get_column:
 *
 * Returns: (transfer none) (nullable): the column shown
 */
TackColumn *
tack_column_view_get_column (TackColumnView *self)
{
  g_return_val_if_fail (TACK_IS_COLUMN_VIEW (self), NULL);

  return self->column;
}

void
tack_column_view_set_column (TackColumnView *self,
                             TackColumn     *column)
{
  g_return_if_fail (TACK_IS_COLUMN_VIEW (self));
  g_return_if_fail (!column || TACK_IS_COLUMN (column));

  if (g_set_object (&self->column, column))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLUMN]);
}
