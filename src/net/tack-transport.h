/* tack-transport.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "tack-api.h"
#include "tack-net-types.h"

G_BEGIN_DECLS

#define TACK_TRANSPORT_ERROR (tack_transport_error_quark ())

/**
 * TackTransportError:
 * @TACK_TRANSPORT_ERROR_REFUSED: the server (or something between) will
 *   not speak this transport; another one may work
 * @TACK_TRANSPORT_ERROR_CLOSED: the stream ended
 * @TACK_TRANSPORT_ERROR_TIMED_OUT: nothing came within the heartbeat
 *   deadline
 * @TACK_TRANSPORT_ERROR_PROTOCOL: the server sent something PROTOCOL.md
 *   does not allow
 */
typedef enum
{
  TACK_TRANSPORT_ERROR_REFUSED,
  TACK_TRANSPORT_ERROR_CLOSED,
  TACK_TRANSPORT_ERROR_TIMED_OUT,
  TACK_TRANSPORT_ERROR_PROTOCOL,
} TackTransportError;

GQuark tack_transport_error_quark (void);

#define TACK_TYPE_TRANSPORT (tack_transport_get_type())

G_DECLARE_DERIVABLE_TYPE (TackTransport, tack_transport, TACK, TRANSPORT, GObject)

/**
 * TackTransportClass:
 * @open_async: establish the stream from `since`; finish when it is up
 * @open_finish: whether it is
 * @send: send one client frame; %FALSE when the transport has no way to
 * @close: stop; no signal is emitted afterwards
 *
 * One way of receiving PROTOCOL.md's event stream. Whatever arrives is
 * handed on as ::message in WebSocket frame form (`hello`, events,
 * `reset`, `presence`, `pong`); ::alive says bytes arrived that carry no
 * message (an SSE comment); ::closed says the stream died.
 */
struct _TackTransportClass
{
  GObjectClass parent_class;

  void     (*open_async)  (TackTransport        *self,
                           gint64                since,
                           GCancellable         *cancellable,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data);
  gboolean (*open_finish) (TackTransport        *self,
                           GAsyncResult         *result,
                           GError              **error);
  gboolean (*send)        (TackTransport        *self,
                           JsonNode             *frame);
  void     (*close)       (TackTransport        *self);
};

TackApi           *tack_transport_get_api      (TackTransport        *self);
TackTransportMode  tack_transport_get_kind     (TackTransport        *self);
void               tack_transport_open_async   (TackTransport        *self,
                                                gint64                since,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean           tack_transport_open_finish  (TackTransport        *self,
                                                GAsyncResult         *result,
                                                GError              **error);
gboolean           tack_transport_send         (TackTransport        *self,
                                                JsonNode             *frame);
void               tack_transport_close        (TackTransport        *self);

/* For implementations. */
void               tack_transport_emit_message (TackTransport        *self,
                                                JsonNode             *frame);
void               tack_transport_emit_alive   (TackTransport        *self);
void               tack_transport_emit_closed  (TackTransport        *self,
                                                const GError         *error);
gboolean           tack_transport_is_closed    (TackTransport        *self);

TackTransport     *tack_transport_new_for_kind (TackTransportMode     kind,
                                                TackApi              *api,
                                                guint                 poll_interval,
                                                guint                 poll_wait);

G_END_DECLS
