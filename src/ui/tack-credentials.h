/* tack-credentials.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *tack_credentials_lookup (const char *server_url,
                                   const char *board_id);
gboolean  tack_credentials_store  (const char *server_url,
                                   const char *board_id,
                                   const char *token);

G_END_DECLS
