/* tack-store.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The client's single source of truth for server state (DESIGN.md).
 *
 * The store is an identity map: one TackCard per card id and one
 * TackColumn per column id, living as long as the entity does, so a write
 * updates the object every widget is bound to instead of replacing it.
 *
 * For each card it keeps the last value the server gave (with its
 * version) and, on top of it, this client's optimistic writes that the
 * server has not confirmed yet. What the card object shows is always the
 * server value with those local writes replayed over it; a confirmation or
 * a rejection just drops a local write and replays the rest, so a pushed
 * change from someone else is never hidden by our pending one, nor ours by
 * theirs. Columns are kept the same way: a column created, renamed, moved
 * or deleted here shows (or hides) at once, pending, over the server's.
 *
 * Server values carry versions; anything older than what the store holds
 * (a slow refetch, a replayed event) is dropped. Invalidated entries are
 * refetched through the TackFetcher, one fetch per entry at a time.
 */

#define G_LOG_DOMAIN "tack-model"

#include "config.h"

#include <string.h>

#include "tack-board-private.h"
#include "tack-card-private.h"
#include "tack-column-private.h"
#include "tack-model-error.h"
#include "tack-position.h"
#include "tack-store.h"

/* A server that keeps answering with a version older than the one an
 * event announced is broken; stop asking after this many rounds. */
#define MAX_REFETCH_ROUNDS 5

typedef enum
{
  LOCAL_CREATE,
  LOCAL_EDIT,
  LOCAL_MOVE,
  LOCAL_DELETE,
} LocalKind;

typedef struct _CardEntry CardEntry;
typedef struct _ColumnEntry ColumnEntry;

/* One optimistic write, about either a card (entry) or a column
 * (column_entry). */
typedef struct
{
  char            *op;
  LocalKind        kind;
  JsonObject      *fields;         /* LOCAL_EDIT and LOCAL_MOVE */
  TackCardValue    created;        /* a card's LOCAL_CREATE */
  TackColumnValue  created_column; /* a column's LOCAL_CREATE */
  CardEntry       *entry;
  ColumnEntry     *column_entry;
  gint64           confirmed;      /* accepted at this version, which the
                                    * store does not hold yet; 0: pending */
} LocalOp;

struct _CardEntry
{
  TackCard      *card;
  TackCardValue  server;       /* server.id == NULL: not on the server yet */
  GQueue         local;        /* LocalOp*, oldest first */
  TackColumn    *listed_in;    /* the column whose list holds the card */
  gint64         event_seq;    /* seq of the event that wrote server */
  guint          shows_server : 1; /* the card shows exactly server */
};

/* Columns keep server value and local writes apart exactly like cards. */
struct _ColumnEntry
{
  TackColumn      *column;
  TackColumnValue  server;     /* server.id == NULL: not on the server yet */
  GQueue           local;      /* LocalOp*, oldest first */
  gint64           event_seq;
  guint            listed : 1; /* in the board's column list */
};

typedef struct
{
  gint64         wanted_version;
  guint          rounds;
  gboolean       again;
} CardFetch;

struct _TackStore
{
  GObject        parent_instance;

  TackBoard     *board;
  GHashTable    *cards;        /* id → CardEntry */
  GHashTable    *columns;      /* id → ColumnEntry */
  GHashTable    *tombstones;   /* card id → last known version (gint64*) */
  GHashTable    *column_tombstones; /* column id → last known version */
  GHashTable    *local_ops;    /* op → LocalOp (owned by its entry) */
  GHashTable    *card_fetches; /* card id → CardFetch */

  TackFetcher   *fetcher;
  GCancellable  *cancellable;

  guint          board_fetching : 1;
  guint          board_again : 1;
  guint          replacing : 1;    /* loading a snapshot that replaces */
};

G_DEFINE_FINAL_TYPE (TackStore, tack_store, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BOARD,
  PROP_FETCHER,
  PROP_N_PENDING,
  N_PROPS
};

