/* tack-preferences-window.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Preferences: who you are to the others on a board, and how live updates
 * reach you. Every row is bound to its GSettings key; the windows bind the
 * same keys to their connections, so a change applies at once. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "tack-preferences-window.h"

struct _TackPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwEntryRow          *display_name_row;
  AdwComboRow          *mode_row;
  AdwActionRow         *interval_row;
  GtkSpinButton        *interval_button;
};

G_DEFINE_FINAL_TYPE (TackPreferencesWindow, tack_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The combo row lists the modes in the enum's order. */
static const char *mode_nicks[] = { "auto", "websocket", "sse", "polling" };

static gboolean
mode_get_mapping (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (mode_nicks); i++)
    if (g_strcmp0 (nick, mode_nicks[i]) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  return FALSE;
}

static GVariant *
mode_set_mapping (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= G_N_ELEMENTS (mode_nicks))
    return NULL;

  return g_variant_new_string (mode_nicks[selected]);
}

static gboolean
is_polling (GBinding     *binding,
            const GValue *from_value,
            GValue       *to_value,
            gpointer      user_data)
{
  g_value_set_boolean (to_value, g_value_get_uint (from_value) == 3);
  return TRUE;
}

static void
tack_preferences_window_dispose (GObject *object)
{
  TackPreferencesWindow *self = (TackPreferencesWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), TACK_TYPE_PREFERENCES_WINDOW);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tack_preferences_window_parent_class)->dispose (object);
}

static void
tack_preferences_window_class_init (TackPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tack_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tackboard/Tack/tack-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TackPreferencesWindow, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, TackPreferencesWindow, mode_row);
  gtk_widget_class_bind_template_child (widget_class, TackPreferencesWindow, interval_row);
  gtk_widget_class_bind_template_child (widget_class, TackPreferencesWindow, interval_button);
}

static void
tack_preferences_window_init (TackPreferencesWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_object_bind_property_full (self->mode_row, "selected",
                               self->interval_row, "sensitive",
                               G_BINDING_SYNC_CREATE,
                               is_polling, NULL, NULL, NULL);

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    return;

  self->settings = g_settings_new_full (schema, NULL, NULL);
  g_settings_bind (self->settings, "display-name", self->display_name_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "live-update-mode",
                                self->mode_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                mode_get_mapping, mode_set_mapping, NULL, NULL);
  g_settings_bind (self->settings, "poll-interval", self->interval_button, "value", G_SETTINGS_BIND_DEFAULT);
}

GtkWidget *
tack_preferences_window_new (void)
{
  return g_object_new (TACK_TYPE_PREFERENCES_WINDOW, NULL);
}
