/* test-proxy.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* See test-proxy.h. Bytes are pumped with GIO's async streams, one chunk
 * at a time per direction (read, maybe wait, write, read again). The
 * client-to-server direction follows HTTP/1.1 request boundaries
 * (headers, then Content-Length bytes of body) so every request on a
 * kept-alive connection can be inspected; after an upgrade it is a plain
 * pipe. */

#include "config.h"

#include <string.h>

#include "test-proxy.h"

#define CHUNK 16384

typedef struct _Conn Conn;

struct _TestProxy
{
  GSocketService *service;
  GSocketClient  *client;
  guint16         port;
  guint16         target_port;
  GList          *conns;
  guint           n_accepted;
  char           *delay_match;
  guint           delay_ms;
  gboolean        down;
  gboolean        blackhole;
  gboolean        refuse_upgrade;
  gboolean        refuse_sse;
};

struct _Conn
{
  TestProxy         *proxy;
  gint               refs;
  GSocketConnection *downstream;    /* the client under test */
  GSocketConnection *upstream;      /* the server */
  GCancellable      *cancellable;
  GByteArray        *pending;       /* unparsed request bytes */
  gsize              body_left;
  gboolean           passthrough;
  gboolean           delayed;
  gboolean           closed;
};

typedef struct
{
  Conn     *conn;
  gboolean  to_server;
  GBytes   *bytes;
} Chunk;

static void pump (Conn     *conn,
                  gboolean  to_server);

static Conn *
conn_ref (Conn *conn)
{
  conn->refs++;
  return conn;
}

static void
conn_unref (Conn *conn)
{
  if (--conn->refs > 0)
    return;

  g_clear_object (&conn->downstream);
  g_clear_object (&conn->upstream);
  g_clear_object (&conn->cancellable);
  g_byte_array_unref (conn->pending);
  g_free (conn);
}

static void
conn_close (Conn *conn)
{
  if (conn->closed)
    return;

  conn->closed = TRUE;
  g_cancellable_cancel (conn->cancellable);
  if (conn->downstream != NULL)
    g_io_stream_close (G_IO_STREAM (conn->downstream), NULL, NULL);
  if (conn->upstream != NULL)
    g_io_stream_close (G_IO_STREAM (conn->upstream), NULL, NULL);

  if (conn->proxy != NULL)
    {
      conn->proxy->conns = g_list_remove (conn->proxy->conns, conn);
      conn->proxy = NULL;
      conn_unref (conn);
    }
}

static GInputStream *
input_of (Conn     *conn,
          gboolean  to_server)
{
  return g_io_stream_get_input_stream (G_IO_STREAM (to_server ? conn->downstream : conn->upstream));
}

static GOutputStream *
output_of (Conn     *conn,
           gboolean  to_server)
{
  return g_io_stream_get_output_stream (G_IO_STREAM (to_server ? conn->upstream : conn->downstream));
}

static void
chunk_free (Chunk *chunk)
{
  conn_unref (chunk->conn);
  g_clear_pointer (&chunk->bytes, g_bytes_unref);
  g_free (chunk);
}

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Chunk *chunk = user_data;
  g_autoptr(GError) error = NULL;
  Conn *conn = chunk->conn;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      if (!conn->closed)
        conn_close (conn);
    }
  else if (!conn->closed)
    {
      pump (conn, chunk->to_server);
    }

  chunk_free (chunk);
}

static void
write_chunk (Chunk *chunk)
{
  Conn *conn = chunk->conn;
  gsize len;
  const guint8 *data;

  if (conn->closed)
    {
      chunk_free (chunk);
      return;
    }

  data = g_bytes_get_data (chunk->bytes, &len);
  if (len == 0)
    {
      pump (conn, chunk->to_server);
      chunk_free (chunk);
      return;
    }

  g_output_stream_write_all_async (output_of (conn, chunk->to_server), data, len,
                                   G_PRIORITY_DEFAULT, conn->cancellable, written_cb, chunk);
}

