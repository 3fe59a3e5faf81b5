/* tack-server-events.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The live side of TackServer: GET /api/v1/boards/{board}/events over
 * WebSocket, Server-Sent Events and (long) polling.
 *
 * Each board has a hub: its live streams and its held long polls. A
 * subscriber is sent the log after its `since` and joined to the hub in
 * the same main-loop dispatch. Commits also happen on that loop, but
 * their events are broadcast a little later, once the writer has its
 * answer (tack_server_queue_event()); a stream that joined in between
 * already has such an event from its replay, and skips it by seq. So
 * nothing committed is missed or sent twice, and every stream sees its
 * board's events in seq order.
 *
 * A broadcast hands every stream the same bytes (TackEvent caches its
 * JSON and SSE framing). Each stream has a bounded queue: a WebSocket
 * frame is handed to libsoup only while the socket is writable, an SSE
 * chunk is counted until libsoup reports it written. A stream whose
 * queue passes the limit is closed (WebSocket code 4008) so one slow
 * reader never holds memory or the loop; it resumes with `since`. */

#define G_LOG_DOMAIN "tack-server"

#include "config.h"

#include <string.h>

#include "tack-server-private.h"

typedef struct _Hub Hub;

typedef enum
{
  STREAM_WEBSOCKET,
  STREAM_SSE,
} StreamKind;

typedef struct
{
  TackServer              *server;   /* NULL once detached */
  Hub                     *hub;
  guint                    index;    /* in hub->streams */
  StreamKind               kind;
  char                    *session;
  char                    *user;
  JsonNode                *presence;
  gint64                   last_seq; /* of the last event sent */
  gsize                    pending_bytes;
  gsize                    limit;

  SoupWebsocketConnection *ws;
  GPollableOutputStream   *out;
  GQueue                   queue;    /* GBytes, NUL-terminated text */
  GSource                 *writable_source;
  guint                    grace_id;

  SoupServerMessage       *msg;
  guint                    ping_id;
} Stream;

typedef struct
{
  TackServer        *server;
  Hub               *hub;
  SoupServerMessage *msg;
  gint64             since;
  guint              limit;
  guint              timeout_id;
  gulong             finished_id;
} Waiter;

/* A stream that leaves while a broadcast walks the array leaves a hole
 * (NULL) there, closed up once the walk ends; otherwise the last stream
 * takes its place. Joining, leaving and reaching every stream are O(1)
 * per stream. */
struct _Hub
{
  char      *board_id;
  GPtrArray *streams;
  guint      walking;
  gboolean   holes;
  GList     *waiters;
};

static void stream_free      (Stream *stream);
static void waiter_respond   (Waiter *waiter);
static void broadcast_frame  (Hub    *hub,
                              Stream *except,
                              char   *text);

void
tack_server_hub_free (gpointer data)
{
  Hub *hub = data;

  g_assert (hub->streams->len == 0);
  g_assert (hub->waiters == NULL);

  g_ptr_array_unref (hub->streams);
  g_free (hub->board_id);
  g_free (hub);
}

static Hub *
get_hub (TackServer *self,
         const char *board_id)
{
  Hub *hub = g_hash_table_lookup (self->hubs, board_id);

  if (hub == NULL)
    {
      hub = g_new0 (Hub, 1);
      hub->board_id = g_strdup (board_id);
      hub->streams = g_ptr_array_new ();
      g_hash_table_insert (self->hubs, hub->board_id, hub);
    }

  return hub;
}

static char *
new_session_id (void)
{
  return g_uuid_string_random ();
}

static gboolean
parse_seq (const char *text,
           gint64     *out)
{
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL))
    return FALSE;

  *out = (gint64)value;
  return TRUE;
}

static GBytes *
text_bytes (char *text)
{
  gsize len = strlen (text);

  return g_bytes_new_take (text, len);
}

/* The hub's streams. */

static void
hub_add (Hub    *hub,
         Stream *stream)
{
  stream->index = hub->streams->len;
  g_ptr_array_add (hub->streams, stream);
}

static void
hub_remove (Hub    *hub,
            Stream *stream)
{
  GPtrArray *streams = hub->streams;
  Stream *last;

  g_assert (stream->index < streams->len && streams->pdata[stream->index] == stream);

  if (hub->walking > 0)
    {
      streams->pdata[stream->index] = NULL;
      hub->holes = TRUE;
      return;
    }

  last = streams->pdata[streams->len - 1];
  streams->pdata[stream->index] = last;
  last->index = stream->index;
  g_ptr_array_set_size (streams, streams->len - 1);
}

