/* tack-window-actions.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The window's actions: everything a user does to the board goes out
 * through the session's outbox from here, so that a drop target, a key
 * press and a menu item all take the same path. The `card.*` actions act
 * on the card that has the keyboard focus; the `win.*` ones name their
 * card. Accelerators are set on the application. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "tack-card-editor.h"
#include "tack-card-row.h"
#include "tack-window-private.h"

static TackOutbox *
get_outbox (TackWindow *self)
{
  if (self->session == NULL || self->read_only)
    return NULL;

  return tack_session_get_outbox (self->session);
}

static void
show_error (TackWindow   *self,
            const GError *error)
{
  g_autofree char *text = g_markup_escape_text (error->message, -1);
  g_autoptr(AdwToast) toast = adw_toast_new (text);

  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  tack_window_add_toast (self, g_steal_pointer (&toast));
}

/* The card whose row holds the keyboard focus: the focus sits on the list
 * row around a TackCardRow, or somewhere inside one. */
static TackCard *
get_focus_card (TackWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  GtkWidget *row;

  if (focus == NULL)
    return NULL;

  row = gtk_widget_get_ancestor (focus, TACK_TYPE_CARD_ROW);
  if (row == NULL)
    {
      GtkWidget *child = gtk_widget_get_first_child (focus);

      if (child != NULL && TACK_IS_CARD_ROW (child))
        row = child;
    }

  return row != NULL ? tack_card_row_get_card (TACK_CARD_ROW (row)) : NULL;
}

static GtkWidget *
find_card_row (GtkWidget  *widget,
               const char *card_id)
{
  if (TACK_IS_CARD_ROW (widget))
    {
      TackCard *card = tack_card_row_get_card (TACK_CARD_ROW (widget));

      if (card != NULL && g_strcmp0 (tack_card_get_id (card), card_id) == 0)
        return widget;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_card_row (child, card_id);

      if (found != NULL)
        return found;
    }

  return NULL;
}

typedef struct
{
  GWeakRef  window;
  char     *card_id;
} FocusCard;

static void
focus_card_free (gpointer data)
{
  FocusCard *focus = data;

  g_weak_ref_clear (&focus->window);
  g_free (focus->card_id);
  g_free (focus);
}

/* A moved card gets a new list row; the keyboard focus follows it there
 * once the list has made it. */
static gboolean
focus_card_cb (gpointer data)
{
  FocusCard *focus = data;
  g_autoptr(TackWindow) self = g_weak_ref_get (&focus->window);
  GtkWidget *row;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  row = find_card_row (GTK_WIDGET (self->board_view), focus->card_id);
  if (row != NULL)
    gtk_widget_grab_focus (row);

  return G_SOURCE_REMOVE;
}

static void
focus_card_later (TackWindow *self,
                  const char *card_id)
{
  FocusCard *focus = g_new0 (FocusCard, 1);

  g_weak_ref_init (&focus->window, self);
  focus->card_id = g_strdup (card_id);
  g_idle_add_full (G_PRIORITY_LOW, focus_card_cb, focus, focus_card_free);
}