enum {
  FETCH_FAILED,
  SNAPSHOT_LOADED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_card_fetch  (TackStore  *self,
                               const char *card_id);
static void start_board_fetch (TackStore  *self);

static void
local_op_free (LocalOp *lop)
{
  g_clear_pointer (&lop->op, g_free);
  g_clear_pointer (&lop->fields, json_object_unref);
  tack_card_value_clear (&lop->created);
  tack_column_value_clear (&lop->created_column);
  g_free (lop);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LocalOp, local_op_free)

static void
card_entry_free (CardEntry *entry)
{
  g_clear_object (&entry->card);
  tack_card_value_clear (&entry->server);
  g_queue_clear_full (&entry->local, (GDestroyNotify)local_op_free);
  g_free (entry);
}

static void
column_entry_free (ColumnEntry *entry)
{
  g_clear_object (&entry->column);
  tack_column_value_clear (&entry->server);
  g_queue_clear_full (&entry->local, (GDestroyNotify)local_op_free);
  g_free (entry);
}

static void
notify_n_pending (TackStore *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
}

/* What a card shows: the server value with local writes replayed on top.
 * Returns FALSE when there is nothing left to show at all (a local
 * creation that was rolled back). */
static gboolean
compute_display (CardEntry     *entry,
                 TackCardValue *value,
                 gboolean      *visible)
{
  gboolean have = FALSE;

  *visible = TRUE;

  if (entry->server.id != NULL)
    {
      tack_card_value_copy (value, &entry->server);
      have = TRUE;
    }

  for (const GList *l = entry->local.head; l; l = l->next)
    {
      LocalOp *lop = l->data;

      switch (lop->kind)
        {
        case LOCAL_CREATE:
          if (!have)
            {
              tack_card_value_copy (value, &lop->created);
              have = TRUE;
            }
          break;

        case LOCAL_EDIT:
        case LOCAL_MOVE:
          /* Fields were validated when the write was made. */
          if (have)
            tack_card_value_patch (value, lop->fields, NULL);
          break;

        case LOCAL_DELETE:
          *visible = FALSE;
          break;

        default:
          g_assert_not_reached ();
        }
    }

  if (have)
    {
      g_clear_pointer (&value->id, g_ref_string_release);
      value->id = g_ref_string_new (tack_card_get_id (entry->card));
    }

  return have;
}

/* Whether any of @local still waits for the server's answer. */
static gboolean
has_pending (GQueue *local)
{
  for (const GList *l = local->head; l; l = l->next)
    if (((LocalOp *)l->data)->confirmed == 0)
      return TRUE;

  return FALSE;
}

/* Drops the confirmed edits that the server value now covers, or with
 * @all every confirmed one (the server that confirmed them was replaced). */
static void
prune_confirmed (CardEntry *entry,
                 gboolean   all)
{
  GList *l = entry->local.head;

  while (l != NULL)
    {
      GList *next = l->next;
      LocalOp *lop = l->data;

      if (lop->confirmed != 0 && (all || lop->confirmed <= entry->server.version))
        {
          g_queue_delete_link (&entry->local, l);
          local_op_free (lop);
        }

      l = next;
    }
}

static void
unlist_card (CardEntry *entry)
{
  if (entry->listed_in == NULL)
    return;

  tack_ordered_list_remove (tack_column_get_card_list (entry->listed_in), entry->card);
  g_clear_object (&entry->listed_in);
}

static void
remove_card_entry (TackStore *self,
                   CardEntry *entry)
{
  g_autofree char *id = g_strdup (tack_card_get_id (entry->card));
  gboolean had_local = !g_queue_is_empty (&entry->local);
  gint64 *tomb;

  unlist_card (entry);

  for (const GList *l = entry->local.head; l; l = l->next)
    g_hash_table_remove (self->local_ops, ((LocalOp *)l->data)->op);

  if (entry->server.id != NULL)
    {
      tomb = g_new (gint64, 1);
      *tomb = entry->server.version;
      g_hash_table_replace (self->tombstones, g_strdup (id), tomb);
    }

  g_hash_table_remove (self->cards, id);

  if (had_local)
    notify_n_pending (self);
}

/* Brings the card object and its place in the column lists in line with
 * what the entry says it should show. */
/* @changed: the fields of the server value that just changed, when the
 * caller knows them exactly, or TACK_CARD_FIELD_ALL */
static void
reconcile_card_changed (TackStore      *self,
                        CardEntry      *entry,
                        TackCardFields  changed)
{
  g_auto(TackCardValue) composed = { 0 };
  const TackCardValue *value = &entry->server;
  ColumnEntry *target_entry;
  TackColumn *target = NULL;
  gboolean visible = TRUE;
  gboolean exact = FALSE;

  /* Nothing of ours on top (the usual case): the server value is what
   * shows, no copy needed; and if the card showed it before this change,
   * only the changed fields need looking at. */
  if (!g_queue_is_empty (&entry->local) || entry->server.id == NULL)
    {
      if (!compute_display (entry, &composed, &visible))
        {
          remove_card_entry (self, entry);
          return;
        }

      value = &composed;
    }
  else
    {
      exact = entry->shows_server && changed != TACK_CARD_FIELD_ALL;
    }

  if (!exact)
    changed = TACK_CARD_FIELD_ALL;

  /* Most writes keep the card in its column. */
  if (visible && entry->listed_in != NULL &&
      (!(changed & TACK_CARD_FIELD_COLUMN) ||
       g_strcmp0 (tack_column_get_id (entry->listed_in), value->column) == 0))
    target = entry->listed_in;
  else if (visible && (target_entry = g_hash_table_lookup (self->columns, value->column)))
    target = target_entry->column;

  /* Leave the list before the sort key changes, come back after: the view
   * sees exactly one removal and one insertion. */
  if (entry->listed_in != NULL &&
      (entry->listed_in != target ||
       ((changed & TACK_CARD_FIELD_POSITION) &&
        g_strcmp0 (tack_card_get_position (entry->card), value->position) != 0)))
    unlist_card (entry);

  if (exact)
    tack_card_apply_changes (entry->card, value, changed);
  else
    tack_card_apply_value (entry->card, value);
  entry->shows_server = value == &entry->server;
  tack_card_set_pending (entry->card, has_pending (&entry->local));

  if (target != NULL && entry->listed_in == NULL)
    {
      tack_ordered_list_insert (tack_column_get_card_list (target), entry->card);
      entry->listed_in = g_object_ref (target);
    }
}

static void
reconcile_card (TackStore *self,
                CardEntry *entry)
{
  reconcile_card_changed (self, entry, TACK_CARD_FIELD_ALL);
}

static void
set_card_state (TackStore      *self,
                const char     *card_id,
                TackEntryState  state)
{
  CardEntry *entry = g_hash_table_lookup (self->cards, card_id);

  if (entry != NULL)
    tack_card_set_state (entry->card, state);
}

/* A new server value is in entry->server: show it. */
static void
server_card_written (TackStore      *self,
                     CardEntry      *entry,
                     gint64          event_seq,
                     TackCardFields  changed)
{
  entry->event_seq = event_seq;
  prune_confirmed (entry, self->replacing);

  if (g_hash_table_size (self->card_fetches) == 0 ||
      g_hash_table_lookup (self->card_fetches, entry->server.id) == NULL)
    tack_card_set_state (entry->card, TACK_ENTRY_FRESH);

  reconcile_card_changed (self, entry, changed);
}

/* The entry for server card @id at @version, new if need be, or %NULL if
 * the store holds that version or a newer one (or deleted the card). */
static CardEntry *
card_entry_for_write (TackStore  *self,
                      const char *id,
                      gint64      version,
                      gint64      event_seq)
{
  CardEntry *entry = g_hash_table_lookup (self->cards, id);

  if (entry == NULL)
    {
      gint64 *tomb = g_hash_table_lookup (self->tombstones, id);

      if (tomb != NULL && version <= *tomb && !self->replacing)
        {
          g_debug ("Dropping card %s v%" G_GINT64_FORMAT ": deleted at v%" G_GINT64_FORMAT,
                   id, version, *tomb);
          return NULL;
        }

      g_hash_table_remove (self->tombstones, id);

      entry = g_new0 (CardEntry, 1);
      entry->card = tack_card_new (id);
      g_queue_init (&entry->local);
      g_hash_table_insert (self->cards, g_strdup (id), entry);
    }
  else if (entry->server.id != NULL && version <= entry->server.version &&
           !self->replacing)
    {
      /* Our own confirmation wrote this version already; remember which
       * event carried it, for the next snapshot's sake. */
      if (version == entry->server.version && event_seq > entry->event_seq)
        entry->event_seq = event_seq;

      g_debug ("Dropping card %s v%" G_GINT64_FORMAT ": store has v%" G_GINT64_FORMAT,
               id, version, entry->server.version);
      return NULL;
    }

  return entry;
}

/* Takes ownership of @value's contents. Returns TRUE if it was newer than
 * what the store held and was applied. */
static gboolean
write_card_value (TackStore     *self,
                  TackCardValue *value,
                  gint64         event_seq)
{
  CardEntry *entry = card_entry_for_write (self, value->id, value->version, event_seq);

  if (entry == NULL)
    {
      tack_card_value_clear (value);
      return FALSE;
    }

  tack_card_value_clear (&entry->server);
  entry->server = *value;
  memset (value, 0, sizeof *value);

  server_card_written (self, entry, event_seq, TACK_CARD_FIELD_ALL);

  return TRUE;
}

/* The same from an event's card, copying only what changed: the hot
 * path of the event stream. */
static gboolean
write_card_view (TackStore          *self,
                 const TackCardView *view,
                 gint64              event_seq)
{
  CardEntry *entry = card_entry_for_write (self, view->id, view->version, event_seq);
  TackCardFields changed;

  if (entry == NULL)
    return FALSE;

  if (entry->server.id != NULL)
    {
      changed = tack_card_value_update (&entry->server, view);
    }
  else
    {
      tack_card_value_set_view (&entry->server, view);
      changed = TACK_CARD_FIELD_ALL;
    }

  server_card_written (self, entry, event_seq, changed);

  return TRUE;
}

/* What a column shows: the server value with local writes replayed on
 * top, as for cards. */
static gboolean
compute_column_display (ColumnEntry     *entry,
                        TackColumnValue *value,
                        gboolean        *visible)
{
  gboolean have = FALSE;

  *visible = TRUE;

  if (entry->server.id != NULL)
    {
      tack_column_value_copy (value, &entry->server);
      have = TRUE;
    }

  for (const GList *l = entry->local.head; l; l = l->next)
    {
      LocalOp *lop = l->data;

      switch (lop->kind)
        {
        case LOCAL_CREATE:
          if (!have)
            {
              tack_column_value_copy (value, &lop->created_column);
              have = TRUE;
            }
          break;

        case LOCAL_EDIT:
        case LOCAL_MOVE:
          if (have)
            tack_column_value_patch (value, lop->fields, NULL);
          break;

        case LOCAL_DELETE:
          *visible = FALSE;
          break;

        default:
          g_assert_not_reached ();
        }
    }

  if (have)
    {
      g_free (value->id);
      value->id = g_strdup (tack_column_get_id (entry->column));
    }

  return have;
}

static void
unlist_column (TackStore   *self,
               ColumnEntry *entry)
{
  if (!entry->listed)
    return;

  tack_ordered_list_remove (tack_board_get_column_list (self->board), entry->column);
  entry->listed = FALSE;
}

static void remove_column_entry (TackStore   *self,
                                 ColumnEntry *entry);

/* Brings the column object and its place in the board's list in line
 * with what the entry says it should show. */
static void
reconcile_column (TackStore   *self,
                  ColumnEntry *entry)
{
  g_auto(TackColumnValue) value = { 0 };
  GHashTableIter iter;
  CardEntry *card_entry;
  gboolean visible;

  if (!compute_column_display (entry, &value, &visible))
    {
      remove_column_entry (self, entry);
      return;
    }

  /* Leave the list before the sort key changes, come back after. */
  if (entry->listed &&
      (!visible || g_strcmp0 (tack_column_get_position (entry->column), value.position) != 0))
    unlist_column (self, entry);

  tack_column_apply_value (entry->column, &value);
  tack_column_set_pending (entry->column, !g_queue_is_empty (&entry->local));

  if (!visible || entry->listed)
    return;

  tack_ordered_list_insert (tack_board_get_column_list (self->board), entry->column);
  entry->listed = TRUE;

  /* Cards can arrive before their column (a column created while we were
   * catching up); they wait unlisted until it shows. */
  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&card_entry))
    if (card_entry->listed_in == NULL &&
        g_strcmp0 (tack_card_get_column_id (card_entry->card), value.id) == 0)
      reconcile_card (self, card_entry);
}

/* Takes ownership of @value's contents. Returns TRUE if it was newer than
 * what the store held and was applied. */
static gboolean
write_column_value (TackStore       *self,
                    TackColumnValue *value,
                    gint64           event_seq)
{
  ColumnEntry *entry = g_hash_table_lookup (self->columns, value->id);

  if (entry == NULL)
    {
      gint64 *tomb = g_hash_table_lookup (self->column_tombstones, value->id);

      if (tomb != NULL && value->version <= *tomb && !self->replacing)
        {
          g_debug ("Dropping column %s v%" G_GINT64_FORMAT ": deleted at v%" G_GINT64_FORMAT,
                   value->id, value->version, *tomb);
          tack_column_value_clear (value);
          return FALSE;
        }

      g_hash_table_remove (self->column_tombstones, value->id);

      entry = g_new0 (ColumnEntry, 1);
      entry->column = tack_column_new (value->id);
      g_queue_init (&entry->local);
      g_hash_table_insert (self->columns, g_strdup (value->id), entry);
    }
  else if (entry->server.id != NULL && value->version <= entry->server.version &&
           !self->replacing)
    {
      if (value->version == entry->server.version && event_seq > entry->event_seq)
        entry->event_seq = event_seq;

      g_debug ("Dropping column %s v%" G_GINT64_FORMAT ": store has v%" G_GINT64_FORMAT,
               value->id, value->version, entry->server.version);
      tack_column_value_clear (value);
      return FALSE;
    }

  tack_column_value_clear (&entry->server);
  entry->server = *value;
  memset (value, 0, sizeof *value);
  entry->event_seq = event_seq;

  tack_column_set_state (entry->column, TACK_ENTRY_FRESH);
  reconcile_column (self, entry);

  return TRUE;
}

static gboolean
write_board_value (TackStore      *self,
                   TackBoardValue *value)
{
  const char *id = tack_board_get_id (self->board);

  if (id != NULL && g_strcmp0 (id, value->id) != 0)
    {
      g_debug ("Ignoring board %s: store holds board %s", value->id, id);
      return FALSE;
    }

  if (id != NULL && value->version <= tack_board_get_version (self->board) && !self->replacing)
    return FALSE;

  tack_board_apply_value (self->board, value);
  tack_board_set_state (self->board, TACK_ENTRY_FRESH);

  return TRUE;
}

/* The column is gone (the server deleted it, or a local creation was
 * undone). The server deleted its cards with it; a card of another column
 * that only this client's pending move put here waits unlisted for the
 * move's answer. */
