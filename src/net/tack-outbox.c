/* tack-outbox.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Every local edit goes through the outbox (DESIGN.md, "Writes from this
 * client"), of a card or of a column. An edit is shown at once through the
 * store's optimistic API,
 * named by a fresh `op`, written to a journal on disk and only then sent.
 * It leaves the journal when the server answers: accepted (the store
 * settles it with the server's card) or refused (the store rolls it back
 * and ::rejected tells the UI why). Network trouble and server errors keep
 * it queued and retried with backoff, and at once when the connection
 * goes live again.
 *
 * The journal is a JSON-lines file, one pending edit per line, rewritten
 * whole (atomically, fsync'd) in a worker thread after every change, so
 * the main loop never waits on the disk. On start it is read back and each
 * edit re-applied to the store with the same op and sent again: edits made
 * offline or before a crash land after a restart, and exactly once, since
 * the server dedupes by op.
 *
 * Edits are sent one at a time in the order they were made: an edit of a
 * card (or column) created here waits for the creation, then goes out
 * under the server's id; so does a card created in a new column.
 */

#define G_LOG_DOMAIN "tack-net"

#include "config.h"

#include <string.h>

#include "tack-outbox.h"
#include "tack-net-private.h"

#define LOCAL_PREFIX "local:"

typedef struct
{
  char       *op;
  char       *kind;         /* create, edit, move, delete, and the same
                             * with "-column" for a column's */
  char       *card;         /* local id until its creation is confirmed */
  char       *column;       /* a card's column, or the column a column
                             * op is about (local id likewise) */
  char       *title;
  char       *after;
  JsonObject *fields;
  gint64      base_version;
  guint64     generation;   /* journal generation that first held it */
} Entry;

struct _TackOutbox
{
  GObject         parent_instance;

  TackStore      *store;
  TackApi        *api;
  TackConnection *connection;
  char           *journal_path;
  GCancellable   *cancellable;

  GQueue          entries;       /* Entry*, oldest first */
  Entry          *in_flight;

  guint64         generation;    /* bumped by every change */
  guint64         persisted;     /* the last generation on disk */
  guint64         writing;       /* generation being written, or 0 */

  guint           backoff_base;
  guint           backoff_cap;
  guint           attempt;
  guint           retry_id;
  guint           journal_retry_id;
  gulong          loaded_handler;

  guint           loaded : 1;
  guint           restored : 1;
};

G_DEFINE_FINAL_TYPE (TackOutbox, tack_outbox, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_API,
  PROP_JOURNAL_PATH,
  PROP_CONNECTION,
  PROP_N_PENDING,
  PROP_RESTORED,
  PROP_BACKOFF_BASE,
  PROP_BACKOFF_CAP,
  N_PROPS
};

enum {
  QUEUED,
  ACKNOWLEDGED,
  REJECTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];
static GQuark card_quark;
static GQuark column_quark;

static void send_next     (TackOutbox *self);
static void write_journal (TackOutbox *self);

static void
entry_free (Entry *entry)
{
  g_free (entry->op);
  g_free (entry->kind);
  g_free (entry->card);
  g_free (entry->column);
  g_free (entry->title);
  g_free (entry->after);
  g_clear_pointer (&entry->fields, json_object_unref);
  g_free (entry);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Entry, entry_free)

static gboolean
is_column_op (Entry *entry)
{
  return g_str_has_suffix (entry->kind, "-column");
}

static gboolean
is_kind (Entry      *entry,
         const char *kind)
{
  return g_str_equal (entry->kind, kind);
}

/* The id of what the op is about, and the signal detail saying which. */
static const char *
target_of (Entry *entry)
{
  return is_column_op (entry) ? entry->column : entry->card;
}

static GQuark
detail_of (Entry *entry)
{
  return is_column_op (entry) ? column_quark : card_quark;
}

/* Column ops were added to the journal after card ops: they have their own
 * kinds and no "card", so an older Tack skips them as malformed instead of
 * taking them for card ops, and every older journal reads as before. */
static JsonObject *
entry_to_json (Entry *entry)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "op", entry->op);
  json_object_set_string_member (object, "kind", entry->kind);
  if (entry->card != NULL)
    json_object_set_string_member (object, "card", entry->card);
  if (entry->column != NULL)
    json_object_set_string_member (object, "column", entry->column);
  if (entry->title != NULL)
    json_object_set_string_member (object, "title", entry->title);
  if (entry->after != NULL)
    json_object_set_string_member (object, "after", entry->after);
  if (entry->fields != NULL)
    json_object_set_object_member (object, "fields", json_object_ref (entry->fields));
  json_object_set_int_member (object, "base_version", entry->base_version);

  return object;
}

