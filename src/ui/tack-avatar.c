/* tack-avatar.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A person's initials in a coloured circle, as on a card's assignees.
 *
 * It looks like AdwAvatar without an image (libadwaita's stylesheet draws
 * the `avatar.colorN` circle and picks the text colour) but is one widget
 * that draws its own text: AdwAvatar is a small tree of widgets (a gizmo,
 * a label, an image), and a column of 10,000 cards builds some 200 rows,
 * many with an avatar or two, before its first frame.
 */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include <string.h>

#include "tack-avatar.h"

/* The colours libadwaita's stylesheet has for avatars. */
#define N_COLORS 14

struct _TackAvatar
{
  GtkWidget    parent_instance;

  int          size;
  char        *text;
  char        *initials;
  char        *color_class;
  PangoLayout *layout;
};

G_DEFINE_FINAL_TYPE (TackAvatar, tack_avatar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The first letters of the first and last words, in capitals: "Ada
 * Lovelace" is AL, "grace" is G. */
static char *
extract_initials (const char *text)
{
  g_autofree char *normalized = NULL;
  g_autoptr(GString) initials = g_string_new (NULL);
  const char *last_space;
  gunichar c;

  if (text == NULL)
    return g_strdup ("");

  normalized = g_utf8_normalize (text, -1, G_NORMALIZE_DEFAULT_COMPOSE);
  if (normalized == NULL)
    return g_strdup ("");
  g_strstrip (normalized);
  if (normalized[0] == '\0')
    return g_strdup ("");

  c = g_unichar_toupper (g_utf8_get_char (normalized));
  g_string_append_unichar (initials, c);

  last_space = strrchr (normalized, ' ');
  if (last_space != NULL && last_space[1] != '\0')
    {
      c = g_unichar_toupper (g_utf8_get_char (last_space + 1));
      g_string_append_unichar (initials, c);
    }

  return g_string_free (g_steal_pointer (&initials), FALSE);
}

static void
update_layout_font (TackAvatar *self)
{
  PangoAttrList *attrs = pango_attr_list_new ();

  /* Two capitals fit a circle at about 40 % of its size. */
  pango_attr_list_insert (attrs, pango_attr_size_new_absolute (self->size * 0.4 * PANGO_SCALE));
  pango_layout_set_attributes (self->layout, attrs);
  pango_attr_list_unref (attrs);
}

static void
tack_avatar_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  TackAvatar *self = TACK_AVATAR (widget);

  *minimum = *natural = self->size;
}

static void
tack_avatar_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  TackAvatar *self = TACK_AVATAR (widget);
  GtkStyleContext *style = gtk_widget_get_style_context (widget);
  PangoRectangle ink;
  GdkRGBA color;

  /* The circle is the CSS background, drawn by GTK already. */
  if (self->initials[0] == '\0')
    return;

  if (self->layout == NULL)
    {
      self->layout = gtk_widget_create_pango_layout (widget, self->initials);
      update_layout_font (self);
    }

  /* Centred by what the letters cover, not by the line's height. */
  pango_layout_get_pixel_extents (self->layout, &ink, NULL);
  gtk_style_context_get_color (style, &color);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT ((gtk_widget_get_width (widget) - ink.width) / 2.0f - ink.x,
                                                (gtk_widget_get_height (widget) - ink.height) / 2.0f - ink.y));
  gtk_snapshot_append_layout (snapshot, self->layout, &color);
  gtk_snapshot_restore (snapshot);
}

static void
tack_avatar_finalize (GObject *object)
{
  TackAvatar *self = (TackAvatar *)object;

  g_clear_object (&self->layout);
  g_free (self->text);
  g_free (self->initials);
  g_free (self->color_class);

  G_OBJECT_CLASS (tack_avatar_parent_class)->finalize (object);
}

static void
tack_avatar_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TackAvatar *self = TACK_AVATAR (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_avatar_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  TackAvatar *self = TACK_AVATAR (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      tack_avatar_set_text (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_avatar_class_init (TackAvatarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = tack_avatar_finalize;
  object_class->get_property = tack_avatar_get_property;
  object_class->set_property = tack_avatar_set_property;

  widget_class->measure = tack_avatar_measure;
  widget_class->snapshot = tack_avatar_snapshot;

  /**
   * TackAvatar:text:
   *
   * The person's name: the initials and the colour come from it, and it
   * is what a screen reader says.
   */
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "avatar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
tack_avatar_init (TackAvatar *self)
{
  self->initials = g_strdup ("");
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
tack_avatar_new (int         size,
                 const char *text)
{
  TackAvatar *self;

  g_return_val_if_fail (size > 0, NULL);

  self = g_object_new (TACK_TYPE_AVATAR, NULL);
  self->size = size;
  tack_avatar_set_text (self, text);

  return GTK_WIDGET (self);
}

const char *
tack_avatar_get_text (TackAvatar *self)
{
  g_return_val_if_fail (TACK_IS_AVATAR (self), NULL);

  return self->text;
}

const char *
tack_avatar_get_initials (TackAvatar *self)
{
  g_return_val_if_fail (TACK_IS_AVATAR (self), NULL);

  return self->initials;
}

void
tack_avatar_set_text (TackAvatar *self,
                      const char *text)
{
  g_autofree char *color_class = NULL;

  g_return_if_fail (TACK_IS_AVATAR (self));

  if (g_strcmp0 (self->text, text) == 0)
    return;

  g_free (self->text);
  self->text = g_strdup (text);
  g_free (self->initials);
  self->initials = extract_initials (text);
  if (self->layout != NULL)
    pango_layout_set_text (self->layout, self->initials, -1);

  /* The same name always gets the same colour. */
  color_class = g_strdup_printf ("color%u", text != NULL && text[0] != '\0' ? g_str_hash (text) % N_COLORS + 1 : 1);
  if (g_strcmp0 (color_class, self->color_class) != 0)
    {
      if (self->color_class != NULL)
        gtk_widget_remove_css_class (GTK_WIDGET (self), self->color_class);
      gtk_widget_add_css_class (GTK_WIDGET (self), color_class);
      g_free (self->color_class);
      self->color_class = g_steal_pointer (&color_class);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text != NULL ? text : "",
                                  -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}
