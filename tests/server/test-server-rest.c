/* test-server-rest.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The REST side of tack-server against a real server: every endpoint,
 * every error code it can produce, ops, merges and conflicts, and many
 * concurrent writers. */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "tack-sqlite-storage.h"
#include "tack-test-server.h"

static char *
board_path (TestServer *ts,
            const char *suffix)
{
  return g_strdup_printf ("/api/v1/boards/%s%s", ts->board_id, suffix ? suffix : "");
}

static JsonObject *
snapshot (TestServer *ts,
          Response  **keep)
{
  g_autofree char *path = board_path (ts, NULL);

  *keep = test_http (ts, "GET", path, ts->board_token, NULL);
  g_assert_cmpuint ((*keep)->status, ==, 200);

  return response_object (*keep, NULL);
}

static void
test_rest_health_and_boards (void)
{
  TestServer *ts = test_server_new (0);
  g_autoptr(Response) health = test_http (ts, "GET", "/api/v1/health", NULL, NULL);
  g_autoptr(Response) list = NULL;
  g_autoptr(Response) created = NULL;
  g_autoptr(Response) again = NULL;
  g_autofree char *board_id = NULL;
  g_autofree char *token = NULL;
  JsonArray *boards;
  JsonObject *board;

  g_assert_cmpuint (health->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (response_object (health, NULL), "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (response_object (health, NULL), "version"), ==, PACKAGE_VERSION);

  /* Empty parts of a path do not count; other parts do. */
  {
    g_autoptr(Response) doubled = test_http (ts, "GET", "/api/v1//health/", NULL, NULL);
    g_autoptr(Response) longer = test_http (ts, "GET", "/api/v1/health/x", NULL, NULL);

    g_assert_cmpuint (doubled->status, ==, 200);
    g_assert_cmpuint (longer->status, ==, 404);
  }

  /* The default board: three columns, and the same board the second time. */
  {
    g_autoptr(Response) snap = NULL;
    JsonObject *root = snapshot (ts, &snap);
    JsonArray *columns = json_object_get_array_member (root, "columns");
    g_autofree char *id2 = NULL;
    g_autofree char *token2 = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "board"), "title"), ==, "My Board");
    g_assert_cmpuint (json_array_get_length (columns), ==, 3);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (columns, 0), "title"), ==, "To Do");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (columns, 1), "title"), ==, "Doing");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (columns, 2), "title"), ==, "Done");
    g_assert_cmpint (json_object_get_int_member (root, "seq"), ==, 3);

    tack_server_ensure_default_board (ts->server, &id2, &token2, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (id2, ==, ts->board_id);
    g_assert_cmpstr (token2, ==, ts->board_token);
  }

  created = test_http (ts, "POST", "/api/v1/boards", ts->admin, "{\"title\": \"Second\"}");
  g_assert_cmpuint (created->status, ==, 201);
  board = response_object (created, "board");
  g_assert_cmpstr (json_object_get_string_member (board, "title"), ==, "Second");
  g_assert_cmpint (json_object_get_int_member (board, "seq"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (board, "version"), ==, 1);
  board_id = g_strdup (json_object_get_string_member (board, "id"));
  token = g_strdup (json_object_get_string_member (response_object (created, NULL), "token"));
  g_assert_cmpstr (token, !=, ts->board_token);

  list = test_http (ts, "GET", "/api/v1/boards", ts->admin, NULL);
  g_assert_cmpuint (list->status, ==, 200);
  boards = json_object_get_array_member (response_object (list, NULL), "boards");
  g_assert_cmpuint (json_array_get_length (boards), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (boards, 1), "id"), ==, board_id);

  /* The new board's token opens it, and only it. */
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s", board_id);
    g_autofree char *other = board_path (ts, NULL);
    g_autoptr(Response) own = test_http (ts, "GET", path, token, NULL);
    g_autoptr(Response) foreign = test_http (ts, "GET", other, token, NULL);

    g_assert_cmpuint (own->status, ==, 200);
    g_assert_cmpuint (foreign->status, ==, 403);
    g_assert_cmpstr (response_error_code (foreign), ==, "forbidden");
  }

  /* A board token neither lists nor creates boards. */
  again = test_http (ts, "GET", "/api/v1/boards", ts->board_token, NULL);
  g_assert_cmpuint (again->status, ==, 403);
  g_assert_cmpstr (response_error_code (again), ==, "forbidden");

  test_server_free (ts);
}

static void
test_rest_auth (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *path = board_path (ts, NULL);
  g_autofree char *query_path = g_strdup_printf ("%s?access_token=%s", path, ts->board_token);
  g_autofree char *bad_query = g_strdup_printf ("%s?access_token=nope", path);
  g_autoptr(Response) none = test_http (ts, "GET", path, NULL, NULL);
  g_autoptr(Response) wrong = test_http (ts, "GET", path, "not-a-token", NULL);
  g_autoptr(Response) by_query = test_http (ts, "GET", query_path, NULL, NULL);
  g_autoptr(Response) bad_by_query = test_http (ts, "GET", bad_query, NULL, NULL);
  g_autoptr(Response) admin = test_http (ts, "GET", path, ts->admin, NULL);
  g_autoptr(Response) list = test_http (ts, "GET", "/api/v1/boards", NULL, NULL);
  g_autoptr(Response) unknown_admin = test_http (ts, "GET", "/api/v1/boards/nope", ts->admin, NULL);
  g_autoptr(Response) unknown_board_token = test_http (ts, "GET", "/api/v1/boards/nope", ts->board_token, NULL);
  g_autoptr(Response) write = NULL;
  g_autofree char *columns = board_path (ts, "/columns");

  g_assert_cmpuint (none->status, ==, 401);
  g_assert_cmpstr (response_error_code (none), ==, "unauthorized");
  g_assert_cmpuint (wrong->status, ==, 401);
  g_assert_cmpstr (response_error_code (wrong), ==, "unauthorized");
  g_assert_cmpuint (by_query->status, ==, 200);
  g_assert_cmpuint (bad_by_query->status, ==, 401);
  g_assert_cmpuint (admin->status, ==, 200);
  g_assert_cmpuint (list->status, ==, 401);
  g_assert_cmpuint (unknown_admin->status, ==, 404);
  g_assert_cmpstr (response_error_code (unknown_admin), ==, "not_found");
  g_assert_cmpuint (unknown_board_token->status, ==, 403);

  /* Writes need a token too, and a refused one changes nothing. */
  write = test_http (ts, "POST", columns, NULL, "{\"op\": \"x\", \"title\": \"T\"}");
  g_assert_cmpuint (write->status, ==, 401);
  g_assert_cmpint (test_board_seq (ts), ==, 3);

  test_server_free (ts);
}

typedef struct
{
  const char *method;
  const char *suffix;   /* after /api/v1/boards/{board} */
  const char *body;
  guint       status;
  const char *code;
} BadCase;