static void
hub_walk_begin (Hub *hub)
{
  hub->walking++;
}

static void
hub_walk_end (Hub *hub)
{
  GPtrArray *streams = hub->streams;
  guint kept = 0;

  if (--hub->walking > 0 || !hub->holes)
    return;

  for (guint i = 0; i < streams->len; i++)
    {
      Stream *stream = streams->pdata[i];

      if (stream == NULL)
        continue;
      stream->index = kept;
      streams->pdata[kept++] = stream;
    }

  g_ptr_array_set_size (streams, kept);
  hub->holes = FALSE;
}

/* Streams. */

/* Leaves the hub: no more events, and the others hear it left. */
static void
stream_detach (Stream *stream)
{
  Hub *hub = stream->hub;
  TackServer *server = stream->server;

  if (server == NULL)
    return;

  hub_remove (hub, stream);
  server->n_subscribers--;
  stream->server = NULL;
  stream->hub = NULL;

  if (stream->presence != NULL)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "type", "presence");
      json_object_set_string_member (object, "user", stream->user ? stream->user : stream->session);
      json_object_set_null_member (object, "state");
      json_node_take_object (node, object);
      broadcast_frame (hub, NULL, json_to_string (node, FALSE));
    }
}

static gboolean
grace_cb (gpointer user_data)
{
  Stream *stream = user_data;

  stream->grace_id = 0;

  /* The peer never read up to our close frame: drop the socket. */
  if (stream->ws != NULL &&
      soup_websocket_connection_get_state (stream->ws) != SOUP_WEBSOCKET_STATE_CLOSED)
    g_io_stream_close (soup_websocket_connection_get_io_stream (stream->ws), NULL, NULL);

  return G_SOURCE_REMOVE;
}

static void
stream_drop_slow (Stream *stream)
{
  TackServer *server = stream->server;

  g_debug ("Closing a %s subscriber of %s: %" G_GSIZE_FORMAT " bytes queued",
           stream->kind == STREAM_WEBSOCKET ? "WebSocket" : "SSE",
           stream->hub->board_id, stream->pending_bytes);

  server->n_dropped++;
  stream_detach (stream);

  if (stream->kind == STREAM_WEBSOCKET)
    {
      g_queue_clear_full (&stream->queue, (GDestroyNotify)g_bytes_unref);
      stream->pending_bytes = 0;
      if (stream->writable_source != NULL)
        {
          g_source_destroy (stream->writable_source);
          g_clear_pointer (&stream->writable_source, g_source_unref);
        }
      soup_websocket_connection_close (stream->ws, TACK_SERVER_CLOSE_TOO_SLOW,
                                       "too slow: resume with since");
      stream->grace_id = g_timeout_add_seconds (5, grace_cb, stream);
    }
  else
    {
      /* What is queued still goes out; the stream then ends and the
       * client resumes from its Last-Event-ID. */
      soup_message_body_complete (soup_server_message_get_response_body (stream->msg));
      soup_server_message_unpause (stream->msg);
      g_clear_handle_id (&stream->ping_id, g_source_remove);
    }
}

static void ws_flush (Stream *stream);

static gboolean
ws_writable_cb (GObject  *pollable,
                gpointer  user_data)
{
  Stream *stream = user_data;

  g_clear_pointer (&stream->writable_source, g_source_unref);
  ws_flush (stream);

  return G_SOURCE_REMOVE;
}

/* Hands libsoup what is queued, if the socket can take more: the backlog
 * of a reader that does not keep up stays in our queue, where it is
 * counted. One writability check (a poll() of the socket) per flush, not
 * per frame: a broadcast of several events flushes once. */
