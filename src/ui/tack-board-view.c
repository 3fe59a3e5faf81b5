/* tack-board-view.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The board: its columns side by side in a horizontal list view over the
 * board's column model. Each item is a TackColumnView bound to one
 * TackColumn; the list view recycles them as columns come and go. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include "tack-board-view.h"
#include "tack-column-view.h"

struct _TackBoardView
{
  GtkWidget  parent_instance;

  TackBoard *board;

  GtkWidget *scroller;
};

G_DEFINE_FINAL_TYPE (TackBoardView, tack_board_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BOARD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tack_board_view_dispose (GObject *object)
{
  TackBoardView *self = (TackBoardView *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), TACK_TYPE_BOARD_VIEW);

  g_clear_object (&self->board);

  G_OBJECT_CLASS (tack_board_view_parent_class)->dispose (object);
}

static void
tack_board_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TackBoardView *self = TACK_BOARD_VIEW (object);

  switch (prop_id)
    {
    case PROP_BOARD:
      g_value_set_object (value, self->board);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_board_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TackBoardView *self = TACK_BOARD_VIEW (object);

  switch (prop_id)
    {
    case PROP_BOARD:
      tack_board_view_set_board (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_board_view_class_init (TackBoardViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tack_board_view_dispose;
  object_class->get_property = tack_board_view_get_property;
  object_class->set_property = tack_board_view_set_property;

  /**
   * TackBoardView:board:
   *
   * The board whose columns are shown.
   */
  properties[PROP_BOARD] =
    g_param_spec_object ("board", NULL, NULL,
                         TACK_TYPE_BOARD,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TACK_TYPE_BOARD);
  g_type_ensure (TACK_TYPE_COLUMN);
  g_type_ensure (TACK_TYPE_COLUMN_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tackboard/Tack/tack-board-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TackBoardView, scroller);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "boardview");
}

static void
tack_board_view_init (TackBoardView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
tack_board_view_new (void)
{
  return g_object_new (TACK_TYPE_BOARD_VIEW, NULL);
}

/**
 * tack_board_view_get_board:
 *
 * Returns: (transfer none) (nullable): the board shown
 */
TackBoard *
tack_board_view_get_board (TackBoardView *self)
{
  g_return_val_if_fail (TACK_IS_BOARD_VIEW (self), NULL);

  return self->board;
}

void
tack_board_view_set_board (TackBoardView *self,
                           TackBoard     *board)
{
  g_return_if_fail (TACK_IS_BOARD_VIEW (self));
  g_return_if_fail (!board || TACK_IS_BOARD (board));

  if (g_set_object (&self->board, board))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOARD]);
}
