/* tack-test-net.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "tack-test-net.h"

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/* One main loop iteration, but never blocked for long: the caller checks
 * its deadline between iterations. */
void
test_wait_tick (void)
{
  GSource *source = g_timeout_source_new (100);

  g_source_set_callback (source, tick_cb, NULL, NULL);
  g_source_attach (source, NULL);
  g_main_context_iteration (NULL, TRUE);
  g_source_destroy (source);
  g_source_unref (source);
}

/* The server. */

typedef struct
{
  GDataInputStream *stdout_stream;
  GCancellable     *cancellable;
  char             *listening;
  gboolean          eof;
} ServerOutput;

static void
drain_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  ServerOutput *output = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                    NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (line == NULL)
    {
      output->eof = TRUE;
      return;
    }

  if (output->listening == NULL && strstr (line, "Listening on "))
    output->listening = g_strdup (strstr (line, "Listening on ") + strlen ("Listening on "));

  g_data_input_stream_read_line_async (output->stdout_stream, G_PRIORITY_DEFAULT,
                                       output->cancellable, drain_cb, output);
}

static GHashTable *outputs;

static void
spawn (TestServer *server)
{
  const char *exe = g_getenv ("TACK_SERVER_PATH");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  ServerOutput *output;
  char *colon;

  g_assert_nonnull (exe);

  g_ptr_array_add (argv, g_strdup (exe));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1:0"));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_strdup (server->db_path));
  if (server->retention > 0)
    {
      g_ptr_array_add (argv, g_strdup ("--retention"));
      g_ptr_array_add (argv, g_strdup_printf ("%u", server->retention));
    }
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_setenv (launcher, "TACK_ADMIN_TOKEN", server->admin_token, TRUE);
  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata,
                                                  &error);
  g_assert_no_error (error);

  if (outputs == NULL)
    outputs = g_hash_table_new (NULL, NULL);

  output = g_new0 (ServerOutput, 1);
  output->cancellable = g_cancellable_new ();
  output->stdout_stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  g_hash_table_insert (outputs, server, output);
  g_data_input_stream_read_line_async (output->stdout_stream, G_PRIORITY_DEFAULT,
                                       output->cancellable, drain_cb, output);

  TEST_WAIT_FOR (output->listening != NULL || output->eof);
  g_assert_nonnull (output->listening);

  g_free (server->url);
  server->url = g_strdup (g_strstrip (output->listening));
  colon = strrchr (server->url, ':');
  g_assert_nonnull (colon);
  server->port = (guint16)g_ascii_strtoull (colon + 1, NULL, 10);
  g_assert_cmpuint (server->port, >, 0);
}

TestServer *
test_server_start (guint retention)
{
  TestServer *server = g_new0 (TestServer, 1);
  g_autoptr(GError) error = NULL;

  server->dir = g_dir_make_tmp ("tack-net-test-XXXXXX", &error);
  g_assert_no_error (error);
  server->db_path = g_build_filename (server->dir, "board.db", NULL);
  server->admin_token = g_strdup ("test-admin-token");
  server->retention = retention;

  spawn (server);

  return server;
}

void
test_server_kill (TestServer *server)
{
  ServerOutput *output;

  if (server->process == NULL)
    return;

  if ((output = g_hash_table_lookup (outputs, server)))
    {
      g_hash_table_remove (outputs, server);
      g_cancellable_cancel (output->cancellable);
      g_clear_object (&output->cancellable);
      g_clear_object (&output->stdout_stream);
      g_free (output->listening);
      g_free (output);
    }

  g_subprocess_force_exit (server->process);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->process);
}

void
test_server_respawn (TestServer *server)
{
  test_server_kill (server);
  spawn (server);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }

  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }

  g_rmdir (path);
}

void
test_server_free (TestServer *server)
{
  test_server_kill (server);
  remove_tree (server->dir);
  g_free (server->dir);
  g_free (server->db_path);
  g_free (server->url);
  g_free (server->admin_token);
  g_free (server);
}

/* Synchronous calls. */

typedef struct
{
  GAsyncResult *result;
} Waiter;

static void
waiter_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
}

