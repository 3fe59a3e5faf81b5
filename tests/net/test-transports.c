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

#include <glib/gstdio.h>
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
  GPtrArray  *presence;   /* char*, every presence frame a client sent */
  guint       n_websockets;
  GHashTable *answers;    /* op → the first answer's body */
  guint       heartbeat_ms;
  guint       n_writes;
  gboolean    mute;       /* swallow pings: a half-open connection */
  gboolean    refuse_writes;  /* answer writes 503 without doing them */
  gboolean    lose_answers;   /* do the write, then answer 503 */
  gboolean    skip_next;      /* log the next event but push nothing: a gap */
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

/* A deep copy: json_node_copy() shares objects. */
static JsonObject *
object_copy (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) copy = NULL;
  g_autofree char *text = NULL;

  json_node_set_object (node, object);
  text = json_to_string (node, FALSE);
  copy = json_from_string (text, NULL);

  return json_object_ref (json_node_get_object (copy));
}

static void
fake_add_event (Fake       *fake,
                const char *type,
                const char *op,
                JsonObject *data)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *event = json_object_new ();

  json_object_set_int_member (event, "seq", fake->events->len + 1);
  json_object_set_string_member (event, "type", type);
  if (op != NULL)
    json_object_set_string_member (event, "op", op);
  else
    json_object_set_null_member (event, "op");
  json_object_set_string_member (event, "actor", "ada");
  json_object_set_object_member (event, "data", data);
  json_node_take_object (node, event);
  g_ptr_array_add (fake->events, json_node_ref (node));

  if (fake->skip_next)
    fake->skip_next = FALSE;
  else
    fake_broadcast (fake, node);
}

static JsonObject *
fake_find_card (Fake       *fake,
                const char *id)
{
  for (guint i = 0; i < fake->cards->len; i++)
    if (g_strcmp0 (json_object_get_string_member (g_ptr_array_index (fake->cards, i), "id"), id) == 0)
      return g_ptr_array_index (fake->cards, i);

  return NULL;
}

/* Someone else edits a card: a new version, announced as card.updated. */
static void
fake_edit_title (Fake       *fake,
                 const char *id,
                 const char *title,
                 const char *op)
{
  JsonObject *card = fake_find_card (fake, id);
  JsonObject *data = json_object_new ();
  JsonArray *fields = json_array_new ();
  gint64 version = json_object_get_int_member (card, "version") + 1;

  json_object_set_string_member (card, "title", title);
  json_object_set_int_member (card, "version", version);

  json_object_set_string_member (data, "id", id);
  json_object_set_int_member (data, "version", version);
  json_array_add_string_element (fields, "title");
  json_object_set_array_member (data, "fields", fields);
  fake_add_event (fake, "card.updated", op, data);
}

static char *
fake_create_card_with_op (Fake       *fake,
                          const char *title,
                          const char *op);

static char *
fake_create_card (Fake       *fake,
                  const char *title)
{
  return fake_create_card_with_op (fake, title, NULL);
}

static char *
fake_create_card_with_op (Fake       *fake,
                          const char *title,
                          const char *op)
{
  JsonObject *card = json_object_new ();
  JsonObject *data = json_object_new ();
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

  /* The event carries a copy: later edits must not change history. */
  json_object_set_object_member (data, "card", object_copy (card));
  json_object_unref (card);
  fake_add_event (fake, "card.created", op, data);

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
  else if (strstr (text, "\"presence\"") != NULL)
    g_ptr_array_add (fake->presence, g_steal_pointer (&text));
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
  fake->n_websockets++;
}

static void
stream_finished_cb (SoupServerMessage *message,
                    Fake              *fake)
{
  g_ptr_array_remove (fake->streams, message);
}

static void
answer (SoupServerMessage *message,
        guint              status,
        const char        *body)
{
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

static char *
card_answer (JsonObject *card)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_object_member (object, "card", object_copy (card));
  json_node_take_object (node, object);

  return node_to_string (node);
}

