/* tack-snapshot.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Opening a board export: a file holding a board snapshot exactly as
 * `GET /api/v1/boards/{board}` returns it. The file is read and parsed off
 * the main loop; only the store write happens on it, since the store and
 * everything bound to it live there. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "tack-json.h"
#include "tack-snapshot.h"

static void
parse_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_load_contents (file, cancellable, &contents, &length, NULL, &error) ||
      !json_parser_load_from_data (parser, contents, length, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (json_parser_get_root (parser) == NULL)
    {
      g_task_return_new_error (task, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                               _("The file is empty"));
      return;
    }

  g_task_return_pointer (task,
                         json_node_copy (json_parser_get_root (parser)),
                         (GDestroyNotify)json_node_unref);
}

/**
 * tack_snapshot_load_async:
 * @store: the store to load the board into
 * @file: a board snapshot JSON file
 *
 * Reads and parses @file in a worker thread, then loads it into @store.
 */
void
tack_snapshot_load_async (TackStore           *store,
                          GFile               *file,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TACK_IS_STORE (store));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, tack_snapshot_load_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, parse_in_thread);
}

/**
 * tack_snapshot_load_finish:
 *
 * Returns: %TRUE if the store now shows the snapshot's board
 */
gboolean
tack_snapshot_load_finish (TackStore     *store,
                           GAsyncResult  *result,
                           GError       **error)
{
  JsonNode *snapshot;
  gboolean loaded;

  g_return_val_if_fail (TACK_IS_STORE (store), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);

  snapshot = g_task_propagate_pointer (G_TASK (result), error);
  if (snapshot == NULL)
    return FALSE;

  loaded = tack_store_load_snapshot (store, snapshot, error);
  tack_json_node_unref_in_thread (snapshot);

  return loaded;
}
