/* test-coalescing-stream.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* TackCoalescingStream over a real socket pair: corked writes leave in
 * one write, in order; short writes resume from the main loop; a full
 * buffer says "would block" and its source says when it has room again;
 * an error of the socket reaches the next write; closing sends what is
 * buffered; and libsoup's WebSocket works over it, pings and closes
 * included.
 *
 * Between the stream and the socket sits a counting output stream: it
 * counts the writes that reach the socket, and can take only so many
 * bytes per write, refuse writes as a full socket would, or fail. */

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include <libsoup/soup.h>

#include "tack-coalescing-stream.h"

/* The counting output stream. */

#define TEST_TYPE_COUNTING_OUTPUT (test_counting_output_get_type())

G_DECLARE_FINAL_TYPE (TestCountingOutput, test_counting_output, TEST, COUNTING_OUTPUT, GOutputStream)

struct _TestCountingOutput
{
  GOutputStream          parent_instance;

  GPollableOutputStream *base;
  GIOStream             *connection;   /* closed with this stream */
  GPtrArray             *waiting;      /* sources made while full */
  guint                  n_writes;     /* that reached the socket */
  gsize                  max_write;    /* bytes per write, 0: any */
  gboolean               full;         /* refuse as a full socket would */
  gboolean               fail;
};

static void test_counting_output_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestCountingOutput, test_counting_output, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      test_counting_output_pollable_init))

static gssize
test_counting_output_write_nonblocking (GPollableOutputStream  *pollable,
                                        const void             *buffer,
                                        gsize                   count,
                                        GError                **error)
{
  TestCountingOutput *self = TEST_COUNTING_OUTPUT (pollable);

  if (self->fail)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "Broken pipe");
      return -1;
    }
  if (self->full)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "Would block");
      return -1;
    }

  self->n_writes++;
  if (self->max_write > 0)
    count = MIN (count, self->max_write);

  return g_pollable_output_stream_write_nonblocking (self->base, buffer, count, NULL, error);
}

static gboolean
test_counting_output_is_writable (GPollableOutputStream *pollable)
{
  TestCountingOutput *self = TEST_COUNTING_OUTPUT (pollable);

  return !self->full && g_pollable_output_stream_is_writable (self->base);
}

static gboolean
test_counting_output_can_poll (GPollableOutputStream *pollable)
{
  return TRUE;
}

static GSource *
test_counting_output_create_source (GPollableOutputStream *pollable,
                                    GCancellable          *cancellable)
{
  TestCountingOutput *self = TEST_COUNTING_OUTPUT (pollable);
  g_autoptr(GSource) base_source = NULL;
  GSource *source;

  /* Full: ready only once the test says the socket takes more. */
  if (self->full)
    {
      source = g_pollable_source_new_full (self, NULL, cancellable);
      g_ptr_array_add (self->waiting, g_source_ref (source));
      return source;
    }

  base_source = g_pollable_output_stream_create_source (self->base, NULL);
  return g_pollable_source_new_full (self, base_source, cancellable);
}

static void
test_counting_output_set_full (TestCountingOutput *self,
                               gboolean            full)
{
  self->full = full;
  if (full)
    return;

  for (guint i = 0; i < self->waiting->len; i++)
    g_source_set_ready_time (g_ptr_array_index (self->waiting, i), 0);
  g_ptr_array_set_size (self->waiting, 0);
}

static void
test_counting_output_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = test_counting_output_can_poll;
  iface->is_writable = test_counting_output_is_writable;
  iface->create_source = test_counting_output_create_source;
  iface->write_nonblocking = test_counting_output_write_nonblocking;
}

static gssize
test_counting_output_write (GOutputStream  *stream,
                            const void     *buffer,
                            gsize           count,
                            GCancellable   *cancellable,
                            GError        **error)
{
  g_assert_not_reached ();
  return -1;
}

static gboolean
test_counting_output_close (GOutputStream  *stream,
                            GCancellable   *cancellable,
                            GError        **error)
{
  TestCountingOutput *self = TEST_COUNTING_OUTPUT (stream);

  return g_io_stream_close (self->connection, cancellable, error);
}

