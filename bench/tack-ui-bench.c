/* tack-ui-bench.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <time.h>

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "tack-ui-bench.h"

gint64
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64)ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

JsonNode *
bench_parse (const char *text,
             gssize      length)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, length, &error))
    g_error ("bench: %s", error->message);
  return json_node_ref (json_parser_get_root (parser));
}

/* ------------------------------------------------------------- the board */

/* Cards look like a team's: titles of several lengths, a description on a
 * third of them, labels, assignees and due dates on some. */
#define DESCRIPTION "Steps to reproduce: open the board, drag a card to another column and watch the count."

static const char *card_titles[] = {
  "Fix the crash on resume",
  "Write the release notes for the next version",
  "Review the icons",
  "Move the settings dialog to the new preferences window and drop the old one",
  "Bump the version",
  "Translate the new strings",
  "Profile the board with ten thousand cards",
  "Answer the question about offline mode in the forum",
};

char *
bench_card_title (guint index,
                  guint edits)
{
  if (edits == 0)
    return g_strdup_printf ("%s #%u", card_titles[index % G_N_ELEMENTS (card_titles)], index);
  return g_strdup_printf ("%s #%u (edit %u)", card_titles[index % G_N_ELEMENTS (card_titles)], index, edits);
}

static void
bench_card_free (gpointer data)
{
  BenchCard *card = data;

  g_free (card->id);
  g_free (card->position);
  g_free (card);
}

BenchBoard *
bench_board_new (const guint *per_column,
                 guint        n_columns)
{
  BenchBoard *board = g_new0 (BenchBoard, 1);
  guint total = 0, index = 0;

  g_assert (n_columns > 0);

  board->n_columns = n_columns;
  board->column_ids = g_new0 (char *, n_columns + 1);
  board->cards = g_ptr_array_new_with_free_func (bench_card_free);
  board->by_id = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint c = 0; c < n_columns; c++)
    {
      board->column_ids[c] = g_strdup_printf ("col-%u", c);
      total += per_column[c];
    }
  board->position_range = MAX (total, 1) * 16;
  board->description = g_strdup (DESCRIPTION);

  /* Positions grow with the index, so a column's order is the cards' order. */
  for (guint c = 0; c < n_columns; c++)
    for (guint i = 0; i < per_column[c]; i++, index++)
      {
        BenchCard *card = g_new0 (BenchCard, 1);

        card->index = index;
        card->id = g_strdup_printf ("card-%06u", index);
        card->column = c;
        card->position = g_strdup_printf ("k%08u", index * 16);
        card->version = 1;
        g_ptr_array_add (board->cards, card);
        g_hash_table_insert (board->by_id, card->id, card);
      }

  return board;
}

void
bench_board_free (BenchBoard *board)
{
  g_hash_table_unref (board->by_id);
  g_ptr_array_unref (board->cards);
  g_strfreev (board->column_ids);
  g_free (board->description);
  g_free (board);
}

/* Makes the descriptions @n_chars long (the usual sentence, repeated), as
 * a team's bug reports can be; 0 for the usual one sentence. Before any
 * JSON is made from @board. */
void
bench_board_set_description_chars (BenchBoard *board,
                                   guint       n_chars)
{
  GString *description = g_string_new (DESCRIPTION);

  while (n_chars > 0 && description->len < n_chars)
    g_string_append (description, " " DESCRIPTION);
  if (n_chars > 0)
    g_string_truncate (description, n_chars);

  g_free (board->description);
  board->description = g_string_free (description, FALSE);
}

char *
bench_board_card_json (BenchBoard *board,
                       BenchCard  *card)
{
  guint i = card->index;
  g_autofree char *title = bench_card_title (i, card->edits);
  g_autofree char *due = i % 7 == 0 ? g_strdup_printf ("\"2026-12-%02u\"", 1 + i % 28) : g_strdup ("null");

  return g_strdup_printf ("{\"id\": \"%s\", \"column\": \"%s\", \"title\": \"%s\", \"description\": \"%s\", "
                          "\"position\": \"%s\", \"labels\": %s, \"assignees\": %s, \"due\": %s, "
                          "\"version\": %" G_GINT64_FORMAT ", \"updated_at\": \"2026-11-25T06:00:00Z\", "
                          "\"updated_by\": \"bench\"}",
                          card->id, board->column_ids[card->column], title,
                          i % 3 == 0 ? board->description : "",
                          card->position,
                          i % 4 == 0 ? "[\"bug\"]" : i % 10 == 1 ? "[\"ui\", \"p2\"]" : "[]",
                          i % 6 == 0 ? "[\"Ada Lovelace\"]" : "[]",
                          due, card->version);
}

