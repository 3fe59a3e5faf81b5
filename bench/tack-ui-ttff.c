/* tack-ui-ttff.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ui-ttff scenario of bench/ (docs/performance.md): launch to first
 * frame. The clock starts in a launcher just before it execs the measured
 * process (this same binary: both views pay for the same dynamic linking),
 * and stops at the first GdkFrameClock after-paint of a mapped window
 * whose content is on screen.
 *
 *   --view tack  the real TackApplication opening a board export
 *                (`tack --snapshot FILE`): the file is read and parsed in a
 *                worker thread, loaded into a TackStore, and a TackWindow
 *                shows it (TackBoardView, TackColumnView, TackCardRow)
 *   --view bare  a GtkApplication reading and parsing the same file the
 *                same way, one GtkStringList of titles per column, sorted
 *                by position, each shown by a GtkListView of plain
 *                GtkLabels, side by side
 *
 * Prints one JSON object. `--write-snapshot FILE --cards N` writes the
 * board both views open: N cards spread over --columns columns.
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "tack-application.h"
#include "tack-card-row.h"
#include "tack-column-view.h"
#include "tack-ui-bench.h"
#include "tack-window.h"

#define T0_ENV "TACK_UI_TTFF_T0_NS"

typedef struct
{
  char         *view;
  char         *snapshot;
  int           width;
  int           height;
  int           timeout_s;
  GApplication *app;
  GtkWidget    *window;
  GPtrArray    *lists;        /* bare: one GtkStringList per column */
  BenchFrames   frames;
  gint64        t0;
  gint64        t_main;
  gint64        t_startup;
  gint64        t_window;
  gint64        t_frame;
  guint         items;
  guint         rows_mapped;
  guint         rows_built;
  char         *renderer;
  gboolean      failed;
} Run;

static double
ms (gint64 t,
    gint64 t0)
{
  return t > 0 ? (t - t0) / 1e6 : -1;
}

/* The first frame counts once the window shows its content: a card (or,
 * on an empty board, a column) drawn, not an empty window. */
static gboolean
has_content (Run *run)
{
  if (g_str_equal (run->view, "tack"))
    {
      TackStore *store = tack_window_get_store (TACK_WINDOW (run->window));
      GListModel *columns = tack_board_get_columns (tack_store_get_board (store));
      guint n_columns = g_list_model_get_n_items (columns);

      run->items = 0;
      for (guint i = 0; i < n_columns; i++)
        {
          g_autoptr(TackColumn) column = g_list_model_get_item (columns, i);

          run->items += tack_column_get_n_cards (column);
        }
      return bench_find_mapped (run->window, run->items > 0 ? TACK_TYPE_CARD_ROW : TACK_TYPE_COLUMN_VIEW) != NULL;
    }

  run->items = 0;
  for (guint i = 0; i < run->lists->len; i++)
    run->items += g_list_model_get_n_items (g_ptr_array_index (run->lists, i));
  return bench_find_mapped (run->window, run->items > 0 ? GTK_TYPE_LABEL : GTK_TYPE_LIST_VIEW) != NULL;
}

static void
on_frame (gpointer data)
{
  Run *run = data;
  gint64 t = bench_now_ns ();

  if (run->t_frame != 0 || !gtk_widget_get_mapped (run->window) || !has_content (run))
    return;

  run->t_frame = t;
  run->renderer = g_strdup (bench_renderer_name (run->window));
  /* How many rows the first frame shows, and how many the list views
   * built for it (GtkListView keeps rows around the visible ones). */
  {
    GType row_type = g_str_equal (run->view, "tack") ? TACK_TYPE_CARD_ROW : GTK_TYPE_LABEL;

    run->rows_mapped = bench_count (run->window, row_type, TRUE);
    run->rows_built = bench_count (run->window, row_type, FALSE);
  }
  bench_frames_detach (&run->frames);
  g_application_quit (run->app);
}

static void
on_realize (GtkWidget *window,
            Run       *run)
{
  run->frames.after_paint = on_frame;
  run->frames.data = run;
  bench_frames_attach (&run->frames, window);
}

static void
on_startup (GApplication *app,
            Run          *run)
{
  run->t_startup = bench_now_ns ();
}

static gboolean
on_timeout (gpointer data)
{
  Run *run = data;

  g_printerr ("tack-ui-ttff: no first frame with content after %d s\n", run->timeout_s);
  run->failed = TRUE;
  g_application_quit (run->app);
  return G_SOURCE_REMOVE;
}

/* ---------------------------------------------------------------- tack */

