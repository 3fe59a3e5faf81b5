/* tack-ui-scroll.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ui-scroll scenario of bench/ (docs/performance.md): the work of each
 * frame while a column of --cards cards is scrolled on every frame, with
 * or without --rate events per second arriving. `--mode jump` (the
 * default) sets the scroller to a random place each frame, so every row
 * shown is new; `--mode step` moves it --step pixels, a fast fling.
 *
 *   --view tack  a TackWindow (the real one, from the ui library) on a
 *                TackStore; events are JSON frames parsed and handed to
 *                the real TackDispatcher, as the transports do. Half of
 *                them (--p-update) are card.updated, which the store
 *                refetches: a BenchFetcher answers on the next main-loop
 *                iteration from the board the events were made from (the
 *                reply is parsed; there is no HTTP). The rest are
 *                card.moved, mostly within the card's column.
 *   --view bare  the same columns as GtkStringLists shown by GtkListViews
 *                of plain GtkLabels; an event is a splice of the lists at
 *                the same rate (a move: remove one, insert it elsewhere; an
 *                update: replace one).
 *   --view bare-adw  the same bare board in the window TackWindow is: a
 *                libadwaita window with a header bar, under libadwaita's
 *                style sheet. On an X display without a compositing
 *                manager (Xvfb) libadwaita draws such a window's frame
 *                itself (the .solid-csd style), so this is the control
 *                that tells the frame's share from the board's.
 *
 * --css adds a style sheet over everything else (the user's priority), to
 * find out what a part of the look costs to draw: for example
 * `--css '* { box-shadow: none; }'`.
 *
 * --description-chars makes the descriptions (a third of the cards have
 * one) that long, as a team's bug reports can be; by default they are one
 * sentence.
 *
 * Frame work is GdkFrameClock before-paint to after-paint. Prints one JSON
 * object; exits 2 if the store does not end up as the server's board.
 */

#include "config.h"

#include <json-glib/json-glib.h>

#include "tack-api.h"
#include "tack-card-row.h"
#include "tack-column-view.h"
#include "tack-dispatcher.h"
#include "tack-ui-bench.h"
#include "tack-window.h"

enum { PHASE_SHOWING, PHASE_WARMUP, PHASE_RECORDING, PHASE_DONE };

typedef struct
{
  /* options */
  char           *view;
  int             n_cards;
  int             rate;
  int             n_frames;
  int             warmup;
  int             duration_s;
  char           *mode;
  int             step;
  double          p_update;
  int             width;
  int             height;
  int             timeout_s;
  char           *css;
  int             description_chars;

  GRand          *rand;
  BenchBoard     *board;
  TackStore      *store;
  BenchFetcher   *fetcher;
  TackDispatcher *dispatcher;
  GPtrArray      *lists;          /* bare */
  guint           bare_edits;

  GtkWidget      *window;
  GtkAdjustment  *adjustment;
  BenchFrames     frames;
  guint           tick_id;
  int             phase;
  guint           phase_timeout_id;
  guint           warmup_frames_at;
  gint64          record_start_ns;
  gint64          record_end_ns;

  guint           pump_id;
  gint64          pump_start_ns;
  guint64         sent;
  guint64         recorded_events;
  gint64          backlog;          /* events due but not yet applied at the end */
  gint64          dispatch_ns;
  gboolean        done;
} Scroll;

/* ------------------------------------------------------------- events */

static void
bare_event (Scroll *s)
{
  guint total = 0, r, from = 0;
  GListModel *list;
  g_autofree char *text = NULL;

  for (guint i = 0; i < s->lists->len; i++)
    total += g_list_model_get_n_items (g_ptr_array_index (s->lists, i));
  if (total == 0)
    return;

  /* A random item of all the lists, as the events pick a random card. */
  r = g_rand_int_range (s->rand, 0, total);
  while (r >= g_list_model_get_n_items (g_ptr_array_index (s->lists, from)))
    r -= g_list_model_get_n_items (g_ptr_array_index (s->lists, from++));
  list = g_ptr_array_index (s->lists, from);

  if (g_rand_double (s->rand) < s->p_update)
    {
      const char *replace[2] = { NULL, NULL };

      text = g_strdup_printf ("%s (edit %u)", gtk_string_list_get_string (GTK_STRING_LIST (list), r), ++s->bare_edits);
      replace[0] = text;
      gtk_string_list_splice (GTK_STRING_LIST (list), r, 1, replace);
    }
  else
    {
      const char *insert[2] = { NULL, NULL };
      guint to = from;

      if (s->lists->len > 1 && g_rand_double (s->rand) >= 0.9)
        to = (from + g_rand_int_range (s->rand, 1, s->lists->len)) % s->lists->len;
      text = g_strdup (gtk_string_list_get_string (GTK_STRING_LIST (list), r));
      insert[0] = text;
      gtk_string_list_remove (GTK_STRING_LIST (list), r);
      list = g_ptr_array_index (s->lists, to);
      gtk_string_list_splice (GTK_STRING_LIST (list),
                              g_rand_int_range (s->rand, 0, g_list_model_get_n_items (list) + 1), 0, insert);
    }
}

