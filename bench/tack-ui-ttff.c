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
 *   --view bare-adw  the same bare board in the window Tack's is: an
 *                AdwApplication's AdwApplicationWindow with a header bar,
 *                so libadwaita's style and window frame are in both
 *
 * With `--server URL --board ID` instead of `--snapshot FILE` both open a
 * live board (token from $TACK_TOKEN, as Tack reads it): Tack as a user
 * runs it (`tack --server URL --board ID`), the bare harness with one GET
 * of the board's snapshot through libsoup, parsed in a worker thread.
 *
 * Both also measure the longest main-loop stall from the window being
 * added to the first frame with content: a high-priority 5 ms timeout
 * records the largest gap between its calls.
 *
 * Prints one JSON object. `--write-snapshot FILE --cards N` writes the
 * board both views open: N cards spread over --columns columns;
 * `--seed-db PATH --cards N` writes the same board into a new tack-server
 * database, through the server's storage (no HTTP).
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "tack-application.h"
#include "tack-card-row.h"
#include "tack-column-view.h"
#include "tack-sqlite-storage.h"
#include "tack-ui-bench.h"
#include "tack-window.h"

#define T0_ENV "TACK_UI_TTFF_T0_NS"
#define STALL_TICK_MS 5
#define SEED_TOKEN "bench-token"
#define SEED_GROUP 2000

typedef struct
{
  char         *view;
  char         *snapshot;
  char         *server_url;
  char         *board_id;
  int           width;
  int           height;
  int           timeout_s;
  GApplication *app;
  GtkWidget    *window;
  GPtrArray    *lists;        /* bare: one GtkStringList per column */
  SoupSession  *session;      /* bare, live board */
  BenchFrames   frames;
  gint64        t0;
  gint64        t_main;
  gint64        t_startup;
  gint64        t_window;
  gint64        t_frame;
  guint         stall_id;
  gint64        t_tick;       /* the stall timeout's last call */
  gint64        max_stall;
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

/* The stall clock runs from t_window to the first content frame. A frame
 * that takes long to lay out blocks the main loop as much as anything
 * else does, so the gap from the last call to that frame counts too. */
static gboolean
on_stall_tick (gpointer data)
{
  Run *run = data;
  gint64 t = bench_now_ns ();

  run->max_stall = MAX (run->max_stall, t - run->t_tick);
  run->t_tick = t;
  return G_SOURCE_CONTINUE;
}

static void
stall_start (Run *run)
{
  g_assert (run->stall_id == 0);

  run->t_tick = run->t_window;
  run->stall_id = g_timeout_add_full (G_PRIORITY_HIGH, STALL_TICK_MS, on_stall_tick, run, NULL);
}

static void
stall_stop (Run    *run,
            gint64  t)
{
  if (run->stall_id == 0)
    return;
  run->max_stall = MAX (run->max_stall, t - run->t_tick);
  g_clear_handle_id (&run->stall_id, g_source_remove);
}

/* The first frame counts once the window shows its content: a card (or,
 * on an empty board, a column) drawn, not an empty window. On a live
 * board Tack shows its window before the snapshot is in, and the store
 * takes the snapshot's columns and cards at once: until then it has no
 * column, so that window shows neither and does not count. */
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
  stall_stop (run, t);
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
  stall_start (run);
  gtk_window_set_default_size (window, run->width, run->height);
  g_signal_connect_after (window, "realize", G_CALLBACK (on_realize), run);
}

static int
run_tack (Run *run)
{
  g_autoptr(TackApplication) app = tack_application_new ();
  char *file_argv[] = { (char *)"tack", (char *)"--snapshot", run->snapshot, NULL };
  char *live_argv[] = { (char *)"tack", (char *)"--server", run->server_url, (char *)"--board", run->board_id, NULL };
  char **argv = run->snapshot != NULL ? file_argv : live_argv;

  /* Not unique: a Tack on the same session bus must not get the board. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  run->app = G_APPLICATION (app);
  g_signal_connect_after (app, "startup", G_CALLBACK (on_startup), run);
  g_signal_connect (app, "window-added", G_CALLBACK (tack_window_added), run);
  return g_application_run (G_APPLICATION (app), g_strv_length (argv), argv);
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

/* In the worker thread, for either source: the board's JSON text. */
static void
bare_parse (GTask      *task,
            const char *data,
            gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, data, length, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, json_node_ref (json_parser_get_root (parser)), (GDestroyNotify)json_node_unref);
}

static void
bare_read_in_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (task_data, &contents, &length, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  bare_parse (task, contents, length);
}

