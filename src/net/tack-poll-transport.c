/* tack-poll-transport.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The humble transport: plain GETs of the events endpoint, either long
 * polls (`wait`) back to back or one request per interval. Each answer's
 * events are handed on one by one, like frames; the first answer plays
 * the hello (it says the current seq).
 */

#define G_LOG_DOMAIN "tack-net"

#include "config.h"

#include "tack-poll-transport.h"
#include "tack-net-private.h"

/* How much longer than the wait (or interval) an answer may take. */
#define SLACK_MS 5000

struct _TackPollTransport
{
  TackTransport  parent_instance;

  GCancellable  *cancellable;
  guint          interval;
  guint          wait;
  gint64         since;
  guint          timeout_id;
};

G_DEFINE_FINAL_TYPE (TackPollTransport, tack_poll_transport, TACK_TYPE_TRANSPORT)

enum {
  PROP_0,
  PROP_INTERVAL,
  PROP_WAIT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void poll_next (TackPollTransport *self,
                       guint              wait);

static JsonNode *
make_frame (const char *type,
            gint64      seq)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "type", type);
  if (seq >= 0)
    json_object_set_int_member (object, "seq", seq);
  json_node_take_object (node, object);

  return node;
}

/* Hands the answer's events on; FALSE if it is not what PROTOCOL.md says. */
static gboolean
handle_answer (TackPollTransport *self,
               JsonNode          *root,
               gboolean          *more)
{
  JsonObject *object;
  JsonNode *events_node;
  JsonArray *events;
  gint64 seq;

  *more = FALSE;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;

  object = json_node_get_object (root);
  if (!json_object_has_member (object, "seq"))
    return FALSE;
  seq = json_object_get_int_member (object, "seq");

  if (json_object_get_boolean_member_with_default (object, "reset", FALSE))
    {
      g_autoptr(JsonNode) reset = make_frame ("reset", seq);

      self->since = seq;
      tack_transport_emit_message (TACK_TRANSPORT (self), reset);
      return TRUE;
    }

  events_node = json_object_get_member (object, "events");
  if (events_node == NULL || !JSON_NODE_HOLDS_ARRAY (events_node))
    return FALSE;

  events = json_node_get_array (events_node);
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonNode *event = json_array_get_element (events, i);

      if (!JSON_NODE_HOLDS_OBJECT (event))
        return FALSE;

      self->since = MAX (self->since,
                         json_object_get_int_member_with_default (json_node_get_object (event),
                                                                  "seq", self->since));
      tack_transport_emit_message (TACK_TRANSPORT (self), event);

      if (tack_transport_is_closed (TACK_TRANSPORT (self)))
        return TRUE;
    }

  *more = json_object_get_boolean_member_with_default (object, "more", FALSE);

  return TRUE;
}

static gboolean
interval_cb (gpointer user_data)
{
  TackPollTransport *self = user_data;

  self->timeout_id = 0;
  poll_next (self, 0);

  return G_SOURCE_REMOVE;
}

static void
schedule_next (TackPollTransport *self,
               gboolean           more)
{
  if (tack_transport_is_closed (TACK_TRANSPORT (self)))
    return;

  if (more)
    poll_next (self, 0);
  else if (self->interval > 0)
    self->timeout_id = tack_net_timeout_add_seconds (self->interval, interval_cb, self);
  else
    poll_next (self, self->wait);
}

static void
poll_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(TackPollTransport) self = user_data;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  gboolean more;

  root = tack_api_fetch_events_finish (TACK_API (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      tack_transport_is_closed (TACK_TRANSPORT (self)))
    return;

  if (root == NULL)
    {
      tack_transport_emit_closed (TACK_TRANSPORT (self), error);
      return;
    }

  if (!handle_answer (self, root, &more))
    {
      g_autoptr(GError) protocol =
        g_error_new_literal (TACK_TRANSPORT_ERROR, TACK_TRANSPORT_ERROR_PROTOCOL,
                             "The server's events answer is malformed");

      tack_transport_emit_closed (TACK_TRANSPORT (self), protocol);
      return;
    }

  tack_transport_emit_alive (TACK_TRANSPORT (self));
  schedule_next (self, more);
}

static void
poll_next (TackPollTransport *self,
           guint              wait)
{
  tack_api_fetch_events_async (tack_transport_get_api (TACK_TRANSPORT (self)),
                               self->since, wait, self->cancellable,
                               poll_cb, g_object_ref (self));
}

