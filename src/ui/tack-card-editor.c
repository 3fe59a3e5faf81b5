/* tack-card-editor.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Editing one card: a draft of its fields in entry rows, saved through
 * the outbox with only the fields the user changed, so that a concurrent
 * edit of another field on the server merges instead of conflicting.
 * While it is open, presence tells the others who is editing the card. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "tack-card-editor.h"

struct _TackCardEditor
{
  AdwWindow       parent_instance;

  TackSession    *session;
  TackCard       *card;

  AdwEntryRow    *title_row;
  AdwEntryRow    *labels_row;
  AdwEntryRow    *assignees_row;
  AdwEntryRow    *due_row;
  GtkTextView    *description_view;
};

G_DEFINE_FINAL_TYPE (TackCardEditor, tack_card_editor, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_CARD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
join_list (const char * const *items)
{
  return items != NULL ? g_strjoinv (", ", (char **)items) : g_strdup ("");
}

/* "a, b,,c " -> ["a", "b", "c"] */
static JsonArray *
split_list (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  JsonArray *array = json_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        json_array_add_string_element (array, parts[i]);
    }

  return array;
}

static gboolean
same_list (JsonArray          *array,
           const char * const *items)
{
  guint n = json_array_get_length (array);
  guint n_items = items != NULL ? g_strv_length ((char **)items) : 0;

  if (n != n_items)
    return FALSE;

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), items[i]) != 0)
      return FALSE;

  return TRUE;
}

static gboolean
valid_due (const char *due)
{
  int year, month, day;
  char trailing;
  g_autoptr(GDateTime) date = NULL;

  if (sscanf (due, "%4d-%2d-%2d%c", &year, &month, &day, &trailing) != 3)
    return FALSE;

  date = g_date_time_new_utc (year, month, day, 0, 0, 0);
  return date != NULL && strlen (due) == 10;
}

static char *
get_description (TackCardEditor *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->description_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/**
 * tack_card_editor_save:
 *
 * Sends what changed, if anything, and closes the editor.
 *
 * Returns: %FALSE if a field holds something the server would refuse
 */
gboolean
tack_card_editor_save (TackCardEditor *self)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonArray) labels = NULL;
  g_autoptr(JsonArray) assignees = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;
  g_autofree char *due = NULL;
  g_autofree char *op = NULL;
  const char *old_due;

  g_return_val_if_fail (TACK_IS_CARD_EDITOR (self), FALSE);

  title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->title_row))));
  due = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->due_row))));
  description = get_description (self);
  labels = split_list (gtk_editable_get_text (GTK_EDITABLE (self->labels_row)));
  assignees = split_list (gtk_editable_get_text (GTK_EDITABLE (self->assignees_row)));

  if (title[0] == '\0')
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->title_row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->title_row));
      return FALSE;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->title_row), "error");

  if (due[0] != '\0' && !valid_due (due))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->due_row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->due_row));
      return FALSE;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->due_row), "error");

  if (g_strcmp0 (title, tack_card_get_title (self->card)) != 0)
    json_object_set_string_member (fields, "title", title);

  if (g_strcmp0 (description, tack_card_get_description (self->card) ?: "") != 0)
    json_object_set_string_member (fields, "description", description);

  if (!same_list (labels, tack_card_get_labels (self->card)))
    json_object_set_array_member (fields, "labels", g_steal_pointer (&labels));

  if (!same_list (assignees, tack_card_get_assignees (self->card)))
    json_object_set_array_member (fields, "assignees", g_steal_pointer (&assignees));

  old_due = tack_card_get_due (self->card);
  if (g_strcmp0 (due, old_due ?: "") != 0)
    {
      if (due[0] == '\0')
        json_object_set_null_member (fields, "due");
      else
        json_object_set_string_member (fields, "due", due);
    }

  if (json_object_get_size (fields) > 0)
    {
      op = tack_outbox_edit_card (tack_session_get_outbox (self->session),
                                  tack_card_get_id (self->card), fields, &error);
      if (op == NULL)
        g_warning ("Cannot queue the edit: %s", error->message);
    }

  gtk_window_close (GTK_WINDOW (self));

  return TRUE;
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  tack_card_editor_save (TACK_CARD_EDITOR (widget));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TackCardEditor *self = TACK_CARD_EDITOR (widget);
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.delete-card", "s",
                                tack_card_get_id (self->card));

  gtk_window_close (GTK_WINDOW (self));
}

