/* tack-coalescing-stream.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A GIOStream over another one, whose output can be corked.
 *
 * SoupWebsocketConnection frames each message itself and hands each frame
 * to its output stream with a write_nonblocking() of its own: one write()
 * per frame per subscriber, about 4 µs each on loopback. Over this
 * stream, a subscriber worker corks a connection, lets libsoup frame
 * everything due in one main-loop tick, and uncorks it: the frames leave
 * in as few write()s as the socket takes, usually one. The framing stays
 * libsoup's.
 *
 * Reads go straight to the base stream's input stream. Writes are
 * appended to a buffer while the stream is corked, or while what was
 * buffered before has not gone out yet (so the order is kept); otherwise
 * they go straight to the base stream, and only what the socket does not
 * take is buffered. A write is accepted whole while the buffer holds less
 * than its cap, and refused with G_IO_ERROR_WOULD_BLOCK beyond it, once
 * the base stream took nothing more. What is left after uncorking goes
 * out from a pollable source on the base stream, in the thread-default
 * main context the stream was made in.
 *
 * The output is writable (is_writable(), create_source()) exactly when a
 * write would be accepted, so libsoup's own back-pressure works as it
 * does over a socket. An error from the base stream is kept and handed to
 * the next write, so a dead peer still closes the connection. Closing
 * sends what the socket takes at once, then closes the base stream.
 *
 * Not thread-safe: one thread (a subscriber worker) uses the stream. */

#define G_LOG_DOMAIN "tack-server"

#include "config.h"

#include <errno.h>

#include "tack-coalescing-stream.h"

/* The output stream. */

#define TACK_TYPE_COALESCING_OUTPUT_STREAM (tack_coalescing_output_stream_get_type())

G_DECLARE_FINAL_TYPE (TackCoalescingOutputStream, tack_coalescing_output_stream, TACK, COALESCING_OUTPUT_STREAM, GOutputStream)

struct _TackCoalescingOutputStream
{
  GOutputStream          parent_instance;

  GPollableOutputStream *base;
  GMainContext          *context;
  GByteArray            *buffer;       /* NULL when empty */
  gsize                  offset;       /* of the first byte not written yet */
  gsize                  max_buffer;
  guint                  corked;
  GSource               *flush_source;
  GError                *error;        /* from the base stream, for the next write */
};

static void tack_coalescing_output_stream_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TackCoalescingOutputStream, tack_coalescing_output_stream, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      tack_coalescing_output_stream_pollable_init))

static inline gsize
out_buffered (TackCoalescingOutputStream *self)
{
  return self->buffer != NULL ? self->buffer->len - self->offset : 0;
}

static void
out_clear_flush_source (TackCoalescingOutputStream *self)
{
  if (self->flush_source != NULL)
    {
      g_source_destroy (self->flush_source);
      g_clear_pointer (&self->flush_source, g_source_unref);
    }
}

/* An idle subscriber holds no buffer: thousands of them would each keep
 * the size of their biggest batch. */
static void
out_discard (TackCoalescingOutputStream *self)
{
  g_clear_pointer (&self->buffer, g_byte_array_unref);
  self->offset = 0;
}

static void
out_append (TackCoalescingOutputStream *self,
            const guint8               *data,
            gsize                       count)
{
  /* What went out already is dropped before the buffer grows; the copy
   * is of at most what is left. */
  if (self->buffer == NULL)
    self->buffer = g_byte_array_sized_new (count);
  else if (self->offset > 0 && self->offset >= self->buffer->len / 2)
    {
      g_byte_array_remove_range (self->buffer, 0, self->offset);
      self->offset = 0;
    }

  g_byte_array_append (self->buffer, data, count);
}

static void
out_fail (TackCoalescingOutputStream *self,
          GError                     *error)
{
  g_debug ("Coalescing stream: %s", error->message);

  if (self->error == NULL)
    self->error = error;
  else
    g_error_free (error);

  /* The connection is lost: nothing buffered will ever arrive. */
  out_discard (self);
}

/* Writes what is buffered with as few nonblocking writes as the base
 * stream takes. FALSE when the base stream failed (the error is kept). */
static gboolean
out_drain (TackCoalescingOutputStream *self)
{
  while (out_buffered (self) > 0)
    {
      g_autoptr(GError) error = NULL;
      gsize pending = out_buffered (self);
      gssize n;

      n = g_pollable_output_stream_write_nonblocking (self->base, self->buffer->data + self->offset, pending,
                                                      NULL, &error);
      if (n < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return TRUE;

          out_fail (self, g_steal_pointer (&error));
          return FALSE;
        }

      self->offset += n;

      /* A short write means the socket is full: asking again now would
       * only hear so. */
      if ((gsize)n < pending)
        return TRUE;
    }

  out_discard (self);

  return TRUE;
}

