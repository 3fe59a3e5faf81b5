/* tack-sse-transport.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tack-transport.h"

G_BEGIN_DECLS

#define TACK_TYPE_SSE_TRANSPORT (tack_sse_transport_get_type())

G_DECLARE_FINAL_TYPE (TackSseTransport, tack_sse_transport, TACK, SSE_TRANSPORT, TackTransport)

G_END_DECLS
