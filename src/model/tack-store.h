/* tack-store.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "tack-board.h"
#include "tack-card.h"
#include "tack-column.h"
#include "tack-fetcher.h"

G_BEGIN_DECLS

#define TACK_TYPE_STORE (tack_store_get_type())

G_DECLARE_FINAL_TYPE (TackStore, tack_store, TACK, STORE, GObject)

TackStore   *tack_store_new               (void);
TackBoard   *tack_store_get_board         (TackStore    *self);
TackCard    *tack_store_lookup_card       (TackStore    *self,
                                           const char   *card_id);
TackColumn  *tack_store_lookup_column     (TackStore    *self,
                                           const char   *column_id);
TackFetcher *tack_store_get_fetcher       (TackStore    *self);
void         tack_store_set_fetcher       (TackStore    *self,
                                           TackFetcher  *fetcher);
guint        tack_store_get_n_pending     (TackStore    *self);

/* Server state: snapshots, events, and single entities. */
gboolean     tack_store_load_snapshot     (TackStore    *self,
                                           JsonNode     *snapshot,
                                           GError      **error);
gboolean     tack_store_reload_snapshot   (TackStore    *self,
                                           JsonNode     *snapshot,
                                           GError      **error);
gboolean     tack_store_apply_event       (TackStore    *self,
                                           JsonNode     *event,
                                           GError      **error);
gboolean     tack_store_write_card        (TackStore    *self,
                                           JsonObject   *card,
                                           GError      **error);
gboolean     tack_store_write_column      (TackStore    *self,
                                           JsonObject   *column,
                                           GError      **error);
gboolean     tack_store_write_board       (TackStore    *self,
                                           JsonObject   *board,
                                           GError      **error);
gboolean     tack_store_remove_card       (TackStore    *self,
                                           const char   *card_id);
gboolean     tack_store_remove_column     (TackStore    *self,
                                           const char   *column_id);
void         tack_store_invalidate_card   (TackStore    *self,
                                           const char   *card_id,
                                           gint64        version);
void         tack_store_invalidate_board  (TackStore    *self);

/* Optimistic writes from this client, each named by its protocol `op`. */
char        *tack_store_create_card_local (TackStore    *self,
                                           const char   *op,
                                           const char   *column_id,
                                           const char   *title,
                                           const char   *after_card_id,
                                           GError      **error);
gboolean     tack_store_edit_card_local   (TackStore    *self,
                                           const char   *op,
                                           const char   *card_id,
                                           JsonObject   *fields,
                                           GError      **error);
gboolean     tack_store_move_card_local   (TackStore    *self,
                                           const char   *op,
                                           const char   *card_id,
                                           const char   *column_id,
                                           const char   *after_card_id,
                                           GError      **error);
gboolean     tack_store_delete_card_local (TackStore    *self,
                                           const char   *op,
                                           const char   *card_id,
                                           GError      **error);
char        *tack_store_create_column_local   (TackStore    *self,
                                               const char   *op,
                                               const char   *title,
                                               const char   *after_column_id,
                                               GError      **error);
gboolean     tack_store_edit_column_local     (TackStore    *self,
                                               const char   *op,
                                               const char   *column_id,
                                               JsonObject   *fields,
                                               GError      **error);
gboolean     tack_store_move_column_local     (TackStore    *self,
                                               const char   *op,
                                               const char   *column_id,
                                               const char   *after_column_id,
                                               GError      **error);
gboolean     tack_store_delete_column_local   (TackStore    *self,
                                               const char   *op,
                                               const char   *column_id,
                                               GError      **error);
gboolean     tack_store_has_local             (TackStore    *self,
                                               const char   *op);
const char  *tack_store_get_local_card_id     (TackStore    *self,
                                               const char   *op);
const char  *tack_store_get_local_column_id   (TackStore    *self,
                                               const char   *op);
void         tack_store_settle_local          (TackStore    *self,
                                               const char   *op,
                                               JsonObject   *server_card);
void         tack_store_settle_column_local   (TackStore    *self,
                                               const char   *op,
                                               JsonObject   *server_column);
void         tack_store_rollback_local        (TackStore    *self,
                                               const char   *op,
                                               JsonObject   *current);
void         tack_store_rollback_column_local (TackStore    *self,
                                               const char   *op,
                                               JsonObject   *current);

G_END_DECLS
