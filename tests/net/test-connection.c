/* test-connection.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The connection lifecycle against a real tack-server behind a proxy that
 * misbehaves on request. Every test records the notify::state sequence
 * and asserts the transitions it is about. */

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
  TackApi    *direct;    /* another client, straight to the server */
  TestClient *client;
} Fixture;

static void
fixture_setup (Fixture    *f,
               guint       retention)
{
  f->server = test_server_start (retention);
  f->board = test_board_create (f->server);
  f->proxy = test_proxy_new (f->server->port);
  f->url = test_proxy_get_url (f->proxy);
  f->direct = test_api_new (f->server->url, f->board);
  f->client = test_client_new (f->url, f->board, NULL);
  g_object_set (f->client->connection,
                "backoff-base", 20,
                "backoff-cap", 300,
                "stable-time", 60000,
                "poll-wait", 2,
                NULL);
}

static void
fixture_teardown (Fixture *f)
{
  test_client_free (f->client);
  g_clear_object (&f->direct);
  test_proxy_free (f->proxy);
  g_free (f->url);
  test_board_free (f->board);
  test_server_free (f->server);
}

static TackConnectionState
state_of (Fixture *f)
{
  return tack_connection_get_state (f->client->connection);
}

static gint64
seq_of (Fixture *f)
{
  return tack_dispatcher_get_seq (f->client->dispatcher);
}

static gint64
server_seq (Fixture *f)
{
  g_autoptr(JsonNode) snapshot = test_snapshot (f->direct);

  return json_object_get_int_member (json_node_get_object (snapshot), "seq");
}

static void
start_live (Fixture *f)
{
  tack_connection_start (f->client->connection);
  TEST_WAIT_FOR (state_of (f) == TACK_CONNECTION_LIVE);
}

