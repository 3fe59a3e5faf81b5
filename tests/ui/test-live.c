/* test-live.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The window on a live board: a real tack-server in this process on a
 * port the kernel picked, with a temporary database, reached over HTTP and
 * WebSocket exactly as the app reaches its embedded server. A second
 * client (a plain TackApi) plays "someone else" and reads back what landed
 * on the server. Everything the user would see is checked by walking the
 * real widget tree; nothing sleeps, every wait is for a condition. */

#include "config.h"

#include <glib/gstdio.h>

#include "tack-application.h"
#include "tack-card-editor.h"
#include "tack-card-row.h"
#include "tack-connect-dialog.h"
#include "tack-column-view.h"
#include "tack-connection-indicator.h"
#include "tack-model.h"
#include "tack-preferences-window.h"
#include "tack-presence.h"
#include "tack-server.h"
#include "tack-session.h"
#include "tack-test-ui.h"
#include "tack-window-private.h"

/* Fixture: a server, a board, a window on it, and someone else. */

typedef struct
{
  char           *dir;
  char           *db_path;
  TackServer     *server;
  guint16         port;
  char           *url;
  char           *board_id;
  char           *token;
  char           *columns[3];
  TackApi        *other;
  TackSession    *session;
  TackWindow     *window;
} Fixture;

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

/* A request from the other client, waited for. */
static JsonNode *
other_request (Fixture    *f,
               const char *method,
               const char *path,
               const char *json_body)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *reply;

  if (json_body != NULL)
    {
      body = json_from_string (json_body, &error);
      g_assert_no_error (error);
    }

  tack_api_request_async (f->other, method, path, NULL, body, NULL, result_cb, &result);
  TEST_WAIT_FOR (result != NULL);
  reply = tack_api_request_finish (f->other, result, &error);
  g_assert_no_error (error);

  return reply;
}

static JsonObject *
server_card (Fixture    *f,
             const char *card_id)
{
  g_autoptr(JsonNode) snapshot = other_request (f, "GET", "", NULL);
  JsonArray *cards = json_object_get_array_member (json_node_get_object (snapshot), "cards");

  for (guint i = 0; i < json_array_get_length (cards); i++)
    {
      JsonObject *card = json_array_get_object_element (cards, i);

      if (g_strcmp0 (json_object_get_string_member (card, "id"), card_id) == 0)
        return json_object_ref (card);
    }

  return NULL;
}

static char *
server_card_column (Fixture    *f,
                    const char *card_id)
{
  g_autoptr(JsonObject) card = server_card (f, card_id);

  return card ? g_strdup (json_object_get_string_member (card, "column")) : NULL;
}

/* The ids of a column's cards on the server, in order, joined by spaces. */
static char *
server_column_order (Fixture    *f,
                     const char *column_id)
{
  g_autoptr(JsonNode) snapshot = other_request (f, "GET", "", NULL);
  JsonArray *cards = json_object_get_array_member (json_node_get_object (snapshot), "cards");
  g_autoptr(GPtrArray) in_column = g_ptr_array_new ();
  GString *order = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (cards); i++)
    {
      JsonObject *card = json_array_get_object_element (cards, i);

      if (g_strcmp0 (json_object_get_string_member (card, "column"), column_id) == 0)
        g_ptr_array_add (in_column, card);
    }

  for (guint i = 0; i < in_column->len; i++)
    for (guint j = i + 1; j < in_column->len; j++)
      {
        JsonObject *a = g_ptr_array_index (in_column, i);
        JsonObject *b = g_ptr_array_index (in_column, j);
        int cmp = g_strcmp0 (json_object_get_string_member (a, "position"),
                             json_object_get_string_member (b, "position"));

        if (cmp > 0 || (cmp == 0 && g_strcmp0 (json_object_get_string_member (a, "id"),
                                                 json_object_get_string_member (b, "id")) > 0))
          {
            g_ptr_array_index (in_column, i) = b;
            g_ptr_array_index (in_column, j) = a;
          }
      }

  for (guint i = 0; i < in_column->len; i++)
    g_string_append_printf (order, "%s%s", i ? " " : "",
                            json_object_get_string_member (g_ptr_array_index (in_column, i), "id"));

  return g_string_free (order, FALSE);
}

static char *
other_create_card (Fixture    *f,
                   guint       column,
                   const char *title)
{
  g_autofree char *op = g_uuid_string_random ();
  g_autofree char *body = g_strdup_printf ("{\"op\": \"%s\", \"column\": \"%s\", \"title\": \"%s\", \"after\": null}",
                                           op, f->columns[column], title);
  g_autoptr(JsonNode) reply = other_request (f, "POST", "/cards", body);

  return g_strdup (json_object_get_string_member (json_object_get_object_member (json_node_get_object (reply), "card"), "id"));
}

static GtkWidget *
indicator_button (Fixture *f)
{
  return test_find_widget (GTK_WIDGET (f->window->indicator), test_is_type, GSIZE_TO_POINTER (GTK_TYPE_MENU_BUTTON));
}

static gboolean
indicator_says (Fixture    *f,
                const char *text)
{
  const char *shown = tack_connection_indicator_get_text (f->window->indicator);
  g_autofree char *mismatch = NULL;

  if (!g_str_has_prefix (shown, text))
    return FALSE;

  /* What a screen reader says is what is shown. */
  mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (indicator_button (f)),
                                                 GTK_ACCESSIBLE_PROPERTY_LABEL, shown);
  return mismatch == NULL;
}

static gboolean
card_shown (Fixture    *f,
            guint       column,
            const char *title)
{
  return test_find_label (test_find_widget (GTK_WIDGET (f->window), test_is_column_view_for, f->columns[column]), title) != NULL;
}

static void
start_server (Fixture *f,
              guint16  port)
{
  g_autoptr(GError) error = NULL;

  f->server = tack_server_new (f->db_path, &error);
  g_assert_no_error (error);
  tack_server_listen (f->server, "127.0.0.1", port, &error);
  g_assert_no_error (error);
}