static void
remove_column_entry (TackStore   *self,
                     ColumnEntry *entry)
{
  g_autofree char *id = g_strdup (tack_column_get_id (entry->column));
  g_autoptr(GPtrArray) doomed = g_ptr_array_new ();
  gboolean had_local = !g_queue_is_empty (&entry->local);
  GHashTableIter iter;
  CardEntry *card_entry;

  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&card_entry))
    {
      if (g_strcmp0 (card_entry->server.column, id) == 0 ||
          (card_entry->server.id == NULL && card_entry->listed_in == entry->column))
        g_ptr_array_add (doomed, card_entry);
      else if (card_entry->listed_in == entry->column)
        unlist_card (card_entry);
    }

  for (guint i = 0; i < doomed->len; i++)
    remove_card_entry (self, g_ptr_array_index (doomed, i));

  for (const GList *l = entry->local.head; l; l = l->next)
    g_hash_table_remove (self->local_ops, ((LocalOp *)l->data)->op);

  if (entry->server.id != NULL)
    {
      gint64 *tomb = g_new (gint64, 1);

      *tomb = entry->server.version;
      g_hash_table_replace (self->column_tombstones, g_strdup (id), tomb);
    }

  unlist_column (self, entry);
  g_hash_table_remove (self->columns, id);

  if (had_local)
    notify_n_pending (self);
}

static gboolean
remove_column (TackStore  *self,
               const char *column_id)
{
  ColumnEntry *entry = g_hash_table_lookup (self->columns, column_id);

  if (entry == NULL)
    return FALSE;

  remove_column_entry (self, entry);

  return TRUE;
}

static void
clear_all (TackStore *self)
{
  g_autoptr(GList) ids = g_hash_table_get_keys (self->columns);
  g_autoptr(GPtrArray) cards = g_ptr_array_new ();
  GHashTableIter iter;
  CardEntry *entry;

  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&entry))
    g_ptr_array_add (cards, entry);
  for (guint i = 0; i < cards->len; i++)
    remove_card_entry (self, g_ptr_array_index (cards, i));

  for (const GList *l = ids; l; l = l->next)
    remove_column (self, l->data);

  g_hash_table_remove_all (self->tombstones);
  g_hash_table_remove_all (self->column_tombstones);
  g_hash_table_remove_all (self->card_fetches);
}

static void
tack_store_dispose (GObject *object)
{
  TackStore *self = (TackStore *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->fetcher);

  if (self->local_ops != NULL)
    g_hash_table_remove_all (self->local_ops);
  if (self->cards != NULL)
    g_hash_table_remove_all (self->cards);
  if (self->columns != NULL)
    g_hash_table_remove_all (self->columns);

  g_clear_object (&self->board);

  G_OBJECT_CLASS (tack_store_parent_class)->dispose (object);
}

static void
tack_store_finalize (GObject *object)
{
  TackStore *self = (TackStore *)object;

  g_clear_pointer (&self->local_ops, g_hash_table_unref);
  g_clear_pointer (&self->cards, g_hash_table_unref);
  g_clear_pointer (&self->columns, g_hash_table_unref);
  g_clear_pointer (&self->tombstones, g_hash_table_unref);
  g_clear_pointer (&self->column_tombstones, g_hash_table_unref);
  g_clear_pointer (&self->card_fetches, g_hash_table_unref);

  G_OBJECT_CLASS (tack_store_parent_class)->finalize (object);
}

static void
tack_store_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  TackStore *self = TACK_STORE (object);

  switch (prop_id)
    {
    case PROP_BOARD:
      g_value_set_object (value, self->board);
      break;

    case PROP_FETCHER:
      g_value_set_object (value, self->fetcher);
      break;

    case PROP_N_PENDING:
      g_value_set_uint (value, tack_store_get_n_pending (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_store_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  TackStore *self = TACK_STORE (object);

  switch (prop_id)
    {
    case PROP_FETCHER:
      tack_store_set_fetcher (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_store_class_init (TackStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tack_store_dispose;
  object_class->finalize = tack_store_finalize;
  object_class->get_property = tack_store_get_property;
  object_class->set_property = tack_store_set_property;

  properties[PROP_BOARD] =
    g_param_spec_object ("board", NULL, NULL,
                         TACK_TYPE_BOARD,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_FETCHER] =
    g_param_spec_object ("fetcher", NULL, NULL,
                         TACK_TYPE_FETCHER,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TackStore::fetch-failed:
   * @card_id: (nullable): the card, or %NULL for the board snapshot
   * @error: why
   *
   * A refetch failed; the entry keeps its last good value in state
   * %TACK_ENTRY_ERROR.
   */
  /**
   * TackStore::snapshot-loaded:
   *
   * A board snapshot was loaded, whole: the board, its columns and its
   * cards are in.
   */
  signals[SNAPSHOT_LOADED] =
    g_signal_new ("snapshot-loaded",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  signals[FETCH_FAILED] =
    g_signal_new ("fetch-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
}

static void
tack_store_init (TackStore *self)
{
  self->board = tack_board_new ();
  self->cards = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify)card_entry_free);
  self->columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)column_entry_free);
  self->tombstones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->column_tombstones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->local_ops = g_hash_table_new (g_str_hash, g_str_equal);
  self->card_fetches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->cancellable = g_cancellable_new ();
}

TackStore *
tack_store_new (void)
{
  return g_object_new (TACK_TYPE_STORE, NULL);
}

/**
 * tack_store_get_board:
 *
 * Returns: (transfer none): the board; the same object for the store's life
 */
TackBoard *
tack_store_get_board (TackStore *self)
{
  g_return_val_if_fail (TACK_IS_STORE (self), NULL);

  return self->board;
}

/**
 * tack_store_lookup_card:
 *
 * Returns: (transfer none) (nullable): the one card object for @card_id
 */
TackCard *
tack_store_lookup_card (TackStore  *self,
                        const char *card_id)
{
  CardEntry *entry;

  g_return_val_if_fail (TACK_IS_STORE (self), NULL);
  g_return_val_if_fail (card_id != NULL, NULL);

  entry = g_hash_table_lookup (self->cards, card_id);

  return entry ? entry->card : NULL;
}

/**
 * tack_store_lookup_column:
 *
 * Returns: (transfer none) (nullable): the one column object for @column_id
 */
TackColumn *
tack_store_lookup_column (TackStore  *self,
                          const char *column_id)
{
  ColumnEntry *entry;

  g_return_val_if_fail (TACK_IS_STORE (self), NULL);
  g_return_val_if_fail (column_id != NULL, NULL);

  entry = g_hash_table_lookup (self->columns, column_id);

  return entry ? entry->column : NULL;
}

/**
 * tack_store_get_fetcher:
 *
 * Returns: (transfer none) (nullable): where invalidated entries are refetched
 */
TackFetcher *
tack_store_get_fetcher (TackStore *self)
{
  g_return_val_if_fail (TACK_IS_STORE (self), NULL);

  return self->fetcher;
}

void
tack_store_set_fetcher (TackStore   *self,
                        TackFetcher *fetcher)
{
  g_return_if_fail (TACK_IS_STORE (self));
  g_return_if_fail (!fetcher || TACK_IS_FETCHER (fetcher));

  if (g_set_object (&self->fetcher, fetcher))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FETCHER]);
}

guint
tack_store_get_n_pending (TackStore *self)
{
  g_return_val_if_fail (TACK_IS_STORE (self), 0);

  return g_hash_table_size (self->local_ops);
}

gboolean
tack_store_write_card (TackStore   *self,
                       JsonObject  *card,
                       GError     **error)
{
  g_auto(TackCardValue) value = { 0 };

  g_return_val_if_fail (TACK_IS_STORE (self), FALSE);
  g_return_val_if_fail (card != NULL, FALSE);

  if (!tack_card_value_parse (&value, card, error))
    return FALSE;

  write_card_value (self, &value, 0);

  return TRUE;
}

gboolean
tack_store_write_column (TackStore   *self,
                         JsonObject  *column,
                         GError     **error)
{
  g_auto(TackColumnValue) value = { 0 };

  g_return_val_if_fail (TACK_IS_STORE (self), FALSE);
  g_return_val_if_fail (column != NULL, FALSE);

  if (!tack_column_value_parse (&value, column, error))
    return FALSE;

  write_column_value (self, &value, 0);

  return TRUE;
}

gboolean
tack_store_write_board (TackStore   *self,
                        JsonObject  *board,
                        GError     **error)
{
  g_auto(TackBoardValue) value = { 0 };

  g_return_val_if_fail (TACK_IS_STORE (self), FALSE);
  g_return_val_if_fail (board != NULL, FALSE);

  if (!tack_board_value_parse (&value, board, error))
    return FALSE;

  write_board_value (self, &value);

  return TRUE;
}

gboolean
tack_store_remove_card (TackStore  *self,
                        const char *card_id)
{
  CardEntry *entry;

  g_return_val_if_fail (TACK_IS_STORE (self), FALSE);
  g_return_val_if_fail (card_id != NULL, FALSE);

  if (!(entry = g_hash_table_lookup (self->cards, card_id)))
    return FALSE;

  remove_card_entry (self, entry);

  return TRUE;
}

gboolean
tack_store_remove_column (TackStore  *self,
                          const char *column_id)
{
  g_return_val_if_fail (TACK_IS_STORE (self), FALSE);
  g_return_val_if_fail (column_id != NULL, FALSE);

  return remove_column (self, column_id);
}

static gboolean
parse_value_array (JsonObject  *object,
                   const char  *member,
                   GArray      *values,
                   gboolean   (*parse) (gpointer, JsonObject *, GError **),
                   GError     **error)
{
  JsonArray *array;
  guint n;

  if (!(array = tack_json_get_array (object, member, error)))
    return FALSE;

  n = json_array_get_length (array);
  g_array_set_size (values, n);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr(GError) local_error = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID,
                       "“%s” must hold objects", member);
          return FALSE;
        }

      if (!parse (&g_array_index (values, char, i * g_array_get_element_size (values)),
                  json_node_get_object (node), &local_error))
        {
          g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID,
                       "%s[%u]: %s", member, i, local_error->message);
          return FALSE;
        }
    }

  return TRUE;
}

