/* tack-sqlite-storage.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* TackStorage on SQLite. Every write runs in one IMMEDIATE transaction
 * that checks the op, applies the change, appends the event with the
 * board's next seq, records the op's result and commits. The database is
 * in WAL mode with synchronous=FULL, so a write that was answered survives
 * a crash or kill -9.
 *
 * Calls are synchronous on the caller's thread (the server's main loop):
 * a commit is one short transaction, and running them one after another
 * on a single thread is what makes seq gap-free without further locking.
 *
 * Group commit: between begin_group and commit_group every write is a
 * SAVEPOINT inside one IMMEDIATE transaction, so the writes that arrived
 * together cost one fsync. Their events wait in `pending` and are
 * announced only after the COMMIT; a failed commit drops them. seq needs
 * no undoing: it is read from the boards row inside the transaction.
 *
 * Cards keep, next to their version, the version at which each field last
 * changed (v_title, v_description, …). A PATCH with base_version B
 * conflicts only on fields it changes whose last change is newer than B.
 *
 * Every subscriber that connects asks for its board's latest seq, and
 * every request with a board token for the board it opens: a reconnect
 * storm would make that thousands of queries a second on the one thread
 * that also commits. So the storage keeps, in memory, the seq of each
 * board's last committed event (updated as it announces each event, never
 * inside a transaction, so it never shows a write that could still be
 * rolled back) and the boards of the tokens it has looked up (a token
 * never changes). Both rely on this storage being the database's only
 * writer, as do the broadcasts, so it holds an flock() on the file while
 * open: a second server on the same database refuses to start. SQLite's
 * own locks are POSIX record locks, which flock() does not touch, so
 * `sqlite3 db .backup` still works meanwhile. */

#define G_LOG_DOMAIN "tack-server"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/file.h>

#include "tack-position.h"
#include "tack-sqlite-storage.h"

struct _TackSqliteStorage
{
  GObject     parent_instance;

  sqlite3    *db;
  char       *path;
  int         lock_fd;
  GHashTable *statements;
  guint       retention;

  /* Board id → the seq of its last committed event (gint64 *), and
   * token → board id; filled as they are read. */
  GHashTable *heads;
  GHashTable *tokens;

  /* Group commit. */
  gboolean    in_group;
  gboolean    group_lost;
  GPtrArray  *pending;
};

/* An event of a group, announced once the group commits. */
typedef struct
{
  char      *board_id;
  TackEvent *event;
} Pending;

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  g_free (pending->board_id);
  tack_event_unref (pending->event);
  g_free (pending);
}

static void storage_iface_init (TackStorageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TackSqliteStorage, tack_sqlite_storage, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TACK_TYPE_STORAGE, storage_iface_init))

#define CARD_COLUMNS "id, column_id, title, description, position, labels, assignees, due, " \
                     "version, updated_at, updated_by, v_title, v_description, v_labels, "  \
                     "v_assignees, v_due, v_position"
#define COLUMN_COLUMNS "id, board, title, position, wip_limit, version, v_title, v_wip_limit, v_position"

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS boards ("
  "  id TEXT PRIMARY KEY, title TEXT NOT NULL, version INTEGER NOT NULL,"
  "  seq INTEGER NOT NULL, token TEXT NOT NULL UNIQUE, v_title INTEGER NOT NULL,"
  "  created INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS columns ("
  "  id TEXT PRIMARY KEY, board TEXT NOT NULL, title TEXT NOT NULL,"
  "  position TEXT NOT NULL, wip_limit INTEGER, version INTEGER NOT NULL,"
  "  v_title INTEGER NOT NULL, v_wip_limit INTEGER NOT NULL, v_position INTEGER NOT NULL);"
  "CREATE INDEX IF NOT EXISTS columns_order ON columns (board, position, id);"
  "CREATE TABLE IF NOT EXISTS cards ("
  "  id TEXT PRIMARY KEY, board TEXT NOT NULL, column_id TEXT NOT NULL,"
  "  title TEXT NOT NULL, description TEXT NOT NULL, position TEXT NOT NULL,"
  "  labels TEXT NOT NULL, assignees TEXT NOT NULL, due TEXT,"
  "  version INTEGER NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT,"
  "  v_title INTEGER NOT NULL, v_description INTEGER NOT NULL, v_labels INTEGER NOT NULL,"
  "  v_assignees INTEGER NOT NULL, v_due INTEGER NOT NULL, v_position INTEGER NOT NULL);"
  "CREATE INDEX IF NOT EXISTS cards_order ON cards (column_id, position, id);"
  "CREATE INDEX IF NOT EXISTS cards_board ON cards (board);"
  "CREATE TABLE IF NOT EXISTS events ("
  "  board TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, json TEXT NOT NULL,"
  "  PRIMARY KEY (board, seq)) WITHOUT ROWID;"
  "CREATE TABLE IF NOT EXISTS ops ("
  "  board TEXT NOT NULL, op TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,"
  "  seq INTEGER NOT NULL, PRIMARY KEY (board, op)) WITHOUT ROWID;"
  "CREATE INDEX IF NOT EXISTS ops_seq ON ops (board, seq);";

/* Plain records loaded from rows. */

typedef struct
{
  char   *id;
  char   *title;
  gint64  version;
  gint64  seq;
  gint64  v_title;
} Board;

typedef struct
{
  char   *id;
  char   *board;
  char   *title;
  char   *position;
  gint64  wip_limit;   /* -1: none */
  gint64  version;
  gint64  v_title;
  gint64  v_wip_limit;
  gint64  v_position;
} Column;

typedef struct
{
  char     *id;
  char     *column;
  char     *title;
  char     *description;
  char     *position;
  char     *labels;      /* JSON array text */
  char     *assignees;   /* JSON array text */
  char     *due;
  gint64    version;
  char     *updated_at;
  char     *updated_by;
  gint64    v_title;
  gint64    v_description;
  gint64    v_labels;
  gint64    v_assignees;
  gint64    v_due;
  gint64    v_position;
} Card;

static void
board_free (Board *board)
{
  g_free (board->id);
  g_free (board->title);
  g_free (board);
}

static void
column_free (Column *column)
{
  g_free (column->id);
  g_free (column->board);
  g_free (column->title);
  g_free (column->position);
  g_free (column);
}

static void
card_free (Card *card)
{
  g_free (card->id);
  g_free (card->column);
  g_free (card->title);
  g_free (card->description);
  g_free (card->position);
  g_free (card->labels);
  g_free (card->assignees);
  g_free (card->due);
  g_free (card->updated_at);
  g_free (card->updated_by);
  g_free (card);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Board, board_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Column, column_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Card, card_free)

/* Statements, prepared once and kept. */

static void
set_db_error (TackSqliteStorage  *self,
              GError            **error)
{
  g_set_error (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_FAILED,
               "Database error: %s", sqlite3_errmsg (self->db));
}

static sqlite3_stmt *
prepare (TackSqliteStorage  *self,
         const char         *sql,
         GError            **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (self, error);
      return NULL;
    }

  g_hash_table_insert (self->statements, (gpointer)sql, stmt);

  return stmt;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           index)
{
  const unsigned char *text = sqlite3_column_text (stmt, index);

  return text ? g_strdup ((const char *)text) : NULL;
}

/* Runs a statement that returns no rows; sql must be a string literal. */
static gboolean
step_done (TackSqliteStorage  *self,
           sqlite3_stmt       *stmt,
           GError            **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error);
      return FALSE;
    }

  return TRUE;
}

