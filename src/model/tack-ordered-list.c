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
 *
 * The items live in a counted B+ tree, so that inserting, removing and
 * telling an item's position (for items-changed) take O(log N) steps:
 * the array this used to be shifted every item after the one that moved,
 * 40 KB per card leaving a 10,000-card column. A binary tree with a node
 * per item (GSequence) does as few steps but chases a pointer, and misses
 * the cache, at every one of them; the B+ tree keeps up to 64 items and
 * their packed 16-byte key prefixes side by side, so a search reads a handful of
 * cache lines. A list view reads its items in order, so the leaf of the
 * last item asked for is remembered and its neighbours are found there.
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

  gpointer                root;        /* a leaf when height is 0 */
  guint                   height;      /* inner levels above the leaves */
  guint                   n_items;

  /* The leaf of the last item tack_ordered_list_get() returned, and the
   * position of its first item; forgotten on every change. */
  gpointer                cached_leaf;
  guint                   cached_start;

  TackOrderedListSizeFunc size_func;
  gpointer                size_data;

  /* While frozen, the changes only widen one range: from the lowest
   * position any of them touched to the end, which had n_frozen items
   * when the list froze. */
  guint                   freeze_count;
  guint                   n_frozen;
  guint                   dirty_from;
  gboolean                dirty;
};

/* The tree. Leaves hold up to LEAF_MAX items in key order, each with the
 * first bytes of its position packed into an integer, so that a search
 * compares integers in one cache line and only looks at the item itself on
 * a tie. Inner nodes hold their children, how many items each child holds
 * (the position of an item is the sum of the counts to its left on the way
 * down) and each child's first item (its lowest key). Leaves are linked in
 * order for stepping through the list. */

/* The first 16 bytes of a position, big-endian in two words, zero-padded:
 * ordered like the strings they start, since a string has no zero byte
 * before its end. Fractional positions grow as cards are put between
 * others, and with 8 bytes every key past them needed a look at its item. */
typedef struct
{
  guint64 hi;
  guint64 lo;
} Prefix;

#define LEAF_MAX   64
#define INNER_MAX  32
#define MAX_HEIGHT 24

typedef struct _Leaf Leaf;

struct _Leaf
{
  guint     n;
  Leaf     *prev;
  Leaf     *next;
  Prefix   keys[LEAF_MAX + 1];
  gpointer  items[LEAF_MAX + 1];
};

typedef struct
{
  guint     n;
  guint     counts[INNER_MAX + 1];
  Prefix   first_keys[INNER_MAX + 1];
  gpointer  firsts[INNER_MAX + 1];
  gpointer  children[INNER_MAX + 1];   /* Leaf* on the lowest level */
} Inner;

/* A key being looked for. */
typedef struct
{
  Prefix     prefix;
  const char *position;
  const char *id;
} Key;

/* The way down to a leaf: the inner node at each level and which child
 * was taken. */
typedef struct
{
  Inner *nodes[MAX_HEIGHT];
  guint  index[MAX_HEIGHT];
  Leaf  *leaf;
  guint  position;      /* of the leaf's first item */
} Path;

static inline guint64
word_of (const char *s,
         guint      *len)
{
  guint64 word = 0;
  guint i;

  for (i = 0; i < 8 && s[i] != '\0'; i++)
    word = (word << 8) | (guint8)s[i];

  *len = i;
  return i == 8 ? word : i == 0 ? 0 : word << (8 * (8 - i));
}

static inline Prefix
prefix_of (const char *s)
{
  Prefix prefix = { 0, 0 };
  guint len;

  prefix.hi = word_of (s, &len);
  if (len == 8)
    prefix.lo = word_of (s + 8, &len);

  return prefix;
}

static inline gboolean
prefix_equal (Prefix a,
              Prefix b)
{
  return a.hi == b.hi && a.lo == b.lo;
}

