/* tack-ui-bench.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the UI scenarios of bench/ share (docs/performance.md): a generated
 * board that plays the server (its cards, the events that change them and
 * the answers to refetches), frame timing from the GdkFrameClock, and
 * small helpers for walking a window's widgets.
 */

#pragma once

#include <gtk/gtk.h>

#include "tack-fetcher.h"
#include "tack-store.h"

G_BEGIN_DECLS

gint64 bench_now_ns (void);

/* ------------------------------------------------------------- the board */

typedef struct
{
  char   *id;
  guint   index;
  guint   column;
  char   *position;
  gint64  version;
  guint   edits;
} BenchCard;

/* The server's side of a board: what every card is now. Events are made
 * from it and refetches are answered from it, so at the end the store must
 * hold exactly this. */
typedef struct
{
  guint       n_columns;
  char      **column_ids;
  GPtrArray  *cards;          /* BenchCard *, by index */
  GHashTable *by_id;          /* id -> BenchCard * */
  gint64      seq;
  guint       position_range;
  char       *description;    /* of every third card */
} BenchBoard;

BenchBoard *bench_board_new           (const guint *per_column,
                                       guint        n_columns);
void        bench_board_free          (BenchBoard  *board);
void        bench_board_set_description_chars (BenchBoard *board,
                                               guint       n_chars);
char       *bench_board_card_json     (BenchBoard  *board,
                                       BenchCard   *card);
char       *bench_board_snapshot_json (BenchBoard  *board);
char       *bench_board_next_event    (BenchBoard  *board,
                                       GRand       *rand,
                                       double       p_update,
                                       double       p_same_column);
gboolean    bench_board_check_store   (BenchBoard  *board,
                                       TackStore   *store,
                                       GError     **error);
char       *bench_card_title          (guint        index,
                                       guint        edits);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchBoard, bench_board_free)

JsonNode   *bench_parse               (const char  *text,
                                       gssize       length);

/* ------------------------------------------------------ refetch answers */

/* A TackFetcher answering from a BenchBoard on the next main-loop
 * iteration, the way an HTTP reply arrives: the card's JSON text is parsed
 * then, as TackApi parses the reply body. No HTTP. */
#define BENCH_TYPE_FETCHER (bench_fetcher_get_type ())

G_DECLARE_FINAL_TYPE (BenchFetcher, bench_fetcher, BENCH, FETCHER, GObject)

BenchFetcher *bench_fetcher_new             (BenchBoard   *board);
guint         bench_fetcher_get_n_fetched   (BenchFetcher *self);
guint         bench_fetcher_get_n_in_flight (BenchFetcher *self);

/* ------------------------------------------------------------ frames */

/* Frame work is the time from the frame clock's before-paint to its
 * after-paint: the update phase (tick callbacks), layout, snapshot and
 * GSK render of one frame. */
typedef struct
{
  GdkFrameClock *clock;
  gulong         before_id;
  gulong         after_id;
  gint64         before_us;
  gint64         last_after_us;
  gboolean       recording;
  GArray        *work_us;      /* gint64 */
  GArray        *interval_us;  /* gint64, after-paint to after-paint */
  guint          n_frames;     /* every after-paint, recorded or not */
  void         (*after_paint) (gpointer data);
  gpointer       data;
} BenchFrames;

void        bench_frames_attach       (BenchFrames *frames,
                                       GtkWidget   *widget);
void        bench_frames_detach       (BenchFrames *frames);
void        bench_frames_clear        (BenchFrames *frames);

/* Sorts @values (gint64) in place; the p-th fraction, -1 when empty. */
double      bench_percentile          (GArray      *values,
                                       double       p);
double      bench_max                 (GArray      *values);

const char *bench_renderer_name       (GtkWidget   *widget);

/* ------------------------------------------------------------- widgets */

/* Tack's stylesheet, which TackApplication has AdwApplication load: a
 * TackWindow made without the application needs it to look (and be laid
 * out: a column is 300 px wide) as it does for a user. */
void        bench_load_tack_style     (void);
gboolean    bench_load_css            (const char  *css,
                                       GError     **error);

GtkWidget  *bench_find_mapped         (GtkWidget   *root,
                                       GType        type);
guint       bench_count               (GtkWidget   *root,
                                       GType        type,
                                       gboolean     mapped_only);

/* The bare harness: @lists (GListModels) side by side in a horizontal
 * scroller, each under its title (@titles, char *) in a vertically
 * scrolled GtkListView made by @factory, 300 px wide: the shape of Tack's
 * board with nothing of Tack in it. */
GtkWidget  *bench_bare_board          (GPtrArray          *lists,
                                       GPtrArray          *titles,
                                       GtkListItemFactory *factory);
/* @board under a libadwaita header bar: a libadwaita window's content. */
GtkWidget  *bench_with_header_bar     (GtkWidget          *board);
/* A factory of plain GtkLabels showing GtkStringObjects. */
GtkListItemFactory *bench_string_factory (void);
/* The vertical adjustment of the scroller around the @index-th
 * GtkListView under @root, in widget order. */
GtkAdjustment *bench_list_adjustment  (GtkWidget          *root,
                                       guint               index);

/* Iterates the default main context until @done (a gboolean) is set or
 * @timeout_s passes; returns whether it was set. */
gboolean    bench_wait                (gboolean    *done,
                                       guint        timeout_s);

G_END_DECLS
