/* tack-connection.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The live connection's lifecycle (DESIGN.md), the one object the header
 * bar watches. It owns the current transport and nothing of the board:
 * every frame goes to the dispatcher, which keeps the store in order.
 *
 * - Transports are tried WebSocket, SSE, polling in auto mode; one the
 *   server (or a proxy) refuses makes way for the next.
 * - A failed or dropped connection is retried after an exponential
 *   backoff with full jitter; the attempt count resets once a connection
 *   has stayed live for TackConnection:stable-time. Auth refused and a
 *   board that is gone are final (`failed`).
 * - The network coming back, the machine waking up and
 *   tack_connection_reconnect_now() skip the wait.
 * - A transport that has been silent past its heartbeat deadline is
 *   declared dead and replaced: a half-open socket must not look live.
 * - It is `live` only once the store has caught up with the seq the
 *   server announced; until then it is `resyncing`.
 */

#define G_LOG_DOMAIN "tack-net"

#include "config.h"

#include <math.h>

#include "tack-connection.h"
#include "tack-presence-private.h"
#include "tack-transport.h"
#include "tack-net-private.h"

#define DEFAULT_HEARTBEAT_MS 15000

struct _TackConnection
{
  GObject              parent_instance;

  TackApi             *api;
  TackDispatcher      *dispatcher;
  GListStore          *presence;
  JsonObject          *own_presence;

  TackTransport       *transport;
  GCancellable        *cancellable;  /* the attempt in progress */
  GCancellable        *lifetime;     /* everything else */

  TackConnectionState  state;
  char                *reason;
  gint64               next_attempt;
  guint                attempt;
  TackTransportMode    mode;
  TackTransportMode    transport_kind;

  guint                backoff_base;
  guint                backoff_cap;
  guint                stable_time;
  double               heartbeat_multiplier;
  guint                poll_interval;
  guint                poll_wait;

  guint                retry_id;
  guint                stable_id;
  guint                heartbeat_id;
  gint64               last_activity;
  gint64               heartbeat_ms;
  gint64               target_seq;

  GNetworkMonitor     *monitor;
  GDBusConnection     *system_bus;
  guint                sleep_subscription;

  guint                started : 1;
  guint                opened : 1;
  guint                greeted : 1;
  guint                ping_sent : 1;
};

G_DEFINE_FINAL_TYPE (TackConnection, tack_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_API,
  PROP_DISPATCHER,
  PROP_STATE,
  PROP_REASON,
  PROP_NEXT_ATTEMPT,
  PROP_ATTEMPT,
  PROP_MODE,
  PROP_TRANSPORT,
  PROP_PRESENCE,
  PROP_BACKOFF_BASE,
  PROP_BACKOFF_CAP,
  PROP_STABLE_TIME,
  PROP_HEARTBEAT_MULTIPLIER,
  PROP_POLL_INTERVAL,
  PROP_POLL_WAIT,
  PROP_NETWORK_MONITOR,
  PROP_LOGIN_BUS,
  N_PROPS
};

enum {
  RETRY_SCHEDULED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void open_transport (TackConnection    *self,
                            TackTransportMode  kind);
static void connect_now    (TackConnection    *self);
static void fail           (TackConnection    *self,
                            const GError      *error);

static void
set_state (TackConnection      *self,
           TackConnectionState  state)
{
  if (self->state == state)
    return;

  g_debug ("Connection: %s → %s",
           g_enum_get_value (g_type_class_peek (TACK_TYPE_CONNECTION_STATE), self->state)->value_nick,
           g_enum_get_value (g_type_class_peek (TACK_TYPE_CONNECTION_STATE), state)->value_nick);

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_reason (TackConnection *self,
            const char     *reason)
{
  if (g_strcmp0 (self->reason, reason) == 0)
    return;

  g_free (self->reason);
  self->reason = g_strdup (reason);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
}

static void
set_next_attempt (TackConnection *self,
                  gint64          next_attempt)
{
  if (self->next_attempt == next_attempt)
    return;

  self->next_attempt = next_attempt;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_ATTEMPT]);
}

static void
set_attempt (TackConnection *self,
             guint           attempt)
{
  if (self->attempt == attempt)
    return;

  self->attempt = attempt;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTEMPT]);
}

static void
set_transport_kind (TackConnection    *self,
                    TackTransportMode  kind)
{
  if (self->transport_kind == kind)
    return;

  self->transport_kind = kind;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSPORT]);
}

static void
clear_presence (TackConnection *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->presence)) > 0)
    g_list_store_remove_all (self->presence);
}

