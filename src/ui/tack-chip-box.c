/* tack-chip-box.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Shows a list of strings, such as a card's labels or assignees, as small
 * pills that wrap onto new lines, or as a row of overlapping avatars. The
 * `items` property is the whole input; the chips are its children, laid
 * out by the box itself (a GtkFlowBox would add a child widget per chip,
 * and a card row is built some 200 times per column). */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include "tack-avatar.h"
#include "tack-char-width.h"
#include "tack-chip-box.h"

struct _TackChipBox
{
  GtkWidget   parent_instance;

  char      **items;
  gboolean    avatars;

  TackCharWidth char_width;
};

/* Between pills, across and down; avatars overlap like a stack of faces. */
#define SPACING 4
#define AVATAR_OVERLAP 4

/* The widest a pill gets, in average characters, its padding included;
 * a longer label is ellipsized. The box applies it rather than each
 * label's max-width-chars, for which GTK 4.8 asks Pango for the font's
 * metrics (shaping a sample text) on every size request of every pill. */
#define MAX_PILL_CHARS 26

G_DEFINE_FINAL_TYPE (TackChipBox, tack_chip_box, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ITEMS,
  PROP_AVATARS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_chip_text (TackChipBox *self,
               GtkWidget   *chip,
               const char  *text)
{
  if (self->avatars)
    {
      tack_avatar_set_text (TACK_AVATAR (chip), text);
      gtk_widget_set_tooltip_text (chip, text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (chip),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                      -1);
    }
  else
    gtk_label_set_label (GTK_LABEL (chip), text);
}

static GtkWidget *
create_chip (TackChipBox *self,
             const char  *text)
{
  GtkWidget *chip;

  g_assert (TACK_IS_CHIP_BOX (self));

  if (self->avatars)
    chip = tack_avatar_new (24, NULL);
  else
    {
      chip = gtk_label_new (NULL);
      gtk_label_set_ellipsize (GTK_LABEL (chip), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (chip, "chip");
    }
  set_chip_text (self, chip, text);

  return chip;
}

static void
remove_chips (TackChipBox *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
}

/* A row in a list view is bound to one card after another, so the chips
 * the box has are given the new texts rather than made again, and the
 * ones the new card does not need are hidden, not destroyed: the next
 * card may have more labels, and making a label (and its style) costs
 * far more than showing it again. Hidden chips are at the end. */
static void
tack_chip_box_sync (TackChipBox *self)
{
  GtkWidget *chip;
  guint n_items;
  guint i = 0;

  g_assert (TACK_IS_CHIP_BOX (self));

  n_items = self->items != NULL ? g_strv_length (self->items) : 0;

  chip = gtk_widget_get_first_child (GTK_WIDGET (self));
  while (chip != NULL && i < n_items)
    {
      set_chip_text (self, chip, self->items[i++]);
      gtk_widget_set_visible (chip, TRUE);
      chip = gtk_widget_get_next_sibling (chip);
    }

  for (; chip != NULL; chip = gtk_widget_get_next_sibling (chip))
    gtk_widget_set_visible (chip, FALSE);

  for (; i < n_items; i++)
    gtk_widget_insert_before (create_chip (self, self->items[i]), GTK_WIDGET (self), NULL);

  /* An empty box takes no room, so a card without labels has no gap. */
  gtk_widget_set_visible (GTK_WIDGET (self), n_items > 0);
}

/* How wide @chip would be: its natural width, no wider than a pill may
 * be (MAX_PILL_CHARS) nor than @width (-1: unbounded). Its minimum width
 * goes in @minimum, if not %NULL. */
static int
chip_width (TackChipBox *self,
            GtkWidget   *chip,
            int          width,
            int         *minimum)
{
  int natural;

  gtk_widget_measure (chip, GTK_ORIENTATION_HORIZONTAL, -1, minimum, &natural, NULL, NULL);
  if (self->avatars)
    return natural;

  natural = MIN (natural, MAX_PILL_CHARS * tack_char_width_get (&self->char_width, GTK_WIDGET (self)));
  return width >= 0 ? MIN (natural, width) : natural;
}

/* Layout. Pills go along the line in reading order and wrap when the
 * next one does not fit; avatars stay on one line. Returns the height at
 * @width (-1: unbounded), and gives the chips their places if @allocate. */
static int
lay_out (TackChipBox *self,
         int          width,
         gboolean     allocate)
{
  gboolean rtl = gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL;
  GtkWidget *line_start = gtk_widget_get_first_child (GTK_WIDGET (self));
  int y = 0;

  while (line_start != NULL)
    {
      GtkWidget *chip;
      GtkWidget *line_end = NULL;
      int line_height = 0;
      int x = 0;

      /* Find the line: as many chips as fit, at least one. */
      for (chip = line_start; chip != NULL; chip = gtk_widget_get_next_sibling (chip))
        {
          int w, chip_height;

          if (!gtk_widget_should_layout (chip))
            continue;

          w = chip_width (self, chip, width, NULL);
          if (!self->avatars && width >= 0 && x > 0 && x + w > width)
            break;

          gtk_widget_measure (chip, GTK_ORIENTATION_VERTICAL, w, NULL, &chip_height, NULL, NULL);
          line_height = MAX (line_height, chip_height);
          x += w + (self->avatars ? -AVATAR_OVERLAP : SPACING);
          line_end = gtk_widget_get_next_sibling (chip);
        }

      if (allocate)
        {
          x = 0;
          for (chip = line_start; chip != line_end; chip = gtk_widget_get_next_sibling (chip))
            {
              int w;

              if (!gtk_widget_should_layout (chip))
                continue;

              w = chip_width (self, chip, width, NULL);
              gtk_widget_size_allocate (chip,
                                        &(GtkAllocation) { rtl ? width - x - w : x, y, w, line_height },
                                        -1);
              x += w + (self->avatars ? -AVATAR_OVERLAP : SPACING);
            }
        }

      if (line_height > 0)
        y += (y > 0 ? SPACING : 0) + line_height;
      line_start = line_end;
    }

  return y;
}

static GtkSizeRequestMode
tack_chip_box_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
tack_chip_box_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  TackChipBox *self = TACK_CHIP_BOX (widget);

  if (orientation == GTK_ORIENTATION_VERTICAL)
    {
      *minimum = *natural = lay_out (self, for_size, FALSE);
      return;
    }

  /* Across: pills can go one a line, avatars cannot. */
  *minimum = *natural = 0;
  for (GtkWidget *chip = gtk_widget_get_first_child (widget);
       chip != NULL;
       chip = gtk_widget_get_next_sibling (chip))
    {
      int chip_min, chip_nat;
      int step = *natural > 0 ? (self->avatars ? -AVATAR_OVERLAP : SPACING) : 0;

      if (!gtk_widget_should_layout (chip))
        continue;

      chip_nat = chip_width (self, chip, -1, &chip_min);
      *natural += step + chip_nat;
      *minimum = self->avatars ? *minimum + step + chip_min : MAX (*minimum, chip_min);
    }
}

static void
tack_chip_box_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  lay_out (TACK_CHIP_BOX (widget), width, TRUE);
}

