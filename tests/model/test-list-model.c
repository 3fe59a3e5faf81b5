/* test-list-model.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The store's list models: order by (position, id) in byte order, and
 * items-changed with the smallest ranges, checked by replaying every
 * recorded signal on a shadow copy of the list. */

#include "config.h"

#include <string.h>

#include "tack-model.h"
#include "tack-test-json.h"

typedef struct
{
  GListModel *model;
  GPtrArray  *shadow;   /* what a view that only listens would hold */
  GArray     *changes;  /* guint triples */
} Recorder;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Recorder   *rec)
{
  guint triple[3] = { position, removed, added };

  g_array_append_vals (rec->changes, triple, 3);

  g_ptr_array_remove_range (rec->shadow, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (rec->shadow, position + i,
                        g_list_model_get_item (model, position + i));
}

static Recorder *
recorder_new (GListModel *model)
{
  Recorder *rec = g_new0 (Recorder, 1);
  guint n = g_list_model_get_n_items (model);

  rec->model = model;
  rec->shadow = g_ptr_array_new_with_free_func (g_object_unref);
  rec->changes = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (rec->shadow, g_list_model_get_item (model, i));
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), rec);

  return rec;
}

static void
recorder_free (Recorder *rec)
{
  g_signal_handlers_disconnect_by_data (rec->model, rec);
  g_ptr_array_unref (rec->shadow);
  g_array_unref (rec->changes);
  g_free (rec);
}

/* The shadow built only from signals equals the model. */
static void
recorder_check (Recorder *rec)
{
  guint n = g_list_model_get_n_items (rec->model);

  g_assert_cmpuint (rec->shadow->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (rec->model, i);

      g_assert_true (item == g_ptr_array_index (rec->shadow, i));
    }
}

static void
assert_changes (Recorder    *rec,
                const guint *expected,
                guint        n_triples)
{
  g_assert_cmpuint (rec->changes->len, ==, n_triples * 3);
  for (guint i = 0; i < n_triples * 3; i++)
    g_assert_cmpuint (g_array_index (rec->changes, guint, i), ==, expected[i]);
  g_array_set_size (rec->changes, 0);
}

static void
assert_order (GListModel         *model,
              const char * const *ids)
{
  guint n = g_list_model_get_n_items (model);

  g_assert_cmpuint (n, ==, g_strv_length ((char **)ids));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *id = NULL;

      g_object_get (item, "id", &id, NULL);
      g_assert_cmpstr (id, ==, ids[i]);
    }
}

static TackStore *
loaded_store (void)
{
  TackStore *store = tack_store_new ();
  g_autoptr(JsonNode) snapshot = tack_test_snapshot ();
  g_autoptr(GError) error = NULL;

  g_assert_true (tack_store_load_snapshot (store, snapshot, &error));
  g_assert_no_error (error);

  return store;
}

static void
write_card (TackStore  *store,
            const char *id,
            const char *column,
            const char *title,
            const char *position,
            gint64      version)
{
  g_autoptr(JsonObject) card = tack_test_card (id, column, title, position, version);
  g_autoptr(GError) error = NULL;

  g_assert_true (tack_store_write_card (store, card, &error));
  g_assert_no_error (error);
}

static void
test_order_bytes (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  GListModel *cards = tack_column_get_cards (tack_store_lookup_column (store, "doing"));

  /* Byte order: uppercase before lowercase, a prefix before its
   * extensions, and equal positions ordered by id. */
  write_card (store, "x2", "doing", "x2", "B", 1);
  write_card (store, "x1", "doing", "x1", "a", 1);
  write_card (store, "x3", "doing", "x3", "aa", 1);
  write_card (store, "x0", "doing", "x0", "a", 1);

  assert_order (cards, (const char * const[]) { "x2", "c4", "x0", "x1", "x3", NULL });
  assert_order (tack_board_get_columns (tack_store_get_board (store)),
                (const char * const[]) { "todo", "doing", "done", NULL });

  /* Long positions that share their first 8 and 16 bytes (the list packs
   * that much of each key) are ordered by the rest, then by id. */
  write_card (store, "y4", "done", "y4", "0123456789abcdefa", 1);
  write_card (store, "y2", "done", "y2", "0123456789abcdef", 1);
  write_card (store, "y5", "done", "y5", "0123456789abcdefB", 1);
  write_card (store, "y1", "done", "y1", "0123456789abcde", 1);
  write_card (store, "y3", "done", "y3", "0123456789abcdef", 1);
  write_card (store, "y6", "done", "y6", "0123456789abcdefaa", 1);
  write_card (store, "y0", "done", "y0", "01234567", 1);
  assert_order (tack_column_get_cards (tack_store_lookup_column (store, "done")),
                (const char * const[]) { "y0", "y1", "y2", "y3", "y5", "y4", "y6", NULL });
}