static gboolean
release_cb (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/* Drops the transport and every timer tied to it; no signal from it
 * reaches us afterwards. */
static void
drop_transport (TackConnection *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->transport != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->transport, self);
      tack_transport_close (self->transport);
      /* We may be inside one of its signal emissions (or libsoup's under
       * it): let the stack unwind before it goes. */
      tack_net_idle_add_full (G_PRIORITY_DEFAULT, release_cb,
                              g_steal_pointer (&self->transport), g_object_unref);
    }

  g_clear_handle_id (&self->heartbeat_id, tack_net_source_remove);
  g_clear_handle_id (&self->stable_id, tack_net_source_remove);

  self->opened = FALSE;
  self->greeted = FALSE;
  self->target_seq = -1;
  set_transport_kind (self, TACK_TRANSPORT_AUTO);
  clear_presence (self);
}

static gint64
heartbeat_deadline_us (TackConnection *self)
{
  return (gint64)(self->heartbeat_ms * 1000 * self->heartbeat_multiplier);
}

static gboolean
stable_cb (gpointer user_data)
{
  TackConnection *self = user_data;

  self->stable_id = 0;
  g_debug ("Connection stable: backoff starts over");
  set_attempt (self, 0);

  return G_SOURCE_REMOVE;
}

static void
send_presence (TackConnection *self)
{
  g_autoptr(JsonNode) frame = NULL;
  JsonObject *object;

  if (self->transport == NULL || self->own_presence == NULL || !self->opened)
    return;

  object = json_object_new ();
  json_object_set_string_member (object, "type", "presence");
  /* Who we are now: the stream was named when it opened, and the user may
   * have renamed themselves since (a server that does not read it ignores
   * unknown members). */
  if (tack_api_get_user (self->api) != NULL)
    json_object_set_string_member (object, "user", tack_api_get_user (self->api));
  json_object_set_object_member (object, "state", json_object_ref (self->own_presence));
  frame = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (frame, object);

  tack_transport_send (self->transport, frame);
}

static void
check_caught_up (TackConnection *self)
{
  if (self->transport == NULL || !self->opened || !self->greeted)
    return;

  if (tack_dispatcher_get_loading (self->dispatcher) ||
      (self->target_seq >= 0 && tack_dispatcher_get_seq (self->dispatcher) < self->target_seq))
    {
      set_state (self, TACK_CONNECTION_RESYNCING);
      return;
    }

  set_reason (self, NULL);
  set_state (self, TACK_CONNECTION_LIVE);

  if (self->attempt > 0 && self->stable_id == 0)
    self->stable_id = tack_net_timeout_add (self->stable_time, stable_cb, self);
}

static gboolean
heartbeat_cb (gpointer user_data)
{
  TackConnection *self = user_data;
  gint64 deadline = heartbeat_deadline_us (self);
  gint64 quiet = g_get_monotonic_time () - self->last_activity;

  if (quiet >= deadline)
    {
      g_autoptr(GError) error =
        g_error_new (TACK_TRANSPORT_ERROR, TACK_TRANSPORT_ERROR_TIMED_OUT,
                     "Nothing heard from the server for %" G_GINT64_FORMAT " ms",
                     quiet / 1000);

      self->heartbeat_id = 0;
      fail (self, error);
      return G_SOURCE_REMOVE;
    }

  /* Only the WebSocket can ask; the others rely on the server's pings. */
  if (!self->ping_sent && quiet >= MIN (deadline / 2, self->heartbeat_ms * 1000))
    {
      g_autoptr(JsonNode) ping = json_from_string ("{\"type\": \"ping\"}", NULL);

      tack_transport_send (self->transport, ping);
      self->ping_sent = TRUE;
    }

  return G_SOURCE_CONTINUE;
}

static void
restart_heartbeat (TackConnection *self)
{
  guint period = MAX (10, (guint)(heartbeat_deadline_us (self) / 1000 / 8));

  g_clear_handle_id (&self->heartbeat_id, tack_net_source_remove);
  self->heartbeat_id = tack_net_timeout_add (period, heartbeat_cb, self);
}

static void
on_alive (TackTransport  *transport,
          TackConnection *self)
{
  self->last_activity = g_get_monotonic_time ();
  self->ping_sent = FALSE;
}