static JsonObject *
require_object (JsonNode    *node,
                const char  *what,
                GError     **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID,
                   "%s must be a JSON object", what);
      return NULL;
    }

  return json_node_get_object (node);
}

static gboolean
load_snapshot (TackStore  *self,
               JsonNode   *snapshot,
               gboolean    replace,
               GError    **error)
{
  g_auto(TackBoardValue) board = { 0 };
  g_autoptr(GArray) columns = NULL;
  g_autoptr(GArray) cards = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GPtrArray) doomed = NULL;
  g_autoptr(GPtrArray) frozen = NULL;
  GHashTableIter iter;
  const char *current_id;
  JsonObject *root;
  JsonObject *board_object;
  gpointer key, value;
  gint64 seq;

  g_assert (TACK_IS_STORE (self));

  /* Validate everything before touching anything. */
  columns = g_array_new (FALSE, TRUE, sizeof (TackColumnValue));
  g_array_set_clear_func (columns, (GDestroyNotify)tack_column_value_clear);
  cards = g_array_new (FALSE, TRUE, sizeof (TackCardValue));
  g_array_set_clear_func (cards, (GDestroyNotify)tack_card_value_clear);

  if (!(root = require_object (snapshot, "A board snapshot", error)) ||
      !(board_object = tack_json_get_object (root, "board", error)) ||
      !tack_board_value_parse (&board, board_object, error) ||
      !tack_json_get_int (root, "seq", &seq, error) ||
      !parse_value_array (root, "columns", columns,
                          (gpointer)tack_column_value_parse, error) ||
      !parse_value_array (root, "cards", cards,
                          (gpointer)tack_card_value_parse, error))
    return FALSE;

  for (guint i = 0; i < columns->len; i++)
    if (g_strcmp0 (g_array_index (columns, TackColumnValue, i).board, board.id) != 0)
      {
        g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID,
                     "Column “%s” belongs to another board",
                     g_array_index (columns, TackColumnValue, i).id);
        return FALSE;
      }

  /* A different board replaces everything. */
  current_id = tack_board_get_id (self->board);
  if (current_id != NULL && g_strcmp0 (current_id, board.id) != 0)
    {
      clear_all (self);
      tack_board_reset (self->board);
    }

  /* Replacing, nothing the store holds is newer than the snapshot: not
   * its versions, not its tombstones, not the events that wrote it. */
  self->replacing = replace;
  if (replace)
    {
      g_hash_table_remove_all (self->tombstones);
      g_hash_table_remove_all (self->column_tombstones);
    }

  write_board_value (self, &board);

  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < columns->len; i++)
    {
      TackColumnValue *v = &g_array_index (columns, TackColumnValue, i);

      g_hash_table_add (seen, g_strdup (v->id));
      write_column_value (self, v, 0);
    }

  /* Entities missing from the snapshot are gone, unless an event newer
   * than the snapshot wrote them. */
  doomed = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_iter_init (&iter, self->columns);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ColumnEntry *entry = value;

      if (entry->server.id != NULL &&
          !g_hash_table_contains (seen, key) &&
          (replace || entry->event_seq <= seq))
        g_ptr_array_add (doomed, g_strdup (key));
    }
  for (guint i = 0; i < doomed->len; i++)
    remove_column (self, g_ptr_array_index (doomed, i));

  g_hash_table_remove_all (seen);
  g_ptr_array_set_size (doomed, 0);

  /* The columns' lists report the cards as one change each, at the end:
   * a view bound to a column then lays it out once, not once a card. */
  frozen = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_iter_init (&iter, self->columns);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      TackOrderedList *list = tack_column_get_card_list (((ColumnEntry *)value)->column);

      tack_ordered_list_freeze (list);
      g_ptr_array_add (frozen, g_object_ref (list));
    }

  for (guint i = 0; i < cards->len; i++)
    {
      TackCardValue *v = &g_array_index (cards, TackCardValue, i);

      g_hash_table_add (seen, g_strdup (v->id));
      write_card_value (self, v, 0);
    }

  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      CardEntry *entry = value;

      if (entry->server.id != NULL &&
          !g_hash_table_contains (seen, key) &&
          (replace || entry->event_seq <= seq))
        g_ptr_array_add (doomed, g_strdup (key));
    }
  for (guint i = 0; i < doomed->len; i++)
    tack_store_remove_card (self, g_ptr_array_index (doomed, i));

  for (guint i = 0; i < frozen->len; i++)
    tack_ordered_list_thaw (g_ptr_array_index (frozen, i));

  /* An ordinary snapshot older than the events applied since cannot take
   * the store back; a replacing one can, down to a lower seq when the
   * server was restored from a backup. */
  if (replace || seq > tack_board_get_seq (self->board))
    tack_board_set_seq (self->board, seq);

  self->replacing = FALSE;

  tack_board_set_state (self->board, TACK_ENTRY_FRESH);

  g_signal_emit (self, signals[SNAPSHOT_LOADED], 0);

  return TRUE;
}

/**
 * tack_store_load_snapshot:
 * @snapshot: `{"board", "columns", "cards", "seq"}`
 *
 * Loads a board snapshot, keeping every object. Anything the store holds
 * that is newer than the snapshot (a pushed event it missed, a higher
 * version) stays: a slow refetch never takes the store back, and the
 * board's seq only goes up. See tack_store_reload_snapshot() for a
 * snapshot that must replace the store's state.
 *
 * Returns: %FALSE with @error set if @snapshot is malformed; nothing changed
 */
gboolean
tack_store_load_snapshot (TackStore  *self,
                          JsonNode   *snapshot,
                          GError    **error)
{
  g_return_val_if_fail (TACK_IS_STORE (self), FALSE);

  return load_snapshot (self, snapshot, FALSE, error);
}

/**
 * tack_store_reload_snapshot:
 * @snapshot: `{"board", "columns", "cards", "seq"}`
 *
 * Loads a snapshot that replaces what the store holds: the one reloaded
 * after the event stream said `reset`, with every event held until it is
 * in. The server is the truth even where it went back in time (restored
 * from a backup): older versions are taken, entities missing from it go
 * whatever events wrote them, deleted ones may come back, and the
 * board's seq becomes the snapshot's, lower or not. Objects are kept,
 * and so are this client's pending writes, shown on top.
 *
 * Returns: %FALSE with @error set if @snapshot is malformed; nothing changed
 */
gboolean
tack_store_reload_snapshot (TackStore  *self,
                            JsonNode   *snapshot,
                            GError    **error)
{
  g_return_val_if_fail (TACK_IS_STORE (self), FALSE);

  return load_snapshot (self, snapshot, TRUE, error);
}

/* Events (PROTOCOL.md's table). Each event is validated completely before
 * the store changes, so a malformed one leaves it untouched. */

typedef enum
{
  EVENT_WRITE_CARD,
  EVENT_REMOVE_CARD,
  EVENT_INVALIDATE_CARD,
  EVENT_WRITE_COLUMN,
  EVENT_REMOVE_COLUMN,
  EVENT_WRITE_BOARD,
  EVENT_INVALIDATE_BOARD,
} EventAction;

typedef struct
{
  EventAction      action;
  gint64           seq;
  const char      *op;
  const char      *id;
  gint64           version;
  TackCardView     card;      /* borrowed from the event */
  TackColumnValue  column;
  TackBoardValue   board;
} ParsedEvent;

static void
parsed_event_clear (ParsedEvent *event)
{
  tack_column_value_clear (&event->column);
  tack_board_value_clear (&event->board);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ParsedEvent, parsed_event_clear)

enum {
  EVENT_SEQ,
  EVENT_TYPE,
  EVENT_OP,
  EVENT_ACTOR,
  EVENT_DATA,
  N_EVENT_MEMBERS
};

/* Which of an event's members @name is, or -1. */
static int
event_member (const char *name)
{
  switch (name[0])
    {
    case 's': return g_str_equal (name, "seq") ? EVENT_SEQ : -1;
    case 't': return g_str_equal (name, "type") ? EVENT_TYPE : -1;
    case 'o': return g_str_equal (name, "op") ? EVENT_OP : -1;
    case 'a': return g_str_equal (name, "actor") ? EVENT_ACTOR : -1;
    case 'd': return g_str_equal (name, "data") ? EVENT_DATA : -1;
    default: return -1;
    }
}