static void
open_window (Fixture *f)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  TackConnection *connection;

  /* The window names the user after the display-name preference. */
  g_settings_set_string (settings, "display-name", "Ada");

  f->session = tack_session_new (f->url, f->board_id, f->token, "Ada", NULL);
  connection = tack_session_get_connection (f->session);
  g_object_set (connection, "backoff-base", 50, "backoff-cap", 300, NULL);

  f->window = g_object_new (TACK_TYPE_WINDOW, "session", f->session, NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  tack_session_start (f->session);

  TEST_WAIT_FOR (indicator_says (f, "Live") && test_find_label (GTK_WIDGET (f->window), "Doing") != NULL);
  TEST_WAIT_FOR (tack_outbox_get_restored (tack_session_get_outbox (f->session)));
}

/* Once the outbox is empty, the server has answered every edit. */
static void
wait_outbox_sent (Fixture *f)
{
  TEST_WAIT_FOR (tack_outbox_get_n_pending (tack_session_get_outbox (f->session)) == 0);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) snapshot = NULL;
  JsonArray *columns;

  f->dir = g_dir_make_tmp ("tack-ui-live-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->dir, "board.db", NULL);

  start_server (f, 0);
  f->port = tack_server_get_port (f->server);
  f->url = g_strdup_printf ("http://127.0.0.1:%u", f->port);
  g_assert_true (tack_server_ensure_default_board (f->server, &f->board_id, &f->token, &error));
  g_assert_no_error (error);

  f->other = g_object_new (TACK_TYPE_API,
                           "base-url", f->url,
                           "board-id", f->board_id,
                           "token", f->token,
                           "user", "Grace",
                           NULL);
  snapshot = other_request (f, "GET", "", NULL);
  columns = json_object_get_array_member (json_node_get_object (snapshot), "columns");
  g_assert_cmpuint (json_array_get_length (columns), ==, 3);
  for (guint i = 0; i < 3; i++)
    f->columns[i] = g_strdup (json_object_get_string_member (json_array_get_object_element (columns, i), "id"));

  open_window (f);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }

  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_reset (settings, "live-update-mode");
  g_settings_reset (settings, "poll-interval");
  g_settings_reset (settings, "display-name");

  gtk_window_destroy (GTK_WINDOW (f->window));
  tack_session_stop (f->session);
  g_clear_object (&f->session);
  g_clear_object (&f->other);
  tack_server_stop (f->server);
  g_clear_object (&f->server);

  for (guint i = 0; i < 3; i++)
    g_free (f->columns[i]);
  g_free (f->board_id);
  g_free (f->token);
  g_free (f->url);
  remove_tree (f->dir);
  g_free (f->db_path);
  g_free (f->dir);
}

/* The board as the server has it, live. */
static void
test_live_board (Fixture       *f,
                 gconstpointer  data)
{
  GtkWidget *root = GTK_WIDGET (f->window);

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, "My Board");
  g_assert_nonnull (test_find_label (root, "To Do"));
  g_assert_nonnull (test_find_label (root, "Doing"));
  g_assert_nonnull (test_find_label (root, "Done"));
  g_assert_cmpstr (tack_connection_indicator_get_text (f->window->indicator), ==, "Live");
  g_assert_true (gtk_widget_has_css_class (indicator_button (f), "live"));
  g_assert_false (gtk_widget_has_css_class (indicator_button (f), "reconnecting"));
}

/* Someone else adds a card; it shows up in the right column. */
static void
test_live_remote_card (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *id = other_create_card (f, 1, "Written elsewhere");

  TEST_WAIT_FOR (card_shown (f, 1, "Written elsewhere"));
  g_assert_false (card_shown (f, 0, "Written elsewhere"));
  g_assert_nonnull (test_find_widget (GTK_WIDGET (f->window), test_is_card_row_for, id));
}

/* The entry at the end of a column creates a card there, on the server. */
static void
test_live_add_card_inline (Fixture       *f,
                           gconstpointer  data)
{
  GtkWidget *column = test_find_widget (GTK_WIDGET (f->window), test_is_column_view_for, f->columns[2]);
  GtkWidget *entry = test_find_widget (column, test_is_type, GSIZE_TO_POINTER (GTK_TYPE_ENTRY));
  g_autofree char *order = NULL;

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "Typed in place");
  g_signal_emit_by_name (entry, "activate");

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  /* Shown at once, and the header says it is not on the server yet. */
  g_assert_true (indicator_says (f, "Changes pending"));
  g_assert_true (gtk_widget_has_css_class (indicator_button (f), "pending"));
  TEST_WAIT_FOR (card_shown (f, 2, "Typed in place"));
  wait_outbox_sent (f);
  TEST_WAIT_FOR (indicator_says (f, "Live"));

  order = server_column_order (f, f->columns[2]);
  g_assert_cmpuint (strlen (order), >, 0);
  {
    g_autoptr(JsonObject) card = server_card (f, order);

    g_assert_nonnull (card);
    g_assert_cmpstr (json_object_get_string_member (card, "title"), ==, "Typed in place");
  }
}

static void
focus_card (Fixture    *f,
            const char *card_id)
{
  GtkWidget *row = NULL;

  TEST_WAIT_FOR ((row = test_find_widget (GTK_WIDGET (f->window), test_is_card_row_for, card_id)) != NULL);
  gtk_widget_grab_focus (row);
  g_assert_true (gtk_widget_is_focus (row));
}

static gboolean
server_has_card_in (Fixture    *f,
                    const char *card_id,
                    const char *column_id)
{
  g_autofree char *column = server_card_column (f, card_id);

  return g_strcmp0 (column, column_id) == 0;
}

static gboolean
server_order_is (Fixture    *f,
                 const char *column_id,
                 const char *expected)
{
  g_autofree char *order = server_column_order (f, column_id);

  return g_strcmp0 (order, expected) == 0;
}

