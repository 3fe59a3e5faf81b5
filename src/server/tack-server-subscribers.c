/* tack-server-subscribers.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Live subscribers (WebSocket and Server-Sent Events), served off the
 * server's main context.
 *
 * GLib's main loop polls every source it holds on every iteration, so a
 * main context holding N idle subscriber sockets makes each iteration,
 * and so each accept and each request, cost O(N). Once a subscriber's
 * handshake is done (the 101 of a WebSocket, the response headers of an
 * SSE stream, both written by SoupServer), the server steals the
 * connection and hands it to a worker: a thread with a GMainContext of its
 * own, where the subscriber is read and written. For a WebSocket that is a
 * SoupWebsocketConnection made on the worker; an SSE response is sent
 * without a length or chunks, delimited by the end of the connection, so
 * its body is the event stream itself, written as it is. The main context
 * keeps the listening socket, HTTP requests and polls. The same O(N) holds
 * on a worker, so each takes a bounded number of subscribers, the fewest
 * first, and the pool starts more workers as subscribers come.
 *
 * Everything crosses threads through mailboxes, FIFO queues drained by a
 * GSource in the receiving context. The main context posts to a worker:
 * a new subscriber (with its hello, what it missed and who is present,
 * built on the main context in the same dispatch as it joins), runs of
 * committed events (shared TackEvents: the bytes of each event exist once,
 * whatever the number of subscribers), presence frames, and the order to
 * shut down. Because a subscriber and every later broadcast travel through
 * the same queue, its replay is followed by the live events without a gap,
 * and the seq it last sent drops the ones its replay already had. A replay
 * longer than a page goes on in pages: once the socket has taken most of
 * one, the worker asks the main context for the next (NOTE_MORE, then
 * CMD_PAGE), and skips broadcast events until the page that reaches the
 * end of the log (tack-server-events.c says why none is lost). A worker
 * posts back presence changes and subscribers that left, which keeps the
 * counters and the presence of each board on the main context.
 *
 * A subscriber is created, used and freed on its worker only, so closing
 * while a broadcast is in flight is an ordinary event of that one thread:
 * the broadcast walks the board's array and skips the holes. */

#define G_LOG_DOMAIN "tack-server"

#include "config.h"

#include <string.h>

#include "tack-coalescing-stream.h"
#include "tack-server-private.h"

#define SHUTDOWN_GRACE_MS 250

/* A worker's main context visits every source it holds on every
 * iteration, about four per WebSocket subscriber (libsoup's input source
 * and its socket's, the keep-alive timeout), and every new subscriber,
 * broadcast or client frame costs its worker an iteration. With all
 * subscribers on one worker, a connection storm of N clients cost O(N²):
 * at 1,000 the worker spent 86 % of its instructions in
 * g_main_context_prepare() and _check(). So a worker takes at most this
 * many subscribers, and the pool starts another when all are full. */
#define WORKER_CAPACITY 256
#define MAX_WORKERS 64

/* What a WebSocket's output holds before libsoup hears "would block". */
#define COALESCE_MAX_BUFFER (256 * 1024)

/* A subscriber catching up asks for the next page of its replay once
 * less than this is left in its queue: the coalescing buffer and the
 * socket's keep the client busy while the page is read. */
#define REPLAY_LOW_WATER (64 * 1024)

/* Queued SSE events handed to one writev(). */
#define SSE_MAX_VECTORS 64

/* GLib's GMutex is a futex ThreadSanitizer cannot see (GLib is not
 * instrumented): tell it that what one thread posts happens before what
 * another takes. */
#if defined(__SANITIZE_THREAD__)
# include <sanitizer/tsan_interface.h>
# define HAPPENS_BEFORE(addr) __tsan_release (addr)
# define HAPPENS_AFTER(addr)  __tsan_acquire (addr)
#else
# define HAPPENS_BEFORE(addr) G_STMT_START { } G_STMT_END
# define HAPPENS_AFTER(addr)  G_STMT_START { } G_STMT_END
#endif

/* The subscribers of a board, each a struct whose first member is its
 * `guint index` in the array. One that leaves while a walk is in progress
 * leaves a hole (NULL), closed up once the walk ends; otherwise the last
 * one takes its place. Joining, leaving and reaching every member are
 * O(1) per member. */
typedef struct
{
  GPtrArray *items;
  guint      walking;
  gboolean   holes;
} TackMemberArray;

static void
tack_member_array_init (TackMemberArray *array)
{
  array->items = g_ptr_array_new ();
  array->walking = 0;
  array->holes = FALSE;
}

static void
tack_member_array_clear (TackMemberArray *array)
{
  g_clear_pointer (&array->items, g_ptr_array_unref);
}

static void
tack_member_array_add (TackMemberArray *array,
                       gpointer         member)
{
  *(guint *)member = array->items->len;
  g_ptr_array_add (array->items, member);
}

static void
tack_member_array_remove (TackMemberArray *array,
                          gpointer         member)
{
  GPtrArray *items = array->items;
  guint index = *(guint *)member;
  gpointer last;

  g_assert (index < items->len && items->pdata[index] == member);

  if (array->walking > 0)
    {
      items->pdata[index] = NULL;
      array->holes = TRUE;
      return;
    }

  last = items->pdata[items->len - 1];
  items->pdata[index] = last;
  *(guint *)last = index;
  g_ptr_array_set_size (items, items->len - 1);
}

static void
tack_member_array_walk_begin (TackMemberArray *array)
{
  array->walking++;
}

static void
tack_member_array_walk_end (TackMemberArray *array)
{
  GPtrArray *items = array->items;
  guint kept = 0;

  if (--array->walking > 0 || !array->holes)
    return;

  for (guint i = 0; i < items->len; i++)
    {
      gpointer member = items->pdata[i];

      if (member == NULL)
        continue;
      *(guint *)member = kept;
      items->pdata[kept++] = member;
    }

  g_ptr_array_set_size (items, kept);
  array->holes = FALSE;
}

/* Mailboxes. */

typedef void (*MailboxFunc)      (gpointer owner,
                                  gpointer item);
typedef void (*MailboxBatchFunc) (gpointer owner);

typedef struct
{
  GSource           source;
  GMutex            mutex;
  GQueue            items;
  MailboxFunc       func;
  MailboxBatchFunc  begin;    /* before a batch, or NULL */
  MailboxBatchFunc  end;      /* after it, or NULL */
  gpointer          owner;
  GMainContext     *context;
} Mailbox;

static gboolean
mailbox_ready (GSource *source)
{
  Mailbox *mailbox = (Mailbox *)source;
  gboolean ready;

  g_mutex_lock (&mailbox->mutex);
  ready = !g_queue_is_empty (&mailbox->items);
  g_mutex_unlock (&mailbox->mutex);

  return ready;
}