static Entry *
entry_from_json (JsonObject *object)
{
  static const char * const card_kinds[] = { "create", "edit", "move", "delete", NULL };
  static const char * const column_kinds[] = {
    "create-column", "edit-column", "move-column", "delete-column", NULL
  };
  g_autoptr(Entry) entry = g_new0 (Entry, 1);
  JsonNode *fields;

  entry->op = g_strdup (json_object_get_string_member_with_default (object, "op", NULL));
  entry->kind = g_strdup (json_object_get_string_member_with_default (object, "kind", NULL));
  entry->card = g_strdup (json_object_get_string_member_with_default (object, "card", NULL));
  entry->column = g_strdup (json_object_get_string_member_with_default (object, "column", NULL));
  entry->title = g_strdup (json_object_get_string_member_with_default (object, "title", NULL));
  entry->after = g_strdup (json_object_get_string_member_with_default (object, "after", NULL));
  entry->base_version = json_object_get_int_member_with_default (object, "base_version", 0);

  fields = json_object_get_member (object, "fields");
  if (fields != NULL && JSON_NODE_HOLDS_OBJECT (fields))
    entry->fields = json_object_ref (json_node_get_object (fields));

  if (entry->op == NULL || entry->kind == NULL)
    return NULL;

  if (g_strv_contains (card_kinds, entry->kind))
    {
      if (entry->card == NULL ||
          (is_kind (entry, "edit") && entry->fields == NULL) ||
          (is_kind (entry, "create") && (entry->column == NULL || entry->title == NULL)) ||
          (is_kind (entry, "move") && entry->column == NULL))
        return NULL;
    }
  else if (g_strv_contains (column_kinds, entry->kind))
    {
      if (entry->column == NULL ||
          (is_kind (entry, "edit-column") && entry->fields == NULL) ||
          (is_kind (entry, "create-column") && entry->title == NULL))
        return NULL;
    }
  else
    {
      return NULL;
    }

  return g_steal_pointer (&entry);
}

static void
notify_n_pending (TackOutbox *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
}

/* Journal. */

/* A failed journal write is tried again after this long. */
#define JOURNAL_RETRY_MS 1000

typedef struct
{
  char    *path;
  GBytes  *contents;
  guint64  generation;
} JournalWrite;

static void
journal_write_free (JournalWrite *write)
{
  g_free (write->path);
  g_bytes_unref (write->contents);
  g_free (write);
}

