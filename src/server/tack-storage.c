/* tack-storage.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The storage interface: everything the HTTP layer needs from a database,
 * in terms of boards, writes and events. TackSqliteStorage implements it;
 * a PostgreSQL implementation plugs in here without touching the server. */

#define G_LOG_DOMAIN "tack-server"

#include "config.h"

#include "tack-storage.h"

G_DEFINE_QUARK (tack-storage-error-quark, tack_storage_error)
G_DEFINE_INTERFACE (TackStorage, tack_storage, G_TYPE_OBJECT)

enum {
  COMMITTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
tack_storage_default_init (TackStorageInterface *iface)
{
  /**
   * TackStorage::committed:
   * @board_id: the board
   * @event: the event, committed
   *
   * Emitted after every committed event, on the thread that runs the
   * storage. The server broadcasts from here, so a storage shared by
   * several servers (PostgreSQL with LISTEN/NOTIFY) can report commits
   * made elsewhere the same way as its own.
   */
  signals[COMMITTED] =
    g_signal_new ("committed",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, TACK_TYPE_EVENT);
}

void
tack_storage_emit_committed (TackStorage *self,
                             const char  *board_id,
                             TackEvent   *event)
{
  g_return_if_fail (TACK_IS_STORAGE (self));

  g_signal_emit (self, signals[COMMITTED], 0, board_id, event);
}

void
tack_write_result_free (TackWriteResult *result)
{
  if (result == NULL)
    return;

  g_free (result->body);
  g_clear_pointer (&result->event, tack_event_unref);
  g_free (result);
}

JsonNode *
tack_storage_list_boards (TackStorage  *self,
                          GError      **error)
{
  g_return_val_if_fail (TACK_IS_STORAGE (self), NULL);

  return TACK_STORAGE_GET_IFACE (self)->list_boards (self, error);
}

JsonNode *
tack_storage_create_board (TackStorage  *self,
                           const char   *title,
                           const char   *token,
                           GError      **error)
{
  g_return_val_if_fail (TACK_IS_STORAGE (self), NULL);
  g_return_val_if_fail (title != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  return TACK_STORAGE_GET_IFACE (self)->create_board (self, title, token, error);
}

char *
tack_storage_get_board_token (TackStorage *self,
                              const char  *board_id)
{
  g_return_val_if_fail (TACK_IS_STORAGE (self), NULL);

  return TACK_STORAGE_GET_IFACE (self)->get_board_token (self, board_id);
}

char *
tack_storage_find_board_by_token (TackStorage *self,
                                  const char  *token)
{
  g_return_val_if_fail (TACK_IS_STORAGE (self), NULL);

  return TACK_STORAGE_GET_IFACE (self)->find_board_by_token (self, token);
}

char *
tack_storage_get_first_board (TackStorage *self)
{
  g_return_val_if_fail (TACK_IS_STORAGE (self), NULL);

  return TACK_STORAGE_GET_IFACE (self)->get_first_board (self);
}

JsonNode *
tack_storage_get_snapshot (TackStorage  *self,
                           const char   *board_id,
                           GError      **error)
{
  g_return_val_if_fail (TACK_IS_STORAGE (self), NULL);

  return TACK_STORAGE_GET_IFACE (self)->get_snapshot (self, board_id, error);
}

JsonNode *
tack_storage_get_card (TackStorage  *self,
                       const char   *board_id,
                       const char   *card_id,
                       GError      **error)
{
  g_return_val_if_fail (TACK_IS_STORAGE (self), NULL);

  return TACK_STORAGE_GET_IFACE (self)->get_card (self, board_id, card_id, error);
}

gboolean
tack_storage_write (TackStorage             *self,
                    const TackWriteRequest  *request,
                    TackWriteResult        **result,
                    GError                 **error)
{
  g_return_val_if_fail (TACK_IS_STORAGE (self), FALSE);
  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  return TACK_STORAGE_GET_IFACE (self)->write (self, request, result, error);
}

/**
 * tack_storage_read_events:
 * @since: the last seq the reader has
 * @limit: at most this many events
 * @current_seq: (out): the board's last seq
 * @reset: (out): set when events after @since are no longer kept
 *
 * Returns: (transfer container) (element-type TackEvent): events after
 *   @since in order, or %NULL with @error set
 */
GPtrArray *
tack_storage_read_events (TackStorage  *self,
                          const char   *board_id,
                          gint64        since,
                          guint         limit,
                          gint64       *current_seq,
                          gboolean     *reset,
                          GError      **error)
{
  g_return_val_if_fail (TACK_IS_STORAGE (self), NULL);
  g_return_val_if_fail (current_seq != NULL, NULL);
  g_return_val_if_fail (reset != NULL, NULL);

  return TACK_STORAGE_GET_IFACE (self)->read_events (self, board_id, since, limit,
                                                      current_seq, reset, error);
}

void
tack_storage_close (TackStorage *self)
{
  g_return_if_fail (TACK_IS_STORAGE (self));

  if (TACK_STORAGE_GET_IFACE (self)->close)
    TACK_STORAGE_GET_IFACE (self)->close (self);
}

/**
 * tack_storage_can_group:
 *
 * Returns: whether the storage commits several writes at once
 *   (tack_storage_begin_group())
 */
gboolean
tack_storage_can_group (TackStorage *self)
{
  TackStorageInterface *iface;

  g_return_val_if_fail (TACK_IS_STORAGE (self), FALSE);

  iface = TACK_STORAGE_GET_IFACE (self);

  return iface->begin_group != NULL && iface->commit_group != NULL;
}

/**
 * tack_storage_begin_group:
 *
 * Starts a group of writes committed together by
 * tack_storage_commit_group(): one durable commit for all of them. Each
 * write still succeeds or fails on its own, but its result may be told
 * to no one, and its event is not announced, until the group commits.
 * Only for a storage that tack_storage_can_group().
 *
 * Returns: %TRUE, or %FALSE with @error set and no group started
 */
gboolean
tack_storage_begin_group (TackStorage  *self,
                          GError      **error)
{
  g_return_val_if_fail (tack_storage_can_group (self), FALSE);

  return TACK_STORAGE_GET_IFACE (self)->begin_group (self, error);
}

/**
 * tack_storage_commit_group:
 *
 * Commits every write since tack_storage_begin_group(), then emits
 * TackStorage::committed for each of their events in order.
 *
 * Returns: %TRUE, or %FALSE with @error set: then every write of the
 *   group is undone and no event is announced
 */
gboolean
tack_storage_commit_group (TackStorage  *self,
                           GError      **error)
{
  g_return_val_if_fail (tack_storage_can_group (self), FALSE);

  return TACK_STORAGE_GET_IFACE (self)->commit_group (self, error);
}
