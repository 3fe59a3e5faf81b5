/* tack-outbox.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tack-api.h"
#include "tack-connection.h"
#include "tack-store.h"

G_BEGIN_DECLS

#define TACK_TYPE_OUTBOX (tack_outbox_get_type())

G_DECLARE_FINAL_TYPE (TackOutbox, tack_outbox, TACK, OUTBOX, GObject)

TackOutbox *tack_outbox_new              (TackStore       *store,
                                          TackApi         *api,
                                          const char      *journal_path);
const char *tack_outbox_get_journal_path (TackOutbox      *self);
guint       tack_outbox_get_n_pending    (TackOutbox      *self);
gboolean    tack_outbox_get_restored     (TackOutbox      *self);
void        tack_outbox_set_connection   (TackOutbox      *self,
                                          TackConnection  *connection);
void        tack_outbox_flush            (TackOutbox      *self);

char       *tack_outbox_create_card      (TackOutbox      *self,
                                          const char      *column_id,
                                          const char      *title,
                                          const char      *after_card_id,
                                          GError         **error);
char       *tack_outbox_edit_card        (TackOutbox      *self,
                                          const char      *card_id,
                                          JsonObject      *fields,
                                          GError         **error);
char       *tack_outbox_move_card        (TackOutbox      *self,
                                          const char      *card_id,
                                          const char      *column_id,
                                          const char      *after_card_id,
                                          GError         **error);
char       *tack_outbox_delete_card      (TackOutbox      *self,
                                          const char      *card_id,
                                          GError         **error);

char       *tack_outbox_create_column    (TackOutbox      *self,
                                          const char      *title,
                                          const char      *after_column_id,
                                          GError         **error);
char       *tack_outbox_edit_column      (TackOutbox      *self,
                                          const char      *column_id,
                                          JsonObject      *fields,
                                          GError         **error);
char       *tack_outbox_move_column      (TackOutbox      *self,
                                          const char      *column_id,
                                          const char      *after_column_id,
                                          GError         **error);
char       *tack_outbox_delete_column    (TackOutbox      *self,
                                          const char      *column_id,
                                          GError         **error);

G_END_DECLS
