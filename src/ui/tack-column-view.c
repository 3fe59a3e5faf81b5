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
#include "tack-head-model.h"
#include "tack-window-private.h"

struct _TackColumnView
{
  GtkWidget   parent_instance;

  TackColumn *column;

  GtkWidget  *header;
  GtkWidget  *cards_scroller;
  GtkLabel   *title_label;
  GtkLabel   *count_label;
  GtkWidget  *cards_view;
  GtkWidget  *new_card_entry;
  GtkWidget  *menu_button;
  GtkNoSelection     *selection;
  GtkFilterListModel *filter_model;

  /* The cards the list shows: see first_frame_rows(). */
  TackHeadModel      *head_model;
  GdkFrameClock      *frame_clock;
  gulong              after_paint_id;

  /* Where a dragged card would land: the row the line is drawn on. */
  GtkWidget  *drop_row;
  gboolean    drop_after;
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

/* The count's tooltip says what the numbers mean. It is made when asked
 * for rather than bound: setting tooltip-text on every card that enters
 * or leaves the column costs GTK 4.8 on X11 a pointer query to the X
 * server each time, which showed as a fifth of the frame work under a
 * flood of live moves (docs/performance.md, ui-scroll). */
static gboolean
count_query_tooltip_cb (TackColumnView *self,
                        int             x,
                        int             y,
                        gboolean        keyboard_mode,
                        GtkTooltip     *tooltip)
{
  g_autofree char *text = NULL;
  guint n_cards, wip_limit;

  if (self->column == NULL)
    return FALSE;

  n_cards = tack_column_get_n_cards (self->column);
  wip_limit = tack_column_get_wip_limit (self->column);

  if (wip_limit == 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u card", "%u cards", n_cards), n_cards);
  else if (tack_column_get_over_limit (self->column))
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u card, over the limit of %u",
                                         "%u cards, over the limit of %u",
                                         n_cards),
                            n_cards, wip_limit);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u card, limit %u",
                                         "%u cards, limit %u",
                                         n_cards),
                            n_cards, wip_limit);

  gtk_tooltip_set_text (tooltip, text);

  return TRUE;
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

/* A column this client changed and the server has not confirmed yet
 * looks like a pending card: dimmed, with the pending icon. */
static char **
tack_column_view_header_classes (gpointer this_,
                                 gboolean pending)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **classes;

  g_strv_builder_add (builder, "column-header");
  if (pending)
    g_strv_builder_add (builder, "pending");

  classes = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return classes;
}

static void
cards_view_activate_cb (TackColumnView *self,
                        guint           position)
{
  g_autoptr(TackCard) card = g_list_model_get_item (G_LIST_MODEL (self->filter_model), position);

  if (card != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.open-card", "s", tack_card_get_id (card));
}

static void
new_card_activate_cb (TackColumnView *self)
{
  const char *title = gtk_editable_get_text (GTK_EDITABLE (self->new_card_entry));

  if (self->column == NULL || title[0] == '\0')
    return;

  if (gtk_widget_activate_action (GTK_WIDGET (self), "win.add-card", "(ss)",
                                  tack_column_get_id (self->column), title))
    gtk_editable_set_text (GTK_EDITABLE (self->new_card_entry), "");
}

/* Dropping a card: the rows on screen say where the pointer is between two
 * cards; the model says which card the dropped one goes after, even when
 * that one is scrolled out of view. */

typedef struct
{
  GtkWidget *row;
  double     top;
  double     bottom;
  guint      position;
} RowSpot;

static guint
position_of (GListModel *model,
             gpointer    item)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) other = g_list_model_get_item (model, i);

      if (other == item)
        return i;
    }

  return G_MAXUINT;
}

/* Finds where a drop at @y (in the column view's coordinates) lands:
 * before the returned position in the column's visible cards. @row is the
 * row the line is drawn on and @after whether it goes below it. */
