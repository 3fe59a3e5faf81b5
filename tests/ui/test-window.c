/* test-window.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The first window: a board loaded into the store shows up as columns and
 * cards, and a change written to the store shows up in the widgets that
 * are already on screen. Everything is checked by walking the real widget
 * tree of a presented window. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "tack-application.h"
#include "tack-board-view.h"
#include "tack-avatar.h"
#include "tack-card-filter.h"
#include "tack-card-row.h"
#include "tack-char-width.h"
#include "tack-chip-box.h"
#include "tack-column-view.h"
#include "tack-head-model.h"
#include "tack-model.h"
#include "tack-snapshot.h"
#include "tack-test-json.h"
#include "tack-test-ui.h"
#include "tack-window.h"
#include "tack-wrap-label.h"

static const char *snapshot_json =
  "{\"board\": {\"id\": \"b1\", \"title\": \"Release 2.0\", \"version\": 1, \"seq\": 9},"
  " \"columns\": ["
  "  {\"id\": \"todo\", \"board\": \"b1\", \"title\": \"To Do\", \"position\": \"a\", \"wip_limit\": 0, \"version\": 1},"
  "  {\"id\": \"doing\", \"board\": \"b1\", \"title\": \"Doing\", \"position\": \"b\", \"wip_limit\": 1, \"version\": 1},"
  "  {\"id\": \"done\", \"board\": \"b1\", \"title\": \"Done\", \"position\": \"c\", \"wip_limit\": 0, \"version\": 1}],"
  " \"cards\": ["
  "  {\"id\": \"k1\", \"column\": \"todo\", \"title\": \"Write the changelog\", \"description\": \"\", \"position\": \"a\","
  "   \"labels\": [\"docs\"], \"assignees\": [], \"due\": \"2026-12-01\", \"version\": 1,"
  "   \"updated_at\": \"2026-11-25T10:00:00Z\", \"updated_by\": \"ada\"},"
  "  {\"id\": \"k2\", \"column\": \"todo\", \"title\": \"Bump the version\", \"description\": \"Everywhere.\", \"position\": \"b\","
  "   \"labels\": [], \"assignees\": [\"Grace Hopper\"], \"due\": null, \"version\": 1,"
  "   \"updated_at\": \"2026-11-25T10:00:00Z\", \"updated_by\": \"ada\"},"
  "  {\"id\": \"k3\", \"column\": \"doing\", \"title\": \"Fix the crash on resume\", \"description\": \"\", \"position\": \"a\","
  "   \"labels\": [\"bug\", \"urgent\"], \"assignees\": [\"Ada Lovelace\"], \"due\": \"2026-11-20\", \"version\": 1,"
  "   \"updated_at\": \"2026-11-25T10:00:00Z\", \"updated_by\": \"ada\"},"
  "  {\"id\": \"k4\", \"column\": \"doing\", \"title\": \"Review the icons\", \"description\": \"\", \"position\": \"b\","
  "   \"labels\": [], \"assignees\": [], \"due\": null, \"version\": 1,"
  "   \"updated_at\": \"2026-11-25T10:00:00Z\", \"updated_by\": \"ada\"},"
  "  {\"id\": \"k5\", \"column\": \"done\", \"title\": \"Freeze the strings\", \"description\": \"\", \"position\": \"a\","
  "   \"labels\": [\"i18n\"], \"assignees\": [], \"due\": null, \"version\": 1,"
  "   \"updated_at\": \"2026-11-25T10:00:00Z\", \"updated_by\": \"ada\"},"
  "  {\"id\": \"k6\", \"column\": \"done\", \"title\": \"Branch for release\", \"description\": \"\", \"position\": \"b\","
  "   \"labels\": [], \"assignees\": [], \"due\": null, \"version\": 1,"
  "   \"updated_at\": \"2026-11-25T10:00:00Z\", \"updated_by\": \"ada\"}],"
  " \"seq\": 9}";

static const char *column_titles[] = { "To Do", "Doing", "Done" };
static const char *card_titles[] = {
  "Write the changelog", "Bump the version", "Fix the crash on resume",
  "Review the icons", "Freeze the strings", "Branch for release",
};

/* Waiting without sleeping: iterate the main context until the condition
 * holds, failing the test if it has not after TEST_WAIT_SECONDS. */

typedef gboolean (*Condition) (gpointer data);

static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_for (Condition   condition,
          gpointer    data,
          const char *what)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (TEST_WAIT_SECONDS, timed_out_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("Timed out waiting for %s", what);

  g_source_remove (timeout_id);
}

/* Fixture. */

typedef struct
{
  TackStore  *store;
  TackWindow *window;
} Fixture;

static gboolean
all_titles_shown (gpointer data)
{
  Fixture *f = data;

  if (!gtk_widget_get_mapped (GTK_WIDGET (f->window)))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (card_titles); i++)
    if (test_find_label (GTK_WIDGET (f->window), card_titles[i]) == NULL)
      return FALSE;

  return TRUE;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(JsonNode) snapshot = tack_test_parse (snapshot_json);
  g_autoptr(GError) error = NULL;

  f->store = tack_store_new ();
  tack_store_load_snapshot (f->store, snapshot, &error);
  g_assert_no_error (error);

  f->window = g_object_new (TACK_TYPE_WINDOW, "store", f->store, NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  gtk_window_present (GTK_WINDOW (f->window));

  wait_for (all_titles_shown, f, "the board to be shown");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->store);
}

static gboolean
is_mapped_alarm (GtkWidget     *widget,
                 gconstpointer  data)
{
  return GTK_IS_IMAGE (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_image_get_icon_name (GTK_IMAGE (widget)), "alarm-symbolic") == 0;
}

static gboolean
is_mapped_avatar (GtkWidget     *widget,
                  gconstpointer  data)
{
  return TACK_IS_AVATAR (widget) && gtk_widget_get_mapped (widget);
}

