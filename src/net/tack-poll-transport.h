/* tack-poll-transport.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tack-transport.h"

G_BEGIN_DECLS

#define TACK_TYPE_POLL_TRANSPORT (tack_poll_transport_get_type())

G_DECLARE_FINAL_TYPE (TackPollTransport, tack_poll_transport, TACK, POLL_TRANSPORT, TackTransport)

G_END_DECLS