static guint
drop_position (TackColumnView  *self,
               double           y,
               GtkWidget      **row,
               gboolean        *after)
{
  GListModel *model = G_LIST_MODEL (self->filter_model);
  guint n_items = g_list_model_get_n_items (model);
  RowSpot best_before = { NULL, 0, 0, G_MAXUINT };
  RowSpot last = { NULL, 0, 0, G_MAXUINT };

  *row = NULL;
  *after = FALSE;

  for (GtkWidget *child = gtk_widget_get_first_child (self->cards_view);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *card_row = gtk_widget_get_first_child (child);
      double top_x, top_y;
      TackCard *card;
      RowSpot spot;

      /* Not gtk_widget_compute_bounds(): GTK 4.8 gets list rows' bounds
       * wrong; the origin and the height are right. */
      if (card_row == NULL || !TACK_IS_CARD_ROW (card_row) ||
          !gtk_widget_get_mapped (child) ||
          !gtk_widget_translate_coordinates (child, GTK_WIDGET (self), 0, 0, &top_x, &top_y))
        continue;

      card = tack_card_row_get_card (TACK_CARD_ROW (card_row));
      if (card == NULL)
        continue;

      spot.row = child;
      spot.top = top_y;
      spot.bottom = top_y + gtk_widget_get_height (child);
      spot.position = position_of (model, card);
      if (spot.position == G_MAXUINT)
        continue;

      if (y < (spot.top + spot.bottom) / 2 &&
          (best_before.row == NULL || spot.top < best_before.top))
        best_before = spot;

      if (last.row == NULL || spot.bottom > last.bottom)
        last = spot;
    }

  if (best_before.row != NULL)
    {
      *row = best_before.row;
      return best_before.position;
    }

  if (last.row != NULL)
    {
      *row = last.row;
      *after = TRUE;
      return last.position + 1;
    }

  return n_items;
}

static void
clear_drop_indicator (TackColumnView *self)
{
  if (self->drop_row != NULL)
    {
      gtk_widget_remove_css_class (self->drop_row, "drop-before");
      gtk_widget_remove_css_class (self->drop_row, "drop-after");
    }
  g_clear_weak_pointer (&self->drop_row);
  gtk_widget_remove_css_class (GTK_WIDGET (self), "drop-empty");
}

static GdkDragAction
drop_motion_cb (GtkDropTarget  *target,
                double          x,
                double          y,
                TackColumnView *self)
{
  GtkWidget *row;
  gboolean after;

  clear_drop_indicator (self);
  drop_position (self, y, &row, &after);

  if (row != NULL)
    {
      g_set_weak_pointer (&self->drop_row, row);
      gtk_widget_add_css_class (row, after ? "drop-after" : "drop-before");
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "drop-empty");
    }

  return GDK_ACTION_MOVE;
}

static void
drop_leave_cb (GtkDropTarget  *target,
               TackColumnView *self)
{
  clear_drop_indicator (self);
}

static gboolean
drop_cb (GtkDropTarget  *target,
         const GValue   *value,
         double          x,
         double          y,
         TackColumnView *self)
{
  GListModel *model = G_LIST_MODEL (self->filter_model);
  g_autoptr(TackCard) after_card = NULL;
  const char *card_id;
  const char *after_id = "";
  GtkWidget *row;
  gboolean after;
  guint position;

  clear_drop_indicator (self);

  if (self->column == NULL || !G_VALUE_HOLDS_STRING (value))
    return FALSE;

  card_id = g_value_get_string (value);
  if (card_id == NULL)
    return FALSE;

  position = drop_position (self, y, &row, &after);

  /* The card it lands after, skipping itself: dropping a card just below
   * itself leaves it where it is. */
  while (position > 0)
    {
      g_clear_object (&after_card);
      after_card = g_list_model_get_item (model, position - 1);
      if (g_strcmp0 (tack_card_get_id (after_card), card_id) != 0)
        break;
      g_clear_object (&after_card);
      position--;
    }

  if (after_card != NULL)
    after_id = tack_card_get_id (after_card);

  return gtk_widget_activate_action (GTK_WIDGET (self), "win.place-card", "(sss)",
                                     card_id, tack_column_get_id (self->column), after_id);
}

