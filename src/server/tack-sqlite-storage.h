/* tack-sqlite-storage.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tack-storage.h"

G_BEGIN_DECLS

#define TACK_TYPE_SQLITE_STORAGE (tack_sqlite_storage_get_type ())

G_DECLARE_FINAL_TYPE (TackSqliteStorage, tack_sqlite_storage, TACK, SQLITE_STORAGE, GObject)

TackSqliteStorage *tack_sqlite_storage_new (const char  *path,
                                            guint        retention,
                                            GError     **error);

TackSqliteStorage *tack_sqlite_storage_open_reader (TackSqliteStorage  *self,
                                                    GError            **error);

void tack_sqlite_storage_fail_commits_for_testing (TackSqliteStorage *self,
                                                   gboolean           fail);

G_END_DECLS