static void
test_move_within_column (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  GListModel *cards = tack_column_get_cards (tack_store_lookup_column (store, "todo"));
  Recorder *rec = recorder_new (cards);

  /* c1 from the top to the bottom: one removal at 0, one insertion at 2. */
  write_card (store, "c1", "todo", "First", "d", 2);
  assert_changes (rec, (const guint[]) { 0, 1, 0,  2, 0, 1 }, 2);
  assert_order (cards, (const char * const[]) { "c2", "c3", "c1", NULL });
  recorder_check (rec);

  /* A title change is not a move: no items-changed at all. */
  write_card (store, "c1", "todo", "Renamed", "d", 3);
  assert_changes (rec, NULL, 0);

  recorder_free (rec);
}

static void
test_move_across_columns (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  GListModel *todo = tack_column_get_cards (tack_store_lookup_column (store, "todo"));
  GListModel *doing = tack_column_get_cards (tack_store_lookup_column (store, "doing"));
  Recorder *rec_todo = recorder_new (todo);
  Recorder *rec_doing = recorder_new (doing);
  TackCard *c2 = tack_store_lookup_card (store, "c2");

  write_card (store, "c2", "doing", "Second", "b", 2);

  assert_changes (rec_todo, (const guint[]) { 1, 1, 0 }, 1);
  assert_changes (rec_doing, (const guint[]) { 1, 0, 1 }, 1);
  g_assert_true (tack_store_lookup_card (store, "c2") == c2);
  g_assert_cmpstr (tack_card_get_column_id (c2), ==, "doing");
  recorder_check (rec_todo);
  recorder_check (rec_doing);

  recorder_free (rec_todo);
  recorder_free (rec_doing);
}

static void
test_remove_and_column_delete (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  GListModel *todo = tack_column_get_cards (tack_store_lookup_column (store, "todo"));
  GListModel *columns = tack_board_get_columns (tack_store_get_board (store));
  Recorder *rec = recorder_new (todo);
  Recorder *rec_cols = recorder_new (columns);

  g_assert_true (tack_store_remove_card (store, "c2"));
  assert_changes (rec, (const guint[]) { 1, 1, 0 }, 1);
  g_assert_false (tack_store_remove_card (store, "c2"));
  assert_changes (rec, NULL, 0);

  g_assert_true (tack_store_remove_column (store, "doing"));
  assert_changes (rec_cols, (const guint[]) { 1, 1, 0 }, 1);
  g_assert_null (tack_store_lookup_card (store, "c4"));
  recorder_check (rec_cols);

  recorder_free (rec);
  recorder_free (rec_cols);
}

static void
test_column_reorder (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  GListModel *columns = tack_board_get_columns (tack_store_get_board (store));
  Recorder *rec = recorder_new (columns);
  g_autoptr(JsonObject) done = tack_test_column ("done", "Done", "0", 2);

  g_assert_true (tack_store_write_column (store, done, NULL));
  assert_changes (rec, (const guint[]) { 2, 1, 0,  0, 0, 1 }, 2);
  assert_order (columns, (const char * const[]) { "done", "todo", "doing", NULL });
  recorder_check (rec);

  recorder_free (rec);
}

/* Many random moves across three columns: every list stays sorted, and
 * the signals alone reproduce every list exactly. */