JsonNode *
test_api_call (TackApi     *api,
               const char  *method,
               const char  *path,
               const char  *query,
               const char  *json_body,
               GError     **error)
{
  g_autoptr(JsonNode) body = NULL;
  Waiter waiter = { 0 };
  JsonNode *answer;

  if (json_body != NULL)
    {
      body = json_from_string (json_body, NULL);
      g_assert_nonnull (body);
    }

  tack_api_request_async (api, method, path, query, body, NULL, waiter_cb, &waiter);
  TEST_WAIT_FOR (waiter.result != NULL);

  answer = tack_api_request_finish (api, waiter.result, error);
  g_object_unref (waiter.result);

  return answer;
}

TackApi *
test_api_new (const char *url,
              TestBoard  *board)
{
  return tack_api_new (url, board->id, board->token);
}

TestBoard *
test_board_create (TestServer *server)
{
  g_autoptr(TackApi) admin = tack_api_new (server->url, NULL, server->admin_token);
  g_autoptr(TackApi) api = NULL;
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(GError) error = NULL;
  TestBoard *board = g_new0 (TestBoard, 1);
  JsonObject *object;

  created = test_api_call (admin, "POST", "/api/v1/boards", NULL, "{\"title\": \"Test board\"}", &error);
  g_assert_no_error (error);
  object = json_node_get_object (created);
  board->token = g_strdup (json_object_get_string_member (object, "token"));
  board->id = g_strdup (json_object_get_string_member (json_object_get_object_member (object, "board"), "id"));

  api = test_api_new (server->url, board);
  for (guint i = 0; i < G_N_ELEMENTS (board->columns); i++)
    {
      g_autoptr(JsonNode) column = NULL;
      g_autofree char *body = NULL;
      g_autofree char *op = g_uuid_string_random ();

      body = g_strdup_printf ("{\"op\": \"%s\", \"title\": \"Column %u\", \"after\": %s%s%s}",
                              op, i, i ? "\"" : "", i ? board->columns[i - 1] : "null", i ? "\"" : "");
      column = test_api_call (api, "POST", "/columns", NULL, body, &error);
      g_assert_no_error (error);
      board->columns[i] = g_strdup (json_object_get_string_member (
        json_object_get_object_member (json_node_get_object (column), "column"), "id"));
    }

  return board;
}

void
test_board_free (TestBoard *board)
{
  g_free (board->id);
  g_free (board->token);
  for (guint i = 0; i < G_N_ELEMENTS (board->columns); i++)
    g_free (board->columns[i]);
  g_free (board);
}

char *
test_create_card (TackApi    *api,
                  const char *column,
                  const char *title)
{
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *op = g_uuid_string_random ();
  g_autofree char *body = NULL;

  body = g_strdup_printf ("{\"op\": \"%s\", \"column\": \"%s\", \"title\": \"%s\", \"after\": null}",
                          op, column, title);
  answer = test_api_call (api, "POST", "/cards", NULL, body, &error);
  g_assert_no_error (error);

  return g_strdup (json_object_get_string_member (
    json_object_get_object_member (json_node_get_object (answer), "card"), "id"));
}

JsonNode *
test_snapshot (TackApi *api)
{
  g_autoptr(GError) error = NULL;
  JsonNode *snapshot = test_api_call (api, "GET", "", NULL, NULL, &error);

  g_assert_no_error (error);
  return snapshot;
}

/* Every event the server still has, through the polling endpoint. */
GPtrArray *
test_all_events (TackApi *api)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  gint64 since = 0;
  gboolean more = TRUE;

  while (more)
    {
      g_autoptr(JsonNode) answer = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *query = g_strdup_printf ("since=%" G_GINT64_FORMAT, since);
      JsonObject *object;
      JsonArray *array;

      answer = test_api_call (api, "GET", "/events", query, NULL, &error);
      g_assert_no_error (error);
      object = json_node_get_object (answer);
      g_assert_false (json_object_get_boolean_member_with_default (object, "reset", FALSE));

      array = json_object_get_array_member (object, "events");
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *event = json_array_get_element (array, i);

          since = json_object_get_int_member (json_node_get_object (event), "seq");
          g_ptr_array_add (events, json_node_copy (event));
        }

      more = json_object_get_boolean_member_with_default (object, "more", FALSE) &&
             json_array_get_length (array) > 0;
    }

  return events;
}

guint
test_count_op (TackApi    *api,
               const char *op)
{
  g_autoptr(GPtrArray) events = test_all_events (api);
  guint n = 0;

  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = json_node_get_object (g_ptr_array_index (events, i));

      if (g_strcmp0 (json_object_get_string_member_with_default (event, "op", NULL), op) == 0)
        n++;
    }

  return n;
}

/* Clients. */

