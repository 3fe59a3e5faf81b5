/* tack-test-server.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "tack-sqlite-storage.h"
#include "tack-test-server.h"

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/* One main loop iteration, never blocked for long: the caller checks its
 * condition between iterations. */
void
test_wait_tick (void)
{
  GSource *source = g_timeout_source_new (50);

  g_source_set_callback (source, tick_cb, NULL, NULL);
  g_source_attach (source, NULL);
  g_main_context_iteration (NULL, TRUE);
  g_source_destroy (source);
  g_source_unref (source);
}

void
test_store_result_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

char *
test_unique_op (void)
{
  return g_uuid_string_random ();
}

static SoupSession *
new_session (void)
{
  return g_object_new (SOUP_TYPE_SESSION,
                       "max-conns", 200,
                       "max-conns-per-host", 200,
                       NULL);
}

TestServer *
test_server_new (guint retention)
{
  return test_server_new_full (retention, NULL);
}

/* @storage: (nullable): serve from this instead of the SQLite storage */
TestServer *
test_server_new_full (guint        retention,
                      TackStorage *storage)
{
  TestServer *ts = g_new0 (TestServer, 1);
  g_autoptr(GError) error = NULL;

  ts->dir = g_dir_make_tmp ("tack-server-test-XXXXXX", &error);
  g_assert_no_error (error);
  ts->db_path = g_build_filename (ts->dir, "tack.db", NULL);

  g_setenv ("TACK_ADMIN_TOKEN", "test-admin", TRUE);
  ts->server = tack_server_new (ts->db_path, &error);
  g_assert_no_error (error);
  if (retention > 0)
    tack_server_set_retention (ts->server, retention);
  if (storage != NULL)
    tack_server_set_storage (ts->server, storage);
  tack_server_listen (ts->server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tack_server_get_port (ts->server), >, 0);

  ts->admin = g_strdup (tack_server_get_admin_token (ts->server));
  g_assert_cmpstr (ts->admin, ==, "test-admin");
  ts->base = g_strdup_printf ("http://127.0.0.1:%u", tack_server_get_port (ts->server));
  ts->session = new_session ();

  tack_server_ensure_default_board (ts->server, &ts->board_id, &ts->board_token, &error);
  g_assert_no_error (error);

  return ts;
}

TestServer *
test_server_new_remote (const char *base,
                        const char *admin)
{
  TestServer *ts = g_new0 (TestServer, 1);

  ts->base = g_strdup (base);
  ts->admin = g_strdup (admin);
  ts->session = new_session ();

  return ts;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }

  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }

  g_rmdir (path);
}

void
test_server_free (TestServer *ts)
{
  if (ts->server != NULL)
    {
      tack_server_stop (ts->server);
      g_clear_object (&ts->server);
    }

  /* Let libsoup finish closing what the stop closed. */
  for (guint i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);

  g_clear_object (&ts->session);

  if (ts->dir != NULL)
    remove_tree (ts->dir);
  if (ts->storage_dir != NULL)
    remove_tree (ts->storage_dir);

  g_free (ts->dir);
  g_free (ts->storage_dir);
  g_free (ts->db_path);
  g_free (ts->base);
  g_free (ts->admin);
  g_free (ts->board_id);
  g_free (ts->board_token);
  g_free (ts);
}

/* HTTP. */

void
response_free (Response *response)
{
  if (response == NULL)
    return;

  g_clear_pointer (&response->json, json_node_unref);
  g_free (response->body);
  g_free (response->retry_after);
  g_free (response);
}

typedef struct
{
  SoupMessage  *msg;
  Response    **out;
} Request;

static void
request_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  Response *response = g_new0 (Response, 1);
  gsize len = 0;
  const char *data;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);

  /* No answer at all: status 0, and the reason in the body. */
  if (bytes == NULL)
    {
      response->body = g_strdup (error->message);
      *request->out = response;
      g_object_unref (request->msg);
      g_free (request);
      return;
    }

  response->status = soup_message_get_status (request->msg);
  response->retry_after = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (request->msg),
                                                                  "Retry-After"));
  data = g_bytes_get_data (bytes, &len);
  response->body = g_strndup (data, len);
  if (len > 0)
    response->json = json_from_string (response->body, NULL);

  *request->out = response;
  g_object_unref (request->msg);
  g_free (request);
}

static SoupMessage *
new_message (TestServer *ts,
             const char *method,
             const char *path,
             const char *token,
             const char *body)
{
  g_autofree char *url = g_strconcat (ts->base, path, NULL);
  SoupMessage *msg = soup_message_new (method, url);

  g_assert_nonnull (msg);

  if (token != NULL)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  return msg;
}

