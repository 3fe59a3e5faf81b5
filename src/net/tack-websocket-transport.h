/* tack-websocket-transport.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tack-transport.h"

G_BEGIN_DECLS

#define TACK_TYPE_WEBSOCKET_TRANSPORT (tack_websocket_transport_get_type())

G_DECLARE_FINAL_TYPE (TackWebsocketTransport, tack_websocket_transport, TACK, WEBSOCKET_TRANSPORT, TackTransport)

G_END_DECLS
