/* test-server-events.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The events URL over its three transports against a real server:
 * hello, replay, live events, resume, reset, presence, heartbeats, long
 * polls, limits, and a reader too slow to keep. */

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "tack-test-server.h"

static char *
first_column (TestServer *ts)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s", ts->board_id);
  g_autoptr(Response) snap = test_http (ts, "GET", path, ts->board_token, NULL);
  JsonArray *columns = json_object_get_array_member (response_object (snap, NULL), "columns");

  return g_strdup (json_object_get_string_member (json_array_get_object_element (columns, 0), "id"));
}

static const char *
frame_type (JsonObject *frame)
{
  return json_object_get_string_member (frame, "type");
}

/* The seqs of the event frames, checked to follow each other from
 * @from + 1. Returns the last. */
static gint64
assert_ws_events_contiguous (WsClient *client,
                             gint64    from)
{
  gint64 expected = from + 1;

  for (guint i = 0; i < client->frames->len; i++)
    {
      JsonObject *frame = ws_client_frame (client, i);

      if (!json_object_has_member (frame, "data"))
        continue;
      g_assert_cmpint (json_object_get_int_member (frame, "seq"), ==, expected);
      expected++;
    }

  return expected - 1;
}

static void
test_events_websocket (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *column = first_column (ts);
  WsClient *ada = ws_client_connect (ts, "since=0&user=ada");
  WsClient *bob = NULL;
  g_autoptr(JsonNode) card = NULL;
  JsonObject *hello;
  JsonObject *frame;
  guint n;

  g_assert_no_error (ada->error);
  g_assert_cmpstr (soup_websocket_connection_get_protocol (ada->ws), ==, "tack.v1");
  g_assert_null (soup_websocket_connection_get_extensions (ada->ws));

  /* hello, then the three events of the default board. */
  TEST_WAIT_FOR (ada->frames->len >= 4);
  hello = ws_client_frame (ada, 0);
  g_assert_cmpstr (frame_type (hello), ==, "hello");
  g_assert_cmpint (json_object_get_int_member (hello, "seq"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (hello, "heartbeat_ms"), >, 0);
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (hello, "session")));
  g_assert_cmpint (json_object_get_string_member (hello, "session")[14], ==, '4');
  frame = ws_client_frame (ada, 1);
  g_assert_cmpint (json_object_get_int_member (frame, "seq"), ==, 1);
  g_assert_cmpstr (frame_type (frame), ==, "column.created");
  g_assert_true (json_object_has_member (frame, "op"));
  g_assert_true (json_object_has_member (frame, "actor"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_object_get_object_member (frame, "data"), "column"), "title"), ==, "To Do");
  g_assert_cmpuint (json_object_get_size (frame), ==, 5);
  g_assert_cmpint (assert_ws_events_contiguous (ada, 0), ==, 3);

  /* A live event. */
  card = test_create_card (ts, column, "Live", NULL);
  TEST_WAIT_FOR (ada->frames->len >= 5);
  frame = ws_client_frame (ada, 4);
  g_assert_cmpstr (frame_type (frame), ==, "card.created");
  g_assert_cmpint (json_object_get_int_member (frame, "seq"), ==, 4);

  /* ping → pong */
  ws_client_send (ada, "{\"type\": \"ping\"}");
  TEST_WAIT_FOR (ada->frames->len >= 6);
  g_assert_cmpstr (frame_type (ws_client_frame (ada, 5)), ==, "pong");

  /* Presence: Bob joins and says where he is; Ada hears it, Bob does not
   * hear himself; when Bob leaves Ada hears null. */
  bob = ws_client_connect (ts, "user=bob");
  TEST_WAIT_FOR (bob->frames->len >= 1);
  g_assert_cmpstr (frame_type (ws_client_frame (bob, 0)), ==, "hello");
  g_assert_cmpint (json_object_get_int_member (ws_client_frame (bob, 0), "seq"), ==, 4);
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (ws_client_frame (bob, 0), "session")));
  g_assert_cmpstr (json_object_get_string_member (ws_client_frame (bob, 0), "session"), !=,
                   json_object_get_string_member (hello, "session"));
  g_assert_cmpuint (tack_server_get_n_subscribers (ts->server), ==, 2);

  ws_client_send (bob, "{\"type\": \"presence\", \"state\": {\"viewing\": \"card-1\"}}");
  TEST_WAIT_FOR (ada->frames->len >= 7);
  frame = ws_client_frame (ada, 6);
  g_assert_cmpstr (frame_type (frame), ==, "presence");
  g_assert_cmpstr (json_object_get_string_member (frame, "user"), ==, "bob");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (frame, "state"), "viewing"), ==, "card-1");
  g_assert_false (json_object_has_member (frame, "seq"));

  /* A bad frame is ignored, the connection lives on. */
  ws_client_send (bob, "not json");
  ws_client_send (bob, "{\"type\": \"ping\"}");
  TEST_WAIT_FOR (bob->frames->len >= 2);
  g_assert_cmpstr (frame_type (ws_client_frame (bob, 1)), ==, "pong");

  /* Bob changes his display name: "bob" leaves, "Robert" is there in his
   * place; a name that is not a string is ignored. */
  ws_client_send (bob, "{\"type\": \"presence\", \"user\": \"Robert\", \"state\": {\"viewing\": null}}");
  TEST_WAIT_FOR (ada->frames->len >= 9);
  frame = ws_client_frame (ada, 7);
  g_assert_cmpstr (frame_type (frame), ==, "presence");
  g_assert_cmpstr (json_object_get_string_member (frame, "user"), ==, "bob");
  g_assert_true (json_object_get_null_member (frame, "state"));
  frame = ws_client_frame (ada, 8);
  g_assert_cmpstr (frame_type (frame), ==, "presence");
  g_assert_cmpstr (json_object_get_string_member (frame, "user"), ==, "Robert");
  g_assert_nonnull (json_object_get_object_member (frame, "state"));
  ws_client_send (bob, "{\"type\": \"presence\", \"user\": 42, \"state\": {\"viewing\": \"card-2\"}}");
  TEST_WAIT_FOR (ada->frames->len >= 10);
  g_assert_cmpstr (json_object_get_string_member (ws_client_frame (ada, 9), "user"), ==, "Robert");

  n = bob->frames->len;
  ws_client_free (bob);
  TEST_WAIT_FOR (ada->frames->len >= 11);
  frame = ws_client_frame (ada, 10);
  g_assert_cmpstr (frame_type (frame), ==, "presence");
  g_assert_cmpstr (json_object_get_string_member (frame, "user"), ==, "Robert");
  g_assert_true (json_object_get_null_member (frame, "state"));
  TEST_WAIT_FOR (tack_server_get_n_subscribers (ts->server) == 1);
  (void)n;

  ws_client_free (ada);
  test_server_free (ts);
}