static gboolean
exec (TackSqliteStorage  *self,
      const char         *sql,
      GError            **error)
{
  char *message = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_FAILED,
                   "Database error: %s", message ? message : "unknown");
      sqlite3_free (message);
      return FALSE;
    }

  return TRUE;
}

/* Runs one statement that returns no rows and is run often (the
 * transaction's own statements): prepared once, not parsed on every call
 * as sqlite3_exec() would. @sql must be a string literal. */
static gboolean
run (TackSqliteStorage  *self,
     const char         *sql,
     GError            **error)
{
  sqlite3_stmt *stmt = prepare (self, sql, error);

  return stmt != NULL && step_done (self, stmt, error);
}

static void
not_found (GError     **error,
           const char  *what,
           const char  *id)
{
  g_set_error (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_NOT_FOUND,
               "No %s “%s”", what, id ? id : "");
}

/* Loading. */

static Board *
load_board (TackSqliteStorage  *self,
            const char         *board_id,
            GError            **error)
{
  sqlite3_stmt *stmt;
  Board *board;

  if (!(stmt = prepare (self, "SELECT id, title, version, seq, v_title FROM boards WHERE id = ?", error)))
    return NULL;

  bind_text (stmt, 1, board_id);

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      not_found (error, "board", board_id);
      return NULL;
    }

  board = g_new0 (Board, 1);
  board->id = column_text (stmt, 0);
  board->title = column_text (stmt, 1);
  board->version = sqlite3_column_int64 (stmt, 2);
  board->seq = sqlite3_column_int64 (stmt, 3);
  board->v_title = sqlite3_column_int64 (stmt, 4);
  sqlite3_reset (stmt);

  return board;
}

static void
remember_head (TackSqliteStorage *self,
               const char        *board_id,
               gint64             seq)
{
  gint64 *head = g_hash_table_lookup (self->heads, board_id);

  if (head == NULL)
    {
      head = g_new (gint64, 1);
      g_hash_table_insert (self->heads, g_strdup (board_id), head);
    }
  *head = seq;
}

/* The seq of the board's last committed event. */
static gboolean
load_head (TackSqliteStorage  *self,
           const char         *board_id,
           gint64             *seq,
           GError            **error)
{
  g_autoptr(Board) board = NULL;
  gint64 *head;

  if ((head = g_hash_table_lookup (self->heads, board_id)))
    {
      *seq = *head;
      return TRUE;
    }

  if (!(board = load_board (self, board_id, error)))
    return FALSE;

  *seq = board->seq;

  /* Inside a transaction the row may hold a seq not committed yet. */
  if (sqlite3_get_autocommit (self->db))
    remember_head (self, board_id, *seq);

  return TRUE;
}

static Column *
column_from_row (sqlite3_stmt *stmt)
{
  Column *column = g_new0 (Column, 1);

  column->id = column_text (stmt, 0);
  column->board = column_text (stmt, 1);
  column->title = column_text (stmt, 2);
  column->position = column_text (stmt, 3);
  column->wip_limit = sqlite3_column_type (stmt, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 4);
  column->version = sqlite3_column_int64 (stmt, 5);
  column->v_title = sqlite3_column_int64 (stmt, 6);
  column->v_wip_limit = sqlite3_column_int64 (stmt, 7);
  column->v_position = sqlite3_column_int64 (stmt, 8);

  return column;
}

static Column *
load_column (TackSqliteStorage  *self,
             const char         *board_id,
             const char         *column_id,
             GError            **error)
{
  sqlite3_stmt *stmt;
  Column *column;

  if (!(stmt = prepare (self, "SELECT " COLUMN_COLUMNS " FROM columns WHERE id = ? AND board = ?", error)))
    return NULL;

  bind_text (stmt, 1, column_id);
  bind_text (stmt, 2, board_id);

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      not_found (error, "column", column_id);
      return NULL;
    }

  column = column_from_row (stmt);
  sqlite3_reset (stmt);

  return column;
}

static Card *
card_from_row (sqlite3_stmt *stmt)
{
  Card *card = g_new0 (Card, 1);

  card->id = column_text (stmt, 0);
  card->column = column_text (stmt, 1);
  card->title = column_text (stmt, 2);
  card->description = column_text (stmt, 3);
  card->position = column_text (stmt, 4);
  card->labels = column_text (stmt, 5);
  card->assignees = column_text (stmt, 6);
  card->due = column_text (stmt, 7);
  card->version = sqlite3_column_int64 (stmt, 8);
  card->updated_at = column_text (stmt, 9);
  card->updated_by = column_text (stmt, 10);
  card->v_title = sqlite3_column_int64 (stmt, 11);
  card->v_description = sqlite3_column_int64 (stmt, 12);
  card->v_labels = sqlite3_column_int64 (stmt, 13);
  card->v_assignees = sqlite3_column_int64 (stmt, 14);
  card->v_due = sqlite3_column_int64 (stmt, 15);
  card->v_position = sqlite3_column_int64 (stmt, 16);

  return card;
}

static Card *
load_card (TackSqliteStorage  *self,
           const char         *board_id,
           const char         *card_id,
           GError            **error)
{
  sqlite3_stmt *stmt;
  Card *card;

  if (!(stmt = prepare (self, "SELECT " CARD_COLUMNS " FROM cards WHERE id = ? AND board = ?", error)))
    return NULL;

  bind_text (stmt, 1, card_id);
  bind_text (stmt, 2, board_id);

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      not_found (error, "card", card_id);
      return NULL;
    }

  card = card_from_row (stmt);
  sqlite3_reset (stmt);

  return card;
}

/* JSON. */

static JsonNode *
board_to_node (const Board *board)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "id", board->id);
  json_object_set_string_member (object, "title", board->title);
  json_object_set_int_member (object, "version", board->version);
  json_object_set_int_member (object, "seq", board->seq);
  json_node_take_object (node, object);

  return node;
}

static JsonNode *
column_to_node (const Column *column)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "id", column->id);
  json_object_set_string_member (object, "board", column->board);
  json_object_set_string_member (object, "title", column->title);
  json_object_set_string_member (object, "position", column->position);
  if (column->wip_limit < 0)
    json_object_set_null_member (object, "wip_limit");
  else
    json_object_set_int_member (object, "wip_limit", column->wip_limit);
  json_object_set_int_member (object, "version", column->version);
  json_node_take_object (node, object);

  return node;
}

static JsonNode *
parse_array (const char *text)
{
  JsonNode *node = NULL;

  /* Most cards have no labels and no assignees: no parser for those. */
  if (text != NULL && !g_str_equal (text, "[]"))
    node = json_from_string (text, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_clear_pointer (&node, json_node_unref);
      node = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (node, json_array_new ());
    }

  return node;
}

static JsonNode *
card_to_node (const Card *card)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "id", card->id);
  json_object_set_string_member (object, "column", card->column);
  json_object_set_string_member (object, "title", card->title);
  json_object_set_string_member (object, "description", card->description);
  json_object_set_string_member (object, "position", card->position);
  json_object_set_member (object, "labels", parse_array (card->labels));
  json_object_set_member (object, "assignees", parse_array (card->assignees));
  if (card->due == NULL)
    json_object_set_null_member (object, "due");
  else
    json_object_set_string_member (object, "due", card->due);
  json_object_set_int_member (object, "version", card->version);
  json_object_set_string_member (object, "updated_at", card->updated_at);
  if (card->updated_by == NULL)
    json_object_set_null_member (object, "updated_by");
  else
    json_object_set_string_member (object, "updated_by", card->updated_by);
  json_node_take_object (node, object);

  return node;
}

static JsonNode *
wrap (const char *member,
      JsonNode   *value)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_member (object, member, value);
  json_node_take_object (node, object);

  return node;
}