static void
test_window_shows_board (Fixture       *f,
                         gconstpointer  data)
{
  GtkWidget *root = GTK_WIDGET (f->window);
  GtkWidget *header_bar;
  GtkWidget *window_title;
  GtkWidget *column;
  GtkWidget *row;
  GtkWidget *title_label;

  g_assert_true (tack_window_get_store (f->window) == f->store);

  /* Header bar: the board's title. */
  header_bar = test_find_widget (root, test_is_type, GSIZE_TO_POINTER (ADW_TYPE_HEADER_BAR));
  g_assert_nonnull (header_bar);
  window_title = test_find_widget (header_bar, test_is_type, GSIZE_TO_POINTER (ADW_TYPE_WINDOW_TITLE));
  g_assert_nonnull (window_title);
  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (window_title)), ==, "Release 2.0");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, "Release 2.0");
  g_assert_false (tack_window_get_read_only (f->window));
  g_assert_cmpstr (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (window_title)), ==, "");

  /* Every column and every card, each card under its own column. */
  for (guint i = 0; i < G_N_ELEMENTS (column_titles); i++)
    g_assert_nonnull (test_find_label (root, column_titles[i]));

  column = test_find_column_view (root, "todo");
  g_assert_nonnull (test_find_label (column, "Write the changelog"));
  g_assert_nonnull (test_find_label (column, "Bump the version"));
  g_assert_null (test_find_label (column, "Review the icons"));
  column = test_find_column_view (root, "doing");
  g_assert_nonnull (test_find_label (column, "Fix the crash on resume"));
  g_assert_nonnull (test_find_label (column, "Review the icons"));
  column = test_find_column_view (root, "done");
  g_assert_nonnull (test_find_label (column, "Freeze the strings"));
  g_assert_nonnull (test_find_label (column, "Branch for release"));

  /* Counts, and the work-in-progress limit: "Doing" holds 2 of 1. */
  g_assert_nonnull (test_find_label (test_find_column_view (root, "todo"), "2"));
  column = test_find_column_view (root, "doing");
  g_assert_nonnull (test_find_label (column, "2 / 1"));
  g_assert_true (gtk_widget_has_css_class (test_find_label (column, "2 / 1"), "warning"));
  g_assert_false (gtk_widget_has_css_class (test_find_label (test_find_column_view (root, "todo"), "2"), "warning"));

  /* Labels as pills, the description, the due date. */
  row = test_find_card_row (root, "k3");
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_has_css_class (test_find_label (row, "bug"), "chip"));
  g_assert_true (gtk_widget_has_css_class (test_find_label (row, "urgent"), "chip"));
  g_assert_nonnull (test_find_label (test_find_card_row (root, "k2"), "Everywhere."));
  g_assert_nonnull (test_find_widget (test_find_card_row (root, "k1"), test_is_mapped_with_class, "due"));
  g_assert_null (test_find_widget (test_find_card_row (root, "k4"), test_is_mapped_with_class, "due"));
  g_assert_null (test_find_widget (row, test_is_mapped_with_class, "pending"));

  /* Assignees without a due date: the avatar, and no empty alarm. */
  g_assert_nonnull (test_find_widget (test_find_card_row (root, "k2"), is_mapped_avatar, NULL));
  g_assert_null (test_find_widget (test_find_card_row (root, "k2"), is_mapped_alarm, NULL));

  /* No session, nothing to send edits to: no entries for new cards. */
  g_assert_null (test_find_widget (root, test_is_mapped_with_class, "new-card"));

  /* Accessible names: a card by its title, a column by its title. */
  title_label = test_find_label (row, "Fix the crash on resume");
  gtk_test_accessible_assert_relation (GTK_ACCESSIBLE (row),
                                       GTK_ACCESSIBLE_RELATION_LABELLED_BY, title_label, NULL);
  column = test_find_column_view (root, "doing");
  gtk_test_accessible_assert_relation (GTK_ACCESSIBLE (column),
                                       GTK_ACCESSIBLE_RELATION_LABELLED_BY, test_find_label (column, "Doing"), NULL);
}

typedef struct
{
  GtkWidget  *root;
  const char *present;
  const char *absent;
} LabelChange;

static gboolean
label_changed (gpointer data)
{
  LabelChange *change = data;

  return test_find_label (change->root, change->present) != NULL &&
         (change->absent == NULL || test_find_label (change->root, change->absent) == NULL);
}

static void
test_window_follows_store (Fixture       *f,
                           gconstpointer  data)
{
  GtkWidget *root = GTK_WIDGET (f->window);
  g_autoptr(JsonObject) renamed = NULL;
  g_autoptr(JsonObject) moved = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *row_before;
  LabelChange change;

  row_before = test_find_card_row (root, "k1");
  g_assert_nonnull (row_before);

  /* A newer version of a card renames it in place. */
  renamed = tack_test_card ("k1", "todo", "Write the release notes", "a", 2);
  g_assert_true (tack_store_write_card (f->store, renamed, &error));
  g_assert_no_error (error);

  change = (LabelChange) { test_find_column_view (root, "todo"), "Write the release notes", "Write the changelog" };
  wait_for (label_changed, &change, "the renamed card");
  g_assert_true (test_find_card_row (root, "k1") == row_before);

  /* The same write dropped the card's label and due date. */
  g_assert_null (test_find_label (row_before, "docs"));
  g_assert_null (test_find_widget (row_before, test_is_mapped_with_class, "due"));

  /* An older version is ignored by the store, so the window keeps the newer title. */
  g_clear_pointer (&renamed, json_object_unref);
  renamed = tack_test_card ("k1", "todo", "Stale title", "a", 1);
  tack_store_write_card (f->store, renamed, NULL);
  g_assert_nonnull (test_find_label (root, "Write the release notes"));
  g_assert_null (test_find_label (root, "Stale title"));

  /* Moving a card to another column shows it there and nowhere else. */
  moved = tack_test_card ("k4", "done", "Review the icons", "c", 2);
  g_assert_true (tack_store_write_card (f->store, moved, &error));
  g_assert_no_error (error);

  change = (LabelChange) { test_find_column_view (root, "done"), "Review the icons", NULL };
  wait_for (label_changed, &change, "the moved card in its new column");
  change = (LabelChange) { test_find_column_view (root, "doing"), "1 / 1", "Review the icons" };
  wait_for (label_changed, &change, "the moved card gone from its old column");
  g_assert_false (gtk_widget_has_css_class (test_find_label (test_find_column_view (root, "doing"), "1 / 1"), "warning"));
  g_assert_nonnull (test_find_label (test_find_column_view (root, "done"), "3"));
}

static gboolean
has_pending_indicator (gpointer data)
{
  GtkWidget *row = test_find_card_row (data, "k5");

  return row != NULL &&
         test_find_label (row, "Freeze all strings") != NULL &&
         test_find_widget (row, test_is_mapped_with_class, "pending") != NULL;
}

static void
test_window_shows_pending (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (fields, "title", "Freeze all strings");
  g_assert_true (tack_store_edit_card_local (f->store, "op-1", "k5", fields, &error));
  g_assert_no_error (error);

  wait_for (has_pending_indicator, f->window, "the pending indicator");
}

/* A snapshot of another board replaces the store's board object; the
 * window follows the store to the new one. */

static gboolean
other_board_shown (gpointer data)
{
  GtkWidget *window_title = test_find_widget (data, test_is_type, GSIZE_TO_POINTER (ADW_TYPE_WINDOW_TITLE));

  return test_find_label (data, "Inbox") != NULL &&
         test_find_label (data, "Call the printer") != NULL &&
         test_find_label (data, "To Do") == NULL &&
         test_find_label (data, "Branch for release") == NULL &&
         g_strcmp0 (adw_window_title_get_title (ADW_WINDOW_TITLE (window_title)), "Household") == 0;
}

