/* tack-server-events.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The live side of TackServer: GET /api/v1/boards/{board}/events over
 * WebSocket, Server-Sent Events and (long) polling.
 *
 * Each board has a hub: its SSE streams, its held long polls, how many
 * WebSocket subscribers it has and who of them is present. WebSocket
 * subscribers live on worker threads once their handshake is done
 * (tack-server-websocket.c); SSE streams and polls stay on the server's
 * main context, since SoupServer owns their responses.
 *
 * A subscriber is sent the log after its `since` and joined in the same
 * main-loop dispatch. Commits also happen on that loop, but their events
 * are broadcast a little later, once the writer has its answer
 * (tack_server_queue_event()); a subscriber that joined in between
 * already has such an event from its replay, and skips it by seq. So
 * nothing committed is missed or sent twice, and every subscriber sees its
 * board's events in seq order.
 *
 * A broadcast hands every subscriber the same bytes (TackEvent keeps its
 * JSON and SSE framing). Each subscriber has a bounded queue: an SSE
 * chunk is counted until libsoup reports it written. A stream whose queue
 * passes the limit is closed (WebSocket code 4008) so one slow reader
 * never holds memory or the loop; it resumes with `since`. */

#define G_LOG_DOMAIN "tack-server"

#include "config.h"

#include <string.h>

#include "tack-server-private.h"

typedef struct _Hub Hub;

/* An SSE response. */
typedef struct
{
  guint              index;    /* in hub->streams; first */
  TackServer        *server;   /* NULL once detached */
  Hub               *hub;
  char              *session;
  gint64             last_seq; /* of the last event sent */
  gsize              pending_bytes;
  gsize              limit;
  SoupServerMessage *msg;
  guint              ping_id;
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

struct _Hub
{
  char            *board_id;
  TackMemberArray  streams;    /* Stream */
  guint            n_remote;   /* WebSocket subscribers on workers */
  GHashTable      *presence;   /* session → presence frame (GBytes) */
  GList           *waiters;
};

static void waiter_respond (Waiter *waiter);

void
tack_server_hub_free (gpointer data)
{
  Hub *hub = data;

  g_assert (hub->streams.items->len == 0);
  g_assert (hub->waiters == NULL);

  tack_member_array_clear (&hub->streams);
  g_hash_table_unref (hub->presence);
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
      tack_member_array_init (&hub->streams);
      hub->presence = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify)g_bytes_unref);
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

/* Reads what a subscriber missed: the events after @since (all of them
 * when it is behind the log's start: then @reset), or none when @since
 * is negative (from now on). */
static GPtrArray *
read_missed (TackServer  *server,
             const char  *board_id,
             gint64       since,
             gint64      *current,
             gboolean    *reset,
             GError     **error)
{
  GPtrArray *events;

  events = tack_storage_read_events (server->storage, board_id, since < 0 ? G_MAXINT64 : since,
                                     G_MAXUINT, current, reset, error);
  if (events != NULL && since < 0)
    {
      *reset = FALSE;
      g_ptr_array_set_size (events, 0);
    }

  return events;
}

/* SSE streams. */

static void
stream_detach (Stream *stream)
{
  if (stream->server == NULL)
    return;

  tack_member_array_remove (&stream->hub->streams, stream);
  stream->server->n_subscribers--;
  stream->server = NULL;
  stream->hub = NULL;
}

/* What is queued still goes out; the stream then ends and the client
 * resumes from its Last-Event-ID. */
static void
stream_end (Stream *stream)
{
  g_clear_handle_id (&stream->ping_id, g_source_remove);
  soup_message_body_complete (soup_server_message_get_response_body (stream->msg));
  soup_server_message_unpause (stream->msg);
}

static void
stream_drop_slow (Stream *stream)
{
  g_debug ("Closing an SSE subscriber of %s: %" G_GSIZE_FORMAT " bytes queued",
           stream->hub->board_id, stream->pending_bytes);

  stream->server->n_dropped++;
  stream_detach (stream);
  stream_end (stream);
}

/* Queues @bytes. Returns FALSE when the stream is gone or was just
 * dropped for falling too far behind. */