static void
test_counting_output_finalize (GObject *object)
{
  TestCountingOutput *self = TEST_COUNTING_OUTPUT (object);

  g_clear_object (&self->base);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);

  G_OBJECT_CLASS (test_counting_output_parent_class)->finalize (object);
}

static void
test_counting_output_class_init (TestCountingOutputClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_counting_output_finalize;
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = test_counting_output_write;
  G_OUTPUT_STREAM_CLASS (klass)->close_fn = test_counting_output_close;
}

static void
test_counting_output_init (TestCountingOutput *self)
{
  self->waiting = g_ptr_array_new_with_free_func ((GDestroyNotify)g_source_unref);
}

/* A socket pair: the stream under test writes to one end, through the
 * counting stream, and the test reads the other. */

typedef struct
{
  GSocketConnection    *near;
  GSocketConnection    *far;
  TestCountingOutput   *counting;
  GIOStream            *base;      /* near's input, the counting output */
  TackCoalescingStream *stream;
} Pair;

static GSocketConnection *
connection_from_fd (int fd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new_from_fd (fd, &error);

  g_assert_no_error (error);
  return g_socket_connection_factory_create_connection (socket);
}

static Pair *
pair_new (gsize    max_buffer,
          gboolean counted)
{
  Pair *pair = g_new0 (Pair, 1);
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  pair->near = connection_from_fd (fds[0]);
  pair->far = connection_from_fd (fds[1]);

  if (counted)
    {
      pair->counting = g_object_new (TEST_TYPE_COUNTING_OUTPUT, NULL);
      pair->counting->base = g_object_ref (G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (G_IO_STREAM (pair->near))));
      pair->counting->connection = g_object_ref (G_IO_STREAM (pair->near));
      pair->base = g_simple_io_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (pair->near)),
                                           G_OUTPUT_STREAM (pair->counting));
    }
  else
    pair->base = g_object_ref (G_IO_STREAM (pair->near));

  pair->stream = tack_coalescing_stream_new (pair->base, max_buffer);

  return pair;
}

static void
pair_free (Pair *pair)
{
  g_clear_object (&pair->stream);
  g_clear_object (&pair->base);
  g_clear_object (&pair->counting);
  g_io_stream_close (G_IO_STREAM (pair->near), NULL, NULL);
  g_io_stream_close (G_IO_STREAM (pair->far), NULL, NULL);
  g_clear_object (&pair->near);
  g_clear_object (&pair->far);
  g_free (pair);
}

static GPollableOutputStream *
pair_output (Pair *pair)
{
  return G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (G_IO_STREAM (pair->stream)));
}

/* Writes @text as one nonblocking write, which must be taken whole. */
static void
pair_write (Pair       *pair,
            const char *text)
{
  g_autoptr(GError) error = NULL;
  gssize n = g_pollable_output_stream_write_nonblocking (pair_output (pair), text, strlen (text), NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (n, ==, (gssize)strlen (text));
}

/* Reads exactly @len bytes from the far end (they are all sent by now,
 * or the main loop sends them while this waits). */
static char *
pair_read (Pair  *pair,
           gsize  len)
{
  GPollableInputStream *in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (pair->far)));
  char *data = g_malloc0 (len + 1);
  gsize got = 0;

  while (got < len)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_pollable_input_stream_read_nonblocking (in, data + got, len - got, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_main_context_iteration (NULL, TRUE);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      got += n;
    }

  return data;
}