static void
ws_flush (Stream *stream)
{
  if (g_queue_is_empty (&stream->queue))
    return;

  if (soup_websocket_connection_get_state (stream->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_queue_clear_full (&stream->queue, (GDestroyNotify)g_bytes_unref);
      stream->pending_bytes = 0;
      return;
    }

  if (stream->out != NULL && !g_pollable_output_stream_is_writable (stream->out))
    {
      if (stream->writable_source == NULL)
        {
          stream->writable_source = g_pollable_output_stream_create_source (stream->out, NULL);
          g_source_set_callback (stream->writable_source, (GSourceFunc)(GCallback)ws_writable_cb,
                                 stream, NULL);
          g_source_attach (stream->writable_source, g_main_context_get_thread_default ());
        }
      return;
    }

  while (!g_queue_is_empty (&stream->queue))
    {
      g_autoptr(GBytes) bytes = g_queue_pop_head (&stream->queue);

      stream->pending_bytes -= g_bytes_get_size (bytes);
      /* The same GBytes for every subscriber; libsoup 3.2 still checks
       * the text is UTF-8 and copies it into a frame of its own. */
      soup_websocket_connection_send_message (stream->ws, SOUP_WEBSOCKET_DATA_TEXT, bytes);
    }
}

/* Queues @bytes. Returns FALSE when the stream is gone or was just
 * dropped for falling too far behind. */
static gboolean
stream_queue (Stream *stream,
              GBytes *bytes)
{
  if (stream->kind == STREAM_WEBSOCKET)
    {
      if (stream->ws == NULL)
        return FALSE;

      stream->pending_bytes += g_bytes_get_size (bytes);
      g_queue_push_tail (&stream->queue, g_bytes_ref (bytes));
    }
  else
    {
      stream->pending_bytes += g_bytes_get_size (bytes);
      soup_message_body_append_bytes (soup_server_message_get_response_body (stream->msg), bytes);
    }

  if (stream->server != NULL && stream->pending_bytes > stream->limit)
    {
      stream_drop_slow (stream);
      return FALSE;
    }

  return TRUE;
}

static void
stream_flush (Stream *stream)
{
  if (stream->kind == STREAM_WEBSOCKET)
    ws_flush (stream);
  else
    soup_server_message_unpause (stream->msg);
}

static void
stream_send (Stream *stream,
             GBytes *bytes)
{
  if (stream_queue (stream, bytes))
    stream_flush (stream);
}

static void
stream_send_text (Stream *stream,
                  char   *text)
{
  g_autoptr(GBytes) bytes = text_bytes (text);

  stream_send (stream, bytes);
}

static void
broadcast_frame (Hub    *hub,
                 Stream *except,
                 char   *text)
{
  g_autoptr(GBytes) bytes = text_bytes (text);

  hub_walk_begin (hub);
  for (guint i = 0; i < hub->streams->len; i++)
    {
      Stream *stream = hub->streams->pdata[i];

      /* NULL: an earlier send in this walk dropped it. */
      if (stream != NULL && stream != except && stream->kind == STREAM_WEBSOCKET)
        stream_send (stream, bytes);
    }
  hub_walk_end (hub);
}

/* Queues @event unless the stream has it already; FALSE as for
 * stream_queue(). */
static gboolean
stream_queue_event (Stream    *stream,
                    TackEvent *event)
{
  g_autoptr(GBytes) bytes = NULL;

  /* Committed before this stream read its replay, broadcast after: the
   * replay had it already. */
  if (tack_event_get_seq (event) <= stream->last_seq)
    return TRUE;
  stream->last_seq = tack_event_get_seq (event);

  if (stream->kind == STREAM_WEBSOCKET)
    bytes = tack_event_get_json_bytes (event);
  else
    bytes = tack_event_get_sse (event);

  return stream_queue (stream, bytes);
}

static void
stream_send_event (Stream    *stream,
                   TackEvent *event)
{
  if (stream_queue_event (stream, event))
    stream_flush (stream);
}

static void
stream_free (Stream *stream)
{
  stream_detach (stream);

  g_clear_handle_id (&stream->grace_id, g_source_remove);
  g_clear_handle_id (&stream->ping_id, g_source_remove);
  if (stream->writable_source != NULL)
    {
      g_source_destroy (stream->writable_source);
      g_clear_pointer (&stream->writable_source, g_source_unref);
    }
  g_queue_clear_full (&stream->queue, (GDestroyNotify)g_bytes_unref);

  if (stream->ws != NULL)
    g_signal_handlers_disconnect_by_data (stream->ws, stream);
  g_clear_object (&stream->ws);
  g_clear_object (&stream->out);
  if (stream->msg != NULL)
    g_signal_handlers_disconnect_by_data (stream->msg, stream);
  g_clear_object (&stream->msg);
  g_clear_pointer (&stream->presence, json_node_unref);
  g_free (stream->session);
  g_free (stream->user);
  g_free (stream);
}

static Stream *
stream_new (TackServer *server,
            StreamKind  kind,
            const char *user)
{
  Stream *stream = g_new0 (Stream, 1);

  stream->server = server;
  stream->kind = kind;
  stream->session = new_session_id ();
  stream->user = g_strdup (user);
  stream->limit = server->max_queue_bytes;
  g_queue_init (&stream->queue);

  return stream;
}

/* Sends what a new subscriber missed and joins it to the hub, in one go.
 * Returns FALSE (and answers) when the board is gone. */
static gboolean
stream_start (Stream     *stream,
              const char *board_id,
              gint64      since,
              GError    **error)
{
  TackServer *server = stream->server;
  g_autoptr(GPtrArray) events = NULL;
  gint64 current = 0;
  gboolean reset = FALSE;

  events = tack_storage_read_events (server->storage, board_id, since < 0 ? G_MAXINT64 : since,
                                     G_MAXUINT, &current, &reset, error);
  if (events == NULL)
    return FALSE;

  /* since < 0: from now on. */
  if (since < 0)
    {
      reset = FALSE;
      g_ptr_array_set_size (events, 0);
    }

  stream->hub = get_hub (server, board_id);
  stream->last_seq = (since < 0 || reset) ? current : since;

  /* The replay is as big as it is; the limit applies to what comes after. */
  stream->limit = G_MAXSIZE;

  if (stream->kind == STREAM_WEBSOCKET)
    {
      stream_send_text (stream,
                        g_strdup_printf ("{\"type\":\"hello\",\"seq\":%" G_GINT64_FORMAT ","
                                         "\"heartbeat_ms\":%u,\"session\":\"%s\"}",
                                         current, server->heartbeat_ms, stream->session));
      if (reset)
        stream_send_text (stream, g_strdup_printf ("{\"type\":\"reset\",\"seq\":%" G_GINT64_FORMAT "}",
                                                   current));

      /* Who else is here. */
      for (guint i = 0; i < stream->hub->streams->len; i++)
        {
          Stream *other = stream->hub->streams->pdata[i];
          g_autoptr(JsonNode) node = NULL;
          JsonObject *object;

          if (other == NULL || other->presence == NULL)
            continue;

          node = json_node_new (JSON_NODE_OBJECT);
          object = json_object_new ();
          json_object_set_string_member (object, "type", "presence");
          json_object_set_string_member (object, "user", other->user ? other->user : other->session);
          json_object_set_member (object, "state", json_node_copy (other->presence));
          json_node_take_object (node, object);
          stream_send_text (stream, json_to_string (node, FALSE));
        }
    }
  else
    {
      stream_send_text (stream,
                        g_strdup_printf (": hello seq=%" G_GINT64_FORMAT " heartbeat_ms=%u session=%s\n"
                                         "retry: 1000\n\n",
                                         current, server->heartbeat_ms, stream->session));
      if (reset)
        stream_send_text (stream, g_strdup_printf ("id: %" G_GINT64_FORMAT "\nevent: reset\n"
                                                   "data: {\"type\":\"reset\",\"seq\":%" G_GINT64_FORMAT "}\n\n",
                                                   current, current));
    }

  for (guint i = 0; i < events->len; i++)
    stream_send_event (stream, g_ptr_array_index (events, i));

  hub_add (stream->hub, stream);
  server->n_subscribers++;
  stream->limit = server->max_queue_bytes + stream->pending_bytes;

  return TRUE;
}

/* WebSocket. */

static void
ws_message_cb (SoupWebsocketConnection *ws,
               SoupWebsocketDataType    type,
               GBytes                  *message,
               gpointer                 user_data)
{
  Stream *stream = user_data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *data;
  gsize len;
  JsonObject *object;
  const char *frame_type;

  if (stream->server == NULL)
    return;

  data = g_bytes_get_data (message, &len);

  if (type != SOUP_WEBSOCKET_DATA_TEXT ||
      !json_parser_load_from_data (parser, data, len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_debug ("Ignoring a frame that is not a JSON object");
      return;
    }

  object = json_node_get_object (json_parser_get_root (parser));
  frame_type = json_object_get_string_member_with_default (object, "type", "");

  if (g_str_equal (frame_type, "ping"))
    stream_send_text (stream, g_strdup ("{\"type\":\"pong\"}"));
  else if (g_str_equal (frame_type, "presence"))
    {
      JsonNode *state = json_object_get_member (object, "state");
      g_autoptr(JsonNode) node = NULL;
      JsonObject *out;

      if (state == NULL || !(JSON_NODE_HOLDS_OBJECT (state) || JSON_NODE_HOLDS_NULL (state)))
        return;

      g_clear_pointer (&stream->presence, json_node_unref);
      if (JSON_NODE_HOLDS_OBJECT (state))
        stream->presence = json_node_copy (state);

      node = json_node_new (JSON_NODE_OBJECT);
      out = json_object_new ();
      json_object_set_string_member (out, "type", "presence");
      json_object_set_string_member (out, "user", stream->user ? stream->user : stream->session);
      json_object_set_member (out, "state", json_node_copy (state));
      json_node_take_object (node, out);
      broadcast_frame (stream->hub, stream, json_to_string (node, FALSE));
    }
  else
    g_debug ("Ignoring a “%s” frame", frame_type);
}

static void
ws_closed_cb (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  Stream *stream = user_data;

  g_debug ("WebSocket subscriber closed (%u)", soup_websocket_connection_get_close_code (ws));
  stream_free (stream);
}

typedef struct
{
  TackServer *server;
  char       *board_id;
  char       *user;
  gint64      since;
} Upgrade;

static void
upgrade_free (gpointer data)
{
  Upgrade *upgrade = data;

  g_object_unref (upgrade->server);
  g_free (upgrade->board_id);
  g_free (upgrade->user);
  g_free (upgrade);
}

static void
upgrade_cb (SoupServerMessage *msg,
            gpointer           user_data)
{
  Upgrade *upgrade = user_data;
  TackServer *server = upgrade->server;
  g_autoptr(GIOStream) io = NULL;
  g_autoptr(GError) error = NULL;
  GOutputStream *out;
  Stream *stream;
  guint keepalive;

  if (server->stopped || soup_server_message_get_status (msg) != SOUP_STATUS_SWITCHING_PROTOCOLS)
    return;

  io = soup_server_message_steal_connection (msg);
  stream = stream_new (server, STREAM_WEBSOCKET, upgrade->user);
  stream->ws = soup_websocket_connection_new (io,
                                              soup_server_message_get_uri (msg),
                                              SOUP_WEBSOCKET_CONNECTION_SERVER,
                                              soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Origin"),
                                              soup_message_headers_get_one (soup_server_message_get_response_headers (msg), "Sec-WebSocket-Protocol"),
                                              NULL);
  soup_websocket_connection_set_max_incoming_payload_size (stream->ws, TACK_SERVER_MAX_FRAME);
  keepalive = MAX (1, (server->heartbeat_ms + 999) / 1000);
  soup_websocket_connection_set_keepalive_interval (stream->ws, keepalive);

  out = g_io_stream_get_output_stream (io);
  if (G_IS_POLLABLE_OUTPUT_STREAM (out) && g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (out)))
    stream->out = g_object_ref (G_POLLABLE_OUTPUT_STREAM (out));

  g_signal_connect (stream->ws, "message", G_CALLBACK (ws_message_cb), stream);
  g_signal_connect (stream->ws, "closed", G_CALLBACK (ws_closed_cb), stream);

  if (!stream_start (stream, upgrade->board_id, upgrade->since, &error))
    {
      g_debug ("Closing a WebSocket: %s", error->message);
      stream->server = NULL;
      soup_websocket_connection_close (stream->ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                       error->message);
    }
}

static void
start_websocket (TackServer        *self,
                 SoupServerMessage *msg,
                 const char        *board_id,
                 gint64             since,
                 const char        *user)
{
  static char *protocols[] = { (char *)"tack.v1", NULL };
  g_autoptr(GError) error = NULL;
  Upgrade *upgrade;

  if (!soup_websocket_server_check_handshake (msg, NULL, protocols, NULL, &error))
    {
      tack_server_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request", error->message);
      return;
    }

  /* No extensions offered: permessage-deflate stays off. */
  if (!soup_websocket_server_process_handshake (msg, NULL, protocols, NULL, NULL))
    return;

  upgrade = g_new0 (Upgrade, 1);
  upgrade->server = g_object_ref (self);
  upgrade->board_id = g_strdup (board_id);
  upgrade->user = g_strdup (user);
  upgrade->since = since;

  g_signal_connect_data (msg, "wrote-informational", G_CALLBACK (upgrade_cb),
                         upgrade, (GClosureNotify)(void (*) (void))upgrade_free, 0);
}

/* Server-Sent Events. */

static gboolean
sse_ping_cb (gpointer user_data)
{
  Stream *stream = user_data;

  stream_send_text (stream, g_strdup (": ping\n\n"));

  return G_SOURCE_CONTINUE;
}

static void
sse_wrote_cb (SoupServerMessage *msg,
              guint              size,
              gpointer           user_data)
{
  Stream *stream = user_data;

  stream->pending_bytes -= MIN (stream->pending_bytes, size);
}

static void
sse_finished_cb (SoupServerMessage *msg,
                 gpointer           user_data)
{
  stream_free (user_data);
}

static void
start_sse (TackServer        *self,
           SoupServerMessage *msg,
           const char        *board_id,
           gint64             since,
           const char        *user)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GError) error = NULL;
  Stream *stream;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "X-Accel-Buffering", "no");
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);

  stream = stream_new (self, STREAM_SSE, user);
  stream->msg = g_object_ref (msg);

  if (!stream_start (stream, board_id, since, &error))
    {
      stream->server = NULL;
      stream_free (stream);
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CONTENT_LENGTH);
      tack_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", error->message);
      return;
    }

  g_signal_connect (msg, "wrote-body-data", G_CALLBACK (sse_wrote_cb), stream);
  g_signal_connect (msg, "finished", G_CALLBACK (sse_finished_cb), stream);
  stream->ping_id = g_timeout_add (self->heartbeat_ms, sse_ping_cb, stream);
}

