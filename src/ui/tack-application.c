/* tack-application.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The application: app-wide actions and accelerators, the command line,
 * and one window per board. Each window is handed its store; the
 * application keeps no board state of its own. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include <stdlib.h>

#include <glib/gi18n.h>

#include "tack-application.h"
#include "tack-snapshot.h"
#include "tack-window.h"

struct _TackApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (TackApplication, tack_application, ADW_TYPE_APPLICATION)

typedef struct
{
  TackApplication         *app;
  GApplicationCommandLine *command_line;
  TackStore               *store;
  GFile                   *file;
} SnapshotOpen;

static void
snapshot_open_free (SnapshotOpen *open)
{
  g_application_release (G_APPLICATION (open->app));
  g_clear_object (&open->app);
  g_clear_object (&open->command_line);
  g_clear_object (&open->store);
  g_clear_object (&open->file);
  g_free (open);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SnapshotOpen, snapshot_open_free)

static TackWindow *
tack_application_new_window (TackApplication *self,
                             TackStore       *store,
                             gboolean         read_only)
{
  g_assert (TACK_IS_APPLICATION (self));
  g_assert (TACK_IS_STORE (store));

  return g_object_new (TACK_TYPE_WINDOW,
                       "application", self,
                       "store", store,
                       "read-only", read_only,
                       NULL);
}

static void
snapshot_loaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SnapshotOpen) open = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  if (!tack_snapshot_load_finish (TACK_STORE (object), result, &error))
    {
      name = g_file_get_parse_name (open->file);
      g_application_command_line_printerr (open->command_line,
                                           _("Could not open the board export “%s”: %s\n"),
                                           name, error->message);
      g_application_command_line_set_exit_status (open->command_line, EXIT_FAILURE);
      return;
    }

  gtk_window_present (GTK_WINDOW (tack_application_new_window (open->app, open->store, TRUE)));
}

static int
tack_application_command_line (GApplication            *app,
                               GApplicationCommandLine *command_line)
{
  TackApplication *self = TACK_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autofree char *path = NULL;
  SnapshotOpen *open;

  if (!g_variant_dict_lookup (options, "snapshot", "^ay", &path))
    {
      g_application_activate (app);
      return EXIT_SUCCESS;
    }

  /* A board export is shown as it was saved: the store gets no fetcher,
   * so nothing ever refetches or writes it. */
  open = g_new0 (SnapshotOpen, 1);
  open->app = g_object_ref (self);
  open->command_line = g_object_ref (command_line);
  open->store = tack_store_new ();
  open->file = g_application_command_line_create_file_for_arg (command_line, path);
  g_application_hold (app);

  tack_snapshot_load_async (open->store, open->file, NULL, snapshot_loaded_cb, open);

  return EXIT_SUCCESS;
}

static void
tack_application_activate (GApplication *app)
{
  TackApplication *self = TACK_APPLICATION (app);
  GtkWindow *window;
  g_autoptr(TackStore) store = NULL;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    {
      store = tack_store_new ();
      window = GTK_WINDOW (tack_application_new_window (self, store, FALSE));
    }

  gtk_window_present (window);
}

static void
tack_application_about_action (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  TackApplication *self = user_data;
  const char *developers[] = { _("The Tack developers"), NULL };
  GtkWindow *parent;
  GtkWidget *about;

  g_assert (TACK_IS_APPLICATION (self));

  parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-name", _("Tack"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", developers[0],
                        "developers", developers,
                        "copyright", _("© 2026 The Tack developers"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "website", "https://github.com/tackboard/tack",
                        "issue-url", "https://github.com/tackboard/tack/issues",
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
tack_application_quit_action (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "about", tack_application_about_action },
  { "quit", tack_application_quit_action },
};

static void
tack_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<primary>q", NULL };
  static const char *close_accels[] = { "<primary>w", NULL };

  G_APPLICATION_CLASS (tack_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app),
                                   app_actions,
                                   G_N_ELEMENTS (app_actions),
                                   app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "window.close", close_accels);
}

static void
tack_application_class_init (TackApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = tack_application_activate;
  app_class->command_line = tack_application_command_line;
  app_class->startup = tack_application_startup;
}

static void
tack_application_init (TackApplication *self)
{
  static const GOptionEntry entries[] = {
    { "snapshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Open a board export (a board snapshot JSON file), read-only"), N_("FILE") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("A kanban board for teams"));
}

TackApplication *
tack_application_new (void)
{
  return g_object_new (TACK_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/github/tackboard/Tack",
                       NULL);
}