/* POST /cards, GET and PATCH /cards/{id}; writes deduped by op. */
static void
fake_cards_handler (Fake              *fake,
                    SoupServerMessage *message,
                    const char        *rest)
{
  const char *method = soup_server_message_get_method (message);
  SoupMessageBody *request = soup_server_message_get_request_body (message);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (request);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *result = NULL;
  JsonObject *body = NULL;
  JsonObject *card;
  const char *op = NULL;
  const char *first;

  if (g_str_equal (method, "GET"))
    {
      if (*rest == '/' && (card = fake_find_card (fake, rest + 1)))
        {
          result = card_answer (card);
          answer (message, SOUP_STATUS_OK, result);
        }
      else
        answer (message, SOUP_STATUS_NOT_FOUND,
                "{\"error\": {\"code\": \"not_found\", \"message\": \"No such card\"}}");
      return;
    }

  fake->n_writes++;
  if (fake->refuse_writes)
    {
      answer (message, SOUP_STATUS_SERVICE_UNAVAILABLE,
              "{\"error\": {\"code\": \"internal\", \"message\": \"Down\"}}");
      return;
    }

  root = json_from_string (text, NULL);
  g_assert_nonnull (root);
  body = json_node_get_object (root);
  op = json_object_get_string_member (body, "op");

  if ((first = g_hash_table_lookup (fake->answers, op)))
    {
      answer (message, SOUP_STATUS_OK, first);
      return;
    }

  if (g_str_equal (method, "POST") && *rest == '\0')
    {
      g_autofree char *id = fake_create_card_with_op (fake, json_object_get_string_member (body, "title"), op);

      result = card_answer (fake_find_card (fake, id));
    }
  else if (g_str_equal (method, "PATCH") && *rest == '/' && (card = fake_find_card (fake, rest + 1)))
    {
      if (json_object_get_int_member (body, "base_version") != json_object_get_int_member (card, "version"))
        {
          g_autoptr(JsonNode) conflict = json_from_string (
            "{\"error\": {\"code\": \"conflict\", \"message\": \"Someone else changed the title\"}}", NULL);
          g_autofree char *conflict_text = NULL;

          json_object_set_object_member (json_node_get_object (conflict), "current",
                                         json_object_ref (card));
          conflict_text = node_to_string (conflict);
          answer (message, SOUP_STATUS_CONFLICT, conflict_text);
          return;
        }

      if (json_object_has_member (body, "description"))
        json_object_set_string_member (card, "description",
                                       json_object_get_string_member (body, "description"));
      fake_edit_title (fake, rest + 1,
                       json_object_get_string_member_with_default (body, "title",
                                                                   json_object_get_string_member (card, "title")),
                       op);
      result = card_answer (card);
    }
  else
    {
      answer (message, SOUP_STATUS_NOT_FOUND,
              "{\"error\": {\"code\": \"not_found\", \"message\": \"No such card\"}}");
      return;
    }

  g_hash_table_insert (fake->answers, g_strdup (op), g_strdup (result));

  if (fake->lose_answers)
    answer (message, SOUP_STATUS_SERVICE_UNAVAILABLE,
            "{\"error\": {\"code\": \"internal\", \"message\": \"Lost\"}}");
  else
    answer (message, g_str_equal (method, "POST") ? SOUP_STATUS_CREATED : SOUP_STATUS_OK, result);
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
  else if (g_str_has_prefix (path, "/api/v1/boards/b1/cards"))
    {
      fake_cards_handler (fake, message, path + strlen ("/api/v1/boards/b1/cards"));
      return;
    }
  else if (g_str_equal (path, "/api/v1/boards/b1/events") && accept &&
           strstr (accept, "text/event-stream"))
    {
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_message_headers_set_content_type (response, "text/event-stream", NULL);
      soup_message_headers_set_encoding (response, SOUP_ENCODING_CHUNKED);
      {
        g_autofree char *hello = g_strdup_printf (": hello seq=%u heartbeat_ms=%u session=s\n\n",
                                                  fake->events->len, fake->heartbeat_ms);

        soup_message_body_append (soup_server_message_get_response_body (message),
                                  SOUP_MEMORY_COPY, hello, strlen (hello));
      }
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
  fake->presence = g_ptr_array_new_with_free_func (g_free);
  fake->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
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
  g_ptr_array_unref (fake->presence);
  g_hash_table_unref (fake->answers);
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
record_state (TestClient *client)
{
  TackConnectionState state = tack_connection_get_state (client->connection);

  g_array_append_val (client->states, state);
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

/* An event that never arrived (seq jumps) is a gap: the stream resumes
 * from the last applied seq and the missing event is replayed; no
 * snapshot. */
static void
check_gap (TackTransportMode mode)
{
  static const TackConnectionState expected[] = {
    TACK_CONNECTION_CONNECTING, TACK_CONNECTION_LIVE, TACK_CONNECTION_RESYNCING,
    TACK_CONNECTION_LIVE,
  };
  Fake fake = { 0 };
  g_autofree char *lost = NULL;
  g_autofree char *next = NULL;
  TestClient *client;

  fake_start (&fake);
  client = client_for (&fake, mode);
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);

  fake.skip_next = TRUE;
  lost = fake_create_card (&fake, "Lost on the way");
  next = fake_create_card (&fake, "After the gap");

  TEST_WAIT_FOR (tack_store_lookup_card (client->store, next) != NULL);
  g_assert_nonnull (tack_store_lookup_card (client->store, lost));
  g_assert_cmpint (tack_dispatcher_get_seq (client->dispatcher), ==, 2);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);
  test_client_assert_seen_in_order (client, expected, G_N_ELEMENTS (expected));
  g_assert_false (test_client_saw (client, TACK_CONNECTION_RECONNECTING));
  g_assert_cmpuint (tack_api_get_n_snapshot_fetches (client->api), ==, 1);

  test_client_free (client);
  fake_stop (&fake);
}

static void
test_transport_gap_websocket (void)
{
  check_gap (TACK_TRANSPORT_WEBSOCKET);
}

static void
test_transport_gap_sse (void)
{
  check_gap (TACK_TRANSPORT_SSE);
}

/* The network goes away while we wait to retry: offline. It comes back:
 * reconnect at once, not when the (long) backoff says. */
static void
test_transport_network_back (void)
{
  static const TackConnectionState expected[] = {
    TACK_CONNECTION_LIVE, TACK_CONNECTION_RECONNECTING, TACK_CONNECTION_OFFLINE,
    TACK_CONNECTION_CONNECTING, TACK_CONNECTION_LIVE,
  };
  Fake fake = { 0 };
  g_autoptr(TestNetworkMonitor) monitor = test_network_monitor_new ();
  TestClient *client = g_new0 (TestClient, 1);

  fake_start (&fake);

  client->api = tack_api_new (fake.url, "b1", "t");
  client->store = tack_store_new ();
  client->dispatcher = tack_dispatcher_new (client->store, client->api);
  client->connection = g_object_new (TACK_TYPE_CONNECTION,
                                     "api", client->api,
                                     "dispatcher", client->dispatcher,
                                     "network-monitor", monitor,
                                     "backoff-base", 60000,
                                     "backoff-cap", 60000,
                                     NULL);
  client->states = g_array_new (FALSE, FALSE, sizeof (TackConnectionState));
  client->delays = g_array_new (FALSE, FALSE, sizeof (gint64));
  client->ceilings = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect_swapped (client->connection, "notify::state",
                            G_CALLBACK (record_state), client);

  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);

  /* The server drops us and the network goes: no point trying. */
  fake_close_sockets (&fake);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_RECONNECTING);
  test_network_monitor_set_available (monitor, FALSE);
  g_assert_cmpint (tack_connection_get_state (client->connection), ==, TACK_CONNECTION_OFFLINE);

  test_network_monitor_set_available (monitor, TRUE);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);
  test_client_assert_seen_in_order (client, expected, G_N_ELEMENTS (expected));

  test_client_free (client);
  fake_stop (&fake);
}