static char *
array_to_text (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static char *
new_id (const char *prefix)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strconcat (prefix, uuid, NULL);
}

/* Positions: the neighbour after (@prev_position, @prev_id) in a column
 * (cards) or board (columns), skipping @exclude_id. */

static char *
next_position (TackSqliteStorage  *self,
               gboolean            cards,
               const char         *parent_id,
               const char         *prev_position,
               const char         *prev_id,
               const char         *exclude_id,
               GError            **error)
{
  sqlite3_stmt *stmt;
  char *position = NULL;
  int rc;

  if (cards && prev_position == NULL)
    stmt = prepare (self,
                    "SELECT position FROM cards WHERE column_id = ?1 AND id IS NOT ?4"
                    " ORDER BY position, id LIMIT 1", error);
  else if (cards)
    stmt = prepare (self,
                    "SELECT position FROM cards WHERE column_id = ?1 AND id IS NOT ?4"
                    " AND (position > ?2 OR (position = ?2 AND id > ?3))"
                    " ORDER BY position, id LIMIT 1", error);
  else if (prev_position == NULL)
    stmt = prepare (self,
                    "SELECT position FROM columns WHERE board = ?1 AND id IS NOT ?4"
                    " ORDER BY position, id LIMIT 1", error);
  else
    stmt = prepare (self,
                    "SELECT position FROM columns WHERE board = ?1 AND id IS NOT ?4"
                    " AND (position > ?2 OR (position = ?2 AND id > ?3))"
                    " ORDER BY position, id LIMIT 1", error);

  if (stmt == NULL)
    return NULL;

  bind_text (stmt, 1, parent_id);
  if (prev_position != NULL)
    {
      bind_text (stmt, 2, prev_position);
      bind_text (stmt, 3, prev_id);
    }
  bind_text (stmt, 4, exclude_id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    position = column_text (stmt, 0);
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_db_error (self, error);
      return NULL;
    }

  /* "" stands for "no next neighbour" so NULL can mean failure. */
  return position ? position : g_strdup ("");
}

static char *
compute_position (TackSqliteStorage  *self,
                  gboolean            cards,
                  const char         *parent_id,
                  const char         *prev_position,
                  const char         *prev_id,
                  const char         *exclude_id,
                  GError            **error)
{
  g_autofree char *next = NULL;
  char *position;

  next = next_position (self, cards, parent_id, prev_position, prev_id, exclude_id, error);
  if (next == NULL)
    return NULL;

  if ((position = tack_position_between (prev_position, *next ? next : NULL)))
    return position;

  /* No room between the neighbours (two rows sharing a position, or a key
   * from elsewhere ending in the lowest digit): go right after the
   * previous one, which is always possible. */
  if ((position = tack_position_between (prev_position, NULL)))
    return position;

  return g_strconcat (prev_position ? prev_position : "", "U", NULL);
}

/* Writes. */

typedef struct
{
  gint64      seq;          /* the seq the event will get */
  guint       status;
  JsonNode   *body;
  const char *event_type;
  JsonNode   *event_data;   /* often the body itself, one more ref: both
                             * are only written out, never changed */
  gboolean    conflict;
} WriteContext;

static const char *
optional_string (JsonObject *fields,
                 const char *name)
{
  JsonNode *node = json_object_get_member (fields, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  return json_node_get_string (node);
}

static void
set_conflict (WriteContext *ctx,
              const char   *message,
              const char   *member,
              JsonNode     *current)
{
  JsonObject *object = json_object_new ();
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "code", "conflict");
  json_object_set_string_member (error, "message", message);
  json_object_set_object_member (object, "error", error);
  json_object_set_member (object, member, current);

  ctx->conflict = TRUE;
  ctx->status = 409;
  ctx->body = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (ctx->body, object);
}

static gboolean
save_column (TackSqliteStorage  *self,
             const Column       *column,
             gboolean            insert,
             GError            **error)
{
  sqlite3_stmt *stmt;

  if (insert)
    stmt = prepare (self,
                    "INSERT INTO columns (" COLUMN_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    error);
  else
    stmt = prepare (self,
                    "UPDATE columns SET board = ?2, title = ?3, position = ?4, wip_limit = ?5,"
                    " version = ?6, v_title = ?7, v_wip_limit = ?8, v_position = ?9 WHERE id = ?1",
                    error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, column->id);
  bind_text (stmt, 2, column->board);
  bind_text (stmt, 3, column->title);
  bind_text (stmt, 4, column->position);
  if (column->wip_limit < 0)
    sqlite3_bind_null (stmt, 5);
  else
    sqlite3_bind_int64 (stmt, 5, column->wip_limit);
  sqlite3_bind_int64 (stmt, 6, column->version);
  sqlite3_bind_int64 (stmt, 7, column->v_title);
  sqlite3_bind_int64 (stmt, 8, column->v_wip_limit);
  sqlite3_bind_int64 (stmt, 9, column->v_position);

  return step_done (self, stmt, error);
}

static gboolean
save_card (TackSqliteStorage  *self,
           const char         *board_id,
           const Card         *card,
           gboolean            insert,
           GError            **error)
{
  sqlite3_stmt *stmt;

  if (insert)
    stmt = prepare (self,
                    "INSERT INTO cards (board, " CARD_COLUMNS ") VALUES (?18, ?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                    " ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                    error);
  else
    stmt = prepare (self,
                    "UPDATE cards SET column_id = ?2, title = ?3, description = ?4, position = ?5,"
                    " labels = ?6, assignees = ?7, due = ?8, version = ?9, updated_at = ?10,"
                    " updated_by = ?11, v_title = ?12, v_description = ?13, v_labels = ?14,"
                    " v_assignees = ?15, v_due = ?16, v_position = ?17 WHERE id = ?1 AND board = ?18",
                    error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, card->id);
  bind_text (stmt, 2, card->column);
  bind_text (stmt, 3, card->title);
  bind_text (stmt, 4, card->description);
  bind_text (stmt, 5, card->position);
  bind_text (stmt, 6, card->labels);
  bind_text (stmt, 7, card->assignees);
  bind_text (stmt, 8, card->due);
  sqlite3_bind_int64 (stmt, 9, card->version);
  bind_text (stmt, 10, card->updated_at);
  bind_text (stmt, 11, card->updated_by);
  sqlite3_bind_int64 (stmt, 12, card->v_title);
  sqlite3_bind_int64 (stmt, 13, card->v_description);
  sqlite3_bind_int64 (stmt, 14, card->v_labels);
  sqlite3_bind_int64 (stmt, 15, card->v_assignees);
  sqlite3_bind_int64 (stmt, 16, card->v_due);
  sqlite3_bind_int64 (stmt, 17, card->v_position);
  bind_text (stmt, 18, board_id);

  return step_done (self, stmt, error);
}

static gboolean
write_update_board (TackSqliteStorage       *self,
                    Board                   *board,
                    const TackWriteRequest  *request,
                    WriteContext            *ctx,
                    GError                 **error)
{
  gint64 base = json_object_get_int_member_with_default (request->fields, "base_version", 0);
  const char *title = optional_string (request->fields, "title");
  sqlite3_stmt *stmt;

  if (title == NULL || g_strcmp0 (title, board->title) == 0)
    {
      ctx->body = wrap ("board", board_to_node (board));
      return TRUE;
    }

  if (board->v_title > base)
    {
      set_conflict (ctx, "The board’s title was changed since base_version", "current",
                    board_to_node (board));
      return TRUE;
    }

  g_free (board->title);
  board->title = g_strdup (title);
  board->version++;
  board->v_title = board->version;
  board->seq = ctx->seq;

  if (!(stmt = prepare (self, "UPDATE boards SET title = ?2, version = ?3, v_title = ?3 WHERE id = ?1", error)))
    return FALSE;
  bind_text (stmt, 1, board->id);
  bind_text (stmt, 2, board->title);
  sqlite3_bind_int64 (stmt, 3, board->version);
  if (!step_done (self, stmt, error))
    return FALSE;

  ctx->body = wrap ("board", board_to_node (board));
  ctx->event_type = "board.updated";
  ctx->event_data = json_node_ref (ctx->body);

  return TRUE;
}