void
test_http_async (TestServer   *ts,
                 SoupSession  *session,
                 const char   *method,
                 const char   *path,
                 const char   *token,
                 const char   *body,
                 Response    **out)
{
  Request *request = g_new0 (Request, 1);

  *out = NULL;
  request->msg = new_message (ts, method, path, token, body);
  request->out = out;
  soup_session_send_and_read_async (session ? session : ts->session, request->msg,
                                    G_PRIORITY_DEFAULT, NULL, request_cb, request);
}

Response *
test_http (TestServer *ts,
           const char *method,
           const char *path,
           const char *token,
           const char *body)
{
  Response *response = NULL;

  test_http_async (ts, NULL, method, path, token, body, &response);
  TEST_WAIT_FOR (response != NULL);

  return response;
}

JsonObject *
response_object (Response   *response,
                 const char *member)
{
  JsonObject *root;

  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  root = json_node_get_object (response->json);

  if (member == NULL)
    return root;

  g_assert_true (json_object_has_member (root, member));
  return json_object_get_object_member (root, member);
}

const char *
response_error_code (Response *response)
{
  JsonObject *error = response_object (response, "error");

  g_assert_true (json_object_has_member (error, "message"));
  return json_object_get_string_member (error, "code");
}

char *
test_server_new_board (TestServer  *ts,
                       char       **token)
{
  g_autoptr(Response) response = test_http (ts, "POST", "/api/v1/boards", ts->admin,
                                            "{\"title\": \"Test board\"}");
  JsonObject *root;

  g_assert_cmpuint (response->status, ==, 201);
  root = response_object (response, NULL);
  if (token != NULL)
    *token = g_strdup (json_object_get_string_member (root, "token"));

  return g_strdup (json_object_get_string_member (json_object_get_object_member (root, "board"), "id"));
}

char *
test_create_column (TestServer *ts,
                    const char *title,
                    const char *after)
{
  g_autofree char *op = test_unique_op ();
  g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s/columns", ts->board_id);
  g_autofree char *after_json = after ? g_strdup_printf ("\"%s\"", after) : g_strdup ("null");
  g_autofree char *body = g_strdup_printf ("{\"op\": \"%s\", \"title\": \"%s\", \"after\": %s}",
                                           op, title, after_json);
  g_autoptr(Response) response = test_http (ts, "POST", path, ts->board_token, body);

  g_assert_cmpuint (response->status, ==, 201);
  return g_strdup (json_object_get_string_member (response_object (response, "column"), "id"));
}

JsonNode *
test_create_card (TestServer *ts,
                  const char *column,
                  const char *title,
                  const char *after)
{
  g_autofree char *op = test_unique_op ();
  g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s/cards", ts->board_id);
  g_autofree char *after_json = after ? g_strdup_printf ("\"%s\"", after) : g_strdup ("null");
  g_autofree char *body = g_strdup_printf ("{\"op\": \"%s\", \"column\": \"%s\", \"title\": \"%s\", \"after\": %s}",
                                           op, column, title, after_json);
  g_autoptr(Response) response = test_http (ts, "POST", path, ts->board_token, body);
  JsonNode *card;

  g_assert_cmpuint (response->status, ==, 201);
  card = json_object_get_member (response_object (response, NULL), "card");

  return json_node_copy (card);
}

gint64
test_board_seq (TestServer *ts)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s", ts->board_id);
  g_autoptr(Response) response = test_http (ts, "GET", path, ts->board_token, NULL);

  g_assert_cmpuint (response->status, ==, 200);
  return json_object_get_int_member (response_object (response, NULL), "seq");
}

/* WebSocket. */

static void
ws_message_cb (SoupWebsocketConnection *ws,
               SoupWebsocketDataType    type,
               GBytes                  *message,
               gpointer                 user_data)
{
  WsClient *client = user_data;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  g_autofree char *text = g_strndup (data, len);
  JsonNode *node = json_from_string (text, NULL);

  g_assert_nonnull (node);
  g_ptr_array_add (client->frames, node);
}

static void
ws_closed_cb (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  WsClient *client = user_data;

  client->closed = TRUE;
  client->close_code = soup_websocket_connection_get_close_code (ws);
}

static void
ws_connect_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  WsClient *client = user_data;

  client->ws = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &client->error);
  if (client->ws != NULL)
    {
      g_signal_connect (client->ws, "message", G_CALLBACK (ws_message_cb), client);
      g_signal_connect (client->ws, "closed", G_CALLBACK (ws_closed_cb), client);
    }
  client->done = TRUE;
}