static void
test_events_websocket_errors (void)
{
  TestServer *ts = test_server_new (0);
  WsClient *client;
  WsClient *other;
  char *big;

  /* Refused before the upgrade: a wrong token, a foreign board. */
  {
    g_autofree char *saved = g_steal_pointer (&ts->board_token);

    ts->board_token = g_strdup ("wrong");
    client = ws_client_connect (ts, "since=0");
    g_assert_null (client->ws);
    g_assert_nonnull (client->error);
    ws_client_free (client);
    g_free (ts->board_token);
    ts->board_token = g_steal_pointer (&saved);
  }

  /* A frame over 64 KiB closes that connection (1009), not the server. */
  client = ws_client_connect (ts, "since=3");
  other = ws_client_connect (ts, "since=3");
  TEST_WAIT_FOR (client->frames->len >= 1 && other->frames->len >= 1);

  big = g_malloc (70 * 1024 + 1);
  memset (big, 'x', 70 * 1024);
  big[70 * 1024] = '\0';
  memcpy (big, "{\"type\": \"presence\", \"state\": {\"x\": \"", 37);
  ws_client_send (client, big);
  g_free (big);

  /* libsoup sends 1009 and drops the socket at once, so the client may
   * see the code or only the end of the stream. */
  TEST_WAIT_FOR (client->closed);
  g_assert_true (client->close_code == SOUP_WEBSOCKET_CLOSE_TOO_BIG || client->close_code == 0);
  TEST_WAIT_FOR (tack_server_get_n_subscribers (ts->server) == 1);

  ws_client_send (other, "{\"type\": \"ping\"}");
  TEST_WAIT_FOR (other->frames->len >= 2);
  g_assert_cmpstr (frame_type (ws_client_frame (other, 1)), ==, "pong");

  ws_client_free (client);
  ws_client_free (other);
  test_server_free (ts);
}

static void
test_events_websocket_resume (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *column = first_column (ts);
  WsClient *client;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(JsonNode) card = test_create_card (ts, column, "c", NULL);
    }

  client = ws_client_connect (ts, "since=6");
  TEST_WAIT_FOR (ws_client_count_events (client) >= 2);
  g_assert_cmpint (json_object_get_int_member (ws_client_frame (client, 0), "seq"), ==, 8);
  g_assert_cmpint (assert_ws_events_contiguous (client, 6), ==, 8);

  ws_client_free (client);
  test_server_free (ts);
}

/* Subscribing while others write: replay then live, with nothing missed
 * and nothing twice, from the seq of a snapshot taken mid-stream. */
static void
test_events_no_gap_while_writing (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *column = first_column (ts);
  g_autoptr(SoupSession) session = g_object_new (SOUP_TYPE_SESSION, NULL);
  WsClient *client = NULL;
  Response *pending = NULL;
  guint written = 0;
  gint64 from = 0;

  while (written < 120)
    {
      g_autofree char *op = test_unique_op ();
      g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s/cards", ts->board_id);
      g_autofree char *body = g_strdup_printf ("{\"op\": \"%s\", \"column\": \"%s\", \"title\": \"n\"}", op, column);

      test_http_async (ts, session, "POST", path, ts->board_token, body, &pending);

      /* Mid-stream, a second client takes a snapshot and subscribes. */
      if (written == 40)
        {
          g_autofree char *query = NULL;

          from = test_board_seq (ts);
          query = g_strdup_printf ("since=%" G_GINT64_FORMAT, from);
          client = ws_client_connect (ts, query);
        }

      TEST_WAIT_FOR (pending != NULL);
      g_assert_cmpuint (pending->status, ==, 201);
      g_clear_pointer (&pending, response_free);
      written++;
    }

  TEST_WAIT_FOR (ws_client_count_events (client) >= (guint)(123 - from));
  g_assert_cmpint (assert_ws_events_contiguous (client, from), ==, 123);

  ws_client_free (client);
  test_server_free (ts);
}

static void
test_events_sse (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *column = first_column (ts);
  SseClient *client;
  SseClient *resumed;
  SseEvent *event;
  g_autoptr(JsonNode) card = NULL;
  g_autoptr(JsonNode) envelope = NULL;

  tack_server_set_heartbeat_ms (ts->server, 50);

  client = sse_client_connect (ts, "since=1", NULL);
  g_assert_cmpuint (client->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (client->msg), NULL), ==, "text/event-stream");
  TEST_WAIT_FOR (client->events->len >= 2);
  event = g_ptr_array_index (client->events, 0);
  g_assert_cmpstr (event->id, ==, "2");
  g_assert_cmpstr (event->event, ==, "column.created");
  envelope = json_from_string (event->data, NULL);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (envelope), "seq"), ==, 2);

  /* Live. */
  card = test_create_card (ts, column, "Live", NULL);
  TEST_WAIT_FOR (client->events->len >= 3);
  event = g_ptr_array_index (client->events, 2);
  g_assert_cmpstr (event->id, ==, "4");
  g_assert_cmpstr (event->event, ==, "card.created");

  /* Comments keep the stream warm. */
  TEST_WAIT_FOR (client->n_pings >= 2);

  /* Last-Event-ID wins over since. */
  resumed = sse_client_connect (ts, "since=0", "3");
  TEST_WAIT_FOR (resumed->events->len >= 1);
  event = g_ptr_array_index (resumed->events, 0);
  g_assert_cmpstr (event->id, ==, "4");

  /* A client that goes away leaves the hub. */
  g_assert_cmpuint (tack_server_get_n_subscribers (ts->server), ==, 2);
  sse_client_free (resumed);
  TEST_WAIT_FOR (tack_server_get_n_subscribers (ts->server) == 1);

  sse_client_free (client);
  test_server_free (ts);
}

