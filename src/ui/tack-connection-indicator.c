/* tack-connection-indicator.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The header bar's answer to "is what I see live?": an icon and a few
 * words for the connection's state, bound to the session's connection and
 * outbox, and a popover with the details and "Reconnect now". The widget
 * owns no connection state; its only own value is a clock that ticks
 * while a countdown or the popover needs it. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "tack-connection-indicator.h"

struct _TackConnectionIndicator
{
  GtkWidget    parent_instance;

  TackSession *session;
  TackBoard   *board;
  gint64       now;
  gint64       last_event;
  guint        tick_id;

  GtkWidget   *button;
  GtkLabel    *status_label;
  GtkWidget   *popover;
};

G_DEFINE_FINAL_TYPE (TackConnectionIndicator, tack_connection_indicator, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_NOW,
  PROP_LAST_EVENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
tack_connection_indicator_status_text (gpointer             this_,
                                       TackConnectionState  state,
                                       gint64               next_attempt,
                                       const char          *reason,
                                       guint                n_pending,
                                       gint64               now)
{
  gint64 seconds;

  switch (state)
    {
    case TACK_CONNECTION_OFFLINE:
      return g_strdup (_("Offline"));

    case TACK_CONNECTION_CONNECTING:
      return g_strdup (_("Connecting…"));

    case TACK_CONNECTION_RESYNCING:
      return g_strdup (_("Catching up…"));

    case TACK_CONNECTION_LIVE:
      if (n_pending > 0)
        return g_strdup (_("Changes pending"));
      return g_strdup (_("Live"));

    case TACK_CONNECTION_RECONNECTING:
      seconds = (next_attempt - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
      if (next_attempt == 0 || seconds <= 0)
        return g_strdup (_("Reconnecting…"));
      /* Translators: a countdown to the next connection attempt. */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Reconnecting in %d s",
                                           "Reconnecting in %d s",
                                           (int)seconds),
                              (int)seconds);

    case TACK_CONNECTION_FAILED:
      /* Translators: the connection gave up; %s says why. */
      return g_strdup_printf (_("Failed: %s"), reason != NULL ? reason : _("unknown error"));

    default:
      return g_strdup ("");
    }
}

static char *
tack_connection_indicator_icon_name (gpointer            this_,
                                     TackConnectionState state,
                                     guint               n_pending)
{
  switch (state)
    {
    case TACK_CONNECTION_LIVE:
      return g_strdup (n_pending > 0 ? "tack-pending-symbolic" : "tack-live-symbolic");

    case TACK_CONNECTION_CONNECTING:
    case TACK_CONNECTION_RECONNECTING:
    case TACK_CONNECTION_RESYNCING:
      return g_strdup ("tack-reconnecting-symbolic");

    case TACK_CONNECTION_OFFLINE:
    case TACK_CONNECTION_FAILED:
    default:
      return g_strdup ("tack-offline-symbolic");
    }
}

static char **
tack_connection_indicator_css_classes (gpointer            this_,
                                       TackConnectionState state,
                                       guint               n_pending)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **classes;

  g_strv_builder_add (builder, "flat");
  g_strv_builder_add (builder, "connection-indicator");

  switch (state)
    {
    case TACK_CONNECTION_LIVE:
      g_strv_builder_add (builder, n_pending > 0 ? "pending" : "live");
      break;

    case TACK_CONNECTION_CONNECTING:
    case TACK_CONNECTION_RECONNECTING:
    case TACK_CONNECTION_RESYNCING:
      g_strv_builder_add (builder, "reconnecting");
      break;

    case TACK_CONNECTION_FAILED:
      g_strv_builder_add (builder, "failed");
      break;

    case TACK_CONNECTION_OFFLINE:
    default:
      g_strv_builder_add (builder, "offline");
      break;
    }

  classes = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return classes;
}

