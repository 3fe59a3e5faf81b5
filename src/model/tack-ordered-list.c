/* tack-ordered-list.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A GListModel kept sorted by (position, id) in byte order. The store owns
 * it and is the only writer; it announces every change with the exact
 * range, so a card moving within a column costs the view one removal and
 * one insertion, never a reset. The caller must remove an item before its
 * key changes and insert it again afterwards.
 */

#define G_LOG_DOMAIN "tack-model"

#include "config.h"

#include <string.h>

#include "tack-ordered-list-private.h"

struct _TackOrderedList
{
  GObject                 parent_instance;
  GType                   item_type;
  TackOrderedListKeyFunc  key_func;
  GPtrArray              *items;
};

enum {
  PROP_0,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
tack_ordered_list_get_item_type (GListModel *model)
{
  return TACK_ORDERED_LIST (model)->item_type;
}

static guint
tack_ordered_list_get_n_items (GListModel *model)
{
  return TACK_ORDERED_LIST (model)->items->len;
}

static gpointer
tack_ordered_list_get_item (GListModel *model,
                            guint       position)
{
  TackOrderedList *self = TACK_ORDERED_LIST (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = tack_ordered_list_get_item_type;
  iface->get_n_items = tack_ordered_list_get_n_items;
  iface->get_item = tack_ordered_list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TackOrderedList, tack_ordered_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
tack_ordered_list_finalize (GObject *object)
{
  TackOrderedList *self = (TackOrderedList *)object;

  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (tack_ordered_list_parent_class)->finalize (object);
}

static void
tack_ordered_list_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TackOrderedList *self = TACK_ORDERED_LIST (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_ordered_list_class_init (TackOrderedListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tack_ordered_list_finalize;
  object_class->get_property = tack_ordered_list_get_property;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tack_ordered_list_init (TackOrderedList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

TackOrderedList *
tack_ordered_list_new (GType                  item_type,
                       TackOrderedListKeyFunc key_func)
{
  TackOrderedList *self;

  g_return_val_if_fail (g_type_is_a (item_type, G_TYPE_OBJECT), NULL);
  g_return_val_if_fail (key_func != NULL, NULL);

  self = g_object_new (TACK_TYPE_ORDERED_LIST, NULL);
  self->item_type = item_type;
  self->key_func = key_func;

  return self;
}

static int
compare_keys (const char *pos_a,
              const char *id_a,
              const char *pos_b,
              const char *id_b)
{
  int r = strcmp (pos_a ? pos_a : "", pos_b ? pos_b : "");

  if (r != 0)
    return r;

  return strcmp (id_a ? id_a : "", id_b ? id_b : "");
}

/* First index whose key is not less than @item's key. */
static guint
lower_bound (TackOrderedList *self,
             gpointer         item)
{
  const char *pos, *id;
  guint lo = 0;
  guint hi = self->items->len;

  self->key_func (item, &pos, &id);

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const char *mpos, *mid_id;

      self->key_func (g_ptr_array_index (self->items, mid), &mpos, &mid_id);

      if (compare_keys (mpos, mid_id, pos, id) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

static void
emit_changed (TackOrderedList *self,
              guint            position,
              guint            removed,
              guint            added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

guint
tack_ordered_list_insert (TackOrderedList *self,
                          gpointer         item)
{
  guint position;

  g_return_val_if_fail (TACK_IS_ORDERED_LIST (self), 0);
  g_return_val_if_fail (G_TYPE_CHECK_INSTANCE_TYPE (item, self->item_type), 0);

  position = lower_bound (self, item);
  g_ptr_array_insert (self->items, position, g_object_ref (item));
  emit_changed (self, position, 0, 1);

  return position;
}

gboolean
tack_ordered_list_find (TackOrderedList *self,
                        gpointer         item,
                        guint           *position)
{
  guint i;

  g_return_val_if_fail (TACK_IS_ORDERED_LIST (self), FALSE);

  /* Keys are unique (ids are), so the item sits exactly at its bound;
   * the scan is only a safety net if a caller broke the contract. */
  i = lower_bound (self, item);
  if (i < self->items->len && g_ptr_array_index (self->items, i) == item)
    {
      if (position)
        *position = i;
      return TRUE;
    }

  if (g_ptr_array_find (self->items, item, &i))
    {
      g_warning ("Ordered list item changed its key while listed");
      if (position)
        *position = i;
      return TRUE;
    }

  return FALSE;
}

gboolean
tack_ordered_list_remove (TackOrderedList *self,
                          gpointer         item)
{
  guint position;

  g_return_val_if_fail (TACK_IS_ORDERED_LIST (self), FALSE);

  if (!tack_ordered_list_find (self, item, &position))
    return FALSE;

  g_ptr_array_remove_index (self->items, position);
  emit_changed (self, position, 1, 0);

  return TRUE;
}

gpointer
tack_ordered_list_get (TackOrderedList *self,
                       guint            position)
{
  g_return_val_if_fail (TACK_IS_ORDERED_LIST (self), NULL);

  if (position >= self->items->len)
    return NULL;

  return g_ptr_array_index (self->items, position);
}

guint
tack_ordered_list_get_size (TackOrderedList *self)
{
  g_return_val_if_fail (TACK_IS_ORDERED_LIST (self), 0);

  return self->items->len;
}

void
tack_ordered_list_clear (TackOrderedList *self)
{
  guint n;

  g_return_if_fail (TACK_IS_ORDERED_LIST (self));

  n = self->items->len;
  if (n == 0)
    return;

  g_ptr_array_set_size (self->items, 0);
  emit_changed (self, 0, n, 0);
}