static void
test_window_board_replaced (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(JsonNode) other = tack_test_parse (
    "{\"board\": {\"id\": \"b2\", \"title\": \"Household\", \"version\": 1, \"seq\": 1},"
    " \"columns\": [{\"id\": \"in\", \"board\": \"b2\", \"title\": \"Inbox\", \"position\": \"a\","
    "   \"wip_limit\": 0, \"version\": 1}],"
    " \"cards\": [{\"id\": \"h1\", \"column\": \"in\", \"title\": \"Call the printer\", \"description\": \"\","
    "   \"position\": \"a\", \"labels\": [], \"assignees\": [], \"due\": null, \"version\": 1,"
    "   \"updated_at\": \"2026-11-25T10:00:00Z\", \"updated_by\": \"bo\"}],"
    " \"seq\": 1}");
  g_autoptr(GError) error = NULL;

  g_assert_true (tack_store_load_snapshot (f->store, other, &error));
  g_assert_no_error (error);

  wait_for (other_board_shown, f->window, "the other board");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, "Household");
}

/* Without a board, the window says so; once one arrives, it shows it. */

static gboolean
status_page_shown (gpointer data)
{
  GtkWidget *page = test_find_widget (data, test_is_type, GSIZE_TO_POINTER (ADW_TYPE_STATUS_PAGE));

  return page != NULL && gtk_widget_get_mapped (page);
}

static gboolean
board_shown (gpointer data)
{
  GtkWidget *board_view = test_find_widget (data, test_is_type, GSIZE_TO_POINTER (TACK_TYPE_BOARD_VIEW));
  GtkWidget *stack = gtk_widget_get_ancestor (board_view, GTK_TYPE_STACK);

  return test_find_label (data, "Branch for release") != NULL &&
         gtk_stack_get_visible_child (GTK_STACK (stack)) == board_view;
}

static void
test_window_empty_store (void)
{
  g_autoptr(TackStore) store = tack_store_new ();
  g_autoptr(JsonNode) snapshot = tack_test_parse (snapshot_json);
  g_autoptr(GError) error = NULL;
  TackWindow *window;
  GtkWidget *header_bar;
  GtkWidget *window_title;

  window = g_object_new (TACK_TYPE_WINDOW, "store", store, NULL);
  gtk_window_present (GTK_WINDOW (window));
  wait_for (status_page_shown, window, "the empty state");

  g_assert_nonnull (test_find_label (GTK_WIDGET (window), "No board yet"));
  g_assert_null (test_find_widget (GTK_WIDGET (window), test_is_column_view_for, "todo"));
  header_bar = test_find_widget (GTK_WIDGET (window), test_is_type, GSIZE_TO_POINTER (ADW_TYPE_HEADER_BAR));
  window_title = test_find_widget (header_bar, test_is_type, GSIZE_TO_POINTER (ADW_TYPE_WINDOW_TITLE));
  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (window_title)), ==, "Tack");

  g_assert_true (tack_store_load_snapshot (store, snapshot, &error));
  g_assert_no_error (error);
  wait_for (board_shown, window, "the board after the snapshot");
  g_assert_false (status_page_shown (window));
  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (window_title)), ==, "Release 2.0");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The window size comes from GSettings and goes back to it. */

static void
test_window_size_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TackStore) store = tack_store_new ();
  TackWindow *window;
  int width, height;

  g_settings_set_int (settings, "window-width", 900);
  g_settings_set_int (settings, "window-height", 640);
  g_settings_set_boolean (settings, "window-maximized", FALSE);

  window = g_object_new (TACK_TYPE_WINDOW, "store", store, NULL);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 640);

  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 700);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1024);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 700);

  gtk_window_maximize (GTK_WINDOW (window));
  g_assert_true (g_settings_get_boolean (settings, "window-maximized"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Opening a board export (the --snapshot option). */

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static gboolean
result_arrived (gpointer data)
{
  return *(GAsyncResult **)data != NULL;
}

static gboolean
load_file (TackStore  *store,
           GFile      *file,
           GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tack_snapshot_load_async (store, file, NULL, load_done_cb, &result);
  wait_for (result_arrived, &result, "the snapshot file to load");

  return tack_snapshot_load_finish (store, result, error);
}

static void
test_snapshot_file (void)
{
  g_autoptr(TackStore) store = tack_store_new ();
  g_autoptr(GFile) file = g_file_new_for_path (g_test_get_filename (G_TEST_DIST, "ui", "sample-board.json", NULL));
  g_autoptr(GError) error = NULL;
  TackBoard *board = tack_store_get_board (store);
  TackColumn *column;

  g_assert_true (load_file (store, file, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (tack_board_get_title (board), ==, "Tack 1.0 Launch");
  g_assert_cmpuint (g_list_model_get_n_items (tack_board_get_columns (board)), ==, 4);
  column = g_list_model_get_item (tack_board_get_columns (board), 1);
  g_assert_cmpstr (tack_column_get_title (column), ==, "In Progress");
  g_assert_cmpuint (tack_column_get_n_cards (column), ==, 4);
  g_assert_true (tack_column_get_over_limit (column));
  g_object_unref (column);
  g_assert_cmpstrv (tack_card_get_labels (tack_store_lookup_card (store, "k4")),
                    ((const char * const []) { "networking", "core", NULL }));
}

static void
test_snapshot_file_errors (void)
{
  g_autoptr(TackStore) store = tack_store_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) missing = NULL;
  g_autoptr(GFile) broken = NULL;
  g_autoptr(GFile) wrong = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tack-test-XXXXXX", NULL);
  g_autofree char *broken_path = g_build_filename (dir, "broken.json", NULL);
  g_autofree char *wrong_path = g_build_filename (dir, "wrong.json", NULL);
  g_autofree char *missing_path = g_build_filename (dir, "missing.json", NULL);

  g_assert_true (g_file_set_contents (broken_path, "{\"board\": ", -1, NULL));
  g_assert_true (g_file_set_contents (wrong_path, "{\"boards\": []}", -1, NULL));
  missing = g_file_new_for_path (missing_path);
  broken = g_file_new_for_path (broken_path);
  wrong = g_file_new_for_path (wrong_path);

  g_assert_false (load_file (store, missing, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (load_file (store, broken, &error));
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE);
  g_clear_error (&error);

  g_assert_false (load_file (store, wrong, &error));
  g_assert_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID);
  g_clear_error (&error);

  /* Nothing was loaded. */
  g_assert_null (tack_board_get_id (tack_store_get_board (store)));

  g_unlink (broken_path);
  g_unlink (wrong_path);
  g_rmdir (dir);
}

/* The whole application, started as `tack --snapshot FILE`. */

typedef struct
{
  char     *window_title;
  char     *window_subtitle;
  guint     n_columns;
  char     *about_name;
  char     *about_version;
  gboolean  has_help_overlay;
  gboolean  has_icons;
  gboolean  timed_out;
} AppRun;

static gboolean
app_timed_out_cb (gpointer data)
{
  AppRun *run = g_object_get_data (data, "run");

  run->timed_out = TRUE;
  g_application_quit (data);

  return G_SOURCE_REMOVE;
}

static AdwAboutWindow *
find_about_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_ABOUT_WINDOW (toplevel))
        return ADW_ABOUT_WINDOW (toplevel);
    }

  return NULL;
}

