/* tack-test-server.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "tack-server-private.h"

G_BEGIN_DECLS

/* What the server tests share: a real server on 127.0.0.1, a port the
 * kernel picked and a temporary database, and real HTTP, WebSocket and
 * SSE clients from libsoup. Tests wait on conditions by iterating the
 * main loop; nothing sleeps. */

typedef struct
{
  char        *dir;
  char        *db_path;
  TackServer  *server;      /* NULL when the server is a child process */
  SoupSession *session;
  char        *base;        /* http://127.0.0.1:PORT */
  char        *admin;
  char        *board_id;
  char        *board_token;
  char        *storage_dir; /* a proxied storage's database, removed too */
} TestServer;

typedef struct
{
  guint     status;
  JsonNode *json;
  char     *body;
  char     *retry_after;
} Response;

typedef struct
{
  SoupWebsocketConnection *ws;
  GPtrArray               *frames;     /* JsonNode */
  GError                  *error;
  gboolean                 done;       /* connected or failed */
  gboolean                 closed;
  gushort                  close_code;
} WsClient;

typedef struct
{
  char *id;
  char *event;
  char *data;
} SseEvent;

typedef struct
{
  SoupMessage      *msg;
  GDataInputStream *stream;
  GCancellable     *cancellable;
  GPtrArray        *events;     /* SseEvent */
  guint             n_pings;
  guint             status;
  gboolean          eof;
  gboolean          open;
  char             *pending_id;
  char             *pending_event;
  GString          *pending_data;
} SseClient;

#define TEST_WAIT_FOR(cond) G_STMT_START { \
    gint64 _deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC; \
    while (!(cond)) \
      { \
        if (g_get_monotonic_time () > _deadline) \
          g_error ("Gave up waiting for %s", #cond); \
        test_wait_tick (); \
      } \
  } G_STMT_END

void        test_wait_tick        (void);
TestServer *test_server_new       (guint        retention);
TestServer *test_server_new_full  (guint        retention,
                                   TackStorage *storage);
TestServer *test_server_new_remote (const char  *base,
                                    const char  *admin);
void        test_server_free      (TestServer  *ts);
char       *test_server_new_board (TestServer  *ts,
                                   char       **token);

Response   *test_http             (TestServer  *ts,
                                   const char  *method,
                                   const char  *path,
                                   const char  *token,
                                   const char  *body);
void        test_http_async       (TestServer  *ts,
                                   SoupSession *session,
                                   const char  *method,
                                   const char  *path,
                                   const char  *token,
                                   const char  *body,
                                   Response   **out);
void        response_free         (Response    *response);
JsonObject *response_object       (Response    *response,
                                   const char  *member);
const char *response_error_code   (Response    *response);

char       *test_create_column    (TestServer  *ts,
                                   const char  *title,
                                   const char  *after);
JsonNode   *test_create_card      (TestServer  *ts,
                                   const char  *column,
                                   const char  *title,
                                   const char  *after);
gint64      test_board_seq        (TestServer  *ts);

WsClient   *ws_client_connect     (TestServer  *ts,
                                   const char  *query);
void        ws_client_send        (WsClient    *client,
                                   const char  *text);
JsonObject *ws_client_frame       (WsClient    *client,
                                   guint        index);
guint       ws_client_count_events (WsClient  *client);
void        ws_client_free        (WsClient    *client);

SseClient  *sse_client_connect    (TestServer  *ts,
                                   const char  *query,
                                   const char  *last_event_id);
void        sse_client_free       (SseClient   *client);

char       *test_unique_op        (void);
void        test_store_result_cb  (GObject      *object,
                                   GAsyncResult *result,
                                   gpointer      user_data);

/* A storage that forwards to a real SQLite storage (@inner) and can be
 * told to misbehave: every write fails as a full disk would, or reads of
 * exactly @pruned_limit events find the log pruned after since. It counts
 * the snapshots read through it. It also
 * shows the HTTP layer runs on any TackStorage; it cannot group commits,
 * so the server commits each write alone. */
#define TEST_TYPE_PROXY_STORAGE (test_proxy_storage_get_type ())
G_DECLARE_FINAL_TYPE (TestProxyStorage, test_proxy_storage, TEST, PROXY_STORAGE, GObject)

struct _TestProxyStorage
{
  GObject      parent_instance;
  TackStorage *inner;
  gboolean     fail_writes;
  guint        pruned_limit;   /* 0: never */
  guint        n_snapshots;    /* snapshots read */
};

/* A server on a TestProxyStorage over its own SQLite database; @storage
 * stays valid until test_server_free(). */
TestServer *test_server_new_proxied (TestProxyStorage **storage);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

G_END_DECLS