static inline gboolean
prefix_less (Prefix a,
             Prefix b)
{
  return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

static inline void
make_key (TackOrderedList *self,
          gpointer         item,
          Key             *key)
{
  self->key_func (item, &key->position, &key->id);
  if (key->position == NULL)
    key->position = "";
  if (key->id == NULL)
    key->id = "";
  key->prefix = prefix_of (key->position);
}

/* Compares @key with @item, whose packed prefix is @prefix. */
static inline int
compare_key (TackOrderedList *self,
             const Key       *key,
             gpointer         item,
             Prefix          prefix)
{
  const char *position, *id;
  int r;

  if (!prefix_equal (key->prefix, prefix))
    return prefix_less (key->prefix, prefix) ? -1 : 1;

  self->key_func (item, &position, &id);

  /* Equal prefixes: equal positions if they ended within them, else the
   * rest decides. */
  if ((prefix.lo & 0xff) != 0 && (r = strcmp (key->position + 16, position + 16)) != 0)
    return r;

  return strcmp (key->id, id ? id : "");
}

/* How many of the sorted @keys[from..to) are below @prefix, and how many
 * equal it. A binary search waits for one cache line after another, each
 * chosen by the last compare, and while events stream past the tree's
 * nodes are rarely in the nearest cache; a scan in order lets the
 * processor ask for the next lines before it has compared the first. */
static inline void
count_prefixes (const Prefix *keys,
                guint         from,
                guint         to,
                Prefix        prefix,
                guint        *below,
                guint        *equal)
{
  guint i = from;
  guint j;

  while (i < to && prefix_less (keys[i], prefix))
    i++;
  for (j = i; j < to && prefix_equal (keys[j], prefix); j++)
    ;

  *below = i - from;
  *equal = j - i;
}

/* Goes down to the leaf where @key belongs: in each inner node, the last
 * child whose first key is not greater than @key (or the first child). */
static void
descend (TackOrderedList *self,
         const Key       *key,
         Path            *path)
{
  gpointer node = self->root;

  path->position = 0;

  for (guint level = 0; level < self->height; level++)
    {
      Inner *inner = node;
      guint below, equal;
      guint lo, hi;

      /* The first child whose first key is greater than @key, minus one;
       * only children whose prefix ties with @key's need their items. */
      count_prefixes (inner->first_keys, 1, inner->n, key->prefix, &below, &equal);
      lo = 1 + below;
      hi = lo + equal;

      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;

          if (compare_key (self, key, inner->firsts[mid], inner->first_keys[mid]) < 0)
            hi = mid;
          else
            lo = mid + 1;
        }

      path->nodes[level] = inner;
      path->index[level] = lo - 1;
      for (guint i = 0; i < lo - 1; i++)
        path->position += inner->counts[i];

      node = inner->children[lo - 1];
    }

  path->leaf = node;
}

/* The first index in @leaf whose item's key is greater than @key, and
 * whether the one before it has @key. */
static guint
leaf_upper_bound (TackOrderedList *self,
                  Leaf            *leaf,
                  const Key       *key,
                  gboolean        *equal)
{
  guint below, tied;
  guint lo, hi;

  *equal = FALSE;

  count_prefixes (leaf->keys, 0, leaf->n, key->prefix, &below, &tied);
  lo = below;
  hi = below + tied;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      int r = compare_key (self, key, leaf->items[mid], leaf->keys[mid]);

      if (r < 0)
        {
          hi = mid;
        }
      else
        {
          if (r == 0)
            *equal = TRUE;
          lo = mid + 1;
        }
    }

  return lo;
}

/* The leaf's first item changed: so did the first item of every node on
 * the way down for which it is the first. */
static void
update_firsts (TackOrderedList *self,
               Path            *path)
{
  gpointer first = path->leaf->items[0];
  Prefix key = path->leaf->keys[0];

  for (guint level = self->height; level-- > 0; )
    {
      Inner *inner = path->nodes[level];
      guint i = path->index[level];

      inner->firsts[i] = first;
      inner->first_keys[i] = key;
      if (i != 0)
        break;
    }
}