static gboolean
mailbox_prepare (GSource *source,
                 gint    *timeout)
{
  *timeout = -1;
  return mailbox_ready (source);
}

static gboolean
mailbox_check (GSource *source)
{
  return mailbox_ready (source);
}

/* Takes everything posted so far in one go. */
static void
mailbox_drain (Mailbox *mailbox)
{
  GQueue batch = G_QUEUE_INIT;
  gpointer item;

  g_mutex_lock (&mailbox->mutex);
  HAPPENS_AFTER (mailbox);
  batch = mailbox->items;
  g_queue_init (&mailbox->items);
  g_mutex_unlock (&mailbox->mutex);

  if (mailbox->begin != NULL)
    mailbox->begin (mailbox->owner);
  while ((item = g_queue_pop_head (&batch)))
    mailbox->func (mailbox->owner, item);
  if (mailbox->end != NULL)
    mailbox->end (mailbox->owner);
}

static gboolean
mailbox_dispatch (GSource     *source,
                  GSourceFunc  callback,
                  gpointer     user_data)
{
  mailbox_drain ((Mailbox *)source);
  return G_SOURCE_CONTINUE;
}

static void
mailbox_finalize (GSource *source)
{
  Mailbox *mailbox = (Mailbox *)source;

  g_assert (g_queue_is_empty (&mailbox->items));
  g_mutex_clear (&mailbox->mutex);
  g_main_context_unref (mailbox->context);
}

static GSourceFuncs mailbox_funcs = {
  mailbox_prepare,
  mailbox_check,
  mailbox_dispatch,
  mailbox_finalize,
  NULL, NULL,
};

static Mailbox *
mailbox_new (GMainContext     *context,
             MailboxFunc       func,
             MailboxBatchFunc  begin,
             MailboxBatchFunc  end,
             gpointer          owner)
{
  Mailbox *mailbox = (Mailbox *)g_source_new (&mailbox_funcs, sizeof (Mailbox));

  g_mutex_init (&mailbox->mutex);
  g_queue_init (&mailbox->items);
  mailbox->func = func;
  mailbox->begin = begin;
  mailbox->end = end;
  mailbox->owner = owner;
  mailbox->context = g_main_context_ref (context);
  g_source_set_priority (&mailbox->source, G_PRIORITY_DEFAULT);
  g_source_attach (&mailbox->source, context);

  return mailbox;
}

/* Posts without waking the mailbox's context; returns whether it needs
 * waking (mailbox_wake()) to see the item. */
static gboolean
mailbox_post_quietly (Mailbox  *mailbox,
                      gpointer  item)
{
  gboolean was_empty;

  g_mutex_lock (&mailbox->mutex);
  was_empty = g_queue_is_empty (&mailbox->items);
  g_queue_push_tail (&mailbox->items, item);
  HAPPENS_BEFORE (mailbox);
  g_mutex_unlock (&mailbox->mutex);

  return was_empty;
}

static void
mailbox_wake (Mailbox *mailbox)
{
  g_main_context_wakeup (mailbox->context);
}

static void
mailbox_post (Mailbox  *mailbox,
              gpointer  item)
{
  if (mailbox_post_quietly (mailbox, item))
    mailbox_wake (mailbox);
}

static void
mailbox_destroy (Mailbox *mailbox)
{
  g_source_destroy (&mailbox->source);
  g_source_unref (&mailbox->source);
}

/* What crosses threads. */

typedef enum
{
  CMD_ADD,
  CMD_EVENTS,
  CMD_FRAME,
  CMD_PAGE,
  CMD_SHUTDOWN,
} CommandKind;

typedef struct
{
  CommandKind      kind;
  char            *board_id;

  /* CMD_ADD */
  TackSubscriberKind sub_kind;
  char            *session;
  char            *user;
  GIOStream       *io;
  GUri            *uri;
  char            *origin;
  char            *protocol;
  GPtrArray       *frames;       /* GBytes: hello, reset, presence, replay;
                                  * CMD_PAGE: the next page of the replay */
  gint64           last_seq;
  gboolean         replaying;    /* CMD_ADD: the replay goes on in pages;
                                  * CMD_PAGE: not the last page yet */
  gsize            max_queue_bytes;
  guint            heartbeat_ms;

  char            *reject;       /* close the WebSocket at once (1008) */

  /* CMD_EVENTS */
  GPtrArray       *events;       /* TackEvent */

  /* CMD_FRAME */
  GBytes          *frame;
  char            *except;       /* the session that sent it */
} Command;

static void
command_free (Command *command)
{
  g_free (command->board_id);
  g_free (command->session);
  g_free (command->user);
  g_clear_object (&command->io);
  g_clear_pointer (&command->uri, g_uri_unref);
  g_free (command->origin);
  g_free (command->protocol);
  g_clear_pointer (&command->frames, g_ptr_array_unref);
  g_clear_pointer (&command->events, g_ptr_array_unref);
  g_clear_pointer (&command->frame, g_bytes_unref);
  g_free (command->except);
  g_free (command->reject);
  g_free (command);
}

typedef struct _Worker Worker;

typedef enum
{
  NOTE_PRESENCE,
  NOTE_LEFT,
  NOTE_MORE,           /* the next page of its replay */
} NoteKind;

typedef struct
{
  NoteKind  kind;
  Worker   *worker;     /* NOTE_MORE: where the page goes */
  char     *board_id;
  char     *session;
  GBytes   *frame;      /* the presence frame for the others, or NULL */
  gboolean  present;    /* NOTE_PRESENCE: a state, not null */
  gboolean  dropped;
} Note;

static void
note_free (Note *note)
{
  g_free (note->board_id);
  g_free (note->session);
  g_clear_pointer (&note->frame, g_bytes_unref);
  g_free (note);
}

/* Workers and their subscribers. */

typedef struct
{
  guint                    index;    /* in the board's array; first */
  Worker                  *worker;
  TackSubscriberKind       kind;
  char                    *board_id;
  char                    *session;
  char                    *user;
  GPollableOutputStream   *out;
  GQueue                   queue;    /* GBytes */
  gsize                    pending_bytes;
  gsize                    limit;
  GSource                 *writable_source;
  GSource                 *grace_source;
  gint64                   last_seq;
  gboolean                 present;  /* has sent a presence state */
  gboolean                 joined;   /* in the board's array */
  gboolean                 replaying; /* its replay goes on in pages */
  gboolean                 asked;    /* for the next page */
  gsize                    max_queue_bytes;
  guint                    dirty;    /* 1 + its index in the worker's flush
                                      * list, 0 when not in it */

  /* WebSocket */
  SoupWebsocketConnection *ws;
  TackCoalescingStream    *coalescing;

  /* SSE */
  GIOStream               *io;
  GPollableInputStream    *in;
  GSource                 *in_source;
  GSource                 *ping_source;
  gsize                    written;  /* of the queue's head */
  gboolean                 ending;   /* closes once its queue is out */
} Sub;

