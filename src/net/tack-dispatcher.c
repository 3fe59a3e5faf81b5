/* tack-dispatcher.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Between the connection and the store: it keeps the event stream in
 * order. An event the store already reflects is dropped, the next one is
 * applied (the store knows PROTOCOL.md's table and settles our own ops),
 * one further ahead is a gap and asks for a resume from the last applied
 * seq, and a reset reloads the snapshot, holding back whatever arrives
 * meanwhile. Presence frames are passed on as ::presence.
 */

#define G_LOG_DOMAIN "tack-net"

#include "config.h"

#include "tack-dispatcher.h"
#include "tack-json.h"

struct _TackDispatcher
{
  GObject       parent_instance;

  TackStore    *store;
  TackApi      *api;
  GCancellable *cancellable;

  /* Events that arrived while a snapshot was loading. */
  GQueue        held;
  GSList       *waiting;      /* GTask*, reloads joining the one in flight */
  gint64        notified_seq;
  guint         loading : 1;
};

G_DEFINE_FINAL_TYPE (TackDispatcher, tack_dispatcher, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_API,
  PROP_SEQ,
  PROP_LOADING,
  N_PROPS
};

enum {
  RESUME_NEEDED,
  RELOAD_FAILED,
  PRESENCE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void apply_frame    (TackDispatcher *self,
                            JsonNode       *frame,
                            const char     *type);
static void finish_waiting (TackDispatcher *self,
                            const GError   *error);

static void
notify_seq (TackDispatcher *self)
{
  gint64 seq = tack_dispatcher_get_seq (self);

  if (seq == self->notified_seq)
    return;

  self->notified_seq = seq;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);
}

static void
set_loading (TackDispatcher *self,
             gboolean        loading)
{
  if (self->loading == !!loading)
    return;

  self->loading = !!loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
tack_dispatcher_dispose (GObject *object)
{
  TackDispatcher *self = (TackDispatcher *)object;

  g_cancellable_cancel (self->cancellable);
  g_queue_clear_full (&self->held, (GDestroyNotify)json_node_unref);
  if (self->waiting != NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     "The dispatcher is gone");

      finish_waiting (self, error);
    }
  g_clear_object (&self->store);
  g_clear_object (&self->api);

  G_OBJECT_CLASS (tack_dispatcher_parent_class)->dispose (object);
}

static void
tack_dispatcher_finalize (GObject *object)
{
  TackDispatcher *self = (TackDispatcher *)object;

  g_clear_object (&self->cancellable);
  g_assert (self->waiting == NULL);

  G_OBJECT_CLASS (tack_dispatcher_parent_class)->finalize (object);
}