/* Polling. */

static void
poll_respond (SoupServerMessage *msg,
              GPtrArray         *events,
              gint64             current,
              gboolean           reset,
              guint              limit)
{
  g_autoptr(GString) body = g_string_new (NULL);

  if (reset)
    g_string_append_printf (body, "{\"seq\":%" G_GINT64_FORMAT ",\"reset\":true}", current);
  else
    {
      gboolean more = FALSE;

      /* The events are already JSON; splice them in as they are. */
      g_string_append_printf (body, "{\"seq\":%" G_GINT64_FORMAT ",\"events\":[", current);
      for (guint i = 0; i < events->len; i++)
        {
          if (i > 0)
            g_string_append_c (body, ',');
          g_string_append (body, tack_event_get_json (g_ptr_array_index (events, i)));
        }

      if (events->len == limit && events->len > 0)
        more = tack_event_get_seq (g_ptr_array_index (events, events->len - 1)) < current;

      g_string_append_printf (body, "],\"more\":%s}", more ? "true" : "false");
    }

  tack_server_send_json (msg, SOUP_STATUS_OK, body->str);
}

static void
waiter_free (Waiter *waiter)
{
  g_clear_handle_id (&waiter->timeout_id, g_source_remove);
  if (waiter->finished_id != 0)
    g_signal_handler_disconnect (waiter->msg, waiter->finished_id);
  g_clear_object (&waiter->msg);
  g_free (waiter);
}

