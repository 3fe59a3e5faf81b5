/* tack-server-events.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The live side of TackServer: GET /api/v1/boards/{board}/events over
 * WebSocket, Server-Sent Events and (long) polling.
 *
 * Each board has a hub: its held long polls, how many live subscribers
 * it has and who of them is present. Live subscribers, WebSocket and SSE,
 * are served on worker threads once SoupServer has written their 101 or
 * their response headers (tack-server-subscribers.c); polls stay on the
 * server's main context.
 *
 * A subscriber is sent the log after its `since` and joined in the same
 * main-loop dispatch. Commits also happen on that loop, but their events
 * are broadcast a little later, once the writer has its answer
 * (tack_server_queue_event()); a subscriber that joined in between
 * already has such an event from its replay, and skips it by seq. So
 * nothing committed is missed or sent twice, and every subscriber sees its
 * board's events in seq order.
 *
 * A long replay is read in pages: the first goes out with the hello, and
 * the worker asks for the next one once it has handed the last to the
 * socket (tack_server_read_replay()). Until the page that reaches the end
 * of the log, the subscriber skips broadcast events: each one was
 * committed before it was broadcast, so a later page reads it from the
 * log. The last page is read in the dispatch that posts it, ahead of any
 * later broadcast, which is the same hand-over as above. The client's
 * first event leaves after one small read rather than after the whole
 * backlog, the main loop never reads more than a page at once, and a
 * subscriber catching up holds a page or two, not its whole backlog.
 *
 * A broadcast hands every subscriber the same bytes (TackEvent keeps its
 * JSON and SSE framing). Each subscriber has a bounded queue; one whose
 * queue passes the limit is cut off (WebSocket code 4008, or the end of
 * the SSE stream) so one slow reader never holds memory or the loop; it
 * resumes with `since`. */

#define G_LOG_DOMAIN "tack-server"

#include "config.h"

#include <string.h>

#include "tack-server-private.h"

/* Events read for a replay at once: few for the first page, which goes
 * out with the hello, more for the next ones. */
#define REPLAY_FIRST_PAGE 64
#define REPLAY_PAGE       1024

typedef struct _Hub Hub;

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
  char       *board_id;
  guint       n_live;     /* subscribers on the workers */
  GHashTable *presence;   /* session → presence frame (GBytes) */
  GHashTable *replays;    /* session → Replay: still reading the log */
  GList      *waiters;
};

/* A subscriber whose replay did not fit in one page. */
typedef struct
{
  TackSubscriberKind kind;
  gint64             last_seq;  /* of the last event read for it */
} Replay;

static void waiter_respond (Waiter *waiter);

void
tack_server_hub_free (gpointer data)
{
  Hub *hub = data;

  g_assert (hub->waiters == NULL);

  g_hash_table_unref (hub->presence);
  g_hash_table_unref (hub->replays);
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
      hub->presence = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify)g_bytes_unref);
      hub->replays = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (self->hubs, hub->board_id, hub);
    }

  return hub;
}

/* A random (version 4) UUID, from GLib's generator as
 * g_uuid_string_random() does, but formatted without printf: it is made
 * for every subscriber, and the printf was most of Tack's own work in a
 * connection storm (docs/performance.md). */
