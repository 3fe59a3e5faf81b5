/* test-outbox.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Local edits through the outbox against a real tack-server: offline
 * edits survive a restart and land exactly once, a conflicting edit is
 * rolled back with the server's reason, and edits of a card created here
 * follow its creation. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "test-proxy.h"
#include "tack-test-net.h"

typedef struct
{
  TestServer *server;
  TestBoard  *board;
  TestProxy  *proxy;
  char       *url;
  char       *dir;
  char       *journal;
  TackApi    *direct;
} Fixture;

static void
fixture_setup (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->server = test_server_start (0);
  f->board = test_board_create (f->server);
  f->proxy = test_proxy_new (f->server->port);
  f->url = test_proxy_get_url (f->proxy);
  f->direct = test_api_new (f->server->url, f->board);
  f->dir = g_dir_make_tmp ("tack-outbox-XXXXXX", &error);
  g_assert_no_error (error);
  f->journal = g_build_filename (f->dir, "state", "outbox.jsonl", NULL);
}

static void
fixture_teardown (Fixture *f)
{
  g_autofree char *state = g_path_get_dirname (f->journal);

  g_unlink (f->journal);
  g_rmdir (state);
  g_rmdir (f->dir);
  g_free (f->journal);
  g_free (f->dir);
  g_clear_object (&f->direct);
  test_proxy_free (f->proxy);
  g_free (f->url);
  test_board_free (f->board);
  test_server_free (f->server);
}

static TestClient *
client_new (Fixture *f)
{
  TestClient *client = test_client_new (f->url, f->board, f->journal);

  g_object_set (client->connection, "backoff-base", 20, "backoff-cap", 200, NULL);

  return client;
}

static guint
journal_lines (Fixture *f)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  if (!g_file_get_contents (f->journal, &contents, NULL, NULL))
    return 0;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i] != '\0')
      n++;

  return n;
}

static void
on_queued (TackOutbox *outbox,
           const char *op,
           const char *card_id,
           GPtrArray  *ops)
{
  g_ptr_array_add (ops, g_strdup (op));
}

static JsonObject *
server_card (JsonNode   *snapshot,
             const char *title)
{
  JsonArray *cards = json_object_get_array_member (json_node_get_object (snapshot), "cards");

  for (guint i = 0; i < json_array_get_length (cards); i++)
    {
      JsonObject *card = json_array_get_object_element (cards, i);

      if (g_strcmp0 (json_object_get_string_member (card, "title"), title) == 0)
        return card;
    }

  return NULL;
}

static guint
count_titled (JsonNode   *snapshot,
              const char *title)
{
  JsonArray *cards = json_object_get_array_member (json_node_get_object (snapshot), "cards");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (cards); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (cards, i), "title"),
                   title) == 0)
      n++;

  return n;
}

/* Edits made while the server is unreachable are kept on disk; the app
 * goes away; a new one replays them, and each lands exactly once. */
