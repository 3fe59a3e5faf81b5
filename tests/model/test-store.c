/* test-store.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* TackStore: identity, versions, invalidation, malformed input, events
 * and optimistic local writes. */

#include "config.h"

#include "tack-model.h"
#include "tack-test-json.h"

/* An in-memory fetcher whose answers the test hands out one by one, so a
 * test decides exactly when (and in which order) fetches complete. */

#define TEST_TYPE_FETCHER (test_fetcher_get_type ())
G_DECLARE_FINAL_TYPE (TestFetcher, test_fetcher, TEST, FETCHER, GObject)

struct _TestFetcher
{
  GObject  parent_instance;
  GQueue   card_tasks;
  GQueue   board_tasks;
  guint    n_card_fetches;
  guint    n_board_fetches;
};

static void
test_fetcher_fetch_card_async (TackFetcher         *fetcher,
                               const char          *card_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  TestFetcher *self = TEST_FETCHER (fetcher);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_task_data (task, g_strdup (card_id), g_free);
  g_queue_push_tail (&self->card_tasks, task);
  self->n_card_fetches++;
}

static JsonObject *
test_fetcher_fetch_card_finish (TackFetcher   *fetcher,
                                GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_fetcher_fetch_board_async (TackFetcher         *fetcher,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  TestFetcher *self = TEST_FETCHER (fetcher);

  g_queue_push_tail (&self->board_tasks, g_task_new (self, cancellable, callback, user_data));
  self->n_board_fetches++;
}

static JsonNode *
test_fetcher_fetch_board_finish (TackFetcher   *fetcher,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_fetcher_iface_init (TackFetcherInterface *iface)
{
  iface->fetch_card_async = test_fetcher_fetch_card_async;
  iface->fetch_card_finish = test_fetcher_fetch_card_finish;
  iface->fetch_board_async = test_fetcher_fetch_board_async;
  iface->fetch_board_finish = test_fetcher_fetch_board_finish;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestFetcher, test_fetcher, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TACK_TYPE_FETCHER, test_fetcher_iface_init))

static void
test_fetcher_finalize (GObject *object)
{
  TestFetcher *self = TEST_FETCHER (object);

  g_queue_clear_full (&self->card_tasks, g_object_unref);
  g_queue_clear_full (&self->board_tasks, g_object_unref);

  G_OBJECT_CLASS (test_fetcher_parent_class)->finalize (object);
}

static void
test_fetcher_class_init (TestFetcherClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_fetcher_finalize;
}

static void
test_fetcher_init (TestFetcher *self)
{
}

static void
spin (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Answers the oldest card fetch with @card (or a not-found error). */
static void
answer_card (TestFetcher *fetcher,
             JsonObject  *card)
{
  g_autoptr(GTask) task = g_queue_pop_head (&fetcher->card_tasks);

  g_assert_nonnull (task);
  if (card != NULL)
    g_task_return_pointer (task, json_object_ref (card), (GDestroyNotify)json_object_unref);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No such card");
  spin ();
}

static void
answer_board (TestFetcher *fetcher,
              JsonNode    *snapshot)
{
  g_autoptr(GTask) task = g_queue_pop_head (&fetcher->board_tasks);

  g_assert_nonnull (task);
  g_task_return_pointer (task, json_node_copy (snapshot), (GDestroyNotify)json_node_unref);
  spin ();
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

/* A textual picture of everything the store shows, to prove that a
 * rejected input changed nothing. */
static char *
dump_store (TackStore *store)
{
  TackBoard *board = tack_store_get_board (store);
  GListModel *columns = tack_board_get_columns (board);
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "%s|%s|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT "\n",
                          tack_board_get_id (board), tack_board_get_title (board),
                          tack_board_get_version (board), tack_board_get_seq (board));

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(TackColumn) column = g_list_model_get_item (columns, i);
      GListModel *cards = tack_column_get_cards (column);

      g_string_append_printf (out, " %s|%s|%u\n", tack_column_get_id (column),
                              tack_column_get_title (column), tack_column_get_wip_limit (column));

      for (guint j = 0; j < g_list_model_get_n_items (cards); j++)
        {
          g_autoptr(TackCard) card = g_list_model_get_item (cards, j);
          g_autofree char *labels = g_strjoinv (",", (char **)tack_card_get_labels (card));

          g_string_append_printf (out, "  %s|%s|%s|%s|%s|%" G_GINT64_FORMAT "|%d\n",
                                  tack_card_get_id (card), tack_card_get_title (card),
                                  tack_card_get_position (card), labels,
                                  tack_card_get_due (card) ? tack_card_get_due (card) : "-",
                                  tack_card_get_version (card), tack_card_get_pending (card));
        }
    }

  return g_string_free (out, FALSE);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              GHashTable *counts)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, pspec->name));

  g_hash_table_insert (counts, (gpointer)pspec->name, GUINT_TO_POINTER (n + 1));
}

static guint
notified (GHashTable *counts,
          const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, name));
}

static void
test_store_snapshot (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autofree char *dump = dump_store (store);

  g_assert_cmpstr (dump, ==,
                   "b1|Team|1|10\n"
                   " todo|To Do|0\n"
                   "  c1|First|a||-|1|0\n"
                   "  c2|Second|b||-|1|0\n"
                   "  c3|Third|c||-|1|0\n"
                   " doing|Doing|0\n"
                   "  c4|Fourth|a||-|1|0\n"
                   " done|Done|0\n");
}

static void
test_store_identity (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonObject) update = tack_test_card ("c1", "todo", "First, renamed", "a", 2);
  g_autoptr(JsonNode) snapshot = tack_test_snapshot ();
  TackCard *c1 = tack_store_lookup_card (store, "c1");
  TackColumn *todo = tack_store_lookup_column (store, "todo");

  g_signal_connect (c1, "notify", G_CALLBACK (count_notify), counts);

  g_assert_true (tack_store_write_card (store, update, NULL));
  g_assert_true (tack_store_lookup_card (store, "c1") == c1);
  g_assert_cmpstr (tack_card_get_title (c1), ==, "First, renamed");

  /* Notify only for what changed. */
  g_assert_cmpuint (notified (counts, "title"), ==, 1);
  g_assert_cmpuint (notified (counts, "version"), ==, 1);
  g_assert_cmpuint (notified (counts, "description"), ==, 0);
  g_assert_cmpuint (notified (counts, "position"), ==, 0);
  g_assert_cmpuint (notified (counts, "labels"), ==, 0);

  /* Loading the snapshot again keeps every object. */
  g_assert_true (tack_store_load_snapshot (store, snapshot, NULL));
  g_assert_true (tack_store_lookup_card (store, "c1") == c1);
  g_assert_true (tack_store_lookup_column (store, "todo") == todo);

  g_signal_handlers_disconnect_by_data (c1, counts);
}

static void
test_store_stale_write (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(JsonObject) v3 = tack_test_card ("c1", "todo", "Three", "a", 3);
  g_autoptr(JsonObject) v2 = tack_test_card ("c1", "done", "Two", "z", 2);
  TackCard *c1 = tack_store_lookup_card (store, "c1");

  g_assert_true (tack_store_write_card (store, v3, NULL));
  g_assert_true (tack_store_write_card (store, v2, NULL));

  g_assert_cmpstr (tack_card_get_title (c1), ==, "Three");
  g_assert_cmpstr (tack_card_get_column_id (c1), ==, "todo");
  g_assert_cmpint (tack_card_get_version (c1), ==, 3);
}

