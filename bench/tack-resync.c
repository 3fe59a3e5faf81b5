/* tack-resync.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The resync scenario of bench/ (docs/performance.md): a client that missed
 * the last M events of a board of C cards catches up either by replay (the
 * WebSocket stream with since = current - M) or by refetching the snapshot.
 * For each it measures the bytes that crossed the socket and the time from
 * the request to the last byte needed, and how much of that time went on
 * parsing the JSON received (json-glib, as the app parses it): the part
 * no server can take away. Prints one JSON object.
 */

#include "config.h"

#include <string.h>
#include <time.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "tack-bench-url.h"

typedef struct
{
  char        *url;
  char        *board;
  char        *token;
  SoupSession *session;
  GMainLoop   *loop;
  gint64       target_seq;
  gint64       t0;
  gint64       t_done;
  guint64      payload_bytes;
  guint64      wire_bytes;
  guint        frames;
  guint64      hello_bytes;
  gint64       parse_ns;
  gboolean     reset;
  gboolean     failed;
  SoupWebsocketConnection *ws;
} Resync;

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64)ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static JsonObject *
request_json (Resync     *r,
              const char *method,
              const char *path,
              const char *token,
              const char *body,
              gsize      *size,
              gint64     *parse_ns,
              GError    **error)
{
  g_autofree char *uri = g_strconcat (r->url, path, NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  /* One keep-alive connection for all the writes (see tack-bench.c). */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  reply = soup_session_send_and_read (r->session, msg, NULL, error);
  if (reply == NULL)
    return NULL;
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: HTTP %u", method, path, soup_message_get_status (msg));
      return NULL;
    }
  if (size != NULL)
    *size = g_bytes_get_size (reply);
  if (parse_ns != NULL)
    *parse_ns = now_ns ();
  if (!json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error))
    return NULL;
  if (parse_ns != NULL)
    *parse_ns = now_ns () - *parse_ns;
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
on_message (SoupWebsocketConnection *ws,
            gint                     type,
            GBytes                  *message,
            Resync                  *r)
{
  gsize len = g_bytes_get_size (message);
  gint64 t0 = now_ns ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;
  gboolean parsed;

  r->payload_bytes += len;
  r->wire_bytes += len + (len < 126 ? 2 : len < 65536 ? 4 : 10);
  r->frames++;
  parsed = json_parser_load_from_data (parser, g_bytes_get_data (message, NULL), len, NULL);
  r->parse_ns += now_ns () - t0;
  if (!parsed)
    return;
  o = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (o, "type", ""), "reset") == 0)
    r->reset = TRUE;
  if (g_strcmp0 (json_object_get_string_member_with_default (o, "type", ""), "hello") == 0)
    {
      r->hello_bytes = len;
      return;
    }
  if (r->reset || json_object_get_int_member_with_default (o, "seq", -1) >= r->target_seq)
    {
      r->t_done = now_ns ();
      g_main_loop_quit (r->loop);
    }
}

static void
on_connected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Resync *r = user_data;
  g_autoptr(GError) error = NULL;

  r->ws = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (r->ws == NULL)
    {
      g_printerr ("tack-resync: %s\n", error->message);
      r->failed = TRUE;
      g_main_loop_quit (r->loop);
      return;
    }
  soup_websocket_connection_set_max_incoming_payload_size (r->ws, 0);
  g_signal_connect (r->ws, "message", G_CALLBACK (on_message), r);
}

/* Replays the events after since; returns the milliseconds to the last
 * one, and in @parse_ms those spent parsing the frames. */