/* Moving the focused card with the keyboard actions lands on the server. */
static void
test_live_keyboard_move (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *b = other_create_card (f, 0, "Second");
  g_autofree char *a = other_create_card (f, 0, "First");
  g_autofree char *expected = g_strdup_printf ("%s %s", a, b);
  g_autofree char *swapped = g_strdup_printf ("%s %s", b, a);

  TEST_WAIT_FOR (card_shown (f, 0, "First") && card_shown (f, 0, "Second"));
  g_assert_true (server_order_is (f, f->columns[0], expected));

  focus_card (f, a);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "card.move-down", NULL));
  wait_outbox_sent (f);
  g_assert_true (server_order_is (f, f->columns[0], swapped));

  focus_card (f, a);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "card.move-right", NULL));
  TEST_WAIT_FOR (card_shown (f, 1, "First"));
  wait_outbox_sent (f);
  g_assert_true (server_has_card_in (f, a, f->columns[1]));
  g_assert_false (card_shown (f, 0, "First"));

  /* The focus followed the card, so it keeps going. */
  TEST_WAIT_FOR (gtk_widget_is_focus (test_find_widget (GTK_WIDGET (f->window), test_is_card_row_for, a)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "card.move-right", NULL));
  TEST_WAIT_FOR (card_shown (f, 2, "First"));
  wait_outbox_sent (f);
  g_assert_true (server_has_card_in (f, a, f->columns[2]));
}

static GtkDropTarget *
drop_target_of (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }

  return NULL;
}

/* A card dropped on another column, between two cards, lands there. */
static void
test_live_drag_move (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *dragged = other_create_card (f, 0, "Dragged");
  g_autofree char *lower = other_create_card (f, 1, "Lower");
  g_autofree char *upper = other_create_card (f, 1, "Upper");
  g_autofree char *expected = g_strdup_printf ("%s %s %s", upper, dragged, lower);
  GtkWidget *column;
  GtkWidget *lower_row;
  GtkDropTarget *target;
  double row_x, row_y;
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;
  GdkDragAction action = 0;

  TEST_WAIT_FOR (card_shown (f, 0, "Dragged") && card_shown (f, 1, "Upper") && card_shown (f, 1, "Lower"));

  /* The card row offers its card's id to whoever it is dropped on. */
  {
    GtkWidget *row = test_find_widget (GTK_WIDGET (f->window), test_is_card_row_for, dragged);
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (row);
    g_autoptr(GdkContentProvider) provider = NULL;
    GtkDragSource *source = NULL;
    GValue offered = G_VALUE_INIT;

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

        if (GTK_IS_DRAG_SOURCE (controller))
          source = GTK_DRAG_SOURCE (controller);
      }
    g_assert_nonnull (source);
    g_signal_emit_by_name (source, "prepare", 5.0, 5.0, &provider);
    g_assert_nonnull (provider);
    g_value_init (&offered, G_TYPE_STRING);
    g_assert_true (gdk_content_provider_get_value (provider, &offered, NULL));
    g_assert_cmpstr (g_value_get_string (&offered), ==, dragged);
    g_value_unset (&offered);
  }

  column = test_find_widget (GTK_WIDGET (f->window), test_is_column_view_for, f->columns[1]);
  /* Laid out: "Lower" sits below "Upper". */
  TEST_WAIT_FOR ((lower_row = gtk_widget_get_parent (test_find_widget (column, test_is_card_row_for, lower))) != NULL &&
            gtk_widget_translate_coordinates (lower_row, column, 0, 0, &row_x, &row_y) &&
            gtk_widget_get_height (lower_row) > 0 && row_y >= gtk_widget_get_height (lower_row) * 2);
  target = drop_target_of (column);
  g_assert_nonnull (target);

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, dragged);

  /* Hovering over the top half of "Lower" draws the line above it. */
  g_signal_emit_by_name (target, "motion", 10.0, row_y + 2, &action);
  g_assert_cmpint (action, ==, GDK_ACTION_MOVE);
  g_assert_true (gtk_widget_has_css_class (lower_row, "drop-before"));

  g_signal_emit_by_name (target, "drop", &value, 10.0, row_y + 2, &accepted);
  g_assert_true (accepted);
  g_assert_false (gtk_widget_has_css_class (lower_row, "drop-before"));
  g_value_unset (&value);

  TEST_WAIT_FOR (card_shown (f, 1, "Dragged"));
  wait_outbox_sent (f);
  g_assert_true (server_order_is (f, f->columns[1], expected));
}

/* Live, then the server goes away: reconnecting with a countdown, never
 * looking live, the board still there; it comes back on the same port and
 * "Reconnect now" in the indicator's popover brings the window back live. */
static void
test_live_reconnect (Fixture       *f,
                     gconstpointer  data)
{
  GtkWidget *button = indicator_button (f);
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  GtkWidget *reconnect;

  g_assert_true (indicator_says (f, "Live"));
  /* Waits long enough that the countdown is what brings it back only if
   * the button does not. */
  g_object_set (tack_session_get_connection (f->session),
                "backoff-base", 20000, "backoff-cap", 30000, NULL);

  tack_server_stop (f->server);
  g_clear_object (&f->server);

  TEST_WAIT_FOR (indicator_says (f, "Reconnecting in "));
  g_assert_true (g_str_has_suffix (tack_connection_indicator_get_text (f->window->indicator), " s"));
  g_assert_true (gtk_widget_has_css_class (button, "reconnecting"));
  g_assert_false (gtk_widget_has_css_class (button, "live"));
  /* Nothing modal: the board stays on screen. */
  g_assert_nonnull (test_find_label (GTK_WIDGET (f->window), "Doing"));

  start_server (f, f->port);

  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  TEST_WAIT_FOR ((reconnect = test_find_widget (popover, test_is_type, GSIZE_TO_POINTER (GTK_TYPE_BUTTON))) != NULL);
  g_signal_emit_by_name (reconnect, "clicked");

  TEST_WAIT_FOR (indicator_says (f, "Live"));
  g_assert_true (gtk_widget_has_css_class (button, "live"));

  /* And it is really live: a change from elsewhere arrives. */
  g_free (other_create_card (f, 0, "After the restart"));
  TEST_WAIT_FOR (card_shown (f, 0, "After the restart"));
}

/* Someone else changed the title; this window's edit of it, made from an
 * older version, is refused, rolled back, and the user is told. */
