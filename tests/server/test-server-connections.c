/* test-server-connections.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Connections the client closes are closed by the server too: every kind
 * of request, answered or refused, and every kind of event stream, made
 * many times on a connection of its own that the client then closes,
 * leaves the server with no more open descriptors than it started with.
 * The server runs in this process, so /proc/self/fd counts its sockets
 * (and the clients', which the clients close first). */

#include "config.h"

#include <string.h>

#include "tack-test-server.h"

#define ROUNDS 20

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;

  /* The GDir's own descriptor. */
  return n - 1;
}

static SoupSession *
new_session (void)
{
  return soup_session_new ();
}

/* One request on a connection of its own, closed by the client once the
 * answer is in. */
static Response *
request_once (TestServer *ts,
              const char *method,
              const char *path,
              const char *token,
              const char *body)
{
  g_autoptr(SoupSession) session = new_session ();
  Response *response = NULL;

  test_http_async (ts, session, method, path, token, body, &response);
  TEST_WAIT_FOR (response != NULL);

  return response;
}

static void
wait_for_fds (guint baseline)
{
  TEST_WAIT_FOR (count_fds () <= baseline);
}

static char *
write_body (const char *fields)
{
  g_autofree char *op = test_unique_op ();

  return g_strdup_printf ("{\"op\": \"%s\"%s%s}", op, fields ? ", " : "", fields ? fields : "");
}

static void
test_connections_rest (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *board_path = g_strdup_printf ("/api/v1/boards/%s", ts->board_id);
  g_autofree char *cards_path = g_strdup_printf ("/api/v1/boards/%s/cards", ts->board_id);
  g_autofree char *column = NULL;
  g_autofree char *huge = NULL;
  guint baseline;

  {
    g_autoptr(Response) snap = request_once (ts, "GET", board_path, ts->board_token, NULL);
    JsonArray *columns = json_object_get_array_member (response_object (snap, NULL), "columns");

    column = g_strdup (json_object_get_string_member (json_array_get_object_element (columns, 0), "id"));
  }

  /* Over the 1 MiB limit, answered from the headers. */
  huge = g_malloc (TACK_SERVER_MAX_BODY + 2);
  memset (huge, ' ', TACK_SERVER_MAX_BODY + 1);
  huge[TACK_SERVER_MAX_BODY + 1] = '\0';

  baseline = count_fds ();

  for (guint i = 0; i < ROUNDS; i++)
    {
      g_autoptr(Response) health = request_once (ts, "GET", "/api/v1/health", NULL, NULL);
      g_autoptr(Response) boards = request_once (ts, "GET", "/api/v1/boards", ts->admin, NULL);
      g_autoptr(Response) board = request_once (ts, "POST", "/api/v1/boards", ts->admin,
                                                "{\"title\": \"Leak test\"}");
      g_autoptr(Response) snap = request_once (ts, "GET", board_path, ts->board_token, NULL);
      g_autofree char *create = NULL;
      g_autoptr(Response) created = NULL;
      g_autofree char *card_path = NULL;
      g_autofree char *patch = NULL;
      g_autoptr(Response) patched = NULL;
      g_autofree char *move_path = NULL;
      g_autofree char *move = NULL;
      g_autoptr(Response) moved = NULL;
      g_autofree char *delete = NULL;
      g_autoptr(Response) deleted = NULL;
      g_autoptr(Response) not_found = NULL;
      g_autoptr(Response) unauthorized = NULL;
      g_autoptr(Response) malformed = NULL;
      g_autoptr(Response) conflict = NULL;
      g_autoptr(Response) too_large = NULL;
      g_autofree char *fields = NULL;
      JsonObject *card;

      g_assert_cmpuint (health->status, ==, 200);
      g_assert_cmpuint (boards->status, ==, 200);
      g_assert_cmpuint (board->status, ==, 201);
      g_assert_cmpuint (snap->status, ==, 200);

      fields = g_strdup_printf ("\"column\": \"%s\", \"title\": \"Card %u\", \"after\": null", column, i);
      create = write_body (fields);
      created = request_once (ts, "POST", cards_path, ts->board_token, create);
      g_assert_cmpuint (created->status, ==, 201);
      card = response_object (created, "card");
      card_path = g_strdup_printf ("%s/%s", cards_path, json_object_get_string_member (card, "id"));

      patch = write_body ("\"base_version\": 1, \"title\": \"Renamed\"");
      patched = request_once (ts, "PATCH", card_path, ts->board_token, patch);
      g_assert_cmpuint (patched->status, ==, 200);

      move_path = g_strdup_printf ("%s/move", card_path);
      g_free (fields);
      fields = g_strdup_printf ("\"base_version\": 2, \"column\": \"%s\", \"after\": null", column);
      move = write_body (fields);
      moved = request_once (ts, "POST", move_path, ts->board_token, move);
      g_assert_cmpuint (moved->status, ==, 200);

      g_free (patch);
      patch = write_body ("\"base_version\": 1, \"title\": \"Stale\"");
      conflict = request_once (ts, "PATCH", card_path, ts->board_token, patch);
      g_assert_cmpuint (conflict->status, ==, 409);

      delete = write_body (NULL);
      deleted = request_once (ts, "DELETE", card_path, ts->board_token, delete);
      g_assert_cmpuint (deleted->status, ==, 200);

      not_found = request_once (ts, "GET", "/api/v1/boards/nope/cards/nope", ts->admin, NULL);
      g_assert_cmpuint (not_found->status, ==, 404);
      unauthorized = request_once (ts, "GET", board_path, NULL, NULL);
      g_assert_cmpuint (unauthorized->status, ==, 401);
      malformed = request_once (ts, "POST", cards_path, ts->board_token, "{\"op\":");
      g_assert_cmpuint (malformed->status, ==, 400);

      too_large = request_once (ts, "POST", cards_path, ts->board_token, huge);
      /* libsoup's client may see the close before the 413 it answers. */
      if (too_large->status != 0)
        g_assert_cmpuint (too_large->status, ==, 413);
    }

  wait_for_fds (baseline);

  test_server_free (ts);
}

