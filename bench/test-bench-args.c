/* test-bench-args.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The load clients refuse a --url they cannot use with a message and exit
 * status 1, before they build a request from it (an empty one used to
 * crash tack-e2e and tack-resync).
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

static const char * const bad_urls[] = { "", "not a url", "ftp://127.0.0.1/", "http://", "127.0.0.1:8080" };

static void
test_bad_url (gconstpointer data)
{
  const char *tool = data;
  g_autofree char *path = g_build_filename (g_getenv ("TACK_BENCH_DIR"), tool, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad_urls); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autofree char *err = NULL;
      g_autofree char *out = NULL;

      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                                  path, "--url", bad_urls[i], "--admin-token", "unused", NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);

      g_test_message ("%s --url '%s': %s", tool, bad_urls[i], err);
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
      g_assert_cmpstr (out, ==, "");
      g_assert_nonnull (strstr (err, "--url"));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/bench/args/bad-url/tack-bench", "tack-bench", test_bad_url);
  g_test_add_data_func ("/bench/args/bad-url/tack-e2e", "tack-e2e", test_bad_url);
  g_test_add_data_func ("/bench/args/bad-url/tack-resync", "tack-resync", test_bad_url);

  return g_test_run ();
}
