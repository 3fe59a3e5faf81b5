/* tack-sse-transport.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The live stream as Server-Sent Events: one long GET whose body is read
 * line by line. Each `data:` envelope is handed on as it would arrive over
 * the WebSocket; `event: reset` becomes a reset frame; comment lines
 * (`: ping`) only prove the stream is alive, except tack-server's opening
 * `: hello` comment, which plays the WebSocket's hello. One-way: no
 * presence, no ping.
 */

#define G_LOG_DOMAIN "tack-net"

#include "config.h"

#include <string.h>

#include "tack-sse-transport.h"
#include "tack-net-private.h"

/* SSE has no hello; the server comments at least this often. */
#define DEFAULT_HEARTBEAT_MS 15000

/* tack-server opens the stream with a `: hello seq=N heartbeat_ms=H`
 * comment; another server gets a hello made up after this long. */
#define HELLO_WAIT_MS 1000

struct _TackSseTransport
{
  TackTransport     parent_instance;

  GCancellable     *cancellable;
  GDataInputStream *stream;

  char             *event;
  char             *id;
  GString          *data;
  guint             hello_id;
  gboolean          greeted;
};

G_DEFINE_FINAL_TYPE (TackSseTransport, tack_sse_transport, TACK_TYPE_TRANSPORT)

static void read_next_line (TackSseTransport *self);

static void
reset_event (TackSseTransport *self)
{
  g_clear_pointer (&self->event, g_free);
  g_clear_pointer (&self->id, g_free);
  g_string_truncate (self->data, 0);
}

static void
emit_hello (TackSseTransport *self,
            gint64            seq,
            gint64            heartbeat_ms)
{
  g_autoptr(JsonNode) hello = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  self->greeted = TRUE;
  g_clear_handle_id (&self->hello_id, tack_net_source_remove);

  json_object_set_string_member (object, "type", "hello");
  if (seq >= 0)
    json_object_set_int_member (object, "seq", seq);
  json_object_set_int_member (object, "heartbeat_ms", heartbeat_ms);
  json_node_take_object (hello, object);

  tack_transport_emit_message (TACK_TRANSPORT (self), hello);
}

static gboolean
hello_timeout_cb (gpointer user_data)
{
  TackSseTransport *self = user_data;

  self->hello_id = 0;
  emit_hello (self, -1, DEFAULT_HEARTBEAT_MS);

  return G_SOURCE_REMOVE;
}

/* `: hello seq=12 heartbeat_ms=15000 session=…` */
static gboolean
parse_hello_comment (TackSseTransport *self,
                     const char       *line)
{
  g_auto(GStrv) words = NULL;
  gint64 seq = -1;
  gint64 heartbeat_ms = DEFAULT_HEARTBEAT_MS;

  if (!g_str_has_prefix (line, ": hello"))
    return FALSE;

  words = g_strsplit (line + 2, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (g_str_has_prefix (words[i], "seq="))
        seq = g_ascii_strtoll (words[i] + 4, NULL, 10);
      else if (g_str_has_prefix (words[i], "heartbeat_ms="))
        heartbeat_ms = g_ascii_strtoll (words[i] + 13, NULL, 10);
    }

  emit_hello (self, seq, heartbeat_ms > 0 ? heartbeat_ms : DEFAULT_HEARTBEAT_MS);

  return TRUE;
}

static void
dispatch_event (TackSseTransport *self)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  if (self->data->len > 0)
    node = json_from_string (self->data->str, NULL);

  if (g_strcmp0 (self->event, "reset") == 0)
    {
      JsonObject *reset = json_object_new ();
      gint64 seq = -1;

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
          json_object_has_member (json_node_get_object (node), "seq"))
        seq = json_object_get_int_member (json_node_get_object (node), "seq");
      else if (self->id != NULL)
        seq = g_ascii_strtoll (self->id, NULL, 10);

      json_object_set_string_member (reset, "type", "reset");
      if (seq >= 0)
        json_object_set_int_member (reset, "seq", seq);

      g_clear_pointer (&node, json_node_unref);
      node = json_node_init_object (json_node_alloc (), reset);
      json_object_unref (reset);
    }

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (self->data->len > 0)
        g_debug ("Ignoring SSE event %s with unreadable data", self->event ? self->event : "message");
      reset_event (self);
      return;
    }

  object = json_node_get_object (node);
  if (!json_object_has_member (object, "type") && self->event != NULL)
    json_object_set_string_member (object, "type", self->event);

  reset_event (self);
  tack_transport_emit_message (TACK_TRANSPORT (self), node);
}

static void
handle_line (TackSseTransport *self,
             const char       *line)
{
  const char *colon;
  const char *value;
  g_autofree char *field = NULL;

  if (*line == '\0')
    {
      if (self->data->len > 0 || self->event != NULL)
        dispatch_event (self);
      return;
    }

  if (*line == ':')
    {
      if (!self->greeted)
        parse_hello_comment (self, line);
      return;
    }

  if (!self->greeted)
    emit_hello (self, -1, DEFAULT_HEARTBEAT_MS);

  if ((colon = strchr (line, ':')))
    {
      field = g_strndup (line, colon - line);
      value = colon + 1;
      if (*value == ' ')
        value++;
    }
  else
    {
      field = g_strdup (line);
      value = "";
    }

  if (g_str_equal (field, "data"))
    {
      if (self->data->len > 0)
        g_string_append_c (self->data, '\n');
      g_string_append (self->data, value);
    }
  else if (g_str_equal (field, "event"))
    {
      g_free (self->event);
      self->event = g_strdup (value);
    }
  else if (g_str_equal (field, "id"))
    {
      g_free (self->id);
      self->id = g_strdup (value);
    }
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TackSseTransport) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize len;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object),
                                                    result, &len, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      tack_transport_is_closed (TACK_TRANSPORT (self)))
    return;

  if (error != NULL)
    {
      g_autoptr(GError) network =
        g_error_new (TACK_API_ERROR, TACK_API_ERROR_NETWORK, "%s", error->message);

      tack_transport_emit_closed (TACK_TRANSPORT (self), network);
      return;
    }

  if (line == NULL)
    {
      g_autoptr(GError) closed =
        g_error_new_literal (TACK_TRANSPORT_ERROR, TACK_TRANSPORT_ERROR_CLOSED,
                             "The event stream ended");

      tack_transport_emit_closed (TACK_TRANSPORT (self), closed);
      return;
    }

  tack_transport_emit_alive (TACK_TRANSPORT (self));
  handle_line (self, line);

  if (!tack_transport_is_closed (TACK_TRANSPORT (self)))
    read_next_line (self);
}

