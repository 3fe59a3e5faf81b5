/* tack-net-types.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TackConnectionState:
 * @TACK_CONNECTION_OFFLINE: not connected and no network to connect over
 *   (or not started)
 * @TACK_CONNECTION_CONNECTING: establishing a transport
 * @TACK_CONNECTION_LIVE: connected and caught up: what the store shows is
 *   what the server has
 * @TACK_CONNECTION_RECONNECTING: waiting out a backoff before the next
 *   attempt (see TackConnection:next-attempt)
 * @TACK_CONNECTION_RESYNCING: connected, catching up on missed events or
 *   reloading the snapshot
 * @TACK_CONNECTION_FAILED: the server refused us for good (auth refused,
 *   board gone); no retry (see TackConnection:reason)
 */
typedef enum
{
  TACK_CONNECTION_OFFLINE,
  TACK_CONNECTION_CONNECTING,
  TACK_CONNECTION_LIVE,
  TACK_CONNECTION_RECONNECTING,
  TACK_CONNECTION_RESYNCING,
  TACK_CONNECTION_FAILED,
} TackConnectionState;

/**
 * TackTransportMode:
 * @TACK_TRANSPORT_AUTO: WebSocket, else SSE, else polling
 * @TACK_TRANSPORT_WEBSOCKET: only WebSocket
 * @TACK_TRANSPORT_SSE: only Server-Sent Events
 * @TACK_TRANSPORT_POLLING: only (long) polling
 */
typedef enum
{
  TACK_TRANSPORT_AUTO,
  TACK_TRANSPORT_WEBSOCKET,
  TACK_TRANSPORT_SSE,
  TACK_TRANSPORT_POLLING,
} TackTransportMode;

G_END_DECLS