static void
test_rest_bad_requests (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *column = test_create_column (ts, "Extra", NULL);
  g_autoptr(JsonNode) card = test_create_card (ts, column, "A card", NULL);
  const char *card_id = json_object_get_string_member (json_node_get_object (card), "id");
  g_autofree char *card_suffix = g_strdup_printf ("/cards/%s", card_id);
  g_autofree char *move_suffix = g_strdup_printf ("/cards/%s/move", card_id);
  g_autofree char *column_suffix = g_strdup_printf ("/columns/%s", column);
  gint64 seq = test_board_seq (ts);
  BadCase cases[] = {
    { "POST", "/cards", "{\"op\": \"1\", \"column\": \"COL\", \"title\": \"x\"", 400, "bad_request" },
    { "POST", "/cards", "[1, 2]", 400, "bad_request" },
    { "POST", "/cards", "", 400, "bad_request" },
    { "POST", "/cards", "{\"column\": \"COL\", \"title\": \"x\"}", 400, "bad_request" },
    { "POST", "/cards", "{\"op\": 5, \"column\": \"COL\", \"title\": \"x\"}", 400, "bad_request" },
    { "POST", "/cards", "{\"op\": \"2\", \"column\": \"COL\"}", 400, "bad_request" },
    { "POST", "/cards", "{\"op\": \"3\", \"column\": \"COL\", \"title\": \"\"}", 400, "bad_request" },
    { "POST", "/cards", "{\"op\": \"4\", \"column\": \"COL\", \"title\": \"   \"}", 400, "bad_request" },
    { "POST", "/cards", "{\"op\": \"5\", \"column\": \"COL\", \"title\": 7}", 400, "bad_request" },
    { "POST", "/cards", "{\"op\": \"6\", \"column\": \"COL\", \"title\": null}", 400, "bad_request" },
    { "POST", "/cards", "{\"op\": \"7\", \"column\": 3, \"title\": \"x\"}", 400, "bad_request" },
    { "POST", "/cards", "{\"op\": \"8\", \"column\": \"COL\", \"title\": \"x\", \"labels\": \"red\"}", 400, "bad_request" },
    { "POST", "/cards", "{\"op\": \"9\", \"column\": \"COL\", \"title\": \"x\", \"labels\": [1]}", 400, "bad_request" },
    { "POST", "/cards", "{\"op\": \"10\", \"column\": \"COL\", \"title\": \"x\", \"assignees\": [\"a\", null]}", 400, "bad_request" },
    { "POST", "/cards", "{\"op\": \"11\", \"column\": \"COL\", \"title\": \"x\", \"due\": \"2026-02-30\"}", 400, "bad_request" },
    { "POST", "/cards", "{\"op\": \"12\", \"column\": \"COL\", \"title\": \"x\", \"due\": \"tomorrow\"}", 400, "bad_request" },
    { "POST", "/cards", "{\"op\": \"13\", \"column\": \"COL\", \"title\": \"x\", \"due\": 20260101}", 400, "bad_request" },
    { "POST", "/cards", "{\"op\": \"14\", \"column\": \"COL\", \"title\": \"x\", \"description\": 1}", 400, "bad_request" },
    { "POST", "/cards", "{\"op\": \"15\", \"column\": \"COL\", \"title\": \"x\", \"after\": 1}", 400, "bad_request" },
    { "POST", "/cards", "{\"op\": \"16\", \"column\": \"nope\", \"title\": \"x\"}", 404, "not_found" },
    { "POST", "/cards", "{\"op\": \"17\", \"column\": \"COL\", \"title\": \"x\", \"after\": \"nope\"}", 404, "not_found" },
    { "PATCH", "CARD", "{\"op\": \"18\", \"title\": \"y\"}", 400, "bad_request" },
    { "PATCH", "CARD", "{\"op\": \"19\", \"base_version\": \"1\", \"title\": \"y\"}", 400, "bad_request" },
    { "PATCH", "CARD", "{\"op\": \"20\", \"base_version\": -1, \"title\": \"y\"}", 400, "bad_request" },
    { "PATCH", "CARD", "{\"op\": \"21\", \"base_version\": 1, \"title\": \"\"}", 400, "bad_request" },
    { "PATCH", "CARD", "{\"op\": \"22\", \"base_version\": 1, \"labels\": {}}", 400, "bad_request" },
    { "PATCH", "/cards/nope", "{\"op\": \"23\", \"base_version\": 1, \"title\": \"y\"}", 404, "not_found" },
    { "GET", "/cards/nope", NULL, 404, "not_found" },
    { "DELETE", "/cards/nope", "{\"op\": \"24\"}", 404, "not_found" },
    { "DELETE", "CARD", "{}", 400, "bad_request" },
    { "POST", "MOVE", "{\"op\": \"25\", \"column\": \"COL\"}", 400, "bad_request" },
    { "POST", "MOVE", "{\"op\": \"26\", \"base_version\": 1, \"column\": \"nope\"}", 404, "not_found" },
    { "POST", "MOVE", "{\"op\": \"27\", \"base_version\": 1, \"column\": \"COL\", \"after\": \"CARDID\"}", 400, "bad_request" },
    { "POST", "/columns", "{\"op\": \"28\"}", 400, "bad_request" },
    { "POST", "/columns", "{\"op\": \"29\", \"title\": \"x\", \"after\": \"nope\"}", 404, "not_found" },
    { "POST", "/columns", "{\"op\": \"30\", \"title\": \"x\", \"wip_limit\": \"3\"}", 400, "bad_request" },
    { "PATCH", "COLUMN", "{\"op\": \"31\", \"title\": \"x\"}", 400, "bad_request" },
    { "PATCH", "/columns/nope", "{\"op\": \"32\", \"base_version\": 1, \"title\": \"x\"}", 404, "not_found" },
    { "DELETE", "/columns/nope", "{\"op\": \"33\"}", 404, "not_found" },
    { "GET", "/events?since=x", NULL, 400, "bad_request" },
    { "GET", "/events?since=-4", NULL, 400, "bad_request" },
    { "GET", "/events?since=0&wait=soon", NULL, 400, "bad_request" },
    { "GET", "/nothing", NULL, 404, "not_found" },
    { "PUT", "/cards", "{}", 405, "method_not_allowed" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *suffix = NULL;
      g_autofree char *body = NULL;
      g_autofree char *path = NULL;
      g_autoptr(Response) response = NULL;

      if (g_str_equal (cases[i].suffix, "CARD"))
        suffix = g_strdup (card_suffix);
      else if (g_str_equal (cases[i].suffix, "MOVE"))
        suffix = g_strdup (move_suffix);
      else if (g_str_equal (cases[i].suffix, "COLUMN"))
        suffix = g_strdup (column_suffix);
      else
        suffix = g_strdup (cases[i].suffix);

      if (cases[i].body != NULL)
        {
          g_autoptr(GString) text = g_string_new (cases[i].body);

          g_string_replace (text, "CARDID", card_id, 0);
          g_string_replace (text, "COL", column, 0);
          body = g_string_free (g_steal_pointer (&text), FALSE);
        }

      path = board_path (ts, suffix);
      response = test_http (ts, cases[i].method, path, ts->board_token, body);
      g_test_message ("case %u: %s %s %s → %u %s", i, cases[i].method, suffix,
                      body ? body : "", response->status, response->body);
      g_assert_cmpuint (response->status, ==, cases[i].status);
      g_assert_cmpstr (response_error_code (response), ==, cases[i].code);
    }

  /* Not one of them changed anything. */
  g_assert_cmpint (test_board_seq (ts), ==, seq);

  test_server_free (ts);
}

static void
test_rest_too_large (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *path = board_path (ts, "/columns");
  g_autofree char *url = g_strconcat (ts->base, path, NULL);
  gsize size = 1024 * 1024 + 100;
  char *big = g_malloc (size);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autofree char *auth = g_strdup_printf ("Bearer %s", ts->board_token);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  GAsyncResult *result = NULL;

  /* A valid JSON object, just too big. */
  memset (big, ' ', size);
  memcpy (big, "{\"op\": \"big\", \"title\": \"x\"", 26);
  big[size - 1] = '}';
  bytes = g_bytes_new_take (big, size);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_headers_set_expectations (soup_message_get_request_headers (msg), SOUP_EXPECTATION_CONTINUE);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);

  soup_session_send_and_read_async (ts->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    test_store_result_cb, &result);
  TEST_WAIT_FOR (result != NULL);
  reply = soup_session_send_and_read_finish (ts->session, result, &error);
  g_clear_object (&result);
  g_assert_no_error (error);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 413);
  json = json_from_string (g_bytes_get_data (reply, NULL), NULL);
  g_assert_nonnull (json);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (json), "error"), "code"), ==, "too_large");

  g_assert_cmpint (test_board_seq (ts), ==, 3);

  test_server_free (ts);
}