/* The race that plagues query caches: a refetch that started before a
 * pushed write and finishes after it must not win. */
static void
test_store_slow_fetch_loses (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(TestFetcher) fetcher = g_object_new (TEST_TYPE_FETCHER, NULL);
  g_autoptr(JsonObject) pushed = tack_test_card ("c1", "doing", "Pushed", "m", 3);
  g_autoptr(JsonObject) slow = tack_test_card ("c1", "todo", "Slow", "a", 2);
  g_autoptr(JsonNode) event = tack_test_event (11, "card.moved", NULL, "card", json_object_ref (pushed));
  TackCard *c1 = tack_store_lookup_card (store, "c1");

  tack_store_set_fetcher (store, TACK_FETCHER (fetcher));
  tack_store_invalidate_card (store, "c1", 2);
  g_assert_cmpint (tack_card_get_state (c1), ==, TACK_ENTRY_FETCHING);

  g_assert_true (tack_store_apply_event (store, event, NULL));
  g_assert_cmpstr (tack_card_get_title (c1), ==, "Pushed");

  answer_card (fetcher, slow);

  g_assert_cmpstr (tack_card_get_title (c1), ==, "Pushed");
  g_assert_cmpstr (tack_card_get_column_id (c1), ==, "doing");
  g_assert_cmpint (tack_card_get_version (c1), ==, 3);
  g_assert_cmpint (tack_card_get_state (c1), ==, TACK_ENTRY_FRESH);
  g_assert_cmpuint (fetcher->n_card_fetches, ==, 1);
}

static void
test_store_invalidate_collapses (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(TestFetcher) fetcher = g_object_new (TEST_TYPE_FETCHER, NULL);
  g_autoptr(JsonObject) v3 = tack_test_card ("c2", "todo", "Fetched", "b", 3);
  TackCard *c2 = tack_store_lookup_card (store, "c2");

  /* Without a fetcher, invalidation only marks the entry stale. */
  tack_store_invalidate_card (store, "c2", 2);
  g_assert_cmpint (tack_card_get_state (c2), ==, TACK_ENTRY_STALE);

  tack_store_set_fetcher (store, TACK_FETCHER (fetcher));
  tack_store_invalidate_card (store, "c2", 2);
  tack_store_invalidate_card (store, "c2", 2);
  tack_store_invalidate_card (store, "c2", 3);
  g_assert_cmpuint (fetcher->n_card_fetches, ==, 1);
  g_assert_cmpint (tack_card_get_state (c2), ==, TACK_ENTRY_FETCHING);

  answer_card (fetcher, v3);
  g_assert_cmpuint (fetcher->n_card_fetches, ==, 1);
  g_assert_cmpstr (tack_card_get_title (c2), ==, "Fetched");
  g_assert_cmpint (tack_card_get_state (c2), ==, TACK_ENTRY_FRESH);

  /* Already at that version: nothing to fetch. */
  tack_store_invalidate_card (store, "c2", 3);
  g_assert_cmpuint (fetcher->n_card_fetches, ==, 1);
}

static void
test_store_invalidate_again (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(TestFetcher) fetcher = g_object_new (TEST_TYPE_FETCHER, NULL);
  g_autoptr(JsonObject) v2 = tack_test_card ("c2", "todo", "Two", "b", 2);
  g_autoptr(JsonObject) v4 = tack_test_card ("c2", "todo", "Four", "b", 4);
  TackCard *c2 = tack_store_lookup_card (store, "c2");

  tack_store_set_fetcher (store, TACK_FETCHER (fetcher));
  tack_store_invalidate_card (store, "c2", 2);
  /* Announced while the first fetch was in flight; its answer is older. */
  tack_store_invalidate_card (store, "c2", 4);
  answer_card (fetcher, v2);
  g_assert_cmpuint (fetcher->n_card_fetches, ==, 2);
  g_assert_cmpint (tack_card_get_state (c2), ==, TACK_ENTRY_FETCHING);

  answer_card (fetcher, v4);
  g_assert_cmpuint (fetcher->n_card_fetches, ==, 2);
  g_assert_cmpstr (tack_card_get_title (c2), ==, "Four");
  g_assert_cmpint (tack_card_get_state (c2), ==, TACK_ENTRY_FRESH);
}

static void
on_fetch_failed (TackStore  *store,
                 const char *card_id,
                 GError     *error,
                 guint      *count)
{
  (*count)++;
}

static void
test_store_invalidate_gone_and_error (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(TestFetcher) fetcher = g_object_new (TEST_TYPE_FETCHER, NULL);
  g_autoptr(JsonObject) late = tack_test_card ("c3", "todo", "Back from the dead", "c", 1);
  TackCard *c1 = tack_store_lookup_card (store, "c1");
  guint failures = 0;
  g_autoptr(GTask) task = NULL;

  g_signal_connect (store, "fetch-failed", G_CALLBACK (on_fetch_failed), &failures);
  tack_store_set_fetcher (store, TACK_FETCHER (fetcher));

  /* The server no longer has it: it goes, and an old copy cannot resurrect it. */
  tack_store_invalidate_card (store, "c3", 2);
  answer_card (fetcher, NULL);
  g_assert_null (tack_store_lookup_card (store, "c3"));
  g_assert_true (tack_store_write_card (store, late, NULL));
  g_assert_null (tack_store_lookup_card (store, "c3"));

  /* Any other failure keeps the last good value, marked as such. */
  tack_store_invalidate_card (store, "c1", 2);
  task = g_queue_pop_head (&fetcher->card_tasks);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "Refused");
  spin ();
  g_assert_cmpuint (failures, ==, 1);
  g_assert_cmpint (tack_card_get_state (c1), ==, TACK_ENTRY_ERROR);
  g_assert_cmpstr (tack_card_get_title (c1), ==, "First");
}

static void
test_store_invalidate_board (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(TestFetcher) fetcher = g_object_new (TEST_TYPE_FETCHER, NULL);
  g_autoptr(JsonNode) snapshot = tack_test_snapshot ();
  JsonObject *root = json_node_get_object (snapshot);
  JsonArray *cards = json_object_get_array_member (root, "cards");
  TackBoard *board = tack_store_get_board (store);
  TackCard *c1 = tack_store_lookup_card (store, "c1");

  tack_store_set_fetcher (store, TACK_FETCHER (fetcher));
  tack_store_invalidate_board (store);
  tack_store_invalidate_board (store);
  tack_store_invalidate_board (store);
  g_assert_cmpuint (fetcher->n_board_fetches, ==, 1);
  g_assert_cmpint (tack_board_get_state (board), ==, TACK_ENTRY_FETCHING);

  /* The server's board now lacks c4 and has c1 renamed. */
  json_array_remove_element (cards, 3);
  json_object_set_string_member (json_array_get_object_element (cards, 1), "title", "New");
  json_object_set_int_member (json_array_get_object_element (cards, 1), "version", 5);
  json_object_set_int_member (root, "seq", 20);

  answer_board (fetcher, snapshot);
  /* Invalidations during the fetch collapse into exactly one more. */
  g_assert_cmpuint (fetcher->n_board_fetches, ==, 2);
  answer_board (fetcher, snapshot);
  g_assert_cmpuint (fetcher->n_board_fetches, ==, 2);

  g_assert_cmpint (tack_board_get_state (board), ==, TACK_ENTRY_FRESH);
  g_assert_cmpint (tack_board_get_seq (board), ==, 20);
  g_assert_null (tack_store_lookup_card (store, "c4"));
  g_assert_true (tack_store_lookup_card (store, "c1") == c1);
  g_assert_cmpstr (tack_card_get_title (c1), ==, "New");
}