static void
test_events_poll (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *column = first_column (ts);
  g_autofree char *path0 = g_strdup_printf ("/api/v1/boards/%s/events?since=0", ts->board_id);
  g_autofree char *path_page = g_strdup_printf ("/api/v1/boards/%s/events?since=0&limit=2", ts->board_id);
  g_autofree char *path_now = g_strdup_printf ("/api/v1/boards/%s/events", ts->board_id);
  g_autofree char *path_wait = g_strdup_printf ("/api/v1/boards/%s/events?since=3&wait=30", ts->board_id);
  g_autoptr(Response) all = test_http (ts, "GET", path0, ts->board_token, NULL);
  g_autoptr(Response) page = test_http (ts, "GET", path_page, ts->board_token, NULL);
  g_autoptr(Response) now = test_http (ts, "GET", path_now, ts->board_token, NULL);
  Response *held = NULL;
  g_autoptr(JsonNode) card = NULL;
  JsonObject *root;
  JsonArray *events;

  root = response_object (all, NULL);
  g_assert_cmpint (json_object_get_int_member (root, "seq"), ==, 3);
  g_assert_false (json_object_get_boolean_member (root, "more"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "events")), ==, 3);

  root = response_object (page, NULL);
  g_assert_true (json_object_get_boolean_member (root, "more"));
  events = json_object_get_array_member (root, "events");
  g_assert_cmpuint (json_array_get_length (events), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (events, 1), "seq"), ==, 2);

  /* No since: nothing old, just where the board is. */
  root = response_object (now, NULL);
  g_assert_cmpint (json_object_get_int_member (root, "seq"), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "events")), ==, 0);

  /* A long poll is held until a write wakes it. */
  test_http_async (ts, NULL, "GET", path_wait, ts->board_token, NULL, &held);
  TEST_WAIT_FOR (tack_server_get_n_waiters (ts->server) == 1);
  g_assert_null (held);

  card = test_create_card (ts, column, "Wake up", NULL);
  TEST_WAIT_FOR (held != NULL);
  g_assert_cmpuint (held->status, ==, 200);
  root = response_object (held, NULL);
  g_assert_cmpint (json_object_get_int_member (root, "seq"), ==, 4);
  events = json_object_get_array_member (root, "events");
  g_assert_cmpuint (json_array_get_length (events), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 0), "type"), ==, "card.created");
  g_assert_cmpuint (tack_server_get_n_waiters (ts->server), ==, 0);
  response_free (held);

  test_server_free (ts);
}

/* With a retention of 3, a since older than the log answers a reset on
 * every transport; a since within it still resumes. */
static void
test_events_reset (void)
{
  TestServer *ts = test_server_new (3);
  g_autofree char *column = first_column (ts);
  g_autofree char *old = g_strdup_printf ("/api/v1/boards/%s/events?since=1", ts->board_id);
  g_autofree char *recent = g_strdup_printf ("/api/v1/boards/%s/events?since=6", ts->board_id);
  g_autofree char *future = g_strdup_printf ("/api/v1/boards/%s/events?since=99", ts->board_id);
  g_autoptr(Response) poll_old = NULL;
  g_autoptr(Response) poll_recent = NULL;
  g_autoptr(Response) poll_future = NULL;
  WsClient *ws;
  SseClient *sse;
  SseEvent *event;
  JsonObject *root;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(JsonNode) card = test_create_card (ts, column, "c", NULL);
    }
  /* seq 8; events 6, 7, 8 are kept. */

  poll_old = test_http (ts, "GET", old, ts->board_token, NULL);
  root = response_object (poll_old, NULL);
  g_assert_true (json_object_get_boolean_member (root, "reset"));
  g_assert_cmpint (json_object_get_int_member (root, "seq"), ==, 8);
  g_assert_false (json_object_has_member (root, "events"));

  poll_recent = test_http (ts, "GET", recent, ts->board_token, NULL);
  root = response_object (poll_recent, NULL);
  g_assert_false (json_object_has_member (root, "reset"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "events")), ==, 2);

  poll_future = test_http (ts, "GET", future, ts->board_token, NULL);
  g_assert_true (json_object_get_boolean_member (response_object (poll_future, NULL), "reset"));

  ws = ws_client_connect (ts, "since=2");
  TEST_WAIT_FOR (ws->frames->len >= 2);
  g_assert_cmpstr (frame_type (ws_client_frame (ws, 0)), ==, "hello");
  g_assert_cmpstr (frame_type (ws_client_frame (ws, 1)), ==, "reset");
  g_assert_cmpint (json_object_get_int_member (ws_client_frame (ws, 1), "seq"), ==, 8);
  g_assert_cmpuint (ws_client_count_events (ws), ==, 0);

  sse = sse_client_connect (ts, NULL, "2");
  TEST_WAIT_FOR (sse->events->len >= 1);
  event = g_ptr_array_index (sse->events, 0);
  g_assert_cmpstr (event->event, ==, "reset");
  g_assert_cmpstr (event->id, ==, "8");

  /* After a reset the stream goes on live. */
  {
    g_autoptr(JsonNode) card = test_create_card (ts, column, "after reset", NULL);
  }
  TEST_WAIT_FOR (ws_client_count_events (ws) >= 1 && sse->events->len >= 2);
  g_assert_cmpint (json_object_get_int_member (ws_client_frame (ws, 2), "seq"), ==, 9);
  g_assert_cmpstr (((SseEvent *)g_ptr_array_index (sse->events, 1))->id, ==, "9");

  sse_client_free (sse);
  ws_client_free (ws);
  test_server_free (ts);
}

/* A client that never reads: a raw socket with a tiny receive buffer and
 * a request written by hand (a WebSocket handshake, or an SSE request).
 * The server must cut it off once its queue passes the limit, while a
 * normal subscriber keeps receiving everything. */