static void
test_rest_columns (void)
{
  TestServer *ts = test_server_new (0);
  g_autoptr(Response) snap = NULL;
  JsonObject *root = snapshot (ts, &snap);
  JsonArray *columns = json_object_get_array_member (root, "columns");
  const char *todo = json_object_get_string_member (json_array_get_object_element (columns, 0), "id");
  const char *doing = json_object_get_string_member (json_array_get_object_element (columns, 1), "id");
  g_autofree char *first = test_create_column (ts, "First", NULL);
  g_autofree char *between = test_create_column (ts, "Between", todo);
  g_autoptr(Response) after = NULL;
  g_autoptr(Response) patched = NULL;
  g_autoptr(Response) conflict = NULL;
  g_autoptr(Response) deleted = NULL;
  g_autoptr(Response) card_gone = NULL;
  g_autofree char *patch_path = g_strdup_printf ("/api/v1/boards/%s/columns/%s", ts->board_id, between);
  g_autoptr(JsonNode) card = test_create_card (ts, between, "Doomed", NULL);
  g_autofree char *card_path = g_strdup_printf ("/api/v1/boards/%s/cards/%s", ts->board_id,
                                                json_object_get_string_member (json_node_get_object (card), "id"));
  JsonObject *column;

  /* Order: First, To Do, Between, Doing, Done. */
  {
    g_autofree char *path = board_path (ts, NULL);

    after = test_http (ts, "GET", path, ts->board_token, NULL);
  }
  columns = json_object_get_array_member (response_object (after, NULL), "columns");
  g_assert_cmpuint (json_array_get_length (columns), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (columns, 0), "id"), ==, first);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (columns, 1), "id"), ==, todo);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (columns, 2), "id"), ==, between);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (columns, 3), "id"), ==, doing);

  patched = test_http (ts, "PATCH", patch_path, ts->board_token,
                       "{\"op\": \"p1\", \"base_version\": 1, \"title\": \"Review\", \"wip_limit\": 3}");
  g_assert_cmpuint (patched->status, ==, 200);
  column = response_object (patched, "column");
  g_assert_cmpstr (json_object_get_string_member (column, "title"), ==, "Review");
  g_assert_cmpint (json_object_get_int_member (column, "wip_limit"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (column, "version"), ==, 2);

  /* Someone still at version 1 renaming it again conflicts. */
  conflict = test_http (ts, "PATCH", patch_path, ts->board_token,
                        "{\"op\": \"p2\", \"base_version\": 1, \"title\": \"QA\"}");
  g_assert_cmpuint (conflict->status, ==, 409);
  g_assert_cmpstr (response_error_code (conflict), ==, "conflict");
  g_assert_cmpstr (json_object_get_string_member (response_object (conflict, "current"), "title"), ==, "Review");

  /* Deleting it takes its cards. */
  deleted = test_http (ts, "DELETE", patch_path, ts->board_token, "{\"op\": \"d1\"}");
  g_assert_cmpuint (deleted->status, ==, 200);
  card_gone = test_http (ts, "GET", card_path, ts->board_token, NULL);
  g_assert_cmpuint (card_gone->status, ==, 404);

  {
    g_autofree char *events_path = g_strdup_printf ("/api/v1/boards/%s/events?since=0", ts->board_id);
    g_autoptr(Response) events = test_http (ts, "GET", events_path, ts->board_token, NULL);
    JsonArray *list = json_object_get_array_member (response_object (events, NULL), "events");
    guint n = json_array_get_length (list);
    JsonObject *last = json_array_get_object_element (list, n - 1);
    JsonObject *updated = json_array_get_object_element (list, n - 2);

    g_assert_cmpstr (json_object_get_string_member (last, "type"), ==, "column.deleted");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (last, "data"), "id"), ==, between);
    g_assert_cmpstr (json_object_get_string_member (last, "op"), ==, "d1");
    g_assert_cmpstr (json_object_get_string_member (updated, "type"), ==, "column.updated");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_object_get_object_member (updated, "data"), "column"), "title"), ==, "Review");
  }

  test_server_free (ts);
}

static JsonObject *
patch_card (TestServer  *ts,
            const char  *card_id,
            const char  *body,
            guint        status,
            Response   **keep)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s/cards/%s", ts->board_id, card_id);

  *keep = test_http (ts, "PATCH", path, ts->board_token, body);
  g_test_message ("PATCH %s → %u %s", body, (*keep)->status, (*keep)->body);
  g_assert_cmpuint ((*keep)->status, ==, status);

  return status == 200 ? response_object (*keep, "card") : response_object (*keep, "current");
}