static void
on_message (TackTransport  *transport,
            JsonNode       *frame,
            TackConnection *self)
{
  JsonObject *object = json_node_get_object (frame);
  const char *type = json_object_get_string_member_with_default (object, "type", "");
  g_autoptr(TackConnection) hold = g_object_ref (self);

  on_alive (transport, self);

  if (g_str_equal (type, "hello"))
    {
      self->heartbeat_ms = json_object_get_int_member_with_default (object, "heartbeat_ms",
                                                                    DEFAULT_HEARTBEAT_MS);
      if (self->heartbeat_ms <= 0)
        self->heartbeat_ms = DEFAULT_HEARTBEAT_MS;
      self->target_seq = json_object_get_int_member_with_default (object, "seq", -1);
      self->greeted = TRUE;
      restart_heartbeat (self);
      send_presence (self);
      check_caught_up (self);
      return;
    }

  if (g_str_equal (type, "pong"))
    return;

  if (g_str_equal (type, "reset"))
    self->target_seq = MAX (self->target_seq,
                            json_object_get_int_member_with_default (object, "seq", -1));

  tack_dispatcher_dispatch (self->dispatcher, frame);

  if (self->transport == transport)
    check_caught_up (self);
}

static void
on_closed (TackTransport  *transport,
           const GError   *error,
           TackConnection *self)
{
  g_debug ("Transport closed: %s", error ? error->message : "no reason");
  fail (self, error);
}

static gboolean
retry_cb (gpointer user_data)
{
  TackConnection *self = user_data;

  self->retry_id = 0;
  connect_now (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_retry (TackConnection *self,
                const char     *reason)
{
  gint64 ceiling;
  gint64 delay;
  gboolean available;

  set_attempt (self, self->attempt + 1);

  /* Full jitter: anywhere between now and the exponential ceiling, so a
   * server coming back is not hit by every client at once. */
  ceiling = (gint64)self->backoff_base * 1000 * (gint64)(1 << MIN (self->attempt - 1, 20));
  ceiling = MIN (ceiling, (gint64)self->backoff_cap * 1000);
  delay = (gint64)(g_random_double () * ceiling);

  g_debug ("Retry %u in %" G_GINT64_FORMAT " ms (ceiling %" G_GINT64_FORMAT " ms): %s",
           self->attempt, delay / 1000, ceiling / 1000, reason);

  g_clear_handle_id (&self->retry_id, tack_net_source_remove);
  self->retry_id = tack_net_timeout_add ((guint)(delay / 1000), retry_cb, self);

  set_reason (self, reason);
  set_next_attempt (self, g_get_monotonic_time () + delay);

  available = self->monitor == NULL || g_network_monitor_get_network_available (self->monitor);
  set_state (self, available ? TACK_CONNECTION_RECONNECTING : TACK_CONNECTION_OFFLINE);

  g_signal_emit (self, signals[RETRY_SCHEDULED], 0, self->attempt, delay, ceiling);
}

static gboolean
is_final (const GError *error)
{
  return g_error_matches (error, TACK_API_ERROR, TACK_API_ERROR_UNAUTHORIZED) ||
         g_error_matches (error, TACK_API_ERROR, TACK_API_ERROR_FORBIDDEN) ||
         g_error_matches (error, TACK_API_ERROR, TACK_API_ERROR_NOT_FOUND);
}

static void
fail (TackConnection *self,
      const GError   *error)
{
  g_autoptr(TackConnection) hold = g_object_ref (self);
  g_autofree char *reason = NULL;

  drop_transport (self);

  if (!self->started)
    return;

  if (is_final (error))
    {
      if (g_error_matches (error, TACK_API_ERROR, TACK_API_ERROR_NOT_FOUND))
        reason = g_strdup_printf ("The board is gone: %s", error->message);
      else
        reason = g_strdup_printf ("Access refused: %s", error->message);

      g_clear_handle_id (&self->retry_id, tack_net_source_remove);
      set_next_attempt (self, 0);
      set_reason (self, reason);
      set_state (self, TACK_CONNECTION_FAILED);
      return;
    }

  schedule_retry (self, error ? error->message : "Connection lost");
}

static void
open_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  TackTransport *transport = TACK_TRANSPORT (object);
  g_autoptr(TackConnection) self = g_weak_ref_get (user_data);
  g_autoptr(GError) error = NULL;
  TackTransportMode kind = tack_transport_get_kind (transport);

  g_weak_ref_clear (user_data);
  g_free (user_data);

  if (!tack_transport_open_finish (transport, result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (self == NULL || self->transport != transport)
    return;

  if (error != NULL)
    {
      g_debug ("Opening %s failed: %s",
               g_enum_get_value (g_type_class_peek (TACK_TYPE_TRANSPORT_MODE), kind)->value_nick,
               error->message);

      if (self->mode == TACK_TRANSPORT_AUTO &&
          g_error_matches (error, TACK_TRANSPORT_ERROR, TACK_TRANSPORT_ERROR_REFUSED) &&
          kind != TACK_TRANSPORT_POLLING)
        {
          drop_transport (self);
          open_transport (self, kind + 1);
          return;
        }

      fail (self, error);
      return;
    }

  self->opened = TRUE;
  set_transport_kind (self, kind);
  self->last_activity = g_get_monotonic_time ();
  self->ping_sent = FALSE;
  restart_heartbeat (self);
  check_caught_up (self);
}

static void
open_transport (TackConnection    *self,
                TackTransportMode  kind)
{
  GWeakRef *ref;

  g_assert (self->transport == NULL);

  /* The first snapshot's load may have used one already. */
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->transport = tack_transport_new_for_kind (kind, self->api,
                                                 self->poll_interval, self->poll_wait);
  self->heartbeat_ms = DEFAULT_HEARTBEAT_MS;
  self->target_seq = -1;

  g_signal_connect (self->transport, "message", G_CALLBACK (on_message), self);
  g_signal_connect (self->transport, "alive", G_CALLBACK (on_alive), self);
  g_signal_connect (self->transport, "closed", G_CALLBACK (on_closed), self);

  /* The watchdog runs from the first byte sent: a handshake into a
   * blackhole is as dead as a silent stream. */
  self->last_activity = g_get_monotonic_time ();
  self->ping_sent = FALSE;
  restart_heartbeat (self);

  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  tack_transport_open_async (self->transport, tack_dispatcher_get_seq (self->dispatcher),
                             self->cancellable, open_cb, ref);
}

static void
first_snapshot_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TackConnection) self = g_weak_ref_get (user_data);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_weak_ref_clear (user_data);
  g_free (user_data);

  ok = tack_dispatcher_reload_finish (TACK_DISPATCHER (object), result, &error);

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      self->state != TACK_CONNECTION_CONNECTING || self->transport != NULL)
    return;

  if (!ok)
    {
      fail (self, error);
      return;
    }

  open_transport (self, self->mode == TACK_TRANSPORT_AUTO ? TACK_TRANSPORT_WEBSOCKET : self->mode);
}