static GSocket *
connect_raw_reader (TestServer *ts,
                    gboolean    websocket)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, tack_server_get_port (ts->server));
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_autofree char *request = NULL;

  g_assert_no_error (error);
  g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, 4096, &error);
  g_assert_no_error (error);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);

  request = g_strdup_printf ("GET /api/v1/boards/%s/events?since=3 HTTP/1.1\r\n"
                             "Host: 127.0.0.1\r\n"
                             "Authorization: Bearer %s\r\n"
                             "%s"
                             "\r\n", ts->board_id, ts->board_token,
                             websocket ?
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "Sec-WebSocket-Protocol: tack.v1\r\n" :
                             "Accept: text/event-stream\r\n");
  g_socket_send (socket, request, strlen (request), NULL, &error);
  g_assert_no_error (error);

  return socket;
}

/* Reads the raw stream to the end of what the server sent, looking for
 * @needle (possibly across reads). */
typedef struct
{
  GInputStream *stream;
  guint8        buffer[65536];
  GByteArray   *tail;
  const char   *needle;
  gsize         needle_len;
  gboolean      found;
  gboolean      eof;
} RawDrain;

static void raw_read_next (RawDrain *drain);

static gboolean
bytes_contain (const guint8 *haystack,
               gsize         len,
               const char   *needle,
               gsize         needle_len)
{
  for (gsize i = 0; i + needle_len <= len; i++)
    if (memcmp (haystack + i, needle, needle_len) == 0)
      return TRUE;

  return FALSE;
}

static void
raw_read_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  RawDrain *drain = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  if (n <= 0)
    {
      drain->eof = TRUE;
      return;
    }

  g_byte_array_append (drain->tail, drain->buffer, n);
  if (bytes_contain (drain->tail->data, drain->tail->len, drain->needle, drain->needle_len))
    {
      drain->found = TRUE;
      return;
    }
  if (drain->tail->len > drain->needle_len)
    g_byte_array_remove_range (drain->tail, 0, drain->tail->len - drain->needle_len);

  raw_read_next (drain);
}

static void
raw_read_next (RawDrain *drain)
{
  g_input_stream_read_async (drain->stream, drain->buffer, sizeof drain->buffer,
                             G_PRIORITY_DEFAULT, NULL, raw_read_cb, drain);
}

static void
slow_reader (gboolean websocket)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *column = first_column (ts);
  g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s/cards", ts->board_id);
  g_autoptr(GSocket) raw = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GString) description = g_string_new (NULL);
  WsClient *normal_ws = NULL;
  SseClient *normal_sse = NULL;
  RawDrain *drain;
  guint writes = 0;
  gint64 last = 3;

  tack_server_set_max_queue_bytes (ts->server, 64 * 1024);

  if (websocket)
    normal_ws = ws_client_connect (ts, "since=3");
  else
    normal_sse = sse_client_connect (ts, "since=3", NULL);
  raw = connect_raw_reader (ts, websocket);
  TEST_WAIT_FOR (tack_server_get_n_subscribers (ts->server) == 2);

  for (guint i = 0; i < 30 * 1024; i++)
    g_string_append_c (description, 'a' + i % 26);

  /* Big events until the server gives up on the raw reader. The normal
   * subscriber has each one before the next is written: it never has
   * more than one event (about half the limit) in flight, however the
   * threads are scheduled, while the raw reader's backlog grows by one
   * event a write. */
  while (tack_server_get_n_dropped (ts->server) == 0)
    {
      g_autofree char *op = test_unique_op ();
      g_autofree char *body = g_strdup_printf ("{\"op\": \"%s\", \"column\": \"%s\", \"title\": \"big\","
                                               " \"description\": \"%s\"}", op, column, description->str);
      g_autoptr(Response) response = test_http (ts, "POST", path, ts->board_token, body);

      g_assert_cmpuint (response->status, ==, 201);
      last++;
      writes++;
      g_assert_cmpuint (writes, <, 2000);

      if (websocket)
        TEST_WAIT_FOR (ws_client_count_events (normal_ws) >= (guint)(last - 3) ||
                       tack_server_get_n_dropped (ts->server) > 0);
      else
        TEST_WAIT_FOR (normal_sse->events->len >= (guint)(last - 3) ||
                       tack_server_get_n_dropped (ts->server) > 0);
    }

  g_test_message ("The slow reader was dropped after %u writes", writes);
  g_assert_cmpuint (tack_server_get_n_dropped (ts->server), ==, 1);
  g_assert_cmpuint (tack_server_get_n_subscribers (ts->server), ==, 1);

  /* The normal subscriber got every one of them, and keeps getting more. */
  {
    g_autoptr(JsonNode) card = test_create_card (ts, column, "small", NULL);
  }
  last++;

  if (websocket)
    {
      TEST_WAIT_FOR (ws_client_count_events (normal_ws) >= (guint)(last - 3));
      g_assert_cmpint (assert_ws_events_contiguous (normal_ws, 3), ==, last);
      g_assert_false (normal_ws->closed);
    }
  else
    {
      TEST_WAIT_FOR (normal_sse->events->len >= (guint)(last - 3));
      for (guint i = 0; i < normal_sse->events->len; i++)
        {
          g_autofree char *id = g_strdup_printf ("%u", 4 + i);

          g_assert_cmpstr (((SseEvent *)g_ptr_array_index (normal_sse->events, i))->id, ==, id);
        }
      g_assert_false (normal_sse->eof);
    }

  /* Once it does read, the slow one finds the end the server gave it: the
   * close frame 4008 (0x0FA8) with its reason, or, for SSE (whose body
   * lasts as long as the connection), the end of the stream after what
   * was queued. */
  connection = g_socket_connection_factory_create_connection (raw);
  drain = g_new0 (RawDrain, 1);
  drain->stream = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  drain->tail = g_byte_array_new ();
  drain->needle = websocket ? "\x0f\xa8too slow: resume with since" : "\n\n";
  drain->needle_len = strlen (drain->needle);
  raw_read_next (drain);
  TEST_WAIT_FOR (drain->found || drain->eof);
  g_assert_true (drain->found);
  if (!websocket)
    {
      /* Then the stream ends. */
      drain->found = FALSE;
      drain->needle = "\x01never sent";
      drain->needle_len = strlen (drain->needle);
      raw_read_next (drain);
      TEST_WAIT_FOR (drain->eof);
      g_assert_false (drain->found);
    }
  g_byte_array_unref (drain->tail);
  g_free (drain);

  if (normal_ws != NULL)
    ws_client_free (normal_ws);
  if (normal_sse != NULL)
    sse_client_free (normal_sse);
  test_server_free (ts);
}