static void
test_outbox_offline_restart (void)
{
  Fixture f = { 0 };
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) fields2 = json_object_new ();
  g_autoptr(JsonNode) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *existing = NULL;
  g_autofree char *created = NULL;
  TestClient *client;
  JsonObject *card;

  fixture_setup (&f);
  existing = test_create_card (f.direct, f.board->columns[0], "Existing");

  client = client_new (&f);
  g_signal_connect (client->outbox, "queued", G_CALLBACK (on_queued), ops);
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE &&
                 tack_outbox_get_restored (client->outbox));

  /* Offline. */
  test_proxy_set_down (f.proxy, TRUE);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) != TACK_CONNECTION_LIVE);

  json_object_set_string_member (fields, "title", "Existing, edited offline");
  g_free (tack_outbox_edit_card (client->outbox, existing, fields, &error));
  g_assert_no_error (error);
  g_free (tack_outbox_move_card (client->outbox, existing, f.board->columns[1], NULL, &error));
  g_assert_no_error (error);
  created = tack_outbox_create_card (client->outbox, f.board->columns[0], "Made offline", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (created, "local:"));
  json_object_set_string_member (fields2, "description", "Described offline");
  g_free (tack_outbox_edit_card (client->outbox, created, fields2, &error));
  g_assert_no_error (error);

  /* Shown at once, pending. */
  g_assert_cmpstr (tack_card_get_title (tack_store_lookup_card (client->store, existing)), ==,
                   "Existing, edited offline");
  g_assert_true (tack_card_get_pending (tack_store_lookup_card (client->store, created)));
  g_assert_cmpuint (tack_outbox_get_n_pending (client->outbox), ==, 4);
  g_assert_cmpuint (ops->len, ==, 4);

  /* On disk, then the app goes away. */
  TEST_WAIT_FOR (journal_lines (&f) == 4);
  test_client_free (client);

  /* The server is reachable again; a new app starts from the journal. */
  test_proxy_set_down (f.proxy, FALSE);
  client = client_new (&f);
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_outbox_get_restored (client->outbox));
  TEST_WAIT_FOR (tack_outbox_get_n_pending (client->outbox) == 0 &&
                 tack_store_get_n_pending (client->store) == 0 &&
                 tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);
  TEST_WAIT_FOR (journal_lines (&f) == 0);

  /* Each edit is on the server exactly once. */
  for (guint i = 0; i < ops->len; i++)
    g_assert_cmpuint (test_count_op (f.direct, g_ptr_array_index (ops, i)), ==, 1);

  snapshot = test_snapshot (f.direct);
  g_assert_cmpuint (count_titled (snapshot, "Made offline"), ==, 1);
  card = server_card (snapshot, "Made offline");
  g_assert_cmpstr (json_object_get_string_member (card, "description"), ==, "Described offline");
  card = server_card (snapshot, "Existing, edited offline");
  g_assert_nonnull (card);
  g_assert_cmpstr (json_object_get_string_member (card, "column"), ==, f.board->columns[1]);

  TEST_WAIT_FOR (tack_dispatcher_get_seq (client->dispatcher) ==
                 json_object_get_int_member (json_node_get_object (snapshot), "seq"));
  test_assert_store_matches_server (client->store, f.direct);

  test_client_free (client);
  fixture_teardown (&f);
}

typedef struct
{
  char   *op;
  char   *card_id;
  GError *error;
} Rejection;

static void
on_rejected (TackOutbox   *outbox,
             const char   *op,
             const char   *card_id,
             const GError *error,
             Rejection    *rejection)
{
  rejection->op = g_strdup (op);
  rejection->card_id = g_strdup (card_id);
  rejection->error = g_error_copy (error);
}

static void
rejection_free (Rejection *rejection)
{
  g_free (rejection->op);
  g_free (rejection->card_id);
  g_clear_error (&rejection->error);
  g_free (rejection);
}

static void
on_rejected_all (TackOutbox   *outbox,
                 const char   *op,
                 const char   *id,
                 const GError *error,
                 GPtrArray    *rejections)
{
  Rejection *rejection = g_new0 (Rejection, 1);

  rejection->op = g_strdup (op);
  rejection->card_id = g_strdup (id);
  rejection->error = g_error_copy (error);
  g_ptr_array_add (rejections, rejection);
}

/* Two clients change the same field: the one who saved last gets a 409,
 * sees the other's value, and is told why. */