static void
test_live_rejected_toast (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *id = other_create_card (f, 0, "Fix login");
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  g_autofree char *op = g_uuid_string_random ();
  g_autoptr(JsonNode) reply = NULL;
  TackCardEditor *editor;
  GtkWidget *title_row;
  g_autoptr(GtkWindow) editor_ref = NULL;

  TEST_WAIT_FOR (card_shown (f, 0, "Fix login"));

  /* Stop listening, so this window still has the old version when it
   * sends its edit. */
  tack_session_stop (f->session);
  TEST_WAIT_FOR (indicator_says (f, "Offline"));

  path = g_strdup_printf ("/cards/%s", id);
  body = g_strdup_printf ("{\"op\": \"%s\", \"base_version\": 1, \"title\": \"Fix the login\"}", op);
  reply = other_request (f, "PATCH", path, body);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.open-card", "s", id));
  editor = NULL;
  {
    GListModel *toplevels = gtk_window_get_toplevels ();

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

        if (TACK_IS_CARD_EDITOR (toplevel))
          editor = TACK_CARD_EDITOR (toplevel);
      }
  }
  g_assert_nonnull (editor);
  editor_ref = g_object_ref (GTK_WINDOW (editor));
  title_row = test_find_widget (GTK_WIDGET (editor), test_is_type, GSIZE_TO_POINTER (ADW_TYPE_ENTRY_ROW));
  gtk_editable_set_text (GTK_EDITABLE (title_row), "Fix logging in");
  g_assert_true (tack_card_editor_save (editor));

  TEST_WAIT_FOR (test_find_widget (GTK_WIDGET (f->window), test_is_label_containing,
                         "“Fix the login” was changed by someone else; your edit was undone") != NULL);

  /* Rolled back to what the server has. */
  g_assert_cmpstr (tack_card_get_title (tack_store_lookup_card (tack_window_get_store (f->window), id)),
                   ==, "Fix the login");
}

/* Preferences switch the transport of a running window. */
static void
test_live_preferences_transport (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  TackConnection *connection = tack_session_get_connection (f->session);
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (indicator_button (f))));
  GtkWidget *dialog;
  GtkWidget *combo;

  g_assert_nonnull (popover);
  g_assert_cmpint (tack_connection_get_transport (connection), ==, TACK_TRANSPORT_WEBSOCKET);
  gtk_menu_button_popup (GTK_MENU_BUTTON (indicator_button (f)));
  TEST_WAIT_FOR (test_find_label (popover, "WebSocket") != NULL);

  {
    guint interval;

    g_object_get (connection, "poll-interval", &interval, NULL);
    g_assert_cmpuint (interval, ==, 0);
  }
  g_settings_set_string (settings, "live-update-mode", "sse");
  TEST_WAIT_FOR (tack_connection_get_transport (connection) == TACK_TRANSPORT_SSE &&
            tack_connection_get_state (connection) == TACK_CONNECTION_LIVE);
  TEST_WAIT_FOR (test_find_label (popover, "Server-sent events") != NULL);

  /* The same through the preferences window's own row. */
  dialog = tack_preferences_window_new ();
  g_assert_nonnull (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  combo = test_find_widget (dialog, test_is_type, GSIZE_TO_POINTER (ADW_TYPE_COMBO_ROW));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (combo)), ==, 2);
  adw_combo_row_set_selected (ADW_COMBO_ROW (combo), 3);
  g_assert_cmpstr (g_settings_get_string (settings, "live-update-mode"), ==, "polling");
  {
    guint interval;

    /* Polling every few seconds: the preference's interval; otherwise none. */
    g_object_get (connection, "poll-interval", &interval, NULL);
    g_assert_cmpuint (interval, ==, g_settings_get_uint (settings, "poll-interval"));
  }
  TEST_WAIT_FOR (tack_connection_get_transport (connection) == TACK_TRANSPORT_POLLING &&
            tack_connection_get_state (connection) == TACK_CONNECTION_LIVE);
  TEST_WAIT_FOR (test_find_label (popover, "Polling") != NULL);
  gtk_window_destroy (GTK_WINDOW (dialog));

  gtk_popover_popdown (GTK_POPOVER (popover));
}

static void
count_state_change (GObject    *object,
                    GParamSpec *pspec,
                    guint      *count)
{
  (*count)++;
}

static gboolean
is_entry_row_titled (GtkWidget     *widget,
                     gconstpointer  title)
{
  return ADW_IS_ENTRY_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

/* Renaming oneself in Preferences applies to the next write at once,
 * without reconnecting. */
static void
test_live_display_name (Fixture       *f,
                        gconstpointer  data)
{
  TackApi *api = tack_session_get_api (f->session);
  TackConnection *connection = tack_session_get_connection (f->session);
  GtkWidget *column = test_find_widget (GTK_WIDGET (f->window), test_is_column_view_for, f->columns[0]);
  GtkWidget *entry = test_find_widget (column, test_is_type, GSIZE_TO_POINTER (GTK_TYPE_ENTRY));
  GtkWidget *dialog;
  GtkWidget *row;
  guint state_changes = 0;
  g_autofree char *order = NULL;

  g_assert_cmpstr (tack_api_get_user (api), ==, "Ada");
  g_signal_connect (connection, "notify::state", G_CALLBACK (count_state_change), &state_changes);

  dialog = tack_preferences_window_new ();
  gtk_window_present (GTK_WINDOW (dialog));
  row = test_find_widget (dialog, is_entry_row_titled, "Display Name");
  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), "Ada Lovelace");
  g_assert_cmpstr (tack_api_get_user (api), ==, "Ada Lovelace");
  gtk_window_destroy (GTK_WINDOW (dialog));

  gtk_editable_set_text (GTK_EDITABLE (entry), "Signed anew");
  g_signal_emit_by_name (entry, "activate");
  wait_outbox_sent (f);

  order = server_column_order (f, f->columns[0]);
  {
    g_autoptr(JsonObject) card = server_card (f, order);

    g_assert_nonnull (card);
    g_assert_cmpstr (json_object_get_string_member (card, "title"), ==, "Signed anew");
    g_assert_cmpstr (json_object_get_string_member (card, "updated_by"), ==, "Ada Lovelace");
  }
  g_assert_cmpuint (state_changes, ==, 0);
  g_assert_true (indicator_says (f, "Live"));

  /* Cleared, the name falls back to the system's. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);
    g_autofree char *fallback = tack_session_dup_user_for_name (NULL);

    g_settings_set_string (settings, "display-name", "");
    g_assert_cmpstr (tack_api_get_user (api), ==, fallback);
  }

  g_signal_handlers_disconnect_by_data (connection, &state_changes);
}

/* Delete waits out its Undo toast: Undo brings the card back without the
 * server ever hearing of it; letting the toast go deletes it there. */