static gboolean
place_card (TackWindow *self,
            const char *card_id,
            const char *column_id,
            const char *after_card_id)
{
  TackOutbox *outbox = get_outbox (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *op = NULL;

  if (outbox == NULL)
    return FALSE;

  op = tack_outbox_move_card (outbox, card_id, column_id, after_card_id, &error);
  if (op == NULL)
    {
      show_error (self, error);
      return FALSE;
    }

  return TRUE;
}

static guint
index_of (GListModel *model,
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

static char *
card_id_at (GListModel *cards,
            guint       position)
{
  g_autoptr(TackCard) card = g_list_model_get_item (cards, position);

  return card != NULL ? g_strdup (tack_card_get_id (card)) : NULL;
}

/* Keyboard moves: up and down swap with the neighbour, left and right go
 * to the same place in the next column. */
static void
move_focus_card (TackWindow *self,
                 int         dx,
                 int         dy)
{
  TackCard *card = get_focus_card (self);
  g_autofree char *card_id = NULL;
  g_autofree char *after = NULL;
  TackColumn *column;
  GListModel *cards;
  GListModel *columns;
  guint position;

  if (card == NULL || get_outbox (self) == NULL)
    return;

  card_id = g_strdup (tack_card_get_id (card));
  column = tack_store_lookup_column (self->store, tack_card_get_column_id (card));
  if (column == NULL)
    return;

  cards = tack_column_get_cards (column);
  position = index_of (cards, card);
  if (position == G_MAXUINT)
    return;

  if (dy != 0)
    {
      guint n = g_list_model_get_n_items (cards);

      if (dy < 0 && position == 0)
        return;
      if (dy > 0 && position + 1 >= n)
        return;

      if (dy < 0)
        after = position >= 2 ? card_id_at (cards, position - 2) : NULL;
      else
        after = card_id_at (cards, position + 1);

      if (place_card (self, card_id, tack_column_get_id (column), after))
        focus_card_later (self, card_id);
    }
  else
    {
      guint column_position;
      g_autoptr(TackColumn) target = NULL;
      GListModel *target_cards;
      guint n;

      columns = tack_board_get_columns (tack_store_get_board (self->store));
      column_position = index_of (columns, column);
      if (column_position == G_MAXUINT)
        return;
      if (dx < 0 && column_position == 0)
        return;
      if (dx > 0 && column_position + 1 >= g_list_model_get_n_items (columns))
        return;

      target = g_list_model_get_item (columns, column_position + dx);
      target_cards = tack_column_get_cards (target);
      n = g_list_model_get_n_items (target_cards);
      position = MIN (position, n);
      after = position > 0 ? card_id_at (target_cards, position - 1) : NULL;

      if (place_card (self, card_id, tack_column_get_id (target), after))
        focus_card_later (self, card_id);
    }
}

static void
card_move_left_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  move_focus_card (TACK_WINDOW (widget), -1, 0);
}

static void
card_move_right_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  move_focus_card (TACK_WINDOW (widget), 1, 0);
}

static void
card_move_up_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  move_focus_card (TACK_WINDOW (widget), 0, -1);
}

static void
card_move_down_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  move_focus_card (TACK_WINDOW (widget), 0, 1);
}

static void
place_card_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  TackWindow *self = TACK_WINDOW (widget);
  const char *card_id;
  const char *column_id;
  const char *after;

  g_variant_get (parameter, "(&s&s&s)", &card_id, &column_id, &after);

  if (tack_store_lookup_card (self->store, card_id) == NULL ||
      g_strcmp0 (card_id, after) == 0)
    return;

  place_card (self, card_id, column_id, after[0] != '\0' ? after : NULL);
}

static void
add_card_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TackWindow *self = TACK_WINDOW (widget);
  TackOutbox *outbox = get_outbox (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *op = NULL;
  g_autofree char *title = NULL;
  g_autofree char *after = NULL;
  const char *column_id;
  const char *raw_title;
  TackColumn *column;
  GListModel *cards;
  guint n;

  g_variant_get (parameter, "(&s&s)", &column_id, &raw_title);
  title = g_strstrip (g_strdup (raw_title));

  if (outbox == NULL || title[0] == '\0')
    return;

  column = tack_store_lookup_column (self->store, column_id);
  if (column == NULL)
    return;

  /* New cards go to the end of the column, where the entry is. */
  cards = tack_column_get_cards (column);
  n = g_list_model_get_n_items (cards);
  if (n > 0)
    after = card_id_at (cards, n - 1);

  op = tack_outbox_create_card (outbox, column_id, title, after, &error);
  if (op == NULL)
    show_error (self, error);
}

static void
open_card (TackWindow *self,
           TackCard   *card)
{
  TackCardEditor *editor;

  if (card == NULL || get_outbox (self) == NULL)
    return;

  editor = tack_card_editor_new (self->session, card);
  gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (editor));
}

static void
open_card_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TackWindow *self = TACK_WINDOW (widget);

  open_card (self, tack_store_lookup_card (self->store, g_variant_get_string (parameter, NULL)));
}

static void
card_open_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TackWindow *self = TACK_WINDOW (widget);

  open_card (self, get_focus_card (self));
}

