/* tack-presence-private.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tack-presence.h"

G_BEGIN_DECLS

TackPresence *tack_presence_new    (const char   *user);
void          tack_presence_update (TackPresence *self,
                                    JsonObject   *state);

G_END_DECLS