static void
journal_write_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  JournalWrite *write = task_data;
  g_autofree char *dir = g_path_get_dirname (write->path);
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (write->contents, &len);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errno),
                               "Cannot create %s: %s", dir, g_strerror (errno));
      return;
    }

  /* Written beside it, fsync'd, renamed over it: a crash leaves either
   * the old journal or the new one, never half of one. */
  if (!g_file_set_contents_full (write->path, data ? data : "", len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static gboolean
journal_retry_cb (gpointer user_data)
{
  TackOutbox *self = user_data;

  self->journal_retry_id = 0;
  write_journal (self);

  return G_SOURCE_REMOVE;
}

static void
journal_written_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TackOutbox) self = g_weak_ref_get (user_data);
  JournalWrite *write = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_weak_ref_clear (user_data);
  g_free (user_data);

  ok = g_task_propagate_boolean (G_TASK (result), &error);

  if (self == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;

  self->writing = 0;

  if (!ok)
    {
      /* Sending what is not on disk would break the crash promise: the
       * edits stay visible and queued, and the write is tried again. */
      g_warning ("Cannot write the outbox journal %s: %s", self->journal_path, error->message);
      self->journal_retry_id = tack_net_timeout_add (JOURNAL_RETRY_MS, journal_retry_cb, self);
      return;
    }

  self->persisted = MAX (self->persisted, write->generation);

  if (self->persisted < self->generation)
    write_journal (self);

  send_next (self);
}

static void
write_journal (TackOutbox *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  JournalWrite *write;
  GWeakRef *ref;

  if (self->writing != 0 || self->journal_retry_id != 0 || !self->loaded)
    return;

  for (const GList *l = self->entries.head; l; l = l->next)
    {
      g_autoptr(JsonObject) object = entry_to_json (l->data);
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      g_autofree char *line = NULL;

      json_node_set_object (node, object);
      line = json_to_string (node, FALSE);
      g_string_append (text, line);
      g_string_append_c (text, '\n');
    }

  write = g_new0 (JournalWrite, 1);
  write->path = g_strdup (self->journal_path);
  write->contents = g_string_free_to_bytes (g_steal_pointer (&text));
  write->generation = self->generation;

  self->writing = self->generation;

  /* The worker must not keep the outbox alive: it only holds a weak
   * reference, and an outbox gone by then ignores the result. */
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  task = g_task_new (NULL, self->cancellable, journal_written_cb, ref);
  g_task_set_source_tag (task, write_journal);
  g_task_set_task_data (task, write, (GDestroyNotify)journal_write_free);
  g_task_run_in_thread (task, journal_write_thread);
}

static void
changed (TackOutbox *self)
{
  self->generation++;
  write_journal (self);
}

/* Applying entries to the store. */

static gboolean
apply_local (TackOutbox  *self,
             Entry       *entry,
             GError     **error)
{
  if (is_kind (entry, "create-column"))
    {
      g_autofree char *id = tack_store_create_column_local (self->store, entry->op, entry->title,
                                                            entry->after, error);

      if (id == NULL)
        return FALSE;

      g_free (entry->column);
      entry->column = g_steal_pointer (&id);
      return TRUE;
    }

  if (is_kind (entry, "edit-column"))
    return tack_store_edit_column_local (self->store, entry->op, entry->column, entry->fields, error);

  if (is_kind (entry, "move-column"))
    return tack_store_move_column_local (self->store, entry->op, entry->column, entry->after, error);

  if (is_kind (entry, "delete-column"))
    return tack_store_delete_column_local (self->store, entry->op, entry->column, error);

  if (g_str_equal (entry->kind, "create"))
    {
      g_autofree char *id = tack_store_create_card_local (self->store, entry->op, entry->column,
                                                          entry->title, entry->after, error);

      if (id == NULL)
        return FALSE;

      g_free (entry->card);
      entry->card = g_steal_pointer (&id);
      return TRUE;
    }

  if (g_str_equal (entry->kind, "edit"))
    return tack_store_edit_card_local (self->store, entry->op, entry->card, entry->fields, error);

  if (g_str_equal (entry->kind, "move"))
    return tack_store_move_card_local (self->store, entry->op, entry->card, entry->column,
                                       entry->after, error);

  return tack_store_delete_card_local (self->store, entry->op, entry->card, error);
}

static gint64
base_version_of (TackOutbox *self,
                 const char *card_id)
{
  TackCard *card;

  if (g_str_has_prefix (card_id, LOCAL_PREFIX))
    return 0;

  card = tack_store_lookup_card (self->store, card_id);
  return card ? tack_card_get_version (card) : 0;
}

static gint64
column_base_version_of (TackOutbox *self,
                        const char *column_id)
{
  TackColumn *column;

  if (g_str_has_prefix (column_id, LOCAL_PREFIX))
    return 0;

  column = tack_store_lookup_column (self->store, column_id);
  return column ? tack_column_get_version (column) : 0;
}

static char *
enqueue (TackOutbox  *self,
         Entry       *entry,
         GError     **error)
{
  g_autoptr(Entry) owned = entry;

  entry->op = g_uuid_string_random ();

  if (!apply_local (self, entry, error))
    return NULL;

  entry->generation = self->generation + 1;
  g_queue_push_tail (&self->entries, g_steal_pointer (&owned));
  notify_n_pending (self);
  changed (self);

  g_signal_emit (self, signals[QUEUED], detail_of (entry), entry->op, target_of (entry));

  if (is_kind (entry, "create"))
    return g_strdup (entry->card);
  if (is_kind (entry, "create-column"))
    return g_strdup (entry->column);
  return g_strdup (entry->op);
}

/* Answers. */

static gboolean
retry_cb (gpointer user_data)
{
  TackOutbox *self = user_data;

  self->retry_id = 0;
  send_next (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_retry (TackOutbox   *self,
                const GError *error)
{
  gint64 ceiling;
  guint delay_ms;
  guint retry_after = tack_api_error_get_retry_after (error);

  self->attempt++;
  ceiling = (gint64)self->backoff_base * (gint64)(1 << MIN (self->attempt - 1, 20));
  ceiling = MIN (ceiling, (gint64)self->backoff_cap);
  delay_ms = (guint)(g_random_double () * ceiling);
  if (retry_after > 0)
    delay_ms = MAX (delay_ms, retry_after * 1000);

  g_debug ("Outbox: retrying in %u ms: %s", delay_ms, error->message);

  g_clear_handle_id (&self->retry_id, tack_net_source_remove);
  self->retry_id = tack_net_timeout_add (delay_ms, retry_cb, self);
}

static void
remove_entry (TackOutbox *self,
              Entry      *entry)
{
  g_queue_remove (&self->entries, entry);
  entry_free (entry);
  notify_n_pending (self);
  changed (self);
}

static void
rollback (TackOutbox *self,
          Entry      *entry,
          JsonObject *current)
{
  if (is_column_op (entry))
    tack_store_rollback_column_local (self->store, entry->op, current);
  else
    tack_store_rollback_local (self->store, entry->op, current);
}

/* Whether @later cannot go out without what @created was creating: an
 * edit of that card or column, a card put into that column, or something
 * placed after it. */
static gboolean
depends_on (Entry *later,
            Entry *created)
{
  if (is_kind (created, "create"))
    return g_strcmp0 (later->card, created->card) == 0 ||
           (!is_column_op (later) && g_strcmp0 (later->after, created->card) == 0);

  return g_strcmp0 (later->column, created->column) == 0 ||
         (is_column_op (later) && g_strcmp0 (later->after, created->column) == 0);
}

static void
reject (TackOutbox   *self,
        Entry        *entry,
        const GError *error)
{
  g_autoptr(Entry) rejected = entry;
  g_autofree char *op = g_strdup (entry->op);
  GQuark detail = detail_of (entry);
  GList *l;

  rollback (self, entry, tack_api_error_get_current (error));

  g_queue_remove (&self->entries, entry);
  notify_n_pending (self);
  changed (self);
  g_signal_emit (self, signals[REJECTED], detail, op, target_of (entry), error);

  if (!is_kind (entry, "create") && !is_kind (entry, "create-column"))
    return;

  /* What was queued on something that will never exist goes with it. */
  l = self->entries.head;
  while (l != NULL)
    {
      Entry *dependent = l->data;

      l = l->next;

      if (depends_on (dependent, entry))
        {
          g_autoptr(Entry) owned = dependent;

          rollback (self, dependent, NULL);
          g_queue_remove (&self->entries, dependent);
          notify_n_pending (self);
          changed (self);
          g_signal_emit (self, signals[REJECTED], detail_of (dependent),
                         dependent->op, target_of (dependent), error);
        }
    }
}

/* A creation was confirmed: later ops name the server's id now. */
static void
adopt_server_id (Entry      *later,
                 Entry      *created,
                 const char *server_id,
                 gint64      version)
{
  char **target;
  const char *local_id;

  if (is_kind (created, "create"))
    {
      local_id = created->card;
      target = is_column_op (later) ? NULL : &later->card;
    }
  else
    {
      local_id = created->column;
      target = &later->column;
    }

  if (target != NULL && g_strcmp0 (*target, local_id) == 0)
    {
      g_free (*target);
      *target = g_strdup (server_id);
      /* An edit of the new entity is based on its first version. */
      if (later->base_version == 0 && is_column_op (later) == is_column_op (created))
        later->base_version = version;
    }

  if (g_strcmp0 (later->after, local_id) == 0 && is_column_op (later) == is_column_op (created))
    {
      g_free (later->after);
      later->after = g_strdup (server_id);
    }
}

static void
accept (TackOutbox *self,
        Entry      *entry,
        JsonObject *answer)
{
  const char *server_id = answer ? json_object_get_string_member_with_default (answer, "id", NULL) : NULL;
  gint64 version = answer ? json_object_get_int_member_with_default (answer, "version", 0) : 0;
  gboolean creation = is_kind (entry, "create") || is_kind (entry, "create-column");
  g_autofree char *op = g_strdup (entry->op);
  GQuark detail = detail_of (entry);

  if (is_column_op (entry))
    tack_store_settle_column_local (self->store, entry->op, answer);
  else
    tack_store_settle_local (self->store, entry->op, answer);

  for (const GList *l = self->entries.head; l; l = l->next)
    {
      Entry *later = l->data;

      if (later == entry)
        continue;

      if (creation && server_id != NULL)
        {
          adopt_server_id (later, entry, server_id, version);
        }
      else if (server_id != NULL && is_column_op (later) == is_column_op (entry) &&
               g_strcmp0 (target_of (later), server_id) == 0 &&
               later->base_version == entry->base_version && version == entry->base_version + 1)
        {
          /* Based on the same view as this one, and nobody else changed
           * it in between: based on our result now. */
          later->base_version = version;
        }
    }

  remove_entry (self, entry);
  g_signal_emit (self, signals[ACKNOWLEDGED], detail, op, answer);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(TackOutbox) self = g_weak_ref_get (user_data);
  g_autoptr(JsonObject) card = NULL;
  g_autoptr(GError) error = NULL;
  Entry *entry;

  g_weak_ref_clear (user_data);
  g_free (user_data);

  card = tack_api_write_finish (TACK_API (object), result, &error);

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  entry = g_steal_pointer (&self->in_flight);
  g_assert (entry != NULL);

  if (error == NULL)
    {
      self->attempt = 0;
      accept (self, entry, card);
    }
  else if (tack_api_error_is_transient (error) ||
           g_error_matches (error, TACK_API_ERROR, TACK_API_ERROR_UNAUTHORIZED) ||
           g_error_matches (error, TACK_API_ERROR, TACK_API_ERROR_FORBIDDEN))
    {
      /* Not this edit's fault: it stays, and goes again later. */
      schedule_retry (self, error);
      return;
    }
  else
    {
      g_debug ("Outbox: %s %s rejected: %s", entry->kind, entry->op, error->message);
      self->attempt = 0;
      reject (self, entry, error);
    }

  send_next (self);
}

static void
send_next (TackOutbox *self)
{
  GWeakRef *ref;
  Entry *entry;

  if (self->in_flight != NULL || self->retry_id != 0 || !self->restored ||
      g_queue_is_empty (&self->entries))
    return;

  entry = g_queue_peek_head (&self->entries);

  /* Not on disk yet: it goes when the journal write lands. */
  if (entry->generation > self->persisted)
    return;

  self->in_flight = entry;
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);

  g_debug ("Outbox: sending %s %s", entry->kind, entry->op);

  if (is_kind (entry, "create-column"))
    tack_api_create_column_async (self->api, entry->op, entry->title, entry->after,
                                  self->cancellable, sent_cb, ref);
  else if (is_kind (entry, "edit-column"))
    tack_api_update_column_async (self->api, entry->op, entry->column, entry->base_version,
                                  entry->fields, self->cancellable, sent_cb, ref);
  else if (is_kind (entry, "move-column"))
    tack_api_move_column_async (self->api, entry->op, entry->column, entry->base_version,
                                entry->after, self->cancellable, sent_cb, ref);
  else if (is_kind (entry, "delete-column"))
    tack_api_delete_column_async (self->api, entry->op, entry->column, self->cancellable,
                                  sent_cb, ref);
  else if (g_str_equal (entry->kind, "create"))
    tack_api_create_card_async (self->api, entry->op, entry->column, entry->title, entry->after,
                                self->cancellable, sent_cb, ref);
  else if (g_str_equal (entry->kind, "edit"))
    tack_api_update_card_async (self->api, entry->op, entry->card, entry->base_version,
                                entry->fields, self->cancellable, sent_cb, ref);
  else if (g_str_equal (entry->kind, "move"))
    tack_api_move_card_async (self->api, entry->op, entry->card, entry->base_version,
                              entry->column, entry->after, self->cancellable, sent_cb, ref);
  else
    tack_api_delete_card_async (self->api, entry->op, entry->card, self->cancellable,
                                sent_cb, ref);
}

/* Start-up: read the journal, re-apply it once the store has the board. */

static void
restore (TackOutbox *self)
{
  if (self->restored || !self->loaded ||
      tack_board_get_id (tack_store_get_board (self->store)) == NULL)
    return;

  g_clear_signal_handler (&self->loaded_handler, self->store);

  for (const GList *l = self->entries.head; l; l = l->next)
    {
      Entry *entry = l->data;
      g_autoptr(GError) error = NULL;

      /* Already gone here does not mean it reached the server: send it
       * anyway and let the server answer. */
      if (!tack_store_has_local (self->store, entry->op) && !apply_local (self, entry, &error))
        g_debug ("Outbox: cannot show %s %s again: %s", entry->kind, entry->op, error->message);
    }

  self->restored = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESTORED]);

  send_next (self);
}