/* Waking from suspend: whatever the socket looks like, the connection
 * is replaced at once. logind is played on a private bus. */
static void
test_transport_resume (void)
{
  static const TackConnectionState expected[] = {
    TACK_CONNECTION_CONNECTING, TACK_CONNECTION_LIVE,
    TACK_CONNECTION_CONNECTING, TACK_CONNECTION_LIVE,
  };
  Fake fake = { 0 };
  g_autoptr(GTestDBus) dbus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GDBusConnection) logind = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  TestClient *client = g_new0 (TestClient, 1);
  GDBusConnectionFlags flags = G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                               G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION;
  g_autofree char *daemon = g_find_program_in_path ("dbus-daemon");
  guint sockets;

  if (daemon == NULL)
    {
      g_test_skip ("No dbus-daemon to play logind on");
      g_free (client);
      return;
    }

  g_test_dbus_up (dbus);
  bus = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (dbus), flags,
                                                NULL, NULL, &error);
  g_assert_no_error (error);
  logind = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (dbus), flags,
                                                   NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (logind, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.login1", 0),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);

  fake_start (&fake);
  client->api = tack_api_new (fake.url, "b1", "t");
  client->store = tack_store_new ();
  client->dispatcher = tack_dispatcher_new (client->store, client->api);
  client->connection = g_object_new (TACK_TYPE_CONNECTION,
                                     "api", client->api,
                                     "dispatcher", client->dispatcher,
                                     "login-bus", bus,
                                     NULL);
  client->states = g_array_new (FALSE, FALSE, sizeof (TackConnectionState));
  client->delays = g_array_new (FALSE, FALSE, sizeof (gint64));
  client->ceilings = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect_swapped (client->connection, "notify::state",
                            G_CALLBACK (record_state), client);

  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);
  sockets = fake.sockets->len;

  /* A round trip on the client's bus: its AddMatch is in by now. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetId", NULL,
                                       G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);

  /* Going to sleep changes nothing; waking up replaces the connection. */
  g_dbus_connection_emit_signal (logind, NULL, "/org/freedesktop/login1",
                                 "org.freedesktop.login1.Manager", "PrepareForSleep",
                                 g_variant_new ("(b)", TRUE), &error);
  g_assert_no_error (error);
  g_dbus_connection_emit_signal (logind, NULL, "/org/freedesktop/login1",
                                 "org.freedesktop.login1.Manager", "PrepareForSleep",
                                 g_variant_new ("(b)", FALSE), &error);
  g_assert_no_error (error);

  TEST_WAIT_FOR (fake.sockets->len > sockets &&
                 tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);
  test_client_assert_seen_in_order (client, expected, G_N_ELEMENTS (expected));
  g_assert_false (test_client_saw (client, TACK_CONNECTION_RECONNECTING));

  test_client_free (client);
  fake_stop (&fake);
  g_clear_object (&bus);
  g_clear_object (&logind);
  g_test_dbus_down (dbus);
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
  g_object_set (client->connection, "stable-time", 300, NULL);
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);

  fake.mute = TRUE;
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) != TACK_CONNECTION_LIVE);
  g_assert_nonnull (strstr (tack_connection_get_reason (client->connection), "Nothing heard"));

  g_assert_cmpuint (tack_connection_get_attempt (client->connection), >=, 1);
  g_assert_cmpint (tack_connection_get_next_attempt (client->connection), >, 0);

  fake.mute = FALSE;
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);
  test_client_assert_seen_in_order (client, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (tack_connection_get_next_attempt (client->connection), ==, 0);

  /* Live long enough: the backoff starts over. */
  TEST_WAIT_FOR (tack_connection_get_attempt (client->connection) == 0);
  g_assert_cmpint (tack_connection_get_state (client->connection), ==, TACK_CONNECTION_LIVE);

  test_client_free (client);
  fake_stop (&fake);
}