static void
connect_now (TackConnection *self)
{
  g_clear_handle_id (&self->retry_id, tack_net_source_remove);
  drop_transport (self);
  set_next_attempt (self, 0);
  set_state (self, TACK_CONNECTION_CONNECTING);

  /* Before the first snapshot there is nothing to resume from. */
  if (!tack_dispatcher_has_snapshot (self->dispatcher))
    {
      GWeakRef *ref = g_new0 (GWeakRef, 1);

      g_weak_ref_init (ref, self);
      self->cancellable = g_cancellable_new ();
      tack_dispatcher_reload_async (self->dispatcher, self->cancellable, first_snapshot_cb, ref);
      return;
    }

  open_transport (self, self->mode == TACK_TRANSPORT_AUTO ? TACK_TRANSPORT_WEBSOCKET : self->mode);
}

static void
on_resume_needed (TackDispatcher *dispatcher,
                  gint64          since,
                  TackConnection *self)
{
  TackTransportMode kind;

  if (self->transport == NULL || !self->opened)
    return;

  g_debug ("Resuming from seq %" G_GINT64_FORMAT, since);

  kind = tack_transport_get_kind (self->transport);
  drop_transport (self);
  set_state (self, TACK_CONNECTION_RESYNCING);
  open_transport (self, kind);
}

static void
on_reload_failed (TackDispatcher *dispatcher,
                  const GError   *error,
                  TackConnection *self)
{
  if (self->transport != NULL)
    fail (self, error);
}

static void
on_dispatcher_progress (TackDispatcher *dispatcher,
                        GParamSpec     *pspec,
                        TackConnection *self)
{
  if (self->state == TACK_CONNECTION_RESYNCING || self->state == TACK_CONNECTION_LIVE)
    check_caught_up (self);
}

static void
on_presence (TackDispatcher *dispatcher,
             const char     *user,
             JsonObject     *state,
             TackConnection *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->presence));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TackPresence) presence = g_list_model_get_item (G_LIST_MODEL (self->presence), i);

      if (g_strcmp0 (tack_presence_get_user (presence), user) == 0)
        {
          if (state == NULL)
            g_list_store_remove (self->presence, i);
          else
            tack_presence_update (presence, state);
          return;
        }
    }

  if (state != NULL)
    {
      g_autoptr(TackPresence) presence = tack_presence_new (user);

      tack_presence_update (presence, state);
      g_list_store_append (self->presence, presence);
    }
}