/* Restored as soon as the first snapshot is in, from the load itself: an
 * idle callback could wait forever on a busy main loop, and the edits
 * with it. */
static void
on_snapshot_loaded (TackStore  *store,
                    TackOutbox *self)
{
  restore (self);
}

static void
journal_read_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  const char *path = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_task_return_pointer (task, g_strdup (""), g_free);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&contents), g_free);
}

static void
journal_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TackOutbox) self = g_weak_ref_get (user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GQueue loaded = G_QUEUE_INIT;

  g_weak_ref_clear (user_data);
  g_free (user_data);

  contents = g_task_propagate_pointer (G_TASK (result), &error);

  if (self == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;

  if (contents == NULL)
    g_warning ("Cannot read the outbox journal %s: %s", self->journal_path, error->message);

  lines = g_strsplit (contents ? contents : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      Entry *entry;

      if (*g_strstrip (lines[i]) == '\0')
        continue;

      /* A torn last line cannot happen with the atomic rewrite, but a
       * hand-edited or foreign file can: skip what is not an entry. */
      node = json_from_string (lines[i], NULL);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
          !(entry = entry_from_json (json_node_get_object (node))))
        {
          g_warning ("Skipping a malformed line in %s", self->journal_path);
          continue;
        }

      g_queue_push_tail (&loaded, entry);
    }

  g_debug ("Outbox: %u edits pending from the journal", loaded.length);

  /* Edits made before the journal was read come after the ones in it. */
  while (!g_queue_is_empty (&self->entries))
    g_queue_push_tail (&loaded, g_queue_pop_head (&self->entries));
  self->entries = loaded;

  for (const GList *l = self->entries.head; l; l = l->next)
    ((Entry *)l->data)->generation = self->generation + 1;

  self->loaded = TRUE;
  notify_n_pending (self);
  changed (self);
  restore (self);
}

