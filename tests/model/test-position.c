/* test-position.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tack-position.h"

static void
assert_between (const char *before,
                const char *after,
                const char *key)
{
  g_assert_nonnull (key);
  if (before != NULL)
    g_assert_cmpint (strcmp (before, key), <, 0);
  if (after != NULL)
    g_assert_cmpint (strcmp (key, after), <, 0);
  for (const char *p = key; *p; p++)
    g_assert_true (g_ascii_isprint (*p));
}

static void
test_position_ends (void)
{
  g_autofree char *mid = tack_position_between (NULL, NULL);
  g_autofree char *first = tack_position_between (NULL, mid);
  g_autofree char *last = tack_position_between (mid, NULL);

  assert_between (NULL, NULL, mid);
  assert_between (NULL, mid, first);
  assert_between (mid, NULL, last);
}

static void
test_position_out_of_order (void)
{
  g_assert_null (tack_position_between ("b", "a"));
  g_assert_null (tack_position_between ("a", "a"));
}

/* Always inserting between the same two neighbours must keep working:
 * keys grow, but never run out of room. */
static void
test_position_same_gap (void)
{
  g_autofree char *lo = g_strdup ("a");
  g_autofree char *hi = g_strdup ("b");

  for (guint i = 0; i < 2000; i++)
    {
      char *key = tack_position_between (lo, hi);

      assert_between (lo, hi, key);
      if (i % 2)
        g_free (g_steal_pointer (&lo)), lo = key;
      else
        g_free (g_steal_pointer (&hi)), hi = key;
    }

  /* Halving the gap each time costs about one digit per six steps. */
  g_assert_cmpuint (strlen (lo), <, 2000 / 4);
}

static void
test_position_prepend_append (void)
{
  g_autofree char *first = g_strdup ("U");
  g_autofree char *last = g_strdup ("U");

  for (guint i = 0; i < 1000; i++)
    {
      char *a = tack_position_between (NULL, first);
      char *b = tack_position_between (last, NULL);

      assert_between (NULL, first, a);
      assert_between (last, NULL, b);
      g_free (first);
      g_free (last);
      first = a;
      last = b;
    }

  g_assert_cmpuint (strlen (first), <, 100);
  g_assert_cmpuint (strlen (last), <, 100);
}

/* A column that only ever gets new cards on top, or finished ones at the
 * bottom, keeps short keys: they count, and grow only by doubling. */
static void
test_position_count (void)
{
  g_autofree char *first = tack_position_between (NULL, NULL);
  g_autofree char *last = g_strdup (first);

  for (guint i = 0; i < 10000; i++)
    {
      char *a = tack_position_between (NULL, first);
      char *b = tack_position_between (last, NULL);

      assert_between (NULL, first, a);
      assert_between (last, NULL, b);
      g_assert_cmpint (a[strlen (a) - 1], !=, '0');
      g_assert_cmpint (b[strlen (b) - 1], !=, '0');
      g_free (first);
      g_free (last);
      first = a;
      last = b;
    }

  g_assert_cmpuint (strlen (first), <=, 8);
  g_assert_cmpuint (strlen (last), <=, 8);
}

/* Cards put anywhere, in any order: every key lands strictly between its
 * neighbours, and none ends in the lowest digit. */
static void
test_position_anywhere (void)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (6);

  for (guint i = 0; i < 5000; i++)
    {
      guint at = g_rand_int_range (rand, 0, keys->len + 1);
      const char *before = at > 0 ? g_ptr_array_index (keys, at - 1) : NULL;
      const char *after = at < keys->len ? g_ptr_array_index (keys, at) : NULL;
      char *key = tack_position_between (before, after);

      assert_between (before, after, key);
      g_assert_cmpint (key[strlen (key) - 1], !=, '0');
      g_ptr_array_insert (keys, at, key);
    }
}

static void
test_position_tight (void)
{
  /* Adjacent digits and prefixes. */
  const char *pairs[][2] = {
    { "a", "a0U" }, { "a", "b" }, { "az", "b" }, { "0", "1" },
    { NULL, "1" }, { NULL, "01" }, { "zz", NULL }, { "a", "a1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autofree char *key = tack_position_between (pairs[i][0], pairs[i][1]);

      assert_between (pairs[i][0], pairs[i][1], key);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tack/position/ends", test_position_ends);
  g_test_add_func ("/tack/position/out-of-order", test_position_out_of_order);
  g_test_add_func ("/tack/position/same-gap", test_position_same_gap);
  g_test_add_func ("/tack/position/prepend-append", test_position_prepend_append);
  g_test_add_func ("/tack/position/tight", test_position_tight);
  g_test_add_func ("/tack/position/count", test_position_count);
  g_test_add_func ("/tack/position/anywhere", test_position_anywhere);

  return g_test_run ();
}
