/* tack-test-ui.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What the GTK tests share: finding what a user would see in a window's
 * widget tree, and waiting for it without sleeping. */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TEST_WAIT_SECONDS 30

typedef gboolean (*TestMatch) (GtkWidget     *widget,
                               gconstpointer  data);

void       test_wait_tick              (void);

/* Iterates the main loop until @cond holds; a test that never gets there
 * is hung, not slow, so it aborts. */
#define TEST_WAIT_FOR(cond)                                                   \
  G_STMT_START {                                                              \
    gint64 _deadline = g_get_monotonic_time () + TEST_WAIT_SECONDS * G_USEC_PER_SEC; \
    while (!(cond))                                                           \
      {                                                                       \
        if (g_get_monotonic_time () > _deadline)                              \
          g_error ("%s:%d: timed out waiting for %s", __FILE__, __LINE__, #cond); \
        test_wait_tick ();                                                    \
      }                                                                       \
  } G_STMT_END

GtkWidget *test_find_widget            (GtkWidget     *root,
                                        TestMatch      match,
                                        gconstpointer  data);

gboolean   test_is_label_with_text     (GtkWidget     *widget,
                                        gconstpointer  text);
gboolean   test_is_label_containing    (GtkWidget     *widget,
                                        gconstpointer  text);
gboolean   test_is_type                (GtkWidget     *widget,
                                        gconstpointer  type);
gboolean   test_is_column_view_for     (GtkWidget     *widget,
                                        gconstpointer  column_id);
gboolean   test_is_card_row_for        (GtkWidget     *widget,
                                        gconstpointer  card_id);
gboolean   test_is_button_for_action   (GtkWidget     *widget,
                                        gconstpointer  action);
gboolean   test_is_mapped_with_class   (GtkWidget     *widget,
                                        gconstpointer  css_class);

GtkWidget *test_find_label             (GtkWidget     *root,
                                        const char    *text);
GtkWidget *test_find_column_view       (GtkWidget     *root,
                                        const char    *column_id);
GtkWidget *test_find_card_row          (GtkWidget     *root,
                                        const char    *card_id);

G_END_DECLS