static void
first_poll_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TackPollTransport *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) hello = NULL;
  g_autoptr(GError) error = NULL;
  guint period;
  gboolean more;

  root = tack_api_fetch_events_finish (TACK_API (object), result, &error);

  if (root == NULL)
    {
      /* Something in between that turns plain GETs away (anything but
       * auth, a gone board or a server in trouble) leaves nothing to
       * fall back to, but say it was refused rather than lost. */
      if (error->domain == TACK_API_ERROR &&
          (error->code == TACK_API_ERROR_BAD_REQUEST || error->code == TACK_API_ERROR_TOO_LARGE))
        g_task_return_new_error (task, TACK_TRANSPORT_ERROR, TACK_TRANSPORT_ERROR_REFUSED,
                                 "Polling refused: %s", error->message);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "seq"))
    {
      g_task_return_new_error (task, TACK_TRANSPORT_ERROR, TACK_TRANSPORT_ERROR_REFUSED,
                               "The events endpoint did not answer with events");
      return;
    }

  if (tack_transport_is_closed (TACK_TRANSPORT (self)))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Closed");
      return;
    }

  g_task_return_boolean (task, TRUE);

  period = (self->interval > 0 ? self->interval : self->wait) * 1000 + SLACK_MS;
  hello = make_frame ("hello", json_object_get_int_member (json_node_get_object (root), "seq"));
  json_object_set_int_member (json_node_get_object (hello), "heartbeat_ms", period);
  tack_transport_emit_message (TACK_TRANSPORT (self), hello);

  if (tack_transport_is_closed (TACK_TRANSPORT (self)))
    return;

  if (!handle_answer (self, root, &more))
    {
      g_autoptr(GError) protocol =
        g_error_new_literal (TACK_TRANSPORT_ERROR, TACK_TRANSPORT_ERROR_PROTOCOL,
                             "The server's events answer is malformed");

      tack_transport_emit_closed (TACK_TRANSPORT (self), protocol);
      return;
    }

  schedule_next (self, more);
}

static void
tack_poll_transport_open_async (TackTransport       *transport,
                                gint64               since,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  TackPollTransport *self = TACK_POLL_TRANSPORT (transport);
  GTask *task;

  task = g_task_new (transport, cancellable, callback, user_data);
  g_task_set_source_tag (task, tack_poll_transport_open_async);

  self->since = since;
  tack_api_fetch_events_async (tack_transport_get_api (transport), since, 0,
                               self->cancellable, first_poll_cb, task);
}

static gboolean
tack_poll_transport_open_finish (TackTransport  *transport,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
tack_poll_transport_close (TackTransport *transport)
{
  TackPollTransport *self = TACK_POLL_TRANSPORT (transport);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timeout_id, tack_net_source_remove);
}

static void
tack_poll_transport_dispose (GObject *object)
{
  TackPollTransport *self = TACK_POLL_TRANSPORT (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timeout_id, tack_net_source_remove);

  G_OBJECT_CLASS (tack_poll_transport_parent_class)->dispose (object);
}

static void
tack_poll_transport_finalize (GObject *object)
{
  TackPollTransport *self = TACK_POLL_TRANSPORT (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (tack_poll_transport_parent_class)->finalize (object);
}

static void
tack_poll_transport_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TackPollTransport *self = TACK_POLL_TRANSPORT (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;

    case PROP_WAIT:
      g_value_set_uint (value, self->wait);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_poll_transport_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TackPollTransport *self = TACK_POLL_TRANSPORT (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      self->interval = g_value_get_uint (value);
      break;

    case PROP_WAIT:
      self->wait = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_poll_transport_class_init (TackPollTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  TackTransportClass *transport_class = TACK_TRANSPORT_CLASS (klass);

  object_class->dispose = tack_poll_transport_dispose;
  object_class->finalize = tack_poll_transport_finalize;
  object_class->get_property = tack_poll_transport_get_property;
  object_class->set_property = tack_poll_transport_set_property;

  transport_class->open_async = tack_poll_transport_open_async;
  transport_class->open_finish = tack_poll_transport_open_finish;
  transport_class->close = tack_poll_transport_close;

  /**
   * TackPollTransport:interval:
   *
   * Seconds between polls; 0 means long polling, one request after
   * another, each held by the server up to TackPollTransport:wait.
   */
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL,
                       0, 3600, 0,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_WAIT] =
    g_param_spec_uint ("wait", NULL, NULL,
                       1, 30, 25,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tack_poll_transport_init (TackPollTransport *self)
{
  self->cancellable = g_cancellable_new ();
  self->wait = 25;
}