/* The outbox against the double: what the real-server tests check, with
 * write failures the double can inject (refused, or done but the answer
 * lost). */

typedef struct
{
  Fake        fake;
  char       *dir;
  char       *journal;
} OutboxFixture;

static void
outbox_setup (OutboxFixture *f)
{
  g_autoptr(GError) error = NULL;

  fake_start (&f->fake);
  f->dir = g_dir_make_tmp ("tack-outbox-XXXXXX", &error);
  g_assert_no_error (error);
  f->journal = g_build_filename (f->dir, "outbox.jsonl", NULL);
}

static void
outbox_teardown (OutboxFixture *f)
{
  g_unlink (f->journal);
  g_rmdir (f->dir);
  g_free (f->journal);
  g_free (f->dir);
  fake_stop (&f->fake);
}

static TestClient *
outbox_client (OutboxFixture *f)
{
  TestBoard board = { .id = (char *)"b1", .token = (char *)"t" };
  TestClient *client = test_client_new (f->fake.url, &board, f->journal);

  g_object_set (client->connection, "backoff-base", 20, "backoff-cap", 100, NULL);
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE &&
                 tack_outbox_get_restored (client->outbox));

  return client;
}

static guint
journal_lines (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i] != '\0')
      n++;

  return n;
}

static guint
events_with_op (Fake       *fake,
                const char *op)
{
  guint n = 0;

  for (guint i = 0; i < fake->events->len; i++)
    {
      JsonObject *event = json_node_get_object (g_ptr_array_index (fake->events, i));

      if (g_strcmp0 (json_object_get_string_member_with_default (event, "op", NULL), op) == 0)
        n++;
    }

  return n;
}