static gboolean
write_create_column (TackSqliteStorage       *self,
                     Board                   *board,
                     const TackWriteRequest  *request,
                     WriteContext            *ctx,
                     GError                 **error)
{
  const char *after_id = optional_string (request->fields, "after");
  g_autoptr(Column) after = NULL;
  g_autofree char *id = new_id ("col-");
  JsonNode *wip = json_object_get_member (request->fields, "wip_limit");
  Column column = { 0 };
  g_autofree char *position = NULL;

  if (after_id != NULL && !(after = load_column (self, board->id, after_id, error)))
    return FALSE;

  position = compute_position (self, FALSE, board->id,
                               after ? after->position : NULL, after ? after->id : NULL,
                               NULL, error);
  if (position == NULL)
    return FALSE;

  column.id = id;
  column.board = board->id;
  column.title = (char *)json_object_get_string_member (request->fields, "title");
  column.position = position;
  column.wip_limit = wip && !JSON_NODE_HOLDS_NULL (wip) ? json_node_get_int (wip) : -1;
  column.version = column.v_title = column.v_wip_limit = column.v_position = 1;

  if (!save_column (self, &column, TRUE, error))
    return FALSE;

  ctx->status = 201;
  ctx->body = wrap ("column", column_to_node (&column));
  ctx->event_type = "column.created";
  ctx->event_data = json_node_ref (ctx->body);

  return TRUE;
}

static gboolean
write_update_column (TackSqliteStorage       *self,
                     Board                   *board,
                     const TackWriteRequest  *request,
                     WriteContext            *ctx,
                     GError                 **error)
{
  gint64 base = json_object_get_int_member_with_default (request->fields, "base_version", 0);
  g_autoptr(Column) column = NULL;
  g_autofree char *new_position = NULL;
  gboolean change_title = FALSE;
  gboolean change_wip = FALSE;
  gint64 new_wip = -1;
  const char *title;

  if (!(column = load_column (self, board->id, request->target_id, error)))
    return FALSE;

  title = optional_string (request->fields, "title");
  change_title = title != NULL && g_strcmp0 (title, column->title) != 0;

  if (json_object_has_member (request->fields, "wip_limit"))
    {
      JsonNode *wip = json_object_get_member (request->fields, "wip_limit");

      new_wip = JSON_NODE_HOLDS_NULL (wip) ? -1 : json_node_get_int (wip);
      change_wip = new_wip != column->wip_limit;
    }

  if (json_object_has_member (request->fields, "after"))
    {
      const char *after_id = optional_string (request->fields, "after");
      g_autoptr(Column) after = NULL;

      if (after_id != NULL && !(after = load_column (self, board->id, after_id, error)))
        return FALSE;
      if (after != NULL && g_str_equal (after->id, column->id))
        {
          g_set_error_literal (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_INVALID,
                               "A column cannot be placed after itself");
          return FALSE;
        }

      new_position = compute_position (self, FALSE, board->id,
                                       after ? after->position : NULL, after ? after->id : NULL,
                                       column->id, error);
      if (new_position == NULL)
        return FALSE;
    }

  if ((change_title && column->v_title > base) ||
      (change_wip && column->v_wip_limit > base) ||
      (new_position != NULL && column->v_position > base))
    {
      set_conflict (ctx, "Someone else changed this column since base_version", "current",
                    column_to_node (column));
      return TRUE;
    }

  if (!change_title && !change_wip && new_position == NULL)
    {
      ctx->body = wrap ("column", column_to_node (column));
      return TRUE;
    }

  column->version++;
  if (change_title)
    {
      g_free (column->title);
      column->title = g_strdup (title);
      column->v_title = column->version;
    }
  if (change_wip)
    {
      column->wip_limit = new_wip;
      column->v_wip_limit = column->version;
    }
  if (new_position != NULL)
    {
      g_free (column->position);
      column->position = g_steal_pointer (&new_position);
      column->v_position = column->version;
    }

  if (!save_column (self, column, FALSE, error))
    return FALSE;

  ctx->body = wrap ("column", column_to_node (column));
  ctx->event_type = "column.updated";
  ctx->event_data = json_node_ref (ctx->body);

  return TRUE;
}

static gboolean
write_delete_column (TackSqliteStorage       *self,
                     Board                   *board,
                     const TackWriteRequest  *request,
                     WriteContext            *ctx,
                     GError                 **error)
{
  g_autoptr(Column) column = NULL;
  sqlite3_stmt *stmt;
  JsonObject *object;

  if (!(column = load_column (self, board->id, request->target_id, error)))
    return FALSE;

  if (!(stmt = prepare (self, "DELETE FROM cards WHERE column_id = ?", error)))
    return FALSE;
  bind_text (stmt, 1, column->id);
  if (!step_done (self, stmt, error))
    return FALSE;

  if (!(stmt = prepare (self, "DELETE FROM columns WHERE id = ?", error)))
    return FALSE;
  bind_text (stmt, 1, column->id);
  if (!step_done (self, stmt, error))
    return FALSE;

  object = json_object_new ();
  json_object_set_string_member (object, "id", column->id);
  ctx->event_data = json_node_init_object (json_node_alloc (), object);
  ctx->body = json_node_ref (ctx->event_data);
  ctx->event_type = "column.deleted";
  json_object_unref (object);

  return TRUE;
}