static void
bare_parse_in_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (task_data, &length);

  bare_parse (task, data, length);
}

static void
bare_fail (Run        *run,
           const char *message)
{
  g_printerr ("tack-ui-ttff: %s\n", message);
  run->failed = TRUE;
  g_application_release (run->app);
  g_application_quit (run->app);
}

/* The file's or the server's snapshot, parsed: the same board either way. */
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
      bare_fail (run, error->message);
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

  run->window = ADW_IS_APPLICATION (run->app) ? adw_application_window_new (GTK_APPLICATION (run->app))
                                               : gtk_application_window_new (GTK_APPLICATION (run->app));
  run->t_window = bench_now_ns ();
  stall_start (run);
  gtk_window_set_title (GTK_WINDOW (run->window), "Bench");
  gtk_window_set_default_size (GTK_WINDOW (run->window), run->width, run->height);
  {
    g_autoptr(GtkListItemFactory) factory = bench_string_factory ();
    GtkWidget *board = bench_bare_board (run->lists, titles, factory);

    if (ADW_IS_APPLICATION_WINDOW (run->window))
      adw_application_window_set_content (ADW_APPLICATION_WINDOW (run->window), bench_with_header_bar (board));
    else
      gtk_window_set_child (GTK_WINDOW (run->window), board);
  }
  g_signal_connect_after (run->window, "realize", G_CALLBACK (on_realize), run);
  gtk_window_present (GTK_WINDOW (run->window));
  g_application_release (run->app);
}

static void
bare_fetched (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  g_autoptr(GTask) task = NULL;

  if (body == NULL)
    {
      bare_fail (run, error->message);
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (message)))
    {
      g_autofree char *uri = g_uri_to_string (soup_message_get_uri (message));
      g_autofree char *text = g_strdup_printf ("GET %s answered %u %s", uri, soup_message_get_status (message),
                                               soup_message_get_reason_phrase (message));

      bare_fail (run, text);
      return;
    }

  task = g_task_new (NULL, NULL, bare_loaded, run);
  g_task_set_task_data (task, g_steal_pointer (&body), (GDestroyNotify)g_bytes_unref);
  g_task_run_in_thread (task, bare_parse_in_thread);
}

static void
bare_activate (GApplication *app,
               Run          *run)
{
  g_application_hold (app);

  if (run->snapshot != NULL)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, bare_loaded, run);

      g_task_set_task_data (task, g_strdup (run->snapshot), g_free);
      g_task_run_in_thread (task, bare_read_in_thread);
    }
  else
    {
      g_autofree char *escaped = g_uri_escape_string (run->board_id, NULL, FALSE);
      g_autofree char *url = g_strdup_printf ("%s/api/v1/boards/%s", run->server_url, escaped);
      g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
      const char *token = g_getenv ("TACK_TOKEN");
      SoupMessageHeaders *headers;

      if (message == NULL)
        {
          g_autofree char *text = g_strdup_printf ("cannot GET “%s”", url);

          bare_fail (run, text);
          return;
        }
      headers = soup_message_get_request_headers (message);
      if (token != NULL && token[0] != '\0')
        {
          g_autofree char *auth = g_strdup_printf ("Bearer %s", token);

          soup_message_headers_replace (headers, "Authorization", auth);
        }
      soup_message_headers_replace (headers, "Accept", "application/json");
      run->session = soup_session_new ();
      soup_session_send_and_read_async (run->session, message, G_PRIORITY_DEFAULT, NULL, bare_fetched, run);
    }
}

static int
run_bare (Run *run)
{
  g_autoptr(GtkApplication) app = g_str_equal (run->view, "bare-adw")
                                    ? GTK_APPLICATION (adw_application_new (NULL, G_APPLICATION_NON_UNIQUE))
                                    : gtk_application_new (NULL, G_APPLICATION_NON_UNIQUE);
  char *argv[] = { (char *)"bare", NULL };

  run->app = G_APPLICATION (app);
  g_signal_connect_after (app, "startup", G_CALLBACK (on_startup), run);
  g_signal_connect (app, "activate", G_CALLBACK (bare_activate), run);
  return g_application_run (G_APPLICATION (app), 1, argv);
}

/* ---------------------------------------------------------------- main */

/* The board both sources hold: @n_cards spread evenly over @n_columns, as
 * a team's board, the first columns getting the remainder. */
static BenchBoard *
spread_board (int n_cards,
              int n_columns)
{
  g_autofree guint *per_column = g_new0 (guint, n_columns);

  for (int c = 0; c < n_columns; c++)
    per_column[c] = n_cards / n_columns + (c < n_cards % n_columns ? 1 : 0);
  return bench_board_new (per_column, n_columns);
}

