/* main.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* tack-server: the board server as a program. Everything it does is in
 * libtack-server; this parses the command line, prints the one
 * "Listening on" line scripts wait for, and stops cleanly on SIGINT or
 * SIGTERM. */

#define G_LOG_DOMAIN "tack-server"

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>

#include <string.h>
#include <sys/resource.h>

#include "tack-descriptors.h"
#include "tack-server.h"

static gboolean
quit_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_message ("Stopping");
  g_main_loop_quit (loop);

  return G_SOURCE_REMOVE;
}

static gboolean
parse_listen (const char  *listen,
              char       **address,
              guint16     *port,
              GError     **error)
{
  const char *colon = strrchr (listen, ':');
  g_autofree char *host = NULL;
  guint64 value;

  if (colon == NULL || colon == listen ||
      !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--listen wants ADDRESS:PORT, e.g. 127.0.0.1:8765, not “%s”", listen);
      return FALSE;
    }

  host = g_strndup (listen, colon - listen);

  /* [::1]:8765 */
  if (host[0] == '[' && host[strlen (host) - 1] == ']')
    {
      char *inner = g_strndup (host + 1, strlen (host) - 2);

      g_free (host);
      host = inner;
    }

  /* A host name (localhost, a machine name) listens on the first address
   * it resolves to; this runs once, before the main loop. */
  if (!g_hostname_is_ip_address (host))
    {
      g_autoptr(GResolver) resolver = g_resolver_get_default ();
      GList *addresses = g_resolver_lookup_by_name (resolver, host, NULL, error);

      if (addresses == NULL)
        return FALSE;

      g_free (host);
      host = g_inet_address_to_string (addresses->data);
      g_resolver_free_addresses (addresses);
    }

  *address = g_steal_pointer (&host);
  *port = (guint16)value;

  return TRUE;
}

/* The sockets the descriptor table is sized for before the first thread
 * starts (tack-descriptors.h). */
#define RESERVED_DESCRIPTORS 65536

/* Every client holds a socket: allow as many as the hard limit lets us. */
static void
raise_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        g_debug ("Cannot raise the open file limit: %s", g_strerror (errno));
    }
}

/* libsoup logs two debug lines for every WebSocket frame it sends. GLib
 * formats them even when nobody reads them, and its default handler then
 * looks up G_MESSAGES_DEBUG for each: about a tenth of what a server
 * broadcasting to a thousand subscribers does per frame. Unless debug
 * output is asked for, libsoup's debug lines go here instead. */
static void
drop_log_cb (const char     *log_domain,
             GLogLevelFlags  log_level,
             const char     *message,
             gpointer        user_data)
{
}

static void
quiet_libsoup_debug (void)
{
  const char *debug = g_getenv ("G_MESSAGES_DEBUG");

  if (debug != NULL && (strstr (debug, "all") != NULL || strstr (debug, "libsoup") != NULL))
    return;

  g_log_set_handler ("libsoup", G_LOG_LEVEL_DEBUG, drop_log_cb, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TackServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *db = NULL;
  g_autofree char *address = NULL;
  g_autofree char *url_host = NULL;
  gboolean version = FALSE;
  int retention = 10000;
  int heartbeat_ms = 15000;
  int rate_limit = 0;
  guint16 port = 0;
  GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "Address and port to listen on (default 127.0.0.1:8765; port 0 picks a free one)", "ADDR:PORT" },
    { "db", 'd', 0, G_OPTION_ARG_FILENAME, &db,
      "The SQLite database (default $XDG_DATA_HOME/tack-server/tack.db)", "PATH" },
    { "retention", 0, 0, G_OPTION_ARG_INT, &retention,
      "Events kept per board (default 10000)", "N" },
    { "heartbeat-ms", 0, 0, G_OPTION_ARG_INT, &heartbeat_ms,
      "Heartbeat period of live streams in milliseconds (default 15000)", "MS" },
    { "rate-limit", 0, 0, G_OPTION_ARG_INT, &rate_limit,
      "Writes allowed per token and second, bursts of twice that (default 0: no limit)", "N" },
    { "version", 'v', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };

  /* First, while this is the only thread. */
  raise_file_limit ();
  tack_reserve_descriptors (RESERVED_DESCRIPTORS);

  quiet_libsoup_debug ();

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                "Serves Tack boards over HTTP: REST, WebSocket, Server-Sent Events and polling.\n"
                                "The admin token comes from TACK_ADMIN_TOKEN, else from a file beside the database.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("tack-server: %s\n", error->message);
      return EXIT_FAILURE;
    }

  if (version)
    {
      g_print ("tack-server %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (retention < 1 || heartbeat_ms < 10 || rate_limit < 0)
    {
      g_printerr ("tack-server: --retention must be at least 1, --heartbeat-ms at least 10"
                  " and --rate-limit not negative\n");
      return EXIT_FAILURE;
    }

  if (!parse_listen (listen ? listen : "127.0.0.1:8765", &address, &port, &error))
    {
      g_printerr ("tack-server: %s\n", error->message);
      return EXIT_FAILURE;
    }

  if (db == NULL)
    db = g_build_filename (g_get_user_data_dir (), "tack-server", "tack.db", NULL);

  if (!(server = tack_server_new (db, &error)))
    {
      g_printerr ("tack-server: %s\n", error->message);
      return EXIT_FAILURE;
    }

  tack_server_set_retention (server, retention);
  tack_server_set_heartbeat_ms (server, heartbeat_ms);
  tack_server_set_write_rate_limit (server, rate_limit);

  /* Before the "Listening on" line: a supervisor that reads it may stop
   * the server at once, and that must be a clean stop. */
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);

  /* The error names the address or the database, whichever failed. */
  if (!tack_server_listen (server, address, port, &error))
    {
      g_printerr ("tack-server: %s\n", error->message);
      return EXIT_FAILURE;
    }

  url_host = strchr (address, ':') ? g_strdup_printf ("[%s]", address) : g_strdup (address);
  g_print ("Listening on http://%s:%u\n", url_host, tack_server_get_port (server));
  fflush (stdout);

  g_main_loop_run (loop);

  tack_server_stop (server);

  return EXIT_SUCCESS;
}