typedef struct
{
  TackMemberArray subs;
} Board;

struct _Worker
{
  TackSubscriberPool   *pool;
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  Mailbox      *inbox;
  GHashTable   *boards;      /* board id → Board */
  GHashTable   *all;         /* Sub set, joined or closing */
  GHashTable   *replaying;   /* session → Sub, replaying */
  gboolean      stopping;
  GSource      *grace_source;
  gboolean      draining;    /* its inbox */
  GPtrArray    *dirty;       /* Subs to flush once the inbox is drained */

  /* On the server's context: handed to it and not yet left. */
  guint         n_subs;
};

struct _TackSubscriberPool
{
  TackServer *server;
  gboolean    stopping;
  Mailbox    *notes;        /* on the server's context */
  GPtrArray  *workers;
  guint       capacity;     /* subscribers per worker before another starts */

  /* Workers given subscribers in this iteration of the server's context,
   * woken at its end. */
  GPtrArray  *to_wake;
  GSource    *wake_source;
};

static void
board_free (gpointer data)
{
  Board *board = data;

  tack_member_array_clear (&board->subs);
  g_free (board);
}

static void
worker_note (Worker   *worker,
             NoteKind  kind,
             Sub      *sub,
             GBytes   *frame,
             gboolean  dropped)
{
  Note *note = g_new0 (Note, 1);

  note->kind = kind;
  note->worker = worker;
  note->board_id = g_strdup (sub->board_id);
  note->session = g_strdup (sub->session);
  note->frame = frame ? g_bytes_ref (frame) : NULL;
  note->present = sub->present;
  note->dropped = dropped;
  mailbox_post (worker->pool->notes, note);
}

static GBytes *
presence_frame (Sub      *sub,
                JsonNode *state)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  char *text;

  json_object_set_string_member (object, "type", "presence");
  json_object_set_string_member (object, "user", sub->user ? sub->user : sub->session);
  if (state != NULL)
    json_object_set_member (object, "state", json_node_copy (state));
  else
    json_object_set_null_member (object, "state");
  json_node_take_object (node, object);
  text = json_to_string (node, FALSE);

  return g_bytes_new_take (text, strlen (text));
}

/* Leaves the board: no more broadcasts; the main context hears it left
 * (and the others that it is no longer present). */
static void
sub_leave (Sub      *sub,
           gboolean  dropped)
{
  Worker *worker = sub->worker;
  Board *board;
  g_autoptr(GBytes) left = NULL;

  if (!sub->joined)
    return;

  sub->joined = FALSE;
  board = g_hash_table_lookup (worker->boards, sub->board_id);
  tack_member_array_remove (&board->subs, sub);

  if (sub->present)
    left = presence_frame (sub, NULL);
  worker_note (worker, NOTE_LEFT, sub, left, dropped);
}

static void
sub_clear_output (Sub *sub)
{
  g_queue_clear_full (&sub->queue, (GDestroyNotify)g_bytes_unref);
  sub->pending_bytes = 0;
  sub->written = 0;
  tack_server_clear_source (&sub->writable_source);
}

static void
sub_free (Sub *sub)
{
  sub_leave (sub, FALSE);
  g_hash_table_remove (sub->worker->all, sub);
  if (sub->replaying)
    g_hash_table_remove (sub->worker->replaying, sub->session);

  if (sub->dirty > 0)
    sub->worker->dirty->pdata[sub->dirty - 1] = NULL;

  sub_clear_output (sub);
  tack_server_clear_source (&sub->grace_source);
  tack_server_clear_source (&sub->in_source);
  tack_server_clear_source (&sub->ping_source);

  if (sub->ws != NULL)
    g_signal_handlers_disconnect_by_data (sub->ws, sub);
  g_clear_object (&sub->ws);
  g_clear_object (&sub->coalescing);
  g_clear_object (&sub->io);
  g_clear_object (&sub->in);
  g_clear_object (&sub->out);
  g_free (sub->board_id);
  g_free (sub->session);
  g_free (sub->user);
  g_free (sub);
}

static void
worker_maybe_quit (Worker *worker)
{
  if (worker->stopping && g_hash_table_size (worker->all) == 0)
    g_main_loop_quit (worker->loop);
}

/* Closes the socket under a subscriber and forgets it. */
static void
sub_close (Sub *sub)
{
  Worker *worker = sub->worker;
  GIOStream *io = sub->kind == TACK_SUBSCRIBER_WEBSOCKET ? soup_websocket_connection_get_io_stream (sub->ws)
                                                         : sub->io;

  if (sub->ws != NULL)
    g_signal_handlers_disconnect_by_data (sub->ws, sub);
  g_io_stream_close (io, NULL, NULL);
  sub_free (sub);
  worker_maybe_quit (worker);
}

static GSource *
attach_timeout (Worker      *worker,
                guint        ms,
                GSourceFunc  func,
                gpointer     data)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, worker->context);

  return source;
}

static gboolean
sub_grace_cb (gpointer user_data)
{
  Sub *sub = user_data;

  g_clear_pointer (&sub->grace_source, g_source_unref);

  /* The peer never read up to the end: drop the socket. */
  if (sub->kind == TACK_SUBSCRIBER_SSE ||
      soup_websocket_connection_get_state (sub->ws) != SOUP_WEBSOCKET_STATE_CLOSED)
    sub_close (sub);

  return G_SOURCE_REMOVE;
}

static gboolean sub_flush (Sub *sub);

/* An SSE stream ends once what is queued is out (or after @grace_ms, for
 * a reader that does not take it): the client resumes from its
 * Last-Event-ID. */
static void
sse_end (Sub   *sub,
         guint  grace_ms)
{
  sub->ending = TRUE;
  tack_server_clear_source (&sub->ping_source);
  if (sub->grace_source == NULL)
    sub->grace_source = attach_timeout (sub->worker, grace_ms, sub_grace_cb, sub);
  sub_flush (sub);
}

/* What it was sent and the socket has not taken: its queue, and what
 * libsoup framed into the coalescing buffer. */
static gsize
sub_pending (Sub *sub)
{
  gsize pending = sub->pending_bytes;

  if (sub->coalescing != NULL)
    pending += tack_coalescing_stream_get_buffered (sub->coalescing);

  return pending;
}