static void
test_events_slow_reader_websocket (void)
{
  slow_reader (TRUE);
}

static void
test_events_slow_reader_sse (void)
{
  slow_reader (FALSE);
}

/* A run of events bigger than a subscriber's limit, committed at once,
 * reaches a worker as one command, queued in one drain of its inbox
 * before any of it is written. That is no backlog: the socket takes it
 * (a loopback socket takes far more than this at once), and the
 * subscribers, which read, get all of it and are not dropped. */
static void
test_events_burst_over_limit (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *column = first_column (ts);
  g_autoptr(GString) description = g_string_new (NULL);
  const guint limit = 4 * 1024;
  const guint n_events = 12;
  WsClient *ws;
  SseClient *sse;

  tack_server_set_max_queue_bytes (ts->server, limit);

  ws = ws_client_connect (ts, "since=3");
  sse = sse_client_connect (ts, "since=3", NULL);
  TEST_WAIT_FOR (tack_server_get_n_subscribers (ts->server) == 2 && ws->frames->len >= 1 && sse->open);

  for (guint i = 0; i < 1024; i++)
    g_string_append_c (description, 'a' + i % 26);

  /* Straight to the storage, with no main-loop iteration in between:
   * the server broadcasts the events in one run once the loop runs. */
  for (guint i = 0; i < n_events; i++)
    {
      g_autoptr(JsonObject) fields = json_object_new ();
      g_autoptr(TackWriteResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *op = test_unique_op ();
      TackWriteRequest request = {
        .kind = TACK_WRITE_CREATE_CARD,
        .board_id = ts->board_id,
        .op = op,
        .fields = fields,
      };

      json_object_set_string_member (fields, "column", column);
      json_object_set_string_member (fields, "title", "burst");
      json_object_set_string_member (fields, "description", description->str);
      g_assert_true (tack_storage_write (ts->server->storage, &request, &result, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (result->status, ==, 201);
    }
  g_assert_cmpuint (n_events * description->len, >, 2 * limit);

  TEST_WAIT_FOR ((ws_client_count_events (ws) >= n_events && sse->events->len >= n_events) ||
                 tack_server_get_n_dropped (ts->server) > 0);
  g_assert_cmpuint (tack_server_get_n_dropped (ts->server), ==, 0);

  g_assert_cmpint (assert_ws_events_contiguous (ws, 3), ==, 3 + n_events);
  g_assert_cmpuint (sse->events->len, ==, n_events);
  for (guint i = 0; i < n_events; i++)
    {
      g_autofree char *id = g_strdup_printf ("%u", 4 + i);

      g_assert_cmpstr (((SseEvent *)g_ptr_array_index (sse->events, i))->id, ==, id);
    }
  g_assert_cmpuint (tack_server_get_n_subscribers (ts->server), ==, 2);
  g_assert_false (ws->closed);
  g_assert_false (sse->eof);

  sse_client_free (sse);
  ws_client_free (ws);
  test_server_free (ts);
}

/* Stopping the server with live streams and a held poll ends each of
 * them cleanly: WebSocket 1001, SSE end of stream, long poll 503. */
static void
test_events_stop (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *path_wait = g_strdup_printf ("/api/v1/boards/%s/events?since=3&wait=30", ts->board_id);
  WsClient *ws = ws_client_connect (ts, "since=3");
  SseClient *sse = sse_client_connect (ts, "since=3", NULL);
  Response *held = NULL;

  test_http_async (ts, NULL, "GET", path_wait, ts->board_token, NULL, &held);
  TEST_WAIT_FOR (tack_server_get_n_waiters (ts->server) == 1 &&
                 tack_server_get_n_subscribers (ts->server) == 2);

  tack_server_stop (ts->server);

  /* The held poll is answered 503, though the connection may close
   * before the answer is out. */
  TEST_WAIT_FOR (ws->closed && sse->eof && held != NULL);
  g_assert_true (ws->close_code == SOUP_WEBSOCKET_CLOSE_GOING_AWAY || ws->close_code == 0);
  g_assert_true (held->status == 503 || held->status == 0);
  g_assert_cmpuint (tack_server_get_n_subscribers (ts->server), ==, 0);
  response_free (held);

  sse_client_free (sse);
  ws_client_free (ws);
  test_server_free (ts);
}

/* Many subscribers at once, each connecting without waiting for the
 * others, all get the same event. */
static void
ws_connected_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  WsClient *client = user_data;

  client->ws = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &client->error);
  g_assert_no_error (client->error);
  client->done = TRUE;
  g_signal_connect_swapped (client->ws, "message", G_CALLBACK (g_ptr_array_add), client->frames);
}

static void
test_events_many_subscribers (void)
{
  static char *protocols[] = { (char *)"tack.v1", NULL };
  TestServer *ts = test_server_new (0);
  g_autofree char *column = first_column (ts);
  g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s/events?since=3&access_token=%s",
                                           ts->board_id, ts->board_token);
  g_autofree char *url = g_strconcat (ts->base, path, NULL);
  const guint n = 200;
  WsClient *clients[200];
  g_autoptr(JsonNode) card = NULL;
  guint connected;
  guint received;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

      clients[i] = g_new0 (WsClient, 1);
      /* GBytes frames, counted only. */
      clients[i]->frames = g_ptr_array_new_with_free_func (NULL);
      soup_session_websocket_connect_async (ts->session, msg, NULL, protocols, G_PRIORITY_DEFAULT,
                                            NULL, ws_connected_cb, clients[i]);
    }

  do
    {
      test_wait_tick ();
      connected = 0;
      for (guint i = 0; i < n; i++)
        connected += clients[i]->done && clients[i]->frames->len >= 1;
    }
  while (connected < n);
  g_assert_cmpuint (tack_server_get_n_subscribers (ts->server), ==, n);

  card = test_create_card (ts, column, "For everyone", NULL);

  do
    {
      test_wait_tick ();
      received = 0;
      for (guint i = 0; i < n; i++)
        received += clients[i]->frames->len >= 2;
    }
  while (received < n);

  for (guint i = 0; i < n; i++)
    {
      g_signal_handlers_disconnect_by_data (clients[i]->ws, clients[i]->frames);
      soup_websocket_connection_close (clients[i]->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&clients[i]->ws);
      g_ptr_array_unref (clients[i]->frames);
      g_free (clients[i]);
    }

  TEST_WAIT_FOR (tack_server_get_n_subscribers (ts->server) == 0);
  test_server_free (ts);
}