static void
test_random_moves (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  const char *column_ids[] = { "todo", "doing", "done" };
  Recorder *recs[3];
  GRand *rand = g_rand_new_with_seed (20261125);
  gint64 versions[40] = { 0 };

  for (guint c = 0; c < 3; c++)
    recs[c] = recorder_new (tack_column_get_cards (tack_store_lookup_column (store, column_ids[c])));

  for (guint step = 0; step < 2000; step++)
    {
      guint n = g_rand_int_range (rand, 0, 40);
      g_autofree char *id = g_strdup_printf ("r%02u", n);
      g_autofree char *position = g_strdup_printf ("%c%c", 'a' + g_rand_int_range (rand, 0, 5),
                                                   'a' + g_rand_int_range (rand, 0, 3));

      if (g_rand_int_range (rand, 0, 10) == 0)
        tack_store_remove_card (store, id);
      else
        write_card (store, id, column_ids[g_rand_int_range (rand, 0, 3)], id, position, ++versions[n]);
    }

  for (guint c = 0; c < 3; c++)
    {
      GListModel *model = recs[c]->model;
      guint n = g_list_model_get_n_items (model);

      recorder_check (recs[c]);

      for (guint i = 1; i < n; i++)
        {
          g_autoptr(TackCard) a = g_list_model_get_item (model, i - 1);
          g_autoptr(TackCard) b = g_list_model_get_item (model, i);
          int cmp = strcmp (tack_card_get_position (a), tack_card_get_position (b));

          g_assert_true (cmp < 0 || (cmp == 0 && strcmp (tack_card_get_id (a), tack_card_get_id (b)) < 0));
          g_assert_cmpstr (tack_card_get_column_id (b), ==, column_ids[c]);
        }

      /* Every signal touched exactly one item. */
      for (guint i = 0; i < recs[c]->changes->len; i += 3)
        g_assert_cmpuint (g_array_index (recs[c]->changes, guint, i + 1) +
                          g_array_index (recs[c]->changes, guint, i + 2), ==, 1);

      recorder_free (recs[c]);
    }

  g_rand_free (rand);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

/* Nobody listening to items-changed (a column no view shows) is no reason
 * to skip anything else: the list keeps its order, its size and n-items,
 * and a view that connects, or unblocks, later hears every change from
 * then on. */
static void
test_late_listener (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  GListModel *todo = tack_column_get_cards (tack_store_lookup_column (store, "todo"));
  GListModel *doing = tack_column_get_cards (tack_store_lookup_column (store, "doing"));
  guint n_items_notified = 0;
  Recorder *rec;

  g_signal_connect (todo, "notify::n-items", G_CALLBACK (count_notify), &n_items_notified);

  write_card (store, "c1", "doing", "First", "z", 2);
  g_assert_cmpuint (n_items_notified, ==, 1);
  assert_order (todo, (const char * const[]) { "c2", "c3", NULL });
  assert_order (doing, (const char * const[]) { "c4", "c1", NULL });

  rec = recorder_new (todo);
  write_card (store, "c1", "todo", "First", "a", 3);
  assert_changes (rec, (const guint[]) { 0, 0, 1 }, 1);
  g_assert_cmpuint (n_items_notified, ==, 2);
  recorder_check (rec);

  /* A blocked handler hears nothing; unblocked, it hears the next. */
  g_signal_handlers_block_by_func (todo, on_items_changed, rec);
  write_card (store, "c3", "doing", "Third", "c", 2);
  assert_changes (rec, NULL, 0);
  g_signal_handlers_unblock_by_func (todo, on_items_changed, rec);
  g_ptr_array_remove (rec->shadow, tack_store_lookup_card (store, "c3"));
  recorder_check (rec);

  write_card (store, "c2", "todo", "Second", "0", 3);
  assert_changes (rec, (const guint[]) { 1, 1, 0,  0, 0, 1 }, 2);
  assert_order (todo, (const char * const[]) { "c2", "c1", NULL });
  recorder_check (rec);

  g_signal_handlers_disconnect_by_func (todo, count_notify, &n_items_notified);
  recorder_free (rec);
}

/* A snapshot reaches each column's view as one change, however many
 * cards it brings, moves or takes away: a column of 10,000 would
 * otherwise make its list view relayout 10,000 times. The shadow still
 * ends up equal to the list. */
static void
test_snapshot_one_change (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(JsonNode) snapshot = tack_test_snapshot ();
  g_autoptr(GError) error = NULL;
  GListModel *todo = tack_column_get_cards (tack_store_lookup_column (store, "todo"));
  GListModel *doing = tack_column_get_cards (tack_store_lookup_column (store, "doing"));
  GListModel *done = tack_column_get_cards (tack_store_lookup_column (store, "done"));
  JsonArray *cards = json_object_get_array_member (json_node_get_object (snapshot), "cards");
  Recorder *recs[3] = { recorder_new (todo), recorder_new (doing), recorder_new (done) };
  guint n_items_notified = 0;

  g_signal_connect (todo, "notify::n-items", G_CALLBACK (count_notify), &n_items_notified);

  /* c3 leaves To Do for Doing, c2 is gone, and 200 new cards come. */
  json_array_remove_element (cards, 0);
  json_array_remove_element (cards, 1);
  json_array_add_object_element (cards, tack_test_card ("c3", "doing", "Third", "b", 2));
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *id = g_strdup_printf ("n%03u", i);
      g_autofree char *position = g_strdup_printf ("m%03u", i);

      json_array_add_object_element (cards, tack_test_card (id, i % 2 ? "todo" : "done", "New", position, 1));
    }

  g_assert_true (tack_store_reload_snapshot (store, snapshot, &error));
  g_assert_no_error (error);

  /* To Do kept c1 ("a"), lost c2 and c3 after it and gained 100. */
  assert_changes (recs[0], (const guint[]) { 1, 2, 100 }, 1);
  assert_changes (recs[1], (const guint[]) { 1, 0, 1 }, 1);
  assert_changes (recs[2], (const guint[]) { 0, 0, 100 }, 1);
  g_assert_cmpuint (n_items_notified, ==, 1);
  for (guint c = 0; c < 3; c++)
    {
      recorder_check (recs[c]);
      recorder_free (recs[c]);
    }

  g_signal_handlers_disconnect_by_func (todo, count_notify, &n_items_notified);
}

