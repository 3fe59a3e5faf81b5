/* tack-window.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A window shows the board of the store it was given, or of the session
 * it was given (a live board). It owns no server data: the header bar
 * title, the connection indicator and the board view are bound to the
 * store's board and the session's connection, so whatever the store holds
 * is what the window shows. Edits go out as actions (see
 * tack-window-actions.c) to the session's outbox. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "tack-board-view.h"
#include "tack-connection-indicator.h"
#include "tack-window-private.h"

G_DEFINE_FINAL_TYPE (TackWindow, tack_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_STORE,
  PROP_READ_ONLY,
  PROP_PRESENCE,
  PROP_PRESENCE_SERIAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The store's board has no id until a snapshot arrives. */
static char *
tack_window_page_for_board (gpointer    this_,
                            const char *board_id)
{
  return g_strdup (board_id != NULL ? "board" : "empty");
}

static char *
tack_window_title_for_board (gpointer    this_,
                             const char *board_title)
{
  return g_strdup (board_title != NULL && board_title[0] != '\0' ? board_title : _("Tack"));
}

static gboolean
tack_window_has_object (gpointer  this_,
                        GObject  *object)
{
  return object != NULL;
}

static char *
tack_window_empty_title (gpointer     this_,
                         TackSession *session)
{
  return g_strdup (session != NULL ? _("Opening the Board…") : _("No board yet"));
}

static char *
tack_window_empty_description (gpointer     this_,
                               TackSession *session)
{
  if (session != NULL)
    return g_markup_escape_text (tack_session_get_base_url (session), -1);

  return g_strdup (_("A board shows up here as soon as it is opened."));
}

/* Nothing modal while reconnecting: only a connection that gave up for
 * good takes the board's place. */
static char *
tack_window_page_for_connection (gpointer            this_,
                                 TackConnectionState state)
{
  return g_strdup (state == TACK_CONNECTION_FAILED ? "failed" : "content");
}

static char *
tack_window_subtitle (gpointer this_,
                      gboolean read_only)
{
  return g_strdup (read_only ? _("Board export, read-only") : NULL);
}

static void
tack_window_set_store (TackWindow *self,
                       TackStore  *store)
{
  g_assert (TACK_IS_WINDOW (self));
  g_assert (!store || TACK_IS_STORE (store));

  if (g_set_object (&self->store, store))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

static void
bump_presence_serial (TackWindow *self)
{
  self->presence_serial++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESENCE_SERIAL]);
}

/* Card rows recompute who is moving or editing them whenever anyone's
 * presence changes. */
static void
on_presence_changed (TackWindow *self,
                     guint       position,
                     guint       removed,
                     guint       added,
                     GListModel *presence)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (presence, i);

      g_signal_connect_object (item, "notify", G_CALLBACK (bump_presence_serial), self, G_CONNECT_SWAPPED);
    }

  bump_presence_serial (self);
}

/* "Every N seconds" is the polling mode's own interval; when polling is
 * only Automatic's last resort, it long-polls (interval 0) instead. */
static void
apply_poll_interval (TackWindow *self)
{
  TackConnection *connection = tack_session_get_connection (self->session);
  guint interval = 0;

  if (g_settings_get_enum (self->settings, "live-update-mode") == TACK_TRANSPORT_POLLING)
    interval = g_settings_get_uint (self->settings, "poll-interval");

  g_object_set (connection, "poll-interval", interval, NULL);
}

static gboolean
user_from_display_name (GValue   *value,
                        GVariant *variant,
                        gpointer  user_data)
{
  g_value_take_string (value, tack_session_dup_user_for_name (g_variant_get_string (variant, NULL)));
  return TRUE;
}

static void
tack_window_bind_settings (TackWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* Installed, the schema is always there; an uninstalled run without
   * GSETTINGS_SCHEMA_DIR simply does not remember the size. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("GSettings schema %s not found; window size is not saved", APP_ID);
      return;
    }

  self->settings = g_settings_new_full (schema, NULL, NULL);
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);

  /* Preferences apply to the running connection at once: the key's nicks
   * are the TackTransportMode nicks. */
  if (self->session != NULL)
    {
      TackConnection *connection = tack_session_get_connection (self->session);

      g_settings_bind (self->settings, "live-update-mode", connection, "mode", G_SETTINGS_BIND_GET);
      /* Renaming oneself applies to the next write and presence frame,
       * without reconnecting. */
      g_settings_bind_with_mapping (self->settings, "display-name",
                                    tack_session_get_api (self->session), "user",
                                    G_SETTINGS_BIND_GET,
                                    user_from_display_name, NULL, NULL, NULL);
      g_signal_connect_object (self->settings, "changed::live-update-mode",
                               G_CALLBACK (apply_poll_interval), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::poll-interval",
                               G_CALLBACK (apply_poll_interval), self, G_CONNECT_SWAPPED);
      apply_poll_interval (self);
    }
}

static void
tack_window_constructed (GObject *object)
{
  TackWindow *self = (TackWindow *)object;

  G_OBJECT_CLASS (tack_window_parent_class)->constructed (object);

  if (self->session != NULL)
    {
      g_assert (self->store == NULL);
      tack_window_set_store (self, tack_session_get_store (self->session));
    }

  if (self->store == NULL)
    {
      g_autoptr(TackStore) store = tack_store_new ();

      tack_window_set_store (self, store);
    }

  if (self->session != NULL)
    g_signal_connect_object (tack_connection_get_presence (tack_session_get_connection (self->session)),
                             "items-changed", G_CALLBACK (on_presence_changed), self,
                             G_CONNECT_SWAPPED);

  tack_window_bind_settings (self);
  _tack_window_actions_init (self);
}

