/* tack-ui-apply.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The widget half of the client-apply scenario of bench/
 * (docs/performance.md): card.moved events/s that TackDispatcher applies
 * into a TackStore holding a board of --cards cards while the store's
 * columns are bound to list widgets in a mapped window, so that every
 * items-changed reaches real widgets.
 *
 *   --widgets none      no GTK at all: the same loop, the store alone
 *   --widgets listview  each column's card model shown by a GtkListView of
 *                       GtkLabels bound to the card's title
 *   --widgets window    the real TackWindow (TackBoardView, TackColumnView,
 *                       TackCardRow) on the store
 *
 * The events are the ones tack-client-apply uses (random cards moved to a
 * random place in the other column), parsed before the clock starts. They
 * are dispatched in batches of --batch from an idle callback below the
 * frame clock's priority, so that frames are laid out and drawn while the
 * events arrive: events/s counts from the first event to the first frame
 * painted after the last. Prints one JSON object.
 */

#include "config.h"

#include <json-glib/json-glib.h>

#include "tack-api.h"
#include "tack-card-row.h"
#include "tack-dispatcher.h"
#include "tack-ui-bench.h"
#include "tack-window.h"

typedef struct
{
  char           *widgets;
  int             n_cards;
  int             n_events;
  int             batch;
  int             timeout_s;

  BenchBoard     *board;
  TackStore      *store;
  TackDispatcher *dispatcher;
  GPtrArray      *frames_json;   /* JsonNode * */
  GtkWidget      *window;
  BenchFrames     frames;

  guint           next;
  gint64          t0;
  gint64          t_applied;
  gint64          t_end;
  gint64          dispatch_ns;
  guint           binds;          /* listview: rows bound to a card */
  gboolean        shown;
  gboolean        painted_after;
  gboolean        done;
} Apply;

static void
on_frame (gpointer data)
{
  Apply *a = data;

  if (!a->shown)
    {
      GType row = g_str_equal (a->widgets, "window") ? TACK_TYPE_CARD_ROW : GTK_TYPE_LABEL;

      a->shown = gtk_widget_get_mapped (a->window) && bench_find_mapped (a->window, row) != NULL;
      return;
    }
  if (a->t_applied != 0 && a->t_end == 0)
    {
      a->t_end = bench_now_ns ();
      a->frames.recording = FALSE;
      a->done = TRUE;
    }
}

static void
on_realize (GtkWidget *window,
            Apply     *a)
{
  a->frames.after_paint = on_frame;
  a->frames.data = a;
  bench_frames_attach (&a->frames, window);
}

static gboolean
apply_batch (gpointer data)
{
  Apply *a = data;
  gint64 t = bench_now_ns ();

  for (int i = 0; i < a->batch && a->next < a->frames_json->len; i++)
    tack_dispatcher_dispatch (a->dispatcher, g_ptr_array_index (a->frames_json, a->next++));
  a->dispatch_ns += bench_now_ns () - t;

  if (a->next < a->frames_json->len)
    return G_SOURCE_CONTINUE;

  a->t_applied = bench_now_ns ();
  if (a->window == NULL)
    {
      a->t_end = a->t_applied;
      a->done = TRUE;
    }
  else
    {
      /* The clock stops when the last change is on screen. */
      gtk_widget_queue_draw (a->window);
    }
  return G_SOURCE_REMOVE;
}