static void
test_corked_writes_leave_in_one (void)
{
  Pair *pair = pair_new (256 * 1024, TRUE);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autofree char *received = NULL;

  tack_coalescing_stream_cork (pair->stream);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *frame = g_strdup_printf ("[frame %02u: %s]", i, "a two-hundred-byte-ish payload");

      pair_write (pair, frame);
      g_string_append (expected, frame);
    }
  g_assert_cmpuint (pair->counting->n_writes, ==, 0);
  g_assert_cmpuint (tack_coalescing_stream_get_buffered (pair->stream), ==, expected->len);
  g_assert_true (g_pollable_output_stream_is_writable (pair_output (pair)));

  g_assert_true (tack_coalescing_stream_uncork (pair->stream));
  g_assert_cmpuint (pair->counting->n_writes, ==, 1);
  g_assert_cmpuint (tack_coalescing_stream_get_buffered (pair->stream), ==, 0);

  received = pair_read (pair, expected->len);
  g_assert_cmpstr (received, ==, expected->str);

  /* Uncorked, a write goes straight through. */
  pair_write (pair, "straight");
  g_assert_cmpuint (pair->counting->n_writes, ==, 2);
  g_assert_cmpuint (tack_coalescing_stream_get_buffered (pair->stream), ==, 0);
  g_clear_pointer (&received, g_free);
  received = pair_read (pair, strlen ("straight"));
  g_assert_cmpstr (received, ==, "straight");

  pair_free (pair);
}

/* A socket that takes 10 bytes per write: uncorking writes once and
 * keeps the rest, which the main loop sends; a write made meanwhile goes
 * after it. */