static void
test_store_malformed_snapshot (void)
{
  const char *bad[] = {
    "[]",
    "42",
    "{}",
    "{\"board\": {\"id\": \"b1\", \"title\": \"T\", \"version\": 1, \"seq\": 1}, \"columns\": [], \"cards\": []}",
    "{\"board\": {\"id\": \"b1\", \"title\": 7, \"version\": 1, \"seq\": 1}, \"columns\": [], \"cards\": [], \"seq\": 1}",
    "{\"board\": {\"id\": \"b1\", \"title\": \"T\", \"version\": 1, \"seq\": 1}, \"columns\": {}, \"cards\": [], \"seq\": 1}",
    "{\"board\": {\"id\": \"b1\", \"title\": \"T\", \"version\": 1, \"seq\": 1}, \"columns\": [], \"cards\": [1], \"seq\": 1}",
    "{\"board\": {\"id\": \"b1\", \"title\": \"T\", \"version\": 1, \"seq\": 1}, \"columns\": [{\"id\": \"x\", \"board\": \"other\", \"title\": \"X\", \"position\": \"a\", \"version\": 1}], \"cards\": [], \"seq\": 1}",
  };
  g_autoptr(TackStore) store = loaded_store ();
  g_autofree char *before = dump_store (store);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) node = tack_test_parse (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autofree char *after = NULL;

      g_assert_false (tack_store_load_snapshot (store, node, &error));
      g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID);
      after = dump_store (store);
      g_assert_cmpstr (after, ==, before);
    }

  /* A snapshot whose last card is broken must not half-apply: the good
   * cards before it change nothing either. */
  {
    g_autoptr(JsonNode) snapshot = tack_test_snapshot ();
    JsonObject *root = json_node_get_object (snapshot);
    JsonArray *cards = json_object_get_array_member (root, "cards");
    g_autoptr(GError) error = NULL;
    g_autofree char *after = NULL;

    json_object_set_string_member (json_array_get_object_element (cards, 0), "title", "Changed");
    json_object_set_int_member (json_array_get_object_element (cards, 0), "version", 9);
    json_object_set_string_member (json_array_get_object_element (cards, 3), "due", "2026-02-30");

    g_assert_false (tack_store_load_snapshot (store, snapshot, &error));
    g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID);
    after = dump_store (store);
    g_assert_cmpstr (after, ==, before);
  }
}

static void
test_store_malformed_event (void)
{
  const char *bad[] = {
    "\"card.created\"",
    "{\"type\": \"card.created\", \"op\": null, \"actor\": null, \"data\": {}}",
    "{\"seq\": \"11\", \"type\": \"card.created\", \"op\": null, \"actor\": null, \"data\": {}}",
    "{\"seq\": 11, \"type\": \"card.created\", \"op\": null, \"actor\": null, \"data\": {}}",
    "{\"seq\": 11, \"type\": \"card.moved\", \"op\": null, \"actor\": null, \"data\": {\"card\": {\"id\": \"c1\"}}}",
    "{\"seq\": 11, \"type\": \"card.deleted\", \"op\": null, \"actor\": null, \"data\": {\"id\": 5}}",
    "{\"seq\": 11, \"type\": \"card.updated\", \"op\": null, \"actor\": null, \"data\": {\"id\": \"c1\"}}",
    "{\"seq\": 11, \"type\": \"column.updated\", \"op\": 3, \"actor\": null, \"data\": {\"column\": {}}}",
    "{\"seq\": 11, \"type\": \"board.updated\", \"op\": null, \"actor\": null, \"data\": null}",
    "{\"seq\": 0, \"type\": \"board.reset\", \"op\": null, \"actor\": null, \"data\": {}}",
    /* Each member of the envelope and of a card is checked for its type,
     * whichever way it is read. */
    "{\"seq\": 11, \"type\": null, \"op\": null, \"actor\": null, \"data\": {}}",
    "{\"seq\": 11, \"type\": \"board.reset\", \"op\": null, \"actor\": 7, \"data\": {}}",
    "{\"seq\": 11, \"type\": \"board.reset\", \"op\": [], \"actor\": null, \"data\": {}}",
    "{\"seq\": 11.5, \"type\": \"board.reset\", \"op\": null, \"actor\": null, \"data\": {}}",
    "{\"seq\": 11, \"type\": \"card.moved\", \"op\": null, \"actor\": null}",
    "{\"seq\": 11, \"type\": \"card.moved\", \"op\": null, \"actor\": null, \"data\": []}",
    "{\"seq\": 11, \"type\": \"card.moved\", \"op\": null, \"actor\": null, \"data\": {\"card\": {\"id\": \"c1\", \"column\": \"todo\", \"description\": \"\", \"position\": \"a\", \"labels\": [], \"assignees\": [], \"due\": null, \"version\": 5, \"updated_at\": null, \"updated_by\": null, \"title\": null}}}",
    "{\"seq\": 11, \"type\": \"card.moved\", \"op\": null, \"actor\": null, \"data\": {\"card\": {\"id\": \"c1\", \"column\": \"todo\", \"description\": \"\", \"position\": \"a\", \"labels\": [], \"assignees\": [], \"due\": null, \"version\": 5, \"updated_at\": null, \"updated_by\": null, \"title\": {}}}}",
    "{\"seq\": 11, \"type\": \"card.moved\", \"op\": null, \"actor\": null, \"data\": {\"card\": {\"id\": \"c1\", \"column\": \"todo\", \"description\": \"\", \"position\": \"a\", \"labels\": [], \"assignees\": [], \"due\": null, \"version\": 5, \"updated_at\": null, \"updated_by\": null, \"title\": [\"T\"]}}}",
    "{\"seq\": 11, \"type\": \"card.moved\", \"op\": null, \"actor\": null, \"data\": {\"card\": {\"id\": \"c1\", \"column\": \"todo\", \"description\": \"\", \"position\": \"a\", \"labels\": [], \"assignees\": [], \"due\": null, \"version\": 5, \"updated_at\": null, \"updated_by\": null, \"title\": 3}}}",
    "{\"seq\": 11, \"type\": \"card.moved\", \"op\": null, \"actor\": null, \"data\": {\"card\": {\"id\": \"c1\", \"column\": \"todo\", \"description\": \"\", \"position\": \"a\", \"labels\": [], \"assignees\": [], \"due\": null, \"version\": 5, \"updated_at\": null, \"updated_by\": null, \"title\": true}}}",
  };
  g_autoptr(TackStore) store = loaded_store ();
  g_autofree char *before = dump_store (store);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) node = tack_test_parse (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autofree char *after = NULL;

      g_assert_false (tack_store_apply_event (store, node, &error));
      g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID);
      after = dump_store (store);
      g_assert_cmpstr (after, ==, before);
    }

  /* The card the bad titles were tried on is good with a string one. */
  {
    g_autoptr(JsonNode) node = tack_test_parse ("{\"seq\": 11, \"type\": \"card.moved\", \"op\": null, \"actor\": \"ada\", "
                                                "\"data\": {\"card\": {\"id\": \"c1\", \"column\": \"todo\", \"description\": \"\", "
                                                "\"position\": \"a\", \"labels\": [], \"assignees\": [], \"due\": null, \"version\": 5, "
                                                "\"updated_at\": null, \"updated_by\": null, \"title\": \"T\"}}}");
    g_autoptr(GError) error = NULL;

    g_assert_true (tack_store_apply_event (store, node, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (tack_card_get_title (tack_store_lookup_card (store, "c1")), ==, "T");
    g_assert_null (tack_card_get_updated_by (tack_store_lookup_card (store, "c1")));
  }
}

static void
apply (TackStore *store,
       JsonNode  *event)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tack_store_apply_event (store, event, &error));
  g_assert_no_error (error);
  json_node_unref (event);
}