static void
tack_outbox_constructed (GObject *object)
{
  TackOutbox *self = (TackOutbox *)object;
  g_autoptr(GTask) task = NULL;
  GWeakRef *ref;

  G_OBJECT_CLASS (tack_outbox_parent_class)->constructed (object);

  g_return_if_fail (TACK_IS_STORE (self->store));
  g_return_if_fail (TACK_IS_API (self->api));

  if (self->journal_path == NULL)
    {
      g_autofree char *name = g_strdup_printf ("outbox-%s.jsonl",
                                               tack_api_get_board_id (self->api) ?: "board");

      self->journal_path = g_build_filename (g_get_user_state_dir (), "tack", name, NULL);
    }

  self->loaded_handler = g_signal_connect (self->store, "snapshot-loaded",
                                           G_CALLBACK (on_snapshot_loaded), self);

  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  task = g_task_new (NULL, self->cancellable, journal_read_cb, ref);
  g_task_set_source_tag (task, tack_outbox_constructed);
  g_task_set_task_data (task, g_strdup (self->journal_path), g_free);
  g_task_run_in_thread (task, journal_read_thread);
}

static void
on_connection_state (TackConnection *connection,
                     GParamSpec     *pspec,
                     TackOutbox     *self)
{
  if (tack_connection_get_state (connection) == TACK_CONNECTION_LIVE)
    tack_outbox_flush (self);
}