static void
test_connection_live (void)
{
  static const TackConnectionState expected[] = {
    TACK_CONNECTION_CONNECTING, TACK_CONNECTION_LIVE,
  };
  Fixture f = { 0 };
  g_autofree char *card_id = NULL;

  fixture_setup (&f, 0);
  start_live (&f);

  g_assert_cmpint (f.client->states->len, ==, G_N_ELEMENTS (expected));
  test_client_assert_seen_in_order (f.client, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (tack_connection_get_transport (f.client->connection), ==, TACK_TRANSPORT_WEBSOCKET);
  g_assert_cmpuint (tack_api_get_n_snapshot_fetches (f.client->api), ==, 1);

  /* Someone else's write shows up here, without a refetch. */
  card_id = test_create_card (f.direct, f.board->columns[0], "From elsewhere");
  TEST_WAIT_FOR (tack_store_lookup_card (f.client->store, card_id) != NULL);
  g_assert_cmpstr (tack_card_get_title (tack_store_lookup_card (f.client->store, card_id)), ==,
                   "From elsewhere");
  g_assert_cmpuint (tack_api_get_n_snapshot_fetches (f.client->api), ==, 1);

  test_assert_store_matches_server (f.client->store, f.direct);
  g_assert_cmpint (state_of (&f), ==, TACK_CONNECTION_LIVE);

  fixture_teardown (&f);
}

/* The server dies; the client retries with growing, jittered delays,
 * catches up on what happened while it was away, and ends up equal to
 * the server. */
static void
test_connection_server_restart (void)
{
  static const TackConnectionState expected[] = {
    TACK_CONNECTION_CONNECTING, TACK_CONNECTION_LIVE,
    TACK_CONNECTION_RECONNECTING, TACK_CONNECTION_CONNECTING,
    TACK_CONNECTION_RECONNECTING, TACK_CONNECTION_CONNECTING,
    TACK_CONNECTION_RESYNCING, TACK_CONNECTION_LIVE,
  };
  Fixture f = { 0 };
  g_autofree char *first = NULL;
  gint64 cap_us;

  fixture_setup (&f, 0);
  first = test_create_card (f.direct, f.board->columns[0], "Before");
  start_live (&f);

  /* Down it goes, and stays unreachable through the proxy. */
  test_proxy_set_down (f.proxy, TRUE);
  test_server_kill (f.server);
  TEST_WAIT_FOR (f.client->delays->len >= 6);
  g_assert_cmpint (state_of (&f), !=, TACK_CONNECTION_LIVE);
  g_assert_cmpint (tack_connection_get_next_attempt (f.client->connection), >, 0);

  /* Back, with changes the client has not seen. */
  test_server_respawn (f.server);
  g_clear_object (&f.direct);
  f.direct = test_api_new (f.server->url, f.board);
  test_proxy_set_target_port (f.proxy, f.server->port);
  g_free (test_create_card (f.direct, f.board->columns[1], "While away"));
  g_free (test_create_card (f.direct, f.board->columns[0], "Also while away"));
  test_proxy_set_down (f.proxy, FALSE);

  TEST_WAIT_FOR (state_of (&f) == TACK_CONNECTION_LIVE);
  test_client_assert_seen_in_order (f.client, expected, G_N_ELEMENTS (expected));

  /* Full jitter under an exponential ceiling: the ceilings grow up to
   * the cap, every delay lies in [0, ceiling]. */
  cap_us = 300 * 1000;
  for (guint i = 0; i < f.client->ceilings->len; i++)
    {
      gint64 ceiling = g_array_index (f.client->ceilings, gint64, i);
      gint64 delay = g_array_index (f.client->delays, gint64, i);

      g_assert_cmpint (delay, >=, 0);
      g_assert_cmpint (delay, <=, ceiling);
      g_assert_cmpint (ceiling, <=, cap_us);
      if (i > 0)
        g_assert_cmpint (ceiling, >=, g_array_index (f.client->ceilings, gint64, i - 1));
    }
  g_assert_cmpint (g_array_index (f.client->ceilings, gint64, 0), <,
                   g_array_index (f.client->ceilings, gint64, f.client->ceilings->len - 1));
  g_assert_cmpint (g_array_index (f.client->ceilings, gint64, f.client->ceilings->len - 1), ==, cap_us);

  TEST_WAIT_FOR (seq_of (&f) == server_seq (&f));
  test_assert_store_matches_server (f.client->store, f.direct);
  /* Caught up by replay: the only snapshot is the first one. */
  g_assert_cmpuint (tack_api_get_n_snapshot_fetches (f.client->api), ==, 1);

  fixture_teardown (&f);
}

/* A connection that silently stops carrying anything is found dead by
 * the heartbeat, not trusted forever. */
static void
test_connection_heartbeat (void)
{
  static const TackConnectionState expected[] = {
    TACK_CONNECTION_CONNECTING, TACK_CONNECTION_LIVE,
    TACK_CONNECTION_RECONNECTING, TACK_CONNECTION_CONNECTING, TACK_CONNECTION_LIVE,
  };
  Fixture f = { 0 };

  fixture_setup (&f, 0);
  /* A deadline of a small fraction of the server's heartbeat period. */
  g_object_set (f.client->connection, "heartbeat-multiplier", 0.05, NULL);
  start_live (&f);

  test_proxy_set_blackhole (f.proxy, TRUE);
  TEST_WAIT_FOR (state_of (&f) != TACK_CONNECTION_LIVE);
  g_assert_nonnull (tack_connection_get_reason (f.client->connection));
  g_assert_nonnull (strstr (tack_connection_get_reason (f.client->connection), "Nothing heard"));

  /* Attempts into the blackhole hang; the same deadline gives up on them. */
  TEST_WAIT_FOR (f.client->delays->len >= 3);
  g_assert_cmpint (state_of (&f), !=, TACK_CONNECTION_LIVE);

  test_proxy_set_blackhole (f.proxy, FALSE);
  TEST_WAIT_FOR (state_of (&f) == TACK_CONNECTION_LIVE);
  test_client_assert_seen_in_order (f.client, expected, G_N_ELEMENTS (expected));

  fixture_teardown (&f);
}

typedef struct
{
  guint pending;
  guint failed;
} Batch;

static void
batch_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Batch *batch = user_data;
  g_autoptr(JsonObject) card = NULL;
  g_autoptr(GError) error = NULL;

  card = tack_api_write_finish (TACK_API (object), result, &error);
  if (card == NULL)
    {
      g_printerr ("write failed: %s\n", error->message);
      batch->failed++;
    }
  batch->pending--;
}