static gboolean
delayed_write_cb (gpointer user_data)
{
  write_chunk (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
header_has (const char *headers,
            const char *name,
            const char *value_part)
{
  g_auto(GStrv) lines = g_strsplit (headers, "\r\n", -1);

  for (guint i = 1; lines[i] != NULL; i++)
    {
      char *colon = strchr (lines[i], ':');
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (colon == NULL)
        continue;

      key = g_ascii_strdown (lines[i], colon - lines[i]);
      value = g_ascii_strdown (colon + 1, -1);
      if (g_str_equal (g_strstrip (key), name) &&
          (value_part == NULL || strstr (value, value_part) != NULL))
        return TRUE;
    }

  return FALSE;
}

static gsize
content_length (const char *headers)
{
  g_auto(GStrv) lines = g_strsplit (headers, "\r\n", -1);

  for (guint i = 1; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], "content-length:", 15) == 0)
      return (gsize)g_ascii_strtoull (lines[i] + 15, NULL, 10);

  return 0;
}

static void
refuse (Conn       *conn,
        const char *status)
{
  g_autofree char *answer =
    g_strdup_printf ("HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn->downstream)),
                             answer, strlen (answer), NULL, NULL, NULL);
  conn_close (conn);
}

/* Splits the client's bytes at request boundaries; returns what may go
 * to the server, or NULL when the connection was refused. */
static GBytes *
filter_requests (Conn         *conn,
                 const guint8 *data,
                 gsize         len)
{
  GByteArray *out = g_byte_array_new ();
  TestProxy *proxy = conn->proxy;

  g_byte_array_append (conn->pending, data, len);

  while (conn->pending->len > 0)
    {
      g_autofree char *headers = NULL;
      const char *end;
      gsize n;

      if (conn->passthrough)
        {
          g_byte_array_append (out, conn->pending->data, conn->pending->len);
          g_byte_array_set_size (conn->pending, 0);
          break;
        }

      if (conn->body_left > 0)
        {
          n = MIN (conn->body_left, conn->pending->len);
          g_byte_array_append (out, conn->pending->data, n);
          g_byte_array_remove_range (conn->pending, 0, n);
          conn->body_left -= n;
          continue;
        }

      end = g_strstr_len ((const char *)conn->pending->data, conn->pending->len, "\r\n\r\n");
      if (end == NULL)
        break;

      n = end - (const char *)conn->pending->data + 4;
      headers = g_strndup ((const char *)conn->pending->data, n);

      if (proxy->refuse_upgrade && header_has (headers, "upgrade", NULL))
        {
          g_byte_array_unref (out);
          refuse (conn, "501 Not Implemented");
          return NULL;
        }

      if (proxy->refuse_sse && header_has (headers, "accept", "text/event-stream"))
        {
          g_byte_array_unref (out);
          refuse (conn, "400 Bad Request");
          return NULL;
        }

      conn->delayed = proxy->delay_match != NULL && proxy->delay_ms > 0 &&
                      strstr (headers, proxy->delay_match) != NULL &&
                      strstr (headers, proxy->delay_match) < strstr (headers, "\r\n");

      if (header_has (headers, "upgrade", NULL) ||
          header_has (headers, "transfer-encoding", "chunked"))
        conn->passthrough = TRUE;

      conn->body_left = content_length (headers);
      g_byte_array_append (out, conn->pending->data, n);
      g_byte_array_remove_range (conn->pending, 0, n);
    }

  return g_byte_array_free_to_bytes (out);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Chunk *chunk = user_data;
  Conn *conn = chunk->conn;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  TestProxy *proxy;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);

  if (conn->closed)
    {
      chunk_free (chunk);
      return;
    }

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      conn_close (conn);
      chunk_free (chunk);
      return;
    }

  proxy = conn->proxy;

  /* A blackhole swallows everything and answers nothing. */
  if (proxy->blackhole)
    {
      chunk->bytes = g_bytes_new (NULL, 0);
      write_chunk (chunk);
      return;
    }

  if (chunk->to_server)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);

      if (!(chunk->bytes = filter_requests (conn, data, len)))
        {
          chunk_free (chunk);
          return;
        }
    }
  else
    {
      chunk->bytes = g_bytes_ref (bytes);
    }

  if (!chunk->to_server && conn->delayed && proxy->delay_ms > 0)
    g_timeout_add (proxy->delay_ms, delayed_write_cb, chunk);
  else
    write_chunk (chunk);
}

