/* tack-application.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The application: app-wide actions and accelerators, the command line,
 * and one window per board. Each window is handed a session (or, for a
 * board export, a bare store); the application keeps no board state of
 * its own. With no server configured it runs the embedded tack-server on
 * a local board and talks to it over HTTP exactly as it would to a remote
 * one. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include <stdlib.h>

#include <glib/gi18n.h>

#include "tack-application.h"
#include "tack-connect-dialog.h"
#include "tack-credentials.h"
#include "tack-preferences-window.h"
#include "tack-server.h"
#include "tack-snapshot.h"
#include "tack-window.h"

struct _TackApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  TackServer     *server;
  char           *server_url;
  char           *board_id;
  char           *board_token;

  /* The board export named on this process's command line, and its
   * loading, started before GTK and libadwaita are (see startup). */
  char           *snapshot_arg;
  struct _SnapshotOpen *snapshot_prefetch;
};

G_DEFINE_FINAL_TYPE (TackApplication, tack_application, ADW_TYPE_APPLICATION)

typedef struct _SnapshotOpen
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

static GSettings *
tack_application_dup_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

static char *
tack_application_dup_user (TackApplication *self)
{
  g_autofree char *name = NULL;

  if (self->settings != NULL)
    name = g_settings_get_string (self->settings, "display-name");

  return tack_session_dup_user_for_name (name);
}

/* The local board: the embedded server on a port of the kernel's
 * choosing, its database under the user's data directory. */
static gboolean
tack_application_start_embedded (TackApplication  *self,
                                 GError          **error)
{
  g_autoptr(TackServer) server = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *board_id = NULL;
  g_autofree char *token = NULL;

  if (self->server != NULL)
    return TRUE;

  db_path = g_build_filename (g_get_user_data_dir (), "tack", "local-board.db", NULL);
  server = tack_server_new (db_path, error);
  if (server == NULL)
    return FALSE;

  if (!tack_server_listen (server, "127.0.0.1", 0, error) ||
      !tack_server_ensure_default_board (server, &board_id, &token, error))
    {
      tack_server_stop (server);
      return FALSE;
    }

  self->server = g_steal_pointer (&server);
  g_free (self->server_url);
  self->server_url = g_strdup_printf ("http://127.0.0.1:%u", tack_server_get_port (self->server));
  g_free (self->board_id);
  self->board_id = g_steal_pointer (&board_id);
  g_free (self->board_token);
  self->board_token = g_steal_pointer (&token);

  g_debug ("Local board %s served at %s", self->board_id, self->server_url);

  return TRUE;
}

static TackWindow *
tack_application_find_window (TackApplication *self,
                              const char      *base_url,
                              const char      *board_id)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      TackSession *session;

      if (!TACK_IS_WINDOW (l->data))
        continue;

      session = tack_window_get_session (l->data);
      if (session != NULL &&
          g_strcmp0 (tack_session_get_base_url (session), base_url) == 0 &&
          g_strcmp0 (tack_session_get_board_id (session), board_id) == 0)
        return l->data;
    }

  return NULL;
}

#define MAX_RECENT_BOARDS 10

/* Most recent first, one entry per board; the local board is recorded
 * with an empty server address, since its port changes every run. */
static void
remember_board (TackApplication *self,
                const char      *server,
                const char      *board_id,
                const char      *title)
{
  g_autoptr(GVariant) recent = NULL;
  GVariantBuilder builder;
  GVariantIter iter;
  const char *r_server, *r_board, *r_title;
  guint n = 1;

  if (self->settings == NULL || board_id == NULL)
    return;

  recent = g_settings_get_value (self->settings, "recent-boards");
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sss)"));
  g_variant_builder_add (&builder, "(sss)", server, board_id, title ? title : "");

  g_variant_iter_init (&iter, recent);
  while (g_variant_iter_next (&iter, "(&s&s&s)", &r_server, &r_board, &r_title))
    {
      if (g_strcmp0 (r_server, server) == 0 && g_strcmp0 (r_board, board_id) == 0)
        continue;
      if (n++ >= MAX_RECENT_BOARDS)
        break;
      g_variant_builder_add (&builder, "(sss)", r_server, r_board, r_title);
    }

  g_settings_set_value (self->settings, "recent-boards", g_variant_builder_end (&builder));
}