static void
test_store_event_table (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(TestFetcher) fetcher = g_object_new (TEST_TYPE_FETCHER, NULL);
  TackBoard *board = tack_store_get_board (store);
  JsonObject *data;
  JsonNode *event;

  tack_store_set_fetcher (store, TACK_FETCHER (fetcher));

  apply (store, tack_test_event (11, "card.created", NULL, "card",
                                 tack_test_card ("c9", "done", "New", "a", 1)));
  g_assert_cmpstr (tack_card_get_column_id (tack_store_lookup_card (store, "c9")), ==, "done");
  g_assert_cmpint (tack_board_get_seq (board), ==, 11);

  apply (store, tack_test_event (12, "card.moved", NULL, "card",
                                 tack_test_card ("c9", "todo", "New", "0", 2)));
  g_assert_cmpstr (tack_card_get_column_id (tack_store_lookup_card (store, "c9")), ==, "todo");

  event = tack_test_event (13, "card.deleted", NULL, NULL, NULL);
  data = json_object_get_object_member (json_node_get_object (event), "data");
  json_object_set_string_member (data, "id", "c9");
  json_object_set_string_member (data, "column", "todo");
  apply (store, event);
  g_assert_null (tack_store_lookup_card (store, "c9"));

  /* card.updated only says something changed: refetch. */
  event = tack_test_event (14, "card.updated", NULL, NULL, NULL);
  data = json_object_get_object_member (json_node_get_object (event), "data");
  json_object_set_string_member (data, "id", "c1");
  json_object_set_int_member (data, "version", 2);
  json_object_set_array_member (data, "fields", json_array_new ());
  apply (store, event);
  g_assert_cmpuint (fetcher->n_card_fetches, ==, 1);
  g_assert_cmpint (tack_card_get_state (tack_store_lookup_card (store, "c1")), ==, TACK_ENTRY_FETCHING);

  apply (store, tack_test_event (15, "column.created", NULL, "column",
                                 tack_test_column ("later", "Later", "d", 1)));
  apply (store, tack_test_event (16, "column.updated", NULL, "column",
                                 tack_test_column ("later", "Someday", "d", 2)));
  g_assert_cmpstr (tack_column_get_title (tack_store_lookup_column (store, "later")), ==, "Someday");

  event = tack_test_event (17, "column.deleted", NULL, NULL, NULL);
  data = json_object_get_object_member (json_node_get_object (event), "data");
  json_object_set_string_member (data, "id", "doing");
  apply (store, event);
  g_assert_null (tack_store_lookup_column (store, "doing"));
  g_assert_null (tack_store_lookup_card (store, "c4"));

  event = tack_test_event (18, "board.updated", NULL, NULL, NULL);
  data = json_object_get_object_member (json_node_get_object (event), "data");
  json_object_set_object_member (data, "board", json_object_ref (json_object_get_object_member (
    json_node_get_object (tack_test_parse ("{\"b\": {\"id\": \"b1\", \"title\": \"Renamed\", \"version\": 2, \"seq\": 18}}")), "b")));
  apply (store, event);
  g_assert_cmpstr (tack_board_get_title (board), ==, "Renamed");

  /* Already applied: ignored. */
  apply (store, tack_test_event (12, "card.created", NULL, "card",
                                 tack_test_card ("ghost", "todo", "Ghost", "a", 1)));
  g_assert_null (tack_store_lookup_card (store, "ghost"));

  apply (store, tack_test_event (19, "board.reset", NULL, NULL, NULL));
  g_assert_cmpuint (fetcher->n_board_fetches, ==, 1);
  apply (store, tack_test_event (20, "card.sparkled", NULL, NULL, NULL));
  /* Joins the snapshot fetch in flight rather than starting another. */
  g_assert_cmpuint (fetcher->n_board_fetches, ==, 1);
  g_assert_cmpint (tack_board_get_seq (board), ==, 20);
}