static void
waiter_detach (Waiter *waiter)
{
  if (waiter->hub != NULL)
    waiter->hub->waiters = g_list_remove (waiter->hub->waiters, waiter);
  waiter->hub = NULL;
}

static void
waiter_respond (Waiter *waiter)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  SoupServerMessage *msg = g_object_ref (waiter->msg);
  Hub *hub = waiter->hub;
  gint64 current = 0;
  gboolean reset = FALSE;

  waiter_detach (waiter);

  events = tack_storage_read_events (waiter->server->storage, hub->board_id, waiter->since,
                                     waiter->limit, &current, &reset, &error);
  if (events == NULL)
    tack_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", error->message);
  else
    poll_respond (msg, events, current, reset, waiter->limit);

  waiter_free (waiter);
  soup_server_message_unpause (msg);
  g_object_unref (msg);
}

static gboolean
waiter_timeout_cb (gpointer user_data)
{
  Waiter *waiter = user_data;

  waiter->timeout_id = 0;
  waiter_respond (waiter);

  return G_SOURCE_REMOVE;
}

static void
waiter_finished_cb (SoupServerMessage *msg,
                    gpointer           user_data)
{
  Waiter *waiter = user_data;

  /* The client went away while held. */
  waiter->finished_id = 0;
  waiter_detach (waiter);
  waiter_free (waiter);
}

