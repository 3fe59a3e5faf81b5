/* tack-websocket-transport.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The live stream over a WebSocket (subprotocol tack.v1): the only
 * transport that carries client frames (ping, presence). libsoup owns
 * the handshake and the framing; a handshake the server answers with
 * anything but 101 is reported as refused so auto mode can fall back.
 */

#define G_LOG_DOMAIN "tack-net"

#include "config.h"

#include "tack-websocket-transport.h"

#define MAX_FRAME_SIZE (16 * 1024 * 1024)

struct _TackWebsocketTransport
{
  TackTransport            parent_instance;

  SoupWebsocketConnection *connection;
};

G_DEFINE_FINAL_TYPE (TackWebsocketTransport, tack_websocket_transport, TACK_TYPE_TRANSPORT)

static void
drop_connection (TackWebsocketTransport *self)
{
  if (self->connection == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->connection, self);
  if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&self->connection);
}

static void
on_message (SoupWebsocketConnection *connection,
            gint                     type,
            GBytes                  *bytes,
            gpointer                 user_data)
{
  TackWebsocketTransport *self = user_data;
  g_autoptr(JsonNode) frame = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize len;
  const char *data;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      tack_transport_emit_alive (TACK_TRANSPORT (self));
      return;
    }

  data = g_bytes_get_data (bytes, &len);
  text = g_strndup (data, len);
  frame = json_from_string (text, &error);

  if (frame == NULL || !JSON_NODE_HOLDS_OBJECT (frame))
    {
      g_autoptr(GError) protocol =
        g_error_new (TACK_TRANSPORT_ERROR, TACK_TRANSPORT_ERROR_PROTOCOL,
                     "The server sent a frame that is not a JSON object: %s",
                     error ? error->message : text);

      tack_transport_emit_closed (TACK_TRANSPORT (self), protocol);
      return;
    }

  tack_transport_emit_message (TACK_TRANSPORT (self), frame);
}

static void
on_closed (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  TackWebsocketTransport *self = user_data;
  g_autoptr(GError) error = NULL;

  error = g_error_new (TACK_TRANSPORT_ERROR, TACK_TRANSPORT_ERROR_CLOSED,
                       "The WebSocket closed (code %u)",
                       soup_websocket_connection_get_close_code (connection));
  tack_transport_emit_closed (TACK_TRANSPORT (self), error);
}

static void
on_error (SoupWebsocketConnection *connection,
          GError                  *error,
          gpointer                 user_data)
{
  g_debug ("WebSocket error: %s", error->message);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TackWebsocketTransport *self = g_task_get_source_object (task);
  SoupMessage *message = g_task_get_task_data (task);
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);

  if (connection == NULL)
    {
      status = soup_message_get_status (message);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN ||
               status == SOUP_STATUS_NOT_FOUND)
        g_task_return_error (task, tack_api_error_from_message (message, NULL));
      else if (status != 0 || error->domain == SOUP_WEBSOCKET_ERROR)
        g_task_return_new_error (task, TACK_TRANSPORT_ERROR, TACK_TRANSPORT_ERROR_REFUSED,
                                 "WebSocket upgrade refused (HTTP %u): %s",
                                 status, error->message);
      else
        g_task_return_new_error (task, TACK_API_ERROR, TACK_API_ERROR_NETWORK,
                                 "%s", error->message);
      return;
    }

  if (tack_transport_is_closed (TACK_TRANSPORT (self)))
    {
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Closed");
      return;
    }

  soup_websocket_connection_set_max_incoming_payload_size (connection, MAX_FRAME_SIZE);
  self->connection = g_steal_pointer (&connection);
  g_signal_connect (self->connection, "message", G_CALLBACK (on_message), self);
  g_signal_connect (self->connection, "closed", G_CALLBACK (on_closed), self);
  g_signal_connect (self->connection, "error", G_CALLBACK (on_error), self);

  g_task_return_boolean (task, TRUE);
}

static void
tack_websocket_transport_open_async (TackTransport       *transport,
                                     gint64               since,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  TackApi *api = tack_transport_get_api (transport);
  static const char *protocols[] = { "tack.v1", NULL };
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *query = NULL;
  GTask *task;

  task = g_task_new (transport, cancellable, callback, user_data);
  g_task_set_source_tag (task, tack_websocket_transport_open_async);

  query = g_strdup_printf ("since=%" G_GINT64_FORMAT, since);
  message = tack_api_new_message (api, "GET", "/events", query);
  g_task_set_task_data (task, g_object_ref (message), g_object_unref);

  soup_session_websocket_connect_async (tack_api_get_session (api), message,
                                        NULL, (char **)protocols, G_PRIORITY_DEFAULT,
                                        cancellable, connect_cb, task);
}

static gboolean
tack_websocket_transport_open_finish (TackTransport  *transport,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
tack_websocket_transport_send (TackTransport *transport,
                               JsonNode      *frame)
{
  TackWebsocketTransport *self = TACK_WEBSOCKET_TRANSPORT (transport);
  g_autofree char *text = NULL;

  if (self->connection == NULL ||
      soup_websocket_connection_get_state (self->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return FALSE;

  text = json_to_string (frame, FALSE);
  soup_websocket_connection_send_text (self->connection, text);

  return TRUE;
}

static void
tack_websocket_transport_close (TackTransport *transport)
{
  drop_connection (TACK_WEBSOCKET_TRANSPORT (transport));
}

static void
tack_websocket_transport_dispose (GObject *object)
{
  drop_connection (TACK_WEBSOCKET_TRANSPORT (object));

  G_OBJECT_CLASS (tack_websocket_transport_parent_class)->dispose (object);
}

static void
tack_websocket_transport_class_init (TackWebsocketTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  TackTransportClass *transport_class = TACK_TRANSPORT_CLASS (klass);

  object_class->dispose = tack_websocket_transport_dispose;

  transport_class->open_async = tack_websocket_transport_open_async;
  transport_class->open_finish = tack_websocket_transport_open_finish;
  transport_class->send = tack_websocket_transport_send;
  transport_class->close = tack_websocket_transport_close;
}

static void
tack_websocket_transport_init (TackWebsocketTransport *self)
{
}