static void
on_state (TackConnection *connection,
          GParamSpec     *pspec,
          TestClient     *client)
{
  TackConnectionState state = tack_connection_get_state (connection);

  g_debug ("test client: state %d", state);
  g_array_append_val (client->states, state);
}

static void
on_retry (TackConnection *connection,
          guint           attempt,
          gint64          delay,
          gint64          ceiling,
          TestClient     *client)
{
  g_array_append_val (client->delays, delay);
  g_array_append_val (client->ceilings, ceiling);
}

TestClient *
test_client_new (const char *url,
                 TestBoard  *board,
                 const char *journal_path)
{
  return test_client_new_as (url, board, journal_path, NULL);
}

TestClient *
test_client_new_as (const char *url,
                    TestBoard  *board,
                    const char *journal_path,
                    const char *user)
{
  TestClient *client = g_new0 (TestClient, 1);

  client->api = g_object_new (TACK_TYPE_API,
                              "base-url", url,
                              "board-id", board->id,
                              "token", board->token,
                              "user", user,
                              NULL);
  client->store = tack_store_new ();
  tack_store_set_fetcher (client->store, TACK_FETCHER (client->api));
  client->dispatcher = tack_dispatcher_new (client->store, client->api);
  client->connection = tack_connection_new (client->api, client->dispatcher);
  client->states = g_array_new (FALSE, FALSE, sizeof (TackConnectionState));
  client->delays = g_array_new (FALSE, FALSE, sizeof (gint64));
  client->ceilings = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_signal_connect (client->connection, "notify::state", G_CALLBACK (on_state), client);
  g_signal_connect (client->connection, "retry-scheduled", G_CALLBACK (on_retry), client);

  if (journal_path != NULL)
    {
      client->outbox = tack_outbox_new (client->store, client->api, journal_path);
      tack_outbox_set_connection (client->outbox, client->connection);
      g_object_set (client->outbox, "backoff-base", 50, "backoff-cap", 200, NULL);
    }

  return client;
}

void
test_client_free (TestClient *client)
{
  g_signal_handlers_disconnect_by_data (client->connection, client);
  tack_connection_stop (client->connection);
  g_clear_object (&client->outbox);
  g_clear_object (&client->connection);
  g_clear_object (&client->dispatcher);
  g_clear_object (&client->store);
  g_clear_object (&client->api);
  g_array_unref (client->states);
  g_array_unref (client->delays);
  g_array_unref (client->ceilings);
  g_free (client);
}

gboolean
test_client_saw (TestClient          *client,
                 TackConnectionState  state)
{
  for (guint i = 0; i < client->states->len; i++)
    if (g_array_index (client->states, TackConnectionState, i) == state)
      return TRUE;

  return FALSE;
}

static char *
states_to_string (const TackConnectionState *states,
                  guint                      n)
{
  GEnumClass *klass = g_type_class_ref (TACK_TYPE_CONNECTION_STATE);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s%s", i ? " → " : "",
                            g_enum_get_value (klass, states[i])->value_nick);
  g_type_class_unref (klass);

  return g_string_free (text, FALSE);
}

/* The recorded notify::state sequence holds @expected in this order,
 * each a state change (other changes may come in between, such as a
 * second failed attempt). */
void
test_client_assert_seen_in_order (TestClient                *client,
                                  const TackConnectionState *expected,
                                  guint                      n_expected)
{
  guint j = 0;

  for (guint i = 0; i < client->states->len && j < n_expected; i++)
    if (g_array_index (client->states, TackConnectionState, i) == expected[j])
      j++;

  if (j < n_expected)
    {
      g_autofree char *want = states_to_string (expected, n_expected);
      g_autofree char *got = states_to_string ((TackConnectionState *)client->states->data,
                                               client->states->len);

      g_error ("Expected the states %s in order, got %s", want, got);
    }
}

/* Canonical dumps. */

static void
dump_strv (GString            *out,
           const char * const *strv)
{
  g_string_append_c (out, '[');
  for (guint i = 0; strv && strv[i]; i++)
    g_string_append_printf (out, "%s%s", i ? "," : "", strv[i]);
  g_string_append_c (out, ']');
}