static char *
field_array_text (JsonObject *fields,
                  const char *name)
{
  JsonNode *node = json_object_get_member (fields, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("[]");

  return array_to_text (node);
}

static gboolean
write_create_card (TackSqliteStorage       *self,
                   Board                   *board,
                   const TackWriteRequest  *request,
                   WriteContext            *ctx,
                   GError                 **error)
{
  const char *column_id = json_object_get_string_member (request->fields, "column");
  const char *after_id = optional_string (request->fields, "after");
  const char *description = optional_string (request->fields, "description");
  g_autoptr(Column) column = NULL;
  g_autoptr(Card) after = NULL;
  g_autoptr(Card) card = g_new0 (Card, 1);

  if (!(column = load_column (self, board->id, column_id, error)))
    return FALSE;

  if (after_id != NULL)
    {
      if (!(after = load_card (self, board->id, after_id, error)))
        return FALSE;
      if (!g_str_equal (after->column, column->id))
        {
          not_found (error, "card in that column", after_id);
          return FALSE;
        }
    }

  card->position = compute_position (self, TRUE, column->id,
                                     after ? after->position : NULL, after ? after->id : NULL,
                                     NULL, error);
  if (card->position == NULL)
    return FALSE;

  card->id = new_id ("card-");
  card->column = g_strdup (column->id);
  card->title = g_strdup (json_object_get_string_member (request->fields, "title"));
  card->description = g_strdup (description ? description : "");
  card->labels = field_array_text (request->fields, "labels");
  card->assignees = field_array_text (request->fields, "assignees");
  card->due = g_strdup (optional_string (request->fields, "due"));
  card->version = 1;
  card->updated_at = now_iso8601 ();
  card->updated_by = g_strdup (request->actor);
  card->v_title = card->v_description = card->v_labels = 1;
  card->v_assignees = card->v_due = card->v_position = 1;

  if (!save_card (self, board->id, card, TRUE, error))
    return FALSE;

  ctx->status = 201;
  ctx->body = wrap ("card", card_to_node (card));
  ctx->event_type = "card.created";
  ctx->event_data = json_node_ref (ctx->body);

  return TRUE;
}

typedef struct
{
  const char *name;
  gsize       value_offset;
  gsize       version_offset;
  gboolean    array;
} CardField;

static const CardField card_fields[] = {
  { "title", G_STRUCT_OFFSET (Card, title), G_STRUCT_OFFSET (Card, v_title), FALSE },
  { "description", G_STRUCT_OFFSET (Card, description), G_STRUCT_OFFSET (Card, v_description), FALSE },
  { "labels", G_STRUCT_OFFSET (Card, labels), G_STRUCT_OFFSET (Card, v_labels), TRUE },
  { "assignees", G_STRUCT_OFFSET (Card, assignees), G_STRUCT_OFFSET (Card, v_assignees), TRUE },
  { "due", G_STRUCT_OFFSET (Card, due), G_STRUCT_OFFSET (Card, v_due), FALSE },
};

static gboolean
write_update_card (TackSqliteStorage       *self,
                   Board                   *board,
                   const TackWriteRequest  *request,
                   WriteContext            *ctx,
                   GError                 **error)
{
  gint64 base = json_object_get_int_member_with_default (request->fields, "base_version", 0);
  g_autoptr(Card) card = NULL;
  char *new_values[G_N_ELEMENTS (card_fields)] = { NULL, };
  gboolean changed[G_N_ELEMENTS (card_fields)] = { FALSE, };
  g_autoptr(GPtrArray) conflicts = g_ptr_array_new ();
  JsonArray *names;
  JsonObject *data;
  gboolean any = FALSE;

  if (!(card = load_card (self, board->id, request->target_id, error)))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (card_fields); i++)
    {
      const CardField *field = &card_fields[i];
      char *current = G_STRUCT_MEMBER (char *, card, field->value_offset);

      if (!json_object_has_member (request->fields, field->name))
        continue;

      if (field->array)
        new_values[i] = field_array_text (request->fields, field->name);
      else
        new_values[i] = g_strdup (optional_string (request->fields, field->name));

      changed[i] = g_strcmp0 (new_values[i], current) != 0;
      if (changed[i] && G_STRUCT_MEMBER (gint64, card, field->version_offset) > base)
        g_ptr_array_add (conflicts, (gpointer)field->name);
    }

  if (conflicts->len > 0)
    {
      g_autofree char *names_text = NULL;
      g_autofree char *message = NULL;

      g_ptr_array_add (conflicts, NULL);
      names_text = g_strjoinv (", ", (char **)conflicts->pdata);
      message = g_strdup_printf ("Changed by someone else since base_version: %s", names_text);
      set_conflict (ctx, message, "current", card_to_node (card));
      for (guint i = 0; i < G_N_ELEMENTS (card_fields); i++)
        g_free (new_values[i]);
      return TRUE;
    }

  names = json_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (card_fields); i++)
    {
      if (changed[i])
        {
          if (!any)
            card->version++;
          any = TRUE;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (card_fields); i++)
    {
      const CardField *field = &card_fields[i];
      char **slot = &G_STRUCT_MEMBER (char *, card, field->value_offset);

      if (changed[i])
        {
          g_free (*slot);
          *slot = g_steal_pointer (&new_values[i]);
          G_STRUCT_MEMBER (gint64, card, field->version_offset) = card->version;
          json_array_add_string_element (names, field->name);
        }
      g_free (new_values[i]);
    }

  if (!any)
    {
      json_array_unref (names);
      ctx->body = wrap ("card", card_to_node (card));
      return TRUE;
    }

  g_free (card->updated_at);
  card->updated_at = now_iso8601 ();
  g_free (card->updated_by);
  card->updated_by = g_strdup (request->actor);

  if (!save_card (self, board->id, card, FALSE, error))
    {
      json_array_unref (names);
      return FALSE;
    }

  data = json_object_new ();
  json_object_set_string_member (data, "id", card->id);
  json_object_set_int_member (data, "version", card->version);
  json_object_set_array_member (data, "fields", names);

  ctx->body = wrap ("card", card_to_node (card));
  ctx->event_type = "card.updated";
  ctx->event_data = json_node_init_object (json_node_alloc (), data);
  json_object_unref (data);

  return TRUE;
}

static gboolean
write_move_card (TackSqliteStorage       *self,
                 Board                   *board,
                 const TackWriteRequest  *request,
                 WriteContext            *ctx,
                 GError                 **error)
{
  gint64 base = json_object_get_int_member_with_default (request->fields, "base_version", 0);
  const char *column_id = json_object_get_string_member (request->fields, "column");
  const char *after_id = optional_string (request->fields, "after");
  g_autoptr(Card) card = NULL;
  g_autoptr(Column) column = NULL;
  g_autoptr(Card) after = NULL;
  char *position;

  if (!(card = load_card (self, board->id, request->target_id, error)))
    return FALSE;
  if (!(column = load_column (self, board->id, column_id, error)))
    return FALSE;

  if (after_id != NULL)
    {
      if (g_str_equal (after_id, card->id))
        {
          g_set_error_literal (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_INVALID,
                               "A card cannot be placed after itself");
          return FALSE;
        }
      if (!(after = load_card (self, board->id, after_id, error)))
        return FALSE;
      if (!g_str_equal (after->column, column->id))
        {
          not_found (error, "card in that column", after_id);
          return FALSE;
        }
    }

  if (card->v_position > base)
    {
      set_conflict (ctx, "The card was moved by someone else since base_version", "current",
                    card_to_node (card));
      return TRUE;
    }

  position = compute_position (self, TRUE, column->id,
                               after ? after->position : NULL, after ? after->id : NULL,
                               card->id, error);
  if (position == NULL)
    return FALSE;

  g_free (card->position);
  card->position = position;
  g_free (card->column);
  card->column = g_strdup (column->id);
  card->version++;
  card->v_position = card->version;
  g_free (card->updated_at);
  card->updated_at = now_iso8601 ();
  g_free (card->updated_by);
  card->updated_by = g_strdup (request->actor);

  if (!save_card (self, board->id, card, FALSE, error))
    return FALSE;

  ctx->body = wrap ("card", card_to_node (card));
  ctx->event_type = "card.moved";
  ctx->event_data = json_node_ref (ctx->body);

  return TRUE;
}

static gboolean
write_delete_card (TackSqliteStorage       *self,
                   Board                   *board,
                   const TackWriteRequest  *request,
                   WriteContext            *ctx,
                   GError                 **error)
{
  g_autoptr(Card) card = NULL;
  sqlite3_stmt *stmt;
  JsonObject *object;

  if (!(card = load_card (self, board->id, request->target_id, error)))
    return FALSE;

  if (!(stmt = prepare (self, "DELETE FROM cards WHERE id = ? AND board = ?", error)))
    return FALSE;
  bind_text (stmt, 1, card->id);
  bind_text (stmt, 2, board->id);
  if (!step_done (self, stmt, error))
    return FALSE;

  object = json_object_new ();
  json_object_set_string_member (object, "id", card->id);
  json_object_set_string_member (object, "column", card->column);
  ctx->event_data = json_node_init_object (json_node_alloc (), object);
  ctx->body = json_node_ref (ctx->event_data);
  ctx->event_type = "card.deleted";
  json_object_unref (object);

  return TRUE;
}