static void
handle_poll (TackServer        *self,
             SoupServerMessage *msg,
             const char        *board_id,
             gint64             since,
             GHashTable        *query)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;
  guint64 wait = 0;
  guint64 limit = TACK_SERVER_PAGE_SIZE;
  gint64 current = 0;
  gboolean reset = FALSE;
  Waiter *waiter;

  if (query && (text = g_hash_table_lookup (query, "wait")) &&
      !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &wait, NULL))
    {
      tack_server_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                              "“wait” must be a number of seconds");
      return;
    }

  if (query && (text = g_hash_table_lookup (query, "limit")) &&
      !g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &limit, NULL))
    {
      tack_server_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                              "“limit” must be a positive number");
      return;
    }

  wait = MIN (wait, TACK_SERVER_MAX_WAIT_S);
  limit = MIN (limit, TACK_SERVER_MAX_PAGE_SIZE);

  if (since < 0)
    {
      events = tack_storage_read_events (self->storage, board_id, G_MAXINT64, 0,
                                         &current, &reset, &error);
      if (events != NULL)
        {
          since = current;
          g_ptr_array_set_size (events, 0);
          reset = FALSE;
        }
    }
  else
    events = tack_storage_read_events (self->storage, board_id, since, limit,
                                       &current, &reset, &error);

  if (events == NULL)
    {
      tack_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", error->message);
      return;
    }

  if (reset || events->len > 0 || wait == 0)
    {
      poll_respond (msg, events, current, reset, limit);
      return;
    }

  /* Long poll: hold the request until the next commit or the timeout. */
  waiter = g_new0 (Waiter, 1);
  waiter->server = self;
  waiter->hub = get_hub (self, board_id);
  waiter->msg = g_object_ref (msg);
  waiter->since = since;
  waiter->limit = limit;
  waiter->timeout_id = g_timeout_add_seconds (wait, waiter_timeout_cb, waiter);
  waiter->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (waiter_finished_cb), waiter);
  waiter->hub->waiters = g_list_append (waiter->hub->waiters, waiter);

  soup_server_message_pause (msg);
}

