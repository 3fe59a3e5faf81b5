/* test-transports.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Each transport as the client reads it, against a small in-process
 * double of the server's event stream (a SoupServer speaking the parts of
 * PROTOCOL.md these tests need): WebSocket with hello, ping/pong and
 * presence; SSE; polling. The real server is exercised by
 * test-connection and test-outbox; this one runs without it and pins
 * down the client's side of the wire. */

#include "config.h"

#include <string.h>

#include "tack-test-net.h"

typedef struct
{
  SoupServer *server;
  char       *url;
  GPtrArray  *events;     /* JsonNode*, seq = index + 1 */
  GPtrArray  *cards;      /* JsonObject* */
  GPtrArray  *sockets;    /* SoupWebsocketConnection* */
  GPtrArray  *streams;    /* SoupServerMessage*, SSE */
  guint       heartbeat_ms;
  gboolean    mute;       /* swallow pings: a half-open connection */
} Fake;

static char *
node_to_string (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

static char *
snapshot_string (Fake *fake)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "board");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, "b1");
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, "Board");
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, fake->events->len);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "columns");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, "c1");
  json_builder_set_member_name (builder, "board");
  json_builder_add_string_value (builder, "b1");
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, "Todo");
  json_builder_set_member_name (builder, "position");
  json_builder_add_string_value (builder, "a");
  json_builder_set_member_name (builder, "wip_limit");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "cards");
  json_builder_begin_array (builder);
  for (guint i = 0; i < fake->cards->len; i++)
    {
      JsonNode *card = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (card, g_ptr_array_index (fake->cards, i));
      json_builder_add_value (builder, card);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, fake->events->len);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return node_to_string (root);
}

static void
sse_append (SoupServerMessage *message,
            JsonNode          *event)
{
  JsonObject *object = json_node_get_object (event);
  g_autofree char *data = node_to_string (event);
  g_autofree char *text = g_strdup_printf ("id: %" G_GINT64_FORMAT "\nevent: %s\ndata: %s\n\n",
                                           json_object_get_int_member (object, "seq"),
                                           json_object_get_string_member (object, "type"),
                                           data);

  soup_message_body_append (soup_server_message_get_response_body (message),
                            SOUP_MEMORY_COPY, text, strlen (text));
  soup_server_message_unpause (message);
}

static void
fake_broadcast (Fake     *fake,
                JsonNode *frame)
{
  g_autofree char *text = node_to_string (frame);

  for (guint i = 0; i < fake->sockets->len; i++)
    {
      SoupWebsocketConnection *socket = g_ptr_array_index (fake->sockets, i);

      if (soup_websocket_connection_get_state (socket) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_send_text (socket, text);
    }

  if (json_object_has_member (json_node_get_object (frame), "seq"))
    for (guint i = 0; i < fake->streams->len; i++)
      sse_append (g_ptr_array_index (fake->streams, i), frame);
}

static char *
fake_create_card (Fake       *fake,
                  const char *title)
{
  JsonObject *card = json_object_new ();
  JsonObject *event = json_object_new ();
  JsonObject *data = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  char *id = g_strdup_printf ("k%u", fake->cards->len + 1);

  json_object_set_string_member (card, "id", id);
  json_object_set_string_member (card, "column", "c1");
  json_object_set_string_member (card, "title", title);
  json_object_set_string_member (card, "description", "");
  json_object_set_string_member (card, "position", id);
  json_object_set_array_member (card, "labels", json_array_new ());
  json_object_set_array_member (card, "assignees", json_array_new ());
  json_object_set_null_member (card, "due");
  json_object_set_int_member (card, "version", 1);
  json_object_set_string_member (card, "updated_at", "2026-11-25T10:00:00Z");
  json_object_set_string_member (card, "updated_by", "ada");
  g_ptr_array_add (fake->cards, json_object_ref (card));

  json_object_set_int_member (event, "seq", fake->events->len + 1);
  json_object_set_string_member (event, "type", "card.created");
  json_object_set_null_member (event, "op");
  json_object_set_string_member (event, "actor", "ada");
  json_object_set_object_member (data, "card", card);
  json_object_set_object_member (event, "data", data);
  json_node_take_object (node, event);
  g_ptr_array_add (fake->events, json_node_ref (node));

  fake_broadcast (fake, node);

  return id;
}

static gint64
since_of (SoupServerMessage *message)
{
  GUri *uri = soup_server_message_get_uri (message);
  g_autoptr(GHashTable) params = NULL;
  const char *since;

  if (g_uri_get_query (uri) == NULL)
    return 0;

  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  since = params ? g_hash_table_lookup (params, "since") : NULL;

  return since ? g_ascii_strtoll (since, NULL, 10) : 0;
}

static void
ws_message_cb (SoupWebsocketConnection *socket,
               gint                     type,
               GBytes                  *bytes,
               Fake                    *fake)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  if (!fake->mute && strstr (text, "\"ping\"") != NULL)
    soup_websocket_connection_send_text (socket, "{\"type\": \"pong\"}");
}