/* Looked at once the window's construction has settled. */
static gboolean
inspect_window_cb (gpointer data)
{
  GtkApplication *app = data;
  AppRun *run = g_object_get_data (G_OBJECT (app), "run");
  GtkWindow *window = gtk_application_get_active_window (app);
  TackStore *store = tack_window_get_store (TACK_WINDOW (window));
  AdwAboutWindow *about;

  run->window_title = g_strdup (gtk_window_get_title (window));
  run->window_subtitle = g_strdup (adw_window_title_get_subtitle (
    ADW_WINDOW_TITLE (test_find_widget (GTK_WIDGET (window), test_is_type, GSIZE_TO_POINTER (ADW_TYPE_WINDOW_TITLE)))));
  g_assert_true (tack_window_get_read_only (TACK_WINDOW (window)));
  run->n_columns = g_list_model_get_n_items (tack_board_get_columns (tack_store_get_board (store)));
  run->has_help_overlay =
    gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)) != NULL &&
    g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay");

  run->has_icons =
    gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (window))),
                             "tack-pending-symbolic") &&
    gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (window))),
                             APP_ID "-symbolic");

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  about = find_about_window ();
  if (about != NULL)
    {
      run->about_name = g_strdup (adw_about_window_get_application_name (about));
      run->about_version = g_strdup (adw_about_window_get_version (about));
    }

  g_application_quit (G_APPLICATION (app));

  return G_SOURCE_REMOVE;
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 AppRun         *run)
{
  g_assert_true (TACK_IS_WINDOW (window));
  g_idle_add (inspect_window_cb, app);
}

static void
test_app_snapshot_option (void)
{
  g_autoptr(TackApplication) app = tack_application_new ();
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "ui", "sample-board.json", NULL);
  char *argv[] = { (char *)"tack", (char *)"--snapshot", path, NULL };
  AppRun run = { 0 };
  guint timeout_id;
  int status;

  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_object_set_data (G_OBJECT (app), "run", &run);
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), &run);
  timeout_id = g_timeout_add_seconds (TEST_WAIT_SECONDS, app_timed_out_cb, app);

  status = g_application_run (G_APPLICATION (app), G_N_ELEMENTS (argv) - 1, argv);

  {
    g_auto(GStrv) quit = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
    g_auto(GStrv) close = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "window.close");

    g_assert_cmpstrv (quit, ((const char * const []) { "<Control>q", NULL }));
    g_assert_cmpstrv (close, ((const char * const []) { "<Control>w", NULL }));
  }

  g_assert_false (run.timed_out);
  g_source_remove (timeout_id);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (run.window_title, ==, "Tack 1.0 Launch");
  g_assert_cmpstr (run.window_subtitle, ==, "Board export, read-only");
  g_assert_cmpuint (run.n_columns, ==, 4);
  g_assert_true (run.has_help_overlay);
  g_assert_true (run.has_icons);
  g_assert_cmpstr (run.about_name, ==, "Tack");
  g_assert_cmpstr (run.about_version, ==, PACKAGE_VERSION);
  g_free (run.window_title);
  g_free (run.window_subtitle);
  g_free (run.about_name);
  g_free (run.about_version);
}

/* The export named on the command line is read while the application
 * starts; one that cannot be read opens no window, and the application
 * does not wait for one. */
static void
count_window_cb (GtkApplication *app,
                 GtkWindow      *window,
                 guint          *n_windows)
{
  (*n_windows)++;
}