/* The column menu's actions name this column to the window's. */
static void
column_rename_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TackColumnView *self = TACK_COLUMN_VIEW (widget);

  if (self->column != NULL)
    gtk_widget_activate_action (widget, "win.ask-rename-column", "s", tack_column_get_id (self->column));
}

static void
column_delete_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TackColumnView *self = TACK_COLUMN_VIEW (widget);

  if (self->column != NULL)
    gtk_widget_activate_action (widget, "win.delete-column", "s", tack_column_get_id (self->column));
}

static void
column_move_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TackColumnView *self = TACK_COLUMN_VIEW (widget);
  int direction = g_str_equal (action_name, "column.move-left") ? -1 : 1;

  if (self->column != NULL)
    gtk_widget_activate_action (widget, "win.move-column", "(si)", tack_column_get_id (self->column), direction);
}

/* Cards waiting out a delete's Undo toast are hidden by the window. */
static void
tack_column_view_root (GtkWidget *widget)
{
  TackColumnView *self = TACK_COLUMN_VIEW (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (tack_column_view_parent_class)->root (widget);

  root = gtk_widget_get_root (widget);
  if (TACK_IS_WINDOW (root))
    {
      TackWindow *window = TACK_WINDOW (root);
      gboolean editable = window->session != NULL && !window->read_only;

      gtk_filter_list_model_set_filter (self->filter_model, GTK_FILTER (window->hidden_filter));

      /* A board export has nothing to send edits to. */
      gtk_widget_set_visible (self->new_card_entry, editable);
      gtk_widget_set_visible (self->menu_button, editable);
    }
}

static void
tack_column_view_unroot (GtkWidget *widget)
{
  TackColumnView *self = TACK_COLUMN_VIEW (widget);

  gtk_filter_list_model_set_filter (self->filter_model, NULL);

  GTK_WIDGET_CLASS (tack_column_view_parent_class)->unroot (widget);
}

/* GTK 4.8's list view builds rows for the first 200 items of its model,
 * however few fit on screen, before its first frame; a row is measured,
 * so fully built, even below the fold. The list is therefore shown the
 * head of the column, as many cards as could fill the tallest monitor,
 * and after each frame the head doubles: the rows out of sight are built
 * in the frames after the first, not before it. Once it is longer than
 * the rows the list keeps, more doubling would build nothing, and the
 * list is shown the whole column. */

#define MIN_CARD_HEIGHT 40
#define LIST_VIEW_ROWS  200

static guint
first_frame_rows (TackColumnView *self)
{
  GListModel *monitors = gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (self)));
  guint n_monitors = g_list_model_get_n_items (monitors);
  /* Displays not known yet, or small ones: a common desktop height. */
  int tallest = 1080;

  for (guint i = 0; i < n_monitors; i++)
    {
      g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, i);
      GdkRectangle geometry;

      gdk_monitor_get_geometry (monitor, &geometry);
      tallest = MAX (tallest, geometry.height);
    }

  return tallest / MIN_CARD_HEIGHT + 2;
}

static void
stop_growing (TackColumnView *self)
{
  if (self->frame_clock != NULL)
    g_clear_signal_handler (&self->after_paint_id, self->frame_clock);
  self->frame_clock = NULL;
}

static void
after_paint_cb (GdkFrameClock  *frame_clock,
                TackColumnView *self)
{
  guint n_cards = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  guint limit = tack_head_model_get_limit (self->head_model);

  /* An empty column waits for its cards: a board fetched from a server
   * shows its columns before their cards arrive. */
  if (n_cards == 0)
    return;

  if (limit >= LIST_VIEW_ROWS || limit * 2 >= n_cards)
    {
      stop_growing (self);
      tack_head_model_set_limit (self->head_model, G_MAXUINT);
    }
  else
    {
      tack_head_model_set_limit (self->head_model, limit * 2);
    }
}