/* Entry points. */

void
tack_server_handle_events (TackServer        *self,
                           SoupServerMessage *msg,
                           const char        *board_id,
                           GHashTable        *query,
                           const char        *user)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *upgrade = soup_message_headers_get_one (headers, "Upgrade");
  const char *accept = soup_message_headers_get_one (headers, "Accept");
  const char *last_event_id = soup_message_headers_get_one (headers, "Last-Event-ID");
  const char *since_text = query ? g_hash_table_lookup (query, "since") : NULL;
  gboolean websocket = upgrade != NULL && g_ascii_strcasecmp (upgrade, "websocket") == 0;
  gboolean sse = !websocket && accept != NULL && strstr (accept, "text/event-stream") != NULL;
  gint64 since = -1;

  if (since_text != NULL && !parse_seq (since_text, &since))
    {
      tack_server_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                              "“since” must be a non-negative integer");
      return;
    }

  if (sse && last_event_id != NULL && *last_event_id != '\0')
    {
      if (!parse_seq (last_event_id, &since))
        {
          tack_server_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                                  "Last-Event-ID must be a non-negative integer");
          return;
        }
    }

  if (websocket)
    {
      g_autoptr(GError) error = NULL;
      gint64 current;
      gboolean reset;
      g_autoptr(GPtrArray) none = NULL;

      /* Refuse an unknown board before upgrading. */
      none = tack_storage_read_events (self->storage, board_id, G_MAXINT64, 0, &current, &reset, &error);
      if (none == NULL)
        {
          tack_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", error->message);
          return;
        }

      start_websocket (self, msg, board_id, since, user);
    }
  else if (sse)
    start_sse (self, msg, board_id, since, user);
  else
    handle_poll (self, msg, board_id, since, query);
}

/* Sends @n_events events of one board, in seq order, to each of its
 * streams, flushing each stream once; then answers the held polls. */