static void
collect_op (TackOutbox *outbox,
            const char *op,
            const char *card_id,
            GPtrArray  *ops)
{
  g_ptr_array_add (ops, g_strdup (op));
}

static void
test_outbox_double_create_edit (void)
{
  OutboxFixture f = { 0 };
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TackCard) card = NULL;
  g_autofree char *local_id = NULL;
  g_autofree char *op = NULL;
  TestClient *client;

  outbox_setup (&f);
  client = outbox_client (&f);

  local_id = tack_outbox_create_card (client->outbox, "c1", "New", NULL, &error);
  g_assert_no_error (error);
  card = g_object_ref (tack_store_lookup_card (client->store, local_id));
  g_assert_true (tack_card_get_pending (card));

  json_object_set_string_member (fields, "title", "New, renamed");
  op = tack_outbox_edit_card (client->outbox, local_id, fields, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tack_card_get_title (card), ==, "New, renamed");

  TEST_WAIT_FOR (tack_outbox_get_n_pending (client->outbox) == 0 &&
                 tack_store_get_n_pending (client->store) == 0);
  TEST_WAIT_FOR (tack_dispatcher_get_seq (client->dispatcher) == f.fake.events->len);

  g_assert_cmpstr (tack_card_get_id (card), ==, "k1");
  g_assert_false (tack_card_get_pending (card));
  g_assert_cmpstr (json_object_get_string_member (fake_find_card (&f.fake, "k1"), "title"), ==,
                   "New, renamed");
  g_assert_cmpuint (events_with_op (&f.fake, op), ==, 1);
  TEST_WAIT_FOR (tack_card_get_state (card) == TACK_ENTRY_FRESH);
  g_assert_cmpstr (tack_card_get_title (card), ==, "New, renamed");
  TEST_WAIT_FOR (journal_lines (f.journal) == 0);

  test_client_free (client);
  outbox_teardown (&f);
}

