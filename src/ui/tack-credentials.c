/* tack-credentials.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Board tokens, remembered per server and board: in a file only the user
 * can read, under the user's configuration directory. (Small files read
 * once when a board is opened; not worth a thread.) */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include <glib/gstdio.h>

#include "tack-credentials.h"

static char *
token_path (const char *server_url,
            const char *board_id)
{
  g_autofree char *key = g_strconcat (server_url, "\n", board_id, NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);

  return g_build_filename (g_get_user_config_dir (), "tack", "tokens", hash, NULL);
}

/**
 * tack_credentials_lookup:
 *
 * Returns: (transfer full) (nullable): the token remembered for the board
 */
char *
tack_credentials_lookup (const char *server_url,
                         const char *board_id)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (board_id != NULL, NULL);

  path = token_path (server_url, board_id);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  g_strstrip (contents);
  if (contents[0] == '\0')
    return NULL;

  return g_steal_pointer (&contents);
}

gboolean
tack_credentials_store (const char *server_url,
                        const char *board_id,
                        const char *token)
{
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (server_url != NULL, FALSE);
  g_return_val_if_fail (board_id != NULL, FALSE);

  path = token_path (server_url, board_id);

  if (token == NULL || token[0] == '\0')
    {
      g_unlink (path);
      return TRUE;
    }

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents_full (path, token, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    {
      g_debug ("Cannot remember the token in %s: %s", path, error ? error->message : g_strerror (errno));
      return FALSE;
    }

  return TRUE;
}