char *
test_dump_store (TackStore *store)
{
  TackBoard *board = tack_store_get_board (store);
  GListModel *columns = tack_board_get_columns (board);
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "board %s %s v%" G_GINT64_FORMAT "\n",
                          tack_board_get_id (board), tack_board_get_title (board),
                          tack_board_get_version (board));

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(TackColumn) column = g_list_model_get_item (columns, i);
      GListModel *cards = tack_column_get_cards (column);

      g_string_append_printf (out, "column %s %s %s v%" G_GINT64_FORMAT "\n",
                              tack_column_get_id (column), tack_column_get_title (column),
                              tack_column_get_position (column), tack_column_get_version (column));

      for (guint j = 0; j < g_list_model_get_n_items (cards); j++)
        {
          g_autoptr(TackCard) card = g_list_model_get_item (cards, j);

          g_string_append_printf (out, "  card %s col=%s title=%s desc=%s pos=%s due=%s v%" G_GINT64_FORMAT " labels=",
                                  tack_card_get_id (card), tack_card_get_column_id (card),
                                  tack_card_get_title (card), tack_card_get_description (card),
                                  tack_card_get_position (card), tack_card_get_due (card),
                                  tack_card_get_version (card));
          dump_strv (out, tack_card_get_labels (card));
          g_string_append (out, " assignees=");
          dump_strv (out, tack_card_get_assignees (card));
          g_string_append_printf (out, " pending=%d\n", tack_card_get_pending (card));
        }
    }

  return g_string_free (out, FALSE);
}

char *
test_dump_snapshot (JsonNode *snapshot)
{
  g_autoptr(TackStore) store = tack_store_new ();
  g_autoptr(GError) error = NULL;

  tack_store_load_snapshot (store, snapshot, &error);
  g_assert_no_error (error);

  return test_dump_store (store);
}

void
test_assert_store_matches_server (TackStore *store,
                                  TackApi   *api)
{
  g_autoptr(JsonNode) snapshot = test_snapshot (api);
  g_autofree char *mine = test_dump_store (store);
  g_autofree char *theirs = test_dump_snapshot (snapshot);

  g_assert_cmpstr (mine, ==, theirs);
  g_assert_cmpint (tack_board_get_seq (tack_store_get_board (store)), ==,
                   json_object_get_int_member (json_node_get_object (snapshot), "seq"));
}

/* A network monitor the tests switch by hand. */

struct _TestNetworkMonitor
{
  GObject  parent_instance;
  gboolean available;
};

enum {
  MONITOR_PROP_0,
  MONITOR_PROP_AVAILABLE,
  MONITOR_PROP_METERED,
  MONITOR_PROP_CONNECTIVITY,
};

static void test_network_monitor_iface_init  (GNetworkMonitorInterface *iface);
static void test_network_monitor_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestNetworkMonitor, test_network_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      test_network_monitor_initable_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR,
                                                      test_network_monitor_iface_init))

static gboolean
test_network_monitor_initable (GInitable     *initable,
                               GCancellable  *cancellable,
                               GError       **error)
{
  return TRUE;
}

static void
test_network_monitor_initable_init (GInitableIface *iface)
{
  iface->init = test_network_monitor_initable;
}

static gboolean
test_network_monitor_can_reach (GNetworkMonitor     *monitor,
                                GSocketConnectable  *connectable,
                                GCancellable        *cancellable,
                                GError             **error)
{
  return TEST_NETWORK_MONITOR (monitor)->available;
}

static void
test_network_monitor_iface_init (GNetworkMonitorInterface *iface)
{
  iface->can_reach = test_network_monitor_can_reach;
}

static void
test_network_monitor_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TestNetworkMonitor *self = TEST_NETWORK_MONITOR (object);

  switch (prop_id)
    {
    case MONITOR_PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;

    case MONITOR_PROP_METERED:
      g_value_set_boolean (value, FALSE);
      break;

    case MONITOR_PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL
                                               : G_NETWORK_CONNECTIVITY_LOCAL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_network_monitor_class_init (TestNetworkMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_network_monitor_get_property;

  g_object_class_override_property (object_class, MONITOR_PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, MONITOR_PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, MONITOR_PROP_CONNECTIVITY, "connectivity");
}

static void
test_network_monitor_init (TestNetworkMonitor *self)
{
  self->available = TRUE;
}

TestNetworkMonitor *
test_network_monitor_new (void)
{
  return g_object_new (TEST_TYPE_NETWORK_MONITOR, NULL);
}

void
test_network_monitor_set_available (TestNetworkMonitor *self,
                                    gboolean            available)
{
  self->available = available;
  g_object_notify (G_OBJECT (self), "network-available");
  g_signal_emit_by_name (self, "network-changed", available);
}
