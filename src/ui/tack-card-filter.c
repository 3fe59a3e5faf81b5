/* tack-card-filter.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Hides cards by id: a card deleted with an Undo toast showing is hidden
 * until the toast goes.
 *
 * While nothing is hidden the filter says it matches everything, and
 * GtkFilterListModel then passes changes through as they are. Otherwise
 * it keeps a bitset of which items match, and in GTK 4.8 every card
 * entering or leaving a column splices that bitset: for a column of
 * 10,000 cards, most of the cost of an event.
 */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include "tack-card-filter.h"
#include "tack-model.h"

struct _TackCardFilter
{
  GtkFilter   parent_instance;

  GHashTable *hidden;   /* card id → itself */
};

G_DEFINE_FINAL_TYPE (TackCardFilter, tack_card_filter, GTK_TYPE_FILTER)

static gboolean
tack_card_filter_match (GtkFilter *filter,
                        gpointer   item)
{
  TackCardFilter *self = TACK_CARD_FILTER (filter);

  return !TACK_IS_CARD (item) || !g_hash_table_contains (self->hidden, tack_card_get_id (item));
}

static GtkFilterMatch
tack_card_filter_get_strictness (GtkFilter *filter)
{
  TackCardFilter *self = TACK_CARD_FILTER (filter);

  return g_hash_table_size (self->hidden) == 0 ? GTK_FILTER_MATCH_ALL : GTK_FILTER_MATCH_SOME;
}

static void
tack_card_filter_finalize (GObject *object)
{
  TackCardFilter *self = (TackCardFilter *)object;

  g_clear_pointer (&self->hidden, g_hash_table_unref);

  G_OBJECT_CLASS (tack_card_filter_parent_class)->finalize (object);
}

static void
tack_card_filter_class_init (TackCardFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkFilterClass *filter_class = GTK_FILTER_CLASS (klass);

  object_class->finalize = tack_card_filter_finalize;

  filter_class->match = tack_card_filter_match;
  filter_class->get_strictness = tack_card_filter_get_strictness;
}

static void
tack_card_filter_init (TackCardFilter *self)
{
  self->hidden = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

TackCardFilter *
tack_card_filter_new (void)
{
  return g_object_new (TACK_TYPE_CARD_FILTER, NULL);
}

void
tack_card_filter_hide (TackCardFilter *self,
                       const char     *card_id)
{
  g_return_if_fail (TACK_IS_CARD_FILTER (self));
  g_return_if_fail (card_id != NULL);

  if (g_hash_table_add (self->hidden, g_strdup (card_id)))
    gtk_filter_changed (GTK_FILTER (self), GTK_FILTER_CHANGE_MORE_STRICT);
}

void
tack_card_filter_show (TackCardFilter *self,
                       const char     *card_id)
{
  g_return_if_fail (TACK_IS_CARD_FILTER (self));
  g_return_if_fail (card_id != NULL);

  if (g_hash_table_remove (self->hidden, card_id))
    gtk_filter_changed (GTK_FILTER (self), GTK_FILTER_CHANGE_LESS_STRICT);
}

gboolean
tack_card_filter_is_hidden (TackCardFilter *self,
                            const char     *card_id)
{
  g_return_val_if_fail (TACK_IS_CARD_FILTER (self), FALSE);

  return card_id != NULL && g_hash_table_contains (self->hidden, card_id);
}