static char *
tack_connection_indicator_transport_text (gpointer            this_,
                                          TackConnectionState state,
                                          TackTransportMode   transport)
{
  if (state != TACK_CONNECTION_LIVE && state != TACK_CONNECTION_RESYNCING)
    return g_strdup (_("None"));

  switch (transport)
    {
    case TACK_TRANSPORT_WEBSOCKET:
      return g_strdup (_("WebSocket"));

    case TACK_TRANSPORT_SSE:
      return g_strdup (_("Server-sent events"));

    case TACK_TRANSPORT_POLLING:
      return g_strdup (_("Polling"));

    case TACK_TRANSPORT_AUTO:
    default:
      return g_strdup (_("None"));
    }
}

static char *
tack_connection_indicator_event_age (gpointer this_,
                                     gint64   last_event,
                                     gint64   now)
{
  gint64 seconds;

  if (last_event == 0)
    return g_strdup (_("None yet"));

  seconds = MAX (0, (now - last_event) / G_USEC_PER_SEC);
  if (seconds < 5)
    return g_strdup (_("Just now"));

  if (seconds < 120)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d second ago", "%d seconds ago", (int)seconds),
                            (int)seconds);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago", (int)(seconds / 60)),
                          (int)(seconds / 60));
}

static char *
tack_connection_indicator_pending_text (gpointer this_,
                                        guint    n_pending)
{
  if (n_pending == 0)
    return g_strdup (_("All saved"));

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u change waiting", "%u changes waiting", n_pending),
                          n_pending);
}

static gboolean
tick_cb (gpointer user_data)
{
  TackConnectionIndicator *self = user_data;

  self->now = g_get_monotonic_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOW]);

  return G_SOURCE_CONTINUE;
}

/* The clock only runs while something on screen counts with it. */
static void
update_tick (TackConnectionIndicator *self)
{
  TackConnection *connection = self->session ? tack_session_get_connection (self->session) : NULL;
  gboolean needed;

  needed = connection != NULL &&
           gtk_widget_get_mapped (GTK_WIDGET (self)) &&
           (tack_connection_get_state (connection) == TACK_CONNECTION_RECONNECTING ||
            gtk_widget_get_visible (self->popover));

  if (needed && self->tick_id == 0)
    {
      tick_cb (self);
      self->tick_id = g_timeout_add (250, tick_cb, self);
    }
  else if (!needed)
    {
      g_clear_handle_id (&self->tick_id, g_source_remove);
    }
}

static void
on_seq_changed (TackConnectionIndicator *self)
{
  self->last_event = g_get_monotonic_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_EVENT]);
}

static void
on_status_label_changed (TackConnectionIndicator *self)
{
  const char *text = gtk_label_get_label (self->status_label);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
}

static void
tack_connection_indicator_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (tack_connection_indicator_parent_class)->map (widget);
  update_tick (TACK_CONNECTION_INDICATOR (widget));
}

static void
tack_connection_indicator_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (tack_connection_indicator_parent_class)->unmap (widget);
  update_tick (TACK_CONNECTION_INDICATOR (widget));
}

static void
reconnect_clicked_cb (TackConnectionIndicator *self)
{
  if (self->session != NULL)
    tack_connection_reconnect_now (tack_session_get_connection (self->session));
  gtk_popover_popdown (GTK_POPOVER (self->popover));
}

static void
tack_connection_indicator_dispose (GObject *object)
{
  TackConnectionIndicator *self = (TackConnectionIndicator *)object;

  g_clear_handle_id (&self->tick_id, g_source_remove);
  tack_connection_indicator_set_session (self, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), TACK_TYPE_CONNECTION_INDICATOR);

  G_OBJECT_CLASS (tack_connection_indicator_parent_class)->dispose (object);
}