static void
test_outbox_double_restart (void)
{
  OutboxFixture f = { 0 };
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *existing = NULL;
  g_autofree char *local_id = NULL;
  TestClient *client;

  outbox_setup (&f);
  existing = fake_create_card (&f.fake, "Existing");
  client = outbox_client (&f);
  g_signal_connect (client->outbox, "queued", G_CALLBACK (collect_op), ops);

  /* The server refuses writes: they stay queued, on disk. */
  f.fake.refuse_writes = TRUE;
  json_object_set_string_member (fields, "title", "Edited offline");
  g_free (tack_outbox_edit_card (client->outbox, existing, fields, &error));
  g_assert_no_error (error);
  local_id = tack_outbox_create_card (client->outbox, "c1", "Created offline", NULL, &error);
  g_assert_no_error (error);

  TEST_WAIT_FOR (journal_lines (f.journal) == 2 && f.fake.n_writes >= 2);
  g_assert_cmpuint (tack_outbox_get_n_pending (client->outbox), ==, 2);
  test_client_free (client);

  /* A new app: the first write is done but its answer lost, so it is
   * sent again; the server's dedup keeps it to one. */
  client = outbox_client (&f);

  /* Shown again at once, under the same ops, before anything is sent. */
  g_assert_cmpstr (tack_card_get_title (tack_store_lookup_card (client->store, existing)), ==,
                   "Edited offline");
  g_assert_nonnull (tack_store_lookup_card (client->store, local_id));
  g_assert_true (tack_card_get_pending (tack_store_lookup_card (client->store, local_id)));
  g_assert_cmpuint (tack_store_get_n_pending (client->store), ==, 2);

  f.fake.refuse_writes = FALSE;
  f.fake.lose_answers = TRUE;
  tack_outbox_flush (client->outbox);
  TEST_WAIT_FOR (g_hash_table_size (f.fake.answers) == 2);
  f.fake.lose_answers = FALSE;
  tack_outbox_flush (client->outbox);

  TEST_WAIT_FOR (tack_outbox_get_n_pending (client->outbox) == 0 &&
                 tack_store_get_n_pending (client->store) == 0);
  TEST_WAIT_FOR (journal_lines (f.journal) == 0);

  g_assert_cmpuint (ops->len, ==, 2);
  for (guint i = 0; i < ops->len; i++)
    g_assert_cmpuint (events_with_op (&f.fake, g_ptr_array_index (ops, i)), ==, 1);
  g_assert_cmpuint (f.fake.cards->len, ==, 2);
  g_assert_cmpstr (json_object_get_string_member (fake_find_card (&f.fake, existing), "title"), ==,
                   "Edited offline");
  TEST_WAIT_FOR (tack_store_lookup_card (client->store, "k2") != NULL);
  g_assert_null (tack_store_lookup_card (client->store, local_id));
  TEST_WAIT_FOR (tack_card_get_state (tack_store_lookup_card (client->store, existing)) == TACK_ENTRY_FRESH);
  g_assert_cmpstr (tack_card_get_title (tack_store_lookup_card (client->store, existing)), ==,
                   "Edited offline");

  test_client_free (client);
  outbox_teardown (&f);
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
test_outbox_double_conflict (void)
{
  OutboxFixture f = { 0 };
  Rejection rejection = { 0 };
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *op = NULL;
  TestClient *client;
  TackCard *card;

  outbox_setup (&f);
  id = fake_create_card (&f.fake, "Shared");
  client = outbox_client (&f);
  g_signal_connect (client->outbox, "rejected", G_CALLBACK (on_rejected), &rejection);
  card = tack_store_lookup_card (client->store, id);

  f.fake.refuse_writes = TRUE;
  json_object_set_string_member (fields, "title", "Mine");
  op = tack_outbox_edit_card (client->outbox, id, fields, &error);
  g_assert_no_error (error);
  TEST_WAIT_FOR (f.fake.n_writes >= 1);

  /* Someone else saves first; we still show ours, pending, on top. */
  fake_edit_title (&f.fake, id, "Theirs", "their-op");
  TEST_WAIT_FOR (tack_card_get_version (card) == 2);
  g_assert_cmpstr (tack_card_get_title (card), ==, "Mine");

  f.fake.refuse_writes = FALSE;
  tack_outbox_flush (client->outbox);
  TEST_WAIT_FOR (rejection.error != NULL);

  g_assert_error (rejection.error, TACK_API_ERROR, TACK_API_ERROR_CONFLICT);
  g_assert_cmpstr (rejection.error->message, ==, "Someone else changed the title");
  g_assert_nonnull (tack_api_error_get_current (rejection.error));
  g_assert_cmpstr (rejection.op, ==, op);
  g_assert_cmpstr (rejection.card_id, ==, id);
  g_assert_cmpstr (tack_card_get_title (card), ==, "Theirs");
  g_assert_false (tack_card_get_pending (card));
  g_assert_cmpuint (tack_outbox_get_n_pending (client->outbox), ==, 0);
  g_assert_cmpuint (events_with_op (&f.fake, op), ==, 0);

  g_free (rejection.op);
  g_free (rejection.card_id);
  g_clear_error (&rejection.error);
  test_client_free (client);
  outbox_teardown (&f);
}

static gboolean
presence_sent_as (Fake       *fake,
                  const char *user)
{
  for (guint i = 0; i < fake->presence->len; i++)
    {
      g_autoptr(JsonNode) frame = json_from_string (g_ptr_array_index (fake->presence, i), NULL);
      JsonObject *object = frame ? json_node_get_object (frame) : NULL;

      if (object != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (object, "user", NULL), user) == 0 &&
          json_object_has_member (object, "state"))
        return TRUE;
    }

  return FALSE;
}