static void
add_counts (TackOrderedList *self,
            Path            *path,
            int              delta)
{
  for (guint level = 0; level < self->height; level++)
    path->nodes[level]->counts[path->index[level]] += delta;
}

static guint
inner_total (Inner *inner)
{
  guint total = 0;

  for (guint i = 0; i < inner->n; i++)
    total += inner->counts[i];

  return total;
}

/* Puts @child (holding @count items, @first its lowest) in @inner at @i. */
static void
inner_insert (Inner    *inner,
              guint     i,
              gpointer  child,
              guint     count,
              gpointer  first,
              Prefix   first_key)
{
  guint tail = inner->n - i;

  memmove (&inner->children[i + 1], &inner->children[i], tail * sizeof (gpointer));
  memmove (&inner->counts[i + 1], &inner->counts[i], tail * sizeof (guint));
  memmove (&inner->firsts[i + 1], &inner->firsts[i], tail * sizeof (gpointer));
  memmove (&inner->first_keys[i + 1], &inner->first_keys[i], tail * sizeof (Prefix));
  inner->children[i] = child;
  inner->counts[i] = count;
  inner->firsts[i] = first;
  inner->first_keys[i] = first_key;
  inner->n++;
}

static void
inner_remove (Inner *inner,
              guint  i)
{
  guint tail = inner->n - i - 1;

  memmove (&inner->children[i], &inner->children[i + 1], tail * sizeof (gpointer));
  memmove (&inner->counts[i], &inner->counts[i + 1], tail * sizeof (guint));
  memmove (&inner->firsts[i], &inner->firsts[i + 1], tail * sizeof (gpointer));
  memmove (&inner->first_keys[i], &inner->first_keys[i + 1], tail * sizeof (Prefix));
  inner->n--;
}

/* @node at @level of @path overflowed: its upper half becomes a new
 * sibling, which its parent (a new root, at the top) takes in. */
static void
split (TackOrderedList *self,
       Path            *path,
       guint            level,
       gpointer         node)
{
  gpointer sibling;
  guint count, left_count;
  gpointer first;
  Prefix first_key;

  if (level == self->height)
    {
      Leaf *leaf = node;
      Leaf *right = g_new0 (Leaf, 1);
      guint half = leaf->n / 2;

      right->n = leaf->n - half;
      memcpy (right->items, &leaf->items[half], right->n * sizeof (gpointer));
      memcpy (right->keys, &leaf->keys[half], right->n * sizeof (Prefix));
      leaf->n = half;

      right->prev = leaf;
      right->next = leaf->next;
      if (leaf->next != NULL)
        leaf->next->prev = right;
      leaf->next = right;

      sibling = right;
      count = right->n;
      left_count = leaf->n;
      first = right->items[0];
      first_key = right->keys[0];
    }
  else
    {
      Inner *inner = node;
      Inner *right = g_new0 (Inner, 1);
      guint half = inner->n / 2;

      right->n = inner->n - half;
      memcpy (right->children, &inner->children[half], right->n * sizeof (gpointer));
      memcpy (right->counts, &inner->counts[half], right->n * sizeof (guint));
      memcpy (right->firsts, &inner->firsts[half], right->n * sizeof (gpointer));
      memcpy (right->first_keys, &inner->first_keys[half], right->n * sizeof (Prefix));
      inner->n = half;

      sibling = right;
      count = inner_total (right);
      left_count = inner_total (inner);
      first = right->firsts[0];
      first_key = right->first_keys[0];
    }

  if (level == 0)
    {
      /* The root split: the tree grows a level. */
      Inner *root = g_new0 (Inner, 1);
      gpointer left_first;
      Prefix left_key;

      if (self->height == 0)
        {
          left_first = ((Leaf *)node)->items[0];
          left_key = ((Leaf *)node)->keys[0];
        }
      else
        {
          left_first = ((Inner *)node)->firsts[0];
          left_key = ((Inner *)node)->first_keys[0];
        }

      inner_insert (root, 0, node, left_count, left_first, left_key);
      inner_insert (root, 1, sibling, count, first, first_key);
      self->root = root;
      self->height++;
      g_assert (self->height < MAX_HEIGHT);
      return;
    }

  {
    Inner *parent = path->nodes[level - 1];
    guint i = path->index[level - 1];

    parent->counts[i] = left_count;
    inner_insert (parent, i + 1, sibling, count, first, first_key);

    if (parent->n > INNER_MAX)
      split (self, path, level - 1, parent);
  }
}