static void
on_board_title (TackBoard   *board,
                GParamSpec  *pspec,
                TackSession *session)
{
  TackApplication *self = TACK_APPLICATION (g_application_get_default ());
  const char *title = tack_board_get_title (board);
  const char *server = tack_session_get_base_url (session);

  if (self == NULL || title == NULL || title[0] == '\0')
    return;

  if (self->server != NULL && g_strcmp0 (server, self->server_url) == 0)
    server = "";

  remember_board (self, server, tack_session_get_board_id (session), title);
}

/**
 * tack_application_open_board:
 * @base_url: the server
 * @board_id: the board
 * @token: (nullable): the board's token
 *
 * Presents the window on that board, opening a session for it first if
 * no window shows it yet.
 *
 * Returns: (transfer none): the window
 */
TackWindow *
tack_application_open_board (TackApplication *self,
                             const char      *base_url,
                             const char      *board_id,
                             const char      *token)
{
  g_autoptr(TackSession) session = NULL;
  g_autofree char *user = NULL;
  g_autofree char *journal_path = NULL;
  TackWindow *window;

  g_return_val_if_fail (TACK_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (board_id != NULL, NULL);

  window = tack_application_find_window (self, base_url, board_id);
  if (window == NULL)
    {
      user = tack_application_dup_user (self);
      /* The embedded server listens on a new port every run, so its
       * board's journal is keyed on "local" rather than on the URL: edits
       * still unsent when Tack stopped are found and sent next time. */
      if (self->server != NULL && g_strcmp0 (base_url, self->server_url) == 0)
        journal_path = tack_session_default_journal_path ("local", board_id);
      session = tack_session_new (base_url, board_id, token, user, journal_path);
      window = g_object_new (TACK_TYPE_WINDOW,
                             "application", self,
                             "session", session,
                             NULL);
      g_signal_connect_object (tack_store_get_board (tack_session_get_store (session)), "notify::title",
                               G_CALLBACK (on_board_title), session, 0);
      tack_session_start (session);
    }

  gtk_window_present (GTK_WINDOW (window));

  return window;
}

/**
 * tack_application_open_local_board:
 *
 * Opens the local board, starting the embedded server if needed.
 *
 * Returns: (transfer none) (nullable): the window, or %NULL on error
 */
TackWindow *
tack_application_open_local_board (TackApplication  *self,
                                   GError          **error)
{
  g_return_val_if_fail (TACK_IS_APPLICATION (self), NULL);

  if (!tack_application_start_embedded (self, error))
    return NULL;

  return tack_application_open_board (self, self->server_url, self->board_id, self->board_token);
}

/**
 * tack_application_get_local_server:
 *
 * Returns: (transfer none) (nullable): the embedded server, if it runs
 */
TackServer *
tack_application_get_local_server (TackApplication *self)
{
  g_return_val_if_fail (TACK_IS_APPLICATION (self), NULL);

  return self->server;
}

/* The board the settings name, else the local one. */
static gboolean
tack_application_open_default (TackApplication  *self,
                               const char       *server_url,
                               const char       *board_id,
                               GError          **error)
{
  g_autofree char *setting_url = NULL;
  g_autofree char *setting_board = NULL;
  g_autofree char *token = NULL;

  if (server_url == NULL && self->settings != NULL)
    {
      setting_url = g_settings_get_string (self->settings, "server-url");
      setting_board = g_settings_get_string (self->settings, "board-id");
      if (setting_url[0] != '\0')
        {
          server_url = setting_url;
          if (board_id == NULL && setting_board[0] != '\0')
            board_id = setting_board;
        }
    }

  if (server_url == NULL || server_url[0] == '\0')
    return tack_application_open_local_board (self, error) != NULL;

  if (board_id == NULL || board_id[0] == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Which board to open on %s? Give one with --board"), server_url);
      return FALSE;
    }

  token = g_strdup (g_getenv ("TACK_TOKEN"));
  if (token == NULL)
    token = g_strdup ("");

  g_action_group_activate_action (G_ACTION_GROUP (self), "open-board",
                                  g_variant_new ("(sss)", server_url, board_id, token));

  return TRUE;
}

static void
snapshot_loaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SnapshotOpen) open = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  gboolean loaded = tack_snapshot_load_finish (TACK_STORE (object), result, &error);

  /* Started at start-up for a command line that never asked for it. */
  if (open->command_line == NULL)
    {
      if (open->app->snapshot_prefetch == open)
        open->app->snapshot_prefetch = NULL;
      return;
    }

  if (!loaded)
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

