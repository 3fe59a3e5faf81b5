/* tack-transport.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The base of the three transports. It owns nothing but the API (for the
 * session and the URL) and the once-only ::closed; the connection owns
 * the lifecycle around it.
 */

#define G_LOG_DOMAIN "tack-net"

#include "config.h"

#include "tack-net-enums.h"
#include "tack-poll-transport.h"
#include "tack-sse-transport.h"
#include "tack-transport.h"
#include "tack-websocket-transport.h"

G_DEFINE_QUARK (tack-transport-error-quark, tack_transport_error)

typedef struct
{
  TackApi           *api;
  TackTransportMode  kind;
  gboolean           closed;
} TackTransportPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (TackTransport, tack_transport, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_API,
  PROP_KIND,
  N_PROPS
};

enum {
  MESSAGE,
  ALIVE,
  CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
tack_transport_dispose (GObject *object)
{
  TackTransport *self = (TackTransport *)object;
  TackTransportPrivate *priv = tack_transport_get_instance_private (self);

  g_clear_object (&priv->api);

  G_OBJECT_CLASS (tack_transport_parent_class)->dispose (object);
}

static void
tack_transport_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TackTransport *self = TACK_TRANSPORT (object);
  TackTransportPrivate *priv = tack_transport_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_API:
      g_value_set_object (value, priv->api);
      break;

    case PROP_KIND:
      g_value_set_enum (value, priv->kind);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_transport_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TackTransport *self = TACK_TRANSPORT (object);
  TackTransportPrivate *priv = tack_transport_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_API:
      priv->api = g_value_dup_object (value);
      break;

    case PROP_KIND:
      priv->kind = g_value_get_enum (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_transport_class_init (TackTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tack_transport_dispose;
  object_class->get_property = tack_transport_get_property;
  object_class->set_property = tack_transport_set_property;

  properties[PROP_API] =
    g_param_spec_object ("api", NULL, NULL,
                         TACK_TYPE_API,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       TACK_TYPE_TRANSPORT_MODE, TACK_TRANSPORT_WEBSOCKET,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[MESSAGE] =
    g_signal_new ("message",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JSON_TYPE_NODE);

  signals[ALIVE] =
    g_signal_new ("alive",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  signals[CLOSED] =
    g_signal_new ("closed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
tack_transport_init (TackTransport *self)
{
}

/**
 * tack_transport_get_api:
 *
 * Returns: (transfer none): the API whose session and board this uses
 */
TackApi *
tack_transport_get_api (TackTransport *self)
{
  TackTransportPrivate *priv = tack_transport_get_instance_private (self);

  g_return_val_if_fail (TACK_IS_TRANSPORT (self), NULL);

  return priv->api;
}

TackTransportMode
tack_transport_get_kind (TackTransport *self)
{
  TackTransportPrivate *priv = tack_transport_get_instance_private (self);

  g_return_val_if_fail (TACK_IS_TRANSPORT (self), TACK_TRANSPORT_AUTO);

  return priv->kind;
}

void
tack_transport_open_async (TackTransport       *self,
                           gint64               since,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (TACK_IS_TRANSPORT (self));

  TACK_TRANSPORT_GET_CLASS (self)->open_async (self, since, cancellable, callback, user_data);
}

gboolean
tack_transport_open_finish (TackTransport  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (TACK_IS_TRANSPORT (self), FALSE);

  return TACK_TRANSPORT_GET_CLASS (self)->open_finish (self, result, error);
}

gboolean
tack_transport_send (TackTransport *self,
                     JsonNode      *frame)
{
  TackTransportPrivate *priv = tack_transport_get_instance_private (self);

  g_return_val_if_fail (TACK_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);

  if (priv->closed || TACK_TRANSPORT_GET_CLASS (self)->send == NULL)
    return FALSE;

  return TACK_TRANSPORT_GET_CLASS (self)->send (self, frame);
}

/**
 * tack_transport_close:
 *
 * Stops the transport for good. It emits nothing afterwards, so the
 * caller can drop it at once.
 */
void
tack_transport_close (TackTransport *self)
{
  TackTransportPrivate *priv = tack_transport_get_instance_private (self);

  g_return_if_fail (TACK_IS_TRANSPORT (self));

  if (priv->closed)
    return;

  priv->closed = TRUE;
  TACK_TRANSPORT_GET_CLASS (self)->close (self);
}

gboolean
tack_transport_is_closed (TackTransport *self)
{
  TackTransportPrivate *priv = tack_transport_get_instance_private (self);

  g_return_val_if_fail (TACK_IS_TRANSPORT (self), TRUE);

  return priv->closed;
}

void
tack_transport_emit_message (TackTransport *self,
                             JsonNode      *frame)
{
  TackTransportPrivate *priv = tack_transport_get_instance_private (self);

  g_return_if_fail (TACK_IS_TRANSPORT (self));

  if (!priv->closed)
    g_signal_emit (self, signals[MESSAGE], 0, frame);
}

void
tack_transport_emit_alive (TackTransport *self)
{
  TackTransportPrivate *priv = tack_transport_get_instance_private (self);

  g_return_if_fail (TACK_IS_TRANSPORT (self));

  if (!priv->closed)
    g_signal_emit (self, signals[ALIVE], 0);
}

/* ::closed is emitted once, and never after tack_transport_close(). */
void
tack_transport_emit_closed (TackTransport *self,
                            const GError  *error)
{
  TackTransportPrivate *priv = tack_transport_get_instance_private (self);
  g_autoptr(TackTransport) hold = NULL;

  g_return_if_fail (TACK_IS_TRANSPORT (self));

  if (priv->closed)
    return;

  hold = g_object_ref (self);
  tack_transport_close (self);
  g_signal_emit (self, signals[CLOSED], 0, error);
}

/**
 * tack_transport_new_for_kind:
 * @poll_interval: seconds between polls, or 0 for long polling
 * @poll_wait: how long a long poll waits, in seconds
 *
 * Returns: (transfer full): a transport of @kind
 */
TackTransport *
tack_transport_new_for_kind (TackTransportMode  kind,
                             TackApi           *api,
                             guint              poll_interval,
                             guint              poll_wait)
{
  switch (kind)
    {
    case TACK_TRANSPORT_WEBSOCKET:
      return g_object_new (TACK_TYPE_WEBSOCKET_TRANSPORT, "api", api, "kind", kind, NULL);

    case TACK_TRANSPORT_SSE:
      return g_object_new (TACK_TYPE_SSE_TRANSPORT, "api", api, "kind", kind, NULL);

    case TACK_TRANSPORT_POLLING:
      return g_object_new (TACK_TYPE_POLL_TRANSPORT,
                           "api", api,
                           "kind", kind,
                           "interval", poll_interval,
                           "wait", poll_wait,
                           NULL);

    case TACK_TRANSPORT_AUTO:
    default:
      g_return_val_if_reached (NULL);
    }
}