static void
tack_window_added (GtkApplication *app,
                   GtkWindow      *window,
                   Run            *run)
{
  run->t_window = bench_now_ns ();
  run->window = GTK_WIDGET (window);
  gtk_window_set_default_size (window, run->width, run->height);
  g_signal_connect_after (window, "realize", G_CALLBACK (on_realize), run);
}

static int
run_tack (Run *run)
{
  g_autoptr(TackApplication) app = tack_application_new ();
  char *argv[] = { (char *)"tack", (char *)"--snapshot", run->snapshot, NULL };

  /* Not unique: a Tack on the same session bus must not get the file. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  run->app = G_APPLICATION (app);
  g_signal_connect_after (app, "startup", G_CALLBACK (on_startup), run);
  g_signal_connect (app, "window-added", G_CALLBACK (tack_window_added), run);
  return g_application_run (G_APPLICATION (app), G_N_ELEMENTS (argv) - 1, argv);
}

/* ---------------------------------------------------------------- bare */

typedef struct
{
  const char *position;
  const char *id;
  const char *title;
} BareCard;

static int
bare_card_cmp (gconstpointer a,
               gconstpointer b)
{
  const BareCard *x = *(BareCard * const *)a, *y = *(BareCard * const *)b;
  int c = strcmp (x->position, y->position);

  return c != 0 ? c : strcmp (x->id, y->id);
}

static void
bare_parse_in_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (task_data, &contents, &length, &error) ||
      !json_parser_load_from_data (parser, contents, length, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, json_node_ref (json_parser_get_root (parser)), (GDestroyNotify)json_node_unref);
}

static void
bare_loaded (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GHashTable) column_index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) per_column = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
  g_autoptr(GPtrArray) titles = g_ptr_array_new ();
  JsonArray *columns, *cards;

  if (root == NULL)
    {
      g_printerr ("tack-ui-ttff: %s\n", error->message);
      run->failed = TRUE;
      g_application_release (run->app);
      g_application_quit (run->app);
      return;
    }

  /* The snapshot lists columns in board order. */
  columns = json_object_get_array_member (json_node_get_object (root), "columns");
  cards = json_object_get_array_member (json_node_get_object (root), "cards");
  for (guint c = 0; c < json_array_get_length (columns); c++)
    {
      JsonObject *column = json_array_get_object_element (columns, c);

      g_hash_table_insert (column_index, (gpointer)json_object_get_string_member (column, "id"), GUINT_TO_POINTER (c + 1));
      g_ptr_array_add (per_column, g_ptr_array_new_with_free_func (g_free));
      g_ptr_array_add (titles, (gpointer)json_object_get_string_member (column, "title"));
    }
  for (guint i = 0; i < json_array_get_length (cards); i++)
    {
      JsonObject *card = json_array_get_object_element (cards, i);
      guint c = GPOINTER_TO_UINT (g_hash_table_lookup (column_index, json_object_get_string_member (card, "column")));
      BareCard *bare;

      if (c == 0)
        continue;
      bare = g_new (BareCard, 1);
      bare->position = json_object_get_string_member (card, "position");
      bare->id = json_object_get_string_member (card, "id");
      bare->title = json_object_get_string_member (card, "title");
      g_ptr_array_add (g_ptr_array_index (per_column, c - 1), bare);
    }

  run->lists = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint c = 0; c < per_column->len; c++)
    {
      GPtrArray *column = g_ptr_array_index (per_column, c);
      g_autofree const char **strv = g_new0 (const char *, column->len + 1);

      g_ptr_array_sort (column, bare_card_cmp);
      for (guint i = 0; i < column->len; i++)
        strv[i] = ((BareCard *)g_ptr_array_index (column, i))->title;
      g_ptr_array_add (run->lists, gtk_string_list_new (strv));
    }

  run->window = gtk_application_window_new (GTK_APPLICATION (run->app));
  run->t_window = bench_now_ns ();
  gtk_window_set_title (GTK_WINDOW (run->window), "Bench");
  gtk_window_set_default_size (GTK_WINDOW (run->window), run->width, run->height);
  {
    g_autoptr(GtkListItemFactory) factory = bench_string_factory ();

    gtk_window_set_child (GTK_WINDOW (run->window), bench_bare_board (run->lists, titles, factory));
  }
  g_signal_connect_after (run->window, "realize", G_CALLBACK (on_realize), run);
  gtk_window_present (GTK_WINDOW (run->window));
  g_application_release (run->app);
}

static void
bare_activate (GApplication *app,
               Run          *run)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, bare_loaded, run);

  g_application_hold (app);
  g_task_set_task_data (task, g_strdup (run->snapshot), g_free);
  g_task_run_in_thread (task, bare_parse_in_thread);
}

