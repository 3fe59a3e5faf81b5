/* tack-dispatcher.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tack-api.h"
#include "tack-store.h"

G_BEGIN_DECLS

#define TACK_TYPE_DISPATCHER (tack_dispatcher_get_type())

G_DECLARE_FINAL_TYPE (TackDispatcher, tack_dispatcher, TACK, DISPATCHER, GObject)

TackDispatcher *tack_dispatcher_new           (TackStore            *store,
                                               TackApi              *api);
TackStore      *tack_dispatcher_get_store     (TackDispatcher       *self);
TackApi        *tack_dispatcher_get_api       (TackDispatcher       *self);
gint64          tack_dispatcher_get_seq       (TackDispatcher       *self);
gboolean        tack_dispatcher_get_loading   (TackDispatcher       *self);
gboolean        tack_dispatcher_has_snapshot  (TackDispatcher       *self);
void            tack_dispatcher_dispatch      (TackDispatcher       *self,
                                               JsonNode             *frame);
void            tack_dispatcher_reload_async  (TackDispatcher       *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean        tack_dispatcher_reload_finish (TackDispatcher       *self,
                                               GAsyncResult         *result,
                                               GError              **error);

G_END_DECLS
