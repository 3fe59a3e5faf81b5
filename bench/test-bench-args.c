/* test-bench-args.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The load clients refuse a --url they cannot use with a message and exit
 * status 1, before they build a request from it (an empty one used to
 * crash tack-e2e and tack-resync). tack-ui-scroll refuses a --view it does
 * not know and a --css style sheet with an error in it the same way,
 * rather than measuring a look it was not asked for, and so does
 * tack-ui-ttff with a --view it does not know. tack-client-apply
 * refuses a negative --batch, and applies every event batch by batch.
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

static const char * const bad_urls[] = { "", "not a url", "ftp://127.0.0.1/", "http://", "127.0.0.1:8080" };

/* Runs the bench tool @tool with @args (NULL-terminated), waits for it
 * and returns its exit status, with what it printed in @out and @err. */
static int
run_tool (const char         *tool,
          const char * const *args,
          char              **out,
          char              **err)
{
  g_autofree char *path = g_build_filename (g_getenv ("TACK_BENCH_DIR"), tool, NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;

  g_ptr_array_add (argv, path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));

  return g_subprocess_get_exit_status (process);
}

static gboolean
have_display (void)
{
  return g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL;
}

/* Runs @tool with @args and asserts that it refuses them: exit status 1,
 * nothing on stdout, and @reason in what it says on stderr. */
static void
assert_refused (const char         *tool,
                const char * const *args,
                const char         *reason)
{
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  int status;

  status = run_tool (tool, args, &out, &err);

  g_test_message ("%s %s: %s", tool, args[0], err);
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, reason));
}

static void
test_bad_url (gconstpointer data)
{
  const char *tool = data;

  for (guint i = 0; i < G_N_ELEMENTS (bad_urls); i++)
    assert_refused (tool, (const char * const[]) { "--url", bad_urls[i], "--admin-token", "unused", NULL }, "--url");
}

/* Runs tack-ui-scroll with @args (NULL-terminated) on a tiny board and
 * asserts that it exits 1, prints nothing and names @option on stderr. */
static void
assert_ui_scroll_refuses (const char * const *args,
                          const char         *option)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, (gpointer) "--cards");
  g_ptr_array_add (argv, (gpointer) "10");
  g_ptr_array_add (argv, NULL);
  assert_refused ("tack-ui-scroll", (const char * const *) argv->pdata, option);
}

static void
test_ui_scroll_bad_view (void)
{
  assert_ui_scroll_refuses ((const char * const[]) { "--view", "adw", NULL }, "--view");
}

static void
test_ui_scroll_bad_css (void)
{
  const char *bad[] = { "cardrow { box-shadw: none; }", "cardrow { box-shadow: nonsense; }", "cardrow {" };

  if (!have_display ())
    {
      g_test_skip ("needs a display: the style sheet is read after GTK is");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      assert_ui_scroll_refuses ((const char * const[]) { "--view", "bare", "--css", bad[i], NULL }, "--css");
      assert_ui_scroll_refuses ((const char * const[]) { "--view", "tack", "--css", bad[i], NULL }, "--css");
    }
}

/* The other side: a style sheet without errors is taken, and the bare
 * list in a libadwaita window scrolls and reports. */
static void
test_ui_scroll_good_css (void)
{
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  int status;

  if (!have_display ())
    {
      g_test_skip ("needs a display");
      return;
    }
  status = run_tool ("tack-ui-scroll",
                     (const char * const[]) { "--view", "bare-adw", "--cards", "10", "--mode", "step",
                                              "--frames", "2", "--warmup", "1", "--duration", "5",
                                              "--css", "window.solid-csd { box-shadow: none; }", NULL },
                     &out, &err);

  g_test_message ("tack-ui-scroll --view bare-adw --css ...: %s", out);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "\"view\": \"bare-adw\""));
  g_assert_nonnull (strstr (out, "\"ok\": true"));
}

static void
test_ui_ttff_bad_view (void)
{
  assert_refused ("tack-ui-ttff", (const char * const[]) { "--view", "adw", "--snapshot", "unused.json", NULL },
                  "--view tack|bare|bare-adw");
}

static void
test_client_apply_batch (void)
{
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  int status;

  assert_refused ("tack-client-apply", (const char * const[]) { "--batch", "-1", NULL }, "bad arguments");

  /* 250 events in batches of 100: the last batch is short, and the tool
   * exits 2 if the store did not reach the last event's seq. */
  status = run_tool ("tack-client-apply",
                     (const char * const[]) { "--cards", "50", "--events", "250", "--batch", "100", NULL },
                     &out, &err);
  g_test_message ("tack-client-apply --batch 100: %s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "\"events\": 250, \"batch\": 100,"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/bench/args/bad-url/tack-bench", "tack-bench", test_bad_url);
  g_test_add_data_func ("/bench/args/bad-url/tack-e2e", "tack-e2e", test_bad_url);
  g_test_add_data_func ("/bench/args/bad-url/tack-resync", "tack-resync", test_bad_url);
  g_test_add_func ("/bench/args/ui-scroll/bad-view", test_ui_scroll_bad_view);
  g_test_add_func ("/bench/args/ui-scroll/bad-css", test_ui_scroll_bad_css);
  g_test_add_func ("/bench/args/ui-scroll/good-css", test_ui_scroll_good_css);
  g_test_add_func ("/bench/args/ui-ttff/bad-view", test_ui_ttff_bad_view);
  g_test_add_func ("/bench/args/client-apply/batch", test_client_apply_batch);

  return g_test_run ();
}