static void
test_outbox_conflict (void)
{
  Fixture f = { 0 };
  Rejection rejection = { 0 };
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) theirs = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *card_id = NULL;
  g_autofree char *op = NULL;
  g_autofree char *other_op = NULL;
  g_autofree char *bob_journal = NULL;
  TestClient *client;
  TestClient *bob;
  TackCard *card;

  fixture_setup (&f);
  card_id = test_create_card (f.direct, f.board->columns[0], "Shared");

  client = client_new (&f);
  g_signal_connect (client->outbox, "rejected", G_CALLBACK (on_rejected), &rejection);
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE &&
                 tack_outbox_get_restored (client->outbox));
  card = tack_store_lookup_card (client->store, card_id);

  /* Our edit is held back (offline) while someone else saves first. */
  test_proxy_set_down (f.proxy, TRUE);
  json_object_set_string_member (fields, "title", "Mine");
  op = tack_outbox_edit_card (client->outbox, card_id, fields, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tack_card_get_title (card), ==, "Mine");

  /* Bob, another client with his own outbox, renames it first. */
  bob_journal = g_build_filename (f.dir, "bob.jsonl", NULL);
  bob = test_client_new_as (f.server->url, f.board, bob_journal, "bob");
  tack_connection_start (bob->connection);
  TEST_WAIT_FOR (tack_connection_get_state (bob->connection) == TACK_CONNECTION_LIVE &&
                 tack_outbox_get_restored (bob->outbox));
  json_object_set_string_member (theirs, "title", "Theirs");
  other_op = tack_outbox_edit_card (bob->outbox, card_id, theirs, &error);
  g_assert_no_error (error);
  TEST_WAIT_FOR (tack_outbox_get_n_pending (bob->outbox) == 0);
  g_assert_cmpuint (test_count_op (f.direct, other_op), ==, 1);

  test_proxy_set_down (f.proxy, FALSE);
  tack_connection_reconnect_now (client->connection);
  tack_outbox_flush (client->outbox);

  TEST_WAIT_FOR (rejection.error != NULL);
  g_assert_error (rejection.error, TACK_API_ERROR, TACK_API_ERROR_CONFLICT);
  g_assert_cmpstr (rejection.op, ==, op);
  g_assert_cmpstr (rejection.card_id, ==, card_id);

  /* Rolled back to the server's value; nothing pending. */
  TEST_WAIT_FOR (g_strcmp0 (tack_card_get_title (card), "Theirs") == 0);
  g_assert_false (tack_card_get_pending (card));
  g_assert_cmpuint (tack_outbox_get_n_pending (client->outbox), ==, 0);
  g_assert_cmpuint (test_count_op (f.direct, op), ==, 0);

  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);
  TEST_WAIT_FOR (tack_card_get_state (card) == TACK_ENTRY_FRESH);
  test_assert_store_matches_server (client->store, f.direct);

  /* Both clients agree with the server. */
  TEST_WAIT_FOR (tack_dispatcher_get_seq (bob->dispatcher) == tack_dispatcher_get_seq (client->dispatcher));
  TEST_WAIT_FOR (tack_card_get_state (tack_store_lookup_card (bob->store, card_id)) == TACK_ENTRY_FRESH);
  test_assert_store_matches_server (bob->store, f.direct);

  g_free (rejection.op);
  g_free (rejection.card_id);
  g_clear_error (&rejection.error);
  test_client_free (bob);
  g_unlink (bob_journal);
  test_client_free (client);
  fixture_teardown (&f);
}

/* Online: a card created here and edited before the server answered the
 * creation; the edit goes out under the server's id. */
