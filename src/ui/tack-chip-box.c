/* tack-chip-box.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Shows a list of strings, such as a card's labels or assignees, as small
 * pills (or avatars) that wrap onto new lines. It is bound to its model
 * property like a GtkLabel to a string: the `items` property is the whole
 * input, and the chips are rebuilt from it whenever it changes. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include "tack-avatar.h"
#include "tack-chip-box.h"

struct _TackChipBox
{
  GtkWidget   parent_instance;

  char      **items;
  gboolean    avatars;

  GtkFlowBox *flow_box;
};

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
      gtk_label_set_max_width_chars (GTK_LABEL (chip), 24);
      gtk_widget_add_css_class (chip, "chip");
    }
  set_chip_text (self, chip, text);

  return chip;
}

static void
remove_chips (TackChipBox *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box))))
    gtk_flow_box_remove (self->flow_box, child);
}

/* A row in a list view is bound to one card after another, so the chips
 * the box has are given the new texts rather than made again: only the
 * difference in number is added or removed. */
static void
tack_chip_box_sync (TackChipBox *self)
{
  GtkWidget *flow_child;
  guint n_items;
  guint i = 0;

  g_assert (TACK_IS_CHIP_BOX (self));

  n_items = self->items != NULL ? g_strv_length (self->items) : 0;

  /* People stay on one line; labels wrap. */
  gtk_flow_box_set_min_children_per_line (self->flow_box,
                                          self->avatars ? MAX (n_items, 1) : 1);
  gtk_flow_box_set_max_children_per_line (self->flow_box,
                                          self->avatars ? MAX (n_items, 1) : 32);

  flow_child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box));
  while (flow_child != NULL && i < n_items)
    {
      GtkWidget *chip = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (flow_child));

      set_chip_text (self, chip, self->items[i++]);
      flow_child = gtk_widget_get_next_sibling (flow_child);
    }

  while (flow_child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (flow_child);

      gtk_flow_box_remove (self->flow_box, flow_child);
      flow_child = next;
    }

  for (; i < n_items; i++)
    {
      flow_child = gtk_flow_box_child_new ();
      gtk_widget_set_focusable (flow_child, FALSE);
      gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (flow_child),
                                    create_chip (self, self->items[i]));
      gtk_flow_box_append (self->flow_box, flow_child);
    }

  /* An empty box takes no room, so a card without labels has no gap. */
  gtk_widget_set_visible (GTK_WIDGET (self), n_items > 0);
}

static void
tack_chip_box_dispose (GObject *object)
{
  TackChipBox *self = (TackChipBox *)object;

  if (self->flow_box != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->flow_box));
      self->flow_box = NULL;
    }

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

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chipbox");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tack_chip_box_init (TackChipBox *self)
{
  self->flow_box = GTK_FLOW_BOX (gtk_flow_box_new ());
  gtk_flow_box_set_selection_mode (self->flow_box, GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (self->flow_box, FALSE);
  gtk_flow_box_set_column_spacing (self->flow_box, 4);
  gtk_flow_box_set_row_spacing (self->flow_box, 4);
  gtk_widget_set_focusable (GTK_WIDGET (self->flow_box), FALSE);
  gtk_widget_set_parent (GTK_WIDGET (self->flow_box), GTK_WIDGET (self));

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