static void
on_user_changed (TackApi        *api,
                 GParamSpec     *pspec,
                 TackConnection *self)
{
  if (self->greeted)
    send_presence (self);
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    TackConnection  *self)
{
  if (!self->started)
    return;

  if (available && (self->state == TACK_CONNECTION_RECONNECTING ||
                    self->state == TACK_CONNECTION_OFFLINE))
    {
      g_debug ("Network is back: reconnecting now");
      connect_now (self);
    }
  else if (!available && self->state == TACK_CONNECTION_RECONNECTING)
    {
      set_state (self, TACK_CONNECTION_OFFLINE);
    }
}

static void
on_prepare_for_sleep (GDBusConnection *connection,
                      const char      *sender_name,
                      const char      *object_path,
                      const char      *interface_name,
                      const char      *signal_name,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  TackConnection *self = user_data;
  gboolean going_to_sleep = FALSE;

  if (g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    g_variant_get (parameters, "(b)", &going_to_sleep);

  /* After a suspend the socket may be half-open: never trust it. */
  if (!going_to_sleep && self->started)
    {
      g_debug ("Resumed from suspend: reconnecting now");
      tack_connection_reconnect_now (self);
    }
}

static void
subscribe_sleep (TackConnection  *self,
                 GDBusConnection *bus)
{
  if (self->sleep_subscription != 0)
    return;

  g_set_object (&self->system_bus, bus);
  self->sleep_subscription =
    g_dbus_connection_signal_subscribe (self->system_bus,
                                        "org.freedesktop.login1",
                                        "org.freedesktop.login1.Manager",
                                        "PrepareForSleep",
                                        "/org/freedesktop/login1",
                                        NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_prepare_for_sleep,
                                        self, NULL);
}

static void
system_bus_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TackConnection) self = g_weak_ref_get (user_data);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;

  g_weak_ref_clear (user_data);
  g_free (user_data);

  bus = g_bus_get_finish (result, &error);

  if (self == NULL || bus == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No system bus, so no resume-from-suspend: %s", error->message);
      return;
    }

  subscribe_sleep (self, bus);
}

static void
tack_connection_constructed (GObject *object)
{
  TackConnection *self = (TackConnection *)object;

  G_OBJECT_CLASS (tack_connection_parent_class)->constructed (object);

  g_return_if_fail (TACK_IS_API (self->api));
  g_return_if_fail (TACK_IS_DISPATCHER (self->dispatcher));

  g_signal_connect_object (self->api, "notify::user",
                           G_CALLBACK (on_user_changed), self, 0);
  g_signal_connect_object (self->dispatcher, "resume-needed",
                           G_CALLBACK (on_resume_needed), self, 0);
  g_signal_connect_object (self->dispatcher, "reload-failed",
                           G_CALLBACK (on_reload_failed), self, 0);
  g_signal_connect_object (self->dispatcher, "presence",
                           G_CALLBACK (on_presence), self, 0);
  g_signal_connect_object (self->dispatcher, "notify::seq",
                           G_CALLBACK (on_dispatcher_progress), self, 0);
  g_signal_connect_object (self->dispatcher, "notify::loading",
                           G_CALLBACK (on_dispatcher_progress), self, 0);

  if (self->monitor == NULL)
    self->monitor = g_object_ref (g_network_monitor_get_default ());
  g_signal_connect_object (self->monitor, "network-changed",
                           G_CALLBACK (on_network_changed), self, 0);
}

static void
tack_connection_dispose (GObject *object)
{
  TackConnection *self = (TackConnection *)object;

  self->started = FALSE;
  drop_transport (self);
  g_clear_handle_id (&self->retry_id, tack_net_source_remove);
  g_cancellable_cancel (self->lifetime);

  if (self->system_bus != NULL && self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
  self->sleep_subscription = 0;
  g_clear_object (&self->system_bus);

  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);

  g_clear_object (&self->dispatcher);
  g_clear_object (&self->api);
  if (self->presence != NULL)
    g_list_store_remove_all (self->presence);

  G_OBJECT_CLASS (tack_connection_parent_class)->dispose (object);
}

static void
tack_connection_finalize (GObject *object)
{
  TackConnection *self = (TackConnection *)object;

  g_clear_object (&self->presence);
  g_clear_object (&self->lifetime);
  g_clear_pointer (&self->own_presence, json_object_unref);
  g_clear_pointer (&self->reason, g_free);

  G_OBJECT_CLASS (tack_connection_parent_class)->finalize (object);
}

