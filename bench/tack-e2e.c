/* tack-e2e.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The e2e scenario of bench/ (docs/performance.md): client A moves a card
 * over REST; N clients B, each a real TackApi + TackStore + TackDispatcher +
 * TackConnection as the app builds them, see the move land in their store.
 * Measured per (move, client): from A sending the POST to B's TackCard
 * notifying the new version — HTTP, the SQLite commit, the event log, the
 * fan-out, B's transport, dispatcher and store. Moves go one at a time.
 * Prints one JSON object, with the share of its core this process used
 * while moving: the clients B share it.
 */

#include "config.h"

#include <string.h>
#include <time.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "tack-api.h"
#include "tack-bench-cpu.h"
#include "tack-bench-url.h"
#include "tack-connection.h"
#include "tack-dispatcher.h"
#include "tack-store.h"

typedef struct _E2e E2e;

typedef struct
{
  E2e            *e2e;
  TackApi        *api;
  TackStore      *store;
  TackDispatcher *dispatcher;
  TackConnection *connection;
  TackCard       *card;
  gboolean        live;
  gboolean        seen;
} Client;

struct _E2e
{
  char        *url;
  char        *board;
  char        *token;
  char        *columns[2];
  char        *card_id;
  gint64       card_version;
  guint        n_clients;
  guint        n_moves;
  guint        moved;
  guint        seen;
  guint        n_live;
  gint64       sent_ns;
  gint64       expected_version;
  gboolean     reply_in;
  Client      *clients;
  SoupSession *session;
  GMainLoop   *loop;
  GArray      *latency_us;
  int          exit_code;
  TackBenchCpu cpu;
  double       client_cpu;
};

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64)ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static JsonObject *
post_json (E2e        *e2e,
           const char *path,
           const char *token,
           const char *body,
           GError    **error)
{
  g_autofree char *uri = g_strconcat (e2e->url, path, NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  reply = soup_session_send_and_read (e2e->session, msg, NULL, error);
  if (reply == NULL)
    return NULL;
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "POST %s: HTTP %u", path, soup_message_get_status (msg));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error))
    return NULL;
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void move_next (E2e *e2e);

static void
on_moved (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  E2e *e2e = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (reply == NULL || !json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                                    g_bytes_get_size (reply), NULL))
    {
      g_printerr ("tack-e2e: move failed: %s\n", error ? error->message : "bad reply");
      e2e->exit_code = 2;
      g_main_loop_quit (e2e->loop);
      return;
    }
  e2e->reply_in = TRUE;
  if (e2e->seen == e2e->n_clients)
    move_next (e2e);
}

static void
on_card_version (TackCard   *card,
                 GParamSpec *pspec,
                 Client     *client)
{
  E2e *e2e = client->e2e;
  guint32 us;

  if (client->seen || tack_card_get_version (card) < e2e->expected_version)
    return;
  client->seen = TRUE;
  us = (guint32)((now_ns () - e2e->sent_ns) / 1000);
  g_array_append_val (e2e->latency_us, us);
  e2e->seen++;
  if (e2e->seen == e2e->n_clients && e2e->reply_in)
    move_next (e2e);
}