static void
read_next_line (TackSseTransport *self)
{
  g_data_input_stream_read_line_async (self->stream, G_PRIORITY_DEFAULT, self->cancellable,
                                       read_line_cb, g_object_ref (self));
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TackSseTransport *self = g_task_get_source_object (task);
  SoupMessage *message = g_task_get_task_data (task);
  g_autoptr(GInputStream) body = NULL;
  g_autoptr(GError) error = NULL;
  const char *content_type;
  guint status;

  body = soup_session_send_finish (SOUP_SESSION (object), result, &error);

  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, TACK_API_ERROR, TACK_API_ERROR_NETWORK,
                                 "%s", error->message);
      return;
    }

  status = soup_message_get_status (message);
  content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (message),
                                                        NULL);

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN ||
      status == SOUP_STATUS_NOT_FOUND)
    {
      g_input_stream_close_async (body, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_task_return_error (task, tack_api_error_from_message (message, NULL));
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status) ||
      g_strcmp0 (content_type, "text/event-stream") != 0)
    {
      g_input_stream_close_async (body, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_task_return_new_error (task, TACK_TRANSPORT_ERROR, TACK_TRANSPORT_ERROR_REFUSED,
                               "Event stream refused (HTTP %u, %s)",
                               status, content_type ? content_type : "no content type");
      return;
    }

  if (tack_transport_is_closed (TACK_TRANSPORT (self)))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Closed");
      return;
    }

  self->stream = g_data_input_stream_new (body);
  g_data_input_stream_set_newline_type (self->stream, G_DATA_STREAM_NEWLINE_TYPE_ANY);

  g_task_return_boolean (task, TRUE);

  if (!tack_transport_is_closed (TACK_TRANSPORT (self)))
    {
      self->hello_id = tack_net_timeout_add (HELLO_WAIT_MS, hello_timeout_cb, self);
      read_next_line (self);
    }
}

static void
tack_sse_transport_open_async (TackTransport       *transport,
                               gint64               since,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  TackSseTransport *self = TACK_SSE_TRANSPORT (transport);
  TackApi *api = tack_transport_get_api (transport);
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *query = NULL;
  GTask *task;

  task = g_task_new (transport, cancellable, callback, user_data);
  g_task_set_source_tag (task, tack_sse_transport_open_async);

  query = g_strdup_printf ("since=%" G_GINT64_FORMAT, since);
  message = tack_api_new_message (api, "GET", "/events", query);
  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Accept", "text/event-stream");
  g_task_set_task_data (task, g_object_ref (message), g_object_unref);

  /* The stream lives longer than the open: everything runs under the
   * transport's own cancellable, which tack_transport_close() cancels. */
  soup_session_send_async (tack_api_get_session (api), message, G_PRIORITY_DEFAULT,
                           self->cancellable, send_cb, task);
}

static gboolean
tack_sse_transport_open_finish (TackTransport  *transport,
                                GAsyncResult   *result,
                                GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
tack_sse_transport_close (TackTransport *transport)
{
  TackSseTransport *self = TACK_SSE_TRANSPORT (transport);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->hello_id, tack_net_source_remove);
  if (self->stream != NULL)
    g_input_stream_close_async (G_INPUT_STREAM (self->stream), G_PRIORITY_DEFAULT,
                                NULL, NULL, NULL);
  g_clear_object (&self->stream);
}

static void
tack_sse_transport_dispose (GObject *object)
{
  TackSseTransport *self = TACK_SSE_TRANSPORT (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->hello_id, tack_net_source_remove);
  g_clear_object (&self->stream);

  G_OBJECT_CLASS (tack_sse_transport_parent_class)->dispose (object);
}

static void
tack_sse_transport_finalize (GObject *object)
{
  TackSseTransport *self = TACK_SSE_TRANSPORT (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->event, g_free);
  g_clear_pointer (&self->id, g_free);
  g_string_free (self->data, TRUE);

  G_OBJECT_CLASS (tack_sse_transport_parent_class)->finalize (object);
}

static void
tack_sse_transport_class_init (TackSseTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  TackTransportClass *transport_class = TACK_TRANSPORT_CLASS (klass);

  object_class->dispose = tack_sse_transport_dispose;
  object_class->finalize = tack_sse_transport_finalize;

  transport_class->open_async = tack_sse_transport_open_async;
  transport_class->open_finish = tack_sse_transport_open_finish;
  transport_class->close = tack_sse_transport_close;
}

static void
tack_sse_transport_init (TackSseTransport *self)
{
  self->cancellable = g_cancellable_new ();
  self->data = g_string_new (NULL);
}