static void
tack_dispatcher_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TackDispatcher *self = TACK_DISPATCHER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_API:
      g_value_set_object (value, self->api);
      break;

    case PROP_SEQ:
      g_value_set_int64 (value, tack_dispatcher_get_seq (self));
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_dispatcher_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TackDispatcher *self = TACK_DISPATCHER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_API:
      self->api = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_dispatcher_class_init (TackDispatcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tack_dispatcher_dispose;
  object_class->finalize = tack_dispatcher_finalize;
  object_class->get_property = tack_dispatcher_get_property;
  object_class->set_property = tack_dispatcher_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         TACK_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_API] =
    g_param_spec_object ("api", NULL, NULL,
                         TACK_TYPE_API,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * TackDispatcher:seq:
   *
   * The last event the store reflects.
   */
  properties[PROP_SEQ] =
    g_param_spec_int64 ("seq", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TackDispatcher:loading:
   *
   * A snapshot is being reloaded; events are held until it is in.
   */
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TackDispatcher::resume-needed:
   * @since: the last seq the store reflects
   *
   * An event arrived past a gap: the stream must resume from @since.
   */
  signals[RESUME_NEEDED] =
    g_signal_new ("resume-needed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * TackDispatcher::reload-failed:
   *
   * A reset's snapshot reload failed; the store is behind the server.
   */
  signals[RELOAD_FAILED] =
    g_signal_new ("reload-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * TackDispatcher::presence:
   * @user: whose presence
   * @state: (nullable): their state, or %NULL when they left
   */
  signals[PRESENCE] =
    g_signal_new ("presence",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);
}

static void
tack_dispatcher_init (TackDispatcher *self)
{
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->held);
}

TackDispatcher *
tack_dispatcher_new (TackStore *store,
                     TackApi   *api)
{
  g_return_val_if_fail (TACK_IS_STORE (store), NULL);
  g_return_val_if_fail (TACK_IS_API (api), NULL);

  return g_object_new (TACK_TYPE_DISPATCHER, "store", store, "api", api, NULL);
}

/**
 * tack_dispatcher_get_store:
 *
 * Returns: (transfer none): the store
 */
TackStore *
tack_dispatcher_get_store (TackDispatcher *self)
{
  g_return_val_if_fail (TACK_IS_DISPATCHER (self), NULL);

  return self->store;
}

/**
 * tack_dispatcher_get_api:
 *
 * Returns: (transfer none): the API snapshots are reloaded through
 */
TackApi *
tack_dispatcher_get_api (TackDispatcher *self)
{
  g_return_val_if_fail (TACK_IS_DISPATCHER (self), NULL);

  return self->api;
}

gint64
tack_dispatcher_get_seq (TackDispatcher *self)
{
  g_return_val_if_fail (TACK_IS_DISPATCHER (self), 0);

  if (self->store == NULL)
    return 0;

  return tack_board_get_seq (tack_store_get_board (self->store));
}

gboolean
tack_dispatcher_get_loading (TackDispatcher *self)
{
  g_return_val_if_fail (TACK_IS_DISPATCHER (self), FALSE);

  return self->loading;
}

/**
 * tack_dispatcher_has_snapshot:
 *
 * Whether the store holds the board at all: before the first snapshot
 * there is nothing to resume from.
 */
gboolean
tack_dispatcher_has_snapshot (TackDispatcher *self)
{
  g_return_val_if_fail (TACK_IS_DISPATCHER (self), FALSE);

  return self->store != NULL &&
         tack_board_get_id (tack_store_get_board (self->store)) != NULL;
}

static void
finish_waiting (TackDispatcher *self,
                const GError   *error)
{
  GSList *waiting = g_steal_pointer (&self->waiting);

  waiting = g_slist_reverse (waiting);
  for (GSList *l = waiting; l; l = l->next)
    {
      g_autoptr(GTask) task = l->data;

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
  g_slist_free (waiting);
}

static void
snapshot_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TackDispatcher) self = g_weak_ref_get (user_data);
  g_autoptr(JsonNode) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  GQueue held = G_QUEUE_INIT;

  g_weak_ref_clear (user_data);
  g_free (user_data);

  snapshot = tack_api_fetch_snapshot_finish (TACK_API (object), result, &error);

  /* Gone: dispose already failed the waiting tasks. */
  if (self == NULL)
    return;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->store == NULL)
    {
      finish_waiting (self, error);
      return;
    }

  /* Events are held while it loads, so nothing the store holds can be
   * newer than it: it replaces, even when the server went back in time. */
  if (snapshot != NULL && !tack_store_reload_snapshot (self->store, snapshot, &error))
    g_clear_pointer (&snapshot, json_node_unref);

  /* Whatever arrived meanwhile goes through the usual ordering now. */
  held = self->held;
  g_queue_init (&self->held);
  set_loading (self, FALSE);

  if (snapshot == NULL)
    {
      g_debug ("Reloading the snapshot failed: %s", error->message);
      g_queue_clear_full (&held, (GDestroyNotify)json_node_unref);
      notify_seq (self);
      finish_waiting (self, error);
      g_signal_emit (self, signals[RELOAD_FAILED], 0, error);
      return;
    }

  g_debug ("Snapshot loaded at seq %" G_GINT64_FORMAT, tack_dispatcher_get_seq (self));
  tack_json_node_unref_in_thread (g_steal_pointer (&snapshot));
  notify_seq (self);
  finish_waiting (self, NULL);

  while (!g_queue_is_empty (&held))
    {
      g_autoptr(JsonNode) frame = g_queue_pop_head (&held);

      if (self->loading)
        g_queue_push_tail (&self->held, g_steal_pointer (&frame));
      else
        apply_frame (self, frame,
                     json_object_get_string_member_with_default (json_node_get_object (frame),
                                                                 "type", ""));
    }
}

