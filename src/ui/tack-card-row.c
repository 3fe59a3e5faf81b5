/* tack-card-row.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* One card in a column: title, a glimpse of the description, labels, due
 * date, assignees and whether a local change is still waiting for the
 * server. Every one of them is bound to the TackCard in the template. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "tack-card-row.h"
#include "tack-chip-box.h"
#include "tack-presence.h"
#include "tack-window.h"

struct _TackCardRow
{
  GtkWidget  parent_instance;

  TackCard  *card;

  /* Direct children, so the template's dispose unparents them. */
  GtkWidget *header;
  GtkWidget *footer;

  GtkLabel  *title_label;
  GtkLabel  *description_label;
  GtkWidget *due_box;
  GtkWidget *labels_box;
  GtkWidget *assignees_box;
  GtkWidget *presence_label;
};

G_DEFINE_FINAL_TYPE (TackCardRow, tack_card_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CARD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GDateTime *
parse_due (const char *due)
{
  int year, month, day;

  if (due == NULL || sscanf (due, "%4d-%2d-%2d", &year, &month, &day) != 3)
    return NULL;

  return g_date_time_new_local (year, month, day, 0, 0, 0);
}

/* Days from today to @due, negative when it is past. */
static gboolean
days_until (const char *due,
            int        *days)
{
  g_autoptr(GDateTime) date = parse_due (due);
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) today = NULL;

  if (date == NULL)
    return FALSE;

  now = g_date_time_new_now_local ();
  today = g_date_time_new_local (g_date_time_get_year (now),
                                 g_date_time_get_month (now),
                                 g_date_time_get_day_of_month (now),
                                 0, 0, 0);
  *days = (int)(g_date_time_difference (date, today) / G_TIME_SPAN_DAY);

  return TRUE;
}

static gboolean
tack_card_row_has_text (gpointer    this_,
                        const char *text)
{
  return text != NULL && text[0] != '\0';
}

static gboolean
tack_card_row_has_footer (gpointer            this_,
                          const char         *due,
                          const char * const *assignees)
{
  return (due != NULL && due[0] != '\0') || (assignees != NULL && assignees[0] != NULL);
}

static char *
tack_card_row_due_text (gpointer    this_,
                        const char *due)
{
  g_autoptr(GDateTime) date = parse_due (due);
  g_autoptr(GDateTime) now = NULL;
  int days;

  if (date == NULL)
    return g_strdup (due);

  if (days_until (due, &days))
    {
      if (days == 0)
        return g_strdup (_("Today"));
      if (days == 1)
        return g_strdup (_("Tomorrow"));
      if (days == -1)
        return g_strdup (_("Yesterday"));
    }

  now = g_date_time_new_now_local ();
  if (g_date_time_get_year (now) == g_date_time_get_year (date))
    /* Translators: a due date in the current year, see the strftime(3)
     * manual page; "Nov 30" in English. */
    return g_date_time_format (date, _("%b %-d"));

  /* Translators: a due date in another year; "Nov 30, 2027" in English. */
  return g_date_time_format (date, _("%b %-d, %Y"));
}

static char *
tack_card_row_due_tooltip (gpointer    this_,
                           const char *due)
{
  g_autoptr(GDateTime) date = parse_due (due);
  g_autofree char *text = NULL;

  if (date == NULL)
    return NULL;

  /* Translators: the full due date in a tooltip, see strftime(3). */
  text = g_date_time_format (date, _("%A, %B %-d, %Y"));

  /* Translators: %s is a date, as in "Due Monday, November 30, 2026". */
  return g_strdup_printf (_("Due %s"), text);
}

static char **
tack_card_row_due_classes (gpointer    this_,
                           const char *due)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **classes;
  int days;

  g_strv_builder_add (builder, "due");
  if (days_until (due, &days))
    {
      if (days < 0)
        g_strv_builder_add (builder, "overdue");
      else if (days == 0)
        g_strv_builder_add (builder, "due-today");
    }

  classes = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return classes;
}

/* Who else is moving or editing this card right now, from the board's
 * presence list; @serial only tells the binding that the list changed. */
static char *
tack_card_row_presence_text (gpointer    this_,
                             const char *card_id,
                             GListModel *presence,
                             guint       serial)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n;

  if (card_id == NULL || presence == NULL)
    return g_strdup ("");

  n = g_list_model_get_n_items (presence);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TackPresence) item = g_list_model_get_item (presence, i);
      const char *user = tack_presence_get_user (item);

      if (text->len > 0 &&
          (g_strcmp0 (tack_presence_get_dragging (item), card_id) == 0 ||
           g_strcmp0 (tack_presence_get_editing (item), card_id) == 0))
        g_string_append (text, "\n");

      /* Translators: %s is a person's name, shown on a card they drag. */
      if (g_strcmp0 (tack_presence_get_dragging (item), card_id) == 0)
        g_string_append_printf (text, _("%s is moving this"), user);
      /* Translators: %s is a person's name, shown on a card they edit. */
      else if (g_strcmp0 (tack_presence_get_editing (item), card_id) == 0)
        g_string_append_printf (text, _("%s is editing this"), user);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static GdkContentProvider *