/* A worker takes a few subscribers; more start more workers. Events and
 * presence cross every worker, a worker left empty hears no broadcast,
 * and one that empties takes the next subscriber again. */
static void
test_events_spread_over_workers (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *column = first_column (ts);
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) third = NULL;
  WsClient *ws[10];
  SseClient *sse[2];
  WsClient *late;
  guint n_workers;

  tack_server_set_worker_capacity (ts->server, 4);

  for (guint i = 0; i < G_N_ELEMENTS (ws); i++)
    {
      g_autofree char *query = g_strdup_printf ("user=u%u", i);

      ws[i] = ws_client_connect (ts, query);
      TEST_WAIT_FOR (ws[i]->frames->len >= 1);
      g_assert_cmpstr (frame_type (ws_client_frame (ws[i], 0)), ==, "hello");
    }
  for (guint i = 0; i < G_N_ELEMENTS (sse); i++)
    sse[i] = sse_client_connect (ts, NULL, NULL);
  TEST_WAIT_FOR (tack_server_get_n_subscribers (ts->server) == 12);

  /* Twelve subscribers, four a worker. */
  n_workers = tack_subscriber_pool_get_n_workers (ts->server->subscribers);
  g_assert_cmpuint (n_workers, >=, 3);

  /* One says where it is: the nine other WebSockets hear it, whatever
   * worker they are on. */
  ws_client_send (ws[0], "{\"type\": \"presence\", \"state\": {\"viewing\": \"card-1\"}}");
  for (guint i = 1; i < G_N_ELEMENTS (ws); i++)
    {
      TEST_WAIT_FOR (ws[i]->frames->len >= 2);
      g_assert_cmpstr (frame_type (ws_client_frame (ws[i], 1)), ==, "presence");
    }

  first = test_create_card (ts, column, "For every worker", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (ws); i++)
    {
      TEST_WAIT_FOR (ws_client_count_events (ws[i]) == 1);
      g_assert_cmpint (json_object_get_int_member (ws_client_frame (ws[i], ws[i]->frames->len - 1), "seq"), ==, 4);
    }
  for (guint i = 0; i < G_N_ELEMENTS (sse); i++)
    {
      TEST_WAIT_FOR (sse[i]->events->len == 1);
      g_assert_cmpstr (((SseEvent *)g_ptr_array_index (sse[i]->events, 0))->id, ==, "4");
    }

  /* The WebSockets leave; the SSE streams still hear the board. */
  for (guint i = 0; i < G_N_ELEMENTS (ws); i++)
    {
      soup_websocket_connection_close (ws[i]->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      TEST_WAIT_FOR (ws[i]->closed);
      ws_client_free (ws[i]);
    }
  TEST_WAIT_FOR (tack_server_get_n_subscribers (ts->server) == 2);
  second = test_create_card (ts, column, "For the streams", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (sse); i++)
    {
      TEST_WAIT_FOR (sse[i]->events->len == 2);
      g_assert_cmpstr (((SseEvent *)g_ptr_array_index (sse[i]->events, 1))->id, ==, "5");
    }

  /* A newcomer lands on a worker that emptied, which hears the board
   * again; no worker is started for it. */
  late = ws_client_connect (ts, "since=5");
  TEST_WAIT_FOR (late->frames->len >= 1);
  g_assert_cmpint (json_object_get_int_member (ws_client_frame (late, 0), "seq"), ==, 5);
  third = test_create_card (ts, column, "For the newcomer", NULL);
  TEST_WAIT_FOR (ws_client_count_events (late) == 1);
  g_assert_cmpint (json_object_get_int_member (ws_client_frame (late, late->frames->len - 1), "seq"), ==, 6);
  g_assert_cmpuint (tack_subscriber_pool_get_n_workers (ts->server->subscribers), ==, n_workers);

  for (guint i = 0; i < G_N_ELEMENTS (sse); i++)
    {
      TEST_WAIT_FOR (sse[i]->events->len == 3);
      sse_client_free (sse[i]);
    }
  ws_client_free (late);
  test_server_free (ts);
}

/* Subscribers come and go while writes are in flight: those that stay
 * get every event once, in seq order, whatever left around them; those
 * that leave (closing, or dropping the connection) are forgotten, with
 * their presence. The WebSocket subscribers live on the server's worker
 * threads, so this is the run AddressSanitizer watches for a subscriber
 * freed under a broadcast. */