static void
test_n_cards_and_limit (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  TackColumn *doing = tack_store_lookup_column (store, "doing");
  g_autoptr(JsonObject) limited = tack_test_column ("doing", "Doing", "b", 2);

  g_assert_cmpuint (tack_column_get_n_cards (doing), ==, 1);
  json_object_set_int_member (limited, "wip_limit", 1);
  g_assert_true (tack_store_write_column (store, limited, NULL));
  g_assert_cmpuint (tack_column_get_wip_limit (doing), ==, 1);
  g_assert_false (tack_column_get_over_limit (doing));

  write_card (store, "c1", "doing", "First", "z", 2);
  g_assert_cmpuint (tack_column_get_n_cards (doing), ==, 2);
  g_assert_true (tack_column_get_over_limit (doing));
}

/* Local column writes reach the board's column model with the smallest
 * ranges, and so do their confirmation and rollback. */
static void
test_local_columns (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  GListModel *columns = tack_board_get_columns (tack_store_get_board (store));
  Recorder *rec = recorder_new (columns);
  g_autoptr(GError) error = NULL;
  g_autofree char *local_id = NULL;
  g_autofree char *order = NULL;

  local_id = tack_store_create_column_local (store, "op-c", "Review", "todo", &error);
  g_assert_no_error (error);
  assert_changes (rec, (const guint[]) { 1, 0, 1 }, 1);
  assert_order (columns, (const char * const[]) { "todo", local_id, "doing", "done", NULL });
  recorder_check (rec);

  /* A rename is not a move: no items-changed. */
  {
    g_autoptr(JsonObject) fields = json_object_new ();

    json_object_set_string_member (fields, "title", "QA");
    g_assert_true (tack_store_edit_column_local (store, "op-e", "doing", fields, &error));
    assert_changes (rec, NULL, 0);
  }

  g_assert_true (tack_store_move_column_local (store, "op-m", "done", NULL, &error));
  assert_changes (rec, (const guint[]) { 3, 1, 0,  0, 0, 1 }, 2);
  assert_order (columns, (const char * const[]) { "done", "todo", local_id, "doing", NULL });
  recorder_check (rec);

  g_assert_true (tack_store_delete_column_local (store, "op-d", "todo", &error));
  assert_changes (rec, (const guint[]) { 1, 1, 0 }, 1);
  tack_store_rollback_column_local (store, "op-d", NULL);
  assert_changes (rec, (const guint[]) { 1, 0, 1 }, 1);
  recorder_check (rec);

  /* The server places the new column where it was shown: the id (a part
   * of the sort key) changes, so it leaves and comes back in place. */
  {
    g_autoptr(JsonObject) answer = tack_test_column ("k9", "Review", "aV", 1);

    tack_store_settle_column_local (store, "op-c", answer);
  }
  assert_changes (rec, (const guint[]) { 2, 1, 0,  2, 0, 1 }, 2);
  assert_order (columns, (const char * const[]) { "done", "todo", "k9", "doing", NULL });
  recorder_check (rec);

  /* The move is confirmed at the place it was shown: nothing changes. */
  {
    g_autoptr(TackColumn) done = g_list_model_get_item (columns, 0);
    g_autoptr(JsonObject) answer = tack_test_column ("done", "Done",
                                                     tack_column_get_position (done), 2);

    tack_store_settle_column_local (store, "op-m", answer);
  }
  assert_changes (rec, NULL, 0);
  recorder_check (rec);

  recorder_free (rec);
}

static void
check_sorted (GListModel *model)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 1; i < n; i++)
    {
      g_autoptr(TackCard) a = g_list_model_get_item (model, i - 1);
      g_autoptr(TackCard) b = g_list_model_get_item (model, i);
      int cmp = strcmp (tack_card_get_position (a), tack_card_get_position (b));

      g_assert_true (cmp < 0 || (cmp == 0 && strcmp (tack_card_get_id (a), tack_card_get_id (b)) < 0));
    }
}

