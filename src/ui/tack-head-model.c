/* tack-head-model.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The first items of another list model, at most `limit` of them
 * (G_MAXUINT: all). A column shows its cards through one so that its list
 * view builds only the rows a screen can show before its first frame (see
 * TackColumnView).
 *
 * GtkSliceListModel would do, but GTK 4.8's reports an item entering or
 * leaving as every item after it replaced, and a list view rebinds every
 * row it is told was replaced: a live move would rebind the rest of the
 * column's rows. Unlimited, this model passes every change on exactly as
 * it came. Limited (a column not drawn yet), a change inside the head is
 * passed on as it came, then the end of the head is trimmed or filled up
 * to the limit; only a change larger than the head itself, such as a
 * board loading, is reported as the rest of the head replaced. Raising
 * the limit adds the newly shown items at the end. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include "tack-head-model.h"

struct _TackHeadModel
{
  GObject     parent_instance;

  GListModel *model;
  guint       limit;
  guint       n_items;    /* shown: MIN (the model's, limit) */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TackHeadModel, tack_head_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_MODEL,
  PROP_LIMIT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
tack_head_model_get_item_type (GListModel *list)
{
  TackHeadModel *self = TACK_HEAD_MODEL (list);

  return g_list_model_get_item_type (self->model);
}

static guint
tack_head_model_get_n_items (GListModel *list)
{
  return TACK_HEAD_MODEL (list)->n_items;
}

static gpointer
tack_head_model_get_item (GListModel *list,
                          guint       position)
{
  TackHeadModel *self = TACK_HEAD_MODEL (list);

  if (position >= self->n_items)
    return NULL;

  return g_list_model_get_item (self->model, position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = tack_head_model_get_item_type;
  iface->get_n_items = tack_head_model_get_n_items;
  iface->get_item = tack_head_model_get_item;
}

static void
model_items_changed_cb (GListModel    *model,
                        guint          position,
                        guint          removed,
                        guint          added,
                        TackHeadModel *self)
{
  guint n_before = self->n_items;
  guint n_after = MIN (g_list_model_get_n_items (model), self->limit);

  self->n_items = n_after;

  if (self->limit == G_MAXUINT)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
      return;
    }

  /* Below what is shown: nothing shown moved. */
  if (position >= n_before && position >= n_after)
    return;

  /* Items replaced in place stay where they were. */
  if (removed == added)
    {
      guint changed = MIN (removed, n_after - position);

      if (changed > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), position, changed, changed);
      return;
    }

  /* The items after a change inside the head moved with it: say so
   * exactly, showing for a moment what then stands beyond the limit (or
   * short of it), then trim or fill the end. What is shown is the start
   * of the model at every step. */
  if (position + removed <= n_before && added <= self->limit)
    {
      guint n_middle = n_before - removed + added;

      self->n_items = n_middle;
      g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);

      self->n_items = n_after;
      if (n_middle > n_after)
        g_list_model_items_changed (G_LIST_MODEL (self), n_after, n_middle - n_after, 0);
      else if (n_middle < n_after)
        g_list_model_items_changed (G_LIST_MODEL (self), n_middle, 0, n_after - n_middle);
      return;
    }

  g_list_model_items_changed (G_LIST_MODEL (self), position, n_before - position, n_after - position);
}

static void
tack_head_model_set_model (TackHeadModel *self,
                           GListModel    *model)
{
  g_assert (self->model == NULL);

  self->model = g_object_ref (model);
  self->n_items = MIN (g_list_model_get_n_items (model), self->limit);
  g_signal_connect_object (model, "items-changed", G_CALLBACK (model_items_changed_cb), self, 0);
}

static void
tack_head_model_dispose (GObject *object)
{
  TackHeadModel *self = (TackHeadModel *)object;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, model_items_changed_cb, self);
  g_clear_object (&self->model);
  self->n_items = 0;

  G_OBJECT_CLASS (tack_head_model_parent_class)->dispose (object);
}

static void
tack_head_model_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TackHeadModel *self = TACK_HEAD_MODEL (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    case PROP_LIMIT:
      g_value_set_uint (value, self->limit);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_head_model_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TackHeadModel *self = TACK_HEAD_MODEL (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      tack_head_model_set_model (self, g_value_get_object (value));
      break;

    case PROP_LIMIT:
      tack_head_model_set_limit (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_head_model_class_init (TackHeadModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tack_head_model_dispose;
  object_class->get_property = tack_head_model_get_property;
  object_class->set_property = tack_head_model_set_property;

  /**
   * TackHeadModel:model:
   *
   * The model whose first items are shown.
   */
  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * TackHeadModel:limit:
   *
   * How many items are shown at most; G_MAXUINT for all of them.
   */
  properties[PROP_LIMIT] =
    g_param_spec_uint ("limit", NULL, NULL,
                       0, G_MAXUINT, G_MAXUINT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tack_head_model_init (TackHeadModel *self)
{
  self->limit = G_MAXUINT;
}

/**
 * tack_head_model_new:
 * @model: (transfer none): the model whose first items are shown
 * @limit: how many at most, G_MAXUINT for all
 */
TackHeadModel *
tack_head_model_new (GListModel *model,
                     guint       limit)
{
  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);

  return g_object_new (TACK_TYPE_HEAD_MODEL,
                       "limit", limit,
                       "model", model,
                       NULL);
}

/**
 * tack_head_model_get_model:
 *
 * Returns: (transfer none): the model whose first items are shown
 */
GListModel *
tack_head_model_get_model (TackHeadModel *self)
{
  g_return_val_if_fail (TACK_IS_HEAD_MODEL (self), NULL);

  return self->model;
}

guint
tack_head_model_get_limit (TackHeadModel *self)
{
  g_return_val_if_fail (TACK_IS_HEAD_MODEL (self), 0);

  return self->limit;
}

void
tack_head_model_set_limit (TackHeadModel *self,
                           guint          limit)
{
  guint n_before;
  guint n_after;

  g_return_if_fail (TACK_IS_HEAD_MODEL (self));

  if (self->limit == limit)
    return;

  self->limit = limit;

  /* Nothing to announce until the model is set. */
  if (self->model != NULL)
    {
      n_before = self->n_items;
      n_after = MIN (g_list_model_get_n_items (self->model), limit);
      self->n_items = n_after;

      if (n_after > n_before)
        g_list_model_items_changed (G_LIST_MODEL (self), n_before, 0, n_after - n_before);
      else if (n_after < n_before)
        g_list_model_items_changed (G_LIST_MODEL (self), n_after, n_before - n_after, 0);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMIT]);
}