static void
ws_handler (SoupServer              *server,
            SoupServerMessage       *message,
            const char              *path,
            SoupWebsocketConnection *socket,
            gpointer                 user_data)
{
  Fake *fake = user_data;
  g_autofree char *hello = NULL;
  gint64 since = since_of (message);

  hello = g_strdup_printf ("{\"type\": \"hello\", \"seq\": %u, \"heartbeat_ms\": %u, \"session\": \"s\"}",
                           fake->events->len, fake->heartbeat_ms);
  soup_websocket_connection_send_text (socket, hello);

  for (guint i = (guint)since; i < fake->events->len; i++)
    {
      g_autofree char *text = node_to_string (g_ptr_array_index (fake->events, i));

      soup_websocket_connection_send_text (socket, text);
    }

  g_signal_connect (socket, "message", G_CALLBACK (ws_message_cb), fake);
  g_ptr_array_add (fake->sockets, g_object_ref (socket));
}

static void
stream_finished_cb (SoupServerMessage *message,
                    Fake              *fake)
{
  g_ptr_array_remove (fake->streams, message);
}

static void
board_handler (SoupServer        *server,
               SoupServerMessage *message,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  Fake *fake = user_data;
  SoupMessageHeaders *request = soup_server_message_get_request_headers (message);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (message);
  const char *accept = soup_message_headers_get_one (request, "Accept");
  g_autofree char *body = NULL;

  if (g_str_equal (path, "/api/v1/boards/b1"))
    {
      body = snapshot_string (fake);
    }
  else if (g_str_equal (path, "/api/v1/boards/b1/events") && accept &&
           strstr (accept, "text/event-stream"))
    {
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_message_headers_set_content_type (response, "text/event-stream", NULL);
      soup_message_headers_set_encoding (response, SOUP_ENCODING_CHUNKED);
      soup_message_body_append (soup_server_message_get_response_body (message),
                                SOUP_MEMORY_STATIC, ": hi\n\n", 6);
      for (guint i = (guint)since_of (message); i < fake->events->len; i++)
        sse_append (message, g_ptr_array_index (fake->events, i));
      g_ptr_array_add (fake->streams, message);
      g_signal_connect (message, "finished", G_CALLBACK (stream_finished_cb), fake);
      return;
    }
  else if (g_str_equal (path, "/api/v1/boards/b1/events"))
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "seq");
      json_builder_add_int_value (builder, fake->events->len);
      json_builder_set_member_name (builder, "events");
      json_builder_begin_array (builder);
      for (guint i = (guint)since_of (message); i < fake->events->len; i++)
        json_builder_add_value (builder, json_node_copy (g_ptr_array_index (fake->events, i)));
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "more");
      json_builder_add_boolean_value (builder, FALSE);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      body = node_to_string (root);
    }
  else
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

static void
events_early_handler (SoupServer        *server,
                      SoupServerMessage *message,
                      const char        *path,
                      GHashTable        *query,
                      gpointer           user_data)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (message);

  if (soup_message_headers_get_one (request, "Upgrade") == NULL)
    board_handler (server, message, path, query, user_data);
}

