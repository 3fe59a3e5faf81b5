/* test-server-durability.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The real tack-server binary: its command line, its one "Listening on"
 * line, writes that were answered surviving kill -9, one server per
 * database, and its descriptor table sized before the first client. */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "tack-test-server.h"

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
  char             *url;
  gboolean          eof;
} Child;

static void
line_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Child *child = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object),
                                                                      result, NULL, NULL);

  if (line == NULL)
    {
      child->eof = TRUE;
      return;
    }

  g_assert_true (g_str_has_prefix (line, "Listening on http://127.0.0.1:"));
  child->url = g_strdup (line + strlen ("Listening on "));
}

static Child *
spawn (const char *db_path)
{
  const char *exe = g_getenv ("TACK_SERVER_PATH");
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  Child *child = g_new0 (Child, 1);

  g_assert_nonnull (exe);
  g_subprocess_launcher_setenv (launcher, "TACK_ADMIN_TOKEN", "durable-admin", TRUE);
  child->process = g_subprocess_launcher_spawn (launcher, &error, exe,
                                                "--listen", "127.0.0.1:0",
                                                "--db", db_path,
                                                NULL);
  g_assert_no_error (error);
  child->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child->process));
  g_data_input_stream_read_line_async (child->out, G_PRIORITY_DEFAULT, NULL, line_cb, child);
  TEST_WAIT_FOR (child->url != NULL || child->eof);
  g_assert_nonnull (child->url);

  return child;
}

/* A client of @child's server, with a new board of its own. */
static TestServer *
new_board_on (Child *child)
{
  TestServer *ts = test_server_new_remote (child->url, "durable-admin");

  ts->board_id = test_server_new_board (ts, &ts->board_token);
  return ts;
}

static void
kill_child (Child *child,
            int    signum)
{
  g_subprocess_send_signal (child->process, signum);
  g_subprocess_wait (child->process, NULL, NULL);
  if (signum == SIGKILL)
    g_assert_true (g_subprocess_get_if_signaled (child->process));
  else
    g_assert_true (g_subprocess_get_if_exited (child->process) &&
                   g_subprocess_get_exit_status (child->process) == 0);

  g_clear_object (&child->out);
  g_clear_object (&child->process);
  g_free (child->url);
  g_free (child);
}

/* A database's folder: the database, its WAL and its token file. */
static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing && (name = g_dir_read_name (listing)))
    {
      g_autofree char *file = g_build_filename (dir, name, NULL);

      g_unlink (file);
    }
  g_rmdir (dir);
}

static void
test_durability_kill9 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tack-durability-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (dir, "data", "tack.db", NULL);
  g_autofree char *column = NULL;
  g_autoptr(GPtrArray) card_ids = g_ptr_array_new_with_free_func (g_free);
  Child *child;
  TestServer *ts;

  g_assert_no_error (error);

  child = spawn (db_path);
  ts = new_board_on (child);
  column = test_create_column (ts, "Column", NULL);

  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(JsonNode) card = test_create_card (ts, column, "Durable", NULL);

      g_ptr_array_add (card_ids, g_strdup (json_object_get_string_member (json_node_get_object (card), "id")));
    }

  /* Every write above was answered; now the process dies mid-flight. */
  kill_child (child, SIGKILL);

  child = spawn (db_path);
  g_free (ts->base);
  ts->base = g_strdup (child->url);

  {
    g_autofree char *path = g_strdup_printf ("/api/v1/boards/%s", ts->board_id);
    g_autoptr(Response) snap = test_http (ts, "GET", path, ts->board_token, NULL);
    JsonObject *root = response_object (snap, NULL);
    JsonArray *cards = json_object_get_array_member (root, "cards");
    g_autofree char *events_path = g_strdup_printf ("/api/v1/boards/%s/events?since=0", ts->board_id);
    g_autoptr(Response) events = test_http (ts, "GET", events_path, ts->board_token, NULL);
    JsonArray *list = json_object_get_array_member (response_object (events, NULL), "events");

    g_assert_cmpuint (snap->status, ==, 200);
    g_assert_cmpint (json_object_get_int_member (root, "seq"), ==, 51);
    g_assert_cmpuint (json_array_get_length (cards), ==, card_ids->len);
    for (guint i = 0; i < json_array_get_length (cards); i++)
      {
        const char *id = json_object_get_string_member (json_array_get_object_element (cards, i), "id");

        g_assert_true (g_ptr_array_find_with_equal_func (card_ids, id, g_str_equal, NULL));
      }

    g_assert_cmpuint (json_array_get_length (list), ==, 51);
    for (guint i = 0; i < json_array_get_length (list); i++)
      g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (list, i), "seq"), ==, i + 1);
  }

  /* The board token from before still works, and writes go on at 52. */
  {
    g_autoptr(JsonNode) card = test_create_card (ts, column, "After restart", NULL);

    g_assert_cmpint (test_board_seq (ts), ==, 52);
  }

  /* SIGTERM stops it cleanly, with exit status 0. */
  kill_child (child, SIGTERM);

  test_server_free (ts);

  {
    g_autofree char *data_dir = g_path_get_dirname (db_path);

    remove_dir (data_dir);
    g_rmdir (dir);
  }
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *)user_data = TRUE;
}

/* A second server on a database that one already serves refuses to
 * start, says why, and leaves the first one serving. */
