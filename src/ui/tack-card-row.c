/* tack-card-row.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* One card in a column: title, a glimpse of the description, labels, due
 * date, assignees, who else is moving or editing it, and whether a local
 * change is still waiting for the server.
 *
 * A column of 10,000 cards keeps a couple of hundred of these alive
 * (GTK 4.8's list view builds its 200-row window before it knows how tall
 * a row is) and rebinds them as it scrolls, so the row is built to be
 * cheap rather than declared in a template:
 *
 *  - Only the title exists for every card. The description, the labels,
 *    the footer (due date and assignees), the pending icon and the
 *    presence line are made the first time a card bound to the row has
 *    one, then hidden rather than destroyed when a later card has none.
 *  - One handler on the card's ::notify updates the part that changed,
 *    instead of an expression watch per property.
 *  - The row lays its children out itself, one above the other, at the
 *    width the column gives it, and the title and description are
 *    TackWrapLabels, which lay their text out once for that width (a
 *    GtkLabel also lays it out at its narrowest and widest first).
 */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "tack-card-row.h"
#include "tack-char-width.h"
#include "tack-chip-box.h"
#include "tack-presence.h"
#include "tack-window.h"
#include "tack-wrap-label.h"

#define SPACING 6

/* What the row asks for across, in average characters, as GtkLabel's
 * width-chars and max-width-chars would. */
#define MIN_WIDTH_CHARS 10
#define NAT_WIDTH_CHARS 30

struct _TackCardRow
{
  GtkWidget   parent_instance;

  TackCard   *card;
  gulong      card_notify_id;

  TackWindow *window;
  gulong      presence_notify_id;

  /* Children, top to bottom; all but the title made on demand. */
  TackWrapLabel *title_label;
  GtkWidget  *pending_image;
  TackWrapLabel *description_label;
  GtkWidget  *labels_box;
  GtkWidget  *footer;
  GtkWidget  *due_box;
  GtkLabel   *due_label;
  GtkWidget  *assignees_box;
  GtkLabel   *presence_label;

  TackCharWidth char_width;
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
has_text (const char *text)
{
  return text != NULL && text[0] != '\0';
}

static char *
due_text (const char *due)
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

/* Made when the pointer rests on the due date rather than set with the
 * date: GTK 4.8 asks the display server where the pointer is whenever a
 * tooltip's text is set. */
static gboolean
due_query_tooltip_cb (GtkWidget   *widget,
                      int          x,
                      int          y,
                      gboolean     keyboard_mode,
                      GtkTooltip  *tooltip,
                      TackCardRow *self)
{
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *text = NULL;
  g_autofree char *markup = NULL;

  if (self->card == NULL || (date = parse_due (tack_card_get_due (self->card))) == NULL)
    return FALSE;

  /* Translators: the full due date in a tooltip, see strftime(3). */
  text = g_date_time_format (date, _("%A, %B %-d, %Y"));

  /* Translators: %s is a date, as in "Due Monday, November 30, 2026". */
  markup = g_strdup_printf (_("Due %s"), text);
  gtk_tooltip_set_text (tooltip, markup);

  return TRUE;
}

/* Who else is moving or editing this card right now, from the board's
 * presence list. */
static char *
presence_text (const char *card_id,
               GListModel *presence)
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
      gboolean dragging = g_strcmp0 (tack_presence_get_dragging (item), card_id) == 0;
      gboolean editing = g_strcmp0 (tack_presence_get_editing (item), card_id) == 0;

      if (!dragging && !editing)
        continue;

      if (text->len > 0)
        g_string_append (text, "\n");