/**
 * tack_dispatcher_reload_async:
 *
 * Reloads the board snapshot into the store, replacing what it holds (see
 * tack_store_reload_snapshot(): after a reset from a server restored from
 * a backup, the seq goes down); events dispatched meanwhile are held and
 * applied after it. A reload while one is in flight joins it.
 */
void
tack_dispatcher_reload_async (TackDispatcher      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GWeakRef *ref;
  GTask *task;

  g_return_if_fail (TACK_IS_DISPATCHER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tack_dispatcher_reload_async);
  self->waiting = g_slist_prepend (self->waiting, task);

  if (self->loading)
    return;

  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  set_loading (self, TRUE);
  tack_api_fetch_snapshot_async (self->api, self->cancellable, snapshot_cb, ref);
}

gboolean
tack_dispatcher_reload_finish (TackDispatcher  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (TACK_IS_DISPATCHER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
reset_reloaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  /* Failures are reported as ::reload-failed. */
  tack_dispatcher_reload_finish (TACK_DISPATCHER (object), result, NULL);
}

/* @type: the frame's type, already read by the caller */
static void
apply_frame (TackDispatcher *self,
             JsonNode       *frame,
             const char     *type)
{
  JsonObject *object = json_node_get_object (frame);
  g_autoptr(GError) error = NULL;
  JsonNode *seq_node;
  gint64 last;
  gint64 seq;

  if (g_str_equal (type, "reset"))
    {
      g_debug ("Reset at seq %" G_GINT64_FORMAT ": reloading the snapshot",
               json_object_get_int_member_with_default (object, "seq", -1));
      tack_dispatcher_reload_async (self, NULL, reset_reloaded_cb, NULL);
      return;
    }

  seq_node = json_object_get_member (object, "seq");
  if (seq_node == NULL || !JSON_NODE_HOLDS_VALUE (seq_node))
    {
      g_debug ("Ignoring a %s frame without seq", type);
      return;
    }

  seq = json_node_get_int (seq_node);
  last = tack_dispatcher_get_seq (self);

  if (seq <= last)
    return;

  if (seq > last + 1)
    {
      g_debug ("Gap: got seq %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT, seq, last);
      g_signal_emit (self, signals[RESUME_NEEDED], 0, last);
      return;
    }

  if (!tack_store_apply_event (self->store, frame, &error))
    {
      /* The store cannot take it, and resuming would bring the same
       * event again: start over from the server's snapshot. */
      g_warning ("Event %" G_GINT64_FORMAT " rejected by the store: %s", seq, error->message);
      tack_dispatcher_reload_async (self, NULL, reset_reloaded_cb, NULL);
      return;
    }

  notify_seq (self);
}

/**
 * tack_dispatcher_dispatch:
 * @frame: one frame from the connection: an event, `reset` or `presence`
 *
 * Routes one frame; see the file's comment.
 */
void
tack_dispatcher_dispatch (TackDispatcher *self,
                          JsonNode       *frame)
{
  JsonObject *object;
  const char *type;

  g_return_if_fail (TACK_IS_DISPATCHER (self));
  g_return_if_fail (frame != NULL);

  if (!JSON_NODE_HOLDS_OBJECT (frame))
    return;

  object = json_node_get_object (frame);
  type = json_object_get_string_member_with_default (object, "type", "");

  if (g_str_equal (type, "presence"))
    {
      const char *user = json_object_get_string_member_with_default (object, "user", NULL);
      JsonNode *state = json_object_get_member (object, "state");

      if (user != NULL)
        g_signal_emit (self, signals[PRESENCE], 0, user,
                       state && JSON_NODE_HOLDS_OBJECT (state) ? json_node_get_object (state) : NULL);
      return;
    }

  if (g_str_equal (type, "hello") || g_str_equal (type, "pong"))
    return;

  if (self->loading)
    {
      g_queue_push_tail (&self->held, json_node_ref (frame));
      return;
    }

  apply_frame (self, frame, type);
}