static double
replay (Resync *r,
        gint64  since,
        double *parse_ms)
{
  g_autofree char *uri = g_strdup_printf ("%s/api/v1/boards/%s/events?since=%" G_GINT64_FORMAT,
                                          r->url, r->board, since);
  g_autofree char *auth = g_strconcat ("Bearer ", r->token, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  char *protocols[] = { (char *)"tack.v1", NULL };

  r->payload_bytes = r->wire_bytes = r->frames = r->hello_bytes = 0;
  r->parse_ns = 0;
  r->reset = FALSE;
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  r->t0 = now_ns ();
  soup_session_websocket_connect_async (r->session, msg, NULL, protocols, G_PRIORITY_DEFAULT, NULL, on_connected, r);
  g_main_loop_run (r->loop);
  if (r->ws != NULL)
    {
      soup_websocket_connection_close (r->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&r->ws);
    }
  *parse_ms = r->parse_ns / 1e6;
  return (r->t_done - r->t0) / 1e6;
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  Resync r = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_autofree char *admin_token = NULL;
  g_autofree char *path = NULL;
  g_autofree char **card_ids = NULL;
  g_autofree gint64 *versions = NULL;
  g_autofree char *missed_opt = NULL;
  g_auto(GStrv) missed = NULL;
  char *columns[2] = { NULL, NULL };
  int n_cards = 10000, repeats = 5;
  gint64 seq = 0;
  gint64 t0;
  GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &r.url, "tack-server base URL", "URL" },
    { "admin-token", 0, 0, G_OPTION_ARG_STRING, &admin_token, "Admin token (default $TACK_ADMIN_TOKEN)", "TOKEN" },
    { "cards", 'c', 0, G_OPTION_ARG_INT, &n_cards, "Cards on the board", "C" },
    { "missed", 'm', 0, G_OPTION_ARG_STRING, &missed_opt, "Missed events, comma-separated (default 1000,10000)", "M,…" },
    { "repeats", 'r', 0, G_OPTION_ARG_INT, &repeats, "Measurements of each, median reported", "K" },
    { "board", 0, 0, G_OPTION_ARG_STRING, &r.board, "Measure this board as it is instead of building one", "ID" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &r.token, "The token of --board", "TOKEN" },
    { NULL }
  };

  context = g_option_context_new ("- replay vs snapshot after missing events");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || !tack_bench_check_url (r.url, &error))
    {
      g_printerr ("tack-resync: %s\n", error->message);
      return 1;
    }
  if (n_cards < 1 || repeats < 1)
    {
      g_printerr ("tack-resync: --cards and --repeats must be at least 1\n");
      return 1;
    }
  if (admin_token == NULL)
    admin_token = g_strdup (g_getenv ("TACK_ADMIN_TOKEN"));
  missed = g_strsplit (missed_opt ? missed_opt : "1000,10000", ",", -1);

  r.session = soup_session_new_with_options ("timeout", 60, NULL);
  soup_session_remove_feature_by_type (r.session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  r.loop = g_main_loop_new (NULL, FALSE);

  /* A board built by an earlier run (its database kept): profiling the
   * replay need not wait for 20,000 writes each time. */
  if (r.board != NULL && r.token != NULL)
    goto measure;

  created = request_json (&r, "POST", "/api/v1/boards", admin_token ? admin_token : "", "{\"title\": \"resync\"}", NULL, NULL, &error);
  if (created == NULL)
    goto fail;
  r.board = g_strdup (json_object_get_string_member (json_object_get_object_member (created, "board"), "id"));
  r.token = g_strdup (json_object_get_string_member (created, "token"));

  path = g_strdup_printf ("/api/v1/boards/%s/columns", r.board);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"op\": \"rs-col-%u-%d\", \"title\": \"Column %u\", \"after\": null}",
                                               i, g_random_int (), i);
      g_autoptr(JsonObject) col = request_json (&r, "POST", path, r.token, body, NULL, NULL, &error);

      if (col == NULL)
        goto fail;
      columns[i] = g_strdup (json_object_get_string_member (json_object_get_object_member (col, "column"), "id"));
    }

  /* The board: C cards, then enough moves that the largest M are all moves. */
  g_free (path);
  path = g_strdup_printf ("/api/v1/boards/%s/cards", r.board);
  card_ids = g_new0 (char *, n_cards + 1);
  versions = g_new0 (gint64, n_cards);
  t0 = now_ns ();
  for (guint i = 0; i < (guint)n_cards; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"op\": \"rs-card-%u-%d\", \"column\": \"%s\", "
                                               "\"title\": \"Card %u of the resync board\", \"after\": null}",
                                               i, g_random_int (), columns[0], i);
      g_autoptr(JsonObject) card = request_json (&r, "POST", path, r.token, body, NULL, NULL, &error);

      if (card == NULL)
        goto fail;
      card_ids[i] = g_strdup (json_object_get_string_member (json_object_get_object_member (card, "card"), "id"));
      if ((i + 1) % 2000 == 0)
        g_printerr ("tack-resync: %u cards (%.1f s)\n", i + 1, (now_ns () - t0) / 1e9);
      versions[i] = json_object_get_int_member (json_object_get_object_member (card, "card"), "version");
    }
  {
    gint64 most = 0;

    for (guint k = 0; missed[k]; k++)
      most = MAX (most, g_ascii_strtoll (missed[k], NULL, 10));
    for (gint64 e = 0; e < most; e++)
      {
        guint i = e % n_cards;
        g_autofree char *move = g_strdup_printf ("/api/v1/boards/%s/cards/%s/move", r.board, card_ids[i]);
        g_autofree char *body = g_strdup_printf ("{\"op\": \"rs-move-%" G_GINT64_FORMAT "-%d\", \"base_version\": %"
                                                 G_GINT64_FORMAT ", \"column\": \"%s\", \"after\": null}",
                                                 e, g_random_int (), versions[i], columns[(e / n_cards + 1) % 2]);
        g_autoptr(JsonObject) card = request_json (&r, "POST", move, r.token, body, NULL, NULL, &error);

        if (card == NULL)
          goto fail;
        versions[i] = json_object_get_int_member (json_object_get_object_member (card, "card"), "version");
        if ((e + 1) % 2000 == 0)
          g_printerr ("tack-resync: %" G_GINT64_FORMAT " moves (%.1f s)\n", e + 1, (now_ns () - t0) / 1e9);
      }
  }
  g_printerr ("tack-resync: board of %d cards built in %.1f s\n", n_cards, (now_ns () - t0) / 1e9);
  g_printerr ("tack-resync: measure it again with --board %s --token %s\n", r.board, r.token);