static void
test_store_local_create (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  GListModel *todo = tack_column_get_cards (tack_store_lookup_column (store, "todo"));
  g_autoptr(GError) error = NULL;
  g_autofree char *local_id = NULL;
  g_autoptr(TackCard) shown = NULL;
  g_autoptr(TackCard) at_2 = NULL;
  TackCard *card;

  local_id = tack_store_create_card_local (store, "op-1", "todo", "Write tests", "c1", &error);
  g_assert_no_error (error);
  card = tack_store_lookup_card (store, local_id);
  g_assert_nonnull (card);
  g_assert_true (tack_card_get_pending (card));
  g_assert_cmpuint (tack_store_get_n_pending (store), ==, 1);
  shown = g_list_model_get_item (todo, 1);
  g_assert_true (shown == card);

  /* The server's echo settles it: same object, server's id and values. */
  apply (store, tack_test_event (11, "card.created", "op-1", "card",
                                 tack_test_card ("c9", "todo", "Write tests", "aV", 1)));
  g_assert_true (tack_store_lookup_card (store, "c9") == card);
  g_assert_null (tack_store_lookup_card (store, local_id));
  g_assert_cmpstr (tack_card_get_id (card), ==, "c9");
  g_assert_false (tack_card_get_pending (card));
  g_assert_cmpuint (tack_store_get_n_pending (store), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (todo), ==, 4);
  at_2 = g_list_model_get_item (todo, 1);
  g_assert_true (at_2 == card);

  /* The HTTP answer arriving after the event changes nothing. */
  {
    g_autoptr(JsonObject) answer = tack_test_card ("c9", "todo", "Write tests", "aV", 1);

    tack_store_settle_local (store, "op-1", answer);
    g_assert_cmpuint (g_list_model_get_n_items (todo), ==, 4);
  }

  /* Bad local writes are refused and change nothing. */
  g_assert_null (tack_store_create_card_local (store, "op-2", "nope", "X", NULL, &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_UNKNOWN);
  g_clear_error (&error);
  g_assert_null (tack_store_create_card_local (store, "op-2", "todo", "", NULL, &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID);
  g_assert_cmpuint (tack_store_get_n_pending (store), ==, 0);
}

static void
test_store_local_edit_overlay (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) theirs = tack_test_card ("c2", "todo", "Second", "b", 2);
  g_autoptr(JsonObject) current = tack_test_card ("c2", "todo", "Their title", "b", 3);
  g_autoptr(GError) error = NULL;
  JsonArray *labels = json_array_new ();
  TackCard *c2 = tack_store_lookup_card (store, "c2");

  json_object_set_string_member (fields, "title", "My title");
  g_assert_true (tack_store_edit_card_local (store, "op-e", "c2", fields, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (tack_card_get_title (c2), ==, "My title");
  g_assert_true (tack_card_get_pending (c2));

  /* Someone else changes another field meanwhile: both show. */
  json_array_add_string_element (labels, "urgent");
  json_object_set_array_member (theirs, "labels", labels);
  g_assert_true (tack_store_write_card (store, theirs, NULL));
  g_assert_cmpstr (tack_card_get_title (c2), ==, "My title");
  g_assert_cmpstr (tack_card_get_labels (c2)[0], ==, "urgent");

  /* Rejected (a 409 with the server's current card): back to the server. */
  tack_store_rollback_local (store, "op-e", current);
  g_assert_cmpstr (tack_card_get_title (c2), ==, "Their title");
  g_assert_false (tack_card_get_pending (c2));
  g_assert_cmpuint (tack_store_get_n_pending (store), ==, 0);

  /* Fields are checked like the server would. */
  json_object_set_int_member (fields, "title", 5);
  g_assert_false (tack_store_edit_card_local (store, "op-f", "c2", fields, &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID);
  g_clear_error (&error);
  json_object_remove_member (fields, "title");
  json_object_set_string_member (fields, "position", "zz");
  g_assert_false (tack_store_edit_card_local (store, "op-f", "c2", fields, &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID);
}

static void
test_store_local_move_delete (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  GListModel *todo = tack_column_get_cards (tack_store_lookup_column (store, "todo"));
  GListModel *doing = tack_column_get_cards (tack_store_lookup_column (store, "doing"));
  g_autoptr(GError) error = NULL;
  g_autoptr(TackCard) last = NULL;
  TackCard *c1 = tack_store_lookup_card (store, "c1");

  /* First in "doing", before c4. */
  g_assert_true (tack_store_move_card_local (store, "op-m", "c1", "doing", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (todo), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (doing), ==, 2);
  last = g_list_model_get_item (doing, 0);
  g_assert_true (last == c1);

  /* Refused: back where the server has it. */
  tack_store_rollback_local (store, "op-m", NULL);
  g_assert_cmpstr (tack_card_get_column_id (c1), ==, "todo");
  g_assert_cmpuint (g_list_model_get_n_items (todo), ==, 3);

  /* Delete hides at once; a rollback brings it back; a settle removes it. */
  g_assert_true (tack_store_delete_card_local (store, "op-d", "c1", &error));
  g_assert_cmpuint (g_list_model_get_n_items (todo), ==, 2);
  tack_store_rollback_local (store, "op-d", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (todo), ==, 3);
  g_assert_true (tack_store_delete_card_local (store, "op-d2", "c1", &error));
  tack_store_settle_local (store, "op-d2", NULL);
  g_assert_null (tack_store_lookup_card (store, "c1"));
  g_assert_cmpuint (tack_store_get_n_pending (store), ==, 0);

  /* Moving after itself, or after a card elsewhere, is refused. */
  g_assert_false (tack_store_move_card_local (store, "op-x", "c2", "todo", "c2", &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_UNKNOWN);
  g_clear_error (&error);
  g_assert_false (tack_store_move_card_local (store, "op-x", "c2", "todo", "c4", &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_UNKNOWN);
}

/* A snapshot taken before a pushed event must not undo it. */
static void
test_store_snapshot_after_event (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(JsonNode) snapshot = tack_test_snapshot ();

  apply (store, tack_test_event (11, "card.created", NULL, "card",
                                 tack_test_card ("c9", "done", "Newer than the snapshot", "a", 1)));
  g_assert_true (tack_store_load_snapshot (store, snapshot, NULL));
  g_assert_nonnull (tack_store_lookup_card (store, "c9"));
  g_assert_cmpint (tack_board_get_seq (tack_store_get_board (store)), ==, 11);
}

static void
test_store_other_board (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(JsonNode) other = tack_test_parse (
    "{\"board\": {\"id\": \"b2\", \"title\": \"Other\", \"version\": 1, \"seq\": 3},"
    " \"columns\": [{\"id\": \"k\", \"board\": \"b2\", \"title\": \"K\", \"position\": \"a\", \"version\": 1}],"
    " \"cards\": [], \"seq\": 3}");
  TackBoard *old_board = tack_store_get_board (store);
  g_autofree char *dump = NULL;

  g_object_ref (old_board);
  g_assert_true (tack_store_load_snapshot (store, other, NULL));
  dump = dump_store (store);
  g_assert_cmpstr (dump, ==, "b2|Other|1|3\n k|K|0\n");
  g_assert_null (tack_store_lookup_card (store, "c1"));
  /* Still the one board object every widget is bound to. */
  g_assert_true (tack_store_get_board (store) == old_board);
  g_object_unref (old_board);
}

/* Columns are optimistic like cards: a new column shows at once, pending,
 * and the server's echo turns it into the real one without replacing the
 * object; a card created in it meanwhile follows it to the server's id. */
static void
test_store_local_column_create (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  GListModel *columns = tack_board_get_columns (tack_store_get_board (store));
  g_autoptr(GError) error = NULL;
  g_autofree char *local_id = NULL;
  g_autofree char *card_id = NULL;
  g_autoptr(TackColumn) second = NULL;
  g_autoptr(TackCard) listed = NULL;
  TackColumn *column;
  TackCard *card;

  local_id = tack_store_create_column_local (store, "op-c", "Review", "todo", &error);
  g_assert_no_error (error);
  column = tack_store_lookup_column (store, local_id);
  g_assert_nonnull (column);
  g_assert_true (tack_column_get_pending (column));
  g_assert_cmpstr (tack_column_get_title (column), ==, "Review");
  g_assert_cmpstr (tack_column_get_board_id (column), ==, "b1");
  g_assert_cmpuint (tack_store_get_n_pending (store), ==, 1);
  g_assert_cmpstr (tack_store_get_local_column_id (store, "op-c"), ==, local_id);
  g_assert_null (tack_store_get_local_card_id (store, "op-c"));
  second = g_list_model_get_item (columns, 1);
  g_assert_true (second == column);

  /* A card can go into it before the server has answered. */
  card_id = tack_store_create_card_local (store, "op-k", local_id, "Check it", NULL, &error);
  g_assert_no_error (error);
  card = tack_store_lookup_card (store, card_id);
  g_assert_cmpuint (tack_column_get_n_cards (column), ==, 1);

  apply (store, tack_test_event (11, "column.created", "op-c", "column",
                                 tack_test_column ("k9", "Review", "aV", 1)));
  g_assert_true (tack_store_lookup_column (store, "k9") == column);
  g_assert_null (tack_store_lookup_column (store, local_id));
  g_assert_cmpstr (tack_column_get_id (column), ==, "k9");
  g_assert_false (tack_column_get_pending (column));
  g_assert_cmpint (tack_column_get_version (column), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 4);

  /* The card is still pending, now in the server's column. */
  g_assert_cmpstr (tack_card_get_column_id (card), ==, "k9");
  g_assert_true (tack_card_get_pending (card));
  listed = g_list_model_get_item (tack_column_get_cards (column), 0);
  g_assert_true (listed == card);
  g_assert_cmpuint (tack_store_get_n_pending (store), ==, 1);

  /* The HTTP answer arriving after the event changes nothing. */
  {
    g_autoptr(JsonObject) answer = tack_test_column ("k9", "Review", "aV", 1);

    tack_store_settle_column_local (store, "op-c", answer);
    g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 4);
    g_assert_true (tack_store_lookup_column (store, "k9") == column);
  }

  /* Bad local writes are refused and change nothing. */
  g_assert_null (tack_store_create_column_local (store, "op-x", "  ", NULL, &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (tack_store_create_column_local (store, "op-x", "Late", "nope", &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_UNKNOWN);
  g_clear_error (&error);
  g_assert_null (tack_store_create_column_local (store, "op-k", "Again", NULL, &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID);
  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 4);
  g_assert_cmpuint (tack_store_get_n_pending (store), ==, 1);
}

/* A refused column creation takes the column away again, with what was
 * created in it here. */
static void
test_store_local_column_create_refused (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  GListModel *columns = tack_board_get_columns (tack_store_get_board (store));
  g_autoptr(GError) error = NULL;
  g_autofree char *local_id = NULL;
  g_autofree char *card_id = NULL;
  g_autofree char *before = dump_store (store);
  g_autofree char *after = NULL;

  local_id = tack_store_create_column_local (store, "op-c", "Doomed", NULL, &error);
  g_assert_no_error (error);
  card_id = tack_store_create_card_local (store, "op-k", local_id, "In it", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 4);
  g_assert_cmpuint (tack_store_get_n_pending (store), ==, 2);

  tack_store_rollback_column_local (store, "op-c", NULL);
  g_assert_null (tack_store_lookup_column (store, local_id));
  g_assert_null (tack_store_lookup_card (store, card_id));
  g_assert_cmpuint (tack_store_get_n_pending (store), ==, 0);
  after = dump_store (store);
  g_assert_cmpstr (after, ==, before);

  /* The card's own answer, when it comes, finds nothing to undo. */
  tack_store_rollback_local (store, "op-k", NULL);
  g_assert_cmpuint (tack_store_get_n_pending (store), ==, 0);
}

static void
test_store_local_column_edit (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) theirs = tack_test_column ("todo", "To Do", "a", 2);
  g_autoptr(JsonObject) current = tack_test_column ("todo", "Inbox", "a", 3);
  g_autoptr(GError) error = NULL;
  TackColumn *todo = tack_store_lookup_column (store, "todo");

  json_object_set_string_member (fields, "title", "Backlog");
  g_assert_true (tack_store_edit_column_local (store, "op-e", "todo", fields, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (tack_column_get_title (todo), ==, "Backlog");
  g_assert_true (tack_column_get_pending (todo));
  g_assert_cmpuint (tack_store_get_n_pending (store), ==, 1);

  /* Someone else sets the limit meanwhile: both show. */
  json_object_set_int_member (theirs, "wip_limit", 3);
  g_assert_true (tack_store_write_column (store, theirs, NULL));
  g_assert_cmpstr (tack_column_get_title (todo), ==, "Backlog");
  g_assert_cmpuint (tack_column_get_wip_limit (todo), ==, 3);
  g_assert_cmpint (tack_column_get_version (todo), ==, 2);

  /* Refused with the server's current column: that is what shows. */
  tack_store_rollback_column_local (store, "op-e", current);
  g_assert_cmpstr (tack_column_get_title (todo), ==, "Inbox");
  g_assert_cmpuint (tack_column_get_wip_limit (todo), ==, 0);
  g_assert_false (tack_column_get_pending (todo));
  g_assert_cmpuint (tack_store_get_n_pending (store), ==, 0);

  /* Accepted: the server's answer replaces the local value. */
  json_object_set_int_member (fields, "wip_limit", 2);
  g_assert_true (tack_store_edit_column_local (store, "op-f", "todo", fields, &error));
  g_assert_cmpuint (tack_column_get_wip_limit (todo), ==, 2);
  {
    g_autoptr(JsonObject) answer = tack_test_column ("todo", "Backlog", "a", 4);

    json_object_set_int_member (answer, "wip_limit", 2);
    tack_store_settle_column_local (store, "op-f", answer);
  }
  g_assert_cmpstr (tack_column_get_title (todo), ==, "Backlog");
  g_assert_cmpint (tack_column_get_version (todo), ==, 4);
  g_assert_false (tack_column_get_pending (todo));

  /* Checked like the server would. */
  json_object_remove_member (fields, "wip_limit");
  json_object_set_string_member (fields, "title", " ");
  g_assert_false (tack_store_edit_column_local (store, "op-g", "todo", fields, &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID);
  g_clear_error (&error);
  json_object_set_string_member (fields, "title", "Fine");
  json_object_set_int_member (fields, "wip_limit", -1);
  g_assert_false (tack_store_edit_column_local (store, "op-g", "todo", fields, &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID);
  g_clear_error (&error);
  json_object_remove_member (fields, "wip_limit");
  json_object_set_string_member (fields, "position", "0");
  g_assert_false (tack_store_edit_column_local (store, "op-g", "todo", fields, &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID);
  g_clear_error (&error);
  json_object_remove_member (fields, "position");
  g_assert_false (tack_store_edit_column_local (store, "op-g", "nope", fields, &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_UNKNOWN);
  g_assert_cmpstr (tack_column_get_title (todo), ==, "Backlog");
  g_assert_cmpuint (tack_store_get_n_pending (store), ==, 0);
}

static void
test_store_local_column_move_delete (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  GListModel *columns = tack_board_get_columns (tack_store_get_board (store));
  g_autoptr(GError) error = NULL;
  TackColumn *doing = tack_store_lookup_column (store, "doing");
  TackColumn *done = tack_store_lookup_column (store, "done");
  TackCard *c4 = tack_store_lookup_card (store, "c4");

  /* Done first, at once; refused, back at the end. */
  g_assert_true (tack_store_move_column_local (store, "op-m", "done", NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr(TackColumn) first = g_list_model_get_item (columns, 0);

    g_assert_true (first == done);
    g_assert_true (tack_column_get_pending (done));
  }
  tack_store_rollback_column_local (store, "op-m", NULL);
  {
    g_autoptr(TackColumn) last = g_list_model_get_item (columns, 2);

    g_assert_true (last == done);
    g_assert_false (tack_column_get_pending (done));
  }

  /* Deleting hides the column and its cards; a refusal brings them back. */
  g_assert_true (tack_store_delete_column_local (store, "op-d", "doing", &error));
  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 2);
  g_assert_true (tack_store_lookup_card (store, "c4") == c4);
  /* Nothing can be put into a column on its way out. */
  g_assert_false (tack_store_move_card_local (store, "op-x", "c1", "doing", NULL, &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_UNKNOWN);
  g_clear_error (&error);
  tack_store_rollback_column_local (store, "op-d", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 3);
  g_assert_cmpuint (tack_column_get_n_cards (doing), ==, 1);
  g_assert_false (tack_column_get_pending (doing));

  /* Confirmed by the server's event: gone with its cards. */
  g_assert_true (tack_store_delete_column_local (store, "op-d2", "doing", &error));
  {
    JsonNode *event = tack_test_event (11, "column.deleted", "op-d2", NULL, NULL);
    JsonObject *data = json_object_get_object_member (json_node_get_object (event), "data");

    json_object_set_string_member (data, "id", "doing");
    apply (store, event);
  }
  g_assert_null (tack_store_lookup_column (store, "doing"));
  g_assert_null (tack_store_lookup_card (store, "c4"));
  g_assert_cmpuint (tack_store_get_n_pending (store), ==, 0);

  /* A late echo of the deleted column cannot bring it back. */
  {
    g_autoptr(JsonObject) late = tack_test_column ("doing", "Doing", "b", 1);

    g_assert_true (tack_store_write_column (store, late, NULL));
    g_assert_null (tack_store_lookup_column (store, "doing"));
  }

  /* After itself, or after a column that is not there, is refused. */
  g_assert_false (tack_store_move_column_local (store, "op-y", "todo", "todo", &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_UNKNOWN);
  g_clear_error (&error);
  g_assert_false (tack_store_move_column_local (store, "op-y", "todo", "doing", &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_UNKNOWN);
}

/* Someone else deletes a column while this client's move of a card into
 * it is pending: the card is not the column's to take (the server still
 * has it where it was) and waits for the move's answer. */
static void
test_store_column_deleted_under_local_move (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(GError) error = NULL;
  TackCard *c1 = tack_store_lookup_card (store, "c1");

  g_assert_true (tack_store_move_card_local (store, "op-m", "c1", "doing", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (tack_store_remove_column (store, "doing"));
  g_assert_true (tack_store_lookup_card (store, "c1") == c1);
  g_assert_true (tack_store_has_local (store, "op-m"));

  tack_store_rollback_local (store, "op-m", NULL);
  g_assert_cmpstr (tack_card_get_column_id (c1), ==, "todo");
  g_assert_cmpuint (tack_column_get_n_cards (tack_store_lookup_column (store, "todo")), ==, 3);
}

static void
record_title (TackCard   *card,
              GParamSpec *pspec,
              GPtrArray  *titles)
{
  g_ptr_array_add (titles, g_strdup (tack_card_get_title (card)));
}

static char *
joined (GPtrArray *titles)
{
  g_ptr_array_add (titles, NULL);
  g_ptr_array_set_size (titles, titles->len - 1);
  return g_strjoinv ("|", (char **)titles->pdata);
}

static JsonNode *
card_updated_event (gint64      seq,
                    const char *op,
                    const char *card_id,
                    gint64      version)
{
  JsonNode *event = tack_test_event (seq, "card.updated", op, NULL, NULL);
  JsonObject *data = json_object_get_object_member (json_node_get_object (event), "data");
  JsonArray *fields = json_array_new ();

  json_array_add_string_element (fields, "title");
  json_object_set_string_member (data, "id", card_id);
  json_object_set_int_member (data, "version", version);
  json_object_set_array_member (data, "fields", fields);

  return event;
}

/* Our own card.updated says the edit landed but not what the card is now:
 * the edit stays on screen until the refetch brings that version, so the
 * old title never comes back in between. */
static void
test_store_own_update_no_flicker (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(TestFetcher) fetcher = g_object_new (TEST_TYPE_FETCHER, NULL);
  g_autoptr(GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) fetched = tack_test_card ("c2", "todo", "Mine", "b", 2);
  g_autoptr(GError) error = NULL;
  g_autofree char *seen = NULL;
  TackCard *c2 = tack_store_lookup_card (store, "c2");

  tack_store_set_fetcher (store, TACK_FETCHER (fetcher));
  g_signal_connect (c2, "notify::title", G_CALLBACK (record_title), titles);

  json_object_set_string_member (fields, "title", "Mine");
  g_assert_true (tack_store_edit_card_local (store, "op-e", "c2", fields, &error));
  g_assert_no_error (error);
  g_assert_true (tack_card_get_pending (c2));

  /* The echo comes first: confirmed, no longer pending, still "Mine". */
  apply (store, card_updated_event (11, "op-e", "c2", 2));
  g_assert_cmpstr (tack_card_get_title (c2), ==, "Mine");
  g_assert_false (tack_card_get_pending (c2));
  g_assert_cmpuint (tack_store_get_n_pending (store), ==, 0);
  g_assert_false (tack_store_has_local (store, "op-e"));
  g_assert_cmpuint (fetcher->n_card_fetches, ==, 1);

  /* A server value older than the edit (another client's stale refetch)
   * does not uncover the old title either. */
  {
    g_autoptr(JsonObject) older = tack_test_card ("c2", "todo", "Second", "b", 1);

    g_assert_true (tack_store_write_card (store, older, NULL));
    g_assert_cmpstr (tack_card_get_title (c2), ==, "Mine");
  }

  answer_card (fetcher, fetched);
  g_assert_cmpstr (tack_card_get_title (c2), ==, "Mine");
  g_assert_cmpint (tack_card_get_version (c2), ==, 2);
  g_assert_cmpint (tack_card_get_state (c2), ==, TACK_ENTRY_FRESH);

  /* The edit is gone from the overlay now: the server's next change shows. */
  {
    g_autoptr(JsonObject) later = tack_test_card ("c2", "todo", "Theirs", "b", 3);

    g_assert_true (tack_store_write_card (store, later, NULL));
    g_assert_cmpstr (tack_card_get_title (c2), ==, "Theirs");
  }

  /* The HTTP answer, arriving last, changes nothing. */
  tack_store_settle_local (store, "op-e", fetched);
  g_assert_cmpstr (tack_card_get_title (c2), ==, "Theirs");

  seen = joined (titles);
  g_assert_cmpstr (seen, ==, "Mine|Theirs");

  g_signal_handlers_disconnect_by_data (c2, titles);
}

/* The same when the HTTP answer, which carries the card, settles the edit
 * before the refetch: the old title never reappears. */
static void
test_store_own_update_answer_first (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(TestFetcher) fetcher = g_object_new (TEST_TYPE_FETCHER, NULL);
  g_autoptr(GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) answer = tack_test_card ("c2", "todo", "Mine", "b", 2);
  g_autoptr(GError) error = NULL;
  g_autofree char *seen = NULL;
  TackCard *c2 = tack_store_lookup_card (store, "c2");

  tack_store_set_fetcher (store, TACK_FETCHER (fetcher));
  g_signal_connect (c2, "notify::title", G_CALLBACK (record_title), titles);

  json_object_set_string_member (fields, "title", "Mine");
  g_assert_true (tack_store_edit_card_local (store, "op-e", "c2", fields, &error));
  apply (store, card_updated_event (11, "op-e", "c2", 2));
  tack_store_settle_local (store, "op-e", answer);
  g_assert_cmpstr (tack_card_get_title (c2), ==, "Mine");
  g_assert_cmpint (tack_card_get_version (c2), ==, 2);

  /* The refetch started by the event finds what the answer brought. */
  answer_card (fetcher, answer);
  g_assert_cmpstr (tack_card_get_title (c2), ==, "Mine");

  seen = joined (titles);
  g_assert_cmpstr (seen, ==, "Mine");

  g_signal_handlers_disconnect_by_data (c2, titles);
}

/* After a reset, the reloaded snapshot replaces the store even where it
 * is older (the server was restored from a backup with a lower seq); an
 * ordinary stale snapshot is still dropped where the store is newer. */
static void
test_store_reload_replaces (void)
{
  g_autoptr(TackStore) store = loaded_store ();
  g_autoptr(JsonNode) stale = tack_test_snapshot ();
  g_autoptr(JsonNode) backup = tack_test_snapshot ();
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  TackBoard *board = tack_store_get_board (store);
  TackCard *c1 = tack_store_lookup_card (store, "c1");
  JsonObject *root;
  JsonNode *event;

  apply (store, tack_test_event (11, "card.created", NULL, "card",
                                 tack_test_card ("c9", "done", "After the backup", "a", 1)));
  apply (store, tack_test_event (12, "card.moved", NULL, "card",
                                 tack_test_card ("c1", "todo", "First", "z", 2)));
  event = tack_test_event (13, "card.deleted", NULL, NULL, NULL);
  json_object_set_string_member (json_object_get_object_member (json_node_get_object (event), "data"),
                                 "id", "c2");
  apply (store, event);
  json_object_set_string_member (fields, "title", "Still mine");
  g_assert_true (tack_store_edit_card_local (store, "op-e", "c3", fields, &error));
  g_assert_no_error (error);

  /* A stale snapshot (seq 10) takes nothing back. */
  g_assert_true (tack_store_load_snapshot (store, stale, &error));
  g_assert_cmpint (tack_board_get_seq (board), ==, 13);
  g_assert_nonnull (tack_store_lookup_card (store, "c9"));
  g_assert_null (tack_store_lookup_card (store, "c2"));
  g_assert_cmpstr (tack_card_get_position (c1), ==, "z");

  /* The restored server is at seq 5, with c1 as it was before. */
  root = json_node_get_object (backup);
  json_object_set_int_member (root, "seq", 5);
  json_object_set_int_member (json_object_get_object_member (root, "board"), "seq", 5);
  json_object_set_string_member (json_array_get_object_element (json_object_get_array_member (root, "cards"), 1),
                                 "title", "Restored");
  g_assert_true (tack_store_reload_snapshot (store, backup, &error));
  g_assert_no_error (error);

  g_assert_cmpint (tack_board_get_seq (board), ==, 5);
  g_assert_null (tack_store_lookup_card (store, "c9"));
  g_assert_nonnull (tack_store_lookup_card (store, "c2"));
  g_assert_true (tack_store_lookup_card (store, "c1") == c1);
  g_assert_cmpstr (tack_card_get_title (c1), ==, "Restored");
  g_assert_cmpstr (tack_card_get_position (c1), ==, "a");
  g_assert_cmpint (tack_card_get_version (c1), ==, 1);
  g_assert_cmpuint (tack_column_get_n_cards (tack_store_lookup_column (store, "todo")), ==, 3);
  /* Our pending edit is still shown on top. */
  g_assert_cmpstr (tack_card_get_title (tack_store_lookup_card (store, "c3")), ==, "Still mine");
  g_assert_true (tack_store_has_local (store, "op-e"));

  /* The new timeline's next event applies. */
  apply (store, tack_test_event (6, "card.created", NULL, "card",
                                 tack_test_card ("c10", "done", "New timeline", "a", 1)));
  g_assert_cmpint (tack_board_get_seq (board), ==, 6);
  g_assert_nonnull (tack_store_lookup_card (store, "c10"));
}

static void
on_snapshot_loaded (TackStore *store,
                    guint     *cards_seen)
{
  /* Emitted once the whole snapshot is in, cards included. */
  *cards_seen = tack_column_get_n_cards (tack_store_lookup_column (store, "todo"));
}

static void
test_store_snapshot_loaded_signal (void)
{
  g_autoptr(TackStore) store = tack_store_new ();
  g_autoptr(JsonNode) snapshot = tack_test_snapshot ();
  g_autoptr(JsonNode) bad = tack_test_parse ("{}");
  guint cards_seen = 0;

  g_signal_connect (store, "snapshot-loaded", G_CALLBACK (on_snapshot_loaded), &cards_seen);
  g_assert_true (tack_store_load_snapshot (store, snapshot, NULL));
  g_assert_cmpuint (cards_seen, ==, 3);

  cards_seen = 0;
  g_assert_false (tack_store_load_snapshot (store, bad, NULL));
  g_assert_cmpuint (cards_seen, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tack/store/snapshot", test_store_snapshot);
  g_test_add_func ("/tack/store/identity", test_store_identity);
  g_test_add_func ("/tack/store/stale-write", test_store_stale_write);
  g_test_add_func ("/tack/store/slow-fetch-loses", test_store_slow_fetch_loses);
  g_test_add_func ("/tack/store/invalidate/collapses", test_store_invalidate_collapses);
  g_test_add_func ("/tack/store/invalidate/again", test_store_invalidate_again);
  g_test_add_func ("/tack/store/invalidate/gone-and-error", test_store_invalidate_gone_and_error);
  g_test_add_func ("/tack/store/invalidate/board", test_store_invalidate_board);
  g_test_add_func ("/tack/store/malformed/snapshot", test_store_malformed_snapshot);
  g_test_add_func ("/tack/store/malformed/event", test_store_malformed_event);
  g_test_add_func ("/tack/store/events", test_store_event_table);
  g_test_add_func ("/tack/store/snapshot-after-event", test_store_snapshot_after_event);
  g_test_add_func ("/tack/store/other-board", test_store_other_board);
  g_test_add_func ("/tack/store/reload-replaces", test_store_reload_replaces);
  g_test_add_func ("/tack/store/snapshot-loaded", test_store_snapshot_loaded_signal);
  g_test_add_func ("/tack/store/local/create", test_store_local_create);
  g_test_add_func ("/tack/store/local/edit-overlay", test_store_local_edit_overlay);
  g_test_add_func ("/tack/store/local/move-delete", test_store_local_move_delete);
  g_test_add_func ("/tack/store/local/own-update-no-flicker", test_store_own_update_no_flicker);
  g_test_add_func ("/tack/store/local/own-update-answer-first", test_store_own_update_answer_first);
  g_test_add_func ("/tack/store/local/column-create", test_store_local_column_create);
  g_test_add_func ("/tack/store/local/column-create-refused", test_store_local_column_create_refused);
  g_test_add_func ("/tack/store/local/column-edit", test_store_local_column_edit);
  g_test_add_func ("/tack/store/local/column-move-delete", test_store_local_column_move_delete);
  g_test_add_func ("/tack/store/local/column-deleted-under-move", test_store_column_deleted_under_local_move);

  return g_test_run ();
}
