/* tack-snapshot.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tack-store.h"

G_BEGIN_DECLS

void     tack_snapshot_load_async  (TackStore            *store,
                                    GFile                *file,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
gboolean tack_snapshot_load_finish (TackStore            *store,
                                    GAsyncResult         *result,
                                    GError              **error);

G_END_DECLS