static void
test_short_writes_resume_in_order (void)
{
  Pair *pair = pair_new (256 * 1024, TRUE);
  const char *first = "0123456789abcdefghijklmnopqrstuvwxyz";
  const char *second = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  g_autofree char *expected = g_strconcat (first, second, NULL);
  g_autofree char *received = NULL;

  pair->counting->max_write = 10;

  tack_coalescing_stream_cork (pair->stream);
  pair_write (pair, first);
  g_assert_true (tack_coalescing_stream_uncork (pair->stream));
  /* One write, and no second one to hear that the socket is full. */
  g_assert_cmpuint (pair->counting->n_writes, ==, 1);
  g_assert_cmpuint (tack_coalescing_stream_get_buffered (pair->stream), ==, strlen (first) - 10);

  /* Uncorked, but not before what is still buffered. */
  pair_write (pair, second);
  g_assert_cmpuint (tack_coalescing_stream_get_buffered (pair->stream), ==, strlen (expected) - 20);

  while (tack_coalescing_stream_get_buffered (pair->stream) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (pair->counting->n_writes, ==, (strlen (expected) + 9) / 10);

  received = pair_read (pair, strlen (expected));
  g_assert_cmpstr (received, ==, expected);

  pair_free (pair);
}

static gboolean
writable_cb (GObject  *pollable,
             gpointer  user_data)
{
  gboolean *fired = user_data;

  *fired = TRUE;
  return G_SOURCE_REMOVE;
}

/* A full socket and a full buffer: writes are refused, and the stream's
 * source fires once the socket takes more. */
static void
test_would_block (void)
{
  Pair *pair = pair_new (1024, TRUE);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSource) source = NULL;
  g_autofree char *chunk = g_strnfill (400, 'x');
  g_autofree char *received = NULL;
  gboolean fired = FALSE;
  gssize n;

  test_counting_output_set_full (pair->counting, TRUE);

  /* Whole writes while below the cap: 0, 400, 800 bytes held. */
  tack_coalescing_stream_cork (pair->stream);
  for (guint i = 0; i < 3; i++)
    {
      chunk[0] = 'a' + i;
      pair_write (pair, chunk);
      g_string_append (expected, chunk);
    }
  g_assert_cmpuint (tack_coalescing_stream_get_buffered (pair->stream), ==, 1200);
  g_assert_false (g_pollable_output_stream_is_writable (pair_output (pair)));

  n = g_pollable_output_stream_write_nonblocking (pair_output (pair), chunk, 400, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_assert_cmpint (n, ==, -1);
  g_clear_error (&error);

  g_assert_true (tack_coalescing_stream_uncork (pair->stream));
  g_assert_cmpuint (tack_coalescing_stream_get_buffered (pair->stream), ==, 1200);

  source = g_pollable_output_stream_create_source (pair_output (pair), NULL);
  g_source_set_callback (source, (GSourceFunc)(GCallback)writable_cb, &fired, NULL);
  g_source_attach (source, NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (fired);

  /* The socket takes more: the buffer drains and the source fires. */
  test_counting_output_set_full (pair->counting, FALSE);
  while (!fired)
    g_main_context_iteration (NULL, TRUE);
  while (tack_coalescing_stream_get_buffered (pair->stream) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_pollable_output_stream_is_writable (pair_output (pair)));

  chunk[0] = 'd';
  pair_write (pair, chunk);
  g_string_append (expected, chunk);

  received = pair_read (pair, expected->len);
  g_assert_cmpstr (received, ==, expected->str);

  g_source_destroy (source);
  pair_free (pair);
}

/* The socket fails while the stream is corked: uncorking says so, and
 * the next write gets the socket's error (libsoup closes on it). */
static void
test_error_reaches_next_write (void)
{
  Pair *pair = pair_new (256 * 1024, TRUE);
  g_autoptr(GError) error = NULL;
  gssize n;

  tack_coalescing_stream_cork (pair->stream);
  pair_write (pair, "lost");
  pair->counting->fail = TRUE;
  g_assert_false (tack_coalescing_stream_uncork (pair->stream));
  g_assert_cmpuint (tack_coalescing_stream_get_buffered (pair->stream), ==, 0);

  /* Writable, so that a writer waiting for room tries, and hears why. */
  g_assert_true (g_pollable_output_stream_is_writable (pair_output (pair)));
  n = g_pollable_output_stream_write_nonblocking (pair_output (pair), "more", 4, NULL, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  g_clear_error (&error);

  /* Uncorked, the error of a write straight through is kept too. */
  pair_free (pair);
  pair = pair_new (256 * 1024, TRUE);
  pair->counting->fail = TRUE;
  n = g_pollable_output_stream_write_nonblocking (pair_output (pair), "more", 4, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  g_clear_error (&error);
  pair->counting->fail = FALSE;
  n = g_pollable_output_stream_write_nonblocking (pair_output (pair), "more", 4, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  g_assert_cmpuint (pair->counting->n_writes, ==, 0);

  pair_free (pair);
}

/* Closing sends what is buffered, then ends the stream. */
static void
test_close_sends_the_rest (void)
{
  Pair *pair = pair_new (256 * 1024, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *received = NULL;
  GInputStream *in;
  char byte;

  tack_coalescing_stream_cork (pair->stream);
  pair_write (pair, "the last words");
  g_io_stream_close (G_IO_STREAM (pair->stream), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (pair->stream)));

  received = pair_read (pair, strlen ("the last words"));
  g_assert_cmpstr (received, ==, "the last words");
  in = g_io_stream_get_input_stream (G_IO_STREAM (pair->far));
  g_assert_cmpint (g_input_stream_read (in, &byte, 1, NULL, &error), ==, 0);
  g_assert_no_error (error);

  pair_free (pair);
}

/* libsoup over the stream: corked messages arrive in one write and in
 * order; pings are answered and the close handshake completes, with the
 * stream uncorked as libsoup leaves it. */

typedef struct
{
  GPtrArray *messages;   /* char* */
  guint      n_pongs;
  gboolean   closed;
} Peer;

static void
peer_message_cb (SoupWebsocketConnection *ws,
                 SoupWebsocketDataType    type,
                 GBytes                  *message,
                 Peer                    *peer)
{
  g_ptr_array_add (peer->messages, g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message)));
}

static void
peer_pong_cb (SoupWebsocketConnection *ws,
              GBytes                  *message,
              Peer                    *peer)
{
  peer->n_pongs++;
}

static void
peer_closed_cb (SoupWebsocketConnection *ws,
                Peer                    *peer)
{
  peer->closed = TRUE;
}

static SoupWebsocketConnection *
peer_connect (GIOStream                   *io,
              SoupWebsocketConnectionType  type,
              Peer                        *peer)
{
  g_autoptr(GUri) uri = g_uri_parse ("ws://127.0.0.1/events", G_URI_FLAGS_NONE, NULL);
  SoupWebsocketConnection *ws = soup_websocket_connection_new (io, uri, type, NULL, NULL, NULL);

  peer->messages = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (ws, "message", G_CALLBACK (peer_message_cb), peer);
  g_signal_connect (ws, "pong", G_CALLBACK (peer_pong_cb), peer);
  g_signal_connect (ws, "closed", G_CALLBACK (peer_closed_cb), peer);

  return ws;
}

static void
test_websocket (void)
{
  Pair *pair = pair_new (256 * 1024, TRUE);
  Peer server_peer = { 0, };
  Peer client_peer = { 0, };
  g_autoptr(SoupWebsocketConnection) server = peer_connect (G_IO_STREAM (pair->stream), SOUP_WEBSOCKET_CONNECTION_SERVER, &server_peer);
  g_autoptr(SoupWebsocketConnection) client = peer_connect (G_IO_STREAM (pair->far), SOUP_WEBSOCKET_CONNECTION_CLIENT, &client_peer);

  tack_coalescing_stream_cork (pair->stream);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"seq\": %u}", i);

      soup_websocket_connection_send_text (server, text);
    }
  g_assert_cmpuint (pair->counting->n_writes, ==, 0);
  tack_coalescing_stream_uncork (pair->stream);
  g_assert_cmpuint (pair->counting->n_writes, ==, 1);

  while (client_peer.messages->len < 20)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"seq\": %u}", i);

      g_assert_cmpstr (g_ptr_array_index (client_peer.messages, i), ==, text);
    }

  /* The client pings (its keepalive); the server's libsoup answers. */
  soup_websocket_connection_set_keepalive_interval (client, 1);
  while (client_peer.n_pongs == 0)
    g_main_context_iteration (NULL, TRUE);
  soup_websocket_connection_set_keepalive_interval (client, 0);

  /* And a message the other way still arrives. */
  soup_websocket_connection_send_text (client, "hello server");
  while (server_peer.messages->len < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (g_ptr_array_index (server_peer.messages, 0), ==, "hello server");

  /* The server closes: the client hears the code, both end. */
  soup_websocket_connection_close (server, 4008, "too slow: resume with since");
  while (!client_peer.closed || !server_peer.closed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (client), ==, 4008);
  g_assert_cmpstr (soup_websocket_connection_get_close_data (client), ==, "too slow: resume with since");
  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (pair->stream)));

  g_ptr_array_unref (server_peer.messages);
  g_ptr_array_unref (client_peer.messages);
  g_clear_object (&server);
  g_clear_object (&client);
  pair_free (pair);
}

