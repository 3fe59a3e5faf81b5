/* tack-coalescing-stream.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TACK_TYPE_COALESCING_STREAM (tack_coalescing_stream_get_type())

G_DECLARE_FINAL_TYPE (TackCoalescingStream, tack_coalescing_stream, TACK, COALESCING_STREAM, GIOStream)

TackCoalescingStream *tack_coalescing_stream_new             (GIOStream            *base_stream,
                                                              gsize                 max_buffer);
GIOStream            *tack_coalescing_stream_get_base_stream (TackCoalescingStream *self);
void                  tack_coalescing_stream_cork            (TackCoalescingStream *self);
gboolean              tack_coalescing_stream_uncork          (TackCoalescingStream *self);
gsize                 tack_coalescing_stream_get_buffered    (TackCoalescingStream *self);

G_END_DECLS
