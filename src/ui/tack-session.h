/* tack-session.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tack-api.h"
#include "tack-connection.h"
#include "tack-dispatcher.h"
#include "tack-outbox.h"
#include "tack-store.h"

G_BEGIN_DECLS

#define TACK_TYPE_SESSION (tack_session_get_type())

G_DECLARE_FINAL_TYPE (TackSession, tack_session, TACK, SESSION, GObject)

TackSession    *tack_session_new                  (const char  *base_url,
                                                   const char  *board_id,
                                                   const char  *token,
                                                   const char  *user,
                                                   const char  *journal_path);
char           *tack_session_default_journal_path (const char  *base_url,
                                                   const char  *board_id);
char           *tack_session_dup_user_for_name    (const char  *display_name);
const char     *tack_session_get_base_url         (TackSession *self);
const char     *tack_session_get_board_id         (TackSession *self);
TackApi        *tack_session_get_api              (TackSession *self);
TackStore      *tack_session_get_store            (TackSession *self);
TackDispatcher *tack_session_get_dispatcher       (TackSession *self);
TackConnection *tack_session_get_connection       (TackSession *self);
TackOutbox     *tack_session_get_outbox           (TackSession *self);
void            tack_session_start                (TackSession *self);
void            tack_session_stop                 (TackSession *self);

G_END_DECLS
