/* test-dispatcher.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The dispatcher's ordering rules, on their own: frames are fed by hand
 * and the one HTTP request it makes (the snapshot after a reset) is
 * answered by a SoupServer in this process. */

#include "config.h"

#include "tack-test-net.h"

typedef struct
{
  SoupServer *server;
  char       *url;
  char       *snapshot;     /* what GET /boards/b1 answers */
  guint       n_requests;
} FakeServer;

static void
board_handler (SoupServer        *server,
               SoupServerMessage *message,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  FakeServer *fake = user_data;

  fake->n_requests++;
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                    fake->snapshot, strlen (fake->snapshot));
}

static void
fake_start (FakeServer *fake)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, "/api/v1/boards/b1", board_handler, fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (fake->server);
  fake->url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
}

static void
fake_stop (FakeServer *fake)
{
  g_clear_object (&fake->server);
  g_clear_pointer (&fake->url, g_free);
  g_clear_pointer (&fake->snapshot, g_free);
}

static char *
snapshot_json (gint64      seq,
               const char *cards)
{
  return g_strdup_printf ("{\"board\": {\"id\": \"b1\", \"title\": \"B\", \"version\": 1, \"seq\": %" G_GINT64_FORMAT "},"
                          " \"columns\": [{\"id\": \"c1\", \"board\": \"b1\", \"title\": \"Todo\", \"position\": \"a\","
                          " \"wip_limit\": 0, \"version\": 1}],"
                          " \"cards\": [%s], \"seq\": %" G_GINT64_FORMAT "}",
                          seq, cards, seq);
}

static char *
card_json (const char *id,
           const char *title,
           gint64      version)
{
  return g_strdup_printf ("{\"id\": \"%s\", \"column\": \"c1\", \"title\": \"%s\", \"description\": \"\","
                          " \"position\": \"m\", \"labels\": [], \"assignees\": [], \"due\": null,"
                          " \"version\": %" G_GINT64_FORMAT ", \"updated_at\": \"2026-11-25T10:00:00Z\","
                          " \"updated_by\": \"ada\"}",
                          id, title, version);
}

static void
dispatch (TackDispatcher *dispatcher,
          const char     *json)
{
  g_autoptr(JsonNode) frame = json_from_string (json, NULL);

  g_assert_nonnull (frame);
  tack_dispatcher_dispatch (dispatcher, frame);
}

static void
dispatch_created (TackDispatcher *dispatcher,
                  gint64          seq,
                  const char     *id,
                  const char     *title)
{
  g_autofree char *card = card_json (id, title, 1);
  g_autofree char *event =
    g_strdup_printf ("{\"seq\": %" G_GINT64_FORMAT ", \"type\": \"card.created\", \"op\": null,"
                     " \"actor\": \"ada\", \"data\": {\"card\": %s}}", seq, card);

  dispatch (dispatcher, event);
}

static void
on_resume (TackDispatcher *dispatcher,
           gint64          since,
           GArray         *resumes)
{
  g_array_append_val (resumes, since);
}

typedef struct
{
  FakeServer      fake;
  TackApi        *api;
  TackStore      *store;
  TackDispatcher *dispatcher;
  GArray         *resumes;
} Fixture;

static void
fixture_setup (Fixture *f)
{
  g_autoptr(JsonNode) snapshot = NULL;
  g_autoptr(GError) error = NULL;

  f->fake.snapshot = snapshot_json (1, "");
  fake_start (&f->fake);

  f->api = tack_api_new (f->fake.url, "b1", "token");
  f->store = tack_store_new ();
  tack_store_set_fetcher (f->store, TACK_FETCHER (f->api));
  f->dispatcher = tack_dispatcher_new (f->store, f->api);
  f->resumes = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (f->dispatcher, "resume-needed", G_CALLBACK (on_resume), f->resumes);

  snapshot = json_from_string (f->fake.snapshot, NULL);
  tack_store_load_snapshot (f->store, snapshot, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tack_dispatcher_get_seq (f->dispatcher), ==, 1);
}

static void
fixture_teardown (Fixture *f)
{
  g_clear_object (&f->dispatcher);
  g_clear_object (&f->store);
  g_clear_object (&f->api);
  g_array_unref (f->resumes);
  fake_stop (&f->fake);
}

