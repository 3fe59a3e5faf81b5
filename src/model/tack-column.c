/* tack-column.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A column of the board. It owns the ordered list of its cards, which is
 * what a column's list widget shows; the store moves cards in and out. */

#define G_LOG_DOMAIN "tack-model"

#include "config.h"

#include "tack-card-private.h"
#include "tack-column-private.h"
#include "tack-model-enums.h"

struct _TackColumn
{
  GObject          parent_instance;

  char            *id;
  char            *board_id;
  char            *title;
  char            *position;
  guint            wip_limit;
  gint64           version;
  TackEntryState   state;
  TackOrderedList *cards;
  gboolean         over_limit;
  gboolean         pending;
};

G_DEFINE_FINAL_TYPE (TackColumn, tack_column, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_BOARD_ID,
  PROP_TITLE,
  PROP_POSITION,
  PROP_WIP_LIMIT,
  PROP_VERSION,
  PROP_STATE,
  PROP_CARDS,
  PROP_N_CARDS,
  PROP_OVER_LIMIT,
  PROP_PENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_over_limit (TackColumn *self)
{
  gboolean over = self->wip_limit > 0 &&
                  tack_ordered_list_get_size (self->cards) > self->wip_limit;

  if (over == self->over_limit)
    return;

  self->over_limit = over;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVER_LIMIT]);
}

static void
on_n_items_changed (gpointer user_data)
{
  TackColumn *self = user_data;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CARDS]);
  update_over_limit (self);
}

static void
tack_column_dispose (GObject *object)
{
  TackColumn *self = (TackColumn *)object;

  if (self->cards != NULL)
    tack_ordered_list_set_size_func (self->cards, NULL, NULL);
  g_clear_object (&self->cards);

  G_OBJECT_CLASS (tack_column_parent_class)->dispose (object);
}

static void
tack_column_finalize (GObject *object)
{
  TackColumn *self = (TackColumn *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->board_id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->position, g_free);

  G_OBJECT_CLASS (tack_column_parent_class)->finalize (object);
}

