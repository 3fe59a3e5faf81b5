/* tack-position-key.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *tack_position_key_between  (const char *before,
                                      const char *after);
gboolean  tack_position_key_is_valid (const char *key);

G_END_DECLS