static char *
build_envelope (gint64                  seq,
                const char             *type,
                const TackWriteRequest *request,
                JsonNode               *data)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "seq", seq);
  json_object_set_string_member (object, "type", type);
  json_object_set_string_member (object, "op", request->op);
  if (request->actor != NULL)
    json_object_set_string_member (object, "actor", request->actor);
  else
    json_object_set_null_member (object, "actor");
  json_object_set_member (object, "data", json_node_ref (data));
  json_node_take_object (node, object);

  return json_to_string (node, FALSE);
}

static gboolean
append_event (TackSqliteStorage       *self,
              Board                   *board,
              const TackWriteRequest  *request,
              WriteContext            *ctx,
              TackEvent              **event,
              GError                 **error)
{
  sqlite3_stmt *stmt;
  char *json;

  json = build_envelope (ctx->seq, ctx->event_type, request, ctx->event_data);

  if (!(stmt = prepare (self, "UPDATE boards SET seq = ?2 WHERE id = ?1", error)))
    goto fail;
  bind_text (stmt, 1, board->id);
  sqlite3_bind_int64 (stmt, 2, ctx->seq);
  if (!step_done (self, stmt, error))
    goto fail;

  if (!(stmt = prepare (self, "INSERT INTO events (board, seq, type, json) VALUES (?, ?, ?, ?)", error)))
    goto fail;
  bind_text (stmt, 1, board->id);
  sqlite3_bind_int64 (stmt, 2, ctx->seq);
  bind_text (stmt, 3, ctx->event_type);
  bind_text (stmt, 4, json);
  if (!step_done (self, stmt, error))
    goto fail;

  if (ctx->seq > (gint64)self->retention)
    {
      gint64 horizon = ctx->seq - self->retention;

      if (!(stmt = prepare (self, "DELETE FROM events WHERE board = ? AND seq <= ?", error)))
        goto fail;
      bind_text (stmt, 1, board->id);
      sqlite3_bind_int64 (stmt, 2, horizon);
      if (!step_done (self, stmt, error))
        goto fail;

      if (!(stmt = prepare (self, "DELETE FROM ops WHERE board = ? AND seq <= ?", error)))
        goto fail;
      bind_text (stmt, 1, board->id);
      sqlite3_bind_int64 (stmt, 2, horizon);
      if (!step_done (self, stmt, error))
        goto fail;
    }

  *event = tack_event_new (ctx->seq, ctx->event_type, json);

  return TRUE;

fail:
  g_free (json);
  return FALSE;
}

/* One write's transaction: its own, or a savepoint in the group's. */
static gboolean
write_begin (TackSqliteStorage  *self,
             GError            **error)
{
  if (!self->in_group)
    return run (self, "BEGIN IMMEDIATE", error);

  /* An I/O error can make SQLite roll the whole transaction back; a
   * savepoint now would start a transaction of its own and commit it on
   * RELEASE, behind the group's back. */
  if (self->group_lost || sqlite3_get_autocommit (self->db))
    {
      self->group_lost = TRUE;
      g_set_error_literal (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_FAILED,
                           "The group's transaction was rolled back");
      return FALSE;
    }

  return run (self, "SAVEPOINT tack_write", error);
}

static gboolean
write_keep (TackSqliteStorage  *self,
            GError            **error)
{
  return run (self, self->in_group ? "RELEASE tack_write" : "COMMIT", error);
}

static void
write_undo (TackSqliteStorage *self)
{
  if (!self->in_group)
    {
      run (self, "ROLLBACK", NULL);
      return;
    }

  if (!run (self, "ROLLBACK TO tack_write", NULL) || !run (self, "RELEASE tack_write", NULL))
    self->group_lost = TRUE;
}

/* After the COMMIT that made @event durable. */
static void
emit_committed (TackSqliteStorage *self,
                const char        *board_id,
                TackEvent         *event)
{
  remember_head (self, board_id, tack_event_get_seq (event));
  tack_storage_emit_committed (TACK_STORAGE (self), board_id, event);
}

static void
announce (TackSqliteStorage *self,
          const char        *board_id,
          TackEvent         *event)
{
  Pending *pending;

  if (!self->in_group)
    {
      emit_committed (self, board_id, event);
      return;
    }

  pending = g_new (Pending, 1);
  pending->board_id = g_strdup (board_id);
  pending->event = tack_event_ref (event);
  g_ptr_array_add (self->pending, pending);
}

static gboolean
tack_sqlite_storage_write (TackStorage             *storage,
                           const TackWriteRequest  *request,
                           TackWriteResult        **result,
                           GError                 **error)
{
  TackSqliteStorage *self = TACK_SQLITE_STORAGE (storage);
  g_autoptr(Board) board = NULL;
  g_autoptr(TackWriteResult) out = g_new0 (TackWriteResult, 1);
  WriteContext ctx = { 0 };
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;

  g_assert (request->op != NULL);

  if (!write_begin (self, error))
    return FALSE;

  if (!(board = load_board (self, request->board_id, error)))
    goto rollback;

  /* A repeated op answers what the first one did, and changes nothing. */
  if (!(stmt = prepare (self, "SELECT status, body FROM ops WHERE board = ? AND op = ?", error)))
    goto rollback;
  bind_text (stmt, 1, board->id);
  bind_text (stmt, 2, request->op);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      out->status = sqlite3_column_int (stmt, 0);
      out->body = column_text (stmt, 1);
      sqlite3_reset (stmt);
      write_undo (self);
      *result = g_steal_pointer (&out);
      return TRUE;
    }
  sqlite3_reset (stmt);

  ctx.status = 200;
  ctx.seq = board->seq + 1;

  switch (request->kind)
    {
    case TACK_WRITE_UPDATE_BOARD:
      ok = write_update_board (self, board, request, &ctx, error);
      break;
    case TACK_WRITE_CREATE_COLUMN:
      ok = write_create_column (self, board, request, &ctx, error);
      break;
    case TACK_WRITE_UPDATE_COLUMN:
      ok = write_update_column (self, board, request, &ctx, error);
      break;
    case TACK_WRITE_DELETE_COLUMN:
      ok = write_delete_column (self, board, request, &ctx, error);
      break;
    case TACK_WRITE_CREATE_CARD:
      ok = write_create_card (self, board, request, &ctx, error);
      break;
    case TACK_WRITE_UPDATE_CARD:
      ok = write_update_card (self, board, request, &ctx, error);
      break;
    case TACK_WRITE_MOVE_CARD:
      ok = write_move_card (self, board, request, &ctx, error);
      break;
    case TACK_WRITE_DELETE_CARD:
      ok = write_delete_card (self, board, request, &ctx, error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    goto rollback;

  out->status = ctx.status;
  out->body = json_to_string (ctx.body, FALSE);

  /* A conflict changes nothing and is not remembered: a retry is judged
   * again against the data as it then is. */
  if (ctx.conflict)
    {
      write_undo (self);
      goto done;
    }

  if (ctx.event_type != NULL &&
      !append_event (self, board, request, &ctx, &out->event, error))
    goto rollback;

  if (!(stmt = prepare (self, "INSERT INTO ops (board, op, status, body, seq) VALUES (?, ?, ?, ?, ?)", error)))
    goto rollback;
  bind_text (stmt, 1, board->id);
  bind_text (stmt, 2, request->op);
  sqlite3_bind_int (stmt, 3, out->status);
  bind_text (stmt, 4, out->body);
  sqlite3_bind_int64 (stmt, 5, ctx.event_type ? ctx.seq : board->seq);
  if (!step_done (self, stmt, error))
    goto rollback;

  if (!write_keep (self, error))
    goto rollback;

  if (out->event != NULL)
    announce (self, board->id, out->event);

done:
  g_clear_pointer (&ctx.body, json_node_unref);
  g_clear_pointer (&ctx.event_data, json_node_unref);
  *result = g_steal_pointer (&out);
  return TRUE;

rollback:
  write_undo (self);
  g_clear_pointer (&ctx.body, json_node_unref);
  g_clear_pointer (&ctx.event_data, json_node_unref);
  return FALSE;
}

/* Reads. */

static JsonNode *
tack_sqlite_storage_list_boards (TackStorage  *storage,
                                 GError      **error)
{
  TackSqliteStorage *self = TACK_SQLITE_STORAGE (storage);
  JsonArray *array;
  JsonNode *node;
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = prepare (self, "SELECT id, title, version, seq FROM boards ORDER BY created, id", error)))
    return NULL;

  array = json_array_new ();

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Board board = {
        .id = (char *)sqlite3_column_text (stmt, 0),
        .title = (char *)sqlite3_column_text (stmt, 1),
        .version = sqlite3_column_int64 (stmt, 2),
        .seq = sqlite3_column_int64 (stmt, 3),
      };

      json_array_add_element (array, board_to_node (&board));
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      json_array_unref (array);
      set_db_error (self, error);
      return NULL;
    }

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, array);

  return node;
}