static void
move_next (E2e *e2e)
{
  g_autofree char *uri = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *body = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (e2e->moved == e2e->n_moves)
    {
      e2e->client_cpu = tack_bench_cpu_mark (&e2e->cpu);
      g_main_loop_quit (e2e->loop);
      return;
    }

  if (e2e->moved == 0)
    tack_bench_cpu_mark (&e2e->cpu);

  /* Every client must already hold the card: the store's identity map
   * keeps one TackCard per id, updated in place. */
  for (guint i = 0; i < e2e->n_clients; i++)
    {
      Client *c = &e2e->clients[i];

      c->seen = FALSE;
      if (c->card == NULL)
        {
          c->card = tack_store_lookup_card (c->store, e2e->card_id);
          if (c->card == NULL)
            {
              g_printerr ("tack-e2e: client %u has no card %s\n", i, e2e->card_id);
              e2e->exit_code = 2;
              g_main_loop_quit (e2e->loop);
              return;
            }
          g_object_ref (c->card);
          g_signal_connect (c->card, "notify::version", G_CALLBACK (on_card_version), c);
        }
    }

  e2e->seen = 0;
  e2e->reply_in = FALSE;
  e2e->expected_version = e2e->card_version + 1 + e2e->moved;
  body = g_strdup_printf ("{\"op\": \"e2e-%u-%d\", \"base_version\": %" G_GINT64_FORMAT ", \"column\": \"%s\", \"after\": null}",
                          e2e->moved, g_random_int (), e2e->expected_version - 1, e2e->columns[(e2e->moved + 1) % 2]);
  e2e->moved++;
  uri = g_strdup_printf ("%s/api/v1/boards/%s/cards/%s/move", e2e->url, e2e->board, e2e->card_id);
  auth = g_strconcat ("Bearer ", e2e->token, NULL);
  msg = soup_message_new ("POST", uri);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  bytes = g_bytes_new_take (g_steal_pointer (&body), strlen (body));
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  e2e->sent_ns = now_ns ();
  soup_session_send_and_read_async (e2e->session, msg, G_PRIORITY_HIGH, NULL, on_moved, e2e);
}

static gboolean
start_moving (gpointer user_data)
{
  move_next (user_data);
  return G_SOURCE_REMOVE;
}

/* A client is live once its connection is and its first snapshot is in. */
static gboolean
check_live (gpointer user_data)
{
  E2e *e2e = user_data;

  e2e->n_live = 0;
  for (guint i = 0; i < e2e->n_clients; i++)
    {
      Client *c = &e2e->clients[i];

      c->live = tack_connection_get_state (c->connection) == TACK_CONNECTION_LIVE
                && tack_dispatcher_has_snapshot (c->dispatcher);
      e2e->n_live += c->live;
    }
  if (e2e->n_live < e2e->n_clients)
    return G_SOURCE_CONTINUE;
  g_timeout_add (500, start_moving, e2e);
  return G_SOURCE_REMOVE;
}

static gboolean
on_timeout (gpointer user_data)
{
  E2e *e2e = user_data;

  g_printerr ("tack-e2e: timed out (%u of %u live, move %u, %u seen)\n",
              e2e->n_live, e2e->n_clients, e2e->moved, e2e->seen);
  e2e->exit_code = 2;
  g_main_loop_quit (e2e->loop);
  return G_SOURCE_REMOVE;
}

static double
pct (GArray *a,
     double  p)
{
  if (a->len == 0)
    return -1;
  return g_array_index (a, guint32, MIN ((guint)(p * a->len), a->len - 1));
}