static gboolean
parse_event (JsonNode     *node,
             ParsedEvent  *event,
             GError      **error)
{
  JsonNode *nodes[N_EVENT_MEMBERS] = { NULL };
  JsonObjectIter iter;
  JsonObject *root;
  JsonObject *data;
  JsonObject *inner;
  const char *type;
  const char *actor;
  const char *name;
  JsonNode *member;

  if (!(root = require_object (node, "An event", error)))
    return FALSE;

  /* One pass over the envelope's members rather than a hash lookup for
   * each: every event comes through here. */
  json_object_iter_init (&iter, root);
  while (json_object_iter_next (&iter, &name, &member))
    {
      int which = event_member (name);

      if (which >= 0)
        nodes[which] = member;
    }

  if (!tack_json_node_get_int (nodes[EVENT_SEQ], "seq", &event->seq, error) ||
      !tack_json_node_get_string (nodes[EVENT_TYPE], "type", FALSE, &type, error) ||
      !tack_json_node_get_string (nodes[EVENT_OP], "op", TRUE, &event->op, error) ||
      !tack_json_node_get_string (nodes[EVENT_ACTOR], "actor", TRUE, &actor, error))
    return FALSE;

  if (event->seq < 1)
    {
      g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID,
                   "“seq” must be positive");
      return FALSE;
    }

  if (g_str_equal (type, "card.created") || g_str_equal (type, "card.moved"))
    {
      event->action = EVENT_WRITE_CARD;
      return (data = tack_json_node_get_object (nodes[EVENT_DATA], "data", error)) &&
             (inner = tack_json_get_object (data, "card", error)) &&
             tack_card_view_parse (&event->card, inner, error);
    }

  if (g_str_equal (type, "card.deleted"))
    {
      event->action = EVENT_REMOVE_CARD;
      return (data = tack_json_node_get_object (nodes[EVENT_DATA], "data", error)) &&
             tack_json_get_string (data, "id", FALSE, &event->id, error);
    }

  if (g_str_equal (type, "card.updated"))
    {
      event->action = EVENT_INVALIDATE_CARD;
      return (data = tack_json_node_get_object (nodes[EVENT_DATA], "data", error)) &&
             tack_json_get_string (data, "id", FALSE, &event->id, error) &&
             tack_json_get_int (data, "version", &event->version, error);
    }

  if (g_str_equal (type, "column.created") || g_str_equal (type, "column.updated"))
    {
      event->action = EVENT_WRITE_COLUMN;
      return (data = tack_json_node_get_object (nodes[EVENT_DATA], "data", error)) &&
             (inner = tack_json_get_object (data, "column", error)) &&
             tack_column_value_parse (&event->column, inner, error);
    }

  if (g_str_equal (type, "column.deleted"))
    {
      event->action = EVENT_REMOVE_COLUMN;
      return (data = tack_json_node_get_object (nodes[EVENT_DATA], "data", error)) &&
             tack_json_get_string (data, "id", FALSE, &event->id, error);
    }

  if (g_str_equal (type, "board.updated"))
    {
      event->action = EVENT_WRITE_BOARD;
      return (data = tack_json_node_get_object (nodes[EVENT_DATA], "data", error)) &&
             (inner = tack_json_get_object (data, "board", error)) &&
             tack_board_value_parse (&event->board, inner, error);
    }

  /* board.reset, and any type this client does not know: the safe
   * default is to refetch the whole board. */
  event->action = EVENT_INVALIDATE_BOARD;
  return TRUE;
}

static void settle (TackStore  *self,
                    LocalOp    *lop,
                    JsonObject *answer);
static LocalOp *take_local (TackStore  *self,
                            const char *op);

/* Our own card.updated: the server accepted the edit at @version, but the
 * event does not carry the card. Settling now would show the old server
 * value until the refetch lands, so the edit stays shown, no longer
 * pending, until the store holds @version or newer. */
static void
confirm_local (TackStore  *self,
               const char *op,
               gint64      version)
{
  LocalOp *lop = g_hash_table_lookup (self->local_ops, op);

  if (lop == NULL)
    return;

  if (lop->entry == NULL || lop->kind != LOCAL_EDIT ||
      lop->entry->server.id == NULL || lop->entry->server.version >= version)
    {
      g_autoptr(LocalOp) taken = take_local (self, op);

      settle (self, taken, NULL);
      return;
    }

  lop->confirmed = version;
  g_hash_table_remove (self->local_ops, op);
  notify_n_pending (self);
  reconcile_card (self, lop->entry);
}

/**
 * tack_store_apply_event:
 * @event: one event envelope (`{"seq", "type", "op", "actor", "data"}`)
 *
 * Applies an event as PROTOCOL.md's table says: write, remove or
 * invalidate. An event whose `seq` the store already reflects is ignored;
 * one carrying an `op` of this client's pending writes settles that write
 * instead of being applied twice. Ordering and gaps are the caller's
 * business (the dispatcher).
 *
 * Returns: %FALSE with @error set if @event is malformed; nothing changed
 */
gboolean
tack_store_apply_event (TackStore  *self,
                        JsonNode   *event,
                        GError    **error)
{
  g_auto(ParsedEvent) parsed = { 0 };
  gboolean own;

  g_return_val_if_fail (TACK_IS_STORE (self), FALSE);

  if (!parse_event (event, &parsed, error))
    return FALSE;

  if (parsed.seq <= tack_board_get_seq (self->board))
    {
      g_debug ("Ignoring event %" G_GINT64_FORMAT ": already at %" G_GINT64_FORMAT,
               parsed.seq, tack_board_get_seq (self->board));
      return TRUE;
    }

  own = parsed.op != NULL && g_hash_table_contains (self->local_ops, parsed.op);

  switch (parsed.action)
    {
    case EVENT_WRITE_CARD:
      if (own)
        {
          /* The event is the confirmation: settle, then write with the
           * event's seq so a later snapshot knows how new it is. */
          JsonObject *root = json_node_get_object (event);
          JsonObject *data = json_object_get_object_member (root, "data");

          tack_store_settle_local (self, parsed.op, json_object_get_object_member (data, "card"));
        }
      write_card_view (self, &parsed.card, parsed.seq);
      break;

    case EVENT_REMOVE_CARD:
      if (own)
        tack_store_settle_local (self, parsed.op, NULL);
      tack_store_remove_card (self, parsed.id);
      break;

    case EVENT_INVALIDATE_CARD:
      if (own)
        confirm_local (self, parsed.op, parsed.version);
      tack_store_invalidate_card (self, parsed.id, parsed.version);
      break;

    case EVENT_WRITE_COLUMN:
      if (own)
        {
          JsonObject *root = json_node_get_object (event);
          JsonObject *data = json_object_get_object_member (root, "data");

          tack_store_settle_column_local (self, parsed.op,
                                          json_object_get_object_member (data, "column"));
        }
      write_column_value (self, &parsed.column, parsed.seq);
      break;

    case EVENT_REMOVE_COLUMN:
      if (own)
        tack_store_settle_column_local (self, parsed.op, NULL);
      remove_column (self, parsed.id);
      break;

    case EVENT_WRITE_BOARD:
      write_board_value (self, &parsed.board);
      break;

    case EVENT_INVALIDATE_BOARD:
      tack_store_invalidate_board (self);
      break;

    default:
      g_assert_not_reached ();
    }

  tack_board_set_seq (self->board, parsed.seq);

  return TRUE;
}

/* Invalidation and refetching. */

typedef struct
{
  GWeakRef  store;
  char     *card_id;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_weak_ref_clear (&data->store);
  g_free (data->card_id);
  g_free (data);
}

static FetchData *
fetch_data_new (TackStore  *self,
                const char *card_id)
{
  FetchData *data = g_new0 (FetchData, 1);

  g_weak_ref_init (&data->store, self);
  data->card_id = g_strdup (card_id);

  return data;
}

static void
card_fetched_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  FetchData *data = user_data;
  g_autoptr(TackStore) self = g_weak_ref_get (&data->store);
  g_autoptr(JsonObject) card = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(TackCardValue) value = { 0 };
  CardFetch *fetch;
  CardEntry *entry;

  card = tack_fetcher_fetch_card_finish (TACK_FETCHER (object), result, &error);

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    goto out;

  if (!(fetch = g_hash_table_lookup (self->card_fetches, data->card_id)))
    goto out;

  if (card != NULL && !tack_card_value_parse (&value, card, &error))
    g_clear_pointer (&card, json_object_unref);

  if (card == NULL)
    {
      g_hash_table_remove (self->card_fetches, data->card_id);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          tack_store_remove_card (self, data->card_id);
        }
      else
        {
          g_debug ("Refetching card %s failed: %s", data->card_id, error->message);
          set_card_state (self, data->card_id, TACK_ENTRY_ERROR);
          g_signal_emit (self, signals[FETCH_FAILED], 0, data->card_id, error);
        }
      goto out;
    }

  if (g_strcmp0 (value.id, data->card_id) != 0)
    {
      g_autoptr(GError) mismatch =
        g_error_new (TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID,
                     "Asked for card %s, got %s", data->card_id, value.id);

      g_hash_table_remove (self->card_fetches, data->card_id);
      set_card_state (self, data->card_id, TACK_ENTRY_ERROR);
      g_signal_emit (self, signals[FETCH_FAILED], 0, data->card_id, mismatch);
      goto out;
    }

  write_card_value (self, &value, 0);

  entry = g_hash_table_lookup (self->cards, data->card_id);

  /* Something changed again while we were asking: one more round. */
  if ((fetch->again ||
       (entry != NULL && entry->server.version < fetch->wanted_version)) &&
      fetch->rounds < MAX_REFETCH_ROUNDS)
    {
      fetch->again = FALSE;
      start_card_fetch (self, data->card_id);
    }
  else
    {
      g_hash_table_remove (self->card_fetches, data->card_id);
      set_card_state (self, data->card_id, TACK_ENTRY_FRESH);
    }

out:
  fetch_data_free (data);
}

static void
start_card_fetch (TackStore  *self,
                  const char *card_id)
{
  CardFetch *fetch = g_hash_table_lookup (self->card_fetches, card_id);

  g_assert (fetch != NULL);
  g_assert (self->fetcher != NULL);

  fetch->rounds++;
  set_card_state (self, card_id, TACK_ENTRY_FETCHING);
  tack_fetcher_fetch_card_async (self->fetcher, card_id, self->cancellable,
                                 card_fetched_cb, fetch_data_new (self, card_id));
}

/**
 * tack_store_invalidate_card:
 * @card_id: the card the server says changed
 * @version: the version it changed to, or 0 if unknown
 *
 * Marks the card stale and refetches it. The store holds only the board
 * that is open, and everything in it is on screen, so every invalidated
 * card is in use. A card already at @version or newer is left alone; while
 * a fetch for the card is in flight, further invalidations join it rather
 * than starting another (one more round is made if the answer turns out
 * older than what was announced meanwhile).
 */