static gboolean
stream_queue (Stream *stream,
              GBytes *bytes)
{
  if (stream->server == NULL)
    return FALSE;

  stream->pending_bytes += g_bytes_get_size (bytes);
  soup_message_body_append_bytes (soup_server_message_get_response_body (stream->msg), bytes);

  if (stream->pending_bytes > stream->limit)
    {
      stream_drop_slow (stream);
      return FALSE;
    }

  return TRUE;
}

static void
stream_flush (Stream *stream)
{
  soup_server_message_unpause (stream->msg);
}

static void
stream_send_text (Stream *stream,
                  char   *text)
{
  g_autoptr(GBytes) bytes = text_bytes (text);

  if (stream_queue (stream, bytes))
    stream_flush (stream);
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

  bytes = tack_event_get_sse (event);
  return stream_queue (stream, bytes);
}

static void
stream_free (Stream *stream)
{
  stream_detach (stream);

  g_clear_handle_id (&stream->ping_id, g_source_remove);
  if (stream->msg != NULL)
    g_signal_handlers_disconnect_by_data (stream->msg, stream);
  g_clear_object (&stream->msg);
  g_free (stream->session);
  g_free (stream);
}

/* WebSocket: the handshake here, the subscriber on a worker. */

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

static guint
n_workers (void)
{
  /* The main context keeps one core busy with HTTP and commits. */
  return CLAMP (g_get_num_processors () - 1, 1, 4);
}

static void
upgrade_cb (SoupServerMessage *msg,
            gpointer           user_data)
{
  Upgrade *upgrade = user_data;
  TackServer *server = upgrade->server;
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  g_autoptr(GIOStream) io = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  g_autofree char *session = NULL;
  GHashTableIter iter;
  GBytes *frame;
  gint64 current = 0;
  gboolean reset = FALSE;
  gint64 last_seq;
  Hub *hub;

  if (server->stopped || soup_server_message_get_status (msg) != SOUP_STATUS_SWITCHING_PROTOCOLS)
    return;

  io = soup_server_message_steal_connection (msg);

  /* Checked before the upgrade; only a board gone since lands here. */
  if (!(events = read_missed (server, upgrade->board_id, upgrade->since, &current, &reset, &error)))
    {
      g_debug ("Closing a WebSocket: %s", error->message);
      g_io_stream_close (io, NULL, NULL);
      return;
    }

  session = new_session_id ();
  frames = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_ptr_array_add (frames, text_bytes (g_strdup_printf ("{\"type\":\"hello\",\"seq\":%" G_GINT64_FORMAT ","
                                                         "\"heartbeat_ms\":%u,\"session\":\"%s\"}",
                                                         current, server->heartbeat_ms, session)));
  if (reset)
    g_ptr_array_add (frames, text_bytes (g_strdup_printf ("{\"type\":\"reset\",\"seq\":%" G_GINT64_FORMAT "}",
                                                           current)));

  /* Who else is here. */
  hub = get_hub (server, upgrade->board_id);
  g_hash_table_iter_init (&iter, hub->presence);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&frame))
    g_ptr_array_add (frames, g_bytes_ref (frame));

  for (guint i = 0; i < events->len; i++)
    g_ptr_array_add (frames, tack_event_get_json_bytes (g_ptr_array_index (events, i)));
  last_seq = (upgrade->since < 0 || reset) ? current : upgrade->since;
  if (events->len > 0)
    last_seq = tack_event_get_seq (g_ptr_array_index (events, events->len - 1));

  if (server->ws_pool == NULL)
    server->ws_pool = tack_ws_pool_new (server, n_workers ());

  /* Joined now, in this dispatch: every later broadcast follows it
   * through the worker's queue. */
  hub->n_remote++;
  server->n_subscribers++;
  tack_ws_pool_add (server->ws_pool, upgrade->board_id, session, upgrade->user, io,
                    soup_server_message_get_uri (msg),
                    soup_message_headers_get_one (request, "Origin"),
                    soup_message_headers_get_one (response, "Sec-WebSocket-Protocol"),
                    frames, last_seq, server->max_queue_bytes,
                    MAX (1, (server->heartbeat_ms + 999) / 1000));
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

/* Notes from the workers, on the main context. */