static void
pump (Conn     *conn,
      gboolean  to_server)
{
  Chunk *chunk = g_new0 (Chunk, 1);

  chunk->conn = conn_ref (conn);
  chunk->to_server = to_server;
  g_input_stream_read_bytes_async (input_of (conn, to_server), CHUNK, G_PRIORITY_DEFAULT,
                                   conn->cancellable, read_cb, chunk);
}

static void
upstream_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Conn *conn = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *upstream;

  upstream = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (object), result, &error);

  if (conn->closed || upstream == NULL)
    {
      g_clear_object (&upstream);
      conn_close (conn);
      conn_unref (conn);
      return;
    }

  conn->upstream = upstream;
  pump (conn, TRUE);
  pump (conn, FALSE);
  conn_unref (conn);
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  TestProxy *self = user_data;
  Conn *conn;

  self->n_accepted++;

  if (self->down)
    {
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  conn = g_new0 (Conn, 1);
  conn->refs = 1;
  conn->proxy = self;
  conn->downstream = g_object_ref (connection);
  conn->cancellable = g_cancellable_new ();
  conn->pending = g_byte_array_new ();
  self->conns = g_list_prepend (self->conns, conn);

  g_socket_client_connect_to_host_async (self->client, "127.0.0.1", self->target_port,
                                         conn->cancellable, upstream_cb, conn_ref (conn));

  return TRUE;
}

TestProxy *
test_proxy_new (guint16 target_port)
{
  TestProxy *self = g_new0 (TestProxy, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  self->target_port = target_port;
  self->service = g_socket_service_new ();
  self->client = g_socket_client_new ();

  g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));

  g_signal_connect (self->service, "incoming", G_CALLBACK (incoming_cb), self);
  g_socket_service_start (self->service);

  return self;
}

void
test_proxy_free (TestProxy *self)
{
  test_proxy_cut (self);
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_signal_handlers_disconnect_by_data (self->service, self);
  g_clear_object (&self->service);
  g_clear_object (&self->client);
  g_free (self->delay_match);
  g_free (self);
}

guint16
test_proxy_get_port (TestProxy *self)
{
  return self->port;
}

char *
test_proxy_get_url (TestProxy *self)
{
  return g_strdup_printf ("http://127.0.0.1:%u", self->port);
}

void
test_proxy_set_target_port (TestProxy *self,
                            guint16    port)
{
  self->target_port = port;
}

guint
test_proxy_get_n_accepted (TestProxy *self)
{
  return self->n_accepted;
}

void
test_proxy_cut (TestProxy *self)
{
  while (self->conns != NULL)
    conn_close (self->conns->data);
}

void
test_proxy_set_down (TestProxy *self,
                     gboolean   down)
{
  self->down = down;
  if (down)
    test_proxy_cut (self);
}

/* Lifting a blackhole cuts what went through it: bytes were lost, so
 * those streams are garbage. */
void
test_proxy_set_blackhole (TestProxy *self,
                          gboolean   blackhole)
{
  if (self->blackhole && !blackhole)
    test_proxy_cut (self);
  self->blackhole = blackhole;
}

void
test_proxy_set_delay (TestProxy  *self,
                      const char *request_substring,
                      guint       delay_ms)
{
  g_free (self->delay_match);
  self->delay_match = g_strdup (request_substring);
  self->delay_ms = delay_ms;
}

void
test_proxy_set_refuse_upgrade (TestProxy *self,
                               gboolean   refuse)
{
  self->refuse_upgrade = refuse;
}

void
test_proxy_set_refuse_sse (TestProxy *self,
                           gboolean   refuse)
{
  self->refuse_sse = refuse;
}