void
tack_store_invalidate_card (TackStore  *self,
                            const char *card_id,
                            gint64      version)
{
  CardEntry *entry;
  CardFetch *fetch;

  g_return_if_fail (TACK_IS_STORE (self));
  g_return_if_fail (card_id != NULL);

  entry = g_hash_table_lookup (self->cards, card_id);

  if (entry != NULL && entry->server.id != NULL &&
      version > 0 && entry->server.version >= version)
    return;

  if ((fetch = g_hash_table_lookup (self->card_fetches, card_id)))
    {
      fetch->wanted_version = MAX (fetch->wanted_version, version);
      if (version == 0)
        fetch->again = TRUE;
      return;
    }

  if (self->fetcher == NULL)
    {
      set_card_state (self, card_id, TACK_ENTRY_STALE);
      return;
    }

  fetch = g_new0 (CardFetch, 1);
  fetch->wanted_version = version;
  g_hash_table_insert (self->card_fetches, g_strdup (card_id), fetch);

  start_card_fetch (self, card_id);
}

static void
board_fetched_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  FetchData *data = user_data;
  g_autoptr(TackStore) self = g_weak_ref_get (&data->store);
  g_autoptr(JsonNode) snapshot = NULL;
  g_autoptr(GError) error = NULL;

  snapshot = tack_fetcher_fetch_board_finish (TACK_FETCHER (object), result, &error);

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    goto out;

  self->board_fetching = FALSE;

  if (snapshot == NULL || !tack_store_load_snapshot (self, snapshot, &error))
    {
      g_debug ("Refetching the board failed: %s", error->message);
      tack_board_set_state (self->board, TACK_ENTRY_ERROR);
      g_signal_emit (self, signals[FETCH_FAILED], 0, NULL, error);
      self->board_again = FALSE;
      goto out;
    }

  if (self->board_again)
    {
      self->board_again = FALSE;
      start_board_fetch (self);
    }

out:
  fetch_data_free (data);
}

static void
start_board_fetch (TackStore *self)
{
  g_assert (self->fetcher != NULL);
  g_assert (!self->board_fetching);

  self->board_fetching = TRUE;
  tack_board_set_state (self->board, TACK_ENTRY_FETCHING);
  tack_fetcher_fetch_board_async (self->fetcher, self->cancellable,
                                  board_fetched_cb, fetch_data_new (self, NULL));
}

/**
 * tack_store_invalidate_board:
 *
 * Marks the whole board stale and refetches its snapshot; invalidations
 * while that fetch is in flight lead to exactly one more.
 */
void
tack_store_invalidate_board (TackStore *self)
{
  g_return_if_fail (TACK_IS_STORE (self));

  if (self->board_fetching)
    {
      self->board_again = TRUE;
      return;
    }

  if (self->fetcher == NULL)
    {
      tack_board_set_state (self->board, TACK_ENTRY_STALE);
      return;
    }

  start_board_fetch (self);
}

/* Optimistic local writes. */

static gboolean
check_op (TackStore   *self,
          const char  *op,
          GError     **error)
{
  if (op == NULL || *op == '\0')
    {
      g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID,
                   "A local write needs an op");
      return FALSE;
    }

  if (g_hash_table_contains (self->local_ops, op))
    {
      g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID,
                   "Op “%s” is already pending", op);
      return FALSE;
    }

  return TRUE;
}

/* PROTOCOL.md: a title is not blank. */
static gboolean
check_title (const char  *title,
             const char  *what,
             GError     **error)
{
  for (const char *p = title; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return TRUE;

  g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID,
               "A %s needs a title", what);
  return FALSE;
}

static CardEntry *
lookup_visible_card (TackStore   *self,
                     const char  *card_id,
                     GError     **error)
{
  CardEntry *entry = g_hash_table_lookup (self->cards, card_id);

  if (entry == NULL || entry->listed_in == NULL)
    {
      g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_UNKNOWN,
                   "No card “%s” on this board", card_id);
      return NULL;
    }

  return entry;
}

static ColumnEntry *
lookup_visible_column (TackStore   *self,
                       const char  *column_id,
                       GError     **error)
{
  ColumnEntry *entry = g_hash_table_lookup (self->columns, column_id);

  if (entry == NULL || !entry->listed)
    {
      g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_UNKNOWN,
                   "No column “%s” on this board", column_id);
      return NULL;
    }

  return entry;
}

/* A position key for an item placed right after @after (or first when
 * %NULL) in @list, ignoring @moving itself. @after must be listed. */
static char *
list_position_after (TackOrderedList        *list,
                     TackOrderedListKeyFunc  key_func,
                     gpointer                after,
                     gpointer                moving)
{
  const char *before = NULL;
  const char *next = NULL;
  const char *id;
  guint n = tack_ordered_list_get_size (list);
  guint i = 0;
  char *position;

  if (after != NULL)
    {
      if (!tack_ordered_list_find (list, after, &i))
        g_return_val_if_reached (NULL);

      key_func (after, &before, &id);
      i++;
    }

  for (; i < n; i++)
    {
      gpointer item = tack_ordered_list_get (list, i);

      if (item != moving)
        {
          key_func (item, &next, &id);
          break;
        }
    }

  /* Keys from the server may leave no room for our alphabet; the local
   * key is only shown until the server's arrives, so share the neighbour's
   * key and let the id break the tie. */
  if (!(position = tack_position_between (before, next)))
    position = g_strdup (before ? before : next ? next : "U");

  return position;
}

/* A position key for a card placed right after @after_card_id (or first)
 * in @column, ignoring @moving itself. */
static char *
position_after (TackStore   *self,
                TackColumn  *column,
                const char  *after_card_id,
                TackCard    *moving,
                GError     **error)
{
  TackCard *after_card = NULL;

  if (after_card_id != NULL)
    {
      CardEntry *after = g_hash_table_lookup (self->cards, after_card_id);

      if (after == NULL || after->listed_in != column || after->card == moving)
        {
          g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_UNKNOWN,
                       "No card “%s” in column “%s”",
                       after_card_id, tack_column_get_id (column));
          return NULL;
        }

      after_card = after->card;
    }

  return list_position_after (tack_column_get_card_list (column), tack_card_key_func,
                              after_card, moving);
}

/* The same for a column placed after @after_column_id on the board. */
static char *
column_position_after (TackStore   *self,
                       const char  *after_column_id,
                       TackColumn  *moving,
                       GError     **error)
{
  TackColumn *after_column = NULL;

  if (after_column_id != NULL)
    {
      ColumnEntry *after = g_hash_table_lookup (self->columns, after_column_id);

      if (after == NULL || !after->listed || after->column == moving)
        {
          g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_UNKNOWN,
                       "No column “%s” to place it after", after_column_id);
          return NULL;
        }

      after_column = after->column;
    }

  return list_position_after (tack_board_get_column_list (self->board), tack_column_key_func,
                              after_column, moving);
}

static LocalOp *
push_local (TackStore   *self,
            CardEntry   *entry,
            ColumnEntry *column_entry,
            const char  *op,
            LocalKind    kind)
{
  LocalOp *lop = g_new0 (LocalOp, 1);

  g_assert ((entry == NULL) != (column_entry == NULL));

  lop->op = g_strdup (op);
  lop->kind = kind;
  lop->entry = entry;
  lop->column_entry = column_entry;
  g_queue_push_tail (entry ? &entry->local : &column_entry->local, lop);
  g_hash_table_insert (self->local_ops, lop->op, lop);

  return lop;
}

/**
 * tack_store_create_card_local:
 * @after_card_id: (nullable): the card to place it after, or %NULL for first
 *
 * Shows a new card at once, pending, under a local id until the server
 * confirms it (see tack_store_settle_local()).
 *
 * Returns: (transfer full): the card's local id, or %NULL with @error set
 */
char *
tack_store_create_card_local (TackStore   *self,
                              const char  *op,
                              const char  *column_id,
                              const char  *title,
                              const char  *after_card_id,
                              GError     **error)
{
  ColumnEntry *column;
  CardEntry *entry;
  LocalOp *lop;
  g_autofree char *position = NULL;
  g_autofree char *id = NULL;

  g_return_val_if_fail (TACK_IS_STORE (self), NULL);
  g_return_val_if_fail (column_id != NULL, NULL);

  if (!check_op (self, op, error))
    return NULL;

  if (title == NULL || *title == '\0')
    {
      g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID,
                   "A card needs a title");
      return NULL;
    }

  if (!(column = lookup_visible_column (self, column_id, error)))
    return NULL;

  if (!(position = position_after (self, column->column, after_card_id, NULL, error)))
    return NULL;

  id = g_strdup_printf ("local:%s", op);

  entry = g_new0 (CardEntry, 1);
  entry->card = tack_card_new (id);
  g_queue_init (&entry->local);
  g_hash_table_insert (self->cards, g_strdup (id), entry);

  lop = push_local (self, entry, NULL, op, LOCAL_CREATE);
  lop->created.id = g_ref_string_new (id);
  lop->created.column = g_ref_string_new (column_id);
  lop->created.title = g_ref_string_new (title);
  lop->created.description = g_ref_string_new ("");
  lop->created.position = g_ref_string_new (position);
  lop->created.labels = g_new0 (char *, 1);
  lop->created.assignees = g_new0 (char *, 1);

  reconcile_card (self, entry);
  notify_n_pending (self);

  return g_steal_pointer (&id);
}

/**
 * tack_store_edit_card_local:
 * @fields: the members to change: any of title, description, labels,
 *   assignees and due, with PROTOCOL.md's types
 */