/* @frame: what the others see of it
 * @present: whether it carries a state (FALSE: null, no longer present) */
void
tack_server_ws_presence (TackServer *self,
                         const char *board_id,
                         const char *session,
                         GBytes     *frame,
                         gboolean    present)
{
  Hub *hub = get_hub (self, board_id);

  if (present)
    g_hash_table_replace (hub->presence, g_strdup (session), g_bytes_ref (frame));
  else
    g_hash_table_remove (hub->presence, session);

  if (self->ws_pool != NULL)
    tack_ws_pool_send_frame (self->ws_pool, board_id, session, frame);
}

/* @left: (nullable): the "left" presence frame for the others, when it
 *   was present */
void
tack_server_ws_left (TackServer *self,
                     const char *board_id,
                     const char *session,
                     GBytes     *left,
                     gboolean    dropped)
{
  Hub *hub = get_hub (self, board_id);

  g_assert (hub->n_remote > 0);
  hub->n_remote--;
  self->n_subscribers--;
  if (dropped)
    self->n_dropped++;

  if (g_hash_table_remove (hub->presence, session) && left != NULL && self->ws_pool != NULL)
    tack_ws_pool_send_frame (self->ws_pool, board_id, session, left);
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
  g_autoptr(GPtrArray) events = NULL;
  gint64 current = 0;
  gboolean reset = FALSE;
  Stream *stream;

  if (!(events = read_missed (self, board_id, since, &current, &reset, &error)))
    {
      tack_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", error->message);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "X-Accel-Buffering", "no");
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);

  stream = g_new0 (Stream, 1);
  stream->server = self;
  stream->hub = get_hub (self, board_id);
  stream->session = new_session_id ();
  stream->msg = g_object_ref (msg);
  stream->last_seq = (since < 0 || reset) ? current : since;

  /* The replay is as big as it is; the limit applies to what comes after. */
  stream->limit = G_MAXSIZE;

  stream_send_text (stream,
                    g_strdup_printf (": hello seq=%" G_GINT64_FORMAT " heartbeat_ms=%u session=%s\n"
                                     "retry: 1000\n\n",
                                     current, self->heartbeat_ms, stream->session));
  if (reset)
    stream_send_text (stream, g_strdup_printf ("id: %" G_GINT64_FORMAT "\nevent: reset\n"
                                               "data: {\"type\":\"reset\",\"seq\":%" G_GINT64_FORMAT "}\n\n",
                                               current, current));

  for (guint i = 0; i < events->len; i++)
    stream_queue_event (stream, g_ptr_array_index (events, i));
  stream_flush (stream);

  tack_member_array_add (&stream->hub->streams, stream);
  self->n_subscribers++;
  stream->limit = self->max_queue_bytes + stream->pending_bytes;

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
 * subscribers, flushing each SSE stream once and handing the workers the
 * run; then answers the held polls. */
static void
broadcast_events (TackServer  *self,
                  const char  *board_id,
                  TackEvent  **events,
                  guint        n_events)
{
  Hub *hub = g_hash_table_lookup (self->hubs, board_id);
  TackMemberArray *streams;

  if (hub == NULL)
    return;

  if (hub->n_remote > 0)
    tack_ws_pool_broadcast (self->ws_pool, board_id, events, n_events);

  streams = &hub->streams;
  tack_member_array_walk_begin (streams);
  for (guint i = 0; i < streams->items->len; i++)
    {
      Stream *stream = streams->items->pdata[i];
      gboolean alive = TRUE;

      /* NULL: an earlier send in this walk dropped it. */
      if (stream == NULL)
        continue;

      for (guint j = 0; alive && j < n_events; j++)
        alive = stream_queue_event (stream, events[j]);

      if (alive)
        stream_flush (stream);
    }
  tack_member_array_walk_end (streams);

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

      while (hub->streams.items->len > 0)
        {
          Stream *stream = hub->streams.items->pdata[hub->streams.items->len - 1];

          stream_detach (stream);
          stream_end (stream);
        }
    }

  /* WebSocket subscribers: closed 1001 on their workers, which end. */
  g_clear_pointer (&self->ws_pool, tack_ws_pool_free);
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