static SnapshotOpen *
snapshot_open_start (TackApplication *self,
                     GFile           *file)
{
  SnapshotOpen *open = g_new0 (SnapshotOpen, 1);

  open->app = g_object_ref (self);
  open->store = tack_store_new ();
  open->file = file;
  g_application_hold (G_APPLICATION (self));

  tack_snapshot_load_async (open->store, open->file, NULL, snapshot_loaded_cb, open);

  return open;
}

static int
tack_application_handle_local_options (GApplication *app,
                                       GVariantDict *options)
{
  TackApplication *self = TACK_APPLICATION (app);

  g_clear_pointer (&self->snapshot_arg, g_free);
  g_variant_dict_lookup (options, "snapshot", "^ay", &self->snapshot_arg);

  if (G_APPLICATION_CLASS (tack_application_parent_class)->handle_local_options != NULL)
    return G_APPLICATION_CLASS (tack_application_parent_class)->handle_local_options (app, options);

  return -1;
}

static int
tack_application_command_line (GApplication            *app,
                               GApplicationCommandLine *command_line)
{
  TackApplication *self = TACK_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const char *server_url = NULL;
  const char *board_id = NULL;
  g_autoptr(GFile) file = NULL;
  SnapshotOpen *open;

  if (!g_variant_dict_lookup (options, "snapshot", "^ay", &path))
    {
      g_variant_dict_lookup (options, "server", "&s", &server_url);
      g_variant_dict_lookup (options, "board", "&s", &board_id);

      if (!tack_application_open_default (self, server_url, board_id, &error))
        {
          g_application_command_line_printerr (command_line, "%s\n", error->message);
          return EXIT_FAILURE;
        }

      return EXIT_SUCCESS;
    }

  /* A board export is shown as it was saved: the store gets no fetcher,
   * so nothing ever refetches or writes it. */
  file = g_application_command_line_create_file_for_arg (command_line, path);
  if (self->snapshot_prefetch != NULL && g_file_equal (self->snapshot_prefetch->file, file))
    open = g_steal_pointer (&self->snapshot_prefetch);
  else
    open = snapshot_open_start (self, g_steal_pointer (&file));
  open->command_line = g_object_ref (command_line);

  return EXIT_SUCCESS;
}

static void
tack_application_activate (GApplication *app)
{
  TackApplication *self = TACK_APPLICATION (app);
  g_autoptr(GError) error = NULL;
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }

  if (!tack_application_open_default (self, NULL, NULL, &error))
    g_printerr ("%s\n", error->message);
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
tack_application_preferences_action (GSimpleAction *action,
                                     GVariant      *parameter,
                                     gpointer       user_data)
{
  TackApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWindow *preferences;

  preferences = GTK_WINDOW (tack_preferences_window_new ());
  gtk_window_set_transient_for (preferences, parent);
  gtk_window_present (preferences);
}

static void
tack_application_connect_action (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  TackApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWindow *dialog = GTK_WINDOW (tack_connect_dialog_new ());

  gtk_window_set_transient_for (dialog, parent);
  gtk_window_present (dialog);
}

typedef struct
{
  TackApplication *app;
  char            *server;
  char            *board;
} TokenLookup;

static void
token_found_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TokenLookup *lookup = user_data;
  g_autofree char *token = tack_credentials_lookup_finish (result, NULL);

  tack_application_open_board (lookup->app, lookup->server, lookup->board, token);

  g_application_release (G_APPLICATION (lookup->app));
  g_object_unref (lookup->app);
  g_free (lookup->server);
  g_free (lookup->board);
  g_free (lookup);
}

/* (server, board, token): an empty token means "the one remembered". The
 * board becomes the one opened on the next start. */
static void
tack_application_open_board_action (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  TackApplication *self = user_data;
  const char *server, *board, *token;
  TokenLookup *lookup;

  g_variant_get (parameter, "(&s&s&s)", &server, &board, &token);

  if (self->settings != NULL)
    {
      g_settings_set_string (self->settings, "server-url", server);
      g_settings_set_string (self->settings, "board-id", board);
    }

  if (token[0] != '\0')
    {
      tack_credentials_store (server, board, token);
      tack_application_open_board (self, server, board, token);
      return;
    }

  lookup = g_new0 (TokenLookup, 1);
  lookup->app = g_object_ref (self);
  lookup->server = g_strdup (server);
  lookup->board = g_strdup (board);
  g_application_hold (G_APPLICATION (self));
  tack_credentials_lookup_async (server, board, NULL, token_found_cb, lookup);
}