static void
test_events_leave_during_broadcast (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *column = first_column (ts);
  g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s/cards", ts->board_id);
  const guint n_stay = 5;
  const guint n_go = 20;
  WsClient *stay[5];
  WsClient *go[20];
  Response *responses[20] = { NULL, };
  gint64 start = test_board_seq (ts);
  WsClient *late;

  for (guint i = 0; i < n_stay; i++)
    {
      g_autofree char *query = g_strdup_printf ("since=%" G_GINT64_FORMAT, start);

      stay[i] = ws_client_connect (ts, query);
      g_assert_no_error (stay[i]->error);
    }
  for (guint i = 0; i < n_go; i++)
    {
      go[i] = ws_client_connect (ts, "user=leaver");
      g_assert_no_error (go[i]->error);
      TEST_WAIT_FOR (go[i]->frames->len >= 1);
      ws_client_send (go[i], "{\"type\": \"presence\", \"state\": {\"card\": null}}");
    }
  TEST_WAIT_FOR (tack_server_get_n_subscribers (ts->server) == n_stay + n_go);

  /* A write in flight for each leaver, and the leaver gone before its
   * answer: half close, half drop their connection. */
  for (guint i = 0; i < n_go; i++)
    {
      g_autofree char *op = test_unique_op ();
      g_autofree char *body = g_strdup_printf ("{\"op\": \"%s\", \"column\": \"%s\", \"title\": \"w%u\"}",
                                               op, column, i);

      test_http_async (ts, NULL, "POST", path, ts->board_token, body, &responses[i]);
      if (i % 2 == 0)
        soup_websocket_connection_close (go[i]->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      else
        g_io_stream_close (soup_websocket_connection_get_io_stream (go[i]->ws), NULL, NULL);
      test_wait_tick ();
    }

  for (guint i = 0; i < n_go; i++)
    {
      TEST_WAIT_FOR (responses[i] != NULL);
      g_assert_cmpuint (responses[i]->status, ==, 201);
      response_free (responses[i]);
    }

  TEST_WAIT_FOR (tack_server_get_n_subscribers (ts->server) == n_stay);

  for (guint i = 0; i < n_stay; i++)
    {
      TEST_WAIT_FOR (ws_client_count_events (stay[i]) >= n_go);
      g_assert_cmpint (assert_ws_events_contiguous (stay[i], start), ==, start + n_go);
      ws_client_free (stay[i]);
    }

  for (guint i = 0; i < n_go; i++)
    ws_client_free (go[i]);

  /* Nobody is left present. */
  late = ws_client_connect (ts, NULL);
  TEST_WAIT_FOR (late->frames->len >= 1);
  {
    g_autoptr(JsonNode) card = test_create_card (ts, column, "after", NULL);
  }
  TEST_WAIT_FOR (ws_client_count_events (late) >= 1);
  for (guint i = 0; i < late->frames->len; i++)
    g_assert_cmpstr (frame_type (ws_client_frame (late, i)), !=, "presence");
  ws_client_free (late);

  test_server_free (ts);
}

/* A burst of moves, all in flight at once, so that the workers get them
 * in few drains and send each subscriber several frames in one write:
 * a WebSocket and an SSE subscriber get every one, once, in order, and
 * the WebSocket still answers a ping and closes cleanly after. */
static void
test_events_burst (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s", ts->board_id);
  g_autoptr(SoupSession) session = g_object_new (SOUP_TYPE_SESSION, "max-conns-per-host", 64, NULL);
  const guint n_cards = 40;
  const guint n_rounds = 3;
  g_autofree char *from_column = NULL;
  g_autofree char *to_column = NULL;
  g_autoptr(GPtrArray) cards = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  gint64 start;
  g_autofree char *query = NULL;
  WsClient *ws;
  SseClient *sse;
  guint n_events;

  {
    g_autoptr(Response) snap = test_http (ts, "GET", path, ts->board_token, NULL);
    JsonArray *columns = json_object_get_array_member (response_object (snap, NULL), "columns");

    g_assert_cmpuint (json_array_get_length (columns), >=, 2);
    from_column = g_strdup (json_object_get_string_member (json_array_get_object_element (columns, 0), "id"));
    to_column = g_strdup (json_object_get_string_member (json_array_get_object_element (columns, 1), "id"));
  }

  for (guint i = 0; i < n_cards; i++)
    g_ptr_array_add (cards, test_create_card (ts, from_column, "burst", NULL));

  start = test_board_seq (ts);
  query = g_strdup_printf ("since=%" G_GINT64_FORMAT, start);
  ws = ws_client_connect (ts, query);
  sse = sse_client_connect (ts, query, NULL);
  TEST_WAIT_FOR (ws->frames->len >= 1 && sse->open);
  TEST_WAIT_FOR (tack_server_get_n_subscribers (ts->server) == 2);

  /* Every card moves each round, all of a round's moves in flight. */
  for (guint round = 0; round < n_rounds; round++)
    {
      Response *responses[40] = { NULL, };

      for (guint i = 0; i < n_cards; i++)
        {
          JsonObject *card = json_node_get_object (g_ptr_array_index (cards, i));
          g_autofree char *move = g_strdup_printf ("%s/cards/%s/move", path, json_object_get_string_member (card, "id"));
          g_autofree char *op = test_unique_op ();
          g_autofree char *body = g_strdup_printf ("{\"op\": \"%s\", \"base_version\": %" G_GINT64_FORMAT ","
                                                   " \"column\": \"%s\", \"after\": null}",
                                                   op, json_object_get_int_member (card, "version"),
                                                   round % 2 == 0 ? to_column : from_column);

          test_http_async (ts, session, "POST", move, ts->board_token, body, &responses[i]);
        }

      for (guint i = 0; i < n_cards; i++)
        {
          TEST_WAIT_FOR (responses[i] != NULL);
          g_assert_cmpuint (responses[i]->status, ==, 200);
          json_node_unref (g_ptr_array_index (cards, i));
          g_ptr_array_index (cards, i) = json_node_copy (json_object_get_member (response_object (responses[i], NULL), "card"));
          response_free (responses[i]);
        }
    }

  n_events = n_cards * n_rounds;
  TEST_WAIT_FOR (ws_client_count_events (ws) >= n_events && sse->events->len >= n_events);

  g_assert_cmpuint (ws_client_count_events (ws), ==, n_events);
  g_assert_cmpint (assert_ws_events_contiguous (ws, start), ==, start + n_events);
  g_assert_cmpuint (sse->events->len, ==, n_events);
  for (guint i = 0; i < n_events; i++)
    {
      SseEvent *event = g_ptr_array_index (sse->events, i);
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, start + 1 + i);

      g_assert_cmpstr (event->id, ==, id);
      g_assert_cmpstr (event->event, ==, "card.moved");
    }

  /* The connection still answers and closes as it did. */
  ws_client_send (ws, "{\"type\": \"ping\"}");
  TEST_WAIT_FOR (ws->frames->len >= 1 + n_events + 1);
  g_assert_cmpstr (frame_type (ws_client_frame (ws, ws->frames->len - 1)), ==, "pong");

  soup_websocket_connection_close (ws->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  TEST_WAIT_FOR (ws->closed);
  g_assert_cmpuint (ws->close_code, ==, SOUP_WEBSOCKET_CLOSE_NORMAL);
  TEST_WAIT_FOR (tack_server_get_n_subscribers (ts->server) == 1);

  sse_client_free (sse);
  ws_client_free (ws);
  test_server_free (ts);
}

/* A replay longer than a page goes on in pages while others write: every
 * event once, in seq order, then the live ones. */
static void
replay_in_pages (gboolean websocket)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *column = first_column (ts);
  g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s/cards", ts->board_id);
  g_autoptr(SoupSession) session = g_object_new (SOUP_TYPE_SESSION, NULL);
  g_autoptr(JsonNode) live = NULL;
  WsClient *ws = NULL;
  SseClient *sse = NULL;
  Response *pending = NULL;
  gint64 last;

  /* Pages of a few events: the replay of 60 takes about twenty. */
  tack_server_set_replay_pages (ts->server, 2, 3);

  for (guint i = 0; i < 60; i++)
    {
      g_autoptr(JsonNode) card = test_create_card (ts, column, "backlog", NULL);
    }

  if (websocket)
    ws = ws_client_connect (ts, "since=1");
  else
    sse = sse_client_connect (ts, "since=1", NULL);

  /* Commits while it catches up. */
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *op = test_unique_op ();
      g_autofree char *body = g_strdup_printf ("{\"op\": \"%s\", \"column\": \"%s\", \"title\": \"during\"}", op, column);

      test_http_async (ts, session, "POST", path, ts->board_token, body, &pending);
      TEST_WAIT_FOR (pending != NULL);
      g_assert_cmpuint (pending->status, ==, 201);
      g_clear_pointer (&pending, response_free);
    }

  /* And one once it is live: nothing after it may come twice. */
  last = test_board_seq (ts);
  if (websocket)
    TEST_WAIT_FOR (ws_client_count_events (ws) >= (guint)(last - 1));
  else
    TEST_WAIT_FOR (sse->events->len >= (guint)(last - 1));
  live = test_create_card (ts, column, "live", NULL);
  last++;

  if (websocket)
    {
      TEST_WAIT_FOR (ws_client_count_events (ws) >= (guint)(last - 1));
      g_assert_cmpstr (frame_type (ws_client_frame (ws, 0)), ==, "hello");
      g_assert_cmpint (assert_ws_events_contiguous (ws, 1), ==, last);
      ws_client_free (ws);
    }
  else
    {
      TEST_WAIT_FOR (sse->events->len >= (guint)(last - 1));
      for (guint i = 0; i < sse->events->len; i++)
        {
          SseEvent *event = g_ptr_array_index (sse->events, i);

          g_assert_cmpint (g_ascii_strtoll (event->id, NULL, 10), ==, 2 + i);
        }
      g_assert_cmpuint (sse->events->len, ==, last - 1);
      sse_client_free (sse);
    }

  test_server_free (ts);
}