static void
tack_event (Scroll *s)
{
  g_autofree char *text = bench_board_next_event (s->board, s->rand, s->p_update, 0.9);
  g_autoptr(JsonNode) frame = bench_parse (text, -1);

  tack_dispatcher_dispatch (s->dispatcher, frame);
}

/* Events arrive at --rate per second however long a frame takes: each
 * wakeup applies the ones due since the last, as a socket read would
 * hand over what arrived meanwhile. */
static gboolean
pump (gpointer data)
{
  Scroll *s = data;
  gint64 t0 = bench_now_ns ();
  guint64 due = (guint64)((t0 - s->pump_start_ns) / 1e9 * s->rate);
  guint64 n = 0;

  /* At most 20 ms at a time, so that the end of a phase is noticed. */
  while (s->sent < due && bench_now_ns () - t0 < 20 * 1000 * 1000)
    {
      if (s->dispatcher != NULL)
        tack_event (s);
      else
        bare_event (s);
      s->sent++;
      n++;
    }
  if (s->phase == PHASE_RECORDING)
    {
      s->dispatch_ns += bench_now_ns () - t0;
      s->recorded_events += n;
    }
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------- frames */

/* Every frame scrolls: to a random place (jump, the worst case: every
 * row is new), or --step pixels on, turning at either end (a fast fling). */
static gboolean
scroll_tick (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  Scroll *s = data;
  double range = MAX (gtk_adjustment_get_upper (s->adjustment) - gtk_adjustment_get_page_size (s->adjustment), 0);
  double value = gtk_adjustment_get_value (s->adjustment) + s->step;

  if (g_str_equal (s->mode, "jump"))
    value = g_rand_double (s->rand) * range;
  else if (value > range || value < 0)
    {
      s->step = -s->step;
      value = CLAMP (value, 0, range);
    }
  gtk_adjustment_set_value (s->adjustment, value);
  return G_SOURCE_CONTINUE;
}

static GtkWidget *
find_column_view (GtkWidget  *root,
                  const char *column_id)
{
  if (TACK_IS_COLUMN_VIEW (root))
    {
      TackColumn *column = tack_column_view_get_column (TACK_COLUMN_VIEW (root));

      if (column != NULL && g_strcmp0 (tack_column_get_id (column), column_id) == 0)
        return root;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_column_view (child, column_id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
content_shown (Scroll *s)
{
  GtkWidget *column;

  if (s->dispatcher == NULL)
    {
      s->adjustment = bench_list_adjustment (s->window, 0);
      return s->adjustment != NULL && bench_find_mapped (s->window, GTK_TYPE_LABEL) != NULL;
    }

  column = find_column_view (s->window, s->board->column_ids[0]);
  if (column == NULL || bench_find_mapped (column, TACK_TYPE_CARD_ROW) == NULL)
    return FALSE;
  s->adjustment = bench_list_adjustment (column, 0);
  return s->adjustment != NULL;
}

static void
stop_recording (Scroll *s)
{
  if (s->phase != PHASE_RECORDING)
    return;
  s->phase = PHASE_DONE;
  s->record_end_ns = bench_now_ns ();
  if (s->rate > 0)
    s->backlog = (gint64)((s->record_end_ns - s->pump_start_ns) / 1e9 * s->rate) - (gint64)s->sent;
  s->frames.recording = FALSE;
  gtk_widget_remove_tick_callback (s->window, s->tick_id);
  g_clear_handle_id (&s->pump_id, g_source_remove);
  s->done = TRUE;
}

static void
start_recording (Scroll *s)
{
  if (s->phase != PHASE_WARMUP)
    return;
  s->phase = PHASE_RECORDING;
  s->frames.recording = TRUE;
  s->record_start_ns = bench_now_ns ();
}

/* When events arrive faster than they are applied, no frame may come for
 * a long time (the events' sources outrank the frame clock, as a socket's
 * do): the phases end on time as well as on frames. */
static gboolean
phase_timeout (gpointer data)
{
  Scroll *s = data;

  s->phase_timeout_id = 0;
  if (s->phase == PHASE_WARMUP)
    {
      start_recording (s);
      s->phase_timeout_id = g_timeout_add_seconds (s->duration_s, phase_timeout, s);
    }
  else
    stop_recording (s);
  return G_SOURCE_REMOVE;
}

static void
on_frame (gpointer data)
{
  Scroll *s = data;

  switch (s->phase)
    {
    case PHASE_SHOWING:
      if (!content_shown (s))
        return;
      g_object_ref (s->adjustment);
      s->phase = PHASE_WARMUP;
      s->tick_id = gtk_widget_add_tick_callback (s->window, scroll_tick, s, NULL);
      if (s->rate > 0)
        {
          s->pump_start_ns = bench_now_ns ();
          s->pump_id = g_timeout_add (1, pump, s);
        }
      s->warmup_frames_at = s->frames.n_frames;
      s->phase_timeout_id = g_timeout_add_seconds (5, phase_timeout, s);
      break;

    case PHASE_WARMUP:
      if (s->frames.n_frames - s->warmup_frames_at < (guint)s->warmup)
        return;
      g_clear_handle_id (&s->phase_timeout_id, g_source_remove);
      start_recording (s);
      s->phase_timeout_id = g_timeout_add_seconds (s->duration_s, phase_timeout, s);
      break;

    case PHASE_RECORDING:
      /* --frames frames, or as many as --duration allows when they are slow. */
      if (s->frames.work_us->len < (guint)s->n_frames)
        return;
      g_clear_handle_id (&s->phase_timeout_id, g_source_remove);
      stop_recording (s);
      break;

    default:
      break;
    }
}

static void
on_realize (GtkWidget *window,
            Scroll    *s)
{
  s->frames.after_paint = on_frame;
  s->frames.data = s;
  bench_frames_attach (&s->frames, window);
}

/* ------------------------------------------------------------- setup */

static void
setup_tack (Scroll *s)
{
  g_autofree char *json = bench_board_snapshot_json (s->board);
  g_autoptr(JsonNode) snapshot = bench_parse (json, -1);
  g_autoptr(TackApi) api = tack_api_new ("http://127.0.0.1:9", "board-bench", "unused");
  g_autoptr(GError) error = NULL;

  s->store = tack_store_new ();
  if (!tack_store_load_snapshot (s->store, snapshot, &error))
    g_error ("tack-ui-scroll: snapshot: %s", error->message);
  s->fetcher = bench_fetcher_new (s->board);
  tack_store_set_fetcher (s->store, TACK_FETCHER (s->fetcher));
  s->dispatcher = tack_dispatcher_new (s->store, api);
  s->window = g_object_new (TACK_TYPE_WINDOW, "store", s->store, NULL);
}

static void
setup_bare (Scroll   *s,
            gboolean  adwaita)
{
  g_autoptr(GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GtkListItemFactory) factory = bench_string_factory ();

  s->lists = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint c = 0; c < s->board->n_columns; c++)
    {
      g_ptr_array_add (s->lists, gtk_string_list_new (NULL));
      g_ptr_array_add (titles, g_strdup_printf ("Column %u", c + 1));
    }
  for (guint i = 0; i < s->board->cards->len; i++)
    {
      BenchCard *card = g_ptr_array_index (s->board->cards, i);
      g_autofree char *title = bench_card_title (card->index, 0);

      gtk_string_list_append (g_ptr_array_index (s->lists, card->column), title);
    }
  if (adwaita)
    {
      s->window = adw_window_new ();
      adw_window_set_content (ADW_WINDOW (s->window),
                              bench_with_header_bar (bench_bare_board (s->lists, titles, factory)));
    }
  else
    {
      s->window = gtk_window_new ();
      gtk_window_set_child (GTK_WINDOW (s->window), bench_bare_board (s->lists, titles, factory));
    }
  gtk_window_set_title (GTK_WINDOW (s->window), "Bench");
}

static gboolean
fetches_settled (Scroll *s)
{
  return s->fetcher == NULL || bench_fetcher_get_n_in_flight (s->fetcher) == 0;
}

static void
clear_options (Scroll *s)
{
  g_clear_pointer (&s->view, g_free);
  g_clear_pointer (&s->mode, g_free);
  g_clear_pointer (&s->css, g_free);
}

int
main (int   argc,
      char *argv[])
{
  Scroll s = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int seed = 6, n_others;
  guint per_column[3];
  gboolean ok = TRUE;
  double elapsed_s;
  GOptionEntry entries[] = {
    { "view", 0, 0, G_OPTION_ARG_STRING, &s.view, "tack, bare or bare-adw", "VIEW" },
    { "cards", 0, 0, G_OPTION_ARG_INT, &s.n_cards, "Cards in the scrolled column (default 10000)", "N" },
    { "rate", 0, 0, G_OPTION_ARG_INT, &s.rate, "Events per second arriving (default 0)", "R" },
    { "frames", 0, 0, G_OPTION_ARG_INT, &s.n_frames, "Frames recorded (default 600)", "F" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &s.warmup, "Frames before recording (default 60)", "F" },
    { "duration", 0, 0, G_OPTION_ARG_INT, &s.duration_s, "Stop recording after S seconds (default 20)", "S" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &s.mode, "jump (default) or step", "MODE" },
    { "step", 0, 0, G_OPTION_ARG_INT, &s.step, "Pixels per frame in step mode (default 60)", "PX" },
    { "p-update", 0, 0, G_OPTION_ARG_DOUBLE, &s.p_update, "Share of events that are card.updated (default 0.5)", "P" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Random seed", "S" },
    { "width", 0, 0, G_OPTION_ARG_INT, &s.width, "Window width (default 1280)", "PX" },
    { "height", 0, 0, G_OPTION_ARG_INT, &s.height, "Window height (default 800)", "PX" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &s.timeout_s, "Give up after S seconds (default 300)", "S" },
    { "css", 0, 0, G_OPTION_ARG_STRING, &s.css, "A style sheet over everything else", "CSS" },
    { "description-chars", 0, 0, G_OPTION_ARG_INT, &s.description_chars,
      "Descriptions this long on a third of the cards (default: one sentence)", "N" },
    { NULL }
  };

  s.n_cards = 10000;
  s.n_frames = 600;
  s.warmup = 60;
  s.duration_s = 20;
  s.step = 60;
  s.p_update = 0.5;
  s.width = 1280;
  s.height = 800;
  s.timeout_s = 300;

  context = g_option_context_new ("- per-frame work while jump-scrolling a column");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || s.view == NULL ||
      !g_strv_contains ((const char * const[]) { "tack", "bare", "bare-adw", NULL }, s.view) ||
      (s.mode != NULL && !g_str_equal (s.mode, "jump") && !g_str_equal (s.mode, "step")) ||
      s.n_cards < 1 || s.rate < 0 || s.n_frames < 1 || s.warmup < 0 || s.description_chars < 0)
    {
      g_printerr ("tack-ui-scroll: %s\n", error ? error->message : "needs --view tack|bare|bare-adw");
      clear_options (&s);
      return 1;
    }

  if (s.mode == NULL)
    s.mode = g_strdup ("jump");
  gtk_init ();
  if (s.css != NULL && !bench_load_css (s.css, &error))
    {
      g_printerr ("tack-ui-scroll: --css: %s\n", error->message);
      clear_options (&s);
      return 1;
    }
  s.rand = g_rand_new_with_seed (seed);

  /* The scrolled column, and two short ones the moves go to and come from. */
  n_others = MAX (s.n_cards / 100, 1);
  per_column[0] = s.n_cards;
  per_column[1] = per_column[2] = n_others;
  s.board = bench_board_new (per_column, G_N_ELEMENTS (per_column));
  bench_board_set_description_chars (s.board, s.description_chars);

  if (g_str_equal (s.view, "tack"))
    {
      adw_init ();
      bench_load_tack_style ();
      setup_tack (&s);
    }
  else if (g_str_equal (s.view, "bare-adw"))
    {
      adw_init ();
      setup_bare (&s, TRUE);
    }
  else
    {
      setup_bare (&s, FALSE);
    }

  gtk_window_set_default_size (GTK_WINDOW (s.window), s.width, s.height);
  g_signal_connect_after (s.window, "realize", G_CALLBACK (on_realize), &s);
  gtk_window_present (GTK_WINDOW (s.window));

  if (!bench_wait (&s.done, s.timeout_s))
    {
      g_printerr ("tack-ui-scroll: timed out after %d s in phase %d (%u frames)\n",
                  s.timeout_s, s.phase, s.frames.n_frames);
      return 2;
    }

  /* Let the last refetches land, then the store must be the server's board. */
  {
    gint64 deadline = bench_now_ns () + 30 * G_GINT64_CONSTANT (1000000000);

    while (!fetches_settled (&s) && bench_now_ns () < deadline)
      g_main_context_iteration (NULL, FALSE);
    while (g_main_context_iteration (NULL, FALSE))
      ;
  }
  if (s.store != NULL && !bench_board_check_store (s.board, s.store, &error))
    {
      g_printerr ("tack-ui-scroll: lost: %s\n", error->message);
      ok = FALSE;
    }
  if (s.lists != NULL)
    {
      guint total = 0;

      for (guint i = 0; i < s.lists->len; i++)
        total += g_list_model_get_n_items (g_ptr_array_index (s.lists, i));
      if (total != s.board->cards->len)
        {
          g_printerr ("tack-ui-scroll: lost: the lists hold %u items of %u\n", total, s.board->cards->len);
          ok = FALSE;
        }
    }

  elapsed_s = (s.record_end_ns - s.record_start_ns) / 1e9;
  g_print ("{\"scenario\": \"ui-scroll\", \"view\": \"%s\", \"mode\": \"%s\", \"cards\": %d, \"rate\": %d, \"renderer\": \"%s\", "
           "\"width\": %d, \"height\": %d, \"frames\": %u, \"elapsed_s\": %.3f, \"fps\": %.1f, "
           "\"work_ms\": {\"p50\": %.3f, \"p95\": %.3f, \"max\": %.3f}, "
           "\"interval_ms\": {\"p50\": %.3f, \"p95\": %.3f, \"max\": %.3f}, "
           "\"events\": %" G_GUINT64_FORMAT ", \"events_recorded\": %" G_GUINT64_FORMAT ", "
           "\"events_per_s\": %.1f, \"backlog\": %" G_GINT64_FORMAT ", \"dispatch_ms_per_s\": %.2f, \"refetched\": %u, "
           "\"rows_built\": %u, \"ok\": %s}\n",
           s.view, s.mode, s.n_cards, s.rate, bench_renderer_name (s.window), s.width, s.height,
           s.frames.work_us->len, elapsed_s, elapsed_s > 0 ? s.frames.work_us->len / elapsed_s : 0,
           bench_percentile (s.frames.work_us, 0.50) / 1e3, bench_percentile (s.frames.work_us, 0.95) / 1e3,
           bench_max (s.frames.work_us) / 1e3,
           bench_percentile (s.frames.interval_us, 0.50) / 1e3, bench_percentile (s.frames.interval_us, 0.95) / 1e3,
           bench_max (s.frames.interval_us) / 1e3,
           s.sent, s.recorded_events, elapsed_s > 0 ? s.recorded_events / elapsed_s : 0,
           s.backlog,
           elapsed_s > 0 ? s.dispatch_ns / 1e6 / elapsed_s : 0,
           s.fetcher ? bench_fetcher_get_n_fetched (s.fetcher) : 0,
           bench_count (s.window, s.dispatcher ? TACK_TYPE_CARD_ROW : GTK_TYPE_LABEL, FALSE),
           ok ? "true" : "false");

  bench_frames_clear (&s.frames);
  g_clear_object (&s.adjustment);
  gtk_window_destroy (GTK_WINDOW (s.window));
  g_clear_object (&s.dispatcher);
  g_clear_object (&s.fetcher);
  g_clear_object (&s.store);
  g_clear_pointer (&s.lists, g_ptr_array_unref);
  g_clear_pointer (&s.board, bench_board_free);
  g_rand_free (s.rand);
  clear_options (&s);
  return ok ? 0 : 2;
}