static void
test_dispatcher_order (void)
{
  Fixture f = { 0 };

  fixture_setup (&f);

  dispatch_created (f.dispatcher, 2, "k2", "Two");
  g_assert_nonnull (tack_store_lookup_card (f.store, "k2"));
  g_assert_cmpint (tack_dispatcher_get_seq (f.dispatcher), ==, 2);

  /* Already seen: ignored. */
  dispatch_created (f.dispatcher, 2, "k2-again", "Again");
  dispatch_created (f.dispatcher, 1, "k1", "Old");
  g_assert_null (tack_store_lookup_card (f.store, "k2-again"));
  g_assert_null (tack_store_lookup_card (f.store, "k1"));
  g_assert_cmpint (tack_dispatcher_get_seq (f.dispatcher), ==, 2);

  /* A gap: nothing applied, a resume from the last applied seq asked. */
  dispatch_created (f.dispatcher, 4, "k4", "Four");
  g_assert_null (tack_store_lookup_card (f.store, "k4"));
  g_assert_cmpuint (f.resumes->len, ==, 1);
  g_assert_cmpint (g_array_index (f.resumes, gint64, 0), ==, 2);

  /* The resumed stream fills it in. */
  dispatch_created (f.dispatcher, 3, "k3", "Three");
  dispatch_created (f.dispatcher, 4, "k4", "Four");
  g_assert_nonnull (tack_store_lookup_card (f.store, "k4"));
  g_assert_cmpint (tack_dispatcher_get_seq (f.dispatcher), ==, 4);
  g_assert_cmpuint (f.fake.n_requests, ==, 0);

  fixture_teardown (&f);
}

static void
test_dispatcher_reset (void)
{
  Fixture f = { 0 };
  g_autofree char *k9 = card_json ("k9", "From the snapshot", 3);

  fixture_setup (&f);
  dispatch_created (f.dispatcher, 2, "k2", "Two");

  /* The server lost track of us: the snapshot at seq 10 replaces all. */
  g_free (f.fake.snapshot);
  f.fake.snapshot = snapshot_json (10, k9);
  dispatch (f.dispatcher, "{\"type\": \"reset\", \"seq\": 10}");
  g_assert_true (tack_dispatcher_get_loading (f.dispatcher));

  /* Events during the reload wait for it, then go in order. */
  dispatch_created (f.dispatcher, 10, "k10", "Already in the snapshot");
  dispatch_created (f.dispatcher, 11, "k11", "After the snapshot");
  g_assert_null (tack_store_lookup_card (f.store, "k11"));

  TEST_WAIT_FOR (!tack_dispatcher_get_loading (f.dispatcher));
  g_assert_cmpuint (f.fake.n_requests, ==, 1);
  g_assert_cmpuint (tack_api_get_n_snapshot_fetches (f.api), ==, 1);
  g_assert_null (tack_store_lookup_card (f.store, "k2"));
  g_assert_null (tack_store_lookup_card (f.store, "k10"));
  g_assert_nonnull (tack_store_lookup_card (f.store, "k9"));
  g_assert_nonnull (tack_store_lookup_card (f.store, "k11"));
  g_assert_cmpint (tack_dispatcher_get_seq (f.dispatcher), ==, 11);
  g_assert_cmpuint (f.resumes->len, ==, 0);

  fixture_teardown (&f);
}

static void
on_presence (TackDispatcher *dispatcher,
             const char     *user,
             JsonObject     *state,
             GPtrArray      *seen)
{
  g_ptr_array_add (seen, g_strdup_printf ("%s:%s", user,
                                          state ? json_object_get_string_member_with_default (state, "editing", "-") : "left"));
}

static void
test_dispatcher_presence (void)
{
  Fixture f = { 0 };
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);

  fixture_setup (&f);
  g_signal_connect (f.dispatcher, "presence", G_CALLBACK (on_presence), seen);

  dispatch (f.dispatcher, "{\"type\": \"presence\", \"user\": \"bob\", \"state\": {\"editing\": \"k1\"}}");
  dispatch (f.dispatcher, "{\"type\": \"presence\", \"user\": \"bob\", \"state\": null}");

  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "bob:k1");
  g_assert_cmpstr (g_ptr_array_index (seen, 1), ==, "bob:left");
  /* Presence carries no seq and moves nothing. */
  g_assert_cmpint (tack_dispatcher_get_seq (f.dispatcher), ==, 1);

  fixture_teardown (&f);
}