      if (dragging)
        /* Translators: %s is a person's name, shown on a card they drag. */
        g_string_append_printf (text, _("%s is moving this"), user);
      else
        /* Translators: %s is a person's name, shown on a card they edit. */
        g_string_append_printf (text, _("%s is editing this"), user);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Screen readers announce a card by its title and read the rest as its
 * description: whichever of those parts exist. */
static void
update_accessible_description (TackCardRow *self)
{
  GtkWidget *parts[] = {
    GTK_WIDGET (self->description_label), self->due_box, self->labels_box, self->assignees_box,
  };
  GtkWidget *refs[G_N_ELEMENTS (parts)] = { NULL, };
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (parts[i] != NULL)
      refs[n++] = parts[i];

  /* The list ends at its first NULL, and what follows it would be read
   * as the next relation: pass exactly as many as there are. */
  switch (n)
    {
    case 1:
      gtk_accessible_update_relation (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                      refs[0], NULL, -1);
      break;

    case 2:
      gtk_accessible_update_relation (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                      refs[0], refs[1], NULL, -1);
      break;

    case 3:
      gtk_accessible_update_relation (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                      refs[0], refs[1], refs[2], NULL, -1);
      break;

    case 4:
      gtk_accessible_update_relation (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                      refs[0], refs[1], refs[2], refs[3], NULL, -1);
      break;

    default:
      break;
    }
}

/* Children are kept in the order they are shown; @self's first child is
 * always the title. */
static void
insert_child (TackCardRow *self,
              GtkWidget   *child,
              GtkWidget   *after)
{
  gtk_widget_insert_after (child, GTK_WIDGET (self), after);
}

static GtkWidget *
last_before (TackCardRow *self,
             GtkWidget   *candidates[],
             guint        n_candidates)
{
  for (guint i = n_candidates; i > 0; i--)
    if (candidates[i - 1] != NULL)
      return candidates[i - 1];

  return GTK_WIDGET (self->title_label);
}

static void
update_title (TackCardRow *self)
{
  tack_wrap_label_set_label (self->title_label, self->card ? tack_card_get_title (self->card) : "");
}

static void
update_pending (TackCardRow *self)
{
  gboolean pending = self->card != NULL && tack_card_get_pending (self->card);

  if (pending && self->pending_image == NULL)
    {
      self->pending_image = gtk_image_new_from_icon_name ("tack-pending-symbolic");
      gtk_widget_set_valign (self->pending_image, GTK_ALIGN_START);
      gtk_widget_set_tooltip_text (self->pending_image, _("Not saved on the server yet"));
      gtk_widget_add_css_class (self->pending_image, "pending");
      insert_child (self, self->pending_image, GTK_WIDGET (self->title_label));
    }

  if (self->pending_image != NULL)
    gtk_widget_set_visible (self->pending_image, pending);
}

static void
update_description (TackCardRow *self)
{
  const char *description = self->card ? tack_card_get_description (self->card) : NULL;

  if (has_text (description) && self->description_label == NULL)
    {
      GtkWidget *previous[] = { self->pending_image };
      GtkWidget *label = tack_wrap_label_new (NULL);

      self->description_label = TACK_WRAP_LABEL (label);
      tack_wrap_label_set_lines (self->description_label, 2);
      gtk_widget_add_css_class (label, "card-description");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "caption");
      insert_child (self, label, last_before (self, previous, G_N_ELEMENTS (previous)));
      update_accessible_description (self);
    }

  if (self->description_label != NULL)
    {
      tack_wrap_label_set_label (self->description_label, has_text (description) ? description : "");
      gtk_widget_set_visible (GTK_WIDGET (self->description_label), has_text (description));
    }
}

static void
update_labels (TackCardRow *self)
{
  const char * const *labels = self->card ? tack_card_get_labels (self->card) : NULL;

  if (labels != NULL && labels[0] != NULL && self->labels_box == NULL)
    {
      GtkWidget *previous[] = { self->pending_image, GTK_WIDGET (self->description_label) };

      self->labels_box = tack_chip_box_new ();
      insert_child (self, self->labels_box, last_before (self, previous, G_N_ELEMENTS (previous)));
      update_accessible_description (self);
    }

  /* The box hides itself when it has nothing to show. */
  if (self->labels_box != NULL)
    tack_chip_box_set_items (TACK_CHIP_BOX (self->labels_box), labels);
}