static void
sub_drop_slow (Sub *sub)
{
  g_debug ("Closing a %s subscriber of %s: %" G_GSIZE_FORMAT " bytes queued",
           sub->kind == TACK_SUBSCRIBER_WEBSOCKET ? "WebSocket" : "SSE",
           sub->board_id, sub_pending (sub));

  sub_leave (sub, TRUE);

  if (sub->kind == TACK_SUBSCRIBER_SSE)
    {
      sse_end (sub, 5000);
      return;
    }

  sub_clear_output (sub);
  if (soup_websocket_connection_get_state (sub->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  soup_websocket_connection_close (sub->ws, TACK_SERVER_CLOSE_TOO_SLOW,
                                   "too slow: resume with since");
  sub->grace_source = attach_timeout (sub->worker, 5000, sub_grace_cb, sub);
}

static gboolean
sub_writable_cb (GObject  *pollable,
                 gpointer  user_data)
{
  Sub *sub = user_data;

  g_clear_pointer (&sub->writable_source, g_source_unref);
  sub_flush (sub);

  return G_SOURCE_REMOVE;
}

static void
sub_wait_writable (Sub *sub)
{
  if (sub->writable_source != NULL)
    return;

  sub->writable_source = g_pollable_output_stream_create_source (sub->out, NULL);
  g_source_set_callback (sub->writable_source, (GSourceFunc)(GCallback)sub_writable_cb, sub, NULL);
  g_source_attach (sub->writable_source, sub->worker->context);
}

static void
ws_flush (Sub *sub)
{
  if (soup_websocket_connection_get_state (sub->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      sub_clear_output (sub);
      return;
    }

  /* libsoup writes each frame it makes with a write of its own; corked,
   * those land in the coalescing buffer, and uncorking hands them all to
   * the socket at once. The buffer is writable while it has room, and
   * the backlog of a reader that does not keep up stays here, counted,
   * rather than in libsoup. */
  tack_coalescing_stream_cork (sub->coalescing);
  while (!g_queue_is_empty (&sub->queue) && g_pollable_output_stream_is_writable (sub->out))
    {
      g_autoptr(GBytes) bytes = NULL;

      /* A write that failed just now closes the connection under us. */
      if (soup_websocket_connection_get_state (sub->ws) != SOUP_WEBSOCKET_STATE_OPEN)
        break;

      bytes = g_queue_pop_head (&sub->queue);
      sub->pending_bytes -= g_bytes_get_size (bytes);
      /* The same GBytes for every subscriber; libsoup 3.2 still checks
       * the text is UTF-8 and copies it into a frame of its own. */
      soup_websocket_connection_send_message (sub->ws, SOUP_WEBSOCKET_DATA_TEXT, bytes);
    }
  /* A failure here reaches libsoup with its next write or read. */
  tack_coalescing_stream_uncork (sub->coalescing);

  if (soup_websocket_connection_get_state (sub->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    sub_clear_output (sub);
  else if (!g_queue_is_empty (&sub->queue))
    sub_wait_writable (sub);
}

/* Drops the first @n bytes of the queue: they are out. */
static void
sse_consume (Sub   *sub,
             gsize  n)
{
  while (!g_queue_is_empty (&sub->queue))
    {
      GBytes *head = g_queue_peek_head (&sub->queue);
      gsize size = g_bytes_get_size (head);

      if (size - sub->written > n)
        {
          sub->written += n;
          return;
        }

      n -= size - sub->written;
      sub->written = 0;
      sub->pending_bytes -= size;
      g_bytes_unref (g_queue_pop_head (&sub->queue));
    }
}

/* The body of the response is the stream itself: the queued events go
 * out as they are, in one writev() (as much as the socket takes).
 * Returns FALSE when the subscriber was closed (and freed). */
static gboolean
sse_flush (Sub *sub)
{
  while (!g_queue_is_empty (&sub->queue))
    {
      GOutputVector vectors[SSE_MAX_VECTORS];
      guint n_vectors = 0;
      gsize total = 0;
      gsize written = 0;
      g_autoptr(GError) error = NULL;
      GPollableReturn ret;

      for (GList *l = sub->queue.head; l != NULL && n_vectors < SSE_MAX_VECTORS; l = l->next)
        {
          gsize size;
          const guint8 *data = g_bytes_get_data (l->data, &size);
          gsize skip = n_vectors == 0 ? sub->written : 0;

          vectors[n_vectors].buffer = data + skip;
          vectors[n_vectors].size = size - skip;
          total += size - skip;
          n_vectors++;
        }

      ret = g_pollable_output_stream_writev_nonblocking (sub->out, vectors, n_vectors, &written, NULL, &error);
      if (ret == G_POLLABLE_RETURN_WOULD_BLOCK)
        {
          sub_wait_writable (sub);
          return TRUE;
        }
      if (ret == G_POLLABLE_RETURN_FAILED)
        {
          g_debug ("Closing an SSE subscriber: %s", error->message);
          sub_close (sub);
          return FALSE;
        }

      sse_consume (sub, written);

      /* A short write means the socket is full. */
      if (written < total)
        {
          sub_wait_writable (sub);
          return TRUE;
        }
    }

  if (sub->ending)
    {
      sub_close (sub);
      return FALSE;
    }

  return TRUE;
}

/* A subscriber catching up whose queue ran low asks for the next page
 * of its replay, one page at a time. */
static void
sub_maybe_ask (Sub *sub)
{
  if (!sub->replaying || sub->asked || !sub->joined || sub->pending_bytes >= REPLAY_LOW_WATER)
    return;

  sub->asked = TRUE;
  worker_note (sub->worker, NOTE_MORE, sub, NULL, FALSE);
}

/* Hands the socket what is queued. Returns FALSE when the subscriber is
 * gone after. */
static gboolean
sub_flush (Sub *sub)
{
  if (sub->kind == TACK_SUBSCRIBER_SSE)
    {
      if (!sse_flush (sub))
        return FALSE;
    }
  else if (!g_queue_is_empty (&sub->queue))
    ws_flush (sub);

  sub_maybe_ask (sub);

  return TRUE;
}

/* Inside a drain of the worker's inbox, the flush waits for the end of
 * the drain: everything the drain queued to a subscriber goes out in one
 * write. */
static void
sub_flush_later (Sub *sub)
{
  Worker *worker = sub->worker;

  if (!worker->draining)
    {
      sub_flush (sub);
      return;
    }

  if (sub->dirty == 0)
    {
      g_ptr_array_add (worker->dirty, sub);
      sub->dirty = worker->dirty->len;
    }
}

/* Queues @bytes. Returns FALSE when the subscriber was just dropped for
 * falling too far behind, or is gone. */
static gboolean
sub_queue (Sub    *sub,
           GBytes *bytes)
{
  if (sub->ending)
    return FALSE;

  sub->pending_bytes += g_bytes_get_size (bytes);
  g_queue_push_tail (&sub->queue, g_bytes_ref (bytes));

  if (!sub->joined || sub_pending (sub) <= sub->limit)
    return TRUE;

  /* Inside a drain of the inbox the flush waits for its end, so the
   * queue may hold a burst the socket was never offered; and what the
   * socket refused earlier may fit by now. Only what the socket refuses
   * once offered everything is a backlog the reader left. */
  if (!sub_flush (sub))
    return FALSE;
  if (sub_pending (sub) <= sub->limit)
    return TRUE;

  sub_drop_slow (sub);
  return FALSE;
}

static void
sub_send (Sub    *sub,
          GBytes *bytes)
{
  if (sub_queue (sub, bytes))
    sub_flush_later (sub);
}

static gboolean
sub_queue_event (Sub       *sub,
                 TackEvent *event)
{
  g_autoptr(GBytes) bytes = NULL;

  /* Committed before the subscriber read its replay, broadcast after:
   * the replay had it already; or the replay is still being read, and a
   * later page has it. */
  if (sub->replaying || tack_event_get_seq (event) <= sub->last_seq)
    return TRUE;
  sub->last_seq = tack_event_get_seq (event);

  if (sub->kind == TACK_SUBSCRIBER_WEBSOCKET)
    bytes = tack_event_get_json_bytes (event);
  else
    bytes = tack_event_get_sse (event);

  return sub_queue (sub, bytes);
}

/* WebSocket. */

static void
ws_message_cb (SoupWebsocketConnection *ws,
               SoupWebsocketDataType    type,
               GBytes                  *message,
               gpointer                 user_data)
{
  Sub *sub = user_data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *data;
  gsize len;
  JsonObject *object;
  const char *frame_type;

  if (!sub->joined)
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
    {
      g_autoptr(GBytes) pong = g_bytes_new_static ("{\"type\":\"pong\"}", strlen ("{\"type\":\"pong\"}"));

      sub_send (sub, pong);
    }
  else if (g_str_equal (frame_type, "presence"))
    {
      JsonNode *state = json_object_get_member (object, "state");
      JsonNode *user = json_object_get_member (object, "user");
      g_autoptr(GBytes) frame = NULL;

      if (state == NULL || !(JSON_NODE_HOLDS_OBJECT (state) || JSON_NODE_HOLDS_NULL (state)))
        return;

      /* A client renamed its user since the stream opened (the display
       * name changed in its Preferences): the presence others see follows
       * it. A name the X-Tack-User header could not carry is ignored. */
      if (user != NULL && JSON_NODE_HOLDS_VALUE (user) &&
          json_node_get_value_type (user) == G_TYPE_STRING)
        {
          const char *name = json_node_get_string (user);

          if (*name != '\0' && strlen (name) <= TACK_SERVER_MAX_ID_BYTES &&
              g_strcmp0 (name, sub->user) != 0)
            {
              /* Presence is told apart by name: the old one leaves
               * first, or the others would keep seeing it. */
              if (sub->present)
                {
                  g_autoptr(GBytes) left = presence_frame (sub, NULL);

                  sub->present = FALSE;
                  worker_note (sub->worker, NOTE_PRESENCE, sub, left, FALSE);
                }
              g_free (sub->user);
              sub->user = g_strdup (name);
            }
        }

      /* The main context keeps who is present and tells the others. */
      sub->present = JSON_NODE_HOLDS_OBJECT (state);
      frame = presence_frame (sub, state);
      worker_note (sub->worker, NOTE_PRESENCE, sub, frame, FALSE);
    }
  else
    g_debug ("Ignoring a “%s” frame", frame_type);
}

static void
ws_closed_cb (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  Sub *sub = user_data;
  Worker *worker = sub->worker;

  g_debug ("WebSocket subscriber closed (%u)", soup_websocket_connection_get_close_code (ws));
  sub_free (sub);
  worker_maybe_quit (worker);
}

static void
ws_start (Sub     *sub,
          Command *command)
{
  /* The connection's sources, and the coalescing stream's, belong to the
   * thread-default context when they are made: this worker's. libsoup
   * frames into the coalescing stream, which the worker corks while it
   * hands libsoup a batch (ws_flush). */
  sub->coalescing = tack_coalescing_stream_new (command->io, COALESCE_MAX_BUFFER);
  sub->ws = soup_websocket_connection_new (G_IO_STREAM (sub->coalescing), command->uri,
                                           SOUP_WEBSOCKET_CONNECTION_SERVER,
                                           command->origin, command->protocol, NULL);
  soup_websocket_connection_set_max_incoming_payload_size (sub->ws, TACK_SERVER_MAX_FRAME);
  soup_websocket_connection_set_keepalive_interval (sub->ws, MAX (1, (command->heartbeat_ms + 999) / 1000));

  sub->out = g_object_ref (G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (G_IO_STREAM (sub->coalescing))));

  g_signal_connect (sub->ws, "message", G_CALLBACK (ws_message_cb), sub);
  g_signal_connect (sub->ws, "closed", G_CALLBACK (ws_closed_cb), sub);
}

/* Server-Sent Events. */

/* The client sends nothing after its request; reading only tells when
 * it is gone. */
static gboolean
sse_readable_cb (GObject  *pollable,
                 gpointer  user_data)
{
  Sub *sub = user_data;
  guint8 buffer[512];
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_pollable_input_stream_read_nonblocking (sub->in, buffer, sizeof buffer, NULL, &error);
  if (n > 0 || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&sub->in_source, g_source_unref);
  sub_close (sub);

  return G_SOURCE_REMOVE;
}

static gboolean
sse_ping_cb (gpointer user_data)
{
  Sub *sub = user_data;
  g_autoptr(GBytes) ping = g_bytes_new_static (": ping\n\n", strlen (": ping\n\n"));

  sub_send (sub, ping);

  return G_SOURCE_CONTINUE;
}

static gboolean
sse_start (Sub     *sub,
           Command *command)
{
  GInputStream *in = g_io_stream_get_input_stream (command->io);
  GOutputStream *out = g_io_stream_get_output_stream (command->io);

  if (!G_IS_POLLABLE_INPUT_STREAM (in) || !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (in)) ||
      !G_IS_POLLABLE_OUTPUT_STREAM (out) || !g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (out)))
    return FALSE;

  sub->io = g_object_ref (command->io);
  sub->in = g_object_ref (G_POLLABLE_INPUT_STREAM (in));
  sub->out = g_object_ref (G_POLLABLE_OUTPUT_STREAM (out));

  sub->in_source = g_pollable_input_stream_create_source (sub->in, NULL);
  g_source_set_callback (sub->in_source, (GSourceFunc)(GCallback)sse_readable_cb, sub, NULL);
  g_source_attach (sub->in_source, sub->worker->context);

  sub->ping_source = attach_timeout (sub->worker, command->heartbeat_ms, sse_ping_cb, sub);

  return TRUE;
}

/* The worker. */

static Board *
worker_board (Worker     *worker,
              const char *board_id)
{
  Board *board = g_hash_table_lookup (worker->boards, board_id);

  if (board == NULL)
    {
      board = g_new0 (Board, 1);
      tack_member_array_init (&board->subs);
      g_hash_table_insert (worker->boards, g_strdup (board_id), board);
    }

  return board;
}

static void
worker_add (Worker  *worker,
            Command *command)
{
  Sub *sub = g_new0 (Sub, 1);

  sub->worker = worker;
  sub->kind = command->sub_kind;
  sub->board_id = g_steal_pointer (&command->board_id);
  sub->session = g_steal_pointer (&command->session);
  sub->user = g_steal_pointer (&command->user);
  sub->last_seq = command->last_seq;
  sub->max_queue_bytes = command->max_queue_bytes;
  g_queue_init (&sub->queue);
  g_hash_table_add (worker->all, sub);

  if (command->reject != NULL)
    {
      /* Never joined, never counted: it only hears why. */
      ws_start (sub, command);
      soup_websocket_connection_close (sub->ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, command->reject);
      return;
    }

  if (sub->kind == TACK_SUBSCRIBER_WEBSOCKET)
    ws_start (sub, command);
  else if (!sse_start (sub, command))
    {
      g_io_stream_close (command->io, NULL, NULL);
      worker_note (worker, NOTE_LEFT, sub, NULL, FALSE);
      sub_free (sub);
      return;
    }

  if (worker->stopping)
    {
      worker_note (worker, NOTE_LEFT, sub, NULL, FALSE);
      if (sub->kind == TACK_SUBSCRIBER_WEBSOCKET)
        soup_websocket_connection_close (sub->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "server shutting down");
      else
        sub_close (sub);
      return;
    }

  /* The replay is as big as it is; the limit applies to what comes
   * after. */
  for (guint i = 0; i < command->frames->len; i++)
    sub_queue (sub, g_ptr_array_index (command->frames, i));
  sub->limit = command->max_queue_bytes + sub->pending_bytes;

  if (command->replaying)
    {
      sub->replaying = TRUE;
      g_hash_table_insert (worker->replaying, sub->session, sub);
    }

  sub->joined = TRUE;
  tack_member_array_add (&worker_board (worker, sub->board_id)->subs, sub);
  sub_flush_later (sub);
}

/* The next page of a replay: the one that reaches the end of the log
 * makes the subscriber take broadcast events again. */
static void
worker_page (Worker  *worker,
             Command *command)
{
  Sub *sub = g_hash_table_lookup (worker->replaying, command->session);

  /* It left while the page was read. */
  if (sub == NULL)
    return;

  sub->asked = FALSE;
  sub->last_seq = command->last_seq;
  if (!command->replaying)
    {
      sub->replaying = FALSE;
      g_hash_table_remove (worker->replaying, sub->session);
    }

  /* Like the first page, a page is as big as it is. */
  sub->limit = G_MAXSIZE;
  for (guint i = 0; i < command->frames->len; i++)
    sub_queue (sub, g_ptr_array_index (command->frames, i));
  sub->limit = sub->max_queue_bytes + sub_pending (sub);

  sub_flush_later (sub);
}

static void
worker_events (Worker  *worker,
               Command *command)
{
  Board *board = g_hash_table_lookup (worker->boards, command->board_id);
  TackMemberArray *subs;

  if (board == NULL)
    return;

  subs = &board->subs;
  tack_member_array_walk_begin (subs);
  for (guint i = 0; i < subs->items->len; i++)
    {
      Sub *sub = subs->items->pdata[i];
      gboolean alive = TRUE;

      /* NULL: an earlier send in this walk dropped it. */
      if (sub == NULL)
        continue;

      for (guint j = 0; alive && j < command->events->len; j++)
        alive = sub_queue_event (sub, g_ptr_array_index (command->events, j));

      if (alive)
        sub_flush_later (sub);
    }
  tack_member_array_walk_end (subs);
}

static void
worker_frame (Worker  *worker,
              Command *command)
{
  Board *board = g_hash_table_lookup (worker->boards, command->board_id);
  TackMemberArray *subs;

  if (board == NULL)
    return;

  subs = &board->subs;
  tack_member_array_walk_begin (subs);
  for (guint i = 0; i < subs->items->len; i++)
    {
      Sub *sub = subs->items->pdata[i];

      /* Presence is for WebSocket subscribers. */
      if (sub != NULL && sub->kind == TACK_SUBSCRIBER_WEBSOCKET &&
          g_strcmp0 (sub->session, command->except) != 0)
        sub_send (sub, command->frame);
    }
  tack_member_array_walk_end (subs);
}

static gboolean
worker_grace_cb (gpointer user_data)
{
  Worker *worker = user_data;

  g_clear_pointer (&worker->grace_source, g_source_unref);
  g_main_loop_quit (worker->loop);

  return G_SOURCE_REMOVE;
}

static void
worker_shutdown (Worker *worker)
{
  g_autoptr(GPtrArray) subs = NULL;
  GHashTableIter iter;
  gpointer key;

  worker->stopping = TRUE;

  subs = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, worker->all);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (subs, key);

  for (guint i = 0; i < subs->len; i++)
    {
      Sub *sub = subs->pdata[i];

      sub_leave (sub, FALSE);
      if (sub->kind == TACK_SUBSCRIBER_SSE)
        {
          if (!sub->ending)
            sse_end (sub, SHUTDOWN_GRACE_MS);
          continue;
        }

      sub_clear_output (sub);
      if (soup_websocket_connection_get_state (sub->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (sub->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                         "server shutting down");
    }

  /* Time for the close frames and the rest of the SSE streams to go out;
   * a peer that does not take them (or answers on a loop that waits for
   * this one) is cut off. */
  worker->grace_source = attach_timeout (worker, SHUTDOWN_GRACE_MS, worker_grace_cb, worker);
  worker_maybe_quit (worker);
}

static void
worker_command (gpointer owner,
                gpointer item)
{
  Worker *worker = owner;
  Command *command = item;

  switch (command->kind)
    {
    case CMD_ADD:
      worker_add (worker, command);
      break;

    case CMD_EVENTS:
      worker_events (worker, command);
      break;

    case CMD_FRAME:
      worker_frame (worker, command);
      break;

    case CMD_PAGE:
      worker_page (worker, command);
      break;

    case CMD_SHUTDOWN:
      worker_shutdown (worker);
      break;

    default:
      g_assert_not_reached ();
    }

  command_free (command);
}

static void
worker_drain_begin (gpointer owner)
{
  Worker *worker = owner;

  worker->draining = TRUE;
}

/* Each subscriber the drain queued something to is flushed once. */
static void
worker_drain_end (gpointer owner)
{
  Worker *worker = owner;

  worker->draining = FALSE;

  for (guint i = 0; i < worker->dirty->len; i++)
    {
      Sub *sub = worker->dirty->pdata[i];

      /* NULL: it left during the drain. */
      if (sub == NULL)
        continue;

      worker->dirty->pdata[i] = NULL;
      sub->dirty = 0;
      sub_flush (sub);
    }

  g_ptr_array_set_size (worker->dirty, 0);
}

static gpointer
worker_main (gpointer data)
{
  Worker *worker = data;
  GHashTableIter iter;
  gpointer key;

  g_main_context_push_thread_default (worker->context);
  g_main_loop_run (worker->loop);

  /* Whoever is left did not finish in time: close the socket under it. */
  while (g_hash_table_size (worker->all) > 0)
    {
      g_hash_table_iter_init (&iter, worker->all);
      g_hash_table_iter_next (&iter, &key, NULL);
      sub_close (key);
    }

  /* Let the connections' own closes finish. */
  for (guint i = 0; i < 100 && g_main_context_iteration (worker->context, FALSE); i++)
    ;

  g_main_context_pop_thread_default (worker->context);

  return NULL;
}

static Worker *
worker_new (TackSubscriberPool *pool,
            guint       n)
{
  Worker *worker = g_new0 (Worker, 1);
  g_autofree char *name = g_strdup_printf ("tack-subs-%u", n);

  worker->pool = pool;
  worker->context = g_main_context_new ();
  worker->loop = g_main_loop_new (worker->context, FALSE);
  worker->dirty = g_ptr_array_new ();
  worker->inbox = mailbox_new (worker->context, worker_command, worker_drain_begin, worker_drain_end, worker);
  worker->boards = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, board_free);
  worker->all = g_hash_table_new (NULL, NULL);
  worker->replaying = g_hash_table_new (g_str_hash, g_str_equal);
  worker->thread = g_thread_new (name, worker_main, worker);

  return worker;
}

/* After the thread ended. */
static void
worker_free (Worker *worker)
{
  tack_server_clear_source (&worker->grace_source);
  mailbox_destroy (worker->inbox);
  g_ptr_array_unref (worker->dirty);
  g_hash_table_unref (worker->boards);
  g_hash_table_unref (worker->all);
  g_hash_table_unref (worker->replaying);
  g_main_loop_unref (worker->loop);
  g_main_context_unref (worker->context);
  g_free (worker);
}

/* The pool, on the server's context. */

static void
pool_read_replay (TackSubscriberPool *pool,
                  Note               *note)
{
  g_autoptr(GPtrArray) frames = NULL;
  Command *command;
  gint64 last_seq = 0;
  gboolean done = FALSE;

  /* The workers are gone: nobody to send it to. */
  if (pool->stopping)
    return;

  frames = tack_server_read_replay (pool->server, note->board_id, note->session, &last_seq, &done);
  if (frames == NULL)
    return;

  command = g_new0 (Command, 1);
  command->kind = CMD_PAGE;
  command->session = g_strdup (note->session);
  command->frames = g_steal_pointer (&frames);
  command->last_seq = last_seq;
  command->replaying = !done;
  mailbox_post (note->worker->inbox, command);
}

static void
pool_note (gpointer owner,
           gpointer item)
{
  TackSubscriberPool *pool = owner;
  Note *note = item;

  switch (note->kind)
    {
    case NOTE_MORE:
      pool_read_replay (pool, note);
      break;

    case NOTE_PRESENCE:
      tack_server_presence_changed (pool->server, note->board_id, note->session, note->frame, note->present);
      break;

    case NOTE_LEFT:
      g_assert (note->worker->n_subs > 0);
      note->worker->n_subs--;
      tack_server_subscriber_left (pool->server, note->board_id, note->session, note->frame, note->dropped);
      break;

    default:
      g_assert_not_reached ();
    }

  note_free (note);
}

/**
 * tack_subscriber_pool_new:
 * @n_workers: how many subscriber threads to start with
 * @capacity: subscribers per worker before the pool starts another, or 0
 *   for the default
 *
 * Starts the workers. Notes from them are handled on the thread-default
 * main context of the caller, the server's.
 */
TackSubscriberPool *
tack_subscriber_pool_new (TackServer *server,
                          guint       n_workers,
                          guint       capacity)
{
  TackSubscriberPool *pool = g_new0 (TackSubscriberPool, 1);
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  pool->server = server;
  pool->notes = mailbox_new (context, pool_note, NULL, NULL, pool);
  pool->workers = g_ptr_array_new ();
  pool->capacity = capacity > 0 ? capacity : WORKER_CAPACITY;
  pool->to_wake = g_ptr_array_new ();

  for (guint i = 0; i < CLAMP (n_workers, 1, MAX_WORKERS); i++)
    g_ptr_array_add (pool->workers, worker_new (pool, i));

  return pool;
}

guint
tack_subscriber_pool_get_n_workers (TackSubscriberPool *pool)
{
  return pool->workers->len;
}

/* The worker with the fewest subscribers, or a new one when even that
 * one is full. */
static Worker *
pool_pick_worker (TackSubscriberPool *pool)
{
  Worker *least = g_ptr_array_index (pool->workers, 0);

  for (guint i = 1; i < pool->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (pool->workers, i);

      if (worker->n_subs < least->n_subs)
        least = worker;
    }

  if (least->n_subs >= pool->capacity && pool->workers->len < MAX_WORKERS)
    {
      least = worker_new (pool, pool->workers->len);
      g_ptr_array_add (pool->workers, least);
    }

  return least;
}

static gboolean
pool_wake_cb (gpointer user_data)
{
  TackSubscriberPool *pool = user_data;

  tack_server_clear_source (&pool->wake_source);

  for (guint i = 0; i < pool->to_wake->len; i++)
    mailbox_wake (((Worker *)g_ptr_array_index (pool->to_wake, i))->inbox);
  g_ptr_array_set_size (pool->to_wake, 0);

  return G_SOURCE_REMOVE;
}

/* @busy_only: skip the workers without subscribers (broadcasts) */
static void
pool_post_all (TackSubscriberPool  *pool,
               gboolean             busy_only,
               Command    *(*make) (gpointer),
               gpointer     data)
{
  for (guint i = 0; i < pool->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (pool->workers, i);

      if (!busy_only || worker->n_subs > 0)
        mailbox_post (worker->inbox, make (data));
    }
}

/**
 * tack_subscriber_pool_add:
 * @io: (transfer none): the connection, stolen after the handshake (the
 *   101 of a WebSocket, the response headers of an SSE stream)
 * @uri: (nullable): the WebSocket's URI
 * @frames: (transfer none): what the subscriber gets first, in order
 * @last_seq: the seq of the last event in @frames (or the one it starts
 *   after)
 * @replaying: whether the replay goes on after @frames, in pages its
 *   worker asks for (tack_server_read_replay())
 * @heartbeat_ms: how often the stream is kept warm (WebSocket pings,
 *   SSE `: ping` comments)
 *
 * Hands a new subscriber to the worker with the fewest.
 */
void
tack_subscriber_pool_add (TackSubscriberPool *pool,
                          TackSubscriberKind  kind,
                          const char         *board_id,
                          const char         *session,
                          const char         *user,
                          GIOStream          *io,
                          GUri               *uri,
                          const char         *origin,
                          const char         *protocol,
                          GPtrArray          *frames,
                          gint64              last_seq,
                          gboolean            replaying,
                          gsize               max_queue_bytes,
                          guint               heartbeat_ms)
{
  Command *command = g_new0 (Command, 1);
  Worker *worker = pool_pick_worker (pool);

  /* Counted from now: a broadcast after this reaches its worker. */
  worker->n_subs++;

  command->kind = CMD_ADD;
  command->sub_kind = kind;
  command->board_id = g_strdup (board_id);
  command->session = g_strdup (session);
  command->user = g_strdup (user);
  command->io = g_object_ref (io);
  command->uri = uri ? g_uri_ref (uri) : NULL;
  command->origin = g_strdup (origin);
  command->protocol = g_strdup (protocol);
  command->frames = g_ptr_array_ref (frames);
  command->last_seq = last_seq;
  command->replaying = replaying;
  command->max_queue_bytes = max_queue_bytes;
  command->heartbeat_ms = heartbeat_ms;

  /* Each iteration of a worker visits every source of its subscribers,
   * so in a storm of connections it should take all that arrived in one
   * iteration of the server's context together rather than wake for each:
   * it is woken once that iteration is over. */
  if (mailbox_post_quietly (worker->inbox, command))
    {
      g_ptr_array_add (pool->to_wake, worker);
      tack_server_ensure_idle (&pool->wake_source, pool_wake_cb, pool);
    }
}

/* A WebSocket whose board went away during the handshake: closed with
 * 1008 and @reason, on a worker like the others. */
void
tack_subscriber_pool_reject (TackSubscriberPool *pool,
                             GIOStream          *io,
                             GUri               *uri,
                             const char         *protocol,
                             const char         *reason)
{
  Command *command = g_new0 (Command, 1);
  Worker *worker = pool_pick_worker (pool);

  command->kind = CMD_ADD;
  command->sub_kind = TACK_SUBSCRIBER_WEBSOCKET;
  command->io = g_object_ref (io);
  command->uri = g_uri_ref (uri);
  command->protocol = g_strdup (protocol);
  command->reject = g_strdup (reason);
  command->heartbeat_ms = 15000;

  mailbox_post (worker->inbox, command);
}

typedef struct
{
  const char  *board_id;
  TackEvent  **events;
  guint        n_events;
  GBytes      *frame;
  const char  *except;
} Broadcast;

static Command *
make_events (gpointer data)
{
  Broadcast *broadcast = data;
  Command *command = g_new0 (Command, 1);

  command->kind = CMD_EVENTS;
  command->board_id = g_strdup (broadcast->board_id);
  command->events = g_ptr_array_new_full (broadcast->n_events, (GDestroyNotify)tack_event_unref);
  for (guint i = 0; i < broadcast->n_events; i++)
    g_ptr_array_add (command->events, tack_event_ref (broadcast->events[i]));

  return command;
}

/* Every worker gets the same events (reference counted, never copied). */
void
tack_subscriber_pool_broadcast (TackSubscriberPool  *pool,
                                const char          *board_id,
                                TackEvent          **events,
                                guint                n_events)
{
  Broadcast broadcast = { board_id, events, n_events, NULL, NULL };

  pool_post_all (pool, TRUE, make_events, &broadcast);
}

static Command *
make_frame (gpointer data)
{
  Broadcast *broadcast = data;
  Command *command = g_new0 (Command, 1);

  command->kind = CMD_FRAME;
  command->board_id = g_strdup (broadcast->board_id);
  command->frame = g_bytes_ref (broadcast->frame);
  command->except = g_strdup (broadcast->except);

  return command;
}

/* A frame that is not an event (presence) to the board's subscribers
 * but the one of session @except. */
void
tack_subscriber_pool_send_frame (TackSubscriberPool *pool,
                                 const char         *board_id,
                                 const char         *except,
                                 GBytes             *frame)
{
  Broadcast broadcast = { board_id, NULL, 0, frame, except };

  pool_post_all (pool, TRUE, make_frame, &broadcast);
}

static Command *
make_shutdown (gpointer data)
{
  Command *command = g_new0 (Command, 1);

  command->kind = CMD_SHUTDOWN;

  return command;
}

/**
 * tack_subscriber_pool_free:
 *
 * Closes every subscriber (1001), waits for the workers to end and hands
 * their last notes to the server. Blocks for at most about
 * SHUTDOWN_GRACE_MS.
 */
void
tack_subscriber_pool_free (TackSubscriberPool *pool)
{
  pool->stopping = TRUE;
  tack_server_clear_source (&pool->wake_source);
  pool_post_all (pool, FALSE, make_shutdown, NULL);

  for (guint i = 0; i < pool->workers->len; i++)
    g_thread_join (((Worker *)g_ptr_array_index (pool->workers, i))->thread);

  /* The last notes still name their workers. */
  mailbox_drain (pool->notes);
  mailbox_destroy (pool->notes);

  for (guint i = 0; i < pool->workers->len; i++)
    worker_free (g_ptr_array_index (pool->workers, i));
  g_ptr_array_unref (pool->workers);
  g_ptr_array_unref (pool->to_wake);
  g_free (pool);
}