static void
test_rest_cards_merge (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *column = test_create_column (ts, "Work", NULL);
  g_autoptr(JsonNode) created = test_create_card (ts, column, "Write tests", NULL);
  JsonObject *card = json_node_get_object (created);
  const char *id = json_object_get_string_member (card, "id");
  g_autoptr(Response) r1 = NULL;
  g_autoptr(Response) r2 = NULL;
  g_autoptr(Response) r3 = NULL;
  g_autoptr(Response) r4 = NULL;
  g_autoptr(Response) r5 = NULL;
  g_autoptr(Response) r6 = NULL;
  g_autoptr(Response) fetched = NULL;
  g_autofree char *card_path = g_strdup_printf ("/api/v1/boards/%s/cards/%s", ts->board_id, id);
  JsonObject *result;
  JsonArray *labels;

  g_assert_cmpstr (json_object_get_string_member (card, "column"), ==, column);
  g_assert_cmpstr (json_object_get_string_member (card, "description"), ==, "");
  g_assert_cmpint (json_object_get_int_member (card, "version"), ==, 1);
  g_assert_true (json_object_get_null_member (card, "due"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (card, "labels")), ==, 0);
  g_assert_true (json_object_has_member (card, "updated_at"));
  g_assert_true (json_object_has_member (card, "updated_by"));
  g_assert_true (json_object_has_member (card, "position"));

  /* Ada changes the title from version 1. */
  result = patch_card (ts, id, "{\"op\": \"a\", \"base_version\": 1, \"title\": \"Write more tests\"}", 200, &r1);
  g_assert_cmpint (json_object_get_int_member (result, "version"), ==, 2);

  /* Bob, also at version 1, changes other fields: they merge. */
  result = patch_card (ts, id, "{\"op\": \"b\", \"base_version\": 1, \"description\": \"all of them\","
                               " \"labels\": [\"qa\", \"urgent\"], \"due\": \"2026-12-24\"}", 200, &r2);
  g_assert_cmpint (json_object_get_int_member (result, "version"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (result, "title"), ==, "Write more tests");
  g_assert_cmpstr (json_object_get_string_member (result, "description"), ==, "all of them");
  g_assert_cmpstr (json_object_get_string_member (result, "due"), ==, "2026-12-24");
  labels = json_object_get_array_member (result, "labels");
  g_assert_cmpuint (json_array_get_length (labels), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (labels, 1), ==, "urgent");

  /* Carol, at version 1, would overwrite Ada's title: conflict, with the
   * current card to merge against. */
  result = patch_card (ts, id, "{\"op\": \"c\", \"base_version\": 1, \"title\": \"Skip tests\"}", 409, &r3);
  g_assert_cmpstr (response_error_code (r3), ==, "conflict");
  g_assert_cmpstr (json_object_get_string_member (result, "title"), ==, "Write more tests");
  g_assert_cmpint (json_object_get_int_member (result, "version"), ==, 3);

  /* Setting a field to the value it already has is no conflict. */
  patch_card (ts, id, "{\"op\": \"d\", \"base_version\": 1, \"title\": \"Write more tests\"}", 200, &r4);

  /* From the current version the same change goes through; due clears. */
  result = patch_card (ts, id, "{\"op\": \"e\", \"base_version\": 3, \"title\": \"Skip tests\", \"due\": null,"
                               " \"assignees\": [\"carol\"]}", 200, &r5);
  g_assert_cmpstr (json_object_get_string_member (result, "title"), ==, "Skip tests");
  g_assert_true (json_object_get_null_member (result, "due"));
  g_assert_cmpint (json_object_get_int_member (result, "version"), ==, 4);

  /* The actor header names who did it. */
  {
    g_autofree char *url = g_strconcat (ts->base, card_path, NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("PATCH", url);
    g_autofree char *auth = g_strdup_printf ("Bearer %s", ts->board_token);
    const char *body = "{\"op\": \"f\", \"base_version\": 4, \"description\": \"by dan\"}";
    g_autoptr(GBytes) bytes = g_bytes_new_static (body, strlen (body));
    GAsyncResult *async = NULL;
    g_autoptr(GBytes) reply = NULL;
    g_autoptr(JsonNode) json = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Tack-User", "dan");
    soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    soup_session_send_and_read_async (ts->session, msg, G_PRIORITY_DEFAULT, NULL,
                                      test_store_result_cb, &async);
    TEST_WAIT_FOR (async != NULL);
    reply = soup_session_send_and_read_finish (ts->session, async, NULL);
    g_clear_object (&async);
    json = json_from_string (g_bytes_get_data (reply, NULL), NULL);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (json), "card"), "updated_by"), ==, "dan");
  }

  fetched = test_http (ts, "GET", card_path, ts->board_token, NULL);
  g_assert_cmpuint (fetched->status, ==, 200);
  result = response_object (fetched, "card");
  g_assert_cmpstr (json_object_get_string_member (result, "description"), ==, "by dan");
  g_assert_cmpint (json_object_get_int_member (result, "version"), ==, 5);

  /* card.updated events name the fields, and a no-op wrote none. */
  {
    g_autofree char *events_path = g_strdup_printf ("/api/v1/boards/%s/events?since=4", ts->board_id);
    g_autoptr(Response) events = test_http (ts, "GET", events_path, ts->board_token, NULL);
    JsonArray *list = json_object_get_array_member (response_object (events, NULL), "events");
    JsonObject *second;
    JsonArray *fields;

    g_assert_cmpuint (json_array_get_length (list), ==, 5);   /* card.created, a, b, e, f */
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "type"), ==, "card.created");
    second = json_array_get_object_element (list, 2);
    g_assert_cmpstr (json_object_get_string_member (second, "type"), ==, "card.updated");
    g_assert_cmpstr (json_object_get_string_member (second, "op"), ==, "b");
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (second, "data"), "version"), ==, 3);
    fields = json_object_get_array_member (json_object_get_object_member (second, "data"), "fields");
    g_assert_cmpuint (json_array_get_length (fields), ==, 3);
    g_assert_cmpstr (json_array_get_string_element (fields, 0), ==, "description");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 4), "actor"), ==, "dan");
  }

  (void)r6;
  test_server_free (ts);
}

static const char *
card_id_of (JsonNode *card)
{
  return json_object_get_string_member (json_node_get_object (card), "id");
}

static GPtrArray *
column_order (TestServer *ts,
              const char *column)
{
  g_autoptr(Response) snap = NULL;
  JsonArray *cards = json_object_get_array_member (snapshot (ts, &snap), "cards");
  GPtrArray *order = g_ptr_array_new_with_free_func (g_free);

  /* The snapshot lists cards by (column, position, id). */
  for (guint i = 0; i < json_array_get_length (cards); i++)
    {
      JsonObject *card = json_array_get_object_element (cards, i);

      if (g_str_equal (json_object_get_string_member (card, "column"), column))
        g_ptr_array_add (order, g_strdup (json_object_get_string_member (card, "id")));
    }

  return order;
}

static void
move_card (TestServer *ts,
           const char *card,
           gint64      base_version,
           const char *column,
           const char *after,
           guint       status)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s/cards/%s/move", ts->board_id, card);
  g_autofree char *op = test_unique_op ();
  g_autofree char *after_json = after ? g_strdup_printf ("\"%s\"", after) : g_strdup ("null");
  g_autofree char *body = g_strdup_printf ("{\"op\": \"%s\", \"base_version\": %" G_GINT64_FORMAT ","
                                           " \"column\": \"%s\", \"after\": %s}",
                                           op, base_version, column, after_json);
  g_autoptr(Response) response = test_http (ts, "POST", path, ts->board_token, body);

  g_assert_cmpuint (response->status, ==, status);
  if (status == 200)
    {
      g_assert_cmpstr (json_object_get_string_member (response_object (response, "card"), "column"), ==, column);
    }
}

/* Positions come from the model's keys (tack_position_between(), the same
 * the client uses for its optimistic moves): cards inserted again and
 * again right after the same card, appended and prepended, come back in
 * the order they were placed, their keys strictly growing. */
static void
test_rest_positions (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *column = test_create_column (ts, "Positions", NULL);
  g_autoptr(JsonNode) anchor = test_create_card (ts, column, "Anchor", NULL);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) order = NULL;
  g_autoptr(Response) snap = NULL;
  JsonArray *cards;
  const char *previous = NULL;

  g_ptr_array_add (expected, g_strdup (card_id_of (anchor)));

  for (guint i = 0; i < 60; i++)
    {
      g_autoptr(JsonNode) same = test_create_card (ts, column, "Same spot", card_id_of (anchor));
      g_autoptr(JsonNode) last = NULL;
      g_autoptr(JsonNode) first = NULL;
      guint at_anchor;

      g_assert_true (g_ptr_array_find_with_equal_func (expected, card_id_of (anchor), g_str_equal, &at_anchor));
      g_ptr_array_insert (expected, at_anchor + 1, g_strdup (card_id_of (same)));

      last = test_create_card (ts, column, "Last", g_ptr_array_index (expected, expected->len - 1));
      g_ptr_array_add (expected, g_strdup (card_id_of (last)));

      first = test_create_card (ts, column, "First", NULL);
      g_ptr_array_insert (expected, 0, g_strdup (card_id_of (first)));
    }

  order = column_order (ts, column);
  g_assert_cmpuint (order->len, ==, expected->len);
  for (guint i = 0; i < order->len; i++)
    g_assert_cmpstr (g_ptr_array_index (order, i), ==, g_ptr_array_index (expected, i));

  cards = json_object_get_array_member (snapshot (ts, &snap), "cards");
  for (guint i = 0; i < json_array_get_length (cards); i++)
    {
      JsonObject *card = json_array_get_object_element (cards, i);
      const char *position = json_object_get_string_member (card, "position");

      if (!g_str_equal (json_object_get_string_member (card, "column"), column))
        continue;
      if (previous != NULL)
        g_assert_cmpstr (previous, <, position);
      previous = position;
    }

  test_server_free (ts);
}