static void
test_app_snapshot_option_missing (void)
{
  g_autoptr(TackApplication) app = tack_application_new ();
  g_autofree char *dir = g_dir_make_tmp ("tack-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "missing.json", NULL);
  char *argv[] = { (char *)"tack", (char *)"--snapshot", path, NULL };
  AppRun run = { 0 };
  guint n_windows = 0;
  guint timeout_id;

  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_object_set_data (G_OBJECT (app), "run", &run);
  g_signal_connect (app, "window-added", G_CALLBACK (count_window_cb), &n_windows);
  timeout_id = g_timeout_add_seconds (TEST_WAIT_SECONDS, app_timed_out_cb, app);

  g_application_run (G_APPLICATION (app), G_N_ELEMENTS (argv) - 1, argv);

  g_assert_false (run.timed_out);
  g_source_remove (timeout_id);
  g_assert_cmpuint (n_windows, ==, 0);
  g_rmdir (dir);
}

/* A row is bound to one card after another as a list scrolls: nothing
 * of the card before may stay on screen. */
static void
test_card_row_rebinds (void)
{
  g_autoptr(JsonNode) snapshot = tack_test_parse (snapshot_json);
  g_autoptr(TackStore) store = tack_store_new ();
  g_autoptr(GError) error = NULL;
  GtkWidget *window;
  GtkWidget *row;
  TackCard *full;
  TackCard *bare;

  tack_store_load_snapshot (store, snapshot, &error);
  g_assert_no_error (error);
  full = tack_store_lookup_card (store, "k3");
  bare = tack_store_lookup_card (store, "k4");
  g_assert_nonnull (full);
  g_assert_nonnull (bare);

  window = gtk_window_new ();
  row = tack_card_row_new ();
  gtk_window_set_child (GTK_WINDOW (window), row);
  gtk_window_present (GTK_WINDOW (window));

  tack_card_row_set_card (TACK_CARD_ROW (row), full);
  TEST_WAIT_FOR (gtk_widget_get_mapped (row) && test_find_label (row, "urgent") != NULL);
  g_assert_nonnull (test_find_label (row, "Fix the crash on resume"));
  g_assert_nonnull (test_find_widget (row, test_is_mapped_with_class, "due"));
  g_assert_nonnull (test_find_widget (row, is_mapped_avatar, NULL));

  tack_card_row_set_card (TACK_CARD_ROW (row), bare);
  TEST_WAIT_FOR (test_find_label (row, "Review the icons") != NULL);
  g_assert_null (test_find_label (row, "Fix the crash on resume"));
  g_assert_null (test_find_label (row, "urgent"));
  g_assert_null (test_find_widget (row, test_is_mapped_with_class, "due"));
  g_assert_null (test_find_widget (row, is_mapped_alarm, NULL));
  g_assert_null (test_find_widget (row, is_mapped_avatar, NULL));

  /* And back: the parts made for the first card are shown again. */
  tack_card_row_set_card (TACK_CARD_ROW (row), full);
  TEST_WAIT_FOR (test_find_label (row, "urgent") != NULL);
  g_assert_nonnull (test_find_widget (row, test_is_mapped_with_class, "due"));
  gtk_test_accessible_assert_relation (GTK_ACCESSIBLE (row),
                                       GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                       test_find_label (row, "Fix the crash on resume"), NULL);

  /* Unbound, the row shows nothing. */
  tack_card_row_set_card (TACK_CARD_ROW (row), NULL);
  TEST_WAIT_FOR (test_find_label (row, "Fix the crash on resume") == NULL);
  g_assert_null (test_find_label (row, "urgent"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The head of a list: what is shown is always the start of the model,
 * at every emission; a change inside the head is passed on as it came
 * (then the end is trimmed or filled), and once unlimited every change
 * is passed on exactly. */

typedef struct
{
  GListModel *model;
  guint       n_changes;
  guint       position;
  guint       removed;
  guint       added;
} Change;

static void
assert_start_of (GListModel *head,
                 GListModel *model)
{
  guint n = g_list_model_get_n_items (head);

  g_assert_cmpuint (n, <=, g_list_model_get_n_items (model));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) shown = g_list_model_get_item (head, i);
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      g_assert_true (shown == item);
    }
  g_assert_null (g_list_model_get_item (head, n));
}

static void
record_change_cb (GListModel *head,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Change     *change)
{
  change->n_changes++;
  change->position = position;
  change->removed = removed;
  change->added = added;
  assert_start_of (head, change->model);
}

static void
assert_head_of (GListModel *head,
                GListModel *model,
                guint       limit)
{
  g_assert_cmpuint (g_list_model_get_n_items (head), ==, MIN (g_list_model_get_n_items (model), limit));
  assert_start_of (head, model);
}

static void
assert_change (Change *change,
               guint   n_changes,
               guint   position,
               guint   removed,
               guint   added)
{
  g_assert_cmpuint (change->n_changes, ==, n_changes);
  g_assert_cmpuint (change->position, ==, position);
  g_assert_cmpuint (change->removed, ==, removed);
  g_assert_cmpuint (change->added, ==, added);
}

static void
test_head_model (void)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  g_autoptr(TackHeadModel) head = NULL;
  GListModel *model = G_LIST_MODEL (list);
  const char *one[] = { "new", NULL };
  const char *many[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", NULL };
  Change change = { model, 0, };

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *text = g_strdup_printf ("%u", i);

      gtk_string_list_append (list, text);
    }

  head = tack_head_model_new (model, 10);
  g_signal_connect (head, "items-changed", G_CALLBACK (record_change_cb), &change);
  g_assert_cmpuint (tack_head_model_get_limit (head), ==, 10);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (head)) == g_list_model_get_item_type (model));
  assert_head_of (G_LIST_MODEL (head), model, 10);

  /* Limited: a change below the head is not seen... */
  gtk_string_list_splice (list, 50, 1, one);
  gtk_string_list_splice (list, 60, 0, one);
  g_assert_cmpuint (change.n_changes, ==, 0);
  assert_head_of (G_LIST_MODEL (head), model, 10);

  /* ...one inside it is passed on, then the item pushed past the limit
   * leaves, or the one that came up to it is added. */
  gtk_string_list_splice (list, 3, 0, one);
  assert_change (&change, 2, 10, 1, 0);
  assert_head_of (G_LIST_MODEL (head), model, 10);
  gtk_string_list_splice (list, 4, 1, one);
  assert_change (&change, 3, 4, 1, 1);
  assert_head_of (G_LIST_MODEL (head), model, 10);
  gtk_string_list_remove (list, 2);
  assert_change (&change, 5, 9, 0, 1);
  assert_head_of (G_LIST_MODEL (head), model, 10);

  /* More items than the head holds replace the rest of it. */
  gtk_string_list_splice (list, 0, 0, many);
  assert_change (&change, 6, 0, 10, 10);
  assert_head_of (G_LIST_MODEL (head), model, 10);

  /* A longer head adds the items after it. */
  tack_head_model_set_limit (head, 20);
  assert_change (&change, 7, 10, 0, 10);
  assert_head_of (G_LIST_MODEL (head), model, 20);
  tack_head_model_set_limit (head, 5);
  assert_change (&change, 8, 5, 15, 0);
  assert_head_of (G_LIST_MODEL (head), model, 5);
  tack_head_model_set_limit (head, G_MAXUINT);
  assert_change (&change, 9, 5, 0, 111);
  assert_head_of (G_LIST_MODEL (head), model, G_MAXUINT);

  /* Unlimited, changes are passed on as they are. */
  gtk_string_list_splice (list, 5, 0, one);
  assert_change (&change, 10, 5, 0, 1);
  gtk_string_list_remove (list, 7);
  assert_change (&change, 11, 7, 1, 0);
  gtk_string_list_splice (list, 90, 2, one);
  assert_change (&change, 12, 90, 2, 1);
  assert_head_of (G_LIST_MODEL (head), model, G_MAXUINT);
}

/* A long column builds no more rows before its first frame than a
 * screen can show, where GTK 4.8's list view alone would build 200; the
 * rest follow in the frames after, so every card can still be reached. */

#define LONG_COLUMN_CARDS 500

typedef struct
{
  GtkWidget *window;
  guint      frames;
  guint      rows_at_first_frame;
} FirstFrame;

static guint
count_card_rows (GtkWidget *widget)
{
  guint n = TACK_IS_CARD_ROW (widget) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_card_rows (child);

  return n;
}

static void
first_frame_after_paint_cb (GdkFrameClock *frame_clock,
                            FirstFrame    *first)
{
  if (first->frames++ == 0)
    first->rows_at_first_frame = count_card_rows (first->window);
}

static void
first_frame_realize_cb (GtkWidget  *window,
                        FirstFrame *first)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (first_frame_after_paint_cb), first);
}

static gboolean
is_list_view (GtkWidget     *widget,
              gconstpointer  data)
{
  return GTK_IS_LIST_VIEW (widget);
}