static void
tack_connection_indicator_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  TackConnectionIndicator *self = TACK_CONNECTION_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_NOW:
      g_value_set_int64 (value, self->now);
      break;

    case PROP_LAST_EVENT:
      g_value_set_int64 (value, self->last_event);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_connection_indicator_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  TackConnectionIndicator *self = TACK_CONNECTION_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      tack_connection_indicator_set_session (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_connection_indicator_class_init (TackConnectionIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags readable = (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  object_class->dispose = tack_connection_indicator_dispose;
  object_class->get_property = tack_connection_indicator_get_property;
  object_class->set_property = tack_connection_indicator_set_property;

  widget_class->map = tack_connection_indicator_map;
  widget_class->unmap = tack_connection_indicator_unmap;

  /**
   * TackConnectionIndicator:session:
   *
   * The session whose connection is shown.
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         TACK_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TackConnectionIndicator:now:
   *
   * The monotonic clock, in µs, as of the last tick: countdowns and ages
   * are computed against it.
   */
  properties[PROP_NOW] =
    g_param_spec_int64 ("now", NULL, NULL, 0, G_MAXINT64, 0, readable);

  /**
   * TackConnectionIndicator:last-event:
   *
   * When (monotonic µs) the board last moved on to a newer event, or 0.
   */
  properties[PROP_LAST_EVENT] =
    g_param_spec_int64 ("last-event", NULL, NULL, 0, G_MAXINT64, 0, readable);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TACK_TYPE_SESSION);
  g_type_ensure (TACK_TYPE_CONNECTION);
  g_type_ensure (TACK_TYPE_OUTBOX);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tackboard/Tack/tack-connection-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, TackConnectionIndicator, button);
  gtk_widget_class_bind_template_child (widget_class, TackConnectionIndicator, status_label);
  gtk_widget_class_bind_template_child (widget_class, TackConnectionIndicator, popover);
  gtk_widget_class_bind_template_callback (widget_class, tack_connection_indicator_status_text);
  gtk_widget_class_bind_template_callback (widget_class, tack_connection_indicator_icon_name);
  gtk_widget_class_bind_template_callback (widget_class, tack_connection_indicator_css_classes);
  gtk_widget_class_bind_template_callback (widget_class, tack_connection_indicator_transport_text);
  gtk_widget_class_bind_template_callback (widget_class, tack_connection_indicator_event_age);
  gtk_widget_class_bind_template_callback (widget_class, tack_connection_indicator_pending_text);
  gtk_widget_class_bind_template_callback (widget_class, reconnect_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, update_tick);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "connectionindicator");
}

static void
tack_connection_indicator_init (TackConnectionIndicator *self)
{
  self->now = g_get_monotonic_time ();

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->status_label, "notify::label",
                           G_CALLBACK (on_status_label_changed), self,
                           G_CONNECT_SWAPPED);
}

GtkWidget *
tack_connection_indicator_new (void)
{
  return g_object_new (TACK_TYPE_CONNECTION_INDICATOR, NULL);
}

/**
 * tack_connection_indicator_get_session:
 *
 * Returns: (transfer none) (nullable): the session shown
 */
TackSession *
tack_connection_indicator_get_session (TackConnectionIndicator *self)
{
  g_return_val_if_fail (TACK_IS_CONNECTION_INDICATOR (self), NULL);

  return self->session;
}

void
tack_connection_indicator_set_session (TackConnectionIndicator *self,
                                       TackSession             *session)
{
  g_return_if_fail (TACK_IS_CONNECTION_INDICATOR (self));
  g_return_if_fail (!session || TACK_IS_SESSION (session));

  if (self->session == session)
    return;

  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (tack_session_get_connection (self->session), self);
      if (self->board != NULL)
        g_signal_handlers_disconnect_by_data (self->board, self);
      g_clear_object (&self->board);
    }

  g_set_object (&self->session, session);

  if (session != NULL)
    {
      g_signal_connect_object (tack_session_get_connection (session), "notify::state",
                               G_CALLBACK (update_tick), self, G_CONNECT_SWAPPED);
      self->board = g_object_ref (tack_store_get_board (tack_session_get_store (session)));
      g_signal_connect_object (self->board, "notify::seq",
                               G_CALLBACK (on_seq_changed), self, G_CONNECT_SWAPPED);
    }

  update_tick (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

/**
 * tack_connection_indicator_get_text:
 *
 * Returns: the words shown (and read out) for the connection's state
 */
const char *
tack_connection_indicator_get_text (TackConnectionIndicator *self)
{
  g_return_val_if_fail (TACK_IS_CONNECTION_INDICATOR (self), NULL);

  return gtk_label_get_label (self->status_label);
}