static void
test_outbox_create_then_edit (void)
{
  Fixture f = { 0 };
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonNode) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *local_id = NULL;
  g_autofree char *op = NULL;
  TestClient *client;
  TackCard *card;

  fixture_setup (&f);
  client = client_new (&f);
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE &&
                 tack_outbox_get_restored (client->outbox));

  local_id = tack_outbox_create_card (client->outbox, f.board->columns[1], "Fresh", NULL, &error);
  g_assert_no_error (error);
  card = tack_store_lookup_card (client->store, local_id);
  g_assert_nonnull (card);
  g_object_ref (card);

  json_object_set_string_member (fields, "title", "Fresh, renamed");
  op = tack_outbox_edit_card (client->outbox, local_id, fields, &error);
  g_assert_no_error (error);

  TEST_WAIT_FOR (tack_outbox_get_n_pending (client->outbox) == 0 &&
                 tack_store_get_n_pending (client->store) == 0);

  /* The same object, now under the server's id. */
  g_assert_false (g_str_has_prefix (tack_card_get_id (card), "local:"));
  g_assert_true (tack_store_lookup_card (client->store, tack_card_get_id (card)) == card);
  g_assert_cmpstr (tack_card_get_title (card), ==, "Fresh, renamed");

  snapshot = test_snapshot (f.direct);
  g_assert_cmpuint (count_titled (snapshot, "Fresh, renamed"), ==, 1);
  g_assert_cmpuint (count_titled (snapshot, "Fresh"), ==, 0);
  g_assert_cmpuint (test_count_op (f.direct, op), ==, 1);

  TEST_WAIT_FOR (tack_dispatcher_get_seq (client->dispatcher) ==
                 json_object_get_int_member (json_node_get_object (snapshot), "seq"));
  test_assert_store_matches_server (client->store, f.direct);

  g_object_unref (card);
  test_client_free (client);
  fixture_teardown (&f);
}

/* Column titles on the server, in board order, joined by "|". */
static char *
server_column_titles (JsonNode *snapshot)
{
  JsonArray *columns = json_object_get_array_member (json_node_get_object (snapshot), "columns");
  GString *titles = g_string_new (NULL);

  /* The snapshot lists columns in board order (docs/protocol.md). */
  for (guint i = 0; i < json_array_get_length (columns); i++)
    g_string_append_printf (titles, "%s%s", i ? "|" : "",
                            json_object_get_string_member (json_array_get_object_element (columns, i),
                                                           "title"));

  return g_string_free (titles, FALSE);
}

static char *
store_column_titles (TackStore *store)
{
  GListModel *columns = tack_board_get_columns (tack_store_get_board (store));
  GString *titles = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(TackColumn) column = g_list_model_get_item (columns, i);

      g_string_append_printf (titles, "%s%s", i ? "|" : "", tack_column_get_title (column));
    }

  return g_string_free (titles, FALSE);
}

static JsonObject *
server_column (JsonNode   *snapshot,
               const char *title)
{
  JsonArray *columns = json_object_get_array_member (json_node_get_object (snapshot), "columns");

  for (guint i = 0; i < json_array_get_length (columns); i++)
    {
      JsonObject *column = json_array_get_object_element (columns, i);

      if (g_strcmp0 (json_object_get_string_member (column, "title"), title) == 0)
        return column;
    }

  return NULL;
}

/* Column edits made offline are shown at once, kept on disk across a
 * restart, and land exactly once; a card created in a new column follows
 * the column to the server's id. */