static void
test_column_view_rows_after_first_frame (void)
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(JsonNode) snapshot = NULL;
  g_autoptr(TackStore) store = tack_store_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *last_id = g_strdup_printf ("c%03d", LONG_COLUMN_CARDS - 1);
  FirstFrame first = { 0 };
  GtkWidget *column_view;
  GtkWidget *list_view;
  GtkAdjustment *adjustment;
  GListModel *shown;
  guint frames;

  g_string_append (json,
                   "{\"board\": {\"id\": \"b1\", \"title\": \"Long\", \"version\": 1, \"seq\": 1},"
                   " \"columns\": [{\"id\": \"todo\", \"board\": \"b1\", \"title\": \"To Do\","
                   " \"position\": \"a\", \"wip_limit\": 0, \"version\": 1}], \"cards\": [");
  for (guint i = 0; i < LONG_COLUMN_CARDS; i++)
    g_string_append_printf (json,
                            "%s{\"id\": \"c%03u\", \"column\": \"todo\", \"title\": \"Card %u\","
                            " \"description\": \"\", \"position\": \"p%03u\", \"labels\": [], \"assignees\": [],"
                            " \"due\": null, \"version\": 1, \"updated_at\": \"2026-11-25T10:00:00Z\","
                            " \"updated_by\": \"ada\"}",
                            i > 0 ? ", " : "", i, i, i);
  g_string_append (json, "], \"seq\": 1}");
  snapshot = tack_test_parse (json->str);
  g_assert_true (tack_store_load_snapshot (store, snapshot, &error));
  g_assert_no_error (error);

  first.window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (first.window), 400, 600);
  column_view = tack_column_view_new ();
  tack_column_view_set_column (TACK_COLUMN_VIEW (column_view), tack_store_lookup_column (store, "todo"));
  gtk_window_set_child (GTK_WINDOW (first.window), column_view);
  g_signal_connect_after (first.window, "realize", G_CALLBACK (first_frame_realize_cb), &first);
  gtk_window_present (GTK_WINDOW (first.window));

  TEST_WAIT_FOR (first.frames > 0);
  g_assert_cmpuint (first.rows_at_first_frame, >, 0);
  g_assert_cmpuint (first.rows_at_first_frame, <, 200);

  /* Then the list holds the whole column, and its last card scrolls into
   * view. */
  list_view = test_find_widget (column_view, is_list_view, NULL);
  g_assert_nonnull (list_view);
  shown = G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (list_view)));
  TEST_WAIT_FOR (g_list_model_get_n_items (shown) == LONG_COLUMN_CARDS);
  frames = first.frames;
  TEST_WAIT_FOR (first.frames > frames);

  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list_view));
  TEST_WAIT_FOR ((gtk_adjustment_set_value (adjustment,
                                            gtk_adjustment_get_upper (adjustment) -
                                            gtk_adjustment_get_page_size (adjustment)),
                  test_find_card_row (column_view, last_id) != NULL));

  gtk_window_destroy (GTK_WINDOW (first.window));
}

/* How many children @widget has, or only the visible ones: the chips are
 * a box's visible children, the others wait for a card with more labels. */
static guint
count_children (GtkWidget *widget,
                gboolean   visible_only)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += !visible_only || gtk_widget_get_visible (child) ? 1 : 0;

  return n;
}

/* Pango's own answer for @widget's font, asked directly. */
static int
pango_char_width (GtkWidget *widget)
{
  PangoFontMetrics *metrics = pango_context_get_metrics (gtk_widget_get_pango_context (widget), NULL, NULL);
  int width = PANGO_PIXELS_CEIL (pango_font_metrics_get_approximate_char_width (metrics));

  pango_font_metrics_unref (metrics);
  return MAX (width, 1);
}

/* Every card row and label asks for its font's character width: the
 * answer is Pango's, shared by widgets of the same font, and follows a
 * widget whose font changes. */
static void
test_char_width (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *a = gtk_label_new ("a");
  GtkWidget *b = gtk_label_new ("b");
  TackCharWidth width_a = { 0 }, width_b = { 0 };
  int small;

  gtk_css_provider_load_from_data (provider, "label.big { font-size: 40px; }", -1);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_box_append (GTK_BOX (box), a);
  gtk_box_append (GTK_BOX (box), b);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  TEST_WAIT_FOR (gtk_widget_get_mapped (b));

  small = tack_char_width_get (&width_a, a);
  g_assert_cmpint (small, ==, pango_char_width (a));
  g_assert_cmpint (tack_char_width_get (&width_b, b), ==, small);
  g_assert_cmpint (tack_char_width_get (&width_a, a), ==, small);

  /* A bigger font is another answer, for the widget that has it only. */
  gtk_widget_add_css_class (b, "big");
  TEST_WAIT_FOR (pango_char_width (b) > small);
  g_assert_cmpint (tack_char_width_get (&width_b, b), ==, pango_char_width (b));
  g_assert_cmpint (tack_char_width_get (&width_a, a), ==, small);

  /* And back. */
  gtk_widget_remove_css_class (b, "big");
  TEST_WAIT_FOR (pango_char_width (b) == small);
  g_assert_cmpint (tack_char_width_get (&width_b, b), ==, small);

  gtk_style_context_remove_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A label longer than a pill may be is ellipsized at the pill's width,
 * however wide the box; short ones keep their own width. */
static void
test_chip_box_caps_pills (void)
{
  g_autofree char *long_label = g_strnfill (200, 'x');
  const char * const items[] = { "ui", long_label, NULL };
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = tack_chip_box_new ();
  GtkWidget *short_chip, *long_chip;
  int short_natural, char_width, box_natural;

  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 200);
  tack_chip_box_set_items (TACK_CHIP_BOX (box), items);
  gtk_window_present (GTK_WINDOW (window));
  TEST_WAIT_FOR (gtk_widget_get_mapped (box) && gtk_widget_get_width (box) >= 1000);

  short_chip = test_find_label (box, "ui");
  long_chip = test_find_label (box, long_label);
  g_assert_nonnull (short_chip);
  g_assert_nonnull (long_chip);
  char_width = pango_char_width (box);
  gtk_widget_measure (short_chip, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &short_natural, NULL, NULL);

  TEST_WAIT_FOR (gtk_widget_get_width (long_chip) > 0);
  g_assert_cmpint (gtk_widget_get_width (short_chip), ==, short_natural);
  g_assert_cmpint (gtk_widget_get_width (long_chip), <=, 26 * char_width);
  g_assert_cmpint (gtk_widget_get_width (long_chip), >=, 20 * char_width);
  g_assert_true (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (long_chip))));

  /* What the box asks for across is what it shows. */
  gtk_widget_measure (box, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &box_natural, NULL, NULL);
  g_assert_cmpint (box_natural, <=, short_natural + 4 + 26 * char_width);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A chip box in a list row is given one card's labels after another: it
 * shows exactly the new ones, keeping the chips it can. */