static void
load_card (TackCardEditor *self)
{
  g_autofree char *labels = join_list (tack_card_get_labels (self->card));
  g_autofree char *assignees = join_list (tack_card_get_assignees (self->card));
  const char *description = tack_card_get_description (self->card);
  const char *due = tack_card_get_due (self->card);

  gtk_editable_set_text (GTK_EDITABLE (self->title_row), tack_card_get_title (self->card));
  gtk_editable_set_text (GTK_EDITABLE (self->labels_row), labels);
  gtk_editable_set_text (GTK_EDITABLE (self->assignees_row), assignees);
  gtk_editable_set_text (GTK_EDITABLE (self->due_row), due ? due : "");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->description_view),
                            description ? description : "", -1);
}

static void
tack_card_editor_constructed (GObject *object)
{
  TackCardEditor *self = (TackCardEditor *)object;

  G_OBJECT_CLASS (tack_card_editor_parent_class)->constructed (object);

  g_assert (TACK_IS_SESSION (self->session));
  g_assert (TACK_IS_CARD (self->card));

  load_card (self);
  tack_connection_set_editing (tack_session_get_connection (self->session),
                               tack_card_get_id (self->card));
}

static gboolean
tack_card_editor_close_request (GtkWindow *window)
{
  TackCardEditor *self = TACK_CARD_EDITOR (window);

  if (self->session != NULL)
    tack_connection_set_viewing (tack_session_get_connection (self->session));

  return GTK_WINDOW_CLASS (tack_card_editor_parent_class)->close_request (window);
}

static void
tack_card_editor_dispose (GObject *object)
{
  TackCardEditor *self = (TackCardEditor *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), TACK_TYPE_CARD_EDITOR);

  g_clear_object (&self->session);
  g_clear_object (&self->card);

  G_OBJECT_CLASS (tack_card_editor_parent_class)->dispose (object);
}

static void
tack_card_editor_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TackCardEditor *self = TACK_CARD_EDITOR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_CARD:
      g_value_set_object (value, self->card);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_card_editor_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TackCardEditor *self = TACK_CARD_EDITOR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;

    case PROP_CARD:
      self->card = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_card_editor_class_init (TackCardEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  GParamFlags construct = (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  object_class->constructed = tack_card_editor_constructed;
  object_class->dispose = tack_card_editor_dispose;
  object_class->get_property = tack_card_editor_get_property;
  object_class->set_property = tack_card_editor_set_property;
  window_class->close_request = tack_card_editor_close_request;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, TACK_TYPE_SESSION, construct);
  /**
   * TackCardEditor:card:
   *
   * The card edited; the header shows its live title.
   */
  properties[PROP_CARD] =
    g_param_spec_object ("card", NULL, NULL, TACK_TYPE_CARD, construct);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TACK_TYPE_CARD);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tackboard/Tack/tack-card-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, TackCardEditor, title_row);
  gtk_widget_class_bind_template_child (widget_class, TackCardEditor, labels_row);
  gtk_widget_class_bind_template_child (widget_class, TackCardEditor, assignees_row);
  gtk_widget_class_bind_template_child (widget_class, TackCardEditor, due_row);
  gtk_widget_class_bind_template_child (widget_class, TackCardEditor, description_view);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "editor.delete", NULL, delete_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
}

static void
tack_card_editor_init (TackCardEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

TackCardEditor *
tack_card_editor_new (TackSession *session,
                      TackCard    *card)
{
  g_return_val_if_fail (TACK_IS_SESSION (session), NULL);
  g_return_val_if_fail (TACK_IS_CARD (card), NULL);

  return g_object_new (TACK_TYPE_CARD_EDITOR,
                       "session", session,
                       "card", card,
                       NULL);
}

/**
 * tack_card_editor_get_card:
 *
 * Returns: (transfer none): the card edited
 */
TackCard *
tack_card_editor_get_card (TackCardEditor *self)
{
  g_return_val_if_fail (TACK_IS_CARD_EDITOR (self), NULL);

  return self->card;
}