static void
test_outbox_columns_offline_restart (void)
{
  Fixture f = { 0 };
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonNode) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *column_id = NULL;
  g_autofree char *card_id = NULL;
  g_autofree char *titles = NULL;
  TestClient *client;
  TackColumn *column;
  JsonObject *review;
  JsonObject *card;

  fixture_setup (&f);
  client = client_new (&f);
  g_signal_connect (client->outbox, "queued", G_CALLBACK (on_queued), ops);
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE &&
                 tack_outbox_get_restored (client->outbox));

  test_proxy_set_down (f.proxy, TRUE);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) != TACK_CONNECTION_LIVE);

  column_id = tack_outbox_create_column (client->outbox, "Review", f.board->columns[1], &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (column_id, "local:"));
  card_id = tack_outbox_create_card (client->outbox, column_id, "Check the docs", NULL, &error);
  g_assert_no_error (error);
  json_object_set_string_member (fields, "title", "Backlog");
  g_free (tack_outbox_edit_column (client->outbox, f.board->columns[0], fields, &error));
  g_assert_no_error (error);
  g_free (tack_outbox_move_column (client->outbox, f.board->columns[1], NULL, &error));
  g_assert_no_error (error);

  /* Shown at once, pending. */
  column = tack_store_lookup_column (client->store, column_id);
  g_assert_nonnull (column);
  g_assert_true (tack_column_get_pending (column));
  g_assert_cmpuint (tack_column_get_n_cards (column), ==, 1);
  titles = store_column_titles (client->store);
  g_assert_cmpstr (titles, ==, "Column 1|Backlog|Review");
  g_clear_pointer (&titles, g_free);
  g_assert_cmpuint (tack_outbox_get_n_pending (client->outbox), ==, 4);
  g_assert_cmpuint (ops->len, ==, 4);

  TEST_WAIT_FOR (journal_lines (&f) == 4);
  test_client_free (client);

  test_proxy_set_down (f.proxy, FALSE);
  client = client_new (&f);
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_outbox_get_restored (client->outbox));
  TEST_WAIT_FOR (tack_outbox_get_n_pending (client->outbox) == 0 &&
                 tack_store_get_n_pending (client->store) == 0 &&
                 tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);
  TEST_WAIT_FOR (journal_lines (&f) == 0);

  for (guint i = 0; i < ops->len; i++)
    g_assert_cmpuint (test_count_op (f.direct, g_ptr_array_index (ops, i)), ==, 1);

  snapshot = test_snapshot (f.direct);
  titles = server_column_titles (snapshot);
  g_assert_cmpstr (titles, ==, "Column 1|Backlog|Review");
  review = server_column (snapshot, "Review");
  g_assert_nonnull (review);
  card = server_card (snapshot, "Check the docs");
  g_assert_nonnull (card);
  g_assert_cmpstr (json_object_get_string_member (card, "column"), ==,
                   json_object_get_string_member (review, "id"));

  TEST_WAIT_FOR (tack_dispatcher_get_seq (client->dispatcher) ==
                 json_object_get_int_member (json_node_get_object (snapshot), "seq"));
  test_assert_store_matches_server (client->store, f.direct);

  test_client_free (client);
  fixture_teardown (&f);
}

/* A journal written before column edits existed (one card edit per line,
 * "card" always present) still loads, and its edit lands once. */
static void
test_outbox_old_journal (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) snapshot = NULL;
  g_autofree char *card_id = NULL;
  g_autofree char *state = NULL;
  g_autofree char *line = NULL;
  TestClient *client;

  fixture_setup (&f);
  card_id = test_create_card (f.direct, f.board->columns[0], "Old");

  state = g_path_get_dirname (f.journal);
  g_assert_cmpint (g_mkdir_with_parents (state, 0700), ==, 0);
  line = g_strdup_printf ("{\"op\":\"old-journal-op\",\"kind\":\"edit\",\"card\":\"%s\","
                          "\"fields\":{\"title\":\"Edited before the upgrade\"},\"base_version\":1}\n",
                          card_id);
  g_file_set_contents (f.journal, line, -1, &error);
  g_assert_no_error (error);

  client = client_new (&f);
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_outbox_get_restored (client->outbox));
  TEST_WAIT_FOR (tack_outbox_get_n_pending (client->outbox) == 0 &&
                 tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);

  g_assert_cmpuint (test_count_op (f.direct, "old-journal-op"), ==, 1);
  snapshot = test_snapshot (f.direct);
  g_assert_nonnull (server_card (snapshot, "Edited before the upgrade"));
  TEST_WAIT_FOR (g_strcmp0 (tack_card_get_title (tack_store_lookup_card (client->store, card_id)),
                            "Edited before the upgrade") == 0);

  test_client_free (client);
  fixture_teardown (&f);
}

/* Someone else renamed the column first: 409, rolled back to their title,
 * and ::rejected::column says which column and why. A creation the server
 * refuses (400) takes the card made in it along. */