static gboolean
toast_for (gpointer key,
           gpointer value,
           gpointer user_data)
{
  return TRUE;
}

static void
test_live_delete_undo (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *id = other_create_card (f, 0, "Maybe delete");
  AdwToast *toast;

  TEST_WAIT_FOR (card_shown (f, 0, "Maybe delete"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.delete-card", "s", id));
  TEST_WAIT_FOR (!card_shown (f, 0, "Maybe delete"));
  TEST_WAIT_FOR (test_find_widget (GTK_WIDGET (f->window), test_is_label_containing, "“Maybe delete” deleted") != NULL);

  toast = g_hash_table_find (f->window->pending_deletes, toast_for, NULL);
  g_assert_nonnull (toast);
  g_signal_emit_by_name (toast, "button-clicked");
  adw_toast_dismiss (toast);
  TEST_WAIT_FOR (card_shown (f, 0, "Maybe delete"));
  {
    g_autoptr(JsonObject) card = server_card (f, id);

    g_assert_nonnull (card);
  }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.delete-card", "s", id));
  TEST_WAIT_FOR (!card_shown (f, 0, "Maybe delete"));
  toast = g_hash_table_find (f->window->pending_deletes, toast_for, NULL);
  adw_toast_dismiss (toast);
  wait_outbox_sent (f);
  {
    g_autoptr(JsonObject) card = server_card (f, id);

    g_assert_null (card);
  }
}

/* The editor sends only what changed. */
static void
test_live_editor (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *id = other_create_card (f, 0, "Plain card");
  TackCard *card;
  TackCardEditor *editor;
  GtkWidget *row;
  g_autoptr(JsonObject) on_server = NULL;
  GtkTextBuffer *buffer;

  TEST_WAIT_FOR (card_shown (f, 0, "Plain card"));
  card = tack_store_lookup_card (tack_window_get_store (f->window), id);
  editor = tack_card_editor_new (f->session, card);
  gtk_window_present (GTK_WINDOW (editor));

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (test_find_widget (GTK_WIDGET (editor), test_is_type,
                                                                   GSIZE_TO_POINTER (GTK_TYPE_TEXT_VIEW))));
  gtk_text_buffer_set_text (buffer, "Now with words.", -1);
  row = test_find_widget (GTK_WIDGET (editor), test_is_type, GSIZE_TO_POINTER (ADW_TYPE_ENTRY_ROW));
  row = gtk_widget_get_next_sibling (row);
  gtk_editable_set_text (GTK_EDITABLE (row), "ui, docs");
  g_assert_true (tack_card_editor_save (editor));

  row = test_find_widget (GTK_WIDGET (f->window), test_is_card_row_for, id);
  TEST_WAIT_FOR (test_find_label (row, "Now with words.") != NULL && test_find_label (row, "docs") != NULL);
  wait_outbox_sent (f);

  on_server = server_card (f, id);
  g_assert_cmpstr (json_object_get_string_member (on_server, "description"), ==, "Now with words.");
  g_assert_cmpstr (json_object_get_string_member (on_server, "title"), ==, "Plain card");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (on_server, "labels")), ==, 2);
}

/* Columns: added, renamed, moved and deleted through the window's
 * actions; each reaches the server and comes back through the stream. */
static gboolean
server_column_titles_are (Fixture    *f,
                          const char *expected)
{
  g_autoptr(JsonNode) snapshot = other_request (f, "GET", "", NULL);
  JsonArray *columns = json_object_get_array_member (json_node_get_object (snapshot), "columns");
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autoptr(GString) titles = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (columns); i++)
    g_ptr_array_add (sorted, json_array_get_object_element (columns, i));

  for (guint i = 0; i < sorted->len; i++)
    for (guint j = i + 1; j < sorted->len; j++)
      {
        JsonObject *a = g_ptr_array_index (sorted, i);
        JsonObject *b = g_ptr_array_index (sorted, j);

        if (g_strcmp0 (json_object_get_string_member (a, "position"),
                       json_object_get_string_member (b, "position")) > 0)
          {
            g_ptr_array_index (sorted, i) = b;
            g_ptr_array_index (sorted, j) = a;
          }
      }

  for (guint i = 0; i < sorted->len; i++)
    g_string_append_printf (titles, "%s%s", i ? "|" : "",
                            json_object_get_string_member (g_ptr_array_index (sorted, i), "title"));

  return g_strcmp0 (titles->str, expected) == 0;
}

static gboolean
window_column_titles_are (Fixture    *f,
                          const char *expected)
{
  GListModel *columns = tack_board_get_columns (tack_store_get_board (tack_window_get_store (f->window)));
  g_autoptr(GString) titles = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(TackColumn) column = g_list_model_get_item (columns, i);

      g_string_append_printf (titles, "%s%s", i ? "|" : "", tack_column_get_title (column));
    }

  return g_strcmp0 (titles->str, expected) == 0;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  AdwMessageDialog *dialog = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel))
        dialog = ADW_MESSAGE_DIALOG (toplevel);
    }

  return dialog;
}

/* Types @title into the dialog the action opened and confirms it. */
static void
answer_title_dialog (const char *heading,
                     const char *title)
{
  AdwMessageDialog *dialog = find_message_dialog ();
  GtkWidget *entry;

  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, heading);
  entry = adw_message_dialog_get_extra_child (dialog);
  g_assert_true (GTK_IS_ENTRY (entry));
  gtk_editable_set_text (GTK_EDITABLE (entry), title);
  g_signal_emit_by_name (entry, "activate");
  TEST_WAIT_FOR (find_message_dialog () == NULL);
}

static gboolean
is_pending_header_with (GtkWidget     *widget,
                        gconstpointer  title)
{
  return gtk_widget_has_css_class (widget, "column-header") &&
         gtk_widget_has_css_class (widget, "pending") &&
         gtk_widget_get_mapped (widget) &&
         test_find_label (widget, title) != NULL;
}