/* A snapshot past the size parsed in a worker thread (PARSE_IN_THREAD_BYTES
 * in tack-api.c) takes the same path into the store: events that arrive
 * meanwhile wait for it, then go in order. */
static void
test_dispatcher_large_snapshot (void)
{
  Fixture f = { 0 };
  g_autoptr(GString) cards = g_string_new (NULL);
  g_autoptr(TackColumn) column = NULL;
  const guint n_cards = 2000;

  fixture_setup (&f);
  dispatch_created (f.dispatcher, 2, "k2", "Two");

  for (guint i = 0; i < n_cards; i++)
    {
      g_autofree char *id = g_strdup_printf ("big%04u", i);
      g_autofree char *card = card_json (id, "A card of a large board", 1);

      g_string_append_printf (cards, "%s%s", i ? ", " : "", card);
    }
  g_free (f.fake.snapshot);
  f.fake.snapshot = snapshot_json (10, cards->str);
  g_assert_cmpuint (strlen (f.fake.snapshot), >, 256 * 1024);

  dispatch (f.dispatcher, "{\"type\": \"reset\", \"seq\": 10}");
  dispatch_created (f.dispatcher, 11, "k11", "After the snapshot");
  g_assert_true (tack_dispatcher_get_loading (f.dispatcher));

  TEST_WAIT_FOR (!tack_dispatcher_get_loading (f.dispatcher));
  g_assert_null (tack_store_lookup_card (f.store, "k2"));
  g_assert_nonnull (tack_store_lookup_card (f.store, "big0000"));
  g_assert_nonnull (tack_store_lookup_card (f.store, "big1999"));
  g_assert_nonnull (tack_store_lookup_card (f.store, "k11"));
  column = g_list_model_get_item (tack_board_get_columns (tack_store_get_board (f.store)), 0);
  g_assert_cmpuint (tack_column_get_n_cards (column), ==, n_cards + 1);
  g_assert_cmpint (tack_dispatcher_get_seq (f.dispatcher), ==, 11);

  fixture_teardown (&f);
}

static void
on_reload_failed (TackDispatcher *dispatcher,
                  const GError   *error,
                  GError        **out)
{
  g_clear_error (out);
  *out = g_error_copy (error);
}

/* A large answer that is not JSON fails the reload like a small one: the
 * store keeps what it had and is not told anything new. */
static void
test_dispatcher_large_malformed_snapshot (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) body = g_string_new ("{\"board\": ");

  fixture_setup (&f);
  dispatch_created (f.dispatcher, 2, "k2", "Two");
  g_signal_connect (f.dispatcher, "reload-failed", G_CALLBACK (on_reload_failed), &error);

  while (body->len < 256 * 1024)
    g_string_append (body, "[\"not closed\", ");
  g_free (f.fake.snapshot);
  f.fake.snapshot = g_string_free (g_steal_pointer (&body), FALSE);

  dispatch (f.dispatcher, "{\"type\": \"reset\", \"seq\": 10}");
  TEST_WAIT_FOR (!tack_dispatcher_get_loading (f.dispatcher));

  g_assert_error (error, TACK_API_ERROR, TACK_API_ERROR_INTERNAL);
  g_assert_nonnull (strstr (error->message, "malformed JSON"));
  g_assert_nonnull (tack_store_lookup_card (f.store, "k2"));
  g_assert_cmpint (tack_dispatcher_get_seq (f.dispatcher), ==, 2);

  fixture_teardown (&f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tack/net/dispatcher/order", test_dispatcher_order);
  g_test_add_func ("/tack/net/dispatcher/reset", test_dispatcher_reset);
  g_test_add_func ("/tack/net/dispatcher/presence", test_dispatcher_presence);
  g_test_add_func ("/tack/net/dispatcher/large-snapshot", test_dispatcher_large_snapshot);
  g_test_add_func ("/tack/net/dispatcher/large-malformed-snapshot", test_dispatcher_large_malformed_snapshot);

  return g_test_run ();
}