static char *
new_session_id (void)
{
  static const char hex[] = "0123456789abcdef";
  guint8 bytes[16];
  char *id = g_malloc (37);
  char *out = id;

  for (guint i = 0; i < 16; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (bytes + i, &r, 4);
    }
  bytes[6] = (bytes[6] & 0x0f) | 0x40;   /* version 4 */
  bytes[8] = (bytes[8] & 0x3f) | 0x80;   /* variant RFC 4122 */

  for (guint i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        *out++ = '-';
      *out++ = hex[bytes[i] >> 4];
      *out++ = hex[bytes[i] & 0xf];
    }
  *out = '\0';

  return id;
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

static guint
replay_first_page (TackServer *server)
{
  return server->replay_first_page > 0 ? server->replay_first_page : REPLAY_FIRST_PAGE;
}

static guint
replay_page (TackServer *server)
{
  return server->replay_page > 0 ? server->replay_page : REPLAY_PAGE;
}

/* Reads what a subscriber missed: the first @limit events after @since
 * (none when it is behind the log's start: then @reset), or none when
 * @since is negative (from now on). */
static GPtrArray *
read_missed (TackServer  *server,
             const char  *board_id,
             gint64       since,
             guint        limit,
             gint64      *current,
             gboolean    *reset,
             GError     **error)
{
  GPtrArray *events;

  events = tack_storage_read_events (server->storage, board_id, since < 0 ? G_MAXINT64 : since,
                                     limit, current, reset, error);
  if (events != NULL && since < 0)
    {
      *reset = FALSE;
      g_ptr_array_set_size (events, 0);
    }

  return events;
}

static GBytes *
event_frame (TackEvent          *event,
             TackSubscriberKind  kind)
{
  return kind == TACK_SUBSCRIBER_WEBSOCKET ? tack_event_get_json_bytes (event) : tack_event_get_sse (event);
}

static GBytes *
reset_frame (gint64             current,
             TackSubscriberKind kind)
{
  if (kind == TACK_SUBSCRIBER_WEBSOCKET)
    return text_bytes (g_strdup_printf ("{\"type\":\"reset\",\"seq\":%" G_GINT64_FORMAT "}", current));

  return text_bytes (g_strdup_printf ("id: %" G_GINT64_FORMAT "\nevent: reset\n"
                                      "data: {\"type\":\"reset\",\"seq\":%" G_GINT64_FORMAT "}\n\n",
                                      current, current));
}

/* The handshake here, the subscriber on a worker. */

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

/* Builds what a new subscriber gets first and joins it, in this one
 * dispatch: every later broadcast follows it through its worker's queue. */
static void
join_subscriber (Upgrade            *upgrade,
                 TackSubscriberKind  kind,
                 SoupServerMessage  *msg)
{
  TackServer *server = upgrade->server;
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  gboolean websocket = kind == TACK_SUBSCRIBER_WEBSOCKET;
  g_autoptr(GIOStream) io = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  g_autofree char *session = NULL;
  gint64 current = 0;
  gboolean reset = FALSE;
  gboolean replaying;
  guint limit = replay_first_page (server);
  gint64 last_seq;
  Hub *hub;

  io = soup_server_message_steal_connection (msg);

  if (server->subscribers == NULL)
    server->subscribers = tack_subscriber_pool_new (server, n_workers (), server->worker_capacity);

  /* Checked before the handshake; only a board gone since lands here. */
  if (!(events = read_missed (server, upgrade->board_id, upgrade->since, limit, &current, &reset, &error)))
    {
      g_debug ("Closing a subscriber: %s", error->message);
      if (websocket)
        tack_subscriber_pool_reject (server->subscribers, io, soup_server_message_get_uri (msg),
                                     soup_message_headers_get_one (response, "Sec-WebSocket-Protocol"),
                                     error->message);
      else
        g_io_stream_close (io, NULL, NULL);
      return;
    }

  session = new_session_id ();
  hub = get_hub (server, upgrade->board_id);
  frames = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);

  if (websocket)
    {
      GHashTableIter iter;
      GBytes *frame;

      g_ptr_array_add (frames, text_bytes (g_strdup_printf ("{\"type\":\"hello\",\"seq\":%" G_GINT64_FORMAT ","
                                                             "\"heartbeat_ms\":%u,\"session\":\"%s\"}",
                                                             current, server->heartbeat_ms, session)));
      if (reset)
        g_ptr_array_add (frames, reset_frame (current, kind));

      /* Who else is here. */
      g_hash_table_iter_init (&iter, hub->presence);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&frame))
        g_ptr_array_add (frames, g_bytes_ref (frame));
    }
  else
    {
      g_ptr_array_add (frames, text_bytes (g_strdup_printf (": hello seq=%" G_GINT64_FORMAT " heartbeat_ms=%u session=%s\n"
                                                             "retry: 1000\n\n",
                                                             current, server->heartbeat_ms, session)));
      if (reset)
        g_ptr_array_add (frames, reset_frame (current, kind));
    }

  for (guint i = 0; i < events->len; i++)
    g_ptr_array_add (frames, event_frame (g_ptr_array_index (events, i), kind));

  last_seq = (upgrade->since < 0 || reset) ? current : upgrade->since;
  if (events->len > 0)
    last_seq = tack_event_get_seq (g_ptr_array_index (events, events->len - 1));

  /* The rest of the log is read when the worker asks for it. */
  replaying = last_seq < current;
  if (replaying)
    {
      Replay *replay = g_new0 (Replay, 1);

      replay->kind = kind;
      replay->last_seq = last_seq;
      g_hash_table_insert (hub->replays, g_strdup (session), replay);
    }

  hub->n_live++;
  server->n_subscribers++;
  tack_subscriber_pool_add (server->subscribers, kind, upgrade->board_id, session, upgrade->user, io,
                            websocket ? soup_server_message_get_uri (msg) : NULL,
                            websocket ? soup_message_headers_get_one (request, "Origin") : NULL,
                            websocket ? soup_message_headers_get_one (response, "Sec-WebSocket-Protocol") : NULL,
                            frames, last_seq, replaying, server->max_queue_bytes, server->heartbeat_ms);
}