static int
run_bare (Run *run)
{
  g_autoptr(GtkApplication) app = gtk_application_new (NULL, G_APPLICATION_NON_UNIQUE);
  char *argv[] = { (char *)"bare", NULL };

  run->app = G_APPLICATION (app);
  g_signal_connect_after (app, "startup", G_CALLBACK (on_startup), run);
  g_signal_connect (app, "activate", G_CALLBACK (bare_activate), run);
  return g_application_run (G_APPLICATION (app), 1, argv);
}

/* ---------------------------------------------------------------- main */

static int
write_snapshot (const char *path,
                int         n_cards,
                int         n_columns)
{
  g_autofree guint *per_column = g_new0 (guint, n_columns);
  g_autoptr(BenchBoard) board = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  /* Spread evenly, as a team's board: the first columns get the remainder. */
  for (int c = 0; c < n_columns; c++)
    per_column[c] = n_cards / n_columns + (c < n_cards % n_columns ? 1 : 0);
  board = bench_board_new (per_column, n_columns);
  json = bench_board_snapshot_json (board);
  if (!g_file_set_contents (path, json, -1, &error))
    {
      g_printerr ("tack-ui-ttff: %s\n", error->message);
      return 1;
    }
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  Run run = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = g_strdupv (argv);
  g_autofree char *write_path = NULL;
  const char *t0 = g_getenv (T0_ENV);
  int n_cards = 0, n_columns = 4, status;
  GOptionEntry entries[] = {
    { "view", 0, 0, G_OPTION_ARG_STRING, &run.view, "tack or bare", "VIEW" },
    { "snapshot", 0, 0, G_OPTION_ARG_FILENAME, &run.snapshot, "The board export both views open", "FILE" },
    { "width", 0, 0, G_OPTION_ARG_INT, &run.width, "Window width (default 1280)", "PX" },
    { "height", 0, 0, G_OPTION_ARG_INT, &run.height, "Window height (default 800)", "PX" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &run.timeout_s, "Give up after S seconds (default 120)", "S" },
    { "write-snapshot", 0, 0, G_OPTION_ARG_FILENAME, &write_path, "Write a board of --cards cards and exit", "FILE" },
    { "cards", 0, 0, G_OPTION_ARG_INT, &n_cards, "Cards on the written board", "N" },
    { "columns", 0, 0, G_OPTION_ARG_INT, &n_columns, "Columns on the written board (default 4)", "N" },
    { NULL }
  };

  run.t_main = bench_now_ns ();
  run.width = 1280;
  run.height = 800;
  run.timeout_s = 120;

  context = g_option_context_new ("- launch to first frame, Tack's window vs a bare GtkListView");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("tack-ui-ttff: %s\n", error->message);
      return 1;
    }

  if (write_path != NULL)
    return n_cards >= 0 && n_columns > 0 ? write_snapshot (write_path, n_cards, n_columns) : 1;

  if (run.view == NULL || run.snapshot == NULL ||
      (!g_str_equal (run.view, "tack") && !g_str_equal (run.view, "bare")))
    {
      g_printerr ("tack-ui-ttff: needs --view tack|bare and --snapshot FILE\n");
      return 1;
    }

  /* The launcher: start the clock and become the measured process. */
  if (t0 == NULL)
    {
      g_autofree char *stamp = g_strdup_printf ("%" G_GINT64_FORMAT, bench_now_ns ());

      g_setenv (T0_ENV, stamp, TRUE);
      execv ("/proc/self/exe", args);
      g_printerr ("tack-ui-ttff: exec: %s\n", g_strerror (errno));
      return 1;
    }
  run.t0 = g_ascii_strtoll (t0, NULL, 10);
  g_unsetenv (T0_ENV);

  g_timeout_add_seconds (run.timeout_s, on_timeout, &run);
  status = g_str_equal (run.view, "tack") ? run_tack (&run) : run_bare (&run);
  if (run.failed || run.t_frame == 0)
    return 2;

  g_print ("{\"scenario\": \"ui-ttff\", \"view\": \"%s\", \"items\": %u, \"renderer\": \"%s\", "
           "\"gsk_renderer_env\": \"%s\", \"width\": %d, \"height\": %d, "
           "\"first_frame_ms\": %.2f, \"main_ms\": %.2f, \"startup_ms\": %.2f, \"window_ms\": %.2f, "
           "\"rows_mapped\": %u, \"rows_built\": %u}\n",
           run.view, run.items, run.renderer, g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "",
           run.width, run.height,
           ms (run.t_frame, run.t0), ms (run.t_main, run.t0), ms (run.t_startup, run.t0), ms (run.t_window, run.t0),
           run.rows_mapped, run.rows_built);
  bench_frames_clear (&run.frames);
  g_clear_pointer (&run.lists, g_ptr_array_unref);
  g_free (run.renderer);
  return status;
}