static void
test_chip_box_reuses_chips (void)
{
  const char * const two[] = { "bug", "ui", NULL };
  const char * const three[] = { "docs", "p2", "urgent", NULL };
  const char * const one[] = { "GH", NULL };
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = tack_chip_box_new ();
  GtkWidget *first;

  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_false (gtk_widget_get_visible (box));

  tack_chip_box_set_items (TACK_CHIP_BOX (box), two);
  TEST_WAIT_FOR (gtk_widget_get_mapped (box) && test_find_label (box, "bug") != NULL);
  first = test_find_label (box, "bug");
  g_assert_cmpuint (count_children (box, TRUE), ==, 2);

  tack_chip_box_set_items (TACK_CHIP_BOX (box), three);
  TEST_WAIT_FOR (test_find_label (box, "urgent") != NULL);
  g_assert_true (test_find_label (box, "docs") == first);
  g_assert_nonnull (test_find_label (box, "p2"));
  g_assert_null (test_find_label (box, "bug"));
  g_assert_null (test_find_label (box, "ui"));
  g_assert_cmpuint (count_children (box, TRUE), ==, 3);

  /* Fewer labels hide the chips left over, and more show them again:
   * no label is made or destroyed on the way. */
  {
    const char * const single[] = { "only", NULL };
    GtkWidget *third = gtk_widget_get_last_child (box);

    tack_chip_box_set_items (TACK_CHIP_BOX (box), single);
    TEST_WAIT_FOR (test_find_label (box, "only") != NULL);
    g_assert_true (test_find_label (box, "only") == first);
    g_assert_cmpuint (count_children (box, TRUE), ==, 1);
    g_assert_cmpuint (count_children (box, FALSE), ==, 3);
    g_assert_null (test_find_label (box, "p2"));
    g_assert_null (test_find_label (box, "urgent"));

    tack_chip_box_set_items (TACK_CHIP_BOX (box), three);
    TEST_WAIT_FOR (test_find_label (box, "urgent") != NULL);
    g_assert_true (test_find_label (box, "urgent") == third);
    g_assert_cmpuint (count_children (box, TRUE), ==, 3);
    g_assert_cmpuint (count_children (box, FALSE), ==, 3);
  }

  /* Pills wrap onto more lines when narrower, never wider than given. */
  {
    int one_line, wrapped;

    gtk_widget_measure (box, GTK_ORIENTATION_VERTICAL, 1000, NULL, &one_line, NULL, NULL);
    gtk_widget_measure (box, GTK_ORIENTATION_VERTICAL, 1, NULL, &wrapped, NULL, NULL);
    g_assert_cmpint (one_line, >, 0);
    g_assert_cmpint (wrapped, >=, 3 * one_line);
  }

  tack_chip_box_set_items (TACK_CHIP_BOX (box), NULL);
  TEST_WAIT_FOR (!gtk_widget_get_mapped (box));
  g_assert_false (gtk_widget_get_visible (box));

  /* Avatars are other widgets: none of the labels stays. */
  tack_chip_box_set_avatars (TACK_CHIP_BOX (box), TRUE);
  tack_chip_box_set_items (TACK_CHIP_BOX (box), one);
  TEST_WAIT_FOR (gtk_widget_get_mapped (box) && test_find_widget (box, is_mapped_avatar, NULL) != NULL);
  g_assert_cmpuint (count_children (box, TRUE), ==, 1);
  g_assert_cmpstr (tack_avatar_get_text (TACK_AVATAR (test_find_widget (box, is_mapped_avatar, NULL))), ==, "GH");
  g_assert_null (test_find_label (box, "docs"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
count_changes_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *n_changes)
{
  (*n_changes)++;
}

/* Cards waiting out a delete's Undo toast are hidden; with none waiting
 * the filter says it matches all, so a filter model passes changes on. */
static void
test_card_filter_hides (void)
{
  g_autoptr(JsonNode) snapshot = tack_test_parse (snapshot_json);
  g_autoptr(TackStore) store = tack_store_new ();
  g_autoptr(TackCardFilter) filter = tack_card_filter_new ();
  g_autoptr(GtkFilterListModel) model = NULL;
  g_autoptr(GError) error = NULL;
  TackColumn *column;
  GListModel *cards;
  guint n_cards;
  guint n_changes = 0;

  tack_store_load_snapshot (store, snapshot, &error);
  g_assert_no_error (error);
  column = tack_store_lookup_column (store, "todo");
  g_assert_nonnull (column);
  cards = tack_column_get_cards (column);
  n_cards = g_list_model_get_n_items (cards);
  g_assert_cmpuint (n_cards, >=, 2);

  model = gtk_filter_list_model_new (g_object_ref (cards), g_object_ref (GTK_FILTER (filter)));
  g_signal_connect (model, "items-changed", G_CALLBACK (count_changes_cb), &n_changes);
  g_assert_cmpint (gtk_filter_get_strictness (GTK_FILTER (filter)), ==, GTK_FILTER_MATCH_ALL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n_cards);

  tack_card_filter_hide (filter, "k1");
  g_assert_true (tack_card_filter_is_hidden (filter, "k1"));
  g_assert_cmpint (gtk_filter_get_strictness (GTK_FILTER (filter)), ==, GTK_FILTER_MATCH_SOME);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n_cards - 1);
  for (guint i = 0; i < n_cards - 1; i++)
    {
      g_autoptr(TackCard) card = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_assert_cmpstr (tack_card_get_id (card), !=, "k1");
    }
  g_assert_cmpuint (n_changes, ==, 1);

  /* Hiding it again changes nothing. */
  tack_card_filter_hide (filter, "k1");
  g_assert_cmpuint (n_changes, ==, 1);

  tack_card_filter_show (filter, "k1");
  g_assert_false (tack_card_filter_is_hidden (filter, "k1"));
  g_assert_cmpint (gtk_filter_get_strictness (GTK_FILTER (filter)), ==, GTK_FILTER_MATCH_ALL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n_cards);
  g_assert_cmpuint (n_changes, ==, 2);
}

static int
height_for_width (GtkWidget *widget,
                  int        width)
{
  int height;

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width, NULL, &height, NULL, NULL);

  return height;
}

/* A card's title wraps to the width it is given; a description stops at
 * its line limit; the text is what a screen reader reads. */
static void
test_wrap_label_wraps (void)
{
  const char *text = "Move the settings dialog to the new preferences window and drop the old one";
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *label = tack_wrap_label_new (text);
  int one_line, wrapped, two_lines;

  gtk_box_append (GTK_BOX (box), label);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  TEST_WAIT_FOR (gtk_widget_get_mapped (label));

  g_assert_nonnull (test_find_label (window, text));
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_ROLE_LABEL);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, text);

  one_line = height_for_width (label, 5000);
  wrapped = height_for_width (label, 80);
  g_assert_cmpint (one_line, >, 0);
  g_assert_cmpint (wrapped, >=, 4 * one_line);

  /* The same width again is answered from the layout it has. */
  g_assert_cmpint (height_for_width (label, 80), ==, wrapped);

  tack_wrap_label_set_lines (TACK_WRAP_LABEL (label), 2);
  two_lines = height_for_width (label, 80);
  g_assert_cmpint (two_lines, <, wrapped);
  g_assert_cmpint (two_lines, <=, 2 * one_line + 2);

  /* A new text is measured anew, and announced. */
  tack_wrap_label_set_label (TACK_WRAP_LABEL (label), "Short");
  g_assert_cmpint (height_for_width (label, 80), ==, one_line);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, "Short");
  TEST_WAIT_FOR (test_find_label (window, "Short") != NULL);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* @layout drawn in black on white, as an image the size of @width × 100. */