WsClient *
ws_client_connect (TestServer *ts,
                   const char *query)
{
  static char *protocols[] = { (char *)"tack.v1", NULL };
  g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s/events%s%s", ts->board_id,
                                           query ? "?" : "", query ? query : "");
  g_autoptr(SoupMessage) msg = new_message (ts, "GET", path, ts->board_token, NULL);
  WsClient *client = g_new0 (WsClient, 1);

  client->frames = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  soup_session_websocket_connect_async (ts->session, msg, NULL, protocols, G_PRIORITY_DEFAULT,
                                        NULL, ws_connect_cb, client);
  TEST_WAIT_FOR (client->done);

  return client;
}

void
ws_client_send (WsClient   *client,
                const char *text)
{
  soup_websocket_connection_send_text (client->ws, text);
}

JsonObject *
ws_client_frame (WsClient *client,
                 guint     index)
{
  g_assert_cmpuint (index, <, client->frames->len);
  return json_node_get_object (g_ptr_array_index (client->frames, index));
}

/* Frames that are events (they have a seq and a data member). */
guint
ws_client_count_events (WsClient *client)
{
  guint n = 0;

  for (guint i = 0; i < client->frames->len; i++)
    {
      JsonObject *frame = json_node_get_object (g_ptr_array_index (client->frames, i));

      if (json_object_has_member (frame, "data"))
        n++;
    }

  return n;
}

void
ws_client_free (WsClient *client)
{
  if (client->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (client->ws, client);
      if (soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&client->ws);
    }
  g_clear_error (&client->error);
  g_ptr_array_unref (client->frames);
  g_free (client);
}

/* Server-Sent Events, read line by line from the response stream. */

static void sse_read_next (SseClient *client);

static void
sse_event_free (SseEvent *event)
{
  g_free (event->id);
  g_free (event->event);
  g_free (event->data);
  g_free (event);
}

static void
sse_line_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  SseClient *client = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (line == NULL)
    {
      client->eof = TRUE;
      return;
    }

  if (line[0] == '\0')
    {
      if (client->pending_data->len > 0 || client->pending_event != NULL)
        {
          SseEvent *event = g_new0 (SseEvent, 1);

          event->id = g_steal_pointer (&client->pending_id);
          event->event = g_steal_pointer (&client->pending_event);
          event->data = g_strdup (client->pending_data->str);
          g_string_truncate (client->pending_data, 0);
          g_ptr_array_add (client->events, event);
        }
    }
  else if (line[0] == ':')
    {
      if (strstr (line, "ping"))
        client->n_pings++;
    }
  else if (g_str_has_prefix (line, "id: "))
    {
      g_free (client->pending_id);
      client->pending_id = g_strdup (line + 4);
    }
  else if (g_str_has_prefix (line, "event: "))
    {
      g_free (client->pending_event);
      client->pending_event = g_strdup (line + 7);
    }
  else if (g_str_has_prefix (line, "data: "))
    g_string_append (client->pending_data, line + 6);

  sse_read_next (client);
}

static void
sse_read_next (SseClient *client)
{
  g_data_input_stream_read_line_async (client->stream, G_PRIORITY_DEFAULT, client->cancellable,
                                       sse_line_cb, client);
}

static void
sse_send_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  SseClient *client = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;

  stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_assert_no_error (error);

  client->status = soup_message_get_status (client->msg);
  client->stream = g_data_input_stream_new (stream);
  client->open = TRUE;
  sse_read_next (client);
}

SseClient *
sse_client_connect (TestServer *ts,
                    const char *query,
                    const char *last_event_id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s/events%s%s", ts->board_id,
                                           query ? "?" : "", query ? query : "");
  SseClient *client = g_new0 (SseClient, 1);

  client->msg = new_message (ts, "GET", path, ts->board_token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (client->msg),
                                "Accept", "text/event-stream");
  if (last_event_id != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (client->msg),
                                  "Last-Event-ID", last_event_id);
  client->cancellable = g_cancellable_new ();
  client->events = g_ptr_array_new_with_free_func ((GDestroyNotify)sse_event_free);
  client->pending_data = g_string_new (NULL);

  soup_session_send_async (ts->session, client->msg, G_PRIORITY_DEFAULT, client->cancellable,
                           sse_send_cb, client);
  TEST_WAIT_FOR (client->open);

  return client;
}