static void
tack_connection_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TackConnection *self = TACK_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_API:
      g_value_set_object (value, self->api);
      break;

    case PROP_DISPATCHER:
      g_value_set_object (value, self->dispatcher);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;

    case PROP_NEXT_ATTEMPT:
      g_value_set_int64 (value, self->next_attempt);
      break;

    case PROP_ATTEMPT:
      g_value_set_uint (value, self->attempt);
      break;

    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;

    case PROP_TRANSPORT:
      g_value_set_enum (value, self->transport_kind);
      break;

    case PROP_PRESENCE:
      g_value_set_object (value, self->presence);
      break;

    case PROP_BACKOFF_BASE:
      g_value_set_uint (value, self->backoff_base);
      break;

    case PROP_BACKOFF_CAP:
      g_value_set_uint (value, self->backoff_cap);
      break;

    case PROP_STABLE_TIME:
      g_value_set_uint (value, self->stable_time);
      break;

    case PROP_HEARTBEAT_MULTIPLIER:
      g_value_set_double (value, self->heartbeat_multiplier);
      break;

    case PROP_POLL_INTERVAL:
      g_value_set_uint (value, self->poll_interval);
      break;

    case PROP_POLL_WAIT:
      g_value_set_uint (value, self->poll_wait);
      break;

    case PROP_NETWORK_MONITOR:
      g_value_set_object (value, self->monitor);
      break;

    case PROP_LOGIN_BUS:
      g_value_set_object (value, self->system_bus);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_uint (TackConnection *self,
          guint          *field,
          guint           value,
          guint           prop)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
tack_connection_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TackConnection *self = TACK_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_API:
      self->api = g_value_dup_object (value);
      break;

    case PROP_DISPATCHER:
      self->dispatcher = g_value_dup_object (value);
      break;

    case PROP_MODE:
      tack_connection_set_mode (self, g_value_get_enum (value));
      break;

    case PROP_BACKOFF_BASE:
      set_uint (self, &self->backoff_base, g_value_get_uint (value), prop_id);
      break;

    case PROP_BACKOFF_CAP:
      set_uint (self, &self->backoff_cap, g_value_get_uint (value), prop_id);
      break;

    case PROP_STABLE_TIME:
      set_uint (self, &self->stable_time, g_value_get_uint (value), prop_id);
      break;

    case PROP_HEARTBEAT_MULTIPLIER:
      if (self->heartbeat_multiplier != g_value_get_double (value))
        {
          self->heartbeat_multiplier = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_POLL_INTERVAL:
      set_uint (self, &self->poll_interval, g_value_get_uint (value), prop_id);
      break;

    case PROP_POLL_WAIT:
      set_uint (self, &self->poll_wait, g_value_get_uint (value), prop_id);
      break;

    case PROP_NETWORK_MONITOR:
      self->monitor = g_value_dup_object (value);
      break;

    case PROP_LOGIN_BUS:
      self->system_bus = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_connection_class_init (TackConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags readable = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags tunable = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tack_connection_constructed;
  object_class->dispose = tack_connection_dispose;
  object_class->finalize = tack_connection_finalize;
  object_class->get_property = tack_connection_get_property;
  object_class->set_property = tack_connection_set_property;

  properties[PROP_API] =
    g_param_spec_object ("api", NULL, NULL, TACK_TYPE_API, construct);
  properties[PROP_DISPATCHER] =
    g_param_spec_object ("dispatcher", NULL, NULL, TACK_TYPE_DISPATCHER, construct);

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       TACK_TYPE_CONNECTION_STATE, TACK_CONNECTION_OFFLINE, readable);

  /**
   * TackConnection:reason:
   *
   * Why the connection is `failed`, or why the last attempt did not work
   * while `reconnecting`; %NULL when live.
   */
  properties[PROP_REASON] =
    g_param_spec_string ("reason", NULL, NULL, NULL, readable);

  /**
   * TackConnection:next-attempt:
   *
   * When the next attempt is due, in g_get_monotonic_time() µs, or 0.
   */
  properties[PROP_NEXT_ATTEMPT] =
    g_param_spec_int64 ("next-attempt", NULL, NULL, 0, G_MAXINT64, 0, readable);

  properties[PROP_ATTEMPT] =
    g_param_spec_uint ("attempt", NULL, NULL, 0, G_MAXUINT, 0, readable);

  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL,
                       TACK_TYPE_TRANSPORT_MODE, TACK_TRANSPORT_AUTO, tunable);

  /**
   * TackConnection:transport:
   *
   * The transport in use, or %TACK_TRANSPORT_AUTO when none is up.
   */
  properties[PROP_TRANSPORT] =
    g_param_spec_enum ("transport", NULL, NULL,
                       TACK_TYPE_TRANSPORT_MODE, TACK_TRANSPORT_AUTO, readable);

  /**
   * TackConnection:presence:
   *
   * The other users on the board (TackPresence), over the WebSocket only;
   * emptied whenever the connection drops.
   */
  properties[PROP_PRESENCE] =
    g_param_spec_object ("presence", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  properties[PROP_BACKOFF_BASE] =
    g_param_spec_uint ("backoff-base", NULL, NULL, 1, G_MAXINT, 1000, tunable);
  properties[PROP_BACKOFF_CAP] =
    g_param_spec_uint ("backoff-cap", NULL, NULL, 1, G_MAXINT, 30000, tunable);
  properties[PROP_STABLE_TIME] =
    g_param_spec_uint ("stable-time", NULL, NULL, 1, G_MAXINT, 10000, tunable);

  /**
   * TackConnection:heartbeat-multiplier:
   *
   * A transport silent for this many of the server's heartbeat periods
   * is declared dead.
   */
  properties[PROP_HEARTBEAT_MULTIPLIER] =
    g_param_spec_double ("heartbeat-multiplier", NULL, NULL, 0.001, 100.0, 2.0, tunable);

  /**
   * TackConnection:poll-interval:
   *
   * Seconds between polls when polling; 0 for long polling.
   */
  properties[PROP_POLL_INTERVAL] =
    g_param_spec_uint ("poll-interval", NULL, NULL, 0, 3600, 0, tunable);
  properties[PROP_POLL_WAIT] =
    g_param_spec_uint ("poll-wait", NULL, NULL, 1, 30, 25, tunable);

  /**
   * TackConnection:network-monitor:
   *
   * Where "the network is back" comes from; g_network_monitor_get_default()
   * unless set at construction (tests).
   */
  properties[PROP_NETWORK_MONITOR] =
    g_param_spec_object ("network-monitor", NULL, NULL, G_TYPE_NETWORK_MONITOR, construct);

  /**
   * TackConnection:login-bus:
   *
   * The bus logind's PrepareForSleep comes on; the system bus unless set
   * at construction (tests).
   */
  properties[PROP_LOGIN_BUS] =
    g_param_spec_object ("login-bus", NULL, NULL, G_TYPE_DBUS_CONNECTION, construct);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TackConnection::retry-scheduled:
   * @attempt: the attempt number, from 1
   * @delay: the chosen wait, µs
   * @ceiling: the backoff's ceiling for this attempt, µs (the delay is
   *   drawn from [0, ceiling])
   */
  signals[RETRY_SCHEDULED] =
    g_signal_new ("retry-scheduled",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_INT64, G_TYPE_INT64);
}