/* Deleting waits out the Undo toast before it reaches the outbox: until
 * then the card is only hidden from view (the store still holds it, as
 * the server does), and Undo simply shows it again. Nothing is sent that
 * would have to be taken back. */

static void
send_delete (TackWindow *self,
             const char *card_id)
{
  TackOutbox *outbox = get_outbox (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *op = NULL;

  if (outbox == NULL || tack_store_lookup_card (self->store, card_id) == NULL)
    return;

  op = tack_outbox_delete_card (outbox, card_id, &error);
  if (op == NULL)
    show_error (self, error);
}

static void
delete_toast_dismissed_cb (AdwToast   *toast,
                           TackWindow *self)
{
  const char *card_id = g_object_get_data (G_OBJECT (toast), "card-id");
  g_autofree char *id = g_strdup (card_id);

  if (!g_hash_table_remove (self->pending_deletes, id))
    return;

  if (!GPOINTER_TO_INT (g_object_get_data (G_OBJECT (toast), "undone")))
    send_delete (self, id);

  tack_card_filter_show (self->hidden_filter, id);
}

static void
delete_toast_undo_cb (AdwToast   *toast,
                      TackWindow *self)
{
  g_object_set_data (G_OBJECT (toast), "undone", GINT_TO_POINTER (TRUE));
}

static void
delete_card (TackWindow *self,
             TackCard   *card)
{
  g_autoptr(AdwToast) toast = NULL;
  g_autofree char *title = NULL;
  const char *card_id;

  if (card == NULL || get_outbox (self) == NULL)
    return;

  card_id = tack_card_get_id (card);
  if (g_hash_table_contains (self->pending_deletes, card_id))
    return;

  /* Translators: a toast after deleting a card, with an Undo button. */
  title = g_markup_printf_escaped (_("“%s” deleted"), tack_card_get_title (card));
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (toast), "card-id", g_strdup (card_id), g_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (delete_toast_undo_cb), self, 0);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (delete_toast_dismissed_cb), self, 0);

  g_hash_table_insert (self->pending_deletes, g_strdup (card_id), g_object_ref (toast));
  tack_card_filter_hide (self->hidden_filter, card_id);

  tack_window_add_toast (self, g_steal_pointer (&toast));
}

static void
delete_card_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TackWindow *self = TACK_WINDOW (widget);

  delete_card (self, tack_store_lookup_card (self->store, g_variant_get_string (parameter, NULL)));
}

static void
card_delete_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TackWindow *self = TACK_WINDOW (widget);

  delete_card (self, get_focus_card (self));
}

static void
set_dragging_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TackWindow *self = TACK_WINDOW (widget);
  const char *card_id = g_variant_get_string (parameter, NULL);

  if (self->session == NULL)
    return;

  tack_connection_set_dragging (tack_session_get_connection (self->session),
                                card_id[0] != '\0' ? card_id : NULL);
}

static void
reconnect_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TackWindow *self = TACK_WINDOW (widget);

  if (self->session != NULL)
    tack_connection_reconnect_now (tack_session_get_connection (self->session));
}

/* Column writes are optimistic like card writes: the store shows them at
 * once, pending, and the outbox sends them. */
static void
add_column_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  TackWindow *self = TACK_WINDOW (widget);
  TackOutbox *outbox = get_outbox (self);
  g_autofree char *title = g_strstrip (g_strdup (g_variant_get_string (parameter, NULL)));
  g_autofree char *after = NULL;
  g_autofree char *column_id = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *columns;
  guint n;

  if (outbox == NULL || title[0] == '\0')
    return;

  /* New columns go to the end of the board, where the button is. */
  columns = tack_board_get_columns (tack_store_get_board (self->store));
  n = g_list_model_get_n_items (columns);
  if (n > 0)
    {
      g_autoptr(TackColumn) last = g_list_model_get_item (columns, n - 1);

      after = g_strdup (tack_column_get_id (last));
    }

  column_id = tack_outbox_create_column (outbox, title, after, &error);
  if (column_id == NULL)
    show_error (self, error);
}