static gboolean
out_flush_cb (GObject  *pollable,
              gpointer  user_data)
{
  TackCoalescingOutputStream *self = user_data;

  if (out_drain (self) && out_buffered (self) > 0)
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&self->flush_source, g_source_unref);

  return G_SOURCE_REMOVE;
}

/* What is left goes out as the socket takes it. */
static void
out_schedule (TackCoalescingOutputStream *self)
{
  if (self->flush_source != NULL || self->corked > 0 || out_buffered (self) == 0)
    return;

  self->flush_source = g_pollable_output_stream_create_source (self->base, NULL);
  g_source_set_callback (self->flush_source, (GSourceFunc)(GCallback)out_flush_cb, self, NULL);
  g_source_attach (self->flush_source, self->context);
}

static gboolean
out_take_error (TackCoalescingOutputStream  *self,
                GError                     **error)
{
  if (g_output_stream_is_closed (G_OUTPUT_STREAM (self)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "Stream is already closed");
      return TRUE;
    }

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return TRUE;
    }

  return FALSE;
}

static gboolean
tack_coalescing_output_stream_is_writable (GPollableOutputStream *pollable)
{
  TackCoalescingOutputStream *self = TACK_COALESCING_OUTPUT_STREAM (pollable);

  /* A closed or failed stream is "writable": the write says why not. */
  return self->error != NULL ||
         g_output_stream_is_closed (G_OUTPUT_STREAM (self)) ||
         out_buffered (self) < self->max_buffer;
}

static gboolean
tack_coalescing_output_stream_can_poll (GPollableOutputStream *pollable)
{
  TackCoalescingOutputStream *self = TACK_COALESCING_OUTPUT_STREAM (pollable);

  return g_pollable_output_stream_can_poll (self->base);
}

static GSource *
tack_coalescing_output_stream_create_source (GPollableOutputStream *pollable,
                                             GCancellable          *cancellable)
{
  TackCoalescingOutputStream *self = TACK_COALESCING_OUTPUT_STREAM (pollable);
  g_autoptr(GSource) base_source = NULL;

  /* Room in the buffer: ready now. Full: ready once the socket takes
   * more, when the next write makes room. */
  if (tack_coalescing_output_stream_is_writable (pollable))
    base_source = g_timeout_source_new (0);
  else
    base_source = g_pollable_output_stream_create_source (self->base, NULL);

  return g_pollable_source_new_full (self, base_source, cancellable);
}

static gssize
tack_coalescing_output_stream_write_nonblocking (GPollableOutputStream  *pollable,
                                                 const void             *buffer,
                                                 gsize                   count,
                                                 GError                **error)
{
  TackCoalescingOutputStream *self = TACK_COALESCING_OUTPUT_STREAM (pollable);
  g_autoptr(GError) local_error = NULL;
  gssize n;

  if (out_take_error (self, error))
    return -1;

  if (count == 0)
    return 0;

  if (out_buffered (self) >= self->max_buffer)
    {
      if (!out_drain (self))
        {
          out_take_error (self, error);
          return -1;
        }

      if (out_buffered (self) >= self->max_buffer)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, g_strerror (EAGAIN));
          return -1;
        }
    }

  if (self->corked > 0)
    {
      out_append (self, buffer, count);
      return count;
    }

  /* After what is still buffered, in the same write. */
  if (out_buffered (self) > 0)
    {
      out_append (self, buffer, count);
      if (!out_drain (self))
        {
          out_take_error (self, error);
          return -1;
        }
      out_schedule (self);
      return count;
    }

  n = g_pollable_output_stream_write_nonblocking (self->base, buffer, count, NULL, &local_error);
  if (n < 0)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          out_fail (self, g_error_copy (local_error));
          g_propagate_error (error, g_steal_pointer (&local_error));
          return -1;
        }
      n = 0;
    }

  if ((gsize)n < count)
    {
      out_append (self, (const guint8 *)buffer + n, count - n);
      out_schedule (self);
    }

  return count;
}

static void
tack_coalescing_output_stream_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = tack_coalescing_output_stream_can_poll;
  iface->is_writable = tack_coalescing_output_stream_is_writable;
  iface->create_source = tack_coalescing_output_stream_create_source;
  iface->write_nonblocking = tack_coalescing_output_stream_write_nonblocking;
}

/* Blocking writes (libsoup makes none; here for completeness): buffered
 * while corked and below the cap, else after the buffer, waiting. */