static void
tack_column_view_map (GtkWidget *widget)
{
  TackColumnView *self = TACK_COLUMN_VIEW (widget);

  GTK_WIDGET_CLASS (tack_column_view_parent_class)->map (widget);

  if (tack_head_model_get_limit (self->head_model) != G_MAXUINT && self->after_paint_id == 0)
    {
      self->frame_clock = gtk_widget_get_frame_clock (widget);
      self->after_paint_id = g_signal_connect (self->frame_clock, "after-paint",
                                               G_CALLBACK (after_paint_cb), self);
    }
}

static void
tack_column_view_unmap (GtkWidget *widget)
{
  stop_growing (TACK_COLUMN_VIEW (widget));

  GTK_WIDGET_CLASS (tack_column_view_parent_class)->unmap (widget);
}

static void
tack_column_view_dispose (GObject *object)
{
  TackColumnView *self = (TackColumnView *)object;

  clear_drop_indicator (self);
  stop_growing (self);
  g_clear_object (&self->head_model);
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

  widget_class->root = tack_column_view_root;
  widget_class->map = tack_column_view_map;
  widget_class->unmap = tack_column_view_unmap;
  widget_class->unroot = tack_column_view_unroot;

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
  gtk_widget_class_bind_template_child (widget_class, TackColumnView, new_card_entry);
  gtk_widget_class_bind_template_child (widget_class, TackColumnView, menu_button);
  gtk_widget_class_bind_template_child (widget_class, TackColumnView, filter_model);
  gtk_widget_class_bind_template_child (widget_class, TackColumnView, selection);
  gtk_widget_class_bind_template_callback (widget_class, cards_view_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, new_card_activate_cb);

  gtk_widget_class_install_action (widget_class, "column.rename", NULL, column_rename_action);
  gtk_widget_class_install_action (widget_class, "column.delete", NULL, column_delete_action);
  gtk_widget_class_install_action (widget_class, "column.move-left", NULL, column_move_action);
  gtk_widget_class_install_action (widget_class, "column.move-right", NULL, column_move_action);
  gtk_widget_class_bind_template_callback (widget_class, tack_column_view_count_text);
  gtk_widget_class_bind_template_callback (widget_class, count_query_tooltip_cb);
  gtk_widget_class_bind_template_callback (widget_class, tack_column_view_count_classes);
  gtk_widget_class_bind_template_callback (widget_class, tack_column_view_header_classes);

  gtk_widget_class_set_css_name (widget_class, "boardcolumn");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

/* Rows are made and bound in code: a GtkBuilderListItemFactory would
 * parse its XML again for each of the couple of hundred rows a long
 * column keeps, and watch the item through an expression. */
static void
card_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  gtk_list_item_set_selectable (item, FALSE);
  gtk_list_item_set_child (item, tack_card_row_new ());
}

/* GTK 4.8's signal factory unbinds and binds again every row whose
 * position moves, and a card entering or leaving a column moves every row
 * after it: about a dozen rows per event in a long column. So there is no
 * ::unbind handler: a row keeps its card until it is bound to another one,
 * and binding it to the card it shows costs nothing. */
static void
card_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  tack_card_row_set_card (TACK_CARD_ROW (gtk_list_item_get_child (item)),
                          gtk_list_item_get_item (item));
}

static void
tack_column_view_init (TackColumnView *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkDropTarget *target;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->head_model = tack_head_model_new (G_LIST_MODEL (self->filter_model), first_frame_rows (self));
  gtk_no_selection_set_model (self->selection, G_LIST_MODEL (self->head_model));

  g_signal_connect (factory, "setup", G_CALLBACK (card_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (card_bind_cb), NULL);
  gtk_list_view_set_factory (GTK_LIST_VIEW (self->cards_view), factory);

  target = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_MOVE);
  g_signal_connect (target, "motion", G_CALLBACK (drop_motion_cb), self);
  g_signal_connect (target, "leave", G_CALLBACK (drop_leave_cb), self);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

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