static void
tack_application_open_local_board_action (GSimpleAction *action,
                                          GVariant      *parameter,
                                          gpointer       user_data)
{
  TackApplication *self = user_data;
  g_autoptr(GError) error = NULL;

  if (self->settings != NULL)
    {
      g_settings_set_string (self->settings, "server-url", "");
      g_settings_set_string (self->settings, "board-id", "");
    }

  if (tack_application_open_local_board (self, &error) == NULL)
    g_warning ("Cannot open the local board: %s", error->message);
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
  { "preferences", tack_application_preferences_action },
  { "connect", tack_application_connect_action },
  { "open-board", tack_application_open_board_action, "(sss)" },
  { "open-local-board", tack_application_open_local_board_action },
  { "quit", tack_application_quit_action },
};

static const struct {
  const char *action;
  const char *accels[3];
} accels[] = {
  { "app.quit", { "<primary>q", NULL } },
  { "app.preferences", { "<primary>comma", NULL } },
  { "app.connect", { "<primary>o", NULL } },
  { "window.close", { "<primary>w", NULL } },
  { "win.reconnect", { "<primary>r", NULL } },
  { "win.new-column", { "<primary><shift>n", NULL } },
  { "card.open", { "<primary>e", NULL } },
  { "card.delete", { "Delete", NULL } },
  { "card.move-left", { "<alt>Left", "<primary><shift>Left", NULL } },
  { "card.move-right", { "<alt>Right", "<primary><shift>Right", NULL } },
  { "card.move-up", { "<alt>Up", "<primary><shift>Up", NULL } },
  { "card.move-down", { "<alt>Down", "<primary><shift>Down", NULL } },
};

static void
tack_application_startup (GApplication *app)
{
  TackApplication *self = TACK_APPLICATION (app);

  /* Only the primary instance starts up, and it is the one that opens a
   * board export named on its own command line: reading and parsing the
   * file in a worker thread while GTK and libadwaita start (their
   * stylesheets alone take tens of milliseconds) takes it off the time
   * to the first frame. The command line then picks the load up. */
  if (self->snapshot_arg != NULL)
    self->snapshot_prefetch = snapshot_open_start (self, g_file_new_for_commandline_arg (self->snapshot_arg));

  G_APPLICATION_CLASS (tack_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app),
                                   app_actions,
                                   G_N_ELEMENTS (app_actions),
                                   app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);

  self->settings = tack_application_dup_settings ();
}

static void
tack_application_shutdown (GApplication *app)
{
  TackApplication *self = TACK_APPLICATION (app);

  G_APPLICATION_CLASS (tack_application_parent_class)->shutdown (app);

  if (self->server != NULL)
    tack_server_stop (self->server);
}

static void
tack_application_dispose (GObject *object)
{
  TackApplication *self = (TackApplication *)object;

  g_clear_object (&self->settings);
  if (self->server != NULL)
    tack_server_stop (self->server);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (tack_application_parent_class)->dispose (object);
}

static void
tack_application_finalize (GObject *object)
{
  TackApplication *self = (TackApplication *)object;

  g_free (self->server_url);
  g_free (self->board_id);
  g_free (self->board_token);
  g_free (self->snapshot_arg);

  G_OBJECT_CLASS (tack_application_parent_class)->finalize (object);
}

static void
tack_application_class_init (TackApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = tack_application_dispose;
  object_class->finalize = tack_application_finalize;

  app_class->activate = tack_application_activate;
  app_class->command_line = tack_application_command_line;
  app_class->handle_local_options = tack_application_handle_local_options;
  app_class->startup = tack_application_startup;
  app_class->shutdown = tack_application_shutdown;
}

static void
tack_application_init (TackApplication *self)
{
  static const GOptionEntry entries[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, NULL,
      N_("Open a board on this tack-server (the token comes from $TACK_TOKEN or the keyring)"), N_("URL") },
    { "board", 'b', 0, G_OPTION_ARG_STRING, NULL,
      N_("The board to open on the server"), N_("ID") },
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
