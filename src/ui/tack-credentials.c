/* tack-credentials.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Board tokens, remembered per server and board: in the keyring through
 * libsecret when Tack is built with it and a secret service answers, else
 * in a file only the user can read under the user's configuration
 * directory. Nothing here blocks the main loop. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include <errno.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#if HAVE_LIBSECRET
# include <libsecret/secret.h>
#endif

#include "tack-credentials.h"

typedef struct
{
  char *server;
  char *board;
  char *token;
} Request;

static void
request_free (Request *request)
{
  g_free (request->server);
  g_free (request->board);
  g_free (request->token);
  g_free (request);
}

static char *
token_path (const char *server_url,
            const char *board_id)
{
  g_autofree char *key = g_strconcat (server_url, "\n", board_id, NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);

  return g_build_filename (g_get_user_config_dir (), "tack", "tokens", hash, NULL);
}

#if HAVE_LIBSECRET
static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "io.github.tackboard.Tack.BoardToken", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "board", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}
#endif

static void
read_file_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Request *request = task_data;
  g_autofree char *path = token_path (request->server, request->board);
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  g_strstrip (contents);
  g_task_return_pointer (task, contents[0] != '\0' ? g_steal_pointer (&contents) : NULL, g_free);
}

static void
write_file_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Request *request = task_data;
  g_autofree char *path = token_path (request->server, request->board);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  if (request->token == NULL || request->token[0] == '\0')
    {
      g_unlink (path);
    }
  else if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;

      g_debug ("Cannot create %s: %s", dir, g_strerror (errsv));
    }
  else if (!g_file_set_contents_full (path, request->token, -1,
                                      G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    {
      g_debug ("Cannot remember the token in %s: %s", path, error->message);
    }

  g_task_return_boolean (task, TRUE);
}

static void
write_file (Request *request)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_set_source_tag (task, write_file);
  g_task_set_task_data (task, request, (GDestroyNotify)request_free);
  g_task_run_in_thread (task, write_file_thread);
}

#if HAVE_LIBSECRET
static void
secret_lookup_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *token = secret_password_lookup_finish (result, &error);

  if (token != NULL)
    {
      g_autofree char *copy = g_strdup (token);

      secret_password_free (token);
      g_task_return_pointer (task, g_steal_pointer (&copy), g_free);
      return;
    }

  if (error != NULL)
    g_debug ("No keyring: %s", error->message);

  g_task_run_in_thread (task, read_file_thread);
}

static void
secret_store_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GError) error = NULL;

  if (secret_password_store_finish (result, &error))
    {
      request_free (request);
      return;
    }

  g_debug ("No keyring, the token goes to a file: %s", error->message);
  write_file (request);
}
#endif

/**
 * tack_credentials_lookup_async:
 *
 * Finds the token remembered for a board; finishes with %NULL if there is
 * none.
 */
void
tack_credentials_lookup_async (const char          *server_url,
                               const char          *board_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *request;

  g_return_if_fail (server_url != NULL);
  g_return_if_fail (board_id != NULL);

  request = g_new0 (Request, 1);
  request->server = g_strdup (server_url);
  request->board = g_strdup (board_id);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tack_credentials_lookup_async);
  g_task_set_task_data (task, request, (GDestroyNotify)request_free);

#if HAVE_LIBSECRET
  secret_password_lookup (token_schema (), cancellable, secret_lookup_cb, g_steal_pointer (&task),
                          "server", server_url,
                          "board", board_id,
                          NULL);
#else
  g_task_run_in_thread (task, read_file_thread);
#endif
}

/**
 * tack_credentials_lookup_finish:
 *
 * Returns: (transfer full) (nullable): the token, or %NULL
 */
char *
tack_credentials_lookup_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tack_credentials_store:
 * @token: (nullable): the token, or %NULL to forget it
 *
 * Remembers a board's token, in the background.
 */
void
tack_credentials_store (const char *server_url,
                        const char *board_id,
                        const char *token)
{
  Request *request;
#if HAVE_LIBSECRET
  g_autofree char *label = NULL;
#endif

  g_return_if_fail (server_url != NULL);
  g_return_if_fail (board_id != NULL);

  request = g_new0 (Request, 1);
  request->server = g_strdup (server_url);
  request->board = g_strdup (board_id);
  request->token = g_strdup (token);

#if HAVE_LIBSECRET
  if (token != NULL && token[0] != '\0')
    {
      /* Translators: the keyring's name for a stored token; %s is a board. */
      label = g_strdup_printf (_("Tack board token for %s"), board_id);
      secret_password_store (token_schema (), SECRET_COLLECTION_DEFAULT, label, token,
                             NULL, secret_store_cb, request,
                             "server", server_url,
                             "board", board_id,
                             NULL);
      return;
    }
#endif

  write_file (request);
}
