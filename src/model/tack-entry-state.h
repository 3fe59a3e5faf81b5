/* tack-entry-state.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TackEntryState:
 * @TACK_ENTRY_FRESH: the entry holds the server's latest known value
 * @TACK_ENTRY_STALE: the server said the entry changed; not refetched yet
 * @TACK_ENTRY_FETCHING: a refetch is in flight
 * @TACK_ENTRY_ERROR: the last refetch failed; the value shown is the last good one
 */
typedef enum
{
  TACK_ENTRY_FRESH,
  TACK_ENTRY_STALE,
  TACK_ENTRY_FETCHING,
  TACK_ENTRY_ERROR,
} TackEntryState;

G_END_DECLS