static void
test_rest_move_and_delete (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *left = test_create_column (ts, "Left", NULL);
  g_autofree char *right = test_create_column (ts, "Right", left);
  g_autoptr(JsonNode) a = test_create_card (ts, left, "A", NULL);
  g_autoptr(JsonNode) b = test_create_card (ts, left, "B", card_id_of (a));
  g_autoptr(JsonNode) c = test_create_card (ts, left, "C", card_id_of (b));
  g_autoptr(JsonNode) first = test_create_card (ts, left, "First", NULL);
  g_autoptr(GPtrArray) order = column_order (ts, left);
  g_autoptr(Response) del = NULL;
  g_autoptr(Response) del_again = NULL;
  g_autoptr(Response) del_query = NULL;
  gint64 seq;

  g_assert_cmpuint (order->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, card_id_of (first));
  g_assert_cmpstr (g_ptr_array_index (order, 1), ==, card_id_of (a));
  g_assert_cmpstr (g_ptr_array_index (order, 2), ==, card_id_of (b));
  g_assert_cmpstr (g_ptr_array_index (order, 3), ==, card_id_of (c));

  /* C to the top; then A after B; then B to the other column. */
  move_card (ts, card_id_of (c), 1, left, NULL, 200);
  move_card (ts, card_id_of (a), 1, left, card_id_of (b), 200);
  g_clear_pointer (&order, g_ptr_array_unref);
  order = column_order (ts, left);
  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, card_id_of (c));
  g_assert_cmpstr (g_ptr_array_index (order, 1), ==, card_id_of (first));
  g_assert_cmpstr (g_ptr_array_index (order, 2), ==, card_id_of (b));
  g_assert_cmpstr (g_ptr_array_index (order, 3), ==, card_id_of (a));

  move_card (ts, card_id_of (b), 1, right, NULL, 200);
  g_clear_pointer (&order, g_ptr_array_unref);
  order = column_order (ts, right);
  g_assert_cmpuint (order->len, ==, 1);

  /* A move from a stale version after someone else moved it conflicts. */
  move_card (ts, card_id_of (a), 1, right, NULL, 409);

  /* Many moves between the same two neighbours keep the order. */
  for (guint i = 0; i < 50; i++)
    move_card (ts, card_id_of (first), 2 + i, left, card_id_of (c), 200);
  g_clear_pointer (&order, g_ptr_array_unref);
  order = column_order (ts, left);
  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, card_id_of (c));
  g_assert_cmpstr (g_ptr_array_index (order, 1), ==, card_id_of (first));
  g_assert_cmpstr (g_ptr_array_index (order, 2), ==, card_id_of (a));

  /* Delete with a body, repeat it, and delete with ?op=. */
  seq = test_board_seq (ts);
  {
    g_autofree char *path_a = g_strdup_printf ("/api/v1/boards/%s/cards/%s", ts->board_id, card_id_of (a));
    g_autofree char *path_c = g_strdup_printf ("/api/v1/boards/%s/cards/%s?op=del-c", ts->board_id, card_id_of (c));

    del = test_http (ts, "DELETE", path_a, ts->board_token, "{\"op\": \"del-a\"}");
    g_assert_cmpuint (del->status, ==, 200);
    del_again = test_http (ts, "DELETE", path_a, ts->board_token, "{\"op\": \"del-a\"}");
    g_assert_cmpuint (del_again->status, ==, 200);
    g_assert_cmpstr (del_again->body, ==, del->body);
    del_query = test_http (ts, "DELETE", path_c, ts->board_token, NULL);
    g_assert_cmpuint (del_query->status, ==, 200);
  }
  g_assert_cmpint (test_board_seq (ts), ==, seq + 2);

  g_clear_pointer (&order, g_ptr_array_unref);
  order = column_order (ts, left);
  g_assert_cmpuint (order->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, card_id_of (first));

  test_server_free (ts);
}

/* A retried op answers the first result, status included, and makes no
 * second event. */
static void
test_rest_op_replay (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *path = board_path (ts, "/columns");
  g_autoptr(Response) first = test_http (ts, "POST", path, ts->board_token,
                                         "{\"op\": \"same\", \"title\": \"Once\", \"after\": null}");
  g_autoptr(Response) second = test_http (ts, "POST", path, ts->board_token,
                                          "{\"op\": \"same\", \"title\": \"Once\", \"after\": null}");
  g_autofree char *events_path = board_path (ts, "/events?since=0");
  g_autoptr(Response) events = NULL;
  JsonArray *list;
  guint n_same = 0;

  g_assert_cmpuint (first->status, ==, 201);
  g_assert_cmpuint (second->status, ==, 201);
  g_assert_cmpstr (first->body, ==, second->body);
  g_assert_cmpint (test_board_seq (ts), ==, 4);

  events = test_http (ts, "GET", events_path, ts->board_token, NULL);
  list = json_object_get_array_member (response_object (events, NULL), "events");
  for (guint i = 0; i < json_array_get_length (list); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (list, i), "op"), "same") == 0)
      n_same++;
  g_assert_cmpuint (n_same, ==, 1);

  test_server_free (ts);
}

/* Four clients, each with its own session and connection, write 250
 * times each as fast as answers come back: seqs 1..1000, no gap, no
 * duplicate. */
typedef struct
{
  TestServer  *ts;
  SoupSession *session;
  guint        done;
  guint        target;
  Response    *pending;
} Writer;

static void
writer_next (Writer *writer)
{
  g_autofree char *op = test_unique_op ();
  g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s/columns", writer->ts->board_id);
  g_autofree char *body = g_strdup_printf ("{\"op\": \"%s\", \"title\": \"w %u\", \"after\": null}",
                                           op, writer->done);

  test_http_async (writer->ts, writer->session, "POST", path, writer->ts->board_token, body,
                   &writer->pending);
}

