/* tack-connect-dialog.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Switching boards: the boards opened recently (GSettings `recent-boards`)
 * and a form for a board on a tack-server (address, board, token). Opening
 * goes through the application's actions, which remember the token and
 * the board. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "tack-connect-dialog.h"

struct _TackConnectDialog
{
  AdwWindow    parent_instance;

  GSettings   *settings;

  GtkListBox  *recent_list;
  GtkWidget   *recent_group;
  AdwEntryRow *server_row;
  AdwEntryRow *board_row;
  AdwEntryRow *token_row;
};

G_DEFINE_FINAL_TYPE (TackConnectDialog, tack_connect_dialog, ADW_TYPE_WINDOW)

static GtkWidget *
recent_row_new (const char *server,
                const char *board,
                const char *title)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("go-next-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title[0] != '\0' ? title : board);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               server[0] != '\0' ? server : _("On this computer"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

  if (server[0] == '\0')
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "app.open-local-board");
    }
  else
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "app.open-board");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "(sss)", server, board, "");
    }

  return row;
}

/* Settings, not server data: the list is rebuilt when the key changes. */
static void
load_recent (TackConnectDialog *self)
{
  g_autoptr(GVariant) recent = NULL;
  GVariantIter iter;
  const char *server, *board, *title;
  GtkWidget *child;
  gboolean has_local = FALSE;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))) != NULL)
    gtk_list_box_remove (self->recent_list, child);

  if (self->settings != NULL)
    {
      recent = g_settings_get_value (self->settings, "recent-boards");
      g_variant_iter_init (&iter, recent);
      while (g_variant_iter_next (&iter, "(&s&s&s)", &server, &board, &title))
        {
          has_local |= server[0] == '\0';
          gtk_list_box_append (self->recent_list, recent_row_new (server, board, title));
        }
    }

  if (!has_local)
    gtk_list_box_append (self->recent_list, recent_row_new ("", "", _("Local board")));
}

/**
 * tack_connect_dialog_connect:
 *
 * Opens the board the form names, and closes the dialog.
 */
void
tack_connect_dialog_connect (TackConnectDialog *self)
{
  g_autofree char *server = NULL;
  g_autofree char *board = NULL;
  const char *token;

  g_return_if_fail (TACK_IS_CONNECT_DIALOG (self));

  server = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  board = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->board_row))));
  token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));

  while (g_str_has_suffix (server, "/"))
    server[strlen (server) - 1] = '\0';

  gtk_widget_remove_css_class (GTK_WIDGET (self->server_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->board_row), "error");

  if (!g_str_has_prefix (server, "http://") && !g_str_has_prefix (server, "https://"))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->server_row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
      return;
    }

  if (board[0] == '\0')
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->board_row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->board_row));
      return;
    }

  gtk_widget_activate_action (GTK_WIDGET (self), "app.open-board", "(sss)", server, board, token);
  gtk_window_close (GTK_WINDOW (self));
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  tack_connect_dialog_connect (TACK_CONNECT_DIALOG (widget));
}

static void
recent_row_activated_cb (TackConnectDialog *self,
                         GtkListBoxRow     *row)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
tack_connect_dialog_dispose (GObject *object)
{
  TackConnectDialog *self = (TackConnectDialog *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), TACK_TYPE_CONNECT_DIALOG);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tack_connect_dialog_parent_class)->dispose (object);
}

static void
tack_connect_dialog_class_init (TackConnectDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tack_connect_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tackboard/Tack/tack-connect-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TackConnectDialog, recent_list);
  gtk_widget_class_bind_template_child (widget_class, TackConnectDialog, recent_group);
  gtk_widget_class_bind_template_child (widget_class, TackConnectDialog, server_row);
  gtk_widget_class_bind_template_child (widget_class, TackConnectDialog, board_row);
  gtk_widget_class_bind_template_child (widget_class, TackConnectDialog, token_row);
  gtk_widget_class_bind_template_callback (widget_class, recent_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "connect.connect", NULL, connect_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tack_connect_dialog_init (TackConnectDialog *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL)
    {
      self->settings = g_settings_new_full (schema, NULL, NULL);
      g_signal_connect_object (self->settings, "changed::recent-boards",
                               G_CALLBACK (load_recent), self, G_CONNECT_SWAPPED);
    }

  load_recent (self);
}

GtkWidget *
tack_connect_dialog_new (void)
{
  return g_object_new (TACK_TYPE_CONNECT_DIALOG, NULL);
}
