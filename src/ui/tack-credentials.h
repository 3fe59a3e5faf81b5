/* tack-credentials.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void      tack_credentials_lookup_async  (const char          *server_url,
                                          const char          *board_id,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
char     *tack_credentials_lookup_finish (GAsyncResult        *result,
                                          GError             **error);
void      tack_credentials_store         (const char          *server_url,
                                          const char          *board_id,
                                          const char          *token);

G_END_DECLS