static void
rename_column_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TackWindow *self = TACK_WINDOW (widget);
  TackOutbox *outbox = get_outbox (self);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *op = NULL;
  const char *column_id;
  const char *raw_title;
  TackColumn *column;

  g_variant_get (parameter, "(&s&s)", &column_id, &raw_title);
  title = g_strstrip (g_strdup (raw_title));
  column = tack_store_lookup_column (self->store, column_id);

  if (outbox == NULL || column == NULL || title[0] == '\0' ||
      g_strcmp0 (title, tack_column_get_title (column)) == 0)
    return;

  json_object_set_string_member (fields, "title", title);
  op = tack_outbox_edit_column (outbox, column_id, fields, &error);
  if (op == NULL)
    show_error (self, error);
}

static void
move_column_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TackWindow *self = TACK_WINDOW (widget);
  TackOutbox *outbox = get_outbox (self);
  GListModel *columns = tack_board_get_columns (tack_store_get_board (self->store));
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  g_autofree char *op = NULL;
  const char *column_id;
  TackColumn *column;
  guint position;
  int direction;
  int target;

  g_variant_get (parameter, "(&si)", &column_id, &direction);
  column = tack_store_lookup_column (self->store, column_id);
  if (outbox == NULL || column == NULL)
    return;

  position = index_of (columns, column);
  target = (int)position + direction;
  if (direction == 0 || position == G_MAXUINT ||
      target < 0 || target >= (int)g_list_model_get_n_items (columns))
    return;

  /* Left: after the one two to the left (or first); right: after the next. */
  if (direction > 0 || target > 0)
    {
      g_autoptr(TackColumn) other = g_list_model_get_item (columns, direction < 0 ? target - 1 : target);

      after = g_strdup (tack_column_get_id (other));
    }

  op = tack_outbox_move_column (outbox, column_id, after, &error);
  if (op == NULL)
    show_error (self, error);
}

static void
delete_column_response_cb (AdwMessageDialog *dialog,
                           const char       *response,
                           TackWindow       *self)
{
  TackOutbox *outbox = get_outbox (self);
  const char *column_id = g_object_get_data (G_OBJECT (dialog), "column-id");
  g_autoptr(GError) error = NULL;
  g_autofree char *op = NULL;

  if (g_strcmp0 (response, "delete") != 0 || outbox == NULL ||
      tack_store_lookup_column (self->store, column_id) == NULL)
    return;

  op = tack_outbox_delete_column (outbox, column_id, &error);
  if (op == NULL)
    show_error (self, error);
}

static void
delete_column_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TackWindow *self = TACK_WINDOW (widget);
  const char *column_id = g_variant_get_string (parameter, NULL);
  TackColumn *column = tack_store_lookup_column (self->store, column_id);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  guint n_cards;
  AdwMessageDialog *dialog;

  if (get_outbox (self) == NULL || column == NULL)
    return;

  n_cards = tack_column_get_n_cards (column);
  /* Translators: %s is a column's title. */
  heading = g_strdup_printf (_("Delete “%s”?"), tack_column_get_title (column));
  body = n_cards == 0
    ? g_strdup (_("The column is empty."))
    : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                    "Its %u card is deleted with it, for everyone on the board.",
                                    "Its %u cards are deleted with it, for everyone on the board.",
                                    n_cards),
                       n_cards);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "column-id", g_strdup (column_id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_column_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Asking for a title: a message dialog with an entry. */
static void
title_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   TackWindow       *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  const char *column_id = g_object_get_data (G_OBJECT (dialog), "column-id");
  const char *text = gtk_editable_get_text (entry);

  if (g_strcmp0 (response, "ok") != 0)
    return;

  if (column_id != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.rename-column", "(ss)", column_id, text);
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "win.add-column", "s", text);
}

static void
entry_activate_cb (GtkEntry         *entry,
                   AdwMessageDialog *dialog)
{
  adw_message_dialog_response (dialog, "ok");
  gtk_window_close (GTK_WINDOW (dialog));
}

