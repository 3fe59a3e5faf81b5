/* tack-window.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A window shows the board of the store it was given. It owns no server
 * data: the header bar title and the board view are bound to the store's
 * board, so whatever the store holds is what the window shows. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "tack-board-view.h"
#include "tack-window.h"

struct _TackWindow
{
  AdwApplicationWindow  parent_instance;

  TackStore            *store;
  GSettings            *settings;
  gboolean              read_only;

  AdwWindowTitle       *window_title;
};

G_DEFINE_FINAL_TYPE (TackWindow, tack_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_READ_ONLY,
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
}

static void
tack_window_constructed (GObject *object)
{
  TackWindow *self = (TackWindow *)object;

  G_OBJECT_CLASS (tack_window_parent_class)->constructed (object);

  if (self->store == NULL)
    {
      g_autoptr(TackStore) store = tack_store_new ();

      tack_window_set_store (self, store);
    }

  tack_window_bind_settings (self);
}

static void
tack_window_dispose (GObject *object)
{
  TackWindow *self = (TackWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), TACK_TYPE_WINDOW);

  g_clear_object (&self->settings);
  g_clear_object (&self->store);

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
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_READ_ONLY:
      g_value_set_boolean (value, self->read_only);
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

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TACK_TYPE_BOARD);
  g_type_ensure (TACK_TYPE_BOARD_VIEW);
  g_type_ensure (TACK_TYPE_STORE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tackboard/Tack/tack-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TackWindow, window_title);
  gtk_widget_class_bind_template_callback (widget_class, tack_window_page_for_board);
  gtk_widget_class_bind_template_callback (widget_class, tack_window_title_for_board);
  gtk_widget_class_bind_template_callback (widget_class, tack_window_subtitle);
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