static void
test_outbox_column_rejected (void)
{
  Fixture f = { 0 };
  g_autoptr(GPtrArray) rejections = g_ptr_array_new_with_free_func ((GDestroyNotify)rejection_free);
  g_autoptr(GPtrArray) card_rejections = g_ptr_array_new_with_free_func ((GDestroyNotify)rejection_free);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *op = NULL;
  g_autofree char *other_op = g_uuid_string_random ();
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  g_autofree char *long_title = NULL;
  g_autofree char *column_id = NULL;
  g_autofree char *card_id = NULL;
  Rejection *rejection;
  TestClient *client;
  TackColumn *column;

  fixture_setup (&f);
  client = client_new (&f);
  g_signal_connect (client->outbox, "rejected::column", G_CALLBACK (on_rejected_all), rejections);
  g_signal_connect (client->outbox, "rejected::card", G_CALLBACK (on_rejected_all), card_rejections);
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE &&
                 tack_outbox_get_restored (client->outbox));
  column = tack_store_lookup_column (client->store, f.board->columns[0]);

  /* Our rename is held back (offline) while someone else renames it. */
  test_proxy_set_down (f.proxy, TRUE);
  json_object_set_string_member (fields, "title", "Mine");
  op = tack_outbox_edit_column (client->outbox, f.board->columns[0], fields, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tack_column_get_title (column), ==, "Mine");
  g_assert_true (tack_column_get_pending (column));

  path = g_strdup_printf ("/columns/%s", f.board->columns[0]);
  body = g_strdup_printf ("{\"op\": \"%s\", \"base_version\": 1, \"title\": \"Theirs\"}", other_op);
  reply = test_api_call (f.direct, "PATCH", path, NULL, body, &error);
  g_assert_no_error (error);

  test_proxy_set_down (f.proxy, FALSE);
  tack_connection_reconnect_now (client->connection);
  tack_outbox_flush (client->outbox);

  TEST_WAIT_FOR (rejections->len == 1);
  rejection = g_ptr_array_index (rejections, 0);
  g_assert_error (rejection->error, TACK_API_ERROR, TACK_API_ERROR_CONFLICT);
  g_assert_cmpstr (rejection->op, ==, op);
  g_assert_cmpstr (rejection->card_id, ==, f.board->columns[0]);
  g_assert_cmpstr (tack_column_get_title (column), ==, "Theirs");
  g_assert_false (tack_column_get_pending (column));
  g_assert_cmpuint (test_count_op (f.direct, op), ==, 0);

  /* A title the server refuses (too long): the column and the card made
   * in it go, each with the server's reason. */
  long_title = g_strnfill (600, 'x');
  column_id = tack_outbox_create_column (client->outbox, long_title, NULL, &error);
  g_assert_no_error (error);
  card_id = tack_outbox_create_card (client->outbox, column_id, "Inside", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tack_store_lookup_column (client->store, column_id));

  TEST_WAIT_FOR (rejections->len == 2);
  rejection = g_ptr_array_index (rejections, 1);
  g_assert_error (rejection->error, TACK_API_ERROR, TACK_API_ERROR_BAD_REQUEST);
  g_assert_cmpstr (rejection->card_id, ==, column_id);
  g_assert_true (strstr (rejection->error->message, "title") != NULL);
  TEST_WAIT_FOR (card_rejections->len == 1);
  rejection = g_ptr_array_index (card_rejections, 0);
  g_assert_cmpstr (rejection->card_id, ==, card_id);
  g_assert_null (tack_store_lookup_column (client->store, column_id));
  g_assert_null (tack_store_lookup_card (client->store, card_id));
  g_assert_cmpuint (tack_outbox_get_n_pending (client->outbox), ==, 0);
  g_assert_cmpuint (tack_store_get_n_pending (client->store), ==, 0);

  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);
  {
    g_autoptr(JsonNode) snapshot = test_snapshot (f.direct);

    TEST_WAIT_FOR (tack_dispatcher_get_seq (client->dispatcher) ==
                   json_object_get_int_member (json_node_get_object (snapshot), "seq"));
  }
  test_assert_store_matches_server (client->store, f.direct);
  TEST_WAIT_FOR (journal_lines (&f) == 0);

  test_client_free (client);
  fixture_teardown (&f);
}