static void
ensure_footer (TackCardRow *self)
{
  GtkWidget *previous[] = { self->pending_image, GTK_WIDGET (self->description_label), self->labels_box };
  GtkWidget *icon;

  if (self->footer != NULL)
    return;

  self->footer = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  /* Shown by update_due() for a card that has a due date. */
  self->due_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  gtk_widget_set_visible (self->due_box, FALSE);
  gtk_widget_set_valign (self->due_box, GTK_ALIGN_CENTER);
  gtk_widget_set_has_tooltip (self->due_box, TRUE);
  g_signal_connect (self->due_box, "query-tooltip", G_CALLBACK (due_query_tooltip_cb), self);
  icon = gtk_image_new_from_icon_name ("alarm-symbolic");
  gtk_image_set_pixel_size (GTK_IMAGE (icon), 12);
  gtk_box_append (GTK_BOX (self->due_box), icon);
  self->due_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->due_label), "caption");
  gtk_box_append (GTK_BOX (self->due_box), GTK_WIDGET (self->due_label));
  gtk_box_append (GTK_BOX (self->footer), self->due_box);

  self->assignees_box = tack_chip_box_new ();
  tack_chip_box_set_avatars (TACK_CHIP_BOX (self->assignees_box), TRUE);
  gtk_widget_set_hexpand (self->assignees_box, TRUE);
  gtk_widget_set_halign (self->assignees_box, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (self->footer), self->assignees_box);

  insert_child (self, self->footer, last_before (self, previous, G_N_ELEMENTS (previous)));
  update_accessible_description (self);
}

static void
update_due (TackCardRow *self)
{
  const char *due = self->card ? tack_card_get_due (self->card) : NULL;
  g_autofree char *text = NULL;
  int days;

  if (!has_text (due))
    {
      if (self->due_box != NULL)
        gtk_widget_set_visible (self->due_box, FALSE);
      return;
    }

  ensure_footer (self);

  text = due_text (due);
  gtk_label_set_label (self->due_label, text);
  gtk_widget_remove_css_class (self->due_box, "overdue");
  gtk_widget_remove_css_class (self->due_box, "due-today");
  gtk_widget_add_css_class (self->due_box, "due");
  if (days_until (due, &days) && days <= 0)
    gtk_widget_add_css_class (self->due_box, days < 0 ? "overdue" : "due-today");
  gtk_widget_set_visible (self->due_box, TRUE);
}

static void
update_assignees (TackCardRow *self)
{
  const char * const *assignees = self->card ? tack_card_get_assignees (self->card) : NULL;

  if (assignees != NULL && assignees[0] != NULL)
    ensure_footer (self);

  if (self->assignees_box != NULL)
    tack_chip_box_set_items (TACK_CHIP_BOX (self->assignees_box), assignees);
}

static void
update_footer (TackCardRow *self)
{
  if (self->footer != NULL)
    gtk_widget_set_visible (self->footer,
                            gtk_widget_get_visible (self->due_box) ||
                            gtk_widget_get_visible (self->assignees_box));
}

static void
update_presence (TackCardRow *self)
{
  GListModel *presence = self->window ? tack_window_get_presence (self->window) : NULL;
  g_autofree char *text = NULL;

  /* Nobody else on the board: nothing to look at. */
  if (self->presence_label == NULL &&
      (self->card == NULL || presence == NULL || g_list_model_get_n_items (presence) == 0))
    return;

  text = presence_text (self->card ? tack_card_get_id (self->card) : NULL, presence);

  if (has_text (text) && self->presence_label == NULL)
    {
      self->presence_label = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_xalign (self->presence_label, 0);
      gtk_label_set_wrap (self->presence_label, TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (self->presence_label), "presence");
      /* Always the last child. */
      gtk_widget_insert_before (GTK_WIDGET (self->presence_label), GTK_WIDGET (self), NULL);
    }

  if (self->presence_label != NULL)
    {
      gtk_label_set_label (self->presence_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->presence_label), has_text (text));
    }
}

