/* tack-storage.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "tack-event.h"

G_BEGIN_DECLS

#define TACK_STORAGE_ERROR (tack_storage_error_quark ())

typedef enum
{
  TACK_STORAGE_ERROR_NOT_FOUND,
  TACK_STORAGE_ERROR_INVALID,
  TACK_STORAGE_ERROR_FAILED,
} TackStorageError;

typedef enum
{
  TACK_WRITE_UPDATE_BOARD,
  TACK_WRITE_CREATE_COLUMN,
  TACK_WRITE_UPDATE_COLUMN,
  TACK_WRITE_DELETE_COLUMN,
  TACK_WRITE_CREATE_CARD,
  TACK_WRITE_UPDATE_CARD,
  TACK_WRITE_MOVE_CARD,
  TACK_WRITE_DELETE_CARD,
} TackWriteKind;

/* One write, already validated for shape and types by the HTTP layer:
 * @fields holds only known members with the right types. The storage
 * decides everything that needs the data (existence, conflicts). */
typedef struct
{
  TackWriteKind  kind;
  const char    *board_id;
  const char    *target_id;
  const char    *op;
  const char    *actor;
  JsonObject    *fields;
} TackWriteRequest;

/* What a write answered: the HTTP status and body to send (a 409 body
 * carries "current"), and the event it committed — %NULL for a replayed
 * op, a conflict or a write that changed nothing. The event is also
 * announced with TackStorage::committed. */
typedef struct
{
  guint      status;
  char      *body;
  TackEvent *event;
} TackWriteResult;

void tack_write_result_free (TackWriteResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TackWriteResult, tack_write_result_free)

#define TACK_TYPE_STORAGE (tack_storage_get_type ())

G_DECLARE_INTERFACE (TackStorage, tack_storage, TACK, STORAGE, GObject)

struct _TackStorageInterface
{
  GTypeInterface parent_iface;

  JsonNode  *(*list_boards)        (TackStorage             *self,
                                    GError                 **error);
  JsonNode  *(*create_board)       (TackStorage             *self,
                                    const char              *title,
                                    const char              *token,
                                    GError                 **error);
  char      *(*get_board_token)    (TackStorage             *self,
                                    const char              *board_id);
  char      *(*find_board_by_token)(TackStorage             *self,
                                    const char              *token);
  char      *(*get_first_board)    (TackStorage             *self);
  JsonNode  *(*get_snapshot)       (TackStorage             *self,
                                    const char              *board_id,
                                    GError                 **error);
  JsonNode  *(*get_card)           (TackStorage             *self,
                                    const char              *board_id,
                                    const char              *card_id,
                                    GError                 **error);
  gboolean   (*write)              (TackStorage             *self,
                                    const TackWriteRequest  *request,
                                    TackWriteResult        **result,
                                    GError                 **error);
  GPtrArray *(*read_events)        (TackStorage             *self,
                                    const char              *board_id,
                                    gint64                   since,
                                    guint                    limit,
                                    gint64                  *current_seq,
                                    gboolean                *reset,
                                    GError                 **error);
  void       (*close)              (TackStorage             *self);

  /* Optional: group commit. Writes between begin_group and commit_group
   * share one transaction; each stays its own unit (a refused one undoes
   * only itself), but none is durable, and none is announced with
   * ::committed, before commit_group returns %TRUE. A commit_group that
   * fails has undone every write of the group. */
  gboolean   (*begin_group)        (TackStorage             *self,
                                    GError                 **error);
  gboolean   (*commit_group)       (TackStorage             *self,
                                    GError                 **error);
};

GQuark     tack_storage_error_quark         (void);
JsonNode  *tack_storage_list_boards         (TackStorage             *self,
                                             GError                 **error);
JsonNode  *tack_storage_create_board        (TackStorage             *self,
                                             const char              *title,
                                             const char              *token,
                                             GError                 **error);
char      *tack_storage_get_board_token     (TackStorage             *self,
                                             const char              *board_id);
char      *tack_storage_find_board_by_token (TackStorage             *self,
                                             const char              *token);
char      *tack_storage_get_first_board     (TackStorage             *self);
JsonNode  *tack_storage_get_snapshot        (TackStorage             *self,
                                             const char              *board_id,
                                             GError                 **error);
JsonNode  *tack_storage_get_card            (TackStorage             *self,
                                             const char              *board_id,
                                             const char              *card_id,
                                             GError                 **error);
gboolean   tack_storage_write               (TackStorage             *self,
                                             const TackWriteRequest  *request,
                                             TackWriteResult        **result,
                                             GError                 **error);
GPtrArray *tack_storage_read_events         (TackStorage             *self,
                                             const char              *board_id,
                                             gint64                   since,
                                             guint                    limit,
                                             gint64                  *current_seq,
                                             gboolean                *reset,
                                             GError                 **error);
void       tack_storage_close               (TackStorage             *self);
gboolean   tack_storage_can_group           (TackStorage             *self);
gboolean   tack_storage_begin_group         (TackStorage             *self,
                                             GError                 **error);
gboolean   tack_storage_commit_group        (TackStorage             *self,
                                             GError                 **error);
void       tack_storage_emit_committed      (TackStorage             *self,
                                             const char              *board_id,
                                             TackEvent               *event);

G_END_DECLS