static int
write_snapshot (const char *path,
                int         n_cards,
                int         n_columns)
{
  g_autoptr(BenchBoard) board = spread_board (n_cards, n_columns);
  g_autofree char *json = bench_board_snapshot_json (board);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, json, -1, &error))
    {
      g_printerr ("tack-ui-ttff: %s\n", error->message);
      return 1;
    }
  return 0;
}

/* One write as the HTTP layer hands it to the storage; returns the id of
 * the @member ("column", "card") it created. */
static char *
seed_write (TackStorage    *storage,
            const char     *board_id,
            TackWriteKind   kind,
            JsonObject     *fields,
            const char     *member,
            GError        **error)
{
  TackWriteRequest request = { 0 };
  g_autoptr(TackWriteResult) result = NULL;
  g_autoptr(JsonNode) body = NULL;
  JsonObject *created;

  request.kind = kind;
  request.board_id = board_id;
  request.op = json_object_get_string_member (fields, "op");
  request.actor = "bench";
  request.fields = fields;
  if (!tack_storage_write (storage, &request, &result, error))
    return NULL;
  if (result->status != 201)
    {
      g_set_error (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_FAILED,
                   "%s answered %u: %s", request.op, result->status, result->body);
      return NULL;
    }
  if (!(body = json_from_string (result->body, error)))
    return NULL;
  created = json_object_get_object_member (json_node_get_object (body), member);
  return g_strdup (json_object_get_string_member (created, "id"));
}

/* Every ~SEED_GROUP writes share one transaction: seconds for 100,000. */
static gboolean
seed_next (TackStorage  *storage,
           guint        *n_writes,
           GError      **error)
{
  if (++*n_writes % SEED_GROUP != 0)
    return TRUE;
  return tack_storage_commit_group (storage, error) && tack_storage_begin_group (storage, error);
}

static gboolean
seed_board (TackStorage  *storage,
            int           n_cards,
            int           n_columns,
            char        **board_id_out,
            GError      **error)
{
  g_autoptr(BenchBoard) board = spread_board (n_cards, n_columns);
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(GPtrArray) column_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) last_cards = g_ptr_array_new_with_free_func (g_free);
  const char *board_id;
  guint n_writes = 0;

  if (!(created = tack_storage_create_board (storage, "Bench", SEED_TOKEN, error)))
    return FALSE;
  board_id = json_object_get_string_member (json_node_get_object (created), "id");
  if (!tack_storage_begin_group (storage, error))
    return FALSE;

  for (int c = 0; c < n_columns; c++)
    {
      g_autoptr(JsonObject) fields = json_object_new ();
      g_autofree char *op = g_strdup_printf ("seed-column-%d", c);
      g_autofree char *title = g_strdup_printf ("Column %d", c + 1);
      char *id;

      json_object_set_string_member (fields, "op", op);
      json_object_set_string_member (fields, "title", title);
      if (c > 0)
        json_object_set_string_member (fields, "after", g_ptr_array_index (column_ids, c - 1));
      else
        json_object_set_null_member (fields, "after");
      if (!(id = seed_write (storage, board_id, TACK_WRITE_CREATE_COLUMN, fields, "column", error)) ||
          !seed_next (storage, &n_writes, error))
        {
          g_free (id);
          return FALSE;
        }
      g_ptr_array_add (column_ids, id);
      g_ptr_array_add (last_cards, NULL);
    }

  /* The cards of the board export, content and order: each one appended
   * at the end of its column. */
  for (guint i = 0; i < board->cards->len; i++)
    {
      static const char * const content[] = { "title", "description", "labels", "assignees", "due" };
      BenchCard *card = g_ptr_array_index (board->cards, i);
      g_autofree char *json = bench_board_card_json (board, card);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(JsonObject) fields = json_object_new ();
      g_autofree char *op = g_strdup_printf ("seed-card-%u", card->index);
      const char *after = g_ptr_array_index (last_cards, card->column);
      char *id;

      if (!(node = json_from_string (json, error)))
        return FALSE;
      json_object_set_string_member (fields, "op", op);
      json_object_set_string_member (fields, "column", g_ptr_array_index (column_ids, card->column));
      for (guint k = 0; k < G_N_ELEMENTS (content); k++)
        json_object_set_member (fields, content[k], json_node_copy (json_object_get_member (json_node_get_object (node), content[k])));
      if (after != NULL)
        json_object_set_string_member (fields, "after", after);
      else
        json_object_set_null_member (fields, "after");
      if (!(id = seed_write (storage, board_id, TACK_WRITE_CREATE_CARD, fields, "card", error)) ||
          !seed_next (storage, &n_writes, error))
        {
          g_free (id);
          return FALSE;
        }
      g_free (g_ptr_array_index (last_cards, card->column));
      g_ptr_array_index (last_cards, card->column) = id;
    }

  if (!tack_storage_commit_group (storage, error))
    return FALSE;
  *board_id_out = g_strdup (board_id);
  return TRUE;
}