static void
test_rest_concurrent_writers (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *board_token = NULL;
  g_autofree char *board_id = test_server_new_board (ts, &board_token);
  Writer writers[4];
  g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 since = 0;
  gboolean more = TRUE;
  guint pages = 0;
  gboolean all_done;

  /* Write to a fresh board, so its seq starts at 0. */
  g_free (ts->board_id);
  g_free (ts->board_token);
  ts->board_id = g_strdup (board_id);
  ts->board_token = g_strdup (board_token);

  for (guint i = 0; i < G_N_ELEMENTS (writers); i++)
    {
      writers[i] = (Writer) { .ts = ts, .target = 250 };
      writers[i].session = g_object_new (SOUP_TYPE_SESSION, NULL);
      writer_next (&writers[i]);
    }

  do
    {
      test_wait_tick ();
      all_done = TRUE;
      for (guint i = 0; i < G_N_ELEMENTS (writers); i++)
        {
          Writer *writer = &writers[i];

          if (writer->pending != NULL)
            {
              g_assert_cmpuint (writer->pending->status, ==, 201);
              g_clear_pointer (&writer->pending, response_free);
              if (++writer->done < writer->target)
                writer_next (writer);
            }
          if (writer->done < writer->target)
            all_done = FALSE;
        }
    }
  while (!all_done);

  for (guint i = 0; i < G_N_ELEMENTS (writers); i++)
    g_object_unref (writers[i].session);

  /* Page through the log. */
  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s/events?since=%" G_GINT64_FORMAT "&limit=300",
                                               ts->board_id, since);
      g_autoptr(Response) page = test_http (ts, "GET", path, ts->board_token, NULL);
      JsonObject *root = response_object (page, NULL);
      JsonArray *events = json_object_get_array_member (root, "events");

      g_assert_cmpint (json_object_get_int_member (root, "seq"), ==, 1000);
      for (guint i = 0; i < json_array_get_length (events); i++)
        {
          gint64 seq = json_object_get_int_member (json_array_get_object_element (events, i), "seq");

          g_array_append_val (seqs, seq);
          since = seq;
        }
      more = json_object_get_boolean_member (root, "more");
      pages++;
    }

  g_assert_cmpuint (pages, ==, 4);
  g_assert_cmpuint (seqs->len, ==, 1000);
  for (guint i = 0; i < seqs->len; i++)
    g_assert_cmpint (g_array_index (seqs, gint64, i), ==, i + 1);
  g_assert_cmpint (test_board_seq (ts), ==, 1000);

  /* 1000 columns, each put first: still in a strict order. */
  {
    g_autoptr(Response) snap = NULL;
    JsonArray *columns = json_object_get_array_member (snapshot (ts, &snap), "columns");

    g_assert_cmpuint (json_array_get_length (columns), ==, 1000);
    for (guint i = 1; i < json_array_get_length (columns); i++)
      g_assert_cmpint (strcmp (json_object_get_string_member (json_array_get_object_element (columns, i - 1), "position"),
                               json_object_get_string_member (json_array_get_object_element (columns, i), "position")), <, 0);
  }

  test_server_free (ts);
}

/* PATCH on the board itself (an extension): board.updated. */
static void
test_rest_board_update (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *path = board_path (ts, NULL);
  g_autofree char *events_path = board_path (ts, "/events?since=3");
  g_autoptr(Response) renamed = test_http (ts, "PATCH", path, ts->board_token,
                                           "{\"op\": \"r1\", \"base_version\": 1, \"title\": \"Team\"}");
  g_autoptr(Response) stale = test_http (ts, "PATCH", path, ts->board_token,
                                         "{\"op\": \"r2\", \"base_version\": 1, \"title\": \"Other\"}");
  g_autoptr(Response) events = test_http (ts, "GET", events_path, ts->board_token, NULL);
  JsonObject *board = response_object (renamed, "board");
  JsonObject *event;

  g_assert_cmpuint (renamed->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (board, "title"), ==, "Team");
  g_assert_cmpint (json_object_get_int_member (board, "version"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (board, "seq"), ==, 4);

  g_assert_cmpuint (stale->status, ==, 409);
  g_assert_cmpstr (json_object_get_string_member (response_object (stale, "current"), "title"), ==, "Team");

  event = json_array_get_object_element (json_object_get_array_member (response_object (events, NULL), "events"), 0);
  g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, "board.updated");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_object_get_object_member (event, "data"), "board"), "title"), ==, "Team");

  test_server_free (ts);
}

/* Writes through a storage that fails them are answered 500 "internal"
 * and change nothing. */
static void
test_rest_internal_error (void)
{
  TestProxyStorage *storage;
  TestServer *ts = test_server_new_proxied (&storage);
  WsClient *client;
  g_autofree char *column = NULL;
  g_autoptr(Response) failed = NULL;
  g_autofree char *path = NULL;

  client = ws_client_connect (ts, "since=3");

  /* Writes through the double work, and reach subscribers. */
  column = test_create_column (ts, "Works", NULL);
  TEST_WAIT_FOR (ws_client_count_events (client) == 1);

  storage->fail_writes = TRUE;
  path = g_strdup_printf ("/api/v1/boards/%s/columns", ts->board_id);
  failed = test_http (ts, "POST", path, ts->board_token, "{\"op\": \"x\", \"title\": \"Fails\"}");
  g_assert_cmpuint (failed->status, ==, 500);
  g_assert_cmpstr (response_error_code (failed), ==, "internal");
  storage->fail_writes = FALSE;

  g_assert_cmpint (test_board_seq (ts), ==, 4);
  g_assert_cmpuint (ws_client_count_events (client), ==, 1);

  ws_client_free (client);
  test_server_free (ts);
}

/* A board's snapshot is read from the storage once per seq: clients that
 * open the board meanwhile get the same answer, and the next committed
 * change, and only that, makes the next reader see it. */
static void
test_rest_snapshot_cache (void)
{
  TestProxyStorage *storage;
  TestServer *ts = test_server_new_proxied (&storage);
  g_autofree char *path = NULL;
  g_autofree char *columns = NULL;
  g_autofree char *column = NULL;
  g_autoptr(Response) first = NULL;
  g_autoptr(Response) again = NULL;
  g_autoptr(Response) refused = NULL;
  g_autoptr(Response) unchanged = NULL;
  g_autoptr(Response) changed = NULL;
  g_autoptr(Response) other = NULL;
  g_autofree char *other_token = NULL;
  g_autofree char *other_board = NULL;
  g_autofree char *other_path = NULL;
  guint n;

  path = g_strdup_printf ("/api/v1/boards/%s", ts->board_id);

  first = test_http (ts, "GET", path, ts->board_token, NULL);
  g_assert_cmpuint (first->status, ==, 200);
  n = storage->n_snapshots;
  again = test_http (ts, "GET", path, ts->board_token, NULL);
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_cmpstr (again->body, ==, first->body);
  g_assert_cmpuint (storage->n_snapshots, ==, n);

  /* Nothing committed, nothing new to read; no token, no snapshot. */
  storage->fail_writes = TRUE;
  columns = g_strdup_printf ("%s/columns", path);
  refused = test_http (ts, "POST", columns, ts->board_token, "{\"op\": \"x\", \"title\": \"Fails\"}");
  g_assert_cmpuint (refused->status, ==, 500);
  storage->fail_writes = FALSE;
  g_clear_pointer (&refused, response_free);
  refused = test_http (ts, "GET", path, NULL, NULL);
  g_assert_cmpuint (refused->status, ==, 401);
  unchanged = test_http (ts, "GET", path, ts->board_token, NULL);
  g_assert_cmpstr (unchanged->body, ==, first->body);
  g_assert_cmpuint (storage->n_snapshots, ==, n);

  /* Another board's change leaves this one's alone. */
  other_board = test_server_new_board (ts, &other_token);
  other_path = g_strdup_printf ("/api/v1/boards/%s", other_board);
  other = test_http (ts, "GET", other_path, other_token, NULL);
  g_assert_cmpuint (other->status, ==, 200);
  g_assert_null (strstr (other->body, ts->board_id));

  column = test_create_column (ts, "Fresh", NULL);
  changed = test_http (ts, "GET", path, ts->board_token, NULL);
  g_assert_cmpuint (changed->status, ==, 200);
  g_assert_nonnull (strstr (changed->body, column));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (changed->json), "seq"), ==,
                   test_board_seq (ts));
  g_assert_cmpuint (storage->n_snapshots, ==, n + 2);

  test_server_free (ts);
}