/* The peer goes away: libsoup hears it from the stream and closes. */
static void
test_websocket_dead_peer (void)
{
  Pair *pair = pair_new (256 * 1024, TRUE);
  Peer server_peer = { 0, };
  g_autoptr(SoupWebsocketConnection) server = peer_connect (G_IO_STREAM (pair->stream), SOUP_WEBSOCKET_CONNECTION_SERVER, &server_peer);

  /* The socket fails under a corked batch; libsoup's next write gets it. */
  tack_coalescing_stream_cork (pair->stream);
  soup_websocket_connection_send_text (server, "{\"seq\": 1}");
  pair->counting->fail = TRUE;
  g_assert_false (tack_coalescing_stream_uncork (pair->stream));
  soup_websocket_connection_send_text (server, "{\"seq\": 2}");

  while (!server_peer.closed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (soup_websocket_connection_get_state (server), ==, SOUP_WEBSOCKET_STATE_CLOSED);

  g_ptr_array_unref (server_peer.messages);
  g_clear_object (&server);
  pair_free (pair);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tack/server/coalescing-stream/corked-writes-leave-in-one", test_corked_writes_leave_in_one);
  g_test_add_func ("/tack/server/coalescing-stream/short-writes-resume-in-order", test_short_writes_resume_in_order);
  g_test_add_func ("/tack/server/coalescing-stream/would-block", test_would_block);
  g_test_add_func ("/tack/server/coalescing-stream/error-reaches-next-write", test_error_reaches_next_write);
  g_test_add_func ("/tack/server/coalescing-stream/close-sends-the-rest", test_close_sends_the_rest);
  g_test_add_func ("/tack/server/coalescing-stream/websocket", test_websocket);
  g_test_add_func ("/tack/server/coalescing-stream/websocket-dead-peer", test_websocket_dead_peer);

  return g_test_run ();
}