static void
record_title (TackCard   *card,
              GParamSpec *pspec,
              GPtrArray  *titles)
{
  g_ptr_array_add (titles, g_strdup (tack_card_get_title (card)));
}

/* The answer to our PATCH is held back, so our own card.updated arrives
 * first and says only that the card changed: the card must keep showing
 * the edit until its new version is in, never the old title in between. */
static void
test_outbox_own_edit_no_flicker (void)
{
  Fixture f = { 0 };
  g_autoptr(GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *card_id = NULL;
  g_autofree char *op = NULL;
  TestClient *client;
  TackCard *card;

  fixture_setup (&f);
  card_id = test_create_card (f.direct, f.board->columns[0], "Old title");
  client = client_new (&f);
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE &&
                 tack_outbox_get_restored (client->outbox));
  card = tack_store_lookup_card (client->store, card_id);
  g_assert_nonnull (card);
  g_signal_connect (card, "notify::title", G_CALLBACK (record_title), titles);

  test_proxy_set_delay (f.proxy, "PATCH ", 500);
  json_object_set_string_member (fields, "title", "New title");
  op = tack_outbox_edit_card (client->outbox, card_id, fields, &error);
  g_assert_no_error (error);

  /* The echo is in (the card no longer pending) before the answer is. */
  TEST_WAIT_FOR (!tack_card_get_pending (card));
  g_assert_cmpuint (tack_outbox_get_n_pending (client->outbox), ==, 1);

  TEST_WAIT_FOR (tack_outbox_get_n_pending (client->outbox) == 0 &&
                 tack_card_get_version (card) == 2 &&
                 tack_card_get_state (card) == TACK_ENTRY_FRESH);
  g_assert_cmpuint (test_count_op (f.direct, op), ==, 1);

  g_assert_cmpuint (titles->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (titles, 0), ==, "New title");
  test_assert_store_matches_server (client->store, f.direct);

  g_signal_handlers_disconnect_by_data (card, titles);
  test_client_free (client);
  fixture_teardown (&f);
}

static gboolean
flood_cb (gpointer user_data)
{
  guint *count = user_data;

  (*count)++;
  return G_SOURCE_CONTINUE;
}

/* The main loop always has work at the default priority (a busy UI, a
 * flood of events): an edit left in the journal must still go out once
 * the first snapshot is in, not wait for an idle moment that never comes. */