/* Thousands of cards, so that the lists are trees of many leaves and
 * levels: filled in order and in reverse, moved at random (positions
 * sharing long prefixes, so keys tie on their first bytes), read in order,
 * backwards and at random, emptied and filled again. The signals alone
 * still reproduce every list, and every item is where its key says. */
static void
test_large_lists (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  const char *column_ids[] = { "todo", "doing", "done" };
  GRand *rand = g_rand_new_with_seed (4242);
  gint64 *versions = g_new0 (gint64, 6000);
  Recorder *recs[3];
  GListModel *big;

  for (guint c = 0; c < 3; c++)
    recs[c] = recorder_new (tack_column_get_cards (tack_store_lookup_column (store, column_ids[c])));

  /* Ascending into one column, descending into another. */
  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *id = g_strdup_printf ("a%04u", i);
      g_autofree char *position = g_strdup_printf ("position-%06u", i);

      write_card (store, id, "doing", id, position, ++versions[i]);
    }
  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *id = g_strdup_printf ("b%04u", i);
      g_autofree char *position = g_strdup_printf ("position-%06u", 3000 - i);

      write_card (store, id, "done", id, position, ++versions[3000 + i]);
    }

  big = recs[1]->model;
  g_assert_cmpuint (g_list_model_get_n_items (big), ==, 3001);
  recorder_check (recs[1]);
  recorder_check (recs[2]);
  check_sorted (big);

  /* Random moves, some to shared positions (the id breaks the tie). */
  for (guint step = 0; step < 20000; step++)
    {
      guint n = g_rand_int_range (rand, 0, 6000);
      g_autofree char *id = g_strdup_printf ("%c%04u", n < 3000 ? 'a' : 'b', n % 3000);
      g_autofree char *position = g_strdup_printf ("position-%06u%s", g_rand_int_range (rand, 0, 200),
                                                   g_rand_boolean (rand) ? "x" : "");

      if (g_rand_int_range (rand, 0, 50) == 0)
        tack_store_remove_card (store, id);
      else
        write_card (store, id, column_ids[g_rand_int_range (rand, 0, 3)], id, position, ++versions[n]);
    }

  for (guint c = 0; c < 3; c++)
    {
      GListModel *model = recs[c]->model;
      guint n = g_list_model_get_n_items (model);

      recorder_check (recs[c]);
      check_sorted (model);

      /* Backwards and at random, each item is the one read in order. */
      for (guint i = n; i-- > 0; )
        {
          g_autoptr(GObject) item = g_list_model_get_item (model, i);

          g_assert_true (item == g_ptr_array_index (recs[c]->shadow, i));
        }
      for (guint k = 0; n > 0 && k < 500; k++)
        {
          guint i = g_rand_int_range (rand, 0, n);
          g_autoptr(GObject) item = g_list_model_get_item (model, i);

          g_assert_true (item == g_ptr_array_index (recs[c]->shadow, i));
        }
      g_assert_null (g_list_model_get_item (model, n));
    }

  /* Emptied one by one from the front, then filled again. */
  while (g_list_model_get_n_items (big) > 0)
    {
      g_autoptr(TackCard) first = g_list_model_get_item (big, 0);

      g_assert_true (tack_store_remove_card (store, tack_card_get_id (first)));
    }
  recorder_check (recs[1]);
  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *id = g_strdup_printf ("c%04u", i);
      g_autofree char *position = g_strdup_printf ("p%03u", (i * 7) % 500);

      write_card (store, id, "doing", id, position, 1);
    }
  recorder_check (recs[1]);
  check_sorted (big);

  for (guint c = 0; c < 3; c++)
    recorder_free (recs[c]);
  g_free (versions);
  g_rand_free (rand);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tack/list-model/order-bytes", test_order_bytes);
  g_test_add_func ("/tack/list-model/move-within-column", test_move_within_column);
  g_test_add_func ("/tack/list-model/move-across-columns", test_move_across_columns);
  g_test_add_func ("/tack/list-model/remove", test_remove_and_column_delete);
  g_test_add_func ("/tack/list-model/column-reorder", test_column_reorder);
  g_test_add_func ("/tack/list-model/random-moves", test_random_moves);
  g_test_add_func ("/tack/list-model/snapshot-one-change", test_snapshot_one_change);
  g_test_add_func ("/tack/list-model/late-listener", test_late_listener);
  g_test_add_func ("/tack/list-model/n-cards-limit", test_n_cards_and_limit);
  g_test_add_func ("/tack/list-model/local-columns", test_local_columns);
  g_test_add_func ("/tack/list-model/large", test_large_lists);

  return g_test_run ();
}