static void
tack_chip_box_dispose (GObject *object)
{
  TackChipBox *self = (TackChipBox *)object;

  remove_chips (self);

  G_OBJECT_CLASS (tack_chip_box_parent_class)->dispose (object);
}

static void
tack_chip_box_finalize (GObject *object)
{
  TackChipBox *self = (TackChipBox *)object;

  g_clear_pointer (&self->items, g_strfreev);

  G_OBJECT_CLASS (tack_chip_box_parent_class)->finalize (object);
}

static void
tack_chip_box_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TackChipBox *self = TACK_CHIP_BOX (object);

  switch (prop_id)
    {
    case PROP_ITEMS:
      g_value_set_boxed (value, self->items);
      break;

    case PROP_AVATARS:
      g_value_set_boolean (value, self->avatars);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_chip_box_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TackChipBox *self = TACK_CHIP_BOX (object);

  switch (prop_id)
    {
    case PROP_ITEMS:
      tack_chip_box_set_items (self, g_value_get_boxed (value));
      break;

    case PROP_AVATARS:
      tack_chip_box_set_avatars (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_chip_box_class_init (TackChipBoxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tack_chip_box_dispose;
  object_class->finalize = tack_chip_box_finalize;
  object_class->get_property = tack_chip_box_get_property;
  object_class->set_property = tack_chip_box_set_property;

  /**
   * TackChipBox:items:
   *
   * The strings to show, one chip each.
   */
  properties[PROP_ITEMS] =
    g_param_spec_boxed ("items", NULL, NULL,
                        G_TYPE_STRV,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TackChipBox:avatars:
   *
   * Whether the items are people, shown as avatars with their initials.
   */
  properties[PROP_AVATARS] =
    g_param_spec_boolean ("avatars", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  widget_class->get_request_mode = tack_chip_box_get_request_mode;
  widget_class->measure = tack_chip_box_measure;
  widget_class->size_allocate = tack_chip_box_size_allocate;
  gtk_widget_class_set_css_name (widget_class, "chipbox");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tack_chip_box_init (TackChipBox *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
tack_chip_box_new (void)
{
  return g_object_new (TACK_TYPE_CHIP_BOX, NULL);
}

/**
 * tack_chip_box_get_items:
 *
 * Returns: (transfer none) (nullable): the strings shown
 */
const char * const *
tack_chip_box_get_items (TackChipBox *self)
{
  g_return_val_if_fail (TACK_IS_CHIP_BOX (self), NULL);

  return (const char * const *)self->items;
}

void
tack_chip_box_set_items (TackChipBox        *self,
                         const char * const *items)
{
  g_return_if_fail (TACK_IS_CHIP_BOX (self));

  if (self->items == NULL && items == NULL)
    return;
  if (self->items != NULL && items != NULL &&
      g_strv_equal ((const char * const *)self->items, items))
    return;

  g_clear_pointer (&self->items, g_strfreev);
  self->items = g_strdupv ((char **)items);
  tack_chip_box_sync (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEMS]);
}

gboolean
tack_chip_box_get_avatars (TackChipBox *self)
{
  g_return_val_if_fail (TACK_IS_CHIP_BOX (self), FALSE);

  return self->avatars;
}

void
tack_chip_box_set_avatars (TackChipBox *self,
                           gboolean     avatars)
{
  g_return_if_fail (TACK_IS_CHIP_BOX (self));

  avatars = !!avatars;
  if (self->avatars == avatars)
    return;

  self->avatars = avatars;
  if (avatars)
    gtk_widget_add_css_class (GTK_WIDGET (self), "avatars");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "avatars");
  /* Avatars and labels are different widgets: none can be reused. */
  remove_chips (self);
  tack_chip_box_sync (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVATARS]);
}