/**
 * tack_server_read_replay:
 * @last_seq: (out): the seq of the last event in the page (or the one
 *   the subscriber goes on after)
 * @done: (out): whether the page reaches the end of the log; the
 *   subscriber takes the broadcast events after it
 *
 * Reads the next page of a subscriber's replay, on the main context, for
 * its worker. Returns the frames (GBytes), or %NULL when the subscriber
 * left meanwhile. A log that lost the events after the last page (pruned
 * under a reader this far behind) ends the replay with a reset, as it
 * would have started with one.
 */
GPtrArray *
tack_server_read_replay (TackServer *self,
                         const char *board_id,
                         const char *session,
                         gint64     *last_seq,
                         gboolean   *done)
{
  Hub *hub = g_hash_table_lookup (self->hubs, board_id);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *frames;
  Replay *replay;
  gint64 current = 0;
  gboolean reset = FALSE;

  if (hub == NULL || !(replay = g_hash_table_lookup (hub->replays, session)))
    return NULL;

  frames = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  events = tack_storage_read_events (self->storage, board_id, replay->last_seq, replay_page (self),
                                     &current, &reset, &error);
  if (events == NULL)
    {
      /* The board went away: the client learns it from the snapshot. */
      g_debug ("Ending a replay: %s", error->message);
      reset = TRUE;
    }

  if (reset)
    {
      g_ptr_array_add (frames, reset_frame (current, replay->kind));
      replay->last_seq = current;
    }
  else
    {
      for (guint i = 0; i < events->len; i++)
        g_ptr_array_add (frames, event_frame (g_ptr_array_index (events, i), replay->kind));
      if (events->len > 0)
        replay->last_seq = tack_event_get_seq (g_ptr_array_index (events, events->len - 1));
    }

  *last_seq = replay->last_seq;
  *done = replay->last_seq >= current;
  if (*done)
    g_hash_table_remove (hub->replays, session);

  return frames;
}

/* For tests: a few subscribers per worker make a pool of many. Before
 * the first subscriber. */
void
tack_server_set_worker_capacity (TackServer *self,
                                 guint       capacity)
{
  g_return_if_fail (TACK_IS_SERVER (self));
  g_return_if_fail (self->subscribers == NULL);

  self->worker_capacity = capacity;
}

