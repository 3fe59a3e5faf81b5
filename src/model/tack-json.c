/* tack-json.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tack-model"

#include "config.h"

#include <gio/gio.h>

#include "tack-json.h"

static void
unref_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  json_node_unref (task_data);
  g_task_return_boolean (task, TRUE);
}

/**
 * tack_json_node_unref_in_thread:
 * @node: (transfer full): a parsed tree nothing else will read
 *
 * Drops the reference to @node in a worker thread. A parsed board is one
 * small allocation per member: freeing the tree of 10,000 cards costs the
 * main loop about as much as loading them into the store did. Only for a
 * tree whose values the store has copied, which no other thread touches.
 */
void
tack_json_node_unref_in_thread (JsonNode *node)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (node != NULL);

  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (task, tack_json_node_unref_in_thread);
  g_task_set_task_data (task, node, NULL);
  g_task_run_in_thread (task, unref_in_thread);
}
