/* tack-server-private.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "tack-server.h"
#include "tack-storage.h"

G_BEGIN_DECLS

/* One idle source kept in @slot until it runs or is cleared: asking again
 * before then changes nothing. On the thread-default main context, at the
 * priority of the sockets. */
static inline void
tack_server_ensure_idle (GSource     **slot,
                         GSourceFunc   func,
                         gpointer      data)
{
  if (*slot != NULL)
    return;

  *slot = g_idle_source_new ();
  g_source_set_priority (*slot, G_PRIORITY_DEFAULT);
  g_source_set_callback (*slot, func, data, NULL);
  g_source_attach (*slot, g_main_context_get_thread_default ());
}

static inline void
tack_server_clear_source (GSource **slot)
{
  if (*slot != NULL)
    {
      g_source_destroy (*slot);
      g_clear_pointer (slot, g_source_unref);
    }
}

typedef struct _TackSubscriberPool TackSubscriberPool;

#define TACK_SERVER_MAX_BODY        (1024 * 1024)
#define TACK_SERVER_MAX_FRAME       (64 * 1024)
#define TACK_SERVER_MAX_ID_BYTES    200   /* ids, user names, ops */
#define TACK_SERVER_MAX_WAIT_S      30
#define TACK_SERVER_PAGE_SIZE       500
#define TACK_SERVER_MAX_PAGE_SIZE   1000
#define TACK_SERVER_CLOSE_TOO_SLOW  4008

struct _TackServer
{
  GObject      parent_instance;

  char        *db_path;
  char        *admin_token;
  char        *admin_token_path;
  char        *address;
  TackStorage *storage;
  SoupServer  *soup;
  guint16      port;

  guint        retention;
  guint        heartbeat_ms;
  gsize        max_queue_bytes;
  guint        write_rate;      /* per token and second; 0: no limit */
  GHashTable  *buckets;         /* token → RateBucket */

  /* board id → Hub: the board's live subscribers and held long polls */
  GHashTable  *hubs;
  GQueue       pending;         /* committed events not yet broadcast */
  GSource     *flush_source;

  /* board id → SnapshotEntry: each board's snapshot as last served,
   * until its next committed event; most recently served first */
  GHashTable  *snapshots;
  GQueue       snapshot_order;
  gsize        snapshot_bytes;
  /* snapshots being built off the main loop: board id → SnapshotBuild */
  GHashTable  *snapshot_builds;
  gpointer     snapshot_reader;   /* SnapshotReader, or NULL: build inline */
  gboolean     no_snapshot_reader;

  /* writes received in this main-loop iteration, committed together */
  GPtrArray   *queued_writes;
  GSource     *write_source;

  /* the live subscribers, on their own threads */
  TackSubscriberPool *subscribers;
  guint        n_subscribers;
  guint        n_dropped;
  gboolean     stopped;

  /* events read per step of a replay (0: the defaults) */
  guint        replay_first_page;
  guint        replay_page;

  /* subscribers per worker thread (0: the default) */
  guint        worker_capacity;
};

gboolean tack_server_ensure_storage  (TackServer        *self,
                                      GError           **error);
void     tack_server_set_storage     (TackServer        *self,
                                      TackStorage       *storage);
void     tack_server_send_error      (SoupServerMessage *msg,
                                      guint              status,
                                      const char        *code,
                                      const char        *message);
void     tack_server_send_json       (SoupServerMessage *msg,
                                      guint              status,
                                      const char        *body);

/* tack-server-events.c */
void     tack_server_handle_events   (TackServer        *self,
                                      SoupServerMessage *msg,
                                      const char        *board_id,
                                      GHashTable        *query,
                                      const char        *user);
void     tack_server_queue_event     (TackServer        *self,
                                      const char        *board_id,
                                      TackEvent         *event);
void     tack_server_flush_events    (TackServer        *self);
void     tack_server_close_streams   (TackServer        *self);
void     tack_server_hub_free        (gpointer           data);
guint    tack_server_get_n_waiters   (TackServer        *self);
void     tack_server_presence_changed (TackServer       *self,
                                       const char       *board_id,
                                       const char       *session,
                                       GBytes           *frame,
                                       gboolean          present);
void     tack_server_subscriber_left  (TackServer       *self,
                                       const char       *board_id,
                                       const char       *session,
                                       GBytes           *left,
                                       gboolean          dropped);
GPtrArray *tack_server_read_replay    (TackServer       *self,
                                       const char       *board_id,
                                       const char       *session,
                                       gint64           *last_seq,
                                       gboolean         *done);
void     tack_server_set_replay_pages (TackServer       *self,
                                       guint             first,
                                       guint             page);
void     tack_server_set_worker_capacity (TackServer    *self,
                                          guint          capacity);

/* tack-server-subscribers.c */
typedef enum
{
  TACK_SUBSCRIBER_WEBSOCKET,
  TACK_SUBSCRIBER_SSE,
} TackSubscriberKind;

TackSubscriberPool *tack_subscriber_pool_new       (TackServer          *server,
                                                    guint                n_workers,
                                                    guint                capacity);
guint               tack_subscriber_pool_get_n_workers (TackSubscriberPool *pool);
void                tack_subscriber_pool_add       (TackSubscriberPool  *pool,
                                                    TackSubscriberKind   kind,
                                                    const char          *board_id,
                                                    const char          *session,
                                                    const char          *user,
                                                    GIOStream           *io,
                                                    GUri                *uri,
                                                    const char          *origin,
                                                    const char          *protocol,
                                                    GPtrArray           *frames,
                                                    gint64               last_seq,
                                                    gboolean             replaying,
                                                    gsize                max_queue_bytes,
                                                    guint                heartbeat_ms);
void                tack_subscriber_pool_broadcast (TackSubscriberPool  *pool,
                                                    const char          *board_id,
                                                    TackEvent          **events,
                                                    guint                n_events);
void                tack_subscriber_pool_send_frame (TackSubscriberPool  *pool,
                                                     const char          *board_id,
                                                     const char          *except,
                                                     GBytes              *frame);
void                tack_subscriber_pool_reject    (TackSubscriberPool  *pool,
                                                    GIOStream           *io,
                                                    GUri                *uri,
                                                    const char          *protocol,
                                                    const char          *reason);
void                tack_subscriber_pool_free      (TackSubscriberPool  *pool);

G_END_DECLS