static void
tack_column_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TackColumn *self = TACK_COLUMN (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_BOARD_ID:
      g_value_set_string (value, self->board_id);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_POSITION:
      g_value_set_string (value, self->position);
      break;

    case PROP_WIP_LIMIT:
      g_value_set_uint (value, self->wip_limit);
      break;

    case PROP_VERSION:
      g_value_set_int64 (value, self->version);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_CARDS:
      g_value_set_object (value, self->cards);
      break;

    case PROP_N_CARDS:
      g_value_set_uint (value, tack_ordered_list_get_size (self->cards));
      break;

    case PROP_OVER_LIMIT:
      g_value_set_boolean (value, self->over_limit);
      break;

    case PROP_PENDING:
      g_value_set_boolean (value, self->pending);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_column_class_init (TackColumnClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tack_column_dispose;
  object_class->finalize = tack_column_finalize;
  object_class->get_property = tack_column_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_BOARD_ID] = g_param_spec_string ("board-id", NULL, NULL, NULL, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_POSITION] = g_param_spec_string ("position", NULL, NULL, NULL, flags);
  properties[PROP_WIP_LIMIT] = g_param_spec_uint ("wip-limit", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_VERSION] = g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL,
                                              TACK_TYPE_ENTRY_STATE, TACK_ENTRY_FRESH, flags);
  properties[PROP_CARDS] = g_param_spec_object ("cards", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  properties[PROP_N_CARDS] = g_param_spec_uint ("n-cards", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_OVER_LIMIT] = g_param_spec_boolean ("over-limit", NULL, NULL, FALSE, flags);

  /**
   * TackColumn:pending:
   *
   * This client changed the column and the server has not confirmed it yet.
   */
  properties[PROP_PENDING] = g_param_spec_boolean ("pending", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tack_column_init (TackColumn *self)
{
  self->title = g_strdup ("");
  self->position = g_strdup ("");
  self->cards = tack_ordered_list_new (TACK_TYPE_CARD, tack_card_key_func);
  tack_ordered_list_set_size_func (self->cards, on_n_items_changed, self);
}

TackColumn *
tack_column_new (const char *id)
{
  TackColumn *self;

  g_return_val_if_fail (id != NULL, NULL);

  self = g_object_new (TACK_TYPE_COLUMN, NULL);
  self->id = g_strdup (id);

  return self;
}

static void
set_string (TackColumn  *self,
            char       **field,
            const char  *value,
            guint        prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
tack_column_set_id (TackColumn *self,
                    const char *id)
{
  g_return_if_fail (TACK_IS_COLUMN (self));
  g_return_if_fail (id != NULL);

  set_string (self, &self->id, id, PROP_ID);
}

void
tack_column_apply_value (TackColumn            *self,
                         const TackColumnValue *value)
{
  g_return_if_fail (TACK_IS_COLUMN (self));
  g_return_if_fail (value != NULL);

  g_object_freeze_notify (G_OBJECT (self));

  set_string (self, &self->board_id, value->board, PROP_BOARD_ID);
  set_string (self, &self->title, value->title, PROP_TITLE);
  set_string (self, &self->position, value->position, PROP_POSITION);

  if (self->wip_limit != value->wip_limit)
    {
      self->wip_limit = value->wip_limit;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WIP_LIMIT]);
      update_over_limit (self);
    }

  if (self->version != value->version)
    {
      self->version = value->version;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERSION]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

void
tack_column_set_state (TackColumn     *self,
                       TackEntryState  state)
{
  g_return_if_fail (TACK_IS_COLUMN (self));

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
tack_column_set_pending (TackColumn *self,
                         gboolean    pending)
{
  g_return_if_fail (TACK_IS_COLUMN (self));

  pending = !!pending;
  if (self->pending == pending)
    return;

  self->pending = pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}

TackOrderedList *
tack_column_get_card_list (TackColumn *self)
{
  g_return_val_if_fail (TACK_IS_COLUMN (self), NULL);

  return self->cards;
}

void
tack_column_key_func (gpointer     item,
                      const char **position,
                      const char **id)
{
  TackColumn *self = item;

  *position = self->position;
  *id = self->id;
}

/**
 * tack_column_get_cards:
 *
 * Returns: (transfer none): the column's cards, ordered by (position, id)
 */
GListModel *
tack_column_get_cards (TackColumn *self)
{
  g_return_val_if_fail (TACK_IS_COLUMN (self), NULL);

  return G_LIST_MODEL (self->cards);
}

guint
tack_column_get_n_cards (TackColumn *self)
{
  g_return_val_if_fail (TACK_IS_COLUMN (self), 0);

  return tack_ordered_list_get_size (self->cards);
}

const char *
tack_column_get_id (TackColumn *self)
{
  g_return_val_if_fail (TACK_IS_COLUMN (self), NULL);
  return self->id;
}

const char *
tack_column_get_board_id (TackColumn *self)
{
  g_return_val_if_fail (TACK_IS_COLUMN (self), NULL);
  return self->board_id;
}

const char *
tack_column_get_title (TackColumn *self)
{
  g_return_val_if_fail (TACK_IS_COLUMN (self), NULL);
  return self->title;
}

const char *
tack_column_get_position (TackColumn *self)
{
  g_return_val_if_fail (TACK_IS_COLUMN (self), NULL);
  return self->position;
}

guint
tack_column_get_wip_limit (TackColumn *self)
{
  g_return_val_if_fail (TACK_IS_COLUMN (self), 0);
  return self->wip_limit;
}

gint64
tack_column_get_version (TackColumn *self)
{
  g_return_val_if_fail (TACK_IS_COLUMN (self), 0);
  return self->version;
}

TackEntryState
tack_column_get_state (TackColumn *self)
{
  g_return_val_if_fail (TACK_IS_COLUMN (self), TACK_ENTRY_FRESH);
  return self->state;
}

gboolean
tack_column_get_over_limit (TackColumn *self)
{
  g_return_val_if_fail (TACK_IS_COLUMN (self), FALSE);
  return self->over_limit;
}

gboolean
tack_column_get_pending (TackColumn *self)
{
  g_return_val_if_fail (TACK_IS_COLUMN (self), FALSE);
  return self->pending;
}
