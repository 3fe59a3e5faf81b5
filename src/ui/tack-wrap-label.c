/* tack-wrap-label.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A label that wraps its text to the width it is given, for the title and
 * description of a card.
 *
 * GtkLabel, asked how tall it is at a width, first works out how wide it
 * could be: it lays its text out unwrapped and again at width 0 (one
 * line per word, or per character), then once more at the width asked
 * for, and shapes the text each time. A list view that binds rows to new
 * cards as it scrolls pays for those three layouts for every title that
 * comes into view. This label lays its text out once per text and width:
 * it keeps one PangoLayout, asks for no width of its own beyond a guess
 * from the font, and answers a height from the layout it will draw.
 */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include "tack-char-width.h"
#include "tack-wrap-label.h"

/* What the label asks for across, in average characters: a guess, since
 * it takes whatever width its parent gives it. */
#define NAT_WIDTH_CHARS 30

struct _TackWrapLabel
{
  GtkWidget    parent_instance;

  char        *label;
  int          lines;

  /* Laid out, when layout_valid, at layout_width (-1: unwrapped) for
   * the context at layout_serial; its height then. The layout is made
   * from the widget's own PangoContext, which GTK keeps up to date with
   * its font and direction, bumping the serial. */
  PangoLayout *layout;
  gboolean     layout_valid;
  int          layout_width;
  guint        layout_serial;
  int          layout_height;

  TackCharWidth char_width;
};

G_DEFINE_FINAL_TYPE (TackWrapLabel, tack_wrap_label, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LABEL,
  PROP_LINES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
invalidate_layout (TackWrapLabel *self)
{
  self->layout_valid = FALSE;
}

/* Gives the layout the text it shows at @width pixels (-1: unwrapped).
 *
 * Pango shapes a whole paragraph before it breaks it into lines, and
 * puts all that is left into the last line it ellipsizes, so two lines of
 * a 5,000-character description cost twenty times those of a short one
 * (3.5 ms against 0.18 ms here). No line is longer than its width at a
 * quarter of the font's average character width, so with a limit on the
 * lines the text is laid out only that far, and an ellipsis after it:
 * the lines shown are the same. */
static void
set_layout_text (TackWrapLabel *self,
                 int            width)
{
  g_autofree char *prefix = NULL;
  const char *end = self->label;
  int char_width;
  glong max_chars;

  if (self->lines <= 0 || width < 0)
    {
      pango_layout_set_text (self->layout, self->label, -1);
      return;
    }

  char_width = tack_char_width_get (&self->char_width, GTK_WIDGET (self));
  max_chars = (glong) self->lines * (4 * width / MAX (char_width, 1) + 1);
  for (glong n = 0; *end != '\0' && n < max_chars; n++)
    end = g_utf8_next_char (end);

  if (*end == '\0')
    {
      pango_layout_set_text (self->layout, self->label, end - self->label);
      return;
    }

  prefix = g_strdup_printf ("%.*s…", (int) (end - self->label), self->label);
  pango_layout_set_text (self->layout, prefix, -1);
}

/* The layout at @width pixels (-1: unwrapped), made or laid out again
 * only when the text, the width or the font changed. */
static PangoLayout *
ensure_layout (TackWrapLabel *self,
               int            width)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  guint serial = pango_context_get_serial (context);

  if (self->layout == NULL)
    {
      self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
      pango_layout_set_wrap (self->layout, PANGO_WRAP_WORD_CHAR);
    }
  else if (self->layout_valid && self->layout_width == width && self->layout_serial == serial)
    return self->layout;

  set_layout_text (self, width);
  pango_layout_set_width (self->layout, width < 0 ? -1 : width * PANGO_SCALE);
  if (self->lines > 0)
    {
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_height (self->layout, -self->lines);
    }
  else
    {
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_NONE);
      pango_layout_set_height (self->layout, -1);
    }

  pango_layout_get_pixel_size (self->layout, NULL, &self->layout_height);
  self->layout_valid = TRUE;
  self->layout_width = width;
  self->layout_serial = serial;

  return self->layout;
}

static GtkSizeRequestMode
tack_wrap_label_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
tack_wrap_label_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  TackWrapLabel *self = TACK_WRAP_LABEL (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* It wraps anywhere, down to a character a line. */
      *minimum = 0;
      *natural = tack_char_width_get (&self->char_width, widget) * MIN (NAT_WIDTH_CHARS, (int)g_utf8_strlen (self->label, -1));
      return;
    }

  ensure_layout (self, for_size);
  *minimum = *natural = self->layout_height;
}