static void
card_notify_cb (TackCard    *card,
                GParamSpec  *pspec,
                TackCardRow *self)
{
  const char *name = pspec->name;

  if (g_str_equal (name, "title"))
    update_title (self);
  else if (g_str_equal (name, "pending"))
    update_pending (self);
  else if (g_str_equal (name, "description"))
    update_description (self);
  else if (g_str_equal (name, "labels"))
    update_labels (self);
  else if (g_str_equal (name, "due"))
    {
      update_due (self);
      update_footer (self);
    }
  else if (g_str_equal (name, "assignees"))
    {
      update_assignees (self);
      update_footer (self);
    }
}

static void
update_all (TackCardRow *self)
{
  update_title (self);
  update_pending (self);
  update_description (self);
  update_labels (self);
  update_due (self);
  update_assignees (self);
  update_footer (self);
  update_presence (self);
}

static void
presence_serial_notify_cb (TackWindow  *window,
                           GParamSpec  *pspec,
                           TackCardRow *self)
{
  update_presence (self);
}

/* Layout: the children one above the other, SPACING apart, each as wide
 * as the row, but for the pending icon beside the title. */

static int
pending_width (TackCardRow *self)
{
  int width = 0;

  if (self->pending_image != NULL && gtk_widget_should_layout (self->pending_image))
    gtk_widget_measure (self->pending_image, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &width, NULL, NULL);

  return width;
}

static int
title_width (TackCardRow *self,
             int          width)
{
  int pending = pending_width (self);

  return pending > 0 ? MAX (width - pending - SPACING, 0) : width;
}

static int
title_height (TackCardRow *self,
              int          width,
              int         *minimum)
{
  int title_min, title_nat;

  gtk_widget_measure (GTK_WIDGET (self->title_label), GTK_ORIENTATION_VERTICAL, title_width (self, width),
                      &title_min, &title_nat, NULL, NULL);

  if (self->pending_image != NULL && gtk_widget_should_layout (self->pending_image))
    {
      int image_min, image_nat;

      gtk_widget_measure (self->pending_image, GTK_ORIENTATION_VERTICAL, -1, &image_min, &image_nat, NULL, NULL);
      title_min = MAX (title_min, image_min);
      title_nat = MAX (title_nat, image_nat);
    }

  *minimum = title_min;
  return title_nat;
}

static GtkSizeRequestMode
tack_card_row_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
tack_card_row_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  TackCardRow *self = TACK_CARD_ROW (widget);
  int width;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* The column decides how wide a card is; what a card asks for is
       * what a label of so many characters would. */
      width = tack_char_width_get (&self->char_width, GTK_WIDGET (self));
      *minimum = width * MIN_WIDTH_CHARS + pending_width (self) + SPACING;
      *natural = width * NAT_WIDTH_CHARS + pending_width (self) + SPACING;
      return;
    }

  /* GTK 4.8's list view asks every row it binds for its height without
   * a width, then at the column's width. A row that had a width answers
   * the first with the second, which its labels then have at hand. */
  if (for_size >= 0)
    width = for_size;
  else if (gtk_widget_get_width (widget) > 0)
    width = gtk_widget_get_width (widget);
  else
    width = tack_char_width_get (&self->char_width, GTK_WIDGET (self)) * NAT_WIDTH_CHARS;
  *natural = title_height (self, width, minimum);

  for (GtkWidget *child = gtk_widget_get_next_sibling (GTK_WIDGET (self->title_label));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min, child_nat;

      if (child == self->pending_image || !gtk_widget_should_layout (child))
        continue;

      gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, &child_min, &child_nat, NULL, NULL);
      *minimum += SPACING + child_min;
      *natural += SPACING + child_nat;
    }
}

