/* test-position-key.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tack-position-key.h"

static void
assert_between (const char *before,
                const char *key,
                const char *after)
{
  g_assert_true (tack_position_key_is_valid (key));
  if (before != NULL)
    g_assert_cmpint (strcmp (before, key), <, 0);
  if (after != NULL)
    g_assert_cmpint (strcmp (key, after), <, 0);
}

static void
test_position_key_basics (void)
{
  g_autofree char *first = tack_position_key_between (NULL, NULL);
  g_autofree char *before = tack_position_key_between (NULL, first);
  g_autofree char *after = tack_position_key_between (first, NULL);
  g_autofree char *middle = tack_position_key_between (before, first);
  g_autofree char *tight = tack_position_key_between ("1", "2");
  g_autofree char *low = tack_position_key_between (NULL, "01");
  g_autofree char *high = tack_position_key_between ("zz", NULL);

  assert_between (NULL, first, NULL);
  assert_between (NULL, before, first);
  assert_between (first, after, NULL);
  assert_between (before, middle, first);
  assert_between ("1", tight, "2");
  assert_between (NULL, low, "01");
  assert_between ("zz", high, NULL);

  g_assert_false (tack_position_key_is_valid (""));
  g_assert_false (tack_position_key_is_valid ("a0"));
  g_assert_false (tack_position_key_is_valid ("a-b"));
}

/* Thousands of inserts at the same spot: always right after the same
 * card, so each new key goes between that card and the previous new one.
 * Keys stay ordered, and grow by about one digit every few inserts. */
static void
test_position_key_same_neighbours (void)
{
  const guint n = 5000;
  g_autofree char *left = tack_position_key_between (NULL, NULL);
  g_autofree char *right = tack_position_key_between (left, NULL);
  char *upper = g_strdup (right);
  gsize longest = 0;

  for (guint i = 0; i < n; i++)
    {
      char *key = tack_position_key_between (left, upper);

      assert_between (left, key, upper);
      longest = MAX (longest, strlen (key));
      g_free (upper);
      upper = key;
    }

  /* log2(62) ≈ 5.95 bits a digit: one halving per insert needs a new
   * digit about every 5.9 inserts. */
  g_assert_cmpuint (longest, <=, n / 5 + 2);
  g_free (upper);
}

/* Appending at the end and prepending at the start stay short. */
static void
test_position_key_ends (void)
{
  char *last = tack_position_key_between (NULL, NULL);
  char *first = g_strdup (last);

  for (guint i = 0; i < 2000; i++)
    {
      char *next = tack_position_key_between (last, NULL);
      char *prev = tack_position_key_between (NULL, first);

      assert_between (last, next, NULL);
      assert_between (NULL, prev, first);
      g_free (last);
      g_free (first);
      last = next;
      first = prev;
    }

  g_assert_cmpuint (strlen (last), <=, 2000 / 30 + 2);
  g_assert_cmpuint (strlen (first), <=, 2000 / 30 + 2);
  g_free (last);
  g_free (first);
}

/* Random inserts between random neighbours keep a strict order. */
static void
test_position_key_random (void)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (guint i = 0; i < 3000; i++)
    {
      guint at = g_rand_int_range (rand, 0, keys->len + 1);
      const char *before = at > 0 ? g_ptr_array_index (keys, at - 1) : NULL;
      const char *after = at < keys->len ? g_ptr_array_index (keys, at) : NULL;
      char *key = tack_position_key_between (before, after);

      assert_between (before, key, after);
      g_ptr_array_insert (keys, at, key);
    }

  for (guint i = 1; i < keys->len; i++)
    g_assert_cmpint (strcmp (g_ptr_array_index (keys, i - 1), g_ptr_array_index (keys, i)), <, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tack/server/position-key/basics", test_position_key_basics);
  g_test_add_func ("/tack/server/position-key/same-neighbours", test_position_key_same_neighbours);
  g_test_add_func ("/tack/server/position-key/ends", test_position_key_ends);
  g_test_add_func ("/tack/server/position-key/random", test_position_key_random);

  return g_test_run ();
}