gboolean
tack_store_edit_card_local (TackStore   *self,
                            const char  *op,
                            const char  *card_id,
                            JsonObject  *fields,
                            GError     **error)
{
  static const char * const editable[] = {
    "title", "description", "labels", "assignees", "due", NULL
  };
  g_auto(TackCardValue) trial = { 0 };
  g_autoptr(GList) members = NULL;
  CardEntry *entry;
  LocalOp *lop;
  gboolean visible;

  g_return_val_if_fail (TACK_IS_STORE (self), FALSE);
  g_return_val_if_fail (card_id != NULL, FALSE);
  g_return_val_if_fail (fields != NULL, FALSE);

  if (!check_op (self, op, error) ||
      !(entry = lookup_visible_card (self, card_id, error)))
    return FALSE;

  members = json_object_get_members (fields);
  for (const GList *l = members; l; l = l->next)
    if (!g_strv_contains (editable, l->data))
      {
        g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID,
                     "“%s” cannot be edited", (const char *)l->data);
        return FALSE;
      }

  compute_display (entry, &trial, &visible);
  if (!tack_card_value_patch (&trial, fields, error))
    return FALSE;

  if (json_object_has_member (fields, "title") && *trial.title == '\0')
    {
      g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID,
                   "A card needs a title");
      return FALSE;
    }

  lop = push_local (self, entry, NULL, op, LOCAL_EDIT);
  lop->fields = json_object_ref (fields);

  reconcile_card (self, entry);
  notify_n_pending (self);

  return TRUE;
}

/**
 * tack_store_move_card_local:
 * @after_card_id: (nullable): the card to place it after, or %NULL for first
 */
gboolean
tack_store_move_card_local (TackStore   *self,
                            const char  *op,
                            const char  *card_id,
                            const char  *column_id,
                            const char  *after_card_id,
                            GError     **error)
{
  ColumnEntry *column;
  CardEntry *entry;
  LocalOp *lop;
  g_autofree char *position = NULL;

  g_return_val_if_fail (TACK_IS_STORE (self), FALSE);
  g_return_val_if_fail (card_id != NULL, FALSE);
  g_return_val_if_fail (column_id != NULL, FALSE);

  if (!check_op (self, op, error) ||
      !(entry = lookup_visible_card (self, card_id, error)) ||
      !(column = lookup_visible_column (self, column_id, error)))
    return FALSE;

  if (!(position = position_after (self, column->column, after_card_id, entry->card, error)))
    return FALSE;

  lop = push_local (self, entry, NULL, op, LOCAL_MOVE);
  lop->fields = json_object_new ();
  json_object_set_string_member (lop->fields, "column", column_id);
  json_object_set_string_member (lop->fields, "position", position);

  reconcile_card (self, entry);
  notify_n_pending (self);

  return TRUE;
}

gboolean
tack_store_delete_card_local (TackStore   *self,
                              const char  *op,
                              const char  *card_id,
                              GError     **error)
{
  CardEntry *entry;

  g_return_val_if_fail (TACK_IS_STORE (self), FALSE);
  g_return_val_if_fail (card_id != NULL, FALSE);

  if (!check_op (self, op, error) ||
      !(entry = lookup_visible_card (self, card_id, error)))
    return FALSE;

  push_local (self, entry, NULL, op, LOCAL_DELETE);

  reconcile_card (self, entry);
  notify_n_pending (self);

  return TRUE;
}

/**
 * tack_store_create_column_local:
 * @after_column_id: (nullable): the column to place it after, or %NULL
 *   for first
 *
 * Shows a new column at once, pending, under a local id until the server
 * confirms it (see tack_store_settle_column_local()). Cards can be created
 * in it meanwhile; they move to the server's id with it.
 *
 * Returns: (transfer full): the column's local id, or %NULL with @error set
 */
char *
tack_store_create_column_local (TackStore   *self,
                                const char  *op,
                                const char  *title,
                                const char  *after_column_id,
                                GError     **error)
{
  ColumnEntry *entry;
  LocalOp *lop;
  char *position;
  g_autofree char *id = NULL;

  g_return_val_if_fail (TACK_IS_STORE (self), NULL);

  if (!check_op (self, op, error) || !check_title (title, "column", error))
    return NULL;

  if (tack_board_get_id (self->board) == NULL)
    {
      g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_UNKNOWN,
                   "No board is loaded");
      return NULL;
    }

  if (!(position = column_position_after (self, after_column_id, NULL, error)))
    return NULL;

  id = g_strdup_printf ("local:%s", op);

  entry = g_new0 (ColumnEntry, 1);
  entry->column = tack_column_new (id);
  g_queue_init (&entry->local);
  g_hash_table_insert (self->columns, g_strdup (id), entry);

  lop = push_local (self, NULL, entry, op, LOCAL_CREATE);
  lop->created_column.id = g_strdup (id);
  lop->created_column.board = g_strdup (tack_board_get_id (self->board));
  lop->created_column.title = g_strdup (title);
  lop->created_column.position = position;

  reconcile_column (self, entry);
  notify_n_pending (self);

  return g_steal_pointer (&id);
}

/**
 * tack_store_edit_column_local:
 * @fields: the members to change: title and/or wip_limit (an integer ≥ 0,
 *   or null for none), with PROTOCOL.md's types
 */
gboolean
tack_store_edit_column_local (TackStore   *self,
                              const char  *op,
                              const char  *column_id,
                              JsonObject  *fields,
                              GError     **error)
{
  static const char * const editable[] = { "title", "wip_limit", NULL };
  g_auto(TackColumnValue) trial = { 0 };
  g_autoptr(GList) members = NULL;
  ColumnEntry *entry;
  LocalOp *lop;
  gboolean visible;

  g_return_val_if_fail (TACK_IS_STORE (self), FALSE);
  g_return_val_if_fail (column_id != NULL, FALSE);
  g_return_val_if_fail (fields != NULL, FALSE);

  if (!check_op (self, op, error) ||
      !(entry = lookup_visible_column (self, column_id, error)))
    return FALSE;

  members = json_object_get_members (fields);
  for (const GList *l = members; l; l = l->next)
    if (!g_strv_contains (editable, l->data))
      {
        g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID,
                     "“%s” cannot be edited", (const char *)l->data);
        return FALSE;
      }

  compute_column_display (entry, &trial, &visible);
  if (!tack_column_value_patch (&trial, fields, error))
    return FALSE;

  if (json_object_has_member (fields, "title") && !check_title (trial.title, "column", error))
    return FALSE;

  lop = push_local (self, NULL, entry, op, LOCAL_EDIT);
  lop->fields = json_object_ref (fields);

  reconcile_column (self, entry);
  notify_n_pending (self);

  return TRUE;
}

/**
 * tack_store_move_column_local:
 * @after_column_id: (nullable): the column to place it after, or %NULL
 *   for first
 */
gboolean
tack_store_move_column_local (TackStore   *self,
                              const char  *op,
                              const char  *column_id,
                              const char  *after_column_id,
                              GError     **error)
{
  ColumnEntry *entry;
  LocalOp *lop;
  g_autofree char *position = NULL;

  g_return_val_if_fail (TACK_IS_STORE (self), FALSE);
  g_return_val_if_fail (column_id != NULL, FALSE);

  if (!check_op (self, op, error) ||
      !(entry = lookup_visible_column (self, column_id, error)))
    return FALSE;

  if (!(position = column_position_after (self, after_column_id, entry->column, error)))
    return FALSE;

  lop = push_local (self, NULL, entry, op, LOCAL_MOVE);
  lop->fields = json_object_new ();
  json_object_set_string_member (lop->fields, "position", position);

  reconcile_column (self, entry);
  notify_n_pending (self);

  return TRUE;
}

/**
 * tack_store_delete_column_local:
 *
 * Hides the column (and so its cards) until the server answers: confirmed,
 * it goes with its cards; refused, it shows again as it was.
 */
gboolean
tack_store_delete_column_local (TackStore   *self,
                                const char  *op,
                                const char  *column_id,
                                GError     **error)
{
  ColumnEntry *entry;

  g_return_val_if_fail (TACK_IS_STORE (self), FALSE);
  g_return_val_if_fail (column_id != NULL, FALSE);

  if (!check_op (self, op, error) ||
      !(entry = lookup_visible_column (self, column_id, error)))
    return FALSE;

  push_local (self, NULL, entry, op, LOCAL_DELETE);

  reconcile_column (self, entry);
  notify_n_pending (self);

  return TRUE;
}

gboolean
tack_store_has_local (TackStore  *self,
                      const char *op)
{
  g_return_val_if_fail (TACK_IS_STORE (self), FALSE);
  g_return_val_if_fail (op != NULL, FALSE);

  return g_hash_table_contains (self->local_ops, op);
}

/**
 * tack_store_get_local_card_id:
 *
 * Returns: (nullable): the id of the card @op is about, as the store knows
 *   it now (a local id until a creation is confirmed); %NULL for an op
 *   about a column
 */
const char *
tack_store_get_local_card_id (TackStore  *self,
                              const char *op)
{
  LocalOp *lop;

  g_return_val_if_fail (TACK_IS_STORE (self), NULL);
  g_return_val_if_fail (op != NULL, NULL);

  if (!(lop = g_hash_table_lookup (self->local_ops, op)) || lop->entry == NULL)
    return NULL;

  return tack_card_get_id (lop->entry->card);
}

/**
 * tack_store_get_local_column_id:
 *
 * Returns: (nullable): the id of the column @op is about, as the store
 *   knows it now; %NULL for an op about a card
 */
const char *
tack_store_get_local_column_id (TackStore  *self,
                                const char *op)
{
  LocalOp *lop;

  g_return_val_if_fail (TACK_IS_STORE (self), NULL);
  g_return_val_if_fail (op != NULL, NULL);

  if (!(lop = g_hash_table_lookup (self->local_ops, op)) || lop->column_entry == NULL)
    return NULL;

  return tack_column_get_id (lop->column_entry->column);
}

/* Detaches @op from its entry; the caller frees it. */
static LocalOp *
take_local (TackStore  *self,
            const char *op)
{
  LocalOp *lop = g_hash_table_lookup (self->local_ops, op);

  if (lop == NULL)
    return NULL;

  g_hash_table_remove (self->local_ops, op);
  if (lop->entry != NULL)
    g_queue_remove (&lop->entry->local, lop);
  else
    g_queue_remove (&lop->column_entry->local, lop);

  notify_n_pending (self);

  return lop;
}

/* A confirmed creation: the card leaves its local id for the server's,
 * keeping its object (and so every widget bound to it). */