/* Drops the emptied child at @level of @path, and its ancestors that it
 * leaves empty; a root left with one child gives way to it. */
static void
unlink_empty (TackOrderedList *self,
              Path            *path,
              guint            level)
{
  while (level > 0)
    {
      Inner *parent = path->nodes[level - 1];
      guint i = path->index[level - 1];

      if (level == self->height)
        {
          Leaf *leaf = path->leaf;

          if (leaf->prev != NULL)
            leaf->prev->next = leaf->next;
          if (leaf->next != NULL)
            leaf->next->prev = leaf->prev;
          g_free (leaf);
        }
      else
        {
          g_free (path->nodes[level]);
        }

      inner_remove (parent, i);

      if (parent->n > 0)
        {
          /* The parent's first child may be another one now. */
          if (i == 0)
            for (guint up = level - 1; up-- > 0; )
              {
                Inner *node = path->nodes[up];
                guint j = path->index[up];

                node->firsts[j] = parent->firsts[0];
                node->first_keys[j] = parent->first_keys[0];
                if (j != 0)
                  break;
              }
          break;
        }

      level--;
    }

  while (self->height > 0 && ((Inner *)self->root)->n == 1)
    {
      Inner *root = self->root;

      self->root = root->children[0];
      self->height--;
      g_free (root);
    }

  if (self->height > 0 && ((Inner *)self->root)->n == 0)
    {
      g_free (self->root);
      self->root = g_new0 (Leaf, 1);
      self->height = 0;
    }
}

static void
free_node (gpointer node,
           guint    levels_below)
{
  if (levels_below > 0)
    {
      Inner *inner = node;

      for (guint i = 0; i < inner->n; i++)
        free_node (inner->children[i], levels_below - 1);
    }
  else
    {
      Leaf *leaf = node;

      for (guint i = 0; i < leaf->n; i++)
        g_object_unref (leaf->items[i]);
    }

  g_free (node);
}

static Leaf *
first_leaf (TackOrderedList *self)
{
  gpointer node = self->root;

  for (guint level = 0; level < self->height; level++)
    node = ((Inner *)node)->children[0];

  return node;
}

/* Goes down to the leaf holding @position (< n_items). */
static void
descend_at (TackOrderedList *self,
            guint            position,
            Path            *path,
            guint           *index)
{
  gpointer node = self->root;

  path->position = 0;

  for (guint level = 0; level < self->height; level++)
    {
      Inner *inner = node;
      guint i = 0;

      while (i + 1 < inner->n && position >= inner->counts[i])
        {
          position -= inner->counts[i];
          path->position += inner->counts[i];
          i++;
        }

      path->nodes[level] = inner;
      path->index[level] = i;
      node = inner->children[i];
    }

  path->leaf = node;
  *index = position;
}

/* Finds @item by its key; the scan is only a safety net if a caller
 * broke the contract and changed a listed item's key. */
static gboolean
locate (TackOrderedList *self,
        gpointer         item,
        Path            *path,
        guint           *index)
{
  gboolean equal;
  guint position = 0;
  Key key;
  guint i;

  make_key (self, item, &key);
  descend (self, &key, path);
  i = leaf_upper_bound (self, path->leaf, &key, &equal);

  if (equal && path->leaf->items[i - 1] == item)
    {
      *index = i - 1;
      return TRUE;
    }

  for (Leaf *leaf = first_leaf (self); leaf != NULL; position += leaf->n, leaf = leaf->next)
    for (i = 0; i < leaf->n; i++)
      if (leaf->items[i] == item)
        {
          g_warning ("Ordered list item changed its key while listed");
          descend_at (self, position + i, path, index);
          return TRUE;
        }

  return FALSE;
}