/* The user renames themselves: the presence frame goes out again at once
 * under the new name, over the same WebSocket. */
static void
test_transport_presence_rename (void)
{
  Fake fake = { 0 };
  TestClient *client;
  guint n_states;

  fake_start (&fake);
  client = client_for (&fake, TACK_TRANSPORT_WEBSOCKET);
  tack_api_set_user (client->api, "Ada");
  tack_connection_start (client->connection);
  TEST_WAIT_FOR (tack_connection_get_state (client->connection) == TACK_CONNECTION_LIVE);
  n_states = client->states->len;

  tack_connection_set_viewing (client->connection);
  TEST_WAIT_FOR (presence_sent_as (&fake, "Ada"));

  tack_api_set_user (client->api, "Ada Lovelace");
  TEST_WAIT_FOR (presence_sent_as (&fake, "Ada Lovelace"));
  g_assert_cmpuint (fake.n_websockets, ==, 1);
  g_assert_cmpuint (client->states->len, ==, n_states);
  g_assert_cmpint (tack_connection_get_state (client->connection), ==, TACK_CONNECTION_LIVE);

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
  g_test_add_func ("/tack/net/transport/presence-rename", test_transport_presence_rename);
  g_test_add_func ("/tack/net/transport/heartbeat", test_transport_heartbeat);
  g_test_add_func ("/tack/net/transport/network-back", test_transport_network_back);
  g_test_add_func ("/tack/net/transport/resume", test_transport_resume);
  g_test_add_func ("/tack/net/transport/gap/websocket", test_transport_gap_websocket);
  g_test_add_func ("/tack/net/transport/gap/sse", test_transport_gap_sse);
  g_test_add_func ("/tack/net/outbox/double/create-edit", test_outbox_double_create_edit);
  g_test_add_func ("/tack/net/outbox/double/restart", test_outbox_double_restart);
  g_test_add_func ("/tack/net/outbox/double/conflict", test_outbox_double_conflict);

  return g_test_run ();
}