static gboolean
is_header_with (GtkWidget     *widget,
                gconstpointer  title)
{
  return gtk_widget_has_css_class (widget, "column-header") &&
         gtk_widget_get_mapped (widget) &&
         test_find_label (widget, title) != NULL;
}

static GtkWidget *
column_view_titled (GtkWidget  *root,
                    const char *title)
{
  GtkWidget *header = test_find_widget (root, is_header_with, title);

  return header ? gtk_widget_get_ancestor (header, TACK_TYPE_COLUMN_VIEW) : NULL;
}

static void
test_live_columns (Fixture       *f,
                   gconstpointer  data)
{
  GtkWidget *root = GTK_WIDGET (f->window);
  TackStore *store = tack_window_get_store (f->window);
  GtkWidget *header;

  /* Written while the server is away: shown at once, marked pending, and
   * sent when it is back. */
  tack_server_stop (f->server);
  g_clear_object (&f->server);
  g_assert_true (gtk_widget_activate_action (root, "win.new-column", NULL));
  answer_title_dialog ("New Column", "Review");
  g_assert_true (window_column_titles_are (f, "To Do|Doing|Done|Review"));
  TEST_WAIT_FOR ((header = test_find_widget (root, is_pending_header_with, "Review")) != NULL);
  g_assert_true (gtk_widget_get_visible (test_find_widget (header, test_is_type, GSIZE_TO_POINTER (GTK_TYPE_IMAGE))));

  start_server (f, f->port);
  tack_connection_reconnect_now (tack_session_get_connection (f->session));
  tack_outbox_flush (tack_session_get_outbox (f->session));
  wait_outbox_sent (f);
  g_assert_true (server_column_titles_are (f, "To Do|Doing|Done|Review"));
  TEST_WAIT_FOR (test_find_widget (root, is_pending_header_with, "Review") == NULL &&
            test_find_widget (root, is_header_with, "Review") != NULL);
  {
    GListModel *columns = tack_board_get_columns (tack_store_get_board (store));
    g_autoptr(TackColumn) review = g_list_model_get_item (columns, 3);

    g_assert_false (g_str_has_prefix (tack_column_get_id (review), "local:"));
    g_assert_false (tack_column_get_pending (review));
  }

  /* A card added to the new column lands in it on the server. */
  {
    GtkWidget *column = column_view_titled (root, "Review");
    GtkWidget *entry = test_find_widget (column, test_is_type, GSIZE_TO_POINTER (GTK_TYPE_ENTRY));

    gtk_editable_set_text (GTK_EDITABLE (entry), "Reviewed card");
    g_signal_emit_by_name (entry, "activate");
    TEST_WAIT_FOR (test_find_label (column, "Reviewed card") != NULL);
    wait_outbox_sent (f);
  }

  /* The column's own menu item, which names its column; the new title is
   * in the store before anything was sent. */
  g_assert_true (gtk_widget_activate_action (test_find_widget (root, test_is_column_view_for, f->columns[1]),
                                             "column.rename", NULL));
  answer_title_dialog ("Rename Column", "In Progress");
  g_assert_true (window_column_titles_are (f, "To Do|In Progress|Done|Review"));
  g_assert_true (tack_column_get_pending (tack_store_lookup_column (store, f->columns[1])));
  TEST_WAIT_FOR (test_find_label (root, "In Progress") != NULL && test_find_label (root, "Doing") == NULL);
  wait_outbox_sent (f);
  g_assert_true (server_column_titles_are (f, "To Do|In Progress|Done|Review"));

  g_assert_true (gtk_widget_activate_action (root, "win.move-column", "(si)", f->columns[2], 1));
  g_assert_true (window_column_titles_are (f, "To Do|In Progress|Review|Done"));
  wait_outbox_sent (f);
  g_assert_true (server_column_titles_are (f, "To Do|In Progress|Review|Done"));

  g_assert_true (gtk_widget_activate_action (root, "win.move-column", "(si)", f->columns[2], -1));
  g_assert_true (window_column_titles_are (f, "To Do|In Progress|Done|Review"));
  wait_outbox_sent (f);

  /* Deleting asks first; the answer deletes it everywhere. */
  g_assert_true (gtk_widget_activate_action (root, "win.delete-column", "s", f->columns[0]));
  {
    AdwMessageDialog *dialog = find_message_dialog ();

    g_assert_nonnull (dialog);
    g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Delete “To Do”?");
    adw_message_dialog_response (dialog, "delete");
    gtk_window_destroy (GTK_WINDOW (dialog));
  }
  g_assert_true (window_column_titles_are (f, "In Progress|Done|Review"));
  wait_outbox_sent (f);
  g_assert_true (server_column_titles_are (f, "In Progress|Done|Review"));
  TEST_WAIT_FOR (test_find_label (root, "To Do") == NULL);
}

/* Someone else renamed the column first: this window's rename is refused,
 * rolled back to their title, and a toast names the column. */
static void
test_live_column_rejected_toast (Fixture       *f,
                                 gconstpointer  data)
{
  GtkWidget *root = GTK_WIDGET (f->window);
  g_autofree char *path = g_strdup_printf ("/columns/%s", f->columns[0]);
  g_autofree char *op = g_uuid_string_random ();
  g_autofree char *body = g_strdup_printf ("{\"op\": \"%s\", \"base_version\": 1, \"title\": \"Backlog\"}", op);
  g_autoptr(JsonNode) reply = NULL;

  /* Not listening, so this window still has version 1 when it renames. */
  tack_session_stop (f->session);
  TEST_WAIT_FOR (indicator_says (f, "Offline"));
  reply = other_request (f, "PATCH", path, body);

  g_assert_true (gtk_widget_activate_action (root, "win.rename-column", "(ss)", f->columns[0], "Inbox"));
  g_assert_true (window_column_titles_are (f, "Inbox|Doing|Done"));

  TEST_WAIT_FOR (test_find_widget (root, test_is_label_containing,
                         "Column “Backlog” was changed by someone else; your change was undone") != NULL);
  g_assert_true (window_column_titles_are (f, "Backlog|Doing|Done"));
  g_assert_false (tack_column_get_pending (tack_store_lookup_column (tack_window_get_store (f->window),
                                                                   f->columns[0])));
  g_assert_true (server_column_titles_are (f, "Backlog|Doing|Done"));
}

