/* tack-board.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The board a store holds: its title, version and the seq of the last
 * event reflected in the store, and the ordered list of its columns. */

#define G_LOG_DOMAIN "tack-model"

#include "config.h"

#include "tack-board-private.h"
#include "tack-column-private.h"
#include "tack-model-enums.h"

struct _TackBoard
{
  GObject          parent_instance;

  char            *id;
  char            *title;
  gint64           version;
  gint64           seq;
  TackEntryState   state;
  TackOrderedList *columns;
};

G_DEFINE_FINAL_TYPE (TackBoard, tack_board, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_VERSION,
  PROP_SEQ,
  PROP_STATE,
  PROP_COLUMNS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tack_board_dispose (GObject *object)
{
  TackBoard *self = (TackBoard *)object;

  g_clear_object (&self->columns);

  G_OBJECT_CLASS (tack_board_parent_class)->dispose (object);
}

static void
tack_board_finalize (GObject *object)
{
  TackBoard *self = (TackBoard *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);

  G_OBJECT_CLASS (tack_board_parent_class)->finalize (object);
}

static void
tack_board_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  TackBoard *self = TACK_BOARD (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_VERSION:
      g_value_set_int64 (value, self->version);
      break;

    case PROP_SEQ:
      g_value_set_int64 (value, self->seq);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_COLUMNS:
      g_value_set_object (value, self->columns);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_board_class_init (TackBoardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tack_board_dispose;
  object_class->finalize = tack_board_finalize;
  object_class->get_property = tack_board_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_VERSION] = g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_SEQ] = g_param_spec_int64 ("seq", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL,
                                              TACK_TYPE_ENTRY_STATE, TACK_ENTRY_FRESH, flags);
  properties[PROP_COLUMNS] = g_param_spec_object ("columns", NULL, NULL, G_TYPE_LIST_MODEL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tack_board_init (TackBoard *self)
{
  self->title = g_strdup ("");
  self->columns = tack_ordered_list_new (TACK_TYPE_COLUMN, tack_column_key_func);
}

TackBoard *
tack_board_new (void)
{
  return g_object_new (TACK_TYPE_BOARD, NULL);
}

void
tack_board_apply_value (TackBoard            *self,
                        const TackBoardValue *value)
{
  g_return_if_fail (TACK_IS_BOARD (self));
  g_return_if_fail (value != NULL);

  g_object_freeze_notify (G_OBJECT (self));

  if (g_strcmp0 (self->id, value->id) != 0)
    {
      g_free (self->id);
      self->id = g_strdup (value->id);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
    }

  if (g_strcmp0 (self->title, value->title) != 0)
    {
      g_free (self->title);
      self->title = g_strdup (value->title);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
    }

  if (self->version != value->version)
    {
      self->version = value->version;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERSION]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

/* Forgets which board this is, so the next value may be another board's.
 * The columns must already be gone. */
void
tack_board_reset (TackBoard *self)
{
  g_return_if_fail (TACK_IS_BOARD (self));
  g_return_if_fail (tack_ordered_list_get_size (self->columns) == 0);

  g_object_freeze_notify (G_OBJECT (self));

  if (self->id != NULL)
    {
      g_clear_pointer (&self->id, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
    }

  if (self->version != 0)
    {
      self->version = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERSION]);
    }

  tack_board_set_seq (self, 0);
  tack_board_set_state (self, TACK_ENTRY_FRESH);

  g_object_thaw_notify (G_OBJECT (self));
}

void
tack_board_set_seq (TackBoard *self,
                    gint64     seq)
{
  g_return_if_fail (TACK_IS_BOARD (self));

  if (self->seq == seq)
    return;

  self->seq = seq;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);
}

void
tack_board_set_state (TackBoard      *self,
                      TackEntryState  state)
{
  g_return_if_fail (TACK_IS_BOARD (self));

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

TackOrderedList *
tack_board_get_column_list (TackBoard *self)
{
  g_return_val_if_fail (TACK_IS_BOARD (self), NULL);

  return self->columns;
}

/**
 * tack_board_get_columns:
 *
 * Returns: (transfer none): the board's columns, ordered by (position, id)
 */
GListModel *
tack_board_get_columns (TackBoard *self)
{
  g_return_val_if_fail (TACK_IS_BOARD (self), NULL);

  return G_LIST_MODEL (self->columns);
}

const char *
tack_board_get_id (TackBoard *self)
{
  g_return_val_if_fail (TACK_IS_BOARD (self), NULL);
  return self->id;
}

const char *
tack_board_get_title (TackBoard *self)
{
  g_return_val_if_fail (TACK_IS_BOARD (self), NULL);
  return self->title;
}

gint64
tack_board_get_version (TackBoard *self)
{
  g_return_val_if_fail (TACK_IS_BOARD (self), 0);
  return self->version;
}

gint64
tack_board_get_seq (TackBoard *self)
{
  g_return_val_if_fail (TACK_IS_BOARD (self), 0);
  return self->seq;
}

TackEntryState
tack_board_get_state (TackBoard *self)
{
  g_return_val_if_fail (TACK_IS_BOARD (self), TACK_ENTRY_FRESH);
  return self->state;
}