static cairo_surface_t *
render_layout (PangoLayout *layout,
               int          width)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, 100);
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  pango_cairo_show_layout (cr, layout);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  return surface;
}

/* A glimpse of a very long text (two lines of a description) is laid out
 * from as much of it as two lines can show, not from all of it, and
 * looks exactly as if it had been; the whole text is still what the
 * label says to assistive technologies. */
static void
test_wrap_label_long_text (void)
{
  const char *sentence = "Steps to reproduce: open the board, drag a card to another column and watch the count. ";
  g_autoptr(GString) text = g_string_new (NULL);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *label;
  g_autoptr(PangoLayout) whole = NULL;
  cairo_surface_t *shown, *expected;
  PangoLayout *layout;
  int width;

  while (text->len < 20000)
    g_string_append (text, sentence);
  label = tack_wrap_label_new (text->str);
  tack_wrap_label_set_lines (TACK_WRAP_LABEL (label), 2);
  gtk_widget_set_size_request (label, 232, -1);
  gtk_widget_set_halign (label, GTK_ALIGN_START);
  gtk_window_set_child (GTK_WINDOW (window), label);
  gtk_window_present (GTK_WINDOW (window));
  TEST_WAIT_FOR (gtk_widget_get_mapped (label) && gtk_widget_get_width (label) > 0);

  width = gtk_widget_get_width (label);
  layout = tack_wrap_label_get_layout (TACK_WRAP_LABEL (label));
  g_assert_cmpint (pango_layout_get_width (layout), ==, width * PANGO_SCALE);
  g_assert_cmpint (pango_layout_get_line_count (layout), ==, 2);
  g_assert_true (pango_layout_is_ellipsized (layout));
  g_assert_cmpint (pango_layout_get_character_count (layout), <, 2000);

  whole = gtk_widget_create_pango_layout (label, text->str);
  pango_layout_set_wrap (whole, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_width (whole, width * PANGO_SCALE);
  pango_layout_set_ellipsize (whole, PANGO_ELLIPSIZE_END);
  pango_layout_set_height (whole, -2);
  g_assert_cmpint (pango_layout_get_line_count (whole), ==, 2);

  shown = render_layout (layout, width);
  expected = render_layout (whole, width);
  g_assert_cmpint (memcmp (cairo_image_surface_get_data (shown), cairo_image_surface_get_data (expected),
                           cairo_image_surface_get_stride (shown) * 100), ==, 0);
  cairo_surface_destroy (shown);
  cairo_surface_destroy (expected);

  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, text->str);

  /* Without a limit on the lines, all of it is laid out. */
  tack_wrap_label_set_lines (TACK_WRAP_LABEL (label), 0);
  TEST_WAIT_FOR (pango_layout_get_line_count (tack_wrap_label_get_layout (TACK_WRAP_LABEL (label))) > 2);
  g_assert_cmpint (pango_layout_get_character_count (tack_wrap_label_get_layout (TACK_WRAP_LABEL (label))), ==,
                   g_utf8_strlen (text->str, -1));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* An assignee shows their initials and is announced by name; the same
 * name always gets the same colour. */
static void
test_avatar_initials (void)
{
  struct {
    const char *name;
    const char *initials;
  } cases[] = {
    { "Ada Lovelace", "AL" },
    { "grace", "G" },
    { "  Barbara  Liskov ", "BL" },
    { "élodie durand", "ÉD" },
    { "", "" },
    { NULL, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GtkWidget) avatar = g_object_ref_sink (tack_avatar_new (24, cases[i].name));

      g_assert_cmpstr (tack_avatar_get_initials (TACK_AVATAR (avatar)), ==, cases[i].initials);
      g_assert_cmpstr (tack_avatar_get_text (TACK_AVATAR (avatar)), ==, cases[i].name);
      gtk_test_accessible_assert_role (GTK_ACCESSIBLE (avatar), GTK_ACCESSIBLE_ROLE_IMG);
    }

  {
    g_autoptr(GtkWidget) a = g_object_ref_sink (tack_avatar_new (24, "Ada Lovelace"));
    g_autoptr(GtkWidget) b = g_object_ref_sink (tack_avatar_new (24, "Grace Hopper"));
    g_auto(GStrv) classes_before = gtk_widget_get_css_classes (b);
    g_auto(GStrv) classes_a = NULL;
    g_auto(GStrv) classes_b = NULL;

    tack_avatar_set_text (TACK_AVATAR (b), "Ada Lovelace");
    classes_a = gtk_widget_get_css_classes (a);
    classes_b = gtk_widget_get_css_classes (b);
    g_assert_true (g_strv_equal ((const char * const *)classes_a, (const char * const *)classes_b));
    g_assert_cmpuint (g_strv_length (classes_b), ==, g_strv_length (classes_before));
  }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  /* What is shown, not how it gets there: no transitions to wait out. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add ("/tack/ui/window/shows-board", Fixture, NULL,
              fixture_set_up, test_window_shows_board, fixture_tear_down);
  g_test_add ("/tack/ui/window/follows-store", Fixture, NULL,
              fixture_set_up, test_window_follows_store, fixture_tear_down);
  g_test_add ("/tack/ui/window/shows-pending", Fixture, NULL,
              fixture_set_up, test_window_shows_pending, fixture_tear_down);
  g_test_add ("/tack/ui/window/board-replaced", Fixture, NULL,
              fixture_set_up, test_window_board_replaced, fixture_tear_down);
  g_test_add_func ("/tack/ui/window/empty-store", test_window_empty_store);
  g_test_add_func ("/tack/ui/card-row/rebinds", test_card_row_rebinds);
  g_test_add_func ("/tack/ui/chip-box/reuses-chips", test_chip_box_reuses_chips);
  g_test_add_func ("/tack/ui/chip-box/caps-pills", test_chip_box_caps_pills);
  g_test_add_func ("/tack/ui/char-width/shared", test_char_width);
  g_test_add_func ("/tack/ui/card-filter/hides", test_card_filter_hides);
  g_test_add_func ("/tack/ui/head-model/head", test_head_model);
  g_test_add_func ("/tack/ui/column-view/rows-after-first-frame", test_column_view_rows_after_first_frame);
  g_test_add_func ("/tack/ui/wrap-label/wraps", test_wrap_label_wraps);
  g_test_add_func ("/tack/ui/wrap-label/long-text", test_wrap_label_long_text);
  g_test_add_func ("/tack/ui/avatar/initials", test_avatar_initials);
  g_test_add_func ("/tack/ui/window/size-settings", test_window_size_settings);
  g_test_add_func ("/tack/ui/snapshot/file", test_snapshot_file);
  g_test_add_func ("/tack/ui/snapshot/file-errors", test_snapshot_file_errors);
  g_test_add_func ("/tack/ui/app/snapshot-option", test_app_snapshot_option);
  g_test_add_func ("/tack/ui/app/snapshot-option-missing", test_app_snapshot_option_missing);

  return g_test_run ();
}