static gboolean
presence_of (GListModel *presence,
             const char *user,
             const char *dragging)
{
  for (guint i = 0; i < g_list_model_get_n_items (presence); i++)
    {
      g_autoptr(TackPresence) item = g_list_model_get_item (presence, i);

      if (g_strcmp0 (tack_presence_get_user (item), user) == 0 &&
          g_strcmp0 (tack_presence_get_dragging (item), dragging) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Someone else drags a card: its row says so, and stops saying so when
 * they let go. */
static void
test_live_presence (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *id = other_create_card (f, 0, "Watched card");
  g_autoptr(TackSession) grace = tack_session_new (f->url, f->board_id, f->token, "Grace", NULL);
  TackConnection *connection = tack_session_get_connection (grace);
  GtkWidget *row;

  TEST_WAIT_FOR (card_shown (f, 0, "Watched card"));
  tack_session_start (grace);
  TEST_WAIT_FOR (tack_connection_get_state (connection) == TACK_CONNECTION_LIVE);

  tack_connection_set_dragging (connection, id);
  TEST_WAIT_FOR ((row = test_find_widget (GTK_WIDGET (f->window), test_is_card_row_for, id)) != NULL &&
            test_find_label (row, "Grace is moving this") != NULL);

  tack_connection_set_editing (connection, id);
  TEST_WAIT_FOR ((row = test_find_widget (GTK_WIDGET (f->window), test_is_card_row_for, id)) != NULL &&
            test_find_label (row, "Grace is editing this") != NULL);

  tack_connection_set_viewing (connection);
  TEST_WAIT_FOR ((row = test_find_widget (GTK_WIDGET (f->window), test_is_card_row_for, id)) != NULL &&
            test_find_widget (row, test_is_label_containing, "Grace") == NULL);

  /* And the other way: a drag in this window is published. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.set-dragging", "s", id));
  TEST_WAIT_FOR (presence_of (tack_connection_get_presence (connection), "Ada", id));

  tack_session_stop (grace);
}

/* A board the server refuses: the window says why and offers Retry. */
static void
test_live_failed (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(TackSession) session = tack_session_new (f->url, f->board_id, "not-the-token", "Ada", NULL);
  TackWindow *window;
  GtkWidget *page;
  GtkWidget *retry;

  window = g_object_new (TACK_TYPE_WINDOW, "session", session, NULL);
  gtk_window_present (GTK_WINDOW (window));
  tack_session_start (session);

  TEST_WAIT_FOR (g_str_has_prefix (tack_connection_indicator_get_text (window->indicator), "Failed: "));
  TEST_WAIT_FOR ((page = test_find_widget (GTK_WIDGET (window), test_is_label_with_text, "Cannot Open the Board")) != NULL);
  page = gtk_widget_get_ancestor (page, ADW_TYPE_STATUS_PAGE);
  g_assert_nonnull (page);
  g_assert_nonnull (test_find_label (page, tack_connection_get_reason (tack_session_get_connection (session))));
  retry = test_find_widget (page, test_is_button_for_action, "win.reconnect");
  g_assert_nonnull (retry);
  g_assert_true (gtk_widget_is_sensitive (retry));

  gtk_window_destroy (GTK_WINDOW (window));
  tack_session_stop (session);
}

/* The app's first launch: its embedded server, "My Board", live. */

typedef struct
{
  char     *title;
  gboolean  live;
  gboolean  columns;
  gboolean  db_exists;
  gboolean  timed_out;
  char     *journal_path;
  guint     inspect_id;
} AppRun;

static gboolean
inspect_app_cb (gpointer data)
{
  GtkApplication *app = data;
  AppRun *run = g_object_get_data (G_OBJECT (app), "run");
  GtkWindow *window = gtk_application_get_active_window (app);
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), "tack", "local-board.db", NULL);

  if (window == NULL ||
      g_strcmp0 (tack_connection_indicator_get_text (TACK_WINDOW (window)->indicator), "Live") != 0 ||
      test_find_label (GTK_WIDGET (window), "Done") == NULL)
    return G_SOURCE_CONTINUE;

  run->title = g_strdup (gtk_window_get_title (window));
  run->live = TRUE;
  run->columns = test_find_label (GTK_WIDGET (window), "To Do") != NULL &&
                 test_find_label (GTK_WIDGET (window), "Doing") != NULL;
  run->db_exists = g_file_test (db, G_FILE_TEST_EXISTS);
  g_object_get (tack_window_get_session (TACK_WINDOW (window)), "journal-path", &run->journal_path, NULL);
  g_assert_nonnull (tack_application_get_local_server (TACK_APPLICATION (app)));

  run->inspect_id = 0;
  g_application_quit (G_APPLICATION (app));

  return G_SOURCE_REMOVE;
}

static gboolean
app_timed_out_cb (gpointer data)
{
  AppRun *run = g_object_get_data (data, "run");

  run->timed_out = TRUE;
  g_application_quit (data);

  return G_SOURCE_REMOVE;
}

static void
run_local_app (AppRun *run)
{
  g_autoptr(TackApplication) app = tack_application_new ();
  char *argv[] = { (char *)"tack", NULL };
  guint timeout_id;
  int status;

  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_object_set_data (G_OBJECT (app), "run", run);
  timeout_id = g_timeout_add_seconds (TEST_WAIT_SECONDS, app_timed_out_cb, app);
  run->inspect_id = g_timeout_add (50, inspect_app_cb, app);

  status = g_application_run (G_APPLICATION (app), 1, argv);

  g_assert_false (run->timed_out);
  g_source_remove (timeout_id);
  g_clear_handle_id (&run->inspect_id, g_source_remove);
  g_assert_cmpint (status, ==, 0);

  {
    g_auto(GStrv) right = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "card.move-right");

    g_assert_nonnull (right);
    g_assert_nonnull (right[0]);
  }
}

/* The first start creates "My Board" on the embedded server; the second
 * finds the same board on a server listening on a new port, and the same
 * outbox journal, so edits left unsent by the first run would be sent. */
static void
test_app_local_board (void)
{
  AppRun first = { 0 };
  AppRun second = { 0 };

  run_local_app (&first);
  g_assert_cmpstr (first.title, ==, "My Board");
  g_assert_true (first.live);
  g_assert_true (first.columns);
  g_assert_true (first.db_exists);
  g_assert_nonnull (first.journal_path);

  run_local_app (&second);
  g_assert_cmpstr (second.title, ==, "My Board");
  g_assert_true (second.live);
  g_assert_true (second.columns);
  g_assert_cmpstr (second.journal_path, ==, first.journal_path);

  g_free (first.title);
  g_free (first.journal_path);
  g_free (second.title);
  g_free (second.journal_path);
}

/* `tack --server URL --board ID` with $TACK_TOKEN: the board opens live,
 * joins the recent boards, and the token is remembered, so the next start
 * needs no $TACK_TOKEN; the connect dialog lists the board. */

typedef struct
{
  Fixture  *f;
  gboolean  live;
  gboolean  dialog_lists_board;
  guint     inspect_id;
} RemoteRun;

static gboolean
has_recent (Fixture *f)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GVariant) recent = g_settings_get_value (settings, "recent-boards");
  const char *server, *board, *title;
  GVariantIter iter;

  g_variant_iter_init (&iter, recent);
  while (g_variant_iter_next (&iter, "(&s&s&s)", &server, &board, &title))
    if (g_strcmp0 (server, f->url) == 0 && g_strcmp0 (board, f->board_id) == 0 &&
        g_strcmp0 (title, "My Board") == 0)
      return TRUE;

  return FALSE;
}