/* Readers that ask for a board's snapshot together, while the server
 * builds it off its main loop, all get the same answer, and it holds the
 * last change; a write still answers while they wait. */
static void
test_rest_snapshot_together (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s", ts->board_id);
  g_autofree char *column = test_create_column (ts, "Together", NULL);
  g_autoptr(JsonNode) card = test_create_card (ts, column, "Last change", NULL);
  const char *card_id = card_id_of (card);
  Response *responses[8] = { NULL };
  g_autoptr(Response) written = NULL;
  g_autoptr(Response) after = NULL;
  g_autoptr(JsonNode) later = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (responses); i++)
    test_http_async (ts, NULL, "GET", path, ts->board_token, NULL, &responses[i]);
  for (guint i = 0; i < G_N_ELEMENTS (responses); i++)
    TEST_WAIT_FOR (responses[i] != NULL);

  for (guint i = 0; i < G_N_ELEMENTS (responses); i++)
    {
      g_assert_cmpuint (responses[i]->status, ==, 200);
      g_assert_cmpstr (responses[i]->body, ==, responses[0]->body);
      g_assert_nonnull (strstr (responses[i]->body, card_id));
    }
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (responses[0]->json), "seq"), ==,
                   test_board_seq (ts));

  later = test_create_card (ts, column, "Later", NULL);
  after = test_http (ts, "GET", path, ts->board_token, NULL);
  g_assert_nonnull (strstr (after->body, "Later"));

  for (guint i = 0; i < G_N_ELEMENTS (responses); i++)
    response_free (responses[i]);
  test_server_free (ts);
}

/* Group commit in the storage: writes between begin_group and
 * commit_group are each judged alone (a conflict or a replay inside the
 * group works as outside it), nothing is announced before the commit nor
 * read as the board's seq, and a commit that fails leaves no trace: no
 * event, no seq used, no op remembered. */
static void
committed_seq_cb (TackStorage *storage,
                  const char  *board_id,
                  TackEvent   *event,
                  gpointer     user_data)
{
  gint64 seq = tack_event_get_seq (event);

  g_array_append_val ((GArray *)user_data, seq);
}

/* The board's seq as a subscriber that connects now is told it. */
static gint64
storage_head (TackStorage *storage,
              const char  *board_id)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  gint64 current = -1;
  gboolean reset;

  events = tack_storage_read_events (storage, board_id, G_MAXINT64, 0, &current, &reset, &error);
  g_assert_no_error (error);
  g_assert_nonnull (events);

  return current;
}

static TackWriteResult *
storage_write_column (TackStorage  *storage,
                      TackWriteKind kind,
                      const char   *board_id,
                      const char   *column_id,
                      const char   *op,
                      const char   *title,
                      gint64        base_version,
                      GError      **error)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  TackWriteResult *result = NULL;
  TackWriteRequest request = {
    .kind = kind,
    .board_id = board_id,
    .target_id = column_id,
    .op = op,
    .fields = fields,
  };

  json_object_set_string_member (fields, "title", title);
  if (kind == TACK_WRITE_CREATE_COLUMN)
    json_object_set_null_member (fields, "after");
  else
    json_object_set_int_member (fields, "base_version", base_version);

  if (!tack_storage_write (storage, &request, &result, error))
    g_assert_null (result);

  return result;
}