char *
bench_board_snapshot_json (BenchBoard *board)
{
  GString *s = g_string_new ("{\"board\": {\"id\": \"board-bench\", \"title\": \"Bench\", \"version\": 1, ");

  g_string_append_printf (s, "\"seq\": %" G_GINT64_FORMAT "}, \"columns\": [", board->seq);
  for (guint c = 0; c < board->n_columns; c++)
    g_string_append_printf (s, "%s{\"id\": \"%s\", \"board\": \"board-bench\", \"title\": \"Column %u\", "
                               "\"position\": \"a%02u\", \"wip_limit\": 0, \"version\": 1}",
                            c ? ", " : "", board->column_ids[c], c + 1, c);
  g_string_append (s, "], \"cards\": [");
  for (guint i = 0; i < board->cards->len; i++)
    {
      g_autofree char *card = bench_board_card_json (board, g_ptr_array_index (board->cards, i));

      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, card);
    }
  g_string_append_printf (s, "], \"seq\": %" G_GINT64_FORMAT "}", board->seq);
  return g_string_free (s, FALSE);
}

/* One event the server would send: a random card is either edited
 * (card.updated, which the client refetches) or moved to a random place,
 * in its own column with probability @p_same_column, else in another. */
char *
bench_board_next_event (BenchBoard *board,
                        GRand      *rand,
                        double      p_update,
                        double      p_same_column)
{
  BenchCard *card = g_ptr_array_index (board->cards, g_rand_int_range (rand, 0, board->cards->len));
  g_autofree char *json = NULL;
  gint64 seq = ++board->seq;

  card->version++;
  if (g_rand_double (rand) < p_update)
    {
      card->edits++;
      return g_strdup_printf ("{\"seq\": %" G_GINT64_FORMAT ", \"type\": \"card.updated\", \"op\": null, "
                              "\"actor\": \"bench\", \"data\": {\"id\": \"%s\", \"version\": %" G_GINT64_FORMAT ", "
                              "\"fields\": [\"title\"]}}",
                              seq, card->id, card->version);
    }

  if (board->n_columns > 1 && g_rand_double (rand) >= p_same_column)
    card->column = (card->column + g_rand_int_range (rand, 1, board->n_columns)) % board->n_columns;
  g_free (card->position);
  card->position = g_strdup_printf ("k%08u", g_rand_int_range (rand, 0, board->position_range));
  json = bench_board_card_json (board, card);
  return g_strdup_printf ("{\"seq\": %" G_GINT64_FORMAT ", \"type\": \"card.moved\", \"op\": null, "
                          "\"actor\": \"bench\", \"data\": {\"card\": %s}}",
                          seq, json);
}

/* The store must show every card as the server has it, and every column
 * must hold exactly its cards: nothing lost, nothing stale. */
gboolean
bench_board_check_store (BenchBoard  *board,
                         TackStore   *store,
                         GError     **error)
{
  g_autofree guint *counts = g_new0 (guint, board->n_columns);

  if (tack_board_get_seq (tack_store_get_board (store)) != board->seq)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the store is at seq %" G_GINT64_FORMAT ", the server at %"
                   G_GINT64_FORMAT, tack_board_get_seq (tack_store_get_board (store)), board->seq);
      return FALSE;
    }

  for (guint i = 0; i < board->cards->len; i++)
    {
      BenchCard *card = g_ptr_array_index (board->cards, i);
      TackCard *shown = tack_store_lookup_card (store, card->id);
      g_autofree char *title = bench_card_title (card->index, card->edits);

      if (shown == NULL ||
          tack_card_get_version (shown) != card->version ||
          g_strcmp0 (tack_card_get_column_id (shown), board->column_ids[card->column]) != 0 ||
          g_strcmp0 (tack_card_get_title (shown), title) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "card %s: the store has version %" G_GINT64_FORMAT " in %s titled “%s”, "
                       "the server version %" G_GINT64_FORMAT " in %s titled “%s”",
                       card->id, shown ? tack_card_get_version (shown) : -1,
                       shown ? tack_card_get_column_id (shown) : "(none)",
                       shown ? tack_card_get_title (shown) : "",
                       card->version, board->column_ids[card->column], title);
          return FALSE;
        }
      counts[card->column]++;
    }

  for (guint c = 0; c < board->n_columns; c++)
    {
      TackColumn *column = tack_store_lookup_column (store, board->column_ids[c]);

      if (column == NULL || g_list_model_get_n_items (tack_column_get_cards (column)) != counts[c])
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "column %s shows %u cards, the server has %u",
                       board->column_ids[c],
                       column ? g_list_model_get_n_items (tack_column_get_cards (column)) : 0, counts[c]);
          return FALSE;
        }
    }

  return TRUE;
}