static void
fake_start (Fake *fake)
{
  static char *protocols[] = { (char *)"tack.v1", NULL };
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fake->events = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  fake->cards = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  fake->sockets = g_ptr_array_new_with_free_func (g_object_unref);
  fake->streams = g_ptr_array_new ();
  if (fake->heartbeat_ms == 0)
    fake->heartbeat_ms = 15000;

  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (fake->server, "/api/v1/boards/b1/events", NULL, protocols,
                                     ws_handler, fake, NULL);
  soup_server_add_handler (fake->server, "/api/v1/boards/b1", board_handler, fake, NULL);
  /* The WebSocket handler turns every other request for its path away;
   * SSE and polling are answered before it sees them. */
  soup_server_add_early_handler (fake->server, "/api/v1/boards/b1/events", events_early_handler,
                                 fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (fake->server);
  fake->url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
}

static void
fake_close_sockets (Fake *fake)
{
  for (guint i = 0; i < fake->sockets->len; i++)
    if (soup_websocket_connection_get_state (g_ptr_array_index (fake->sockets, i)) ==
        SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close (g_ptr_array_index (fake->sockets, i),
                                       SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  g_ptr_array_set_size (fake->sockets, 0);
}

static void
fake_stop (Fake *fake)
{
  fake_close_sockets (fake);
  for (guint i = 0; i < fake->streams->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (fake->streams, i), fake);
  soup_server_disconnect (fake->server);
  g_clear_object (&fake->server);
  g_ptr_array_unref (fake->events);
  g_ptr_array_unref (fake->cards);
  g_ptr_array_unref (fake->sockets);
  g_ptr_array_unref (fake->streams);
  g_free (fake->url);
}

static TestClient *
client_for (Fake              *fake,
            TackTransportMode  mode)
{
  TestBoard board = { .id = (char *)"b1", .token = (char *)"t" };
  TestClient *client = test_client_new (fake->url, &board, NULL);

  g_object_set (client->connection,
                "mode", mode,
                "poll-interval", 1,
                "backoff-base", 20,
                "backoff-cap", 100,
                NULL);

  return client;
}

static void
check_transport (TackTransportMode mode)
{
  static const TackConnectionState expected[] = {
    TACK_CONNECTION_CONNECTING, TACK_CONNECTION_LIVE,
  };
  Fake fake = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  TestClient *client;

  fake_start (&fake);
  before = fake_create_card (&fake, "Before");

  client = client_for (&fake, mode);
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);

  test_client_assert_seen_in_order (client, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (tack_connection_get_transport (client->connection), ==, mode);
  g_assert_nonnull (tack_store_lookup_card (client->store, before));

  after = fake_create_card (&fake, "Pushed");
  TEST_WAIT_FOR (tack_store_lookup_card (client->store, after) != NULL);
  g_assert_cmpint (tack_dispatcher_get_seq (client->dispatcher), ==, 2);
  g_assert_cmpuint (tack_api_get_n_snapshot_fetches (client->api), ==, 1);

  test_client_free (client);
  fake_stop (&fake);
}

static void
test_transport_websocket (void)
{
  check_transport (TACK_TRANSPORT_WEBSOCKET);
}

static void
test_transport_sse (void)
{
  check_transport (TACK_TRANSPORT_SSE);
}

static void
test_transport_polling (void)
{
  check_transport (TACK_TRANSPORT_POLLING);
}

/* Others' presence arrives as TackPresence objects, ours goes out, and
 * the list empties when the connection drops. */
static void
test_transport_presence (void)
{
  static const TackConnectionState expected[] = {
    TACK_CONNECTION_CONNECTING, TACK_CONNECTION_LIVE, TACK_CONNECTION_RECONNECTING,
    TACK_CONNECTION_CONNECTING, TACK_CONNECTION_LIVE,
  };
  Fake fake = { 0 };
  g_autoptr(JsonNode) bob = json_from_string ("{\"type\": \"presence\", \"user\": \"bob\","
                                              " \"state\": {\"editing\": \"k1\"}}", NULL);
  g_autoptr(JsonNode) bob_drags = json_from_string ("{\"type\": \"presence\", \"user\": \"bob\","
                                                    " \"state\": {\"dragging\": \"k1\"}}", NULL);
  g_autoptr(TackPresence) presence = NULL;
  TestClient *client;
  GListModel *others;

  fake_start (&fake);
  client = client_for (&fake, TACK_TRANSPORT_WEBSOCKET);
  others = tack_connection_get_presence (client->connection);
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);

  fake_broadcast (&fake, bob);
  TEST_WAIT_FOR (g_list_model_get_n_items (others) == 1);
  presence = g_list_model_get_item (others, 0);
  g_assert_cmpstr (tack_presence_get_user (presence), ==, "bob");
  g_assert_cmpstr (tack_presence_get_editing (presence), ==, "k1");

  /* Updated in place. */
  fake_broadcast (&fake, bob_drags);
  TEST_WAIT_FOR (g_strcmp0 (tack_presence_get_dragging (presence), "k1") == 0);
  g_assert_null (tack_presence_get_editing (presence));
  g_assert_cmpuint (g_list_model_get_n_items (others), ==, 1);

  /* Dropped: nobody is known to be here any more. */
  fake_close_sockets (&fake);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) != TACK_CONNECTION_LIVE);
  g_assert_cmpuint (g_list_model_get_n_items (others), ==, 0);

  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);
  test_client_assert_seen_in_order (client, expected, G_N_ELEMENTS (expected));

  test_client_free (client);
  fake_stop (&fake);
}

/* A server that stops answering (pings included) is declared dead
 * within the heartbeat deadline, and replaced. */
static void
test_transport_heartbeat (void)
{
  static const TackConnectionState expected[] = {
    TACK_CONNECTION_CONNECTING, TACK_CONNECTION_LIVE, TACK_CONNECTION_RECONNECTING,
    TACK_CONNECTION_CONNECTING, TACK_CONNECTION_LIVE,
  };
  Fake fake = { .heartbeat_ms = 100 };
  TestClient *client;

  fake_start (&fake);
  client = client_for (&fake, TACK_TRANSPORT_WEBSOCKET);
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);

  fake.mute = TRUE;
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) != TACK_CONNECTION_LIVE);
  g_assert_nonnull (strstr (tack_connection_get_reason (client->connection), "Nothing heard"));

  fake.mute = FALSE;
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);
  test_client_assert_seen_in_order (client, expected, G_N_ELEMENTS (expected));

  test_client_free (client);
  fake_stop (&fake);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tack/net/transport/websocket", test_transport_websocket);
  g_test_add_func ("/tack/net/transport/sse", test_transport_sse);
  g_test_add_func ("/tack/net/transport/polling", test_transport_polling);
  g_test_add_func ("/tack/net/transport/presence", test_transport_presence);
  g_test_add_func ("/tack/net/transport/heartbeat", test_transport_heartbeat);

  return g_test_run ();
}