static void
broadcast_events (TackServer  *self,
                  const char  *board_id,
                  TackEvent  **events,
                  guint        n_events)
{
  Hub *hub = g_hash_table_lookup (self->hubs, board_id);

  if (hub == NULL)
    return;

  hub_walk_begin (hub);
  for (guint i = 0; i < hub->streams->len; i++)
    {
      Stream *stream = hub->streams->pdata[i];
      gboolean alive = TRUE;

      /* NULL: an earlier send in this walk dropped it. */
      if (stream == NULL)
        continue;

      for (guint j = 0; alive && j < n_events; j++)
        alive = stream_queue_event (stream, events[j]);

      if (alive)
        stream_flush (stream);
    }
  hub_walk_end (hub);

  /* Every held poll waits for something after a seq older than these
   * events', so each one has an answer now. */
  while (hub->waiters != NULL)
    waiter_respond (hub->waiters->data);
}

void
tack_server_broadcast (TackServer *self,
                       const char *board_id,
                       TackEvent  *event)
{
  broadcast_events (self, board_id, &event, 1);
}

/* Committed events wait here until the writer has its answer; the flush
 * runs at the I/O priority on the next main-loop iteration, so an event
 * reaches its subscribers after its write is answered, in commit order. */

typedef struct
{
  char      *board_id;
  TackEvent *event;
} Pending;

static gboolean
flush_cb (gpointer user_data)
{
  TackServer *self = user_data;

  g_clear_pointer (&self->flush_source, g_source_unref);
  tack_server_flush_events (self);

  return G_SOURCE_REMOVE;
}

void
tack_server_queue_event (TackServer *self,
                         const char *board_id,
                         TackEvent  *event)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->board_id = g_strdup (board_id);
  pending->event = tack_event_ref (event);
  g_queue_push_tail (&self->pending, pending);

  if (self->flush_source == NULL)
    {
      self->flush_source = g_idle_source_new ();
      g_source_set_priority (self->flush_source, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->flush_source, flush_cb, self, NULL);
      g_source_attach (self->flush_source, g_main_context_get_thread_default ());
    }
}

void
tack_server_flush_events (TackServer *self)
{
  Pending *pending;

  if (self->flush_source != NULL)
    {
      g_source_destroy (self->flush_source);
      g_clear_pointer (&self->flush_source, g_source_unref);
    }

  /* Everything committed since the last flush, in runs of one board, so
   * a subscriber gets a run of events with one flush. */
  while ((pending = g_queue_peek_head (&self->pending)))
    {
      g_autoptr(GPtrArray) run = g_ptr_array_new_with_free_func ((GDestroyNotify)tack_event_unref);
      g_autofree char *board_id = g_strdup (pending->board_id);

      while ((pending = g_queue_peek_head (&self->pending)) && g_str_equal (pending->board_id, board_id))
        {
          g_queue_pop_head (&self->pending);
          g_ptr_array_add (run, pending->event);
          g_free (pending->board_id);
          g_free (pending);
        }

      broadcast_events (self, board_id, (TackEvent **)run->pdata, run->len);
    }
}

void
tack_server_close_streams (TackServer *self)
{
  GHashTableIter iter;
  Hub *hub;

  /* What was committed reaches its subscribers before they are closed. */
  tack_server_flush_events (self);

  g_hash_table_iter_init (&iter, self->hubs);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&hub))
    {
      while (hub->waiters != NULL)
        {
          Waiter *waiter = hub->waiters->data;
          SoupServerMessage *msg = g_object_ref (waiter->msg);

          waiter_detach (waiter);
          waiter_free (waiter);
          tack_server_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                                  "The server is shutting down");
          soup_server_message_unpause (msg);
          g_object_unref (msg);
        }

      while (hub->streams->len > 0)
        {
          Stream *stream = hub->streams->pdata[hub->streams->len - 1];

          stream_detach (stream);

          if (stream->kind == STREAM_WEBSOCKET)
            {
              g_signal_handlers_disconnect_by_data (stream->ws, stream);
              if (soup_websocket_connection_get_state (stream->ws) == SOUP_WEBSOCKET_STATE_OPEN)
                soup_websocket_connection_close (stream->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                                 "server shutting down");
              stream_free (stream);
            }
          else
            {
              g_clear_handle_id (&stream->ping_id, g_source_remove);
              soup_message_body_complete (soup_server_message_get_response_body (stream->msg));
              soup_server_message_unpause (stream->msg);
            }
        }
    }
}

/* Held long polls, for tests. */
guint
tack_server_get_n_waiters (TackServer *self)
{
  GHashTableIter iter;
  Hub *hub;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->hubs);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&hub))
    n += g_list_length (hub->waiters);

  return n;
}