static void
test_events_replay_in_pages_websocket (void)
{
  replay_in_pages (TRUE);
}

static void
test_events_replay_in_pages_sse (void)
{
  replay_in_pages (FALSE);
}

/* The log loses the rest of a replay under the reader (a storage whose
 * log loses what follows the first page, as pruning does under a reader
 * that far behind): it gets a reset
 * with the current seq, as if it had asked that late, then live events
 * from there. */
static void
test_events_replay_pruned (void)
{
  TestProxyStorage *storage;
  TestServer *ts = test_server_new_proxied (&storage);
  g_autofree char *column = NULL;
  g_autoptr(JsonNode) live = NULL;
  WsClient *ws;
  JsonObject *reset;
  gint64 current;

  storage->pruned_limit = 3;
  tack_server_set_replay_pages (ts->server, 2, 3);
  column = first_column (ts);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(JsonNode) card = test_create_card (ts, column, "c", NULL);
    }
  current = test_board_seq (ts);

  ws = ws_client_connect (ts, "since=3");
  TEST_WAIT_FOR (ws->frames->len >= 4);
  g_assert_cmpstr (frame_type (ws_client_frame (ws, 0)), ==, "hello");
  g_assert_cmpint (json_object_get_int_member (ws_client_frame (ws, 1), "seq"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (ws_client_frame (ws, 2), "seq"), ==, 5);
  reset = ws_client_frame (ws, 3);
  g_assert_cmpstr (frame_type (reset), ==, "reset");
  g_assert_cmpint (json_object_get_int_member (reset, "seq"), ==, current);

  live = test_create_card (ts, column, "live", NULL);
  TEST_WAIT_FOR (ws->frames->len >= 5);
  /* Nothing of what the reset covers comes after it. */
  g_assert_cmpint (json_object_get_int_member (ws_client_frame (ws, 4), "seq"), ==, current + 1);

  ws_client_free (ws);
  test_server_free (ts);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tack/server/events/websocket", test_events_websocket);
  g_test_add_func ("/tack/server/events/websocket-errors", test_events_websocket_errors);
  g_test_add_func ("/tack/server/events/websocket-resume", test_events_websocket_resume);
  g_test_add_func ("/tack/server/events/no-gap-while-writing", test_events_no_gap_while_writing);
  g_test_add_func ("/tack/server/events/replay-in-pages-websocket", test_events_replay_in_pages_websocket);
  g_test_add_func ("/tack/server/events/replay-in-pages-sse", test_events_replay_in_pages_sse);
  g_test_add_func ("/tack/server/events/replay-pruned", test_events_replay_pruned);
  g_test_add_func ("/tack/server/events/sse", test_events_sse);
  g_test_add_func ("/tack/server/events/poll", test_events_poll);
  g_test_add_func ("/tack/server/events/reset", test_events_reset);
  g_test_add_func ("/tack/server/events/slow-reader-websocket", test_events_slow_reader_websocket);
  g_test_add_func ("/tack/server/events/slow-reader-sse", test_events_slow_reader_sse);
  g_test_add_func ("/tack/server/events/burst-over-limit", test_events_burst_over_limit);
  g_test_add_func ("/tack/server/events/stop", test_events_stop);
  g_test_add_func ("/tack/server/events/many-subscribers", test_events_many_subscribers);
  g_test_add_func ("/tack/server/events/spread-over-workers", test_events_spread_over_workers);
  g_test_add_func ("/tack/server/events/leave-during-broadcast", test_events_leave_during_broadcast);
  g_test_add_func ("/tack/server/events/burst", test_events_burst);

  return g_test_run ();
}