static JsonNode *
tack_sqlite_storage_create_board (TackStorage  *storage,
                                  const char   *title,
                                  const char   *token,
                                  GError      **error)
{
  TackSqliteStorage *self = TACK_SQLITE_STORAGE (storage);
  g_autofree char *id = new_id ("board-");
  Board board = { .id = id, .title = (char *)title, .version = 1, .seq = 0, .v_title = 1 };
  sqlite3_stmt *stmt;

  if (!(stmt = prepare (self,
                        "INSERT INTO boards (id, title, version, seq, token, v_title, created)"
                        " VALUES (?, ?, 1, 0, ?, 1, ?)", error)))
    return NULL;

  bind_text (stmt, 1, id);
  bind_text (stmt, 2, title);
  bind_text (stmt, 3, token);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time ());

  if (!step_done (self, stmt, error))
    return NULL;

  return board_to_node (&board);
}

static char *
single_text (TackSqliteStorage *self,
             const char        *sql,
             const char        *arg)
{
  sqlite3_stmt *stmt;
  char *text = NULL;

  if (!(stmt = prepare (self, sql, NULL)))
    return NULL;

  if (arg != NULL)
    bind_text (stmt, 1, arg);

  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = column_text (stmt, 0);
  sqlite3_reset (stmt);

  return text;
}

static char *
tack_sqlite_storage_get_board_token (TackStorage *storage,
                                     const char  *board_id)
{
  return single_text (TACK_SQLITE_STORAGE (storage), "SELECT token FROM boards WHERE id = ?", board_id);
}

static char *
tack_sqlite_storage_find_board_by_token (TackStorage *storage,
                                         const char  *token)
{
  TackSqliteStorage *self = TACK_SQLITE_STORAGE (storage);
  const char *known;
  char *board_id;

  if ((known = g_hash_table_lookup (self->tokens, token)))
    return g_strdup (known);

  board_id = single_text (self, "SELECT id FROM boards WHERE token = ?", token);
  if (board_id != NULL)
    g_hash_table_insert (self->tokens, g_strdup (token), g_strdup (board_id));

  return board_id;
}

static char *
tack_sqlite_storage_get_first_board (TackStorage *storage)
{
  return single_text (TACK_SQLITE_STORAGE (storage),
                      "SELECT id FROM boards ORDER BY created, id LIMIT 1", NULL);
}

static JsonNode *
tack_sqlite_storage_get_snapshot (TackStorage  *storage,
                                  const char   *board_id,
                                  GError      **error)
{
  TackSqliteStorage *self = TACK_SQLITE_STORAGE (storage);
  g_autoptr(Board) board = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  JsonArray *columns;
  JsonArray *cards;
  sqlite3_stmt *stmt;
  int rc;

  /* One read transaction, so the snapshot and its seq agree. */
  if (!run (self, "BEGIN", error))
    return NULL;

  if (!(board = load_board (self, board_id, error)))
    goto fail;

  node = json_node_new (JSON_NODE_OBJECT);
  object = json_object_new ();
  json_node_take_object (node, object);
  json_object_set_member (object, "board", board_to_node (board));

  columns = json_array_new ();
  json_object_set_array_member (object, "columns", columns);
  if (!(stmt = prepare (self, "SELECT " COLUMN_COLUMNS " FROM columns WHERE board = ? ORDER BY position, id", error)))
    goto fail;
  bind_text (stmt, 1, board_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(Column) column = column_from_row (stmt);

      json_array_add_element (columns, column_to_node (column));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error);
      goto fail;
    }

  cards = json_array_new ();
  json_object_set_array_member (object, "cards", cards);
  if (!(stmt = prepare (self, "SELECT " CARD_COLUMNS " FROM cards WHERE board = ? ORDER BY column_id, position, id", error)))
    goto fail;
  bind_text (stmt, 1, board_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(Card) card = card_from_row (stmt);

      json_array_add_element (cards, card_to_node (card));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error);
      goto fail;
    }

  json_object_set_int_member (object, "seq", board->seq);
  run (self, "COMMIT", NULL);

  return g_steal_pointer (&node);

fail:
  run (self, "ROLLBACK", NULL);
  return NULL;
}

static JsonNode *
tack_sqlite_storage_get_card (TackStorage  *storage,
                              const char   *board_id,
                              const char   *card_id,
                              GError      **error)
{
  TackSqliteStorage *self = TACK_SQLITE_STORAGE (storage);
  g_autoptr(Board) board = NULL;
  g_autoptr(Card) card = NULL;

  if (!(board = load_board (self, board_id, error)))
    return NULL;
  if (!(card = load_card (self, board_id, card_id, error)))
    return NULL;

  return wrap ("card", card_to_node (card));
}

static GPtrArray *
tack_sqlite_storage_read_events (TackStorage  *storage,
                                 const char   *board_id,
                                 gint64        since,
                                 guint         limit,
                                 gint64       *current_seq,
                                 gboolean     *reset,
                                 GError      **error)
{
  TackSqliteStorage *self = TACK_SQLITE_STORAGE (storage);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify)tack_event_unref);
  sqlite3_stmt *stmt;
  gint64 head;
  int rc;

  *reset = FALSE;

  if (!load_head (self, board_id, &head, error))
    return NULL;

  *current_seq = head;

  if (since < 0 || since > head)
    {
      *reset = TRUE;
      return g_steal_pointer (&events);
    }

  if (since == head || limit == 0)
    return g_steal_pointer (&events);

  if (!(stmt = prepare (self,
                        "SELECT seq, type, json FROM events WHERE board = ? AND seq > ?"
                        " ORDER BY seq LIMIT ?", error)))
    return NULL;
  bind_text (stmt, 1, board_id);
  sqlite3_bind_int64 (stmt, 2, since);
  sqlite3_bind_int64 (stmt, 3, limit);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (events, tack_event_new (sqlite3_column_int64 (stmt, 0),
                                             (const char *)sqlite3_column_text (stmt, 1),
                                             column_text (stmt, 2)));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error);
      return NULL;
    }

  /* The event right after since was pruned: the reader must start over. */
  if (events->len == 0 || tack_event_get_seq (g_ptr_array_index (events, 0)) != since + 1)
    {
      g_ptr_array_set_size (events, 0);
      *reset = TRUE;
    }

  return g_steal_pointer (&events);
}