static gboolean
inspect_remote_cb (gpointer data)
{
  GtkApplication *app = data;
  RemoteRun *run = g_object_get_data (G_OBJECT (app), "run");
  GtkWindow *window = NULL;
  GList *windows = gtk_application_get_windows (app);
  GListModel *toplevels;

  for (GList *l = windows; l != NULL; l = l->next)
    if (TACK_IS_WINDOW (l->data))
      window = l->data;

  if (window == NULL ||
      g_strcmp0 (tack_connection_indicator_get_text (TACK_WINDOW (window)->indicator), "Live") != 0 ||
      !has_recent (run->f))
    return G_SOURCE_CONTINUE;

  run->live = TRUE;
  g_assert_cmpstr (tack_session_get_base_url (tack_window_get_session (TACK_WINDOW (window))), ==, run->f->url);

  g_action_group_activate_action (G_ACTION_GROUP (app), "connect", NULL);
  toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (TACK_IS_CONNECT_DIALOG (toplevel))
        {
          run->dialog_lists_board =
            test_find_widget (GTK_WIDGET (toplevel), test_is_type, GSIZE_TO_POINTER (ADW_TYPE_ACTION_ROW)) != NULL &&
            test_find_widget (GTK_WIDGET (toplevel), test_is_label_with_text, run->f->url) != NULL;
          gtk_window_destroy (GTK_WINDOW (toplevel));
          break;
        }
    }

  run->inspect_id = 0;
  g_application_quit (G_APPLICATION (app));

  return G_SOURCE_REMOVE;
}

static void
run_remote_app (Fixture   *f,
                RemoteRun *run)
{
  g_autoptr(TackApplication) app = tack_application_new ();
  char *argv[] = { (char *)"tack", (char *)"--server", f->url, (char *)"--board", f->board_id, NULL };
  int status;

  run->f = f;
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_object_set_data (G_OBJECT (app), "run", run);
  run->inspect_id = g_timeout_add (50, inspect_remote_cb, app);

  status = g_application_run (G_APPLICATION (app), G_N_ELEMENTS (argv) - 1, argv);

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (run->inspect_id, ==, 0);
}

static void
test_app_remote_board (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  RemoteRun first = { 0 };
  RemoteRun second = { 0 };

  g_setenv ("TACK_TOKEN", f->token, TRUE);
  run_remote_app (f, &first);
  g_assert_true (first.live);
  g_assert_true (first.dialog_lists_board);
  g_assert_cmpstr (g_settings_get_string (settings, "server-url"), ==, f->url);

  /* The token was remembered: no $TACK_TOKEN needed now. */
  g_unsetenv ("TACK_TOKEN");
  run_remote_app (f, &second);
  g_assert_true (second.live);

  g_settings_reset (settings, "server-url");
  g_settings_reset (settings, "board-id");
  g_settings_reset (settings, "recent-boards");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = g_dir_make_tmp ("tack-ui-home-XXXXXX", NULL);
  int status;

  /* The user's directories are temporary ones, set before anything reads
   * them, so the app's local board and journals start empty. (Not
   * G_TEST_OPTION_ISOLATE_DIRS: it hides the system data directories too,
   * and with them the MIME database GTK needs to load SVG icons.) */
  g_assert_nonnull (home);
  for (guint i = 0; i < 4; i++)
    {
      static const char *vars[] = { "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME" };
      g_autofree char *dir = g_build_filename (home, vars[i], NULL);

      g_setenv (vars[i], dir, TRUE);
    }

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

#define ADD(path, func) \
  g_test_add ("/tack/ui/live/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("board", test_live_board);
  ADD ("remote-card", test_live_remote_card);
  ADD ("add-card-inline", test_live_add_card_inline);
  ADD ("keyboard-move", test_live_keyboard_move);
  ADD ("drag-move", test_live_drag_move);
  ADD ("reconnect", test_live_reconnect);
  ADD ("rejected-toast", test_live_rejected_toast);
  ADD ("preferences-transport", test_live_preferences_transport);
  ADD ("display-name", test_live_display_name);
  ADD ("delete-undo", test_live_delete_undo);
  ADD ("editor", test_live_editor);
  ADD ("columns", test_live_columns);
  ADD ("column-rejected-toast", test_live_column_rejected_toast);
  ADD ("presence", test_live_presence);
  ADD ("failed", test_live_failed);
  g_test_add_func ("/tack/ui/app/local-board", test_app_local_board);
  g_test_add ("/tack/ui/app/remote-board", Fixture, NULL, fixture_set_up, test_app_remote_board, fixture_tear_down);

  status = g_test_run ();
  remove_tree (home);

  return status;
}