static void
test_outbox_busy_main_loop (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *card_id = NULL;
  g_autofree char *state = NULL;
  g_autofree char *line = NULL;
  TestClient *client;
  guint flooded = 0;
  guint sources[3];

  fixture_setup (&f);
  card_id = test_create_card (f.direct, f.board->columns[0], "Before");

  state = g_path_get_dirname (f.journal);
  g_assert_cmpint (g_mkdir_with_parents (state, 0700), ==, 0);
  line = g_strdup_printf ("{\"op\":\"busy-loop-op\",\"kind\":\"edit\",\"card\":\"%s\","
                          "\"fields\":{\"title\":\"Sent under load\"},\"base_version\":1}\n",
                          card_id);
  g_file_set_contents (f.journal, line, -1, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    sources[i] = g_idle_add_full (G_PRIORITY_DEFAULT, flood_cb, &flooded, NULL);

  client = client_new (&f);
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_outbox_get_restored (client->outbox) &&
                 tack_outbox_get_n_pending (client->outbox) == 0);
  g_assert_cmpuint (flooded, >, 0);
  g_assert_cmpuint (test_count_op (f.direct, "busy-loop-op"), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    g_source_remove (sources[i]);

  TEST_WAIT_FOR (g_strcmp0 (tack_card_get_title (tack_store_lookup_card (client->store, card_id)),
                            "Sent under load") == 0);
  TEST_WAIT_FOR (journal_lines (&f) == 0);

  test_client_free (client);
  fixture_teardown (&f);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static char *
actor_of (TackApi    *api,
          const char *op)
{
  g_autoptr(GPtrArray) events = test_all_events (api);

  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = json_node_get_object (g_ptr_array_index (events, i));

      if (g_strcmp0 (json_object_get_string_member_with_default (event, "op", NULL), op) == 0)
        return g_strdup (json_object_get_string_member_with_default (event, "actor", NULL));
    }

  return NULL;
}

/* TackApi:user changes while live: the next write is made under the new
 * name, with no reconnection. */
static void
test_outbox_user_rename (void)
{
  Fixture f = { 0 };
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonNode) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *card_id = NULL;
  g_autofree char *op = NULL;
  g_autofree char *op2 = NULL;
  g_autofree char *user = NULL;
  g_autofree char *actor = NULL;
  TestClient *client;
  guint notified = 0;
  guint n_states;

  fixture_setup (&f);
  card_id = test_create_card (f.direct, f.board->columns[0], "Named");
  client = test_client_new_as (f.url, f.board, f.journal, "Ada");
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE &&
                 tack_outbox_get_restored (client->outbox));
  n_states = client->states->len;

  json_object_set_string_member (fields, "title", "Named by Ada");
  op = tack_outbox_edit_card (client->outbox, card_id, fields, &error);
  g_assert_no_error (error);
  TEST_WAIT_FOR (tack_outbox_get_n_pending (client->outbox) == 0);
  actor = actor_of (f.direct, op);
  g_assert_cmpstr (actor, ==, "Ada");
  g_clear_pointer (&actor, g_free);

  g_signal_connect (client->api, "notify::user", G_CALLBACK (count_notify), &notified);
  g_object_set (client->api, "user", "Ada Lovelace", NULL);
  g_assert_cmpuint (notified, ==, 1);
  tack_api_set_user (client->api, "Ada Lovelace");
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (client->api, "user", &user, NULL);
  g_assert_cmpstr (user, ==, "Ada Lovelace");

  json_object_set_string_member (fields, "title", "Named by Ada Lovelace");
  op2 = tack_outbox_edit_card (client->outbox, card_id, fields, &error);
  g_assert_no_error (error);
  TEST_WAIT_FOR (tack_outbox_get_n_pending (client->outbox) == 0);
  actor = actor_of (f.direct, op2);
  g_assert_cmpstr (actor, ==, "Ada Lovelace");
  snapshot = test_snapshot (f.direct);
  g_assert_cmpstr (json_object_get_string_member (server_card (snapshot, "Named by Ada Lovelace"),
                                                  "updated_by"), ==, "Ada Lovelace");

  /* Never reconnected for it. */
  g_assert_cmpuint (client->states->len, ==, n_states);
  g_assert_cmpint (tack_connection_get_state (client->connection), ==, TACK_CONNECTION_LIVE);

  g_signal_handlers_disconnect_by_data (client->api, &notified);
  test_client_free (client);
  fixture_teardown (&f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tack/net/outbox/offline-restart", test_outbox_offline_restart);
  g_test_add_func ("/tack/net/outbox/conflict", test_outbox_conflict);
  g_test_add_func ("/tack/net/outbox/create-then-edit", test_outbox_create_then_edit);
  g_test_add_func ("/tack/net/outbox/own-edit-no-flicker", test_outbox_own_edit_no_flicker);
  g_test_add_func ("/tack/net/outbox/columns-offline-restart", test_outbox_columns_offline_restart);
  g_test_add_func ("/tack/net/outbox/old-journal", test_outbox_old_journal);
  g_test_add_func ("/tack/net/outbox/busy-main-loop", test_outbox_busy_main_loop);
  g_test_add_func ("/tack/net/outbox/user-rename", test_outbox_user_rename);
  g_test_add_func ("/tack/net/outbox/column-rejected", test_outbox_column_rejected);

  return g_test_run ();
}