static gboolean
tack_sqlite_storage_begin_group (TackStorage  *storage,
                                 GError      **error)
{
  TackSqliteStorage *self = TACK_SQLITE_STORAGE (storage);

  g_return_val_if_fail (!self->in_group, FALSE);

  if (!run (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  self->in_group = TRUE;
  self->group_lost = FALSE;

  return TRUE;
}

static gboolean
tack_sqlite_storage_commit_group (TackStorage  *storage,
                                  GError      **error)
{
  TackSqliteStorage *self = TACK_SQLITE_STORAGE (storage);
  g_autoptr(GPtrArray) pending = NULL;

  g_return_val_if_fail (self->in_group, FALSE);

  self->in_group = FALSE;
  pending = g_steal_pointer (&self->pending);
  self->pending = g_ptr_array_new_with_free_func (pending_free);

  if (self->group_lost || sqlite3_get_autocommit (self->db))
    {
      if (!sqlite3_get_autocommit (self->db))
        run (self, "ROLLBACK", NULL);
      g_set_error_literal (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_FAILED,
                           "The group's transaction was rolled back");
      return FALSE;
    }

  if (!run (self, "COMMIT", error))
    {
      if (!sqlite3_get_autocommit (self->db))
        run (self, "ROLLBACK", NULL);
      return FALSE;
    }

  for (guint i = 0; i < pending->len; i++)
    {
      Pending *p = g_ptr_array_index (pending, i);

      emit_committed (self, p->board_id, p->event);
    }

  return TRUE;
}

static void
tack_sqlite_storage_close (TackStorage *storage)
{
  TackSqliteStorage *self = TACK_SQLITE_STORAGE (storage);

  g_hash_table_remove_all (self->statements);
  g_hash_table_remove_all (self->heads);
  g_hash_table_remove_all (self->tokens);

  if (self->db != NULL)
    {
      sqlite3_close (self->db);
      self->db = NULL;
    }

  if (self->lock_fd >= 0)
    {
      g_close (self->lock_fd, NULL);
      self->lock_fd = -1;
    }
}

static void
storage_iface_init (TackStorageInterface *iface)
{
  iface->list_boards = tack_sqlite_storage_list_boards;
  iface->create_board = tack_sqlite_storage_create_board;
  iface->get_board_token = tack_sqlite_storage_get_board_token;
  iface->find_board_by_token = tack_sqlite_storage_find_board_by_token;
  iface->get_first_board = tack_sqlite_storage_get_first_board;
  iface->get_snapshot = tack_sqlite_storage_get_snapshot;
  iface->get_card = tack_sqlite_storage_get_card;
  iface->write = tack_sqlite_storage_write;
  iface->read_events = tack_sqlite_storage_read_events;
  iface->close = tack_sqlite_storage_close;
  iface->begin_group = tack_sqlite_storage_begin_group;
  iface->commit_group = tack_sqlite_storage_commit_group;
}

static void
tack_sqlite_storage_finalize (GObject *object)
{
  TackSqliteStorage *self = (TackSqliteStorage *)object;

  tack_sqlite_storage_close (TACK_STORAGE (self));
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->heads, g_hash_table_unref);
  g_clear_pointer (&self->tokens, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_free (self->path);

  G_OBJECT_CLASS (tack_sqlite_storage_parent_class)->finalize (object);
}

static void
tack_sqlite_storage_class_init (TackSqliteStorageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tack_sqlite_storage_finalize;
}

static void
finalize_statement (gpointer data)
{
  sqlite3_finalize (data);
}

static void
tack_sqlite_storage_init (TackSqliteStorage *self)
{
  self->statements = g_hash_table_new_full (NULL, NULL, NULL, finalize_statement);
  self->heads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->pending = g_ptr_array_new_with_free_func (pending_free);
  self->retention = 10000;
  self->lock_fd = -1;
}

/**
 * tack_sqlite_storage_new:
 * @path: the database file; created (mode 0600) when missing
 * @retention: how many events to keep per board (at least 1)
 */
TackSqliteStorage *
tack_sqlite_storage_new (const char  *path,
                         guint        retention,
                         GError     **error)
{
  g_autoptr(TackSqliteStorage) self = NULL;
  gboolean existed;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (TACK_TYPE_SQLITE_STORAGE, NULL);
  self->retention = MAX (retention, 1);
  self->path = g_strdup (path);

  existed = g_file_test (path, G_FILE_TEST_EXISTS);

  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      g_set_error (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_FAILED,
                   "Cannot open “%s”: %s", path,
                   self->db ? sqlite3_errmsg (self->db) : "out of memory");
      return NULL;
    }

  /* Board tokens live in the database: only its owner may read it. */
  if (!existed)
    g_chmod (path, 0600);

  self->lock_fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (self->lock_fd < 0 || flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == EWOULDBLOCK)
        g_set_error (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_FAILED,
                     "“%s” is in use by another tack-server: one server per database", path);
      else
        g_set_error (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_FAILED,
                     "Cannot lock “%s”: %s", path, g_strerror (saved_errno));
      return NULL;
    }

  sqlite3_busy_timeout (self->db, 5000);

  if (!exec (self, "PRAGMA journal_mode=WAL", error) ||
      !exec (self, "PRAGMA synchronous=FULL", error) ||
      !exec (self, schema, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * tack_sqlite_storage_open_reader:
 *
 * Opens a second, read-only connection to the same database, for reads
 * that run on another thread than the writer's (a board's snapshot, which
 * takes a while for a large board). In WAL mode it sees each committed
 * state whole while the writer goes on. Only its reads may be used, from
 * one thread at a time; it holds no lock on the file and caches nothing.
 *
 * Returns: (transfer full): the reader, or %NULL with @error set
 */
TackSqliteStorage *
tack_sqlite_storage_open_reader (TackSqliteStorage  *self,
                                 GError            **error)
{
  g_autoptr(TackSqliteStorage) reader = NULL;

  g_return_val_if_fail (TACK_IS_SQLITE_STORAGE (self), NULL);
  g_return_val_if_fail (self->path != NULL, NULL);

  reader = g_object_new (TACK_TYPE_SQLITE_STORAGE, NULL);
  reader->retention = self->retention;
  reader->path = g_strdup (self->path);

  if (sqlite3_open_v2 (reader->path, &reader->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      g_set_error (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_FAILED,
                   "Cannot open “%s” for reading: %s", reader->path,
                   reader->db ? sqlite3_errmsg (reader->db) : "out of memory");
      return NULL;
    }
  sqlite3_busy_timeout (reader->db, 5000);

  return g_steal_pointer (&reader);
}

static int
refuse_commit_cb (G_GNUC_UNUSED void *user_data)
{
  /* Non-zero turns the COMMIT into a ROLLBACK, and COMMIT fails. */
  return 1;
}

/**
 * tack_sqlite_storage_fail_commits_for_testing:
 * @fail: whether every COMMIT fails from now on
 *
 * Makes SQLite refuse to commit, as a full disk or an I/O error would,
 * so tests can show that nothing is answered that was not committed.
 */
void
tack_sqlite_storage_fail_commits_for_testing (TackSqliteStorage *self,
                                              gboolean           fail)
{
  g_return_if_fail (TACK_IS_SQLITE_STORAGE (self));
  g_return_if_fail (self->db != NULL);

  sqlite3_commit_hook (self->db, fail ? refuse_commit_cb : NULL, NULL);
}