static void
tack_connection_init (TackConnection *self)
{
  self->presence = g_list_store_new (TACK_TYPE_PRESENCE);
  self->lifetime = g_cancellable_new ();
  self->backoff_base = 1000;
  self->backoff_cap = 30000;
  self->stable_time = 10000;
  self->heartbeat_multiplier = 2.0;
  self->poll_wait = 25;
  self->heartbeat_ms = DEFAULT_HEARTBEAT_MS;
  self->target_seq = -1;
}

TackConnection *
tack_connection_new (TackApi        *api,
                     TackDispatcher *dispatcher)
{
  g_return_val_if_fail (TACK_IS_API (api), NULL);
  g_return_val_if_fail (TACK_IS_DISPATCHER (dispatcher), NULL);

  return g_object_new (TACK_TYPE_CONNECTION, "api", api, "dispatcher", dispatcher, NULL);
}

/**
 * tack_connection_get_api:
 *
 * Returns: (transfer none): the API
 */
TackApi *
tack_connection_get_api (TackConnection *self)
{
  g_return_val_if_fail (TACK_IS_CONNECTION (self), NULL);

  return self->api;
}

/**
 * tack_connection_get_dispatcher:
 *
 * Returns: (transfer none): the dispatcher frames go to
 */
TackDispatcher *
tack_connection_get_dispatcher (TackConnection *self)
{
  g_return_val_if_fail (TACK_IS_CONNECTION (self), NULL);

  return self->dispatcher;
}

TackConnectionState
tack_connection_get_state (TackConnection *self)
{
  g_return_val_if_fail (TACK_IS_CONNECTION (self), TACK_CONNECTION_OFFLINE);

  return self->state;
}

const char *
tack_connection_get_reason (TackConnection *self)
{
  g_return_val_if_fail (TACK_IS_CONNECTION (self), NULL);

  return self->reason;
}