static void
tack_card_row_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  TackCardRow *self = TACK_CARD_ROW (widget);
  int title_w = title_width (self, width);
  int y = 0;
  int minimum;
  int row_height;

  row_height = title_height (self, width, &minimum);
  gtk_widget_size_allocate (GTK_WIDGET (self->title_label),
                            &(GtkAllocation) { 0, 0, title_w, row_height }, -1);
  if (self->pending_image != NULL && gtk_widget_should_layout (self->pending_image))
    gtk_widget_size_allocate (self->pending_image,
                              &(GtkAllocation) { title_w + SPACING, 0, width - title_w - SPACING, row_height }, -1);
  y = row_height;

  for (GtkWidget *child = gtk_widget_get_next_sibling (GTK_WIDGET (self->title_label));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_height;

      if (child == self->pending_image || !gtk_widget_should_layout (child))
        continue;

      gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, NULL, &child_height, NULL, NULL);
      y += SPACING;
      gtk_widget_size_allocate (child, &(GtkAllocation) { 0, y, width, child_height }, -1);
      y += child_height;
    }
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
tack_card_row_root (GtkWidget *widget)
{
  TackCardRow *self = TACK_CARD_ROW (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (tack_card_row_parent_class)->root (widget);

  /* Outside a TackWindow (a drag icon, a test) nobody is present. */
  root = gtk_widget_get_root (widget);
  if (TACK_IS_WINDOW (root))
    {
      self->window = TACK_WINDOW (root);
      self->presence_notify_id = g_signal_connect (self->window, "notify::presence-serial",
                                                   G_CALLBACK (presence_serial_notify_cb), self);
    }
  update_presence (self);
}

static void
tack_card_row_unroot (GtkWidget *widget)
{
  TackCardRow *self = TACK_CARD_ROW (widget);

  if (self->window != NULL)
    {
      g_clear_signal_handler (&self->presence_notify_id, self->window);
      self->window = NULL;
    }

  GTK_WIDGET_CLASS (tack_card_row_parent_class)->unroot (widget);
}

static void
tack_card_row_dispose (GObject *object)
{
  TackCardRow *self = (TackCardRow *)object;
  GtkWidget *child;

  if (self->card != NULL)
    g_clear_signal_handler (&self->card_notify_id, self->card);
  g_clear_object (&self->card);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->title_label = NULL;
  self->pending_image = NULL;
  self->description_label = NULL;
  self->labels_box = NULL;
  self->footer = NULL;
  self->due_box = NULL;
  self->due_label = NULL;
  self->assignees_box = NULL;
  self->presence_label = NULL;

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

  widget_class->get_request_mode = tack_card_row_get_request_mode;
  widget_class->measure = tack_card_row_measure;
  widget_class->size_allocate = tack_card_row_size_allocate;
  widget_class->root = tack_card_row_root;
  widget_class->unroot = tack_card_row_unroot;

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

  gtk_widget_class_set_css_name (widget_class, "cardrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tack_card_row_init (TackCardRow *self)
{
  GtkDragSource *source;

  gtk_widget_add_css_class (GTK_WIDGET (self), "card");

  self->title_label = TACK_WRAP_LABEL (tack_wrap_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "card-title");
  gtk_widget_set_parent (GTK_WIDGET (self->title_label), GTK_WIDGET (self));

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

  gtk_accessible_update_relation (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->title_label, NULL,
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

  if (self->card == card)
    return;

  if (self->card != NULL)
    g_clear_signal_handler (&self->card_notify_id, self->card);
  g_set_object (&self->card, card);
  if (card != NULL)
    self->card_notify_id = g_signal_connect (card, "notify", G_CALLBACK (card_notify_cb), self);

  update_all (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CARD]);
}