static void
tack_wrap_label_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  ensure_layout (TACK_WRAP_LABEL (widget), width);
}

static void
tack_wrap_label_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  TackWrapLabel *self = TACK_WRAP_LABEL (widget);
  GtkStyleContext *style = gtk_widget_get_style_context (widget);
  PangoLayout *layout;
  GdkRGBA color;

  if (self->label[0] == '\0')
    return;

  layout = ensure_layout (self, gtk_widget_get_width (widget));
  gtk_style_context_get_color (style, &color);
  gtk_snapshot_append_layout (snapshot, layout, &color);
}

static void
tack_wrap_label_finalize (GObject *object)
{
  TackWrapLabel *self = (TackWrapLabel *)object;

  g_clear_object (&self->layout);
  g_free (self->label);

  G_OBJECT_CLASS (tack_wrap_label_parent_class)->finalize (object);
}

static void
tack_wrap_label_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TackWrapLabel *self = TACK_WRAP_LABEL (object);

  switch (prop_id)
    {
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;

    case PROP_LINES:
      g_value_set_int (value, self->lines);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_wrap_label_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TackWrapLabel *self = TACK_WRAP_LABEL (object);

  switch (prop_id)
    {
    case PROP_LABEL:
      tack_wrap_label_set_label (self, g_value_get_string (value));
      break;

    case PROP_LINES:
      tack_wrap_label_set_lines (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_wrap_label_class_init (TackWrapLabelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = tack_wrap_label_finalize;
  object_class->get_property = tack_wrap_label_get_property;
  object_class->set_property = tack_wrap_label_set_property;

  widget_class->get_request_mode = tack_wrap_label_get_request_mode;
  widget_class->measure = tack_wrap_label_measure;
  widget_class->size_allocate = tack_wrap_label_size_allocate;
  widget_class->snapshot = tack_wrap_label_snapshot;

  /**
   * TackWrapLabel:label:
   *
   * The text, shown as it is (no markup).
   */
  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL,
                         "",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TackWrapLabel:lines:
   *
   * At most this many lines, the last one ellipsized; 0 for as many as
   * the text takes.
   */
  properties[PROP_LINES] =
    g_param_spec_int ("lines", NULL, NULL,
                      0, G_MAXINT, 0,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Styled as a label is. */
  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
tack_wrap_label_init (TackWrapLabel *self)
{
  self->label = g_strdup ("");
}

GtkWidget *
tack_wrap_label_new (const char *label)
{
  return g_object_new (TACK_TYPE_WRAP_LABEL, "label", label ? label : "", NULL);
}

const char *
tack_wrap_label_get_label (TackWrapLabel *self)
{
  g_return_val_if_fail (TACK_IS_WRAP_LABEL (self), NULL);

  return self->label;
}

void
tack_wrap_label_set_label (TackWrapLabel *self,
                           const char    *label)
{
  g_return_if_fail (TACK_IS_WRAP_LABEL (self));

  if (label == NULL)
    label = "";

  if (g_strcmp0 (self->label, label) == 0)
    return;

  g_free (self->label);
  self->label = g_strdup (label);

  invalidate_layout (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->label,
                                  -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
}

/**
 * tack_wrap_label_get_layout:
 *
 * Returns: (transfer none): the layout the label draws, at the width it
 *   was last laid out at; as GtkLabel's, for callers that need to know
 *   where its lines break.
 */
PangoLayout *
tack_wrap_label_get_layout (TackWrapLabel *self)
{
  g_return_val_if_fail (TACK_IS_WRAP_LABEL (self), NULL);

  return ensure_layout (self, self->layout_valid ? self->layout_width : gtk_widget_get_width (GTK_WIDGET (self)));
}

int
tack_wrap_label_get_lines (TackWrapLabel *self)
{
  g_return_val_if_fail (TACK_IS_WRAP_LABEL (self), 0);

  return self->lines;
}

void
tack_wrap_label_set_lines (TackWrapLabel *self,
                           int            lines)
{
  g_return_if_fail (TACK_IS_WRAP_LABEL (self));
  g_return_if_fail (lines >= 0);

  if (self->lines == lines)
    return;

  self->lines = lines;
  invalidate_layout (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINES]);
}