/* For tests: pages of a few events make every replay a long one. */
void
tack_server_set_replay_pages (TackServer *self,
                              guint       first,
                              guint       page)
{
  g_return_if_fail (TACK_IS_SERVER (self));

  self->replay_first_page = first;
  self->replay_page = page;
}

static void
upgrade_cb (SoupServerMessage *msg,
            gpointer           user_data)
{
  Upgrade *upgrade = user_data;

  if (upgrade->server->stopped || soup_server_message_get_status (msg) != SOUP_STATUS_SWITCHING_PROTOCOLS)
    return;

  join_subscriber (upgrade, TACK_SUBSCRIBER_WEBSOCKET, msg);
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
tack_server_presence_changed (TackServer *self,
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

  if (self->subscribers != NULL)
    tack_subscriber_pool_send_frame (self->subscribers, board_id, session, frame);
}

/* @left: (nullable): the "left" presence frame for the others, when it
 *   was present */
void
tack_server_subscriber_left (TackServer *self,
                     const char *board_id,
                     const char *session,
                     GBytes     *left,
                     gboolean    dropped)
{
  Hub *hub = get_hub (self, board_id);

  g_assert (hub->n_live > 0);
  hub->n_live--;
  g_hash_table_remove (hub->replays, session);
  self->n_subscribers--;
  if (dropped)
    self->n_dropped++;

  if (g_hash_table_remove (hub->presence, session) && left != NULL && self->subscribers != NULL)
    tack_subscriber_pool_send_frame (self->subscribers, board_id, session, left);
}

/* Server-Sent Events. */

static void
sse_headers_cb (SoupServerMessage *msg,
                gpointer           user_data)
{
  Upgrade *upgrade = user_data;

  if (upgrade->server->stopped)
    return;

  join_subscriber (upgrade, TACK_SUBSCRIBER_SSE, msg);
}

/* SoupServer writes the status and headers; the body is the event stream,
 * written by a worker as it is: no length, no chunks, it ends when the
 * connection does. */
static void
start_sse (TackServer        *self,
           SoupServerMessage *msg,
           const char        *board_id,
           gint64             since,
           const char        *user)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) none = NULL;
  gint64 current;
  gboolean reset;
  Upgrade *upgrade;

  none = tack_storage_read_events (self->storage, board_id, G_MAXINT64, 0, &current, &reset, &error);
  if (none == NULL)
    {
      tack_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", error->message);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_EOF);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "Connection", "close");
  soup_message_headers_replace (headers, "X-Accel-Buffering", "no");

  upgrade = g_new0 (Upgrade, 1);
  upgrade->server = g_object_ref (self);
  upgrade->board_id = g_strdup (board_id);
  upgrade->user = g_strdup (user);
  upgrade->since = since;

  g_signal_connect_data (msg, "wrote-headers", G_CALLBACK (sse_headers_cb),
                         upgrade, (GClosureNotify)(void (*) (void))upgrade_free, 0);
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

/* Hands the workers @n_events events of one board, in seq order; then
 * answers the held polls. */
static void
broadcast_events (TackServer  *self,
                  const char  *board_id,
                  TackEvent  **events,
                  guint        n_events)
{
  Hub *hub = g_hash_table_lookup (self->hubs, board_id);

  if (hub == NULL)
    return;

  if (hub->n_live > 0)
    tack_subscriber_pool_broadcast (self->subscribers, board_id, events, n_events);

  /* Every held poll waits for something after a seq older than these
   * events', so each one has an answer now. */
  while (hub->waiters != NULL)
    waiter_respond (hub->waiters->data);
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

  tack_server_ensure_idle (&self->flush_source, flush_cb, self);
}

void
tack_server_flush_events (TackServer *self)
{
  Pending *pending;

  tack_server_clear_source (&self->flush_source);

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
    }

  /* Live subscribers: closed on their workers (WebSocket 1001, SSE end
   * of stream), which end. */
  g_clear_pointer (&self->subscribers, tack_subscriber_pool_free);
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