static int
seed_db (const char *path,
         int         n_cards,
         int         n_columns)
{
  g_autoptr(TackSqliteStorage) storage = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *board_id = NULL;
  gboolean seeded;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_printerr ("tack-ui-ttff: %s exists: --seed-db writes a new database\n", path);
      return 1;
    }
  if (!(storage = tack_sqlite_storage_new (path, 10000, &error)))
    {
      g_printerr ("tack-ui-ttff: %s\n", error->message);
      return 1;
    }
  seeded = seed_board (TACK_STORAGE (storage), n_cards, n_columns, &board_id, &error);
  tack_storage_close (TACK_STORAGE (storage));
  if (!seeded)
    {
      g_printerr ("tack-ui-ttff: seeding %s: %s\n", path, error->message);
      return 1;
    }
  g_print ("{\"board\": \"%s\", \"token\": \"%s\", \"cards\": %d}\n", board_id, SEED_TOKEN, n_cards);
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
  g_autofree char *seed_path = NULL;
  const char *t0 = g_getenv (T0_ENV);
  int n_cards = 0, n_columns = 4, status;
  GOptionEntry entries[] = {
    { "view", 0, 0, G_OPTION_ARG_STRING, &run.view, "tack, bare or bare-adw", "VIEW" },
    { "snapshot", 0, 0, G_OPTION_ARG_FILENAME, &run.snapshot, "The board export both views open", "FILE" },
    { "server", 0, 0, G_OPTION_ARG_STRING, &run.server_url, "The server of the live board both views open", "URL" },
    { "board", 0, 0, G_OPTION_ARG_STRING, &run.board_id, "The live board (token from $TACK_TOKEN)", "ID" },
    { "width", 0, 0, G_OPTION_ARG_INT, &run.width, "Window width (default 1280)", "PX" },
    { "height", 0, 0, G_OPTION_ARG_INT, &run.height, "Window height (default 800)", "PX" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &run.timeout_s, "Give up after S seconds (default 120)", "S" },
    { "write-snapshot", 0, 0, G_OPTION_ARG_FILENAME, &write_path, "Write a board of --cards cards and exit", "FILE" },
    { "seed-db", 0, 0, G_OPTION_ARG_FILENAME, &seed_path, "Write a board of --cards cards into a new server database and exit", "PATH" },
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
  if (seed_path != NULL)
    return n_cards >= 0 && n_columns > 0 ? seed_db (seed_path, n_cards, n_columns) : 1;

  if (run.view == NULL || !g_strv_contains ((const char * const[]) { "tack", "bare", "bare-adw", NULL }, run.view) ||
      (run.snapshot != NULL) == (run.server_url != NULL || run.board_id != NULL) ||
      (run.server_url != NULL) != (run.board_id != NULL))
    {
      g_printerr ("tack-ui-ttff: needs --view tack|bare|bare-adw and either --snapshot FILE or --server URL --board ID\n");
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

  g_print ("{\"scenario\": \"ui-ttff\", \"view\": \"%s\", \"source\": \"%s\", \"items\": %u, \"renderer\": \"%s\", "
           "\"gsk_renderer_env\": \"%s\", \"width\": %d, \"height\": %d, "
           "\"first_frame_ms\": %.2f, \"main_ms\": %.2f, \"startup_ms\": %.2f, \"window_ms\": %.2f, "
           "\"max_stall_ms\": %.2f, \"rows_mapped\": %u, \"rows_built\": %u}\n",
           run.view, run.snapshot != NULL ? "file" : "server", run.items, run.renderer,
           g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "",
           run.width, run.height,
           ms (run.t_frame, run.t0), ms (run.t_main, run.t0), ms (run.t_startup, run.t0), ms (run.t_window, run.t0),
           run.max_stall / 1e6, run.rows_mapped, run.rows_built);
  bench_frames_clear (&run.frames);
  g_clear_handle_id (&run.stall_id, g_source_remove);
  g_clear_object (&run.session);
  g_clear_pointer (&run.lists, g_ptr_array_unref);
  g_free (run.renderer);
  return status;
}