static void
tack_outbox_dispose (GObject *object)
{
  TackOutbox *self = (TackOutbox *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_id, tack_net_source_remove);
  g_clear_handle_id (&self->journal_retry_id, tack_net_source_remove);

  if (self->store != NULL)
    g_clear_signal_handler (&self->loaded_handler, self->store);

  tack_outbox_set_connection (self, NULL);
  g_clear_object (&self->store);
  g_clear_object (&self->api);

  G_OBJECT_CLASS (tack_outbox_parent_class)->dispose (object);
}

static void
tack_outbox_finalize (GObject *object)
{
  TackOutbox *self = (TackOutbox *)object;

  g_queue_clear_full (&self->entries, (GDestroyNotify)entry_free);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->journal_path, g_free);

  G_OBJECT_CLASS (tack_outbox_parent_class)->finalize (object);
}

static void
tack_outbox_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TackOutbox *self = TACK_OUTBOX (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_API:
      g_value_set_object (value, self->api);
      break;

    case PROP_JOURNAL_PATH:
      g_value_set_string (value, self->journal_path);
      break;

    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;

    case PROP_N_PENDING:
      g_value_set_uint (value, tack_outbox_get_n_pending (self));
      break;

    case PROP_RESTORED:
      g_value_set_boolean (value, self->restored);
      break;

    case PROP_BACKOFF_BASE:
      g_value_set_uint (value, self->backoff_base);
      break;

    case PROP_BACKOFF_CAP:
      g_value_set_uint (value, self->backoff_cap);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_outbox_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  TackOutbox *self = TACK_OUTBOX (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_API:
      self->api = g_value_dup_object (value);
      break;

    case PROP_JOURNAL_PATH:
      self->journal_path = g_value_dup_string (value);
      break;

    case PROP_CONNECTION:
      tack_outbox_set_connection (self, g_value_get_object (value));
      break;

    case PROP_BACKOFF_BASE:
      if (self->backoff_base != g_value_get_uint (value))
        {
          self->backoff_base = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_BACKOFF_CAP:
      if (self->backoff_cap != g_value_get_uint (value))
        {
          self->backoff_cap = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_outbox_class_init (TackOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags tunable = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tack_outbox_constructed;
  object_class->dispose = tack_outbox_dispose;
  object_class->finalize = tack_outbox_finalize;
  object_class->get_property = tack_outbox_get_property;
  object_class->set_property = tack_outbox_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TACK_TYPE_STORE, construct);
  properties[PROP_API] =
    g_param_spec_object ("api", NULL, NULL, TACK_TYPE_API, construct);

  /**
   * TackOutbox:journal-path:
   *
   * Where pending edits are kept; by default
   * `$XDG_STATE_HOME/tack/outbox-<board>.jsonl`.
   */
  properties[PROP_JOURNAL_PATH] =
    g_param_spec_string ("journal-path", NULL, NULL, NULL, construct);

  /**
   * TackOutbox:connection:
   *
   * When set, pending edits go out again as soon as it is live.
   */
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, TACK_TYPE_CONNECTION, tunable);

  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TackOutbox:restored:
   *
   * The journal has been read and its edits shown again; sending starts.
   */
  properties[PROP_RESTORED] =
    g_param_spec_boolean ("restored", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_BACKOFF_BASE] =
    g_param_spec_uint ("backoff-base", NULL, NULL, 1, G_MAXINT, 1000, tunable);
  properties[PROP_BACKOFF_CAP] =
    g_param_spec_uint ("backoff-cap", NULL, NULL, 1, G_MAXINT, 30000, tunable);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  card_quark = g_quark_from_static_string ("card");
  column_quark = g_quark_from_static_string ("column");

  /**
   * TackOutbox::queued:
   * @op: the edit's op
   * @id: the card, or the column for an edit of a column (a local id for
   *   a creation)
   *
   * Detailed by what the edit is about: `queued::card`, `queued::column`.
   */
  signals[QUEUED] =
    g_signal_new ("queued",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * TackOutbox::acknowledged:
   * @op: the edit's op
   * @answer: (nullable): the card (or column) as the server answered
   *
   * Detailed like #TackOutbox::queued.
   */
  signals[ACKNOWLEDGED] =
    g_signal_new ("acknowledged",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);

  /**
   * TackOutbox::rejected:
   * @op: the edit's op
   * @id: the card it was about, or the column (`rejected::column`)
   * @error: the server's reason (a TACK_API_ERROR)
   *
   * The server refused an edit; the store shows the server's value again.
   * Detailed like #TackOutbox::queued.
   */
  signals[REJECTED] =
    g_signal_new ("rejected",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_ERROR);
}

static void
tack_outbox_init (TackOutbox *self)
{
  self->cancellable = g_cancellable_new ();
  self->backoff_base = 1000;
  self->backoff_cap = 30000;
  g_queue_init (&self->entries);
}

/**
 * tack_outbox_new:
 * @journal_path: (nullable): the journal file, or %NULL for the default
 */
TackOutbox *
tack_outbox_new (TackStore  *store,
                 TackApi    *api,
                 const char *journal_path)
{
  g_return_val_if_fail (TACK_IS_STORE (store), NULL);
  g_return_val_if_fail (TACK_IS_API (api), NULL);

  return g_object_new (TACK_TYPE_OUTBOX,
                       "store", store,
                       "api", api,
                       "journal-path", journal_path,
                       NULL);
}

const char *
tack_outbox_get_journal_path (TackOutbox *self)
{
  g_return_val_if_fail (TACK_IS_OUTBOX (self), NULL);

  return self->journal_path;
}

guint
tack_outbox_get_n_pending (TackOutbox *self)
{
  g_return_val_if_fail (TACK_IS_OUTBOX (self), 0);

  return self->entries.length;
}

gboolean
tack_outbox_get_restored (TackOutbox *self)
{
  g_return_val_if_fail (TACK_IS_OUTBOX (self), FALSE);

  return self->restored;
}

void
tack_outbox_set_connection (TackOutbox     *self,
                            TackConnection *connection)
{
  g_return_if_fail (TACK_IS_OUTBOX (self));
  g_return_if_fail (!connection || TACK_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);

  g_set_object (&self->connection, connection);

  if (connection != NULL)
    g_signal_connect (connection, "notify::state", G_CALLBACK (on_connection_state), self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

/**
 * tack_outbox_flush:
 *
 * Sends pending edits now instead of waiting out the retry backoff.
 */
void
tack_outbox_flush (TackOutbox *self)
{
  g_return_if_fail (TACK_IS_OUTBOX (self));

  g_clear_handle_id (&self->retry_id, tack_net_source_remove);
  self->attempt = 0;
  send_next (self);
}

/**
 * tack_outbox_create_card:
 * @after_card_id: (nullable): the card to place it after, or %NULL for first
 *
 * Returns: (transfer full): the card's local id, or %NULL with @error set
 */
char *
tack_outbox_create_card (TackOutbox  *self,
                         const char  *column_id,
                         const char  *title,
                         const char  *after_card_id,
                         GError     **error)
{
  Entry *entry;

  g_return_val_if_fail (TACK_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (column_id != NULL, NULL);

  entry = g_new0 (Entry, 1);
  entry->kind = g_strdup ("create");
  entry->column = g_strdup (column_id);
  entry->title = g_strdup (title);
  entry->after = g_strdup (after_card_id);

  return enqueue (self, entry, error);
}

/**
 * tack_outbox_edit_card:
 * @fields: any of title, description, labels, assignees and due
 *
 * Returns: (transfer full): the edit's op, or %NULL with @error set
 */
char *
tack_outbox_edit_card (TackOutbox  *self,
                       const char  *card_id,
                       JsonObject  *fields,
                       GError     **error)
{
  Entry *entry;

  g_return_val_if_fail (TACK_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (card_id != NULL, NULL);
  g_return_val_if_fail (fields != NULL, NULL);

  entry = g_new0 (Entry, 1);
  entry->kind = g_strdup ("edit");
  entry->card = g_strdup (card_id);
  entry->fields = json_object_ref (fields);
  entry->base_version = base_version_of (self, card_id);

  return enqueue (self, entry, error);
}

/**
 * tack_outbox_move_card:
 * @after_card_id: (nullable): the card to place it after, or %NULL for first
 *
 * Returns: (transfer full): the move's op, or %NULL with @error set
 */
char *
tack_outbox_move_card (TackOutbox  *self,
                       const char  *card_id,
                       const char  *column_id,
                       const char  *after_card_id,
                       GError     **error)
{
  Entry *entry;

  g_return_val_if_fail (TACK_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (card_id != NULL, NULL);
  g_return_val_if_fail (column_id != NULL, NULL);

  entry = g_new0 (Entry, 1);
  entry->kind = g_strdup ("move");
  entry->card = g_strdup (card_id);
  entry->column = g_strdup (column_id);
  entry->after = g_strdup (after_card_id);
  entry->base_version = base_version_of (self, card_id);

  return enqueue (self, entry, error);
}

/**
 * tack_outbox_delete_card:
 *
 * Returns: (transfer full): the deletion's op, or %NULL with @error set
 */
char *
tack_outbox_delete_card (TackOutbox  *self,
                         const char  *card_id,
                         GError     **error)
{
  Entry *entry;

  g_return_val_if_fail (TACK_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (card_id != NULL, NULL);

  entry = g_new0 (Entry, 1);
  entry->kind = g_strdup ("delete");
  entry->card = g_strdup (card_id);

  return enqueue (self, entry, error);
}

/**
 * tack_outbox_create_column:
 * @after_column_id: (nullable): the column to place it after, or %NULL
 *   for first
 *
 * Returns: (transfer full): the column's local id, or %NULL with @error set
 */
char *
tack_outbox_create_column (TackOutbox  *self,
                           const char  *title,
                           const char  *after_column_id,
                           GError     **error)
{
  Entry *entry;

  g_return_val_if_fail (TACK_IS_OUTBOX (self), NULL);

  entry = g_new0 (Entry, 1);
  entry->kind = g_strdup ("create-column");
  entry->title = g_strdup (title);
  entry->after = g_strdup (after_column_id);

  return enqueue (self, entry, error);
}

/**
 * tack_outbox_edit_column:
 * @fields: title and/or wip_limit
 *
 * Returns: (transfer full): the edit's op, or %NULL with @error set
 */
char *
tack_outbox_edit_column (TackOutbox  *self,
                         const char  *column_id,
                         JsonObject  *fields,
                         GError     **error)
{
  Entry *entry;

  g_return_val_if_fail (TACK_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (column_id != NULL, NULL);
  g_return_val_if_fail (fields != NULL, NULL);

  entry = g_new0 (Entry, 1);
  entry->kind = g_strdup ("edit-column");
  entry->column = g_strdup (column_id);
  entry->fields = json_object_ref (fields);
  entry->base_version = column_base_version_of (self, column_id);

  return enqueue (self, entry, error);
}

/**
 * tack_outbox_move_column:
 * @after_column_id: (nullable): the column to place it after, or %NULL
 *   for first
 *
 * Returns: (transfer full): the move's op, or %NULL with @error set
 */
char *
tack_outbox_move_column (TackOutbox  *self,
                         const char  *column_id,
                         const char  *after_column_id,
                         GError     **error)
{
  Entry *entry;

  g_return_val_if_fail (TACK_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (column_id != NULL, NULL);

  entry = g_new0 (Entry, 1);
  entry->kind = g_strdup ("move-column");
  entry->column = g_strdup (column_id);
  entry->after = g_strdup (after_column_id);
  entry->base_version = column_base_version_of (self, column_id);

  return enqueue (self, entry, error);
}

/**
 * tack_outbox_delete_column:
 *
 * Deletes the column and its cards.
 *
 * Returns: (transfer full): the deletion's op, or %NULL with @error set
 */
char *
tack_outbox_delete_column (TackOutbox  *self,
                           const char  *column_id,
                           GError     **error)
{
  Entry *entry;

  g_return_val_if_fail (TACK_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (column_id != NULL, NULL);

  entry = g_new0 (Entry, 1);
  entry->kind = g_strdup ("delete-column");
  entry->column = g_strdup (column_id);

  return enqueue (self, entry, error);
}