static void
ask_column_title (TackWindow *self,
                  const char *column_id)
{
  TackColumn *column = column_id ? tack_store_lookup_column (self->store, column_id) : NULL;
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  if (get_outbox (self) == NULL || (column_id != NULL && column == NULL))
    return;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       column ? _("Rename Column") : _("New Column"),
                                                       NULL));
  entry = gtk_entry_new ();
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Column title"),
                                  -1);
  if (column != NULL)
    gtk_editable_set_text (GTK_EDITABLE (entry), tack_column_get_title (column));
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "ok", column ? _("_Rename") : _("_Add"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "ok", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "ok");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_object_set_data_full (G_OBJECT (dialog), "column-id", g_strdup (column_id), g_free);
  g_signal_connect (entry, "activate", G_CALLBACK (entry_activate_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (title_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
new_column_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ask_column_title (TACK_WINDOW (widget), NULL);
}

static void
ask_rename_column_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  ask_column_title (TACK_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
on_rejected (TackWindow   *self,
             const char   *op,
             const char   *card_id,
             const GError *error)
{
  g_autoptr(AdwToast) toast = NULL;
  g_autofree char *text = NULL;
  TackCard *card = card_id ? tack_store_lookup_card (self->store, card_id) : NULL;
  const char *title = card != NULL ? tack_card_get_title (card) : NULL;

  if (title == NULL)
    title = g_hash_table_lookup (self->queued_titles, op);

  if (g_error_matches (error, TACK_API_ERROR, TACK_API_ERROR_CONFLICT))
    text = title != NULL
      /* Translators: a toast; %s is a card's title. */
      ? g_markup_printf_escaped (_("“%s” was changed by someone else; your edit was undone"), title)
      : g_strdup (_("A card was changed by someone else; your edit was undone"));
  else if (g_error_matches (error, TACK_API_ERROR, TACK_API_ERROR_NOT_FOUND))
    text = title != NULL
      ? g_markup_printf_escaped (_("“%s” was deleted by someone else; your edit was undone"), title)
      : g_strdup (_("The card was deleted by someone else; your edit was undone"));
  else
    text = title != NULL
      /* Translators: a toast; the first %s is a card's title, the second the server's reason. */
      ? g_markup_printf_escaped (_("Could not save “%s”: %s"), title, error->message)
      : g_markup_printf_escaped (_("Could not save a change: %s"), error->message);

  toast = adw_toast_new (text);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 10);
  tack_window_add_toast (self, g_steal_pointer (&toast));

  g_hash_table_remove (self->queued_titles, op);
}

static void
on_column_rejected (TackWindow   *self,
                    const char   *op,
                    const char   *column_id,
                    const GError *error)
{
  g_autoptr(AdwToast) toast = NULL;
  g_autofree char *text = NULL;
  TackColumn *column = column_id ? tack_store_lookup_column (self->store, column_id) : NULL;
  const char *title = column != NULL ? tack_column_get_title (column) : NULL;

  /* A refused creation took its column away: name it as it was made. */
  if (title == NULL)
    title = g_hash_table_lookup (self->queued_titles, op);

  if (g_error_matches (error, TACK_API_ERROR, TACK_API_ERROR_CONFLICT))
    text = title != NULL
      /* Translators: a toast; %s is a column's title. */
      ? g_markup_printf_escaped (_("Column “%s” was changed by someone else; your change was undone"), title)
      : g_strdup (_("A column was changed by someone else; your change was undone"));
  else if (g_error_matches (error, TACK_API_ERROR, TACK_API_ERROR_NOT_FOUND))
    text = title != NULL
      ? g_markup_printf_escaped (_("Column “%s” was deleted by someone else; your change was undone"), title)
      : g_strdup (_("The column was deleted by someone else; your change was undone"));
  else
    text = title != NULL
      /* Translators: a toast; the first %s is a column's title, the second the server's reason. */
      ? g_markup_printf_escaped (_("Could not save column “%s”: %s"), title, error->message)
      : g_markup_printf_escaped (_("Could not save a change to a column: %s"), error->message);

  toast = adw_toast_new (text);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 10);
  tack_window_add_toast (self, g_steal_pointer (&toast));

  g_hash_table_remove (self->queued_titles, op);
}

static void
on_queued (TackWindow *self,
           const char *op,
           const char *card_id)
{
  TackCard *card = card_id ? tack_store_lookup_card (self->store, card_id) : NULL;

  if (card != NULL)
    g_hash_table_insert (self->queued_titles, g_strdup (op), g_strdup (tack_card_get_title (card)));
}

static void
on_column_queued (TackWindow *self,
                  const char *op,
                  const char *column_id)
{
  TackColumn *column = column_id ? tack_store_lookup_column (self->store, column_id) : NULL;

  if (column != NULL)
    g_hash_table_insert (self->queued_titles, g_strdup (op), g_strdup (tack_column_get_title (column)));
}

static void
on_acknowledged (TackWindow *self,
                 const char *op)
{
  g_hash_table_remove (self->queued_titles, op);
}

void
_tack_window_class_actions_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.reconnect", NULL, reconnect_action);
  gtk_widget_class_install_action (widget_class, "win.add-card", "(ss)", add_card_action);
  gtk_widget_class_install_action (widget_class, "win.add-column", "s", add_column_action);
  gtk_widget_class_install_action (widget_class, "win.new-column", NULL, new_column_action);
  gtk_widget_class_install_action (widget_class, "win.ask-rename-column", "s", ask_rename_column_action);
  gtk_widget_class_install_action (widget_class, "win.rename-column", "(ss)", rename_column_action);
  gtk_widget_class_install_action (widget_class, "win.move-column", "(si)", move_column_action);
  gtk_widget_class_install_action (widget_class, "win.delete-column", "s", delete_column_action);
  gtk_widget_class_install_action (widget_class, "win.open-card", "s", open_card_action);
  gtk_widget_class_install_action (widget_class, "win.delete-card", "s", delete_card_action);
  gtk_widget_class_install_action (widget_class, "win.place-card", "(sss)", place_card_action);
  gtk_widget_class_install_action (widget_class, "win.set-dragging", "s", set_dragging_action);
  gtk_widget_class_install_action (widget_class, "card.open", NULL, card_open_action);
  gtk_widget_class_install_action (widget_class, "card.delete", NULL, card_delete_action);
  gtk_widget_class_install_action (widget_class, "card.move-left", NULL, card_move_left_action);
  gtk_widget_class_install_action (widget_class, "card.move-right", NULL, card_move_right_action);
  gtk_widget_class_install_action (widget_class, "card.move-up", NULL, card_move_up_action);
  gtk_widget_class_install_action (widget_class, "card.move-down", NULL, card_move_down_action);
}