/* A connection the client drops without a close frame. */
static void
ws_client_drop (WsClient *client)
{
  GIOStream *io = soup_websocket_connection_get_io_stream (client->ws);

  g_signal_handlers_disconnect_by_data (client->ws, client);
  g_io_stream_close (io, NULL, NULL);
  g_clear_object (&client->ws);
  ws_client_free (client);
}

static void
test_connections_events (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *poll_path = g_strdup_printf ("/api/v1/boards/%s/events?since=0", ts->board_id);
  g_autofree char *wait_path = NULL;
  guint baseline;

  /* Short heartbeats: an SSE stream notices its client left when it
   * next writes. */
  tack_server_set_heartbeat_ms (ts->server, 50);

  /* The first WebSocket subscriber starts the server's subscriber
   * threads, whose main contexts hold a descriptor each for good. */
  {
    g_autoptr(SoupSession) session = new_session ();
    SoupSession *shared = ts->session;
    WsClient *first;

    ts->session = session;
    first = ws_client_connect (ts, "since=0");
    g_assert_no_error (first->error);
    TEST_WAIT_FOR (first->frames->len >= 1);
    soup_websocket_connection_close (first->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    TEST_WAIT_FOR (first->closed);
    ws_client_free (first);
    ts->session = shared;
  }
  TEST_WAIT_FOR (tack_server_get_n_subscribers (ts->server) == 0);

  /* So does the first snapshot: the read-only connection the server
   * builds snapshots through. */
  {
    g_autofree char *board_path = g_strdup_printf ("/api/v1/boards/%s", ts->board_id);
    g_autoptr(Response) snap = request_once (ts, "GET", board_path, ts->board_token, NULL);

    g_assert_cmpuint (snap->status, ==, 200);
  }

  baseline = count_fds ();

  for (guint i = 0; i < ROUNDS; i++)
    {
      g_autoptr(SoupSession) session = new_session ();
      SoupSession *shared = ts->session;
      WsClient *closed;
      WsClient *dropped;
      SseClient *sse;
      g_autoptr(Response) poll = NULL;

      /* Each stream on a session of its own, unreffed after it. */
      ts->session = session;

      closed = ws_client_connect (ts, "since=0");
      g_assert_no_error (closed->error);
      TEST_WAIT_FOR (closed->frames->len >= 1);
      soup_websocket_connection_close (closed->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      TEST_WAIT_FOR (closed->closed);
      ws_client_free (closed);

      dropped = ws_client_connect (ts, "since=0");
      g_assert_no_error (dropped->error);
      TEST_WAIT_FOR (dropped->frames->len >= 1);
      ws_client_drop (dropped);

      sse = sse_client_connect (ts, "since=0", NULL);
      g_assert_cmpuint (sse->status, ==, 200);
      TEST_WAIT_FOR (sse->events->len >= 3);
      sse_client_free (sse);

      poll = request_once (ts, "GET", poll_path, ts->board_token, NULL);
      g_assert_cmpuint (poll->status, ==, 200);

      ts->session = shared;
    }

  TEST_WAIT_FOR (tack_server_get_n_subscribers (ts->server) == 0);

  /* A long poll its client gave up on is closed once it is answered. */
  {
    g_autofree char *board_path = g_strdup_printf ("/api/v1/boards/%s", ts->board_id);
    g_autoptr(Response) snap = request_once (ts, "GET", board_path, ts->board_token, NULL);

    wait_path = g_strdup_printf ("/api/v1/boards/%s/events?since=%" G_GINT64_FORMAT "&wait=1",
                                 ts->board_id, json_object_get_int_member (response_object (snap, NULL), "seq"));
  }
  for (guint i = 0; i < 3; i++)
    {
      SoupSession *session = new_session ();
      Response *response = NULL;

      test_http_async (ts, session, "GET", wait_path, ts->board_token, NULL, &response);
      TEST_WAIT_FOR (tack_server_get_n_waiters (ts->server) == 1);
      soup_session_abort (session);
      TEST_WAIT_FOR (response != NULL);
      response_free (response);
      g_object_unref (session);
      TEST_WAIT_FOR (tack_server_get_n_waiters (ts->server) == 0);
    }

  wait_for_fds (baseline);

  test_server_free (ts);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tack/server/connections/rest", test_connections_rest);
  g_test_add_func ("/tack/server/connections/events", test_connections_events);

  return g_test_run ();
}