enum {
  PROP_0,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
static guint items_changed_id;

static GType
tack_ordered_list_get_item_type (GListModel *model)
{
  return TACK_ORDERED_LIST (model)->item_type;
}

static guint
tack_ordered_list_get_n_items (GListModel *model)
{
  return TACK_ORDERED_LIST (model)->n_items;
}

static gpointer
tack_ordered_list_get_item (GListModel *model,
                            guint       position)
{
  gpointer item = tack_ordered_list_get (TACK_ORDERED_LIST (model), position);

  return item ? g_object_ref (item) : NULL;
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

  free_node (self->root, self->height);
  self->root = NULL;

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
      g_value_set_uint (value, self->n_items);
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

  items_changed_id = g_signal_lookup ("items-changed", G_TYPE_LIST_MODEL);
}

static void
tack_ordered_list_init (TackOrderedList *self)
{
  self->root = g_new0 (Leaf, 1);
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

/**
 * tack_ordered_list_set_size_func:
 * @size_func: (nullable): called after the size changed
 * @user_data: (closure): for @size_func; not referenced
 */
void
tack_ordered_list_set_size_func (TackOrderedList         *self,
                                 TackOrderedListSizeFunc  size_func,
                                 gpointer                 user_data)
{
  g_return_if_fail (TACK_IS_ORDERED_LIST (self));

  self->size_func = size_func;
  self->size_data = user_data;
}

static void
emit_changed (TackOrderedList *self,
              guint            position,
              guint            removed,
              guint            added)
{
  if (self->freeze_count > 0)
    {
      self->dirty_from = self->dirty ? MIN (self->dirty_from, position) : position;
      self->dirty = TRUE;
      return;
    }

  /* GObject has no fast path for a signal of an interface: with nobody
   * listening (a column no view shows) it still boxes the three arguments
   * and the instance into GValues, about 1,000 instructions per emission;
   * asking first costs one look-up. notify skips itself the same way. */
  if (g_signal_has_handler_pending (self, items_changed_id, 0, FALSE))
    g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
      if (self->size_func != NULL)
        self->size_func (self->size_data);
    }
}

guint
tack_ordered_list_insert (TackOrderedList *self,
                          gpointer         item)
{
  gboolean equal;
  Path path;
  Leaf *leaf;
  Key key;
  guint i;
  guint position;

  g_return_val_if_fail (TACK_IS_ORDERED_LIST (self), 0);
  g_return_val_if_fail (G_TYPE_CHECK_INSTANCE_TYPE (item, self->item_type), 0);

  self->cached_leaf = NULL;

  make_key (self, item, &key);
  descend (self, &key, &path);
  leaf = path.leaf;
  i = leaf_upper_bound (self, leaf, &key, &equal);
  position = path.position + i;

  memmove (&leaf->items[i + 1], &leaf->items[i], (leaf->n - i) * sizeof (gpointer));
  memmove (&leaf->keys[i + 1], &leaf->keys[i], (leaf->n - i) * sizeof (Prefix));
  leaf->items[i] = g_object_ref (item);
  leaf->keys[i] = key.prefix;
  leaf->n++;
  self->n_items++;

  add_counts (self, &path, 1);
  if (i == 0)
    update_firsts (self, &path);
  if (leaf->n > LEAF_MAX)
    split (self, &path, self->height, leaf);

  emit_changed (self, position, 0, 1);

  return position;
}

gboolean
tack_ordered_list_find (TackOrderedList *self,
                        gpointer         item,
                        guint           *position)
{
  Path path;
  guint i;

  g_return_val_if_fail (TACK_IS_ORDERED_LIST (self), FALSE);

  if (!locate (self, item, &path, &i))
    return FALSE;

  if (position)
    *position = path.position + i;

  return TRUE;
}

gboolean
tack_ordered_list_remove (TackOrderedList *self,
                          gpointer         item)
{
  Path path;
  Leaf *leaf;
  guint position;
  guint i;

  g_return_val_if_fail (TACK_IS_ORDERED_LIST (self), FALSE);

  if (!locate (self, item, &path, &i))
    return FALSE;

  self->cached_leaf = NULL;

  leaf = path.leaf;
  position = path.position + i;
  item = leaf->items[i];

  memmove (&leaf->items[i], &leaf->items[i + 1], (leaf->n - i - 1) * sizeof (gpointer));
  memmove (&leaf->keys[i], &leaf->keys[i + 1], (leaf->n - i - 1) * sizeof (Prefix));
  leaf->n--;
  self->n_items--;

  add_counts (self, &path, -1);
  if (leaf->n == 0)
    unlink_empty (self, &path, self->height);
  else if (i == 0)
    update_firsts (self, &path);

  emit_changed (self, position, 1, 0);
  g_object_unref (item);

  return TRUE;
}

/**
 * tack_ordered_list_get:
 *
 * Returns: (transfer none) (nullable): the item at @position
 */
gpointer
tack_ordered_list_get (TackOrderedList *self,
                       guint            position)
{
  Leaf *leaf = self->cached_leaf;
  Path path;
  guint i;

  g_return_val_if_fail (TACK_IS_ORDERED_LIST (self), NULL);

  if (position >= self->n_items)
    return NULL;

  /* Sequential reads (a list view filling its rows) stay in the leaf of
   * the last one, or step to its neighbour, instead of descending. */
  if (leaf != NULL && position >= self->cached_start && position - self->cached_start < leaf->n)
    return leaf->items[position - self->cached_start];

  if (leaf != NULL && leaf->next != NULL && position - self->cached_start == leaf->n &&
      position >= self->cached_start)
    {
      self->cached_start += leaf->n;
      self->cached_leaf = leaf->next;
      return leaf->next->items[0];
    }

  if (leaf != NULL && leaf->prev != NULL && position + 1 == self->cached_start)
    {
      self->cached_start -= leaf->prev->n;
      self->cached_leaf = leaf->prev;
      return leaf->prev->items[leaf->prev->n - 1];
    }

  descend_at (self, position, &path, &i);
  self->cached_leaf = path.leaf;
  self->cached_start = path.position;

  return path.leaf->items[i];
}

guint
tack_ordered_list_get_size (TackOrderedList *self)
{
  g_return_val_if_fail (TACK_IS_ORDERED_LIST (self), 0);

  return self->n_items;
}

void
tack_ordered_list_clear (TackOrderedList *self)
{
  guint n;

  g_return_if_fail (TACK_IS_ORDERED_LIST (self));

  n = self->n_items;
  if (n == 0)
    return;

  self->cached_leaf = NULL;
  free_node (self->root, self->height);
  self->root = g_new0 (Leaf, 1);
  self->height = 0;
  self->n_items = 0;

  emit_changed (self, 0, n, 0);
}

/**
 * tack_ordered_list_freeze:
 *
 * Holds back `items-changed` (and the size's notifications) until the
 * matching tack_ordered_list_thaw(), which then reports everything that
 * changed meanwhile as one change: from the lowest position any change
 * touched to the end. Loading a snapshot of 10,000 cards into a column a
 * list view shows is then one change for the view, not 10,000. Readers
 * see the new contents at once; only the signal waits.
 */
void
tack_ordered_list_freeze (TackOrderedList *self)
{
  g_return_if_fail (TACK_IS_ORDERED_LIST (self));

  if (self->freeze_count++ == 0)
    {
      self->n_frozen = self->n_items;
      self->dirty = FALSE;
    }
}

void
tack_ordered_list_thaw (TackOrderedList *self)
{
  g_return_if_fail (TACK_IS_ORDERED_LIST (self));
  g_return_if_fail (self->freeze_count > 0);

  if (--self->freeze_count > 0 || !self->dirty)
    return;

  self->dirty = FALSE;
  emit_changed (self, self->dirty_from,
                self->n_frozen - self->dirty_from,
                self->n_items - self->dirty_from);
}