/* ------------------------------------------------------ refetch answers */

struct _BenchFetcher
{
  GObject     parent_instance;

  BenchBoard *board;
  guint       n_fetched;
  guint       n_in_flight;
};

static void bench_fetcher_iface_init (TackFetcherInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BenchFetcher, bench_fetcher, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TACK_TYPE_FETCHER, bench_fetcher_iface_init))

static gboolean
answer_card (gpointer user_data)
{
  GTask *task = user_data;
  BenchFetcher *self = g_task_get_source_object (task);
  BenchCard *card = g_hash_table_lookup (self->board->by_id, g_task_get_task_data (task));

  self->n_in_flight--;
  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;

  if (card == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no such card");
    }
  else
    {
      g_autofree char *json = bench_board_card_json (self->board, card);
      g_autoptr(JsonNode) node = bench_parse (json, -1);

      self->n_fetched++;
      g_task_return_pointer (task, json_object_ref (json_node_get_object (node)),
                             (GDestroyNotify)json_object_unref);
    }
  return G_SOURCE_REMOVE;
}

static void
bench_fetcher_fetch_card_async (TackFetcher         *fetcher,
                                const char          *card_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  BenchFetcher *self = BENCH_FETCHER (fetcher);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_task_data (task, g_strdup (card_id), g_free);
  self->n_in_flight++;
  g_idle_add_full (G_PRIORITY_DEFAULT, answer_card, task, g_object_unref);
}

