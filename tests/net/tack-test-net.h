/* tack-test-net.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What the net tests share: a real tack-server spawned from the build
 * tree, a client assembled the way the app assembles it, waiting on the
 * main loop for a condition (with a generous timeout that only catches a
 * hung test), and a canonical dump of a store to compare with the
 * server's snapshot. */

#pragma once

#include "tack-api.h"
#include "tack-connection.h"
#include "tack-dispatcher.h"
#include "tack-outbox.h"
#include "tack-presence.h"
#include "tack-store.h"

G_BEGIN_DECLS

#define TEST_TIMEOUT_SECONDS 30

void test_wait_tick (void);

/* Iterates the main loop until @cond holds; a test that never gets there
 * is hung, not slow, so it aborts. */
#define TEST_WAIT_FOR(cond)                                                  \
  G_STMT_START {                                                             \
    gint64 _deadline = g_get_monotonic_time () +                             \
                       TEST_TIMEOUT_SECONDS * G_USEC_PER_SEC;                \
    while (!(cond))                                                          \
      {                                                                      \
        if (g_get_monotonic_time () > _deadline)                             \
          g_error ("%s:%d: timed out waiting for %s", __FILE__, __LINE__,   \
                   #cond);                                                   \
        test_wait_tick ();                                                   \
      }                                                                      \
  } G_STMT_END

typedef struct
{
  GSubprocess *process;
  char        *dir;
  char        *db_path;
  char        *url;
  guint16      port;
  char        *admin_token;
  guint        retention;
} TestServer;

TestServer *test_server_start    (guint        retention);
void        test_server_kill     (TestServer  *server);
void        test_server_respawn  (TestServer  *server);
void        test_server_free     (TestServer  *server);

typedef struct
{
  char *id;
  char *token;
  char *columns[2];
} TestBoard;

TestBoard  *test_board_create    (TestServer  *server);
void        test_board_free      (TestBoard   *board);

/* Synchronous calls (main loop iterated meanwhile) for test setup. */
TackApi    *test_api_new         (const char  *url,
                                  TestBoard   *board);
JsonNode   *test_api_call        (TackApi     *api,
                                  const char  *method,
                                  const char  *path,
                                  const char  *query,
                                  const char  *json_body,
                                  GError     **error);
char       *test_create_card     (TackApi     *api,
                                  const char  *column,
                                  const char  *title);
JsonNode   *test_snapshot        (TackApi     *api);
GPtrArray  *test_all_events      (TackApi     *api);
guint       test_count_op        (TackApi     *api,
                                  const char  *op);

typedef struct
{
  TackApi        *api;
  TackStore      *store;
  TackDispatcher *dispatcher;
  TackConnection *connection;
  TackOutbox     *outbox;
  GArray         *states;     /* TackConnectionState, every notify::state */
  GArray         *delays;     /* gint64 µs, every retry-scheduled */
  GArray         *ceilings;   /* gint64 µs */
} TestClient;

TestClient *test_client_new      (const char  *url,
                                  TestBoard   *board,
                                  const char  *journal_path);
TestClient *test_client_new_as   (const char  *url,
                                  TestBoard   *board,
                                  const char  *journal_path,
                                  const char  *user);
void        test_client_free     (TestClient  *client);
gboolean    test_client_saw      (TestClient  *client,
                                  TackConnectionState state);
void        test_client_assert_seen_in_order (TestClient *client,
                                             const TackConnectionState *expected,
                                             guint       n_expected);

char       *test_dump_store      (TackStore   *store);
char       *test_dump_snapshot   (JsonNode    *snapshot);
void        test_assert_store_matches_server (TackStore *store,
                                              TackApi   *api);

G_END_DECLS

G_BEGIN_DECLS

/* A GNetworkMonitor the test decides about. */
#define TEST_TYPE_NETWORK_MONITOR (test_network_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TestNetworkMonitor, test_network_monitor, TEST, NETWORK_MONITOR, GObject)

TestNetworkMonitor *test_network_monitor_new           (void);
void                test_network_monitor_set_available (TestNetworkMonitor *self,
                                                        gboolean            available);

G_END_DECLS