measure:

  /* The snapshot: bytes and time of GET /boards/{id}, parse included.
   * tack-server keeps a board's encoded snapshot until its next change,
   * so each measurement first changes the board (its title), as the
   * events a client missed did: the first reader after a change, a
   * client catching up alone, has the snapshot encoded for it (ms). The
   * same request again is what the readers after it get (warm_ms). */
  g_free (path);
  path = g_strdup_printf ("/api/v1/boards/%s", r.board);
  {
    g_autoptr(GArray) snap_ms = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) warm_ms = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) snap_parse_ms = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(JsonObject) first = request_json (&r, "GET", path, r.token, NULL, NULL, NULL, &error);
    gint64 board_version;
    gsize snap_bytes = 0;

    if (first == NULL)
      goto fail;
    board_version = json_object_get_int_member (json_object_get_object_member (first, "board"), "version");

    for (int k = 0; k < repeats; k++)
      {
        g_autofree char *touch = g_strdup_printf ("{\"op\": \"rs-touch-%d-%d\", \"base_version\": %" G_GINT64_FORMAT
                                                  ", \"title\": \"resync %d\"}", k, g_random_int (), board_version, k);
        g_autoptr(JsonObject) touched = request_json (&r, "PATCH", path, r.token, touch, NULL, NULL, &error);
        g_autoptr(JsonObject) snap = NULL;
        g_autoptr(JsonObject) again = NULL;
        gint64 parse_ns = 0;
        double ms, parse_ms;

        if (touched == NULL)
          goto fail;
        board_version = json_object_get_int_member (json_object_get_object_member (touched, "board"), "version");

        t0 = now_ns ();
        snap = request_json (&r, "GET", path, r.token, NULL, &snap_bytes, &parse_ns, &error);
        if (snap == NULL)
          goto fail;
        ms = (now_ns () - t0) / 1e6;
        parse_ms = parse_ns / 1e6;
        g_array_append_val (snap_ms, ms);
        g_array_append_val (snap_parse_ms, parse_ms);
        seq = json_object_get_int_member (snap, "seq");

        t0 = now_ns ();
        again = request_json (&r, "GET", path, r.token, NULL, NULL, NULL, &error);
        if (again == NULL)
          goto fail;
        ms = (now_ns () - t0) / 1e6;
        g_array_append_val (warm_ms, ms);
      }
    g_array_sort (snap_ms, cmp_double);
    g_array_sort (warm_ms, cmp_double);
    g_array_sort (snap_parse_ms, cmp_double);
    g_print ("{\"scenario\": \"resync\", \"cards\": %d, \"seq\": %" G_GINT64_FORMAT ", "
             "\"snapshot\": {\"bytes\": %" G_GSIZE_FORMAT ", \"ms\": %.2f, \"warm_ms\": %.2f, \"parse_ms\": %.2f}, \"replay\": [",
             n_cards, seq, snap_bytes, g_array_index (snap_ms, double, repeats / 2),
             g_array_index (warm_ms, double, repeats / 2), g_array_index (snap_parse_ms, double, repeats / 2));
  }

  r.target_seq = seq;
  for (guint k = 0; missed[k]; k++)
    {
      gint64 m = g_ascii_strtoll (missed[k], NULL, 10);
      g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) parse = g_array_new (FALSE, FALSE, sizeof (double));

      for (int j = 0; j < repeats; j++)
        {
          double p;
          double t = replay (&r, MAX (seq - m, 0), &p);

          if (r.failed)
            return 2;
          g_array_append_val (ms, t);
          g_array_append_val (parse, p);
        }
      g_array_sort (ms, cmp_double);
      g_array_sort (parse, cmp_double);
      /* The raw events are the frames' payloads less the hello; the wire
       * bytes add the frame headers and the hello (not the HTTP upgrade). */
      g_print ("%s{\"missed\": %" G_GINT64_FORMAT ", \"reset\": %s, \"frames\": %u, \"raw_event_bytes\": %" G_GUINT64_FORMAT
               ", \"wire_bytes\": %" G_GUINT64_FORMAT ", \"ms\": %.2f, \"parse_ms\": %.2f}",
               k ? ", " : "", m, r.reset ? "true" : "false", r.frames, r.payload_bytes - r.hello_bytes, r.wire_bytes,
               g_array_index (ms, double, repeats / 2), g_array_index (parse, double, repeats / 2));
    }
  g_print ("]}\n");
  return 0;

fail:
  g_printerr ("tack-resync: %s\n", error->message);
  return 1;
}
