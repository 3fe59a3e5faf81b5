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

typedef struct _TackSubscriberPool TackSubscriberPool;

#define TACK_SERVER_MAX_BODY        (1024 * 1024)
#define TACK_SERVER_MAX_FRAME       (64 * 1024)
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
  TackSubscriberPool *subscribers; /* the live subscribers' threads */
  GSource     *flush_source;
  guint        n_subscribers;
  guint        n_dropped;
  gboolean     stopped;
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

/* The subscribers of a board, each a struct whose first member is its
 * `guint index` in the array. One that leaves while a walk is in progress
 * leaves a hole (NULL), closed up once the walk ends; otherwise the last
 * one takes its place. Joining, leaving and reaching every member are
 * O(1) per member. */
typedef struct
{
  GPtrArray *items;
  guint      walking;
  gboolean   holes;
} TackMemberArray;

static inline void
tack_member_array_init (TackMemberArray *array)
{
  array->items = g_ptr_array_new ();
  array->walking = 0;
  array->holes = FALSE;
}

static inline void
tack_member_array_clear (TackMemberArray *array)
{
  g_clear_pointer (&array->items, g_ptr_array_unref);
}

static inline void
tack_member_array_add (TackMemberArray *array,
                       gpointer         member)
{
  *(guint *)member = array->items->len;
  g_ptr_array_add (array->items, member);
}

static inline void
tack_member_array_remove (TackMemberArray *array,
                          gpointer         member)
{
  GPtrArray *items = array->items;
  guint index = *(guint *)member;
  gpointer last;

  g_assert (index < items->len && items->pdata[index] == member);

  if (array->walking > 0)
    {
      items->pdata[index] = NULL;
      array->holes = TRUE;
      return;
    }

  last = items->pdata[items->len - 1];
  items->pdata[index] = last;
  *(guint *)last = index;
  g_ptr_array_set_size (items, items->len - 1);
}

static inline void
tack_member_array_walk_begin (TackMemberArray *array)
{
  array->walking++;
}

static inline void
tack_member_array_walk_end (TackMemberArray *array)
{
  GPtrArray *items = array->items;
  guint kept = 0;

  if (--array->walking > 0 || !array->holes)
    return;

  for (guint i = 0; i < items->len; i++)
    {
      gpointer member = items->pdata[i];

      if (member == NULL)
        continue;
      *(guint *)member = kept;
      items->pdata[kept++] = member;
    }

  g_ptr_array_set_size (items, kept);
  array->holes = FALSE;
}

/* tack-server-events.c */
void     tack_server_handle_events   (TackServer        *self,
                                      SoupServerMessage *msg,
                                      const char        *board_id,
                                      GHashTable        *query,
                                      const char        *user);
void     tack_server_broadcast       (TackServer        *self,
                                      const char        *board_id,
                                      TackEvent         *event);
void     tack_server_queue_event     (TackServer        *self,
                                      const char        *board_id,
                                      TackEvent         *event);
void     tack_server_flush_events    (TackServer        *self);
void     tack_server_close_streams   (TackServer        *self);
void     tack_server_hub_free        (gpointer           data);
guint    tack_server_get_n_waiters   (TackServer        *self);
void     tack_server_presence_changed (TackServer        *self,
                                      const char        *board_id,
                                      const char        *session,
                                      GBytes            *frame,
                                      gboolean           present);
void     tack_server_subscriber_left (TackServer        *self,
                                      const char        *board_id,
                                      const char        *session,
                                      GBytes            *left,
                                      gboolean           dropped);

/* tack-server-subscribers.c */
typedef enum
{
  TACK_SUBSCRIBER_WEBSOCKET,
  TACK_SUBSCRIBER_SSE,
} TackSubscriberKind;

TackSubscriberPool *tack_subscriber_pool_new       (TackServer          *server,
                                                    guint                n_workers);
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
                                                    gsize                max_queue_bytes,
                                                    guint                heartbeat_ms);
void                tack_subscriber_pool_broadcast (TackSubscriberPool  *pool,
                                                    const char          *board_id,
                                                    TackEvent          **events,
                                                    guint                n_events);
void                tack_subscriber_pool_send_frame (TackSubscriberPool *pool,
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