gint64
tack_connection_get_next_attempt (TackConnection *self)
{
  g_return_val_if_fail (TACK_IS_CONNECTION (self), 0);

  return self->next_attempt;
}

guint
tack_connection_get_attempt (TackConnection *self)
{
  g_return_val_if_fail (TACK_IS_CONNECTION (self), 0);

  return self->attempt;
}

TackTransportMode
tack_connection_get_mode (TackConnection *self)
{
  g_return_val_if_fail (TACK_IS_CONNECTION (self), TACK_TRANSPORT_AUTO);

  return self->mode;
}

/**
 * tack_connection_set_mode:
 *
 * Pins a transport (or lets auto pick); a running connection switches at
 * once.
 */
void
tack_connection_set_mode (TackConnection    *self,
                          TackTransportMode  mode)
{
  g_return_if_fail (TACK_IS_CONNECTION (self));

  if (self->mode == mode)
    return;

  self->mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);

  if (self->started && self->state != TACK_CONNECTION_FAILED)
    connect_now (self);
}

TackTransportMode
tack_connection_get_transport (TackConnection *self)
{
  g_return_val_if_fail (TACK_IS_CONNECTION (self), TACK_TRANSPORT_AUTO);

  return self->transport_kind;
}

/**
 * tack_connection_get_presence:
 *
 * Returns: (transfer none): a #GListModel of #TackPresence
 */
GListModel *
tack_connection_get_presence (TackConnection *self)
{
  g_return_val_if_fail (TACK_IS_CONNECTION (self), NULL);

  return G_LIST_MODEL (self->presence);
}

/**
 * tack_connection_start:
 *
 * Connects (loading the first snapshot if the store has none) and keeps
 * connecting until tack_connection_stop().
 */
void
tack_connection_start (TackConnection *self)
{
  GWeakRef *ref;

  g_return_if_fail (TACK_IS_CONNECTION (self));

  if (self->started)
    return;

  self->started = TRUE;

  if (self->system_bus != NULL)
    {
      subscribe_sleep (self, self->system_bus);
    }
  else
    {
      ref = g_new0 (GWeakRef, 1);
      g_weak_ref_init (ref, self);
      g_bus_get (G_BUS_TYPE_SYSTEM, self->lifetime, system_bus_cb, ref);
    }

  connect_now (self);
}

void
tack_connection_stop (TackConnection *self)
{
  g_return_if_fail (TACK_IS_CONNECTION (self));

  self->started = FALSE;
  g_clear_handle_id (&self->retry_id, tack_net_source_remove);
  drop_transport (self);
  set_attempt (self, 0);
  set_next_attempt (self, 0);
  set_reason (self, NULL);
  set_state (self, TACK_CONNECTION_OFFLINE);
}

/**
 * tack_connection_reconnect_now:
 *
 * Skips the backoff wait, or replaces a connection that may be dead (after
 * a suspend). Also retries a `failed` connection: the user asked.
 */
void
tack_connection_reconnect_now (TackConnection *self)
{
  g_return_if_fail (TACK_IS_CONNECTION (self));

  if (!self->started)
    {
      tack_connection_start (self);
      return;
    }

  if (self->state == TACK_CONNECTION_CONNECTING)
    return;

  connect_now (self);
}

/**
 * tack_connection_set_presence_state:
 * @state: (nullable): `{"viewing": true}`, `{"dragging": id}`, `{"editing": id}`
 *
 * What this user is doing, sent now and after every reconnect (WebSocket
 * only: the other transports are one-way).
 */
void
tack_connection_set_presence_state (TackConnection *self,
                                    JsonObject     *state)
{
  g_return_if_fail (TACK_IS_CONNECTION (self));

  g_clear_pointer (&self->own_presence, json_object_unref);
  if (state != NULL)
    self->own_presence = json_object_ref (state);

  if (self->greeted)
    send_presence (self);
}

static void
set_presence_member (TackConnection *self,
                     const char     *member,
                     const char     *card_id)
{
  g_autoptr(JsonObject) state = json_object_new ();

  if (card_id != NULL)
    json_object_set_string_member (state, member, card_id);
  else
    json_object_set_boolean_member (state, "viewing", TRUE);

  tack_connection_set_presence_state (self, state);
}

void
tack_connection_set_viewing (TackConnection *self)
{
  set_presence_member (self, "viewing", NULL);
}

void
tack_connection_set_dragging (TackConnection *self,
                              const char     *card_id)
{
  set_presence_member (self, "dragging", card_id);
}

void
tack_connection_set_editing (TackConnection *self,
                             const char     *card_id)
{
  set_presence_member (self, "editing", card_id);
}