static JsonObject *
bench_fetcher_fetch_card_finish (TackFetcher   *fetcher,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
bench_fetcher_fetch_board_async (TackFetcher         *fetcher,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  /* The scenarios never ask: a board refetch would be a bug they report. */
  g_task_report_new_error (fetcher, callback, user_data, bench_fetcher_fetch_board_async,
                           G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "bench: no board refetch");
}

static JsonNode *
bench_fetcher_fetch_board_finish (TackFetcher   *fetcher,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
bench_fetcher_iface_init (TackFetcherInterface *iface)
{
  iface->fetch_card_async = bench_fetcher_fetch_card_async;
  iface->fetch_card_finish = bench_fetcher_fetch_card_finish;
  iface->fetch_board_async = bench_fetcher_fetch_board_async;
  iface->fetch_board_finish = bench_fetcher_fetch_board_finish;
}

static void
bench_fetcher_class_init (BenchFetcherClass *klass)
{
}

static void
bench_fetcher_init (BenchFetcher *self)
{
}

BenchFetcher *
bench_fetcher_new (BenchBoard *board)
{
  BenchFetcher *self = g_object_new (BENCH_TYPE_FETCHER, NULL);

  self->board = board;
  return self;
}

guint
bench_fetcher_get_n_fetched (BenchFetcher *self)
{
  return self->n_fetched;
}

guint
bench_fetcher_get_n_in_flight (BenchFetcher *self)
{
  return self->n_in_flight;
}

/* ------------------------------------------------------------ frames */

static void
on_before_paint (GdkFrameClock *clock,
                 BenchFrames   *frames)
{
  frames->before_us = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                BenchFrames   *frames)
{
  gint64 t = g_get_monotonic_time ();

  if (frames->recording && frames->before_us > 0)
    {
      gint64 work = t - frames->before_us;

      g_array_append_val (frames->work_us, work);
      if (frames->last_after_us > 0)
        {
          gint64 interval = t - frames->last_after_us;

          g_array_append_val (frames->interval_us, interval);
        }
    }
  frames->last_after_us = t;
  frames->before_us = 0;
  frames->n_frames++;
  if (frames->after_paint != NULL)
    frames->after_paint (frames->data);
}

void
bench_frames_attach (BenchFrames *frames,
                     GtkWidget   *widget)
{
  g_assert (gtk_widget_get_realized (widget));

  frames->clock = g_object_ref (gtk_widget_get_frame_clock (widget));
  if (frames->work_us == NULL)
    frames->work_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (frames->interval_us == NULL)
    frames->interval_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  frames->before_id = g_signal_connect (frames->clock, "before-paint", G_CALLBACK (on_before_paint), frames);
  frames->after_id = g_signal_connect (frames->clock, "after-paint", G_CALLBACK (on_after_paint), frames);
}

void
bench_frames_detach (BenchFrames *frames)
{
  if (frames->clock != NULL)
    {
      g_clear_signal_handler (&frames->before_id, frames->clock);
      g_clear_signal_handler (&frames->after_id, frames->clock);
      g_clear_object (&frames->clock);
    }
}

void
bench_frames_clear (BenchFrames *frames)
{
  bench_frames_detach (frames);
  g_clear_pointer (&frames->work_us, g_array_unref);
  g_clear_pointer (&frames->interval_us, g_array_unref);
}

static int
cmp_gint64 (gconstpointer a,
            gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

double
bench_percentile (GArray *values,
                  double  p)
{
  if (values == NULL || values->len == 0)
    return -1;
  g_array_sort (values, cmp_gint64);
  return g_array_index (values, gint64, MIN ((guint)(p * values->len), values->len - 1));
}

double
bench_max (GArray *values)
{
  return bench_percentile (values, 1.0);
}

void
bench_load_tack_style (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, "/io/github/tackboard/Tack/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
on_css_parsing_error (GtkCssProvider *provider,
                      GtkCssSection  *section,
                      const GError   *error,
                      GError        **first)
{
  if (*first == NULL)
    {
      g_autofree char *where = gtk_css_section_to_string (section);

      *first = g_error_new (error->domain, error->code, "%s: %s", where, error->message);
    }
}

/* Adds @css over every other style sheet, the way a user's own
 * gtk.css would; fails on the first error in it. */
gboolean
bench_load_css (const char  *css,
                GError     **error)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
  GError *first = NULL;
  gulong handler;

  handler = g_signal_connect (provider, "parsing-error", G_CALLBACK (on_css_parsing_error), &first);
  gtk_css_provider_load_from_data (provider, css, -1);
  g_signal_handler_disconnect (provider, handler);
  if (first != NULL)
    {
      g_propagate_error (error, first);
      return FALSE;
    }
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_USER);
  return TRUE;
}

const char *
bench_renderer_name (GtkWidget *widget)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GskRenderer *renderer = native ? gtk_native_get_renderer (native) : NULL;

  return renderer ? G_OBJECT_TYPE_NAME (renderer) : "none";
}

/* ------------------------------------------------------------- widgets */

GtkWidget *
bench_find_mapped (GtkWidget *root,
                   GType      type)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = bench_find_mapped (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

guint
bench_count (GtkWidget *root,
             GType      type,
             gboolean   mapped_only)
{
  guint n = 0;

  if (mapped_only && !gtk_widget_get_mapped (root))
    return 0;
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    n++;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += bench_count (child, type, mapped_only);
  return n;
}

static void
string_setup (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
string_bind (GtkSignalListItemFactory *factory,
             GtkListItem              *item)
{
  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)),
                       gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

GtkListItemFactory *
bench_string_factory (void)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (string_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (string_bind), NULL);
  return factory;
}

GtkWidget *
bench_bare_board (GPtrArray          *lists,
                  GPtrArray          *titles,
                  GtkListItemFactory *factory)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  for (guint c = 0; c < lists->len; c++)
    {
      GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *cards = gtk_scrolled_window_new ();
      GtkNoSelection *selection = gtk_no_selection_new (g_object_ref (g_ptr_array_index (lists, c)));
      GtkWidget *view = gtk_list_view_new (GTK_SELECTION_MODEL (selection), g_object_ref (factory));

      gtk_widget_set_size_request (column, 300, -1);
      gtk_box_append (GTK_BOX (column), gtk_label_new (g_ptr_array_index (titles, c)));
      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (cards), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
      gtk_widget_set_vexpand (cards, TRUE);
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (cards), view);
      gtk_box_append (GTK_BOX (column), cards);
      gtk_box_append (GTK_BOX (box), column);
    }
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), box);
  return scroller;
}

/* @board under a libadwaita header bar, as the content of a libadwaita
 * window: the window Tack's is, for the bare views' "bare-adw". */
GtkWidget *
bench_with_header_bar (GtkWidget *board)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_widget_set_vexpand (board, TRUE);
  gtk_box_append (GTK_BOX (content), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (content), board);
  return content;
}

static void
collect_list_views (GtkWidget *root,
                    GPtrArray *found)
{
  if (GTK_IS_LIST_VIEW (root))
    g_ptr_array_add (found, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_list_views (child, found);
}

GtkAdjustment *
bench_list_adjustment (GtkWidget *root,
                       guint      index)
{
  g_autoptr(GPtrArray) views = g_ptr_array_new ();
  GtkWidget *scroller;

  collect_list_views (root, views);
  if (index >= views->len)
    return NULL;
  scroller = gtk_widget_get_ancestor (g_ptr_array_index (views, index), GTK_TYPE_SCROLLED_WINDOW);
  return scroller ? gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)) : NULL;
}

static gboolean
wait_timed_out (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
bench_wait (gboolean *done,
            guint     timeout_s)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (timeout_s, wait_timed_out, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return *done;
}