void
_tack_window_actions_init (TackWindow *self)
{
  gboolean editable = self->session != NULL && !self->read_only;
  static const char *edit_actions[] = {
    "win.reconnect", "win.add-card", "win.add-column", "win.new-column", "win.ask-rename-column",
    "win.rename-column", "win.move-column", "win.delete-column", "win.open-card", "win.delete-card",
    "win.place-card", "win.set-dragging", "card.open", "card.delete",
    "card.move-left", "card.move-right", "card.move-up", "card.move-down",
  };

  self->pending_deletes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->queued_titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->hidden_filter = tack_card_filter_new ();

  for (guint i = 0; i < G_N_ELEMENTS (edit_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), edit_actions[i], editable);

  if (self->session != NULL)
    {
      g_signal_connect_object (tack_session_get_outbox (self->session), "rejected::card",
                               G_CALLBACK (on_rejected), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (tack_session_get_outbox (self->session), "rejected::column",
                               G_CALLBACK (on_column_rejected), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (tack_session_get_outbox (self->session), "queued::card",
                               G_CALLBACK (on_queued), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (tack_session_get_outbox (self->session), "queued::column",
                               G_CALLBACK (on_column_queued), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (tack_session_get_outbox (self->session), "acknowledged",
                               G_CALLBACK (on_acknowledged), self, G_CONNECT_SWAPPED);
    }
}

void
_tack_window_actions_dispose (TackWindow *self)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  if (self->pending_deletes == NULL)
    return;

  /* Closing the window before a toast timed out still deletes. */
  g_hash_table_iter_init (&iter, self->pending_deletes);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (ids, g_strdup (key));
  g_hash_table_remove_all (self->pending_deletes);
  for (guint i = 0; i < ids->len; i++)
    send_delete (self, g_ptr_array_index (ids, i));

  g_clear_pointer (&self->pending_deletes, g_hash_table_unref);
  g_clear_pointer (&self->queued_titles, g_hash_table_unref);
  g_clear_object (&self->hidden_filter);
}