static void
commit_events (TackApi    *api,
               const char *column,
               guint       n)
{
  Batch batch = { 0 };

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *op = g_uuid_string_random ();
      g_autofree char *title = g_strdup_printf ("Card %u", i);

      batch.pending++;
      tack_api_create_card_async (api, op, column, title, NULL, NULL, batch_cb, &batch);

      /* Keep a bounded number in flight. */
      if (batch.pending >= 16)
        TEST_WAIT_FOR (batch.pending < 8);
    }

  TEST_WAIT_FOR (batch.pending == 0);
  g_assert_cmpuint (batch.failed, ==, 0);
}

static void
check_replay (TackTransportMode mode,
              guint             n_events)
{
  static const TackConnectionState expected[] = {
    TACK_CONNECTION_LIVE, TACK_CONNECTION_RECONNECTING, TACK_CONNECTION_CONNECTING,
    TACK_CONNECTION_RESYNCING, TACK_CONNECTION_LIVE,
  };
  Fixture f = { 0 };
  guint snapshots;

  fixture_setup (&f, 0);
  if (mode != TACK_TRANSPORT_AUTO)
    g_object_set (f.client->connection, "mode", mode, NULL);
  start_live (&f);
  snapshots = tack_api_get_n_snapshot_fetches (f.client->api);

  test_proxy_set_down (f.proxy, TRUE);
  TEST_WAIT_FOR (state_of (&f) == TACK_CONNECTION_RECONNECTING);

  commit_events (f.direct, f.board->columns[0], n_events);

  test_proxy_set_down (f.proxy, FALSE);
  tack_connection_reconnect_now (f.client->connection);
  TEST_WAIT_FOR (state_of (&f) == TACK_CONNECTION_LIVE && seq_of (&f) == server_seq (&f));

  test_client_assert_seen_in_order (f.client, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (tack_connection_get_transport (f.client->connection), ==,
                   mode == TACK_TRANSPORT_AUTO ? TACK_TRANSPORT_WEBSOCKET : mode);
  g_assert_cmpuint (tack_api_get_n_snapshot_fetches (f.client->api), ==, snapshots);
  g_assert_cmpuint (tack_column_get_n_cards (tack_store_lookup_column (f.client->store,
                                                                      f.board->columns[0])), ==, n_events);
  test_assert_store_matches_server (f.client->store, f.direct);

  fixture_teardown (&f);
}

/* A thousand events while cut off are replayed on reconnect: no
 * snapshot. */
static void
test_connection_replay (void)
{
  check_replay (TACK_TRANSPORT_AUTO, 1000);
}

/* The same catching up over the other two transports. */
static void
test_connection_replay_sse (void)
{
  check_replay (TACK_TRANSPORT_SSE, 50);
}

static void
test_connection_replay_polling (void)
{
  check_replay (TACK_TRANSPORT_POLLING, 50);
}

/* Away for longer than the server keeps events: a reset, and the
 * snapshot is reloaded. */
static void
test_connection_retention_reset (void)
{
  static const TackConnectionState expected[] = {
    TACK_CONNECTION_LIVE, TACK_CONNECTION_RECONNECTING, TACK_CONNECTION_CONNECTING,
    TACK_CONNECTION_RESYNCING, TACK_CONNECTION_LIVE,
  };
  Fixture f = { 0 };
  guint snapshots;

  fixture_setup (&f, 5);
  start_live (&f);
  snapshots = tack_api_get_n_snapshot_fetches (f.client->api);

  test_proxy_set_down (f.proxy, TRUE);
  TEST_WAIT_FOR (state_of (&f) == TACK_CONNECTION_RECONNECTING);

  commit_events (f.direct, f.board->columns[1], 30);

  test_proxy_set_down (f.proxy, FALSE);
  tack_connection_reconnect_now (f.client->connection);
  TEST_WAIT_FOR (state_of (&f) == TACK_CONNECTION_LIVE && seq_of (&f) == server_seq (&f));

  test_client_assert_seen_in_order (f.client, expected, G_N_ELEMENTS (expected));
  g_assert_cmpuint (tack_api_get_n_snapshot_fetches (f.client->api), >, snapshots);
  test_assert_store_matches_server (f.client->store, f.direct);

  fixture_teardown (&f);
}

/* A refetch answered before a newer pushed write, but delivered after
 * it, must not win. */
static void
test_connection_slow_refetch (void)
{
  Fixture f = { 0 };
  g_autofree char *card_id = NULL;
  g_autofree char *match = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *op1 = g_uuid_string_random ();
  g_autofree char *op2 = g_uuid_string_random ();
  TackCard *card;
  gint64 version;

  fixture_setup (&f, 0);
  card_id = test_create_card (f.direct, f.board->columns[0], "Original");
  start_live (&f);
  card = tack_store_lookup_card (f.client->store, card_id);
  g_assert_nonnull (card);
  version = tack_card_get_version (card);

  /* Refetches of this card are answered at once by the server but reach
   * the client only 1.5 s later. */
  match = g_strdup_printf ("GET /api/v1/boards/%s/cards/%s ", f.board->id, card_id);
  test_proxy_set_delay (f.proxy, match, 1500);

  path = g_strdup_printf ("/cards/%s", card_id);
  body = g_strdup_printf ("{\"op\": \"%s\", \"base_version\": %" G_GINT64_FORMAT ", \"title\": \"Renamed\"}",
                          op1, version);
  answer = test_api_call (f.direct, "PATCH", path, NULL, body, &error);
  g_assert_no_error (error);
  g_clear_pointer (&answer, json_node_unref);

  /* card.updated → the client refetches (slowly). */
  TEST_WAIT_FOR (tack_card_get_state (card) == TACK_ENTRY_FETCHING);

  /* Meanwhile a move is pushed with the whole, newer card. */
  g_free (path);
  g_free (body);
  path = g_strdup_printf ("/cards/%s/move", card_id);
  body = g_strdup_printf ("{\"op\": \"%s\", \"base_version\": %" G_GINT64_FORMAT ", \"column\": \"%s\", \"after\": null}",
                          op2, version + 1, f.board->columns[1]);
  answer = test_api_call (f.direct, "POST", path, NULL, body, &error);
  g_assert_no_error (error);

  TEST_WAIT_FOR (g_strcmp0 (tack_card_get_column_id (card), f.board->columns[1]) == 0);
  g_assert_cmpint (tack_card_get_version (card), ==, version + 2);

  /* The slow answer (the older version) lands and is dropped. */
  TEST_WAIT_FOR (tack_card_get_state (card) == TACK_ENTRY_FRESH);
  g_assert_cmpint (tack_card_get_version (card), ==, version + 2);
  g_assert_cmpstr (tack_card_get_column_id (card), ==, f.board->columns[1]);
  g_assert_cmpstr (tack_card_get_title (card), ==, "Renamed");

  test_proxy_set_delay (f.proxy, NULL, 0);
  test_assert_store_matches_server (f.client->store, f.direct);

  fixture_teardown (&f);
}

static void
check_fallback (gboolean            refuse_sse,
                TackTransportMode   expected_transport)
{
  static const TackConnectionState expected[] = {
    TACK_CONNECTION_CONNECTING, TACK_CONNECTION_LIVE,
  };
  Fixture f = { 0 };
  g_autofree char *card_id = NULL;

  fixture_setup (&f, 0);
  test_proxy_set_refuse_upgrade (f.proxy, TRUE);
  test_proxy_set_refuse_sse (f.proxy, refuse_sse);
  start_live (&f);

  test_client_assert_seen_in_order (f.client, expected, G_N_ELEMENTS (expected));
  g_assert_false (test_client_saw (f.client, TACK_CONNECTION_RECONNECTING));
  g_assert_cmpint (tack_connection_get_transport (f.client->connection), ==, expected_transport);

  card_id = test_create_card (f.direct, f.board->columns[0], "Pushed");
  TEST_WAIT_FOR (tack_store_lookup_card (f.client->store, card_id) != NULL);
  TEST_WAIT_FOR (seq_of (&f) == server_seq (&f));
  test_assert_store_matches_server (f.client->store, f.direct);
  g_assert_cmpint (state_of (&f), ==, TACK_CONNECTION_LIVE);

  fixture_teardown (&f);
}

static void
test_connection_fallback_sse (void)
{
  check_fallback (FALSE, TACK_TRANSPORT_SSE);
}

static void
test_connection_fallback_polling (void)
{
  check_fallback (TRUE, TACK_TRANSPORT_POLLING);
}

/* Presence over the real server: ada's state reaches bob as a
 * TackPresence, goes when ada's connection goes, and bob's list empties
 * when his own connection drops. */
static gboolean
presence_user_is (GListModel *presence,
                  const char *user)
{
  g_autoptr(TackPresence) first = g_list_model_get_item (presence, 0);

  return first != NULL && g_strcmp0 (tack_presence_get_user (first), user) == 0;
}

static void
test_connection_presence (void)
{
  Fixture f = { 0 };
  g_autofree char *card_id = NULL;
  g_autoptr(TackPresence) ada = NULL;
  TestClient *bob;
  GListModel *seen_by_bob;

  fixture_setup (&f, 0);
  card_id = test_create_card (f.direct, f.board->columns[0], "Shared");

  test_client_free (f.client);
  f.client = test_client_new_as (f.url, f.board, NULL, "ada");
  g_object_set (f.client->connection, "backoff-base", 20, "backoff-cap", 300, NULL);
  bob = test_client_new_as (f.server->url, f.board, NULL, "bob");
  seen_by_bob = tack_connection_get_presence (bob->connection);

  start_live (&f);
  tack_connection_start (bob->connection);
  TEST_WAIT_FOR (tack_connection_get_state (bob->connection) == TACK_CONNECTION_LIVE);

  tack_connection_set_editing (f.client->connection, card_id);
  TEST_WAIT_FOR (g_list_model_get_n_items (seen_by_bob) == 1);
  ada = g_list_model_get_item (seen_by_bob, 0);
  g_assert_cmpstr (tack_presence_get_user (ada), ==, "ada");
  TEST_WAIT_FOR (g_strcmp0 (tack_presence_get_editing (ada), card_id) == 0);

  tack_connection_set_dragging (f.client->connection, card_id);
  TEST_WAIT_FOR (g_strcmp0 (tack_presence_get_dragging (ada), card_id) == 0);
  g_assert_null (tack_presence_get_editing (ada));
  g_assert_cmpuint (g_list_model_get_n_items (seen_by_bob), ==, 1);

  /* Ada changes her display name: bob sees the new one without her
   * reconnecting. */
  tack_api_set_user (f.client->api, "Ada Lovelace");
  TEST_WAIT_FOR (g_list_model_get_n_items (seen_by_bob) == 1 &&
                 presence_user_is (seen_by_bob, "Ada Lovelace"));
  g_clear_object (&ada);
  ada = g_list_model_get_item (seen_by_bob, 0);
  g_assert_cmpstr (tack_presence_get_dragging (ada), ==, card_id);

  /* Ada's connection drops: she is gone for bob. She comes back and says
   * so again by herself. */
  test_proxy_cut (f.proxy);
  TEST_WAIT_FOR (g_list_model_get_n_items (seen_by_bob) == 0);
  TEST_WAIT_FOR (g_list_model_get_n_items (seen_by_bob) == 1);
  g_clear_object (&ada);
  ada = g_list_model_get_item (seen_by_bob, 0);
  TEST_WAIT_FOR (g_strcmp0 (tack_presence_get_dragging (ada), card_id) == 0);

  /* Bob's own connection drops: he knows nothing about anyone. */
  tack_connection_stop (bob->connection);
  g_assert_cmpuint (g_list_model_get_n_items (seen_by_bob), ==, 0);

  test_client_free (bob);
  fixture_teardown (&f);
}

/* A refused token is final: failed, with a reason, and no retry. */
static void
test_connection_auth_failed (void)
{
  static const TackConnectionState expected[] = {
    TACK_CONNECTION_CONNECTING, TACK_CONNECTION_FAILED,
  };
  Fixture f = { 0 };

  fixture_setup (&f, 0);
  g_free (f.board->token);
  f.board->token = g_strdup ("not-the-token");
  test_client_free (f.client);
  f.client = test_client_new (f.url, f.board, NULL);

  tack_connection_start (f.client->connection);
  TEST_WAIT_FOR (state_of (&f) == TACK_CONNECTION_FAILED);

  test_client_assert_seen_in_order (f.client, expected, G_N_ELEMENTS (expected));
  g_assert_cmpuint (f.client->states->len, ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (f.client->delays->len, ==, 0);
  g_assert_nonnull (strstr (tack_connection_get_reason (f.client->connection), "refused"));

  fixture_teardown (&f);
}

/* A board the server does not have is final too, and says so. */
static void
test_connection_board_gone (void)
{
  static const TackConnectionState expected[] = {
    TACK_CONNECTION_CONNECTING, TACK_CONNECTION_FAILED,
  };
  Fixture f = { 0 };
  TestBoard gone = { 0 };

  fixture_setup (&f, 0);
  gone.id = (char *)"no-such-board";
  gone.token = f.server->admin_token;
  test_client_free (f.client);
  f.client = test_client_new (f.url, &gone, NULL);

  tack_connection_start (f.client->connection);
  TEST_WAIT_FOR (state_of (&f) == TACK_CONNECTION_FAILED);

  test_client_assert_seen_in_order (f.client, expected, G_N_ELEMENTS (expected));
  g_assert_cmpuint (f.client->delays->len, ==, 0);
  g_assert_nonnull (strstr (tack_connection_get_reason (f.client->connection), "gone"));

  fixture_teardown (&f);
}

/* Copies the server's database files (SQLite in WAL mode: the main file
 * and its journals) from one name to another; a missing one is removed. */
static void
copy_database (const char *from,
               const char *to)
{
  static const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *src = g_strconcat (from, suffixes[i], NULL);
      g_autofree char *dest = g_strconcat (to, suffixes[i], NULL);
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize len;

      if (!g_file_get_contents (src, &contents, &len, NULL))
        {
          g_unlink (dest);
          continue;
        }

      g_file_set_contents (dest, contents, len, &error);
      g_assert_no_error (error);
    }
}

/* The server is restored from a backup taken before the client's last
 * events: its seq is lower than the client's. Resuming from the client's
 * seq gets a reset, and the reloaded snapshot replaces the store, seq and
 * all, instead of being dropped as older. */
static void
test_connection_restored_backup (void)
{
  Fixture f = { 0 };
  g_autofree char *backup = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *lost = NULL;
  g_autofree char *after = NULL;
  gint64 backup_seq;
  guint snapshots;

  fixture_setup (&f, 0);
  kept = test_create_card (f.direct, f.board->columns[0], "In the backup");
  backup_seq = server_seq (&f);

  /* The backup, taken while the server is down. */
  test_server_kill (f.server);
  backup = g_strconcat (f.server->db_path, ".backup", NULL);
  copy_database (f.server->db_path, backup);
  test_server_respawn (f.server);
  g_clear_object (&f.direct);
  f.direct = test_api_new (f.server->url, f.board);
  test_proxy_set_target_port (f.proxy, f.server->port);

  start_live (&f);
  lost = test_create_card (f.direct, f.board->columns[1], "Lost with the restore");
  g_free (test_create_card (f.direct, f.board->columns[1], "Also lost"));
  TEST_WAIT_FOR (seq_of (&f) == backup_seq + 2);
  g_assert_nonnull (tack_store_lookup_card (f.client->store, lost));
  snapshots = tack_api_get_n_snapshot_fetches (f.client->api);

  /* Restored: the board is back at the backup's seq. */
  test_proxy_set_down (f.proxy, TRUE);
  test_server_kill (f.server);
  TEST_WAIT_FOR (state_of (&f) != TACK_CONNECTION_LIVE);
  copy_database (backup, f.server->db_path);
  test_server_respawn (f.server);
  g_clear_object (&f.direct);
  f.direct = test_api_new (f.server->url, f.board);
  test_proxy_set_target_port (f.proxy, f.server->port);
  g_assert_cmpint (server_seq (&f), ==, backup_seq);
  test_proxy_set_down (f.proxy, FALSE);
  tack_connection_reconnect_now (f.client->connection);

  TEST_WAIT_FOR (state_of (&f) == TACK_CONNECTION_LIVE &&
                 tack_api_get_n_snapshot_fetches (f.client->api) > snapshots &&
                 !tack_dispatcher_get_loading (f.client->dispatcher));
  g_assert_cmpint (seq_of (&f), ==, backup_seq);
  g_assert_null (tack_store_lookup_card (f.client->store, lost));
  g_assert_nonnull (tack_store_lookup_card (f.client->store, kept));
  test_assert_store_matches_server (f.client->store, f.direct);

  /* And the new timeline's events apply from there. */
  after = test_create_card (f.direct, f.board->columns[0], "After the restore");
  TEST_WAIT_FOR (tack_store_lookup_card (f.client->store, after) != NULL);
  g_assert_cmpint (seq_of (&f), ==, backup_seq + 1);
  test_assert_store_matches_server (f.client->store, f.direct);

  fixture_teardown (&f);
}

/* A connection made on a thread with a main context of its own lives
 * there, as GIO's objects do: its retries run on that context. The
 * global default context is not iterated at all here; a retry timer
 * attached to it would never fire. Nothing listens on the port, so every
 * attempt fails at once. */
typedef struct
{
  char    *url;
  guint    retries;
  gboolean other_thread;
  GThread *thread;
} OwnContext;

static void
own_context_retry_cb (TackConnection *connection,
                      guint           attempt,
                      gint64          delay,
                      gint64          ceiling,
                      OwnContext     *own)
{
  own->retries++;
  own->other_thread |= g_thread_self () != own->thread;
}

static gboolean
own_context_tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static gpointer
own_context_thread (gpointer data)
{
  OwnContext *own = data;
  GMainContext *context = g_main_context_new ();
  GSource *tick = g_timeout_source_new (50);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  TackApi *api;
  TackStore *store;
  TackDispatcher *dispatcher;
  TackConnection *connection;

  own->thread = g_thread_self ();
  g_main_context_push_thread_default (context);
  g_source_set_callback (tick, own_context_tick_cb, NULL, NULL);
  g_source_attach (tick, context);

  api = tack_api_new (own->url, "board", "token");
  store = tack_store_new ();
  dispatcher = tack_dispatcher_new (store, api);
  connection = tack_connection_new (api, dispatcher);
  g_object_set (connection, "backoff-base", 10, "backoff-cap", 30, NULL);
  g_signal_connect (connection, "retry-scheduled", G_CALLBACK (own_context_retry_cb), own);
  tack_connection_start (connection);

  while (own->retries < 3 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);

  tack_connection_stop (connection);
  g_object_unref (connection);
  g_object_unref (dispatcher);
  g_object_unref (store);
  g_object_unref (api);
  while (g_main_context_iteration (context, FALSE))
    ;

  g_source_destroy (tick);
  g_source_unref (tick);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  return NULL;
}

static void
test_connection_own_context (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  OwnContext own = { 0 };
  GThread *thread;

  /* A port that was free a moment ago and that nobody listens on. */
  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  own.url = g_strdup_printf ("http://127.0.0.1:%u",
                             g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  thread = g_thread_new ("own-context", own_context_thread, &own);
  g_thread_join (thread);

  g_assert_cmpuint (own.retries, >=, 3);
  g_assert_false (own.other_thread);
  g_free (own.url);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tack/net/connection/live", test_connection_live);
  g_test_add_func ("/tack/net/connection/server-restart", test_connection_server_restart);
  g_test_add_func ("/tack/net/connection/heartbeat", test_connection_heartbeat);
  g_test_add_func ("/tack/net/connection/replay", test_connection_replay);
  g_test_add_func ("/tack/net/connection/replay-sse", test_connection_replay_sse);
  g_test_add_func ("/tack/net/connection/replay-polling", test_connection_replay_polling);
  if (g_getenv ("TACK_SERVER_HAS_RETENTION") != NULL)
    g_test_add_func ("/tack/net/connection/retention-reset", test_connection_retention_reset);
  g_test_add_func ("/tack/net/connection/slow-refetch", test_connection_slow_refetch);
  g_test_add_func ("/tack/net/connection/restored-backup", test_connection_restored_backup);
  g_test_add_func ("/tack/net/connection/fallback-sse", test_connection_fallback_sse);
  g_test_add_func ("/tack/net/connection/fallback-polling", test_connection_fallback_polling);
  g_test_add_func ("/tack/net/connection/auth-failed", test_connection_auth_failed);
  g_test_add_func ("/tack/net/connection/board-gone", test_connection_board_gone);
  g_test_add_func ("/tack/net/connection/presence", test_connection_presence);
  g_test_add_func ("/tack/net/connection/own-context", test_connection_own_context);

  return g_test_run ();
}