static void
test_rest_group_commit_storage (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tack-group-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (dir, "group.db", NULL);
  g_autoptr(TackSqliteStorage) sqlite = tack_sqlite_storage_new (db_path, 10000, &error);
  TackStorage *storage = TACK_STORAGE (sqlite);
  g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(JsonNode) board = NULL;
  g_autoptr(JsonNode) snapshot = NULL;
  g_autoptr(JsonNode) created_body = NULL;
  g_autoptr(TackWriteResult) created = NULL;
  g_autoptr(TackWriteResult) renamed = NULL;
  g_autoptr(TackWriteResult) conflict = NULL;
  g_autoptr(TackWriteResult) replayed = NULL;
  g_autoptr(TackWriteResult) lost = NULL;
  g_autoptr(TackWriteResult) unknown = NULL;
  g_autoptr(TackWriteResult) retried = NULL;
  g_autoptr(TackEvent) event = NULL;
  const char *board_id;
  const char *column_id;
  JsonArray *columns;

  g_assert_no_error (error);
  g_assert_true (tack_storage_can_group (storage));
  g_signal_connect (storage, "committed", G_CALLBACK (committed_seq_cb), seqs);

  board = tack_storage_create_board (storage, "Group", "group-token", &error);
  g_assert_no_error (error);
  board_id = json_object_get_string_member (json_node_get_object (board), "id");
  g_assert_cmpint (storage_head (storage, board_id), ==, 0);

  g_assert_true (tack_storage_begin_group (storage, &error));
  g_assert_no_error (error);

  created = storage_write_column (storage, TACK_WRITE_CREATE_COLUMN, board_id, NULL, "a", "First", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (created->status, ==, 201);
  created_body = json_from_string (created->body, &error);
  g_assert_no_error (error);
  column_id = json_object_get_string_member (json_object_get_object_member (json_node_get_object (created_body), "column"), "id");

  renamed = storage_write_column (storage, TACK_WRITE_UPDATE_COLUMN, board_id, column_id, "b", "Renamed", 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (renamed->status, ==, 200);

  /* Judged against the rename above, though it is not committed yet. */
  conflict = storage_write_column (storage, TACK_WRITE_UPDATE_COLUMN, board_id, column_id, "c", "Stale", 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conflict->status, ==, 409);
  g_assert_null (conflict->event);

  replayed = storage_write_column (storage, TACK_WRITE_CREATE_COLUMN, board_id, NULL, "a", "First", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replayed->status, ==, 201);
  g_assert_cmpstr (replayed->body, ==, created->body);
  g_assert_null (replayed->event);

  unknown = storage_write_column (storage, TACK_WRITE_CREATE_COLUMN, "no-such-board", NULL, "d", "Nowhere", 0, &error);
  g_assert_error (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Nothing is announced before the commit, nor read as the board's seq. */
  g_assert_cmpuint (seqs->len, ==, 0);
  g_assert_cmpint (storage_head (storage, board_id), ==, 0);
  g_assert_true (tack_storage_commit_group (storage, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seqs->len, ==, 2);
  g_assert_cmpint (g_array_index (seqs, gint64, 0), ==, 1);
  g_assert_cmpint (g_array_index (seqs, gint64, 1), ==, 2);
  g_assert_cmpint (storage_head (storage, board_id), ==, 2);

  /* A commit that fails undoes the group and announces nothing. */
  tack_sqlite_storage_fail_commits_for_testing (sqlite, TRUE);
  g_assert_true (tack_storage_begin_group (storage, &error));
  lost = storage_write_column (storage, TACK_WRITE_CREATE_COLUMN, board_id, NULL, "e", "Lost", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lost->status, ==, 201);
  g_assert_false (tack_storage_commit_group (storage, &error));
  g_assert_error (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpuint (seqs->len, ==, 2);
  g_assert_cmpint (storage_head (storage, board_id), ==, 2);
  tack_sqlite_storage_fail_commits_for_testing (sqlite, FALSE);

  /* The op is not remembered and the seq not used: the retry is new. */
  retried = storage_write_column (storage, TACK_WRITE_CREATE_COLUMN, board_id, NULL, "e", "Lost", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (retried->status, ==, 201);
  g_assert_nonnull (retried->event);
  g_assert_cmpint (tack_event_get_seq (retried->event), ==, 3);
  g_assert_cmpuint (seqs->len, ==, 3);
  g_assert_cmpint (storage_head (storage, board_id), ==, 3);

  snapshot = tack_storage_get_snapshot (storage, board_id, &error);
  g_assert_no_error (error);
  columns = json_object_get_array_member (json_node_get_object (snapshot), "columns");
  g_assert_cmpuint (json_array_get_length (columns), ==, 2);
  /* "after": null puts a column first. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (columns, 0), "title"), ==, "Lost");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (columns, 1), "title"), ==, "Renamed");

  tack_storage_close (storage);
  g_unlink (db_path);
  g_rmdir (dir);
}

/* Writes that arrive together over several connections are committed
 * together; when that commit fails, every one of them is answered with an
 * error and none reaches a subscriber, and their retries then succeed. */
static gint64
last_event_seq (WsClient *client)
{
  for (guint i = client->frames->len; i > 0; i--)
    {
      JsonObject *frame = json_node_get_object (g_ptr_array_index (client->frames, i - 1));

      if (json_object_has_member (frame, "data"))
        return json_object_get_int_member (frame, "seq");
    }

  return -1;
}

static void
test_rest_group_commit_server (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *path = board_path (ts, "/columns");
  g_autofree char *query = g_strdup_printf ("since=%" G_GINT64_FORMAT, test_board_seq (ts));
  gint64 seq = test_board_seq (ts);
  SoupSession *sessions[4];
  Response *responses[G_N_ELEMENTS (sessions)] = { NULL, };
  char *bodies[G_N_ELEMENTS (sessions)];
  WsClient *client = ws_client_connect (ts, query);

  for (guint i = 0; i < G_N_ELEMENTS (sessions); i++)
    {
      g_autofree char *op = test_unique_op ();

      sessions[i] = g_object_new (SOUP_TYPE_SESSION, NULL);
      bodies[i] = g_strdup_printf ("{\"op\": \"%s\", \"title\": \"Column %u\"}", op, i);
    }

  for (guint round = 0; round < 2; round++)
    {
      gboolean fail = round == 0;

      tack_sqlite_storage_fail_commits_for_testing (TACK_SQLITE_STORAGE (ts->server->storage), fail);

      for (guint i = 0; i < G_N_ELEMENTS (sessions); i++)
        test_http_async (ts, sessions[i], "POST", path, ts->board_token, bodies[i], &responses[i]);
      for (guint i = 0; i < G_N_ELEMENTS (sessions); i++)
        TEST_WAIT_FOR (responses[i] != NULL);

      for (guint i = 0; i < G_N_ELEMENTS (sessions); i++)
        {
          if (fail)
            {
              g_assert_cmpuint (responses[i]->status, ==, 500);
              g_assert_cmpstr (response_error_code (responses[i]), ==, "internal");
            }
          else
            g_assert_cmpuint (responses[i]->status, ==, 201);
          g_clear_pointer (&responses[i], response_free);
        }

      if (fail)
        g_assert_cmpint (test_board_seq (ts), ==, seq);
    }

  g_assert_cmpint (test_board_seq (ts), ==, seq + G_N_ELEMENTS (sessions));
  /* Events of the failed group would have come before these. */
  TEST_WAIT_FOR (last_event_seq (client) == seq + (gint64)G_N_ELEMENTS (sessions));
  g_assert_cmpuint (ws_client_count_events (client), ==, G_N_ELEMENTS (sessions));

  for (guint i = 0; i < G_N_ELEMENTS (sessions); i++)
    {
      g_object_unref (sessions[i]);
      g_free (bodies[i]);
    }
  ws_client_free (client);
  test_server_free (ts);
}

/* With a write rate limit, a burst past it is answered 429 with
 * Retry-After, changes nothing, and reads are not limited. */
static void
test_rest_rate_limited (void)
{
  TestServer *ts = test_server_new (0);
  g_autofree char *path = board_path (ts, "/columns");
  gint64 seq = test_board_seq (ts);
  guint created = 0;
  guint limited = 0;

  tack_server_set_write_rate_limit (ts->server, 2);

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *op = test_unique_op ();
      g_autofree char *body = g_strdup_printf ("{\"op\": \"%s\", \"title\": \"c\"}", op);
      g_autoptr(Response) response = test_http (ts, "POST", path, ts->board_token, body);

      if (response->status == 201)
        created++;
      else
        {
          g_assert_cmpuint (response->status, ==, 429);
          g_assert_cmpstr (response_error_code (response), ==, "rate_limited");
          g_assert_nonnull (response->retry_after);
          g_assert_cmpint (atoi (response->retry_after), >=, 1);
          limited++;
        }
    }

  g_assert_cmpuint (limited, >, 0);
  g_assert_cmpuint (created, >=, 4);
  g_assert_cmpint (test_board_seq (ts), ==, seq + created);

  /* The admin token has its own bucket. */
  {
    g_autoptr(Response) response = test_http (ts, "POST", path, ts->admin, "{\"op\": \"admin\", \"title\": \"c\"}");

    g_assert_cmpuint (response->status, ==, 201);
  }

  test_server_free (ts);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tack/server/rest/health-and-boards", test_rest_health_and_boards);
  g_test_add_func ("/tack/server/rest/auth", test_rest_auth);
  g_test_add_func ("/tack/server/rest/bad-requests", test_rest_bad_requests);
  g_test_add_func ("/tack/server/rest/too-large", test_rest_too_large);
  g_test_add_func ("/tack/server/rest/columns", test_rest_columns);
  g_test_add_func ("/tack/server/rest/cards-merge", test_rest_cards_merge);
  g_test_add_func ("/tack/server/rest/positions", test_rest_positions);
  g_test_add_func ("/tack/server/rest/move-and-delete", test_rest_move_and_delete);
  g_test_add_func ("/tack/server/rest/op-replay", test_rest_op_replay);
  g_test_add_func ("/tack/server/rest/concurrent-writers", test_rest_concurrent_writers);
  g_test_add_func ("/tack/server/rest/board-update", test_rest_board_update);
  g_test_add_func ("/tack/server/rest/internal-error", test_rest_internal_error);
  g_test_add_func ("/tack/server/rest/snapshot-cache", test_rest_snapshot_cache);
  g_test_add_func ("/tack/server/rest/snapshot-together", test_rest_snapshot_together);
  g_test_add_func ("/tack/server/rest/rate-limited", test_rest_rate_limited);
  g_test_add_func ("/tack/server/rest/group-commit-storage", test_rest_group_commit_storage);
  g_test_add_func ("/tack/server/rest/group-commit-server", test_rest_group_commit_server);

  return g_test_run ();
}