drag_prepare_cb (GtkDragSource *source,
                 double         x,
                 double         y,
                 TackCardRow   *self)
{
  if (self->card == NULL)
    return NULL;

  return gdk_content_provider_new_typed (G_TYPE_STRING, tack_card_get_id (self->card));
}

static void
drag_begin_cb (GtkDragSource *source,
               GdkDrag       *drag,
               TackCardRow   *self)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (self));

  gtk_drag_source_set_icon (source, paintable, 0, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self), "dragging");
  if (self->card != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.set-dragging", "s", tack_card_get_id (self->card));
}

static void
drag_end_cb (GtkDragSource *source,
             GdkDrag       *drag,
             gboolean       delete_data,
             TackCardRow   *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self), "dragging");
  gtk_widget_activate_action (GTK_WIDGET (self), "win.set-dragging", "s", "");
}

static void
tack_card_row_dispose (GObject *object)
{
  TackCardRow *self = (TackCardRow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), TACK_TYPE_CARD_ROW);

  g_clear_object (&self->card);

  G_OBJECT_CLASS (tack_card_row_parent_class)->dispose (object);
}

static void
tack_card_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TackCardRow *self = TACK_CARD_ROW (object);

  switch (prop_id)
    {
    case PROP_CARD:
      g_value_set_object (value, self->card);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_card_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TackCardRow *self = TACK_CARD_ROW (object);

  switch (prop_id)
    {
    case PROP_CARD:
      tack_card_row_set_card (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_card_row_class_init (TackCardRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tack_card_row_dispose;
  object_class->get_property = tack_card_row_get_property;
  object_class->set_property = tack_card_row_set_property;

  /**
   * TackCardRow:card:
   *
   * The card shown.
   */
  properties[PROP_CARD] =
    g_param_spec_object ("card", NULL, NULL,
                         TACK_TYPE_CARD,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TACK_TYPE_CARD);
  g_type_ensure (TACK_TYPE_CHIP_BOX);
  g_type_ensure (TACK_TYPE_WINDOW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tackboard/Tack/tack-card-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TackCardRow, header);
  gtk_widget_class_bind_template_child (widget_class, TackCardRow, footer);
  gtk_widget_class_bind_template_child (widget_class, TackCardRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, TackCardRow, description_label);
  gtk_widget_class_bind_template_child (widget_class, TackCardRow, due_box);
  gtk_widget_class_bind_template_child (widget_class, TackCardRow, labels_box);
  gtk_widget_class_bind_template_child (widget_class, TackCardRow, assignees_box);
  gtk_widget_class_bind_template_child (widget_class, TackCardRow, presence_label);
  gtk_widget_class_bind_template_callback (widget_class, tack_card_row_presence_text);
  gtk_widget_class_bind_template_callback (widget_class, tack_card_row_has_text);
  gtk_widget_class_bind_template_callback (widget_class, tack_card_row_has_footer);
  gtk_widget_class_bind_template_callback (widget_class, tack_card_row_due_text);
  gtk_widget_class_bind_template_callback (widget_class, tack_card_row_due_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, tack_card_row_due_classes);

  gtk_widget_class_set_css_name (widget_class, "cardrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tack_card_row_init (TackCardRow *self)
{
  GtkDragSource *source;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* GTK 4.8 list rows take the focus only when selectable; the card
   * itself takes it, so the board can be worked with the keyboard. */
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);

  /* A card is dragged by its id; the column it is dropped on asks the
   * window to move it (see TackColumnView). */
  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
  g_signal_connect (source, "prepare", G_CALLBACK (drag_prepare_cb), self);
  g_signal_connect (source, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (source, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (source));

  /* Screen readers announce a card by its title and read the rest as its
   * description; both labels stay bound to the card in the template. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->title_label, NULL,
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                    self->description_label, self->due_box,
                                    self->labels_box, self->assignees_box, NULL,
                                  -1);
}

GtkWidget *
tack_card_row_new (void)
{
  return g_object_new (TACK_TYPE_CARD_ROW, NULL);
}

/**
 * tack_card_row_get_card:
 *
 * Returns: (transfer none) (nullable): the card shown
 */
TackCard *
tack_card_row_get_card (TackCardRow *self)
{
  g_return_val_if_fail (TACK_IS_CARD_ROW (self), NULL);

  return self->card;
}

void
tack_card_row_set_card (TackCardRow *self,
                        TackCard    *card)
{
  g_return_if_fail (TACK_IS_CARD_ROW (self));
  g_return_if_fail (!card || TACK_IS_CARD (card));

  if (g_set_object (&self->card, card))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CARD]);
}