static int
cmp_u32 (gconstpointer a,
         gconstpointer b)
{
  guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;
  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  E2e e2e = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) card = NULL;
  g_autofree char *admin_token = NULL;
  g_autofree char *transport = NULL;
  g_autofree char *path = NULL;
  int clients = 100, moves = 100, timeout = 120;
  GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &e2e.url, "tack-server base URL", "URL" },
    { "admin-token", 0, 0, G_OPTION_ARG_STRING, &admin_token, "Admin token (default $TACK_ADMIN_TOKEN)", "TOKEN" },
    { "clients", 'n', 0, G_OPTION_ARG_INT, &clients, "Clients B", "N" },
    { "moves", 'e', 0, G_OPTION_ARG_INT, &moves, "Moves, one at a time", "M" },
    { "transport", 0, 0, G_OPTION_ARG_STRING, &transport, "websocket (default), sse or polling", "NAME" },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Give up after this many seconds", "S" },
    { NULL }
  };
  TackTransportMode mode = TACK_TRANSPORT_WEBSOCKET;

  context = g_option_context_new ("- client A's REST move into N clients' stores");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || !tack_bench_check_url (e2e.url, &error))
    {
      g_printerr ("tack-e2e: %s\n", error->message);
      return 1;
    }
  if (clients < 1 || moves < 1)
    {
      g_printerr ("tack-e2e: --clients and --moves must be at least 1\n");
      return 1;
    }
  if (admin_token == NULL)
    admin_token = g_strdup (g_getenv ("TACK_ADMIN_TOKEN"));
  if (transport != NULL && g_str_equal (transport, "sse"))
    mode = TACK_TRANSPORT_SSE;
  else if (transport != NULL && g_str_equal (transport, "polling"))
    mode = TACK_TRANSPORT_POLLING;

  e2e.n_clients = clients;
  e2e.n_moves = moves;
  e2e.session = soup_session_new ();
  e2e.loop = g_main_loop_new (NULL, FALSE);
  e2e.latency_us = g_array_new (FALSE, FALSE, sizeof (guint32));

  created = post_json (&e2e, "/api/v1/boards", admin_token ? admin_token : "", "{\"title\": \"e2e\"}", &error);
  if (created == NULL)
    goto fail;
  e2e.board = g_strdup (json_object_get_string_member (json_object_get_object_member (created, "board"), "id"));
  e2e.token = g_strdup (json_object_get_string_member (created, "token"));
  path = g_strdup_printf ("/api/v1/boards/%s/columns", e2e.board);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"op\": \"e2e-col-%u-%d\", \"title\": \"Column %u\", \"after\": null}",
                                               i, g_random_int (), i);
      g_autoptr(JsonObject) col = post_json (&e2e, path, e2e.token, body, &error);

      if (col == NULL)
        goto fail;
      e2e.columns[i] = g_strdup (json_object_get_string_member (json_object_get_object_member (col, "column"), "id"));
    }
  g_free (path);
  path = g_strdup_printf ("/api/v1/boards/%s/cards", e2e.board);
  {
    g_autofree char *body = g_strdup_printf ("{\"op\": \"e2e-card-%d\", \"column\": \"%s\", \"title\": \"Moving card\", \"after\": null}",
                                             g_random_int (), e2e.columns[0]);
    card = post_json (&e2e, path, e2e.token, body, &error);
    if (card == NULL)
      goto fail;
    e2e.card_id = g_strdup (json_object_get_string_member (json_object_get_object_member (card, "card"), "id"));
    e2e.card_version = json_object_get_int_member (json_object_get_object_member (card, "card"), "version");
  }

  e2e.clients = g_new0 (Client, clients);
  for (guint i = 0; i < e2e.n_clients; i++)
    {
      Client *c = &e2e.clients[i];

      c->e2e = &e2e;
      c->api = tack_api_new (e2e.url, e2e.board, e2e.token);
      c->store = tack_store_new ();
      c->dispatcher = tack_dispatcher_new (c->store, c->api);
      c->connection = tack_connection_new (c->api, c->dispatcher);
      tack_connection_set_mode (c->connection, mode);
      tack_connection_start (c->connection);
    }

  g_timeout_add_seconds (timeout, on_timeout, &e2e);
  g_timeout_add (50, check_live, &e2e);
  g_main_loop_run (e2e.loop);

  g_array_sort (e2e.latency_us, cmp_u32);
  g_print ("{\"scenario\": \"e2e\", \"clients\": %u, \"moves\": %u, \"live\": %u, \"samples\": %u, "
           "\"latency_us\": {\"p50\": %.0f, \"p99\": %.0f, \"max\": %.0f}, \"client_cpu\": %.2f}\n",
           e2e.n_clients, e2e.moved, e2e.n_live, e2e.latency_us->len,
           pct (e2e.latency_us, 0.5), pct (e2e.latency_us, 0.99),
           e2e.latency_us->len ? (double)g_array_index (e2e.latency_us, guint32, e2e.latency_us->len - 1) : -1,
           e2e.client_cpu);
  if (e2e.latency_us->len < (guint)clients * moves && e2e.exit_code == 0)
    e2e.exit_code = 2;
  return e2e.exit_code;

fail:
  g_printerr ("tack-e2e: setup: %s\n", error->message);
  return 1;
}