static void
test_durability_one_server_per_database (void)
{
  const char *exe = g_getenv ("TACK_SERVER_PATH");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tack-twice-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (dir, "tack.db", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) second = NULL;
  g_autofree char *err = NULL;
  gboolean exited = FALSE;
  Child *child;
  TestServer *ts;

  g_assert_no_error (error);
  child = spawn (db_path);
  ts = new_board_on (child);

  g_subprocess_launcher_setenv (launcher, "TACK_ADMIN_TOKEN", "durable-admin", TRUE);
  second = g_subprocess_launcher_spawn (launcher, &error, exe, "--listen", "127.0.0.1:0", "--db", db_path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (second, NULL, exited_cb, &exited);
  TEST_WAIT_FOR (exited);
  g_subprocess_communicate_utf8 (second, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (second));
  g_assert_cmpint (g_subprocess_get_exit_status (second), !=, 0);
  g_assert_nonnull (strstr (err, "in use by another tack-server"));

  /* The first still serves, and writes. */
  {
    g_autofree char *column = test_create_column (ts, "Still here", NULL);

    g_assert_cmpint (test_board_seq (ts), ==, 1);
  }

  /* Once it stops, the database is free again. */
  kill_child (child, SIGTERM);
  child = spawn (db_path);
  kill_child (child, SIGTERM);

  test_server_free (ts);
  remove_dir (dir);
}

/* Without TACK_ADMIN_TOKEN the token is made once, kept beside the
 * database with mode 0600, and the same on the next start. */
static void
test_durability_admin_token_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tack-token-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (dir, "tack.db", NULL);
  g_autofree char *token_path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *first = NULL;
  TackServer *server;
  GStatBuf st;

  g_assert_no_error (error);
  g_unsetenv ("TACK_ADMIN_TOKEN");

  server = tack_server_new (db_path, &error);
  g_assert_no_error (error);
  token_path = g_strdup (tack_server_get_admin_token_path (server));
  first = g_strdup (tack_server_get_admin_token (server));
  g_assert_nonnull (token_path);
  g_assert_cmpuint (strlen (first), >=, 20);
  g_assert_cmpint (g_stat (token_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (token_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, first);
  g_object_unref (server);

  server = tack_server_new (db_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tack_server_get_admin_token (server), ==, first);
  g_object_unref (server);

  g_setenv ("TACK_ADMIN_TOKEN", "from-env", TRUE);
  server = tack_server_new (db_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tack_server_get_admin_token (server), ==, "from-env");
  g_assert_null (tack_server_get_admin_token_path (server));
  g_object_unref (server);

  g_unlink (token_path);
  g_rmdir (dir);
}

static void
test_durability_command_line (void)
{
  const char *exe = g_getenv ("TACK_SERVER_PATH");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GSubprocess) version = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                                     exe, "--version", NULL);
  g_autoptr(GSubprocess) help = NULL;
  g_autoptr(GSubprocess) bad = NULL;

  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (version, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "tack-server " PACKAGE_VERSION "\n");
  g_clear_pointer (&out, g_free);

  help = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, exe, "--help", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (help, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (out, "--listen"));
  g_assert_nonnull (strstr (out, "--db"));
  g_assert_nonnull (strstr (out, "--retention"));

  bad = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, exe, "--listen", "nonsense", NULL);
  g_assert_no_error (error);
  g_subprocess_wait (bad, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (bad), !=, 0);
}

/* The server sizes its descriptor table before the first client, so that
 * a storm of connections never waits for the kernel to grow it
 * (src/server/tack-descriptors.h). /proc shows its size as FDSize. */
static void
test_durability_descriptor_table (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tack-descriptors-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (dir, "tack.db", NULL);
  g_autofree char *status_path = NULL;
  g_autofree char *status = NULL;
  const char *field;
  struct rlimit limit;
  guint64 fd_size;
  Child *child;
  TestServer *ts;

  g_assert_no_error (error);
  if (!g_file_test ("/proc/self/status", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("No /proc to read the descriptor table's size from");
      g_rmdir (dir);
      return;
    }
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);

  child = spawn (db_path);
  status_path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (child->process));
  g_file_get_contents (status_path, &status, NULL, &error);
  g_assert_no_error (error);
  field = strstr (status, "\nFDSize:");
  g_assert_nonnull (field);
  fd_size = g_ascii_strtoull (field + strlen ("\nFDSize:"), NULL, 10);

  /* The server raises its limit to the hard one, and reserves up to
   * 65,536 of it. */
  g_assert_cmpuint (fd_size, >=, MIN (limit.rlim_max, 65536));

  /* And it serves as before. */
  ts = new_board_on (child);
  g_assert_cmpint (test_board_seq (ts), ==, 0);

  kill_child (child, SIGTERM);
  test_server_free (ts);
  remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tack/server/durability/kill-9", test_durability_kill9);
  g_test_add_func ("/tack/server/durability/one-server-per-database", test_durability_one_server_per_database);
  g_test_add_func ("/tack/server/durability/admin-token-file", test_durability_admin_token_file);
  g_test_add_func ("/tack/server/durability/command-line", test_durability_command_line);
  g_test_add_func ("/tack/server/durability/descriptor-table", test_durability_descriptor_table);

  return g_test_run ();
}
