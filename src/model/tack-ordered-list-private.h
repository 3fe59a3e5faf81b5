/* tack-ordered-list-private.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TACK_TYPE_ORDERED_LIST (tack_ordered_list_get_type())

G_DECLARE_FINAL_TYPE (TackOrderedList, tack_ordered_list, TACK, ORDERED_LIST, GObject)

/* Returns the sort key of @item: its position and id. Both are compared
 * bytewise, which is the order PROTOCOL.md defines. */
typedef void (*TackOrderedListKeyFunc) (gpointer     item,
                                        const char **position,
                                        const char **id);

/* Called after every change of the list's size, from the same emission
 * as notify::n-items but without a GObject signal: the column that owns
 * the list keeps its card count with it on every move. */
typedef void (*TackOrderedListSizeFunc) (gpointer user_data);

TackOrderedList *tack_ordered_list_new      (GType                   item_type,
                                             TackOrderedListKeyFunc  key_func);
void             tack_ordered_list_set_size_func (TackOrderedList         *self,
                                                  TackOrderedListSizeFunc  size_func,
                                                  gpointer                 user_data);
guint            tack_ordered_list_insert   (TackOrderedList        *self,
                                             gpointer                item);
gboolean         tack_ordered_list_remove   (TackOrderedList        *self,
                                             gpointer                item);
gboolean         tack_ordered_list_find     (TackOrderedList        *self,
                                             gpointer                item,
                                             guint                  *position);
gpointer         tack_ordered_list_get      (TackOrderedList        *self,
                                             guint                   position);
guint            tack_ordered_list_get_size (TackOrderedList        *self);
void             tack_ordered_list_clear    (TackOrderedList        *self);
void             tack_ordered_list_freeze   (TackOrderedList        *self);
void             tack_ordered_list_thaw     (TackOrderedList        *self);

G_END_DECLS