static CardEntry *
adopt_server_id (TackStore  *self,
                 CardEntry  *entry,
                 const char *server_id)
{
  CardEntry *existing = g_hash_table_lookup (self->cards, server_id);
  g_autofree char *local_id = NULL;
  gpointer key;

  if (existing == entry)
    return entry;

  if (existing != NULL)
    {
      /* The server's card reached us first; the local stand-in goes. */
      remove_card_entry (self, entry);
      return existing;
    }

  unlist_card (entry);
  g_hash_table_steal_extended (self->cards, tack_card_get_id (entry->card), &key, NULL);
  local_id = key;
  tack_card_set_id (entry->card, server_id);
  g_hash_table_insert (self->cards, g_strdup (server_id), entry);

  return entry;
}

/* Cards this client put in a column that had a local id follow it to the
 * server's. */
static void
retarget_cards (TackStore  *self,
                const char *local_id,
                const char *server_id)
{
  g_autoptr(GPtrArray) touched = g_ptr_array_new ();
  GHashTableIter iter;
  CardEntry *card_entry;

  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&card_entry))
    {
      gboolean changed = FALSE;

      for (const GList *l = card_entry->local.head; l; l = l->next)
        {
          LocalOp *lop = l->data;

          if (lop->kind == LOCAL_CREATE && g_strcmp0 (lop->created.column, local_id) == 0)
            {
              g_ref_string_release (lop->created.column);
              lop->created.column = g_ref_string_new (server_id);
              changed = TRUE;
            }
          else if (lop->kind == LOCAL_MOVE &&
                   g_strcmp0 (json_object_get_string_member (lop->fields, "column"), local_id) == 0)
            {
              json_object_set_string_member (lop->fields, "column", server_id);
              changed = TRUE;
            }
        }

      if (changed)
        g_ptr_array_add (touched, card_entry);
    }

  for (guint i = 0; i < touched->len; i++)
    reconcile_card (self, g_ptr_array_index (touched, i));
}

/* A confirmed column creation: the column object keeps living under the
 * server's id, and so do the cards created in it meanwhile. */
static ColumnEntry *
adopt_column_server_id (TackStore   *self,
                        ColumnEntry *entry,
                        const char  *server_id)
{
  ColumnEntry *existing = g_hash_table_lookup (self->columns, server_id);
  g_autofree char *local_id = g_strdup (tack_column_get_id (entry->column));
  gpointer key;

  if (existing == entry)
    return entry;

  /* The id is part of the sort key: out of the list while it changes. */
  unlist_column (self, entry);

  if (existing != NULL)
    {
      /* The server's column reached us first (a snapshot): the local
       * stand-in goes, handing over what is still pending on it. */
      while (!g_queue_is_empty (&entry->local))
        {
          LocalOp *lop = g_queue_pop_head (&entry->local);

          lop->column_entry = existing;
          g_queue_push_tail (&existing->local, lop);
        }

      g_hash_table_remove (self->columns, local_id);
      retarget_cards (self, local_id, server_id);
      reconcile_column (self, existing);

      return existing;
    }

  g_hash_table_steal_extended (self->columns, local_id, &key, NULL);
  g_free (key);
  tack_column_set_id (entry->column, server_id);
  g_hash_table_insert (self->columns, g_strdup (server_id), entry);
  retarget_cards (self, local_id, server_id);

  return entry;
}

static void
settle_card (TackStore     *self,
             LocalOp       *lop,
             TackCardValue *value)
{
  CardEntry *entry = lop->entry;

  if (lop->kind == LOCAL_DELETE)
    {
      remove_card_entry (self, entry);
      return;
    }

  if (lop->kind == LOCAL_CREATE && entry->server.id == NULL)
    {
      if (value == NULL)
        {
          /* Confirmed without the card: its real id comes with the board. */
          remove_card_entry (self, entry);
          tack_store_invalidate_board (self);
          return;
        }

      entry = adopt_server_id (self, entry, value->id);
    }

  if (value != NULL && write_card_value (self, value, 0))
    return;

  reconcile_card (self, entry);
}

static void
settle_column (TackStore       *self,
               LocalOp         *lop,
               TackColumnValue *value)
{
  ColumnEntry *entry = lop->column_entry;

  if (lop->kind == LOCAL_DELETE)
    {
      remove_column_entry (self, entry);
      return;
    }

  if (lop->kind == LOCAL_CREATE && entry->server.id == NULL)
    {
      if (value == NULL)
        {
          remove_column_entry (self, entry);
          tack_store_invalidate_board (self);
          return;
        }

      entry = adopt_column_server_id (self, entry, value->id);
    }

  if (value != NULL && write_column_value (self, value, 0))
    return;

  reconcile_column (self, entry);
}

/* The server's answer to @lop, parsed as whatever the op was about. */
static void
settle (TackStore  *self,
        LocalOp    *lop,
        JsonObject *answer)
{
  g_autoptr(GError) error = NULL;

  if (lop->entry != NULL)
    {
      g_auto(TackCardValue) value = { 0 };

      if (answer != NULL && !tack_card_value_parse (&value, answer, &error))
        {
          g_debug ("Ignoring malformed confirmation of %s: %s", lop->op, error->message);
          answer = NULL;
        }

      settle_card (self, lop, answer ? &value : NULL);
    }
  else
    {
      g_auto(TackColumnValue) value = { 0 };

      if (answer != NULL && !tack_column_value_parse (&value, answer, &error))
        {
          g_debug ("Ignoring malformed confirmation of %s: %s", lop->op, error->message);
          answer = NULL;
        }

      settle_column (self, lop, answer ? &value : NULL);
    }
}

/**
 * tack_store_settle_local:
 * @server_card: (nullable): the card as the server answered, if it did
 *   (the column, for an op about a column)
 *
 * The server accepted @op: the local write is dropped and the server's
 * value shown. Unknown ops (already settled) are ignored, but the card
 * they carry is written like any server value.
 */
void
tack_store_settle_local (TackStore  *self,
                         const char *op,
                         JsonObject *server_card)
{
  g_autoptr(LocalOp) lop = NULL;

  g_return_if_fail (TACK_IS_STORE (self));
  g_return_if_fail (op != NULL);

  if ((lop = take_local (self, op)))
    {
      settle (self, lop, server_card);
    }
  else if (server_card != NULL)
    {
      g_auto(TackCardValue) value = { 0 };

      if (tack_card_value_parse (&value, server_card, NULL))
        write_card_value (self, &value, 0);
    }
}

/**
 * tack_store_settle_column_local:
 * @server_column: (nullable): the column as the server answered, if it did
 *
 * tack_store_settle_local() for an op about a column: for an op already
 * settled, @server_column is written like any server value.
 */
void
tack_store_settle_column_local (TackStore  *self,
                                const char *op,
                                JsonObject *server_column)
{
  g_autoptr(LocalOp) lop = NULL;

  g_return_if_fail (TACK_IS_STORE (self));
  g_return_if_fail (op != NULL);

  if ((lop = take_local (self, op)))
    {
      settle (self, lop, server_column);
    }
  else if (server_column != NULL)
    {
      g_auto(TackColumnValue) value = { 0 };

      if (tack_column_value_parse (&value, server_column, NULL))
        write_column_value (self, &value, 0);
    }
}

static void
rollback (TackStore  *self,
          LocalOp    *lop,
          JsonObject *current)
{
  if (lop->entry != NULL)
    {
      g_auto(TackCardValue) value = { 0 };
      CardEntry *entry = lop->entry;

      if (current != NULL && tack_card_value_parse (&value, current, NULL) &&
          g_strcmp0 (value.id, tack_card_get_id (entry->card)) == 0 &&
          write_card_value (self, &value, 0))
        return;

      reconcile_card (self, entry);
    }
  else
    {
      g_auto(TackColumnValue) value = { 0 };
      ColumnEntry *entry = lop->column_entry;

      if (current != NULL && tack_column_value_parse (&value, current, NULL) &&
          g_strcmp0 (value.id, tack_column_get_id (entry->column)) == 0 &&
          write_column_value (self, &value, 0))
        return;

      reconcile_column (self, entry);
    }
}

/**
 * tack_store_rollback_local:
 * @current: (nullable): the server's current card, when the rejection
 *   carried it (a 409's `current`); the column, for an op about a column
 *
 * The server refused @op: the local write is dropped and the card shows
 * the server's value again (a refused creation disappears).
 */
void
tack_store_rollback_local (TackStore  *self,
                           const char *op,
                           JsonObject *current)
{
  g_autoptr(LocalOp) lop = NULL;

  g_return_if_fail (TACK_IS_STORE (self));
  g_return_if_fail (op != NULL);

  if ((lop = take_local (self, op)))
    {
      rollback (self, lop, current);
    }
  else if (current != NULL)
    {
      g_auto(TackCardValue) value = { 0 };

      if (tack_card_value_parse (&value, current, NULL))
        write_card_value (self, &value, 0);
    }
}

/**
 * tack_store_rollback_column_local:
 * @current: (nullable): the server's current column, when the rejection
 *   carried it
 *
 * tack_store_rollback_local() for an op about a column: the column shows
 * the server's value again, a refused creation disappears with whatever
 * was created in it here, a refused deletion brings it back.
 */
void
tack_store_rollback_column_local (TackStore  *self,
                                  const char *op,
                                  JsonObject *current)
{
  g_autoptr(LocalOp) lop = NULL;

  g_return_if_fail (TACK_IS_STORE (self));
  g_return_if_fail (op != NULL);

  if ((lop = take_local (self, op)))
    {
      rollback (self, lop, current);
    }
  else if (current != NULL)
    {
      g_auto(TackColumnValue) value = { 0 };

      if (tack_column_value_parse (&value, current, NULL))
        write_column_value (self, &value, 0);
    }
}