static void
tack_window_dispose (GObject *object)
{
  TackWindow *self = (TackWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), TACK_TYPE_WINDOW);

  _tack_window_actions_dispose (self);

  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (tack_window_parent_class)->dispose (object);
}

static void
tack_window_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TackWindow *self = TACK_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_READ_ONLY:
      g_value_set_boolean (value, self->read_only);
      break;

    case PROP_PRESENCE:
      g_value_set_object (value, tack_window_get_presence (self));
      break;

    case PROP_PRESENCE_SERIAL:
      g_value_set_uint (value, self->presence_serial);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_window_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  TackWindow *self = TACK_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      g_object_notify_by_pspec (object, pspec);
      g_object_notify_by_pspec (object, properties[PROP_PRESENCE]);
      break;

    case PROP_STORE:
      tack_window_set_store (self, g_value_get_object (value));
      break;

    case PROP_READ_ONLY:
      self->read_only = g_value_get_boolean (value);
      g_object_notify_by_pspec (object, pspec);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_window_class_init (TackWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = tack_window_constructed;
  object_class->dispose = tack_window_dispose;
  object_class->get_property = tack_window_get_property;
  object_class->set_property = tack_window_set_property;

  /**
   * TackWindow:session:
   *
   * The live board the window shows and sends edits to, or %NULL for a
   * window on a bare store (a board export).
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         TACK_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TackWindow:store:
   *
   * The store whose board the window shows.
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         TACK_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TackWindow:read-only:
   *
   * Whether the board is shown as it was saved, with no server to send
   * changes to, as when opening a board export.
   */
  properties[PROP_READ_ONLY] =
    g_param_spec_boolean ("read-only", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                           G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TackWindow:presence:
   *
   * Who else is on the board and what they are doing (TackPresence items).
   */
  properties[PROP_PRESENCE] =
    g_param_spec_object ("presence", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TackWindow:presence-serial:
   *
   * Grows whenever anything in TackWindow:presence changes.
   */
  properties[PROP_PRESENCE_SERIAL] =
    g_param_spec_uint ("presence-serial", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TACK_TYPE_BOARD);
  g_type_ensure (TACK_TYPE_BOARD_VIEW);
  g_type_ensure (TACK_TYPE_STORE);
  g_type_ensure (TACK_TYPE_SESSION);
  g_type_ensure (TACK_TYPE_CONNECTION);
  g_type_ensure (TACK_TYPE_CONNECTION_INDICATOR);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tackboard/Tack/tack-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TackWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, TackWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TackWindow, indicator);
  gtk_widget_class_bind_template_child (widget_class, TackWindow, board_view);
  gtk_widget_class_bind_template_callback (widget_class, tack_window_page_for_board);
  gtk_widget_class_bind_template_callback (widget_class, tack_window_title_for_board);
  gtk_widget_class_bind_template_callback (widget_class, tack_window_subtitle);
  gtk_widget_class_bind_template_callback (widget_class, tack_window_has_object);
  gtk_widget_class_bind_template_callback (widget_class, tack_window_empty_title);
  gtk_widget_class_bind_template_callback (widget_class, tack_window_empty_description);
  gtk_widget_class_bind_template_callback (widget_class, tack_window_page_for_connection);

  _tack_window_class_actions_init (widget_class);
}

static void
tack_window_init (TackWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Not an expression on the window itself: GTK 4.8 warns when a template
   * binding's target is also its `this` object as the window is finalized. */
  g_object_bind_property (self->window_title, "title", self, "title", G_BINDING_SYNC_CREATE);
}

gboolean
tack_window_get_read_only (TackWindow *self)
{
  g_return_val_if_fail (TACK_IS_WINDOW (self), FALSE);

  return self->read_only;
}

/**
 * tack_window_get_store:
 *
 * Returns: (transfer none): the store the window shows
 */
TackStore *
tack_window_get_store (TackWindow *self)
{
  g_return_val_if_fail (TACK_IS_WINDOW (self), NULL);

  return self->store;
}

/**
 * tack_window_get_presence:
 *
 * Who else has the board open, with what they are dragging or editing;
 * TackWindow:presence-serial grows whenever any of it changes.
 *
 * Returns: (transfer none) (nullable): a list of TackPresence, or %NULL
 *   for a board without a connection
 */
GListModel *
tack_window_get_presence (TackWindow *self)
{
  g_return_val_if_fail (TACK_IS_WINDOW (self), NULL);

  if (self->session == NULL)
    return NULL;

  return tack_connection_get_presence (tack_session_get_connection (self->session));
}

/**
 * tack_window_get_session:
 *
 * Returns: (transfer none) (nullable): the live board shown, if any
 */
TackSession *
tack_window_get_session (TackWindow *self)
{
  g_return_val_if_fail (TACK_IS_WINDOW (self), NULL);

  return self->session;
}

void
tack_window_add_toast (TackWindow *self,
                       AdwToast   *toast)
{
  g_return_if_fail (TACK_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