/* A GtkLabel bound to the card's title, as simple as a bound row gets. */
static void
title_setup (GtkSignalListItemFactory *factory,
             GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
title_bind (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            Apply                    *a)
{
  GBinding *binding = g_object_bind_property (gtk_list_item_get_item (item), "title",
                                              gtk_list_item_get_child (item), "label",
                                              G_BINDING_SYNC_CREATE);

  g_object_set_data (G_OBJECT (item), "binding", binding);
  a->binds++;
}

static void
title_unbind (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  GBinding *binding = g_object_steal_data (G_OBJECT (item), "binding");

  if (binding != NULL)
    g_binding_unbind (binding);
}

static GtkWidget *
listview_window (Apply *a)
{
  g_autoptr(GPtrArray) lists = g_ptr_array_new ();
  g_autoptr(GPtrArray) titles = g_ptr_array_new ();
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkWidget *window = gtk_window_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (title_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (title_bind), a);
  g_signal_connect (factory, "unbind", G_CALLBACK (title_unbind), NULL);
  for (guint c = 0; c < a->board->n_columns; c++)
    {
      TackColumn *column = tack_store_lookup_column (a->store, a->board->column_ids[c]);

      g_ptr_array_add (lists, tack_column_get_cards (column));
      g_ptr_array_add (titles, (gpointer)tack_column_get_title (column));
    }
  gtk_window_set_title (GTK_WINDOW (window), "Bench");
  gtk_window_set_child (GTK_WINDOW (window), bench_bare_board (lists, titles, factory));
  return window;
}

int
main (int   argc,
      char *argv[])
{
  Apply a = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = NULL;
  g_autoptr(TackApi) api = NULL;
  g_autoptr(JsonNode) snapshot = NULL;
  g_autofree char *snapshot_json = NULL;
  int seed = 6;
  guint per_column[2];
  double elapsed_s;
  gboolean ok = TRUE;
  GOptionEntry entries[] = {
    { "widgets", 0, 0, G_OPTION_ARG_STRING, &a.widgets, "none, listview or window", "KIND" },
    { "cards", 'c', 0, G_OPTION_ARG_INT, &a.n_cards, "Cards on the board (default 10000)", "N" },
    { "events", 'e', 0, G_OPTION_ARG_INT, &a.n_events, "card.moved events to apply (default 20000)", "M" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &a.batch, "Events per main-loop iteration (default 100)", "B" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Random seed", "S" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &a.timeout_s, "Give up after S seconds (default 600)", "S" },
    { NULL }
  };

  a.n_cards = 10000;
  a.n_events = 20000;
  a.batch = 100;
  a.timeout_s = 600;

  context = g_option_context_new ("- events/s into a TackStore whose columns are bound to list widgets");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || a.widgets == NULL ||
      (!g_str_equal (a.widgets, "none") && !g_str_equal (a.widgets, "listview") && !g_str_equal (a.widgets, "window")) ||
      a.n_cards < 1 || a.n_events < 1 || a.batch < 1)
    {
      g_printerr ("tack-ui-apply: %s\n", error ? error->message : "needs --widgets none|listview|window");
      return 1;
    }

  /* The board of tack-client-apply: every card in the first of two columns. */
  per_column[0] = a.n_cards;
  per_column[1] = 0;
  a.board = bench_board_new (per_column, G_N_ELEMENTS (per_column));
  snapshot_json = bench_board_snapshot_json (a.board);
  snapshot = bench_parse (snapshot_json, -1);
  rand = g_rand_new_with_seed (seed);
  a.frames_json = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  for (int e = 0; e < a.n_events; e++)
    {
      g_autofree char *text = bench_board_next_event (a.board, rand, 0.0, 0.0);

      g_ptr_array_add (a.frames_json, bench_parse (text, -1));
    }

  a.store = tack_store_new ();
  if (!tack_store_load_snapshot (a.store, snapshot, &error))
    {
      g_printerr ("tack-ui-apply: snapshot: %s\n", error->message);
      return 1;
    }
  api = tack_api_new ("http://127.0.0.1:9", "board-bench", "unused");
  a.dispatcher = tack_dispatcher_new (a.store, api);

  if (!g_str_equal (a.widgets, "none"))
    {
      gtk_init ();
      if (g_str_equal (a.widgets, "window"))
        {
          adw_init ();
          bench_load_tack_style ();
          a.window = g_object_new (TACK_TYPE_WINDOW, "store", a.store, NULL);
        }
      else
        {
          a.window = listview_window (&a);
        }
      gtk_window_set_default_size (GTK_WINDOW (a.window), 1280, 800);
      g_signal_connect_after (a.window, "realize", G_CALLBACK (on_realize), &a);
      gtk_window_present (GTK_WINDOW (a.window));
      if (!bench_wait (&a.shown, a.timeout_s))
        {
          g_printerr ("tack-ui-apply: the window never showed the board\n");
          return 2;
        }
      a.frames.recording = TRUE;
    }

  a.binds = 0;
  a.t0 = bench_now_ns ();
  g_idle_add (apply_batch, &a);
  if (!bench_wait (&a.done, a.timeout_s))
    {
      g_printerr ("tack-ui-apply: timed out after %u of %d events\n", a.next, a.n_events);
      return 2;
    }

  if (!bench_board_check_store (a.board, a.store, &error))
    {
      g_printerr ("tack-ui-apply: lost: %s\n", error->message);
      ok = FALSE;
    }

  elapsed_s = (a.t_end - a.t0) / 1e9;
  g_print ("{\"scenario\": \"client-apply\", \"widgets\": \"%s\", \"cards\": %d, \"events\": %d, \"batch\": %d, "
           "\"renderer\": \"%s\", \"elapsed_s\": %.3f, \"events_per_s\": %.0f, \"dispatch_events_per_s\": %.0f, "
           "\"frames\": %u, \"work_ms\": {\"p50\": %.3f, \"p95\": %.3f, \"max\": %.3f}, \"binds\": %u, \"ok\": %s}\n",
           a.widgets, a.n_cards, a.n_events, a.batch, a.window ? bench_renderer_name (a.window) : "none",
           elapsed_s, a.n_events / elapsed_s, a.n_events / (a.dispatch_ns / 1e9),
           a.frames.work_us ? a.frames.work_us->len : 0,
           bench_percentile (a.frames.work_us, 0.50) / 1e3, bench_percentile (a.frames.work_us, 0.95) / 1e3,
           bench_max (a.frames.work_us) / 1e3, a.binds, ok ? "true" : "false");

  bench_frames_clear (&a.frames);
  if (a.window != NULL)
    gtk_window_destroy (GTK_WINDOW (a.window));
  g_clear_object (&a.dispatcher);
  g_clear_object (&a.store);
  g_ptr_array_unref (a.frames_json);
  bench_board_free (a.board);
  return ok ? 0 : 2;
}
