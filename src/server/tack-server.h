/* tack-server.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TACK_TYPE_SERVER (tack_server_get_type ())

G_DECLARE_FINAL_TYPE (TackServer, tack_server, TACK, SERVER, GObject)

TackServer *tack_server_new                    (const char  *db_path,
                                                GError     **error);
void        tack_server_set_retention          (TackServer  *self,
                                                guint        retention);
void        tack_server_set_heartbeat_ms       (TackServer  *self,
                                                guint        heartbeat_ms);
void        tack_server_set_max_queue_bytes    (TackServer  *self,
                                                gsize        max_queue_bytes);
void        tack_server_set_write_rate_limit   (TackServer  *self,
                                                guint        writes_per_second);
gboolean    tack_server_listen                 (TackServer  *self,
                                                const char  *address,
                                                guint16      port,
                                                GError     **error);
guint16     tack_server_get_port               (TackServer  *self);
const char *tack_server_get_address            (TackServer  *self);
const char *tack_server_get_admin_token        (TackServer  *self);
const char *tack_server_get_admin_token_path   (TackServer  *self);
gboolean    tack_server_ensure_default_board   (TackServer  *self,
                                                char       **board_id,
                                                char       **board_token,
                                                GError     **error);
guint       tack_server_get_n_subscribers      (TackServer  *self);
guint       tack_server_get_n_dropped          (TackServer  *self);
void        tack_server_stop                   (TackServer  *self);

G_END_DECLS