void
sse_client_free (SseClient *client)
{
  g_cancellable_cancel (client->cancellable);
  /* Let the cancelled read come back before the client goes. */
  for (guint i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
  g_clear_object (&client->stream);
  g_clear_object (&client->msg);
  g_clear_object (&client->cancellable);
  g_ptr_array_unref (client->events);
  g_free (client->pending_id);
  g_free (client->pending_event);
  g_string_free (client->pending_data, TRUE);
  g_free (client);
}

/* TestProxyStorage */

static void proxy_iface_init (TackStorageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestProxyStorage, test_proxy_storage, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TACK_TYPE_STORAGE, proxy_iface_init))

#define INNER(s) (TEST_PROXY_STORAGE (s)->inner)

static JsonNode *
proxy_list_boards (TackStorage *s, GError **error)
{
  return tack_storage_list_boards (INNER (s), error);
}

static JsonNode *
proxy_create_board (TackStorage *s, const char *title, const char *token, GError **error)
{
  return tack_storage_create_board (INNER (s), title, token, error);
}

static char *
proxy_get_board_token (TackStorage *s, const char *board_id)
{
  return tack_storage_get_board_token (INNER (s), board_id);
}

static char *
proxy_find_board_by_token (TackStorage *s, const char *token)
{
  return tack_storage_find_board_by_token (INNER (s), token);
}

static char *
proxy_get_first_board (TackStorage *s)
{
  return tack_storage_get_first_board (INNER (s));
}

static JsonNode *
proxy_get_snapshot (TackStorage *s, const char *board_id, GError **error)
{
  TEST_PROXY_STORAGE (s)->n_snapshots++;
  return tack_storage_get_snapshot (INNER (s), board_id, error);
}

static JsonNode *
proxy_get_card (TackStorage *s, const char *board_id, const char *card_id, GError **error)
{
  return tack_storage_get_card (INNER (s), board_id, card_id, error);
}

static gboolean
proxy_write (TackStorage *s, const TackWriteRequest *request, TackWriteResult **result, GError **error)
{
  if (TEST_PROXY_STORAGE (s)->fail_writes)
    {
      g_set_error_literal (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_FAILED, "disk full (simulated)");
      return FALSE;
    }

  if (!tack_storage_write (INNER (s), request, result, error))
    return FALSE;

  if ((*result)->event != NULL)
    tack_storage_emit_committed (s, request->board_id, (*result)->event);

  return TRUE;
}

static GPtrArray *
proxy_read_events (TackStorage *s, const char *board_id, gint64 since, guint limit,
                   gint64 *current_seq, gboolean *reset, GError **error)
{
  GPtrArray *events;

  if (limit == 0 || limit != TEST_PROXY_STORAGE (s)->pruned_limit)
    return tack_storage_read_events (INNER (s), board_id, since, limit, current_seq, reset, error);

  /* Only the current seq: the events after since are gone. */
  events = tack_storage_read_events (INNER (s), board_id, since, 0, current_seq, reset, error);
  if (events != NULL)
    *reset = TRUE;

  return events;
}

static void
proxy_close (TackStorage *s)
{
  tack_storage_close (INNER (s));
}

static void
proxy_iface_init (TackStorageInterface *iface)
{
  iface->list_boards = proxy_list_boards;
  iface->create_board = proxy_create_board;
  iface->get_board_token = proxy_get_board_token;
  iface->find_board_by_token = proxy_find_board_by_token;
  iface->get_first_board = proxy_get_first_board;
  iface->get_snapshot = proxy_get_snapshot;
  iface->get_card = proxy_get_card;
  iface->write = proxy_write;
  iface->read_events = proxy_read_events;
  iface->close = proxy_close;
}

static void
test_proxy_storage_finalize (GObject *object)
{
  g_clear_object (&TEST_PROXY_STORAGE (object)->inner);

  G_OBJECT_CLASS (test_proxy_storage_parent_class)->finalize (object);
}

static void
test_proxy_storage_class_init (TestProxyStorageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_proxy_storage_finalize;
}

static void
test_proxy_storage_init (TestProxyStorage *self)
{
}

TestServer *
test_server_new_proxied (TestProxyStorage **storage)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tack-proxied-XXXXXX", &error);
  g_autofree char *db_path = NULL;
  g_autoptr(TestProxyStorage) proxy = g_object_new (TEST_TYPE_PROXY_STORAGE, NULL);
  TestServer *ts;

  g_assert_no_error (error);
  db_path = g_build_filename (dir, "inner.db", NULL);
  proxy->inner = TACK_STORAGE (tack_sqlite_storage_new (db_path, 10000, &error));
  g_assert_no_error (error);

  ts = test_server_new_full (0, TACK_STORAGE (proxy));
  ts->storage_dir = g_steal_pointer (&dir);
  *storage = proxy;

  return ts;
}