static gssize
tack_coalescing_output_stream_write (GOutputStream  *stream,
                                     const void     *buffer,
                                     gsize           count,
                                     GCancellable   *cancellable,
                                     GError        **error)
{
  TackCoalescingOutputStream *self = TACK_COALESCING_OUTPUT_STREAM (stream);
  GOutputStream *base = G_OUTPUT_STREAM (self->base);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return -1;
    }

  if (self->corked > 0 && out_buffered (self) < self->max_buffer)
    {
      out_append (self, buffer, count);
      return count;
    }

  if (out_buffered (self) > 0)
    {
      gsize written = 0;
      gboolean ok;

      ok = g_output_stream_write_all (base, self->buffer->data + self->offset, out_buffered (self),
                                      &written, cancellable, error);
      self->offset += written;
      if (!ok)
        return -1;
      out_discard (self);
      out_clear_flush_source (self);
    }

  return g_output_stream_write (base, buffer, count, cancellable, error);
}

static gboolean
tack_coalescing_output_stream_close (GOutputStream  *stream,
                                     GCancellable   *cancellable,
                                     GError        **error)
{
  TackCoalescingOutputStream *self = TACK_COALESCING_OUTPUT_STREAM (stream);

  /* Best effort, without waiting: what the socket takes now. The base
   * stream is closed by the GIOStream. */
  if (self->error == NULL)
    out_drain (self);
  out_clear_flush_source (self);
  out_discard (self);

  return TRUE;
}

static void
tack_coalescing_output_stream_finalize (GObject *object)
{
  TackCoalescingOutputStream *self = TACK_COALESCING_OUTPUT_STREAM (object);

  out_clear_flush_source (self);
  g_clear_object (&self->base);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->buffer, g_byte_array_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (tack_coalescing_output_stream_parent_class)->finalize (object);
}

static void
tack_coalescing_output_stream_class_init (TackCoalescingOutputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = tack_coalescing_output_stream_finalize;

  stream_class->write_fn = tack_coalescing_output_stream_write;
  stream_class->close_fn = tack_coalescing_output_stream_close;
}

static void
tack_coalescing_output_stream_init (TackCoalescingOutputStream *self)
{
  self->context = g_main_context_ref_thread_default ();
}

static TackCoalescingOutputStream *
tack_coalescing_output_stream_new (GPollableOutputStream *base,
                                   gsize                  max_buffer)
{
  TackCoalescingOutputStream *self = g_object_new (TACK_TYPE_COALESCING_OUTPUT_STREAM, NULL);

  self->base = g_object_ref (base);
  self->max_buffer = MAX (max_buffer, 1);

  return self;
}

/* The GIOStream. */

struct _TackCoalescingStream
{
  GIOStream                   parent_instance;

  GIOStream                  *base_stream;
  TackCoalescingOutputStream *output;
  gsize                       max_buffer;
};

G_DEFINE_FINAL_TYPE (TackCoalescingStream, tack_coalescing_stream, G_TYPE_IO_STREAM)

enum {
  PROP_0,
  PROP_BASE_STREAM,
  PROP_MAX_BUFFER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GInputStream *
tack_coalescing_stream_get_input_stream (GIOStream *stream)
{
  TackCoalescingStream *self = TACK_COALESCING_STREAM (stream);

  return g_io_stream_get_input_stream (self->base_stream);
}

static GOutputStream *
tack_coalescing_stream_get_output_stream (GIOStream *stream)
{
  TackCoalescingStream *self = TACK_COALESCING_STREAM (stream);

  return G_OUTPUT_STREAM (self->output);
}

static gboolean
tack_coalescing_stream_close (GIOStream     *stream,
                              GCancellable  *cancellable,
                              GError       **error)
{
  TackCoalescingStream *self = TACK_COALESCING_STREAM (stream);

  g_output_stream_close (G_OUTPUT_STREAM (self->output), cancellable, NULL);

  return g_io_stream_close (self->base_stream, cancellable, error);
}

/* Closing never waits (the output only sends what the socket takes at
 * once, and closing a socket does not block), so it is done here, as
 * GSocketConnection does, rather than in a thread of GIOStream's default
 * close_async, which would touch the buffer from another thread. */
static void
tack_coalescing_stream_close_async (GIOStream           *stream,
                                    int                  io_priority,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, tack_coalescing_stream_close_async);
  g_task_set_priority (task, io_priority);

  if (tack_coalescing_stream_close (stream, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
tack_coalescing_stream_close_finish (GIOStream     *stream,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
tack_coalescing_stream_constructed (GObject *object)
{
  TackCoalescingStream *self = TACK_COALESCING_STREAM (object);
  GOutputStream *base_output;

  G_OBJECT_CLASS (tack_coalescing_stream_parent_class)->constructed (object);

  g_assert (G_IS_IO_STREAM (self->base_stream));
  base_output = g_io_stream_get_output_stream (self->base_stream);
  g_return_if_fail (G_IS_POLLABLE_OUTPUT_STREAM (base_output));

  self->output = tack_coalescing_output_stream_new (G_POLLABLE_OUTPUT_STREAM (base_output), self->max_buffer);
}

static void
tack_coalescing_stream_finalize (GObject *object)
{
  TackCoalescingStream *self = TACK_COALESCING_STREAM (object);

  g_clear_object (&self->output);
  g_clear_object (&self->base_stream);

  G_OBJECT_CLASS (tack_coalescing_stream_parent_class)->finalize (object);
}

static void
tack_coalescing_stream_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  TackCoalescingStream *self = TACK_COALESCING_STREAM (object);

  switch (prop_id)
    {
    case PROP_BASE_STREAM:
      g_value_set_object (value, self->base_stream);
      break;

    case PROP_MAX_BUFFER:
      g_value_set_uint64 (value, self->max_buffer);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_coalescing_stream_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  TackCoalescingStream *self = TACK_COALESCING_STREAM (object);

  switch (prop_id)
    {
    case PROP_BASE_STREAM:
      self->base_stream = g_value_dup_object (value);
      break;

    case PROP_MAX_BUFFER:
      self->max_buffer = g_value_get_uint64 (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_coalescing_stream_class_init (TackCoalescingStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->constructed = tack_coalescing_stream_constructed;
  object_class->finalize = tack_coalescing_stream_finalize;
  object_class->get_property = tack_coalescing_stream_get_property;
  object_class->set_property = tack_coalescing_stream_set_property;

  stream_class->get_input_stream = tack_coalescing_stream_get_input_stream;
  stream_class->get_output_stream = tack_coalescing_stream_get_output_stream;
  stream_class->close_fn = tack_coalescing_stream_close;
  stream_class->close_async = tack_coalescing_stream_close_async;
  stream_class->close_finish = tack_coalescing_stream_close_finish;

  properties[PROP_BASE_STREAM] =
    g_param_spec_object ("base-stream", NULL, NULL,
                         G_TYPE_IO_STREAM,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_MAX_BUFFER] =
    g_param_spec_uint64 ("max-buffer", NULL, NULL,
                         1, G_MAXUINT64, 256 * 1024,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tack_coalescing_stream_init (TackCoalescingStream *self)
{
}

/**
 * tack_coalescing_stream_new:
 * @base_stream: a stream whose output stream is pollable (a socket
 *   connection)
 * @max_buffer: how many bytes the output holds before it refuses writes
 *
 * Makes a stream whose input is @base_stream's and whose output buffers
 * while corked. Its pollable sources belong to the thread-default main
 * context of the caller.
 */
TackCoalescingStream *
tack_coalescing_stream_new (GIOStream *base_stream,
                            gsize      max_buffer)
{
  g_return_val_if_fail (G_IS_IO_STREAM (base_stream), NULL);
  g_return_val_if_fail (G_IS_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (base_stream)), NULL);

  return g_object_new (TACK_TYPE_COALESCING_STREAM,
                       "base-stream", base_stream,
                       "max-buffer", (guint64)max_buffer,
                       NULL);
}

GIOStream *
tack_coalescing_stream_get_base_stream (TackCoalescingStream *self)
{
  g_return_val_if_fail (TACK_IS_COALESCING_STREAM (self), NULL);

  return self->base_stream;
}

/**
 * tack_coalescing_stream_cork:
 *
 * From now until the matching tack_coalescing_stream_uncork(), writes are
 * kept (up to the cap) instead of written. Corks nest.
 */
void
tack_coalescing_stream_cork (TackCoalescingStream *self)
{
  g_return_if_fail (TACK_IS_COALESCING_STREAM (self));

  self->output->corked++;
}

/**
 * tack_coalescing_stream_uncork:
 *
 * Ends a cork: the last one writes what is buffered, in as few
 * nonblocking writes as the socket takes; the rest goes out as it takes
 * more.
 *
 * Returns: %FALSE if the base stream failed (the next write will fail
 *   with its error)
 */
gboolean
tack_coalescing_stream_uncork (TackCoalescingStream *self)
{
  TackCoalescingOutputStream *out;

  g_return_val_if_fail (TACK_IS_COALESCING_STREAM (self), FALSE);
  g_return_val_if_fail (self->output->corked > 0, FALSE);

  out = self->output;
  if (--out->corked > 0)
    return TRUE;

  if (out->error != NULL)
    return FALSE;
  if (g_output_stream_is_closed (G_OUTPUT_STREAM (out)))
    return TRUE;
  if (!out_drain (out))
    return FALSE;
  out_schedule (out);

  return TRUE;
}

/**
 * tack_coalescing_stream_get_buffered:
 *
 * Returns: how many bytes were written to the stream and not yet to the
 *   base stream
 */
gsize
tack_coalescing_stream_get_buffered (TackCoalescingStream *self)
{
  g_return_val_if_fail (TACK_IS_COALESCING_STREAM (self), 0);

  return out_buffered (self->output);
}
