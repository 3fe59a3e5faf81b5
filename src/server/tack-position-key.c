/* tack-position-key.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Position keys: fractions in base 62 written as strings, compared in byte
 * order ('0' < '9' < 'A' < 'Z' < 'a' < 'z' in ASCII). A key never ends in
 * the smallest digit, so there is always room below and between any two
 * keys: the midpoint just grows one digit longer. */

#define G_LOG_DOMAIN "tack-server"

#include "config.h"

#include <string.h>

#include "tack-position-key.h"

#define BASE 62

static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static int
digit_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'Z')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 36;
  return -1;
}

gboolean
tack_position_key_is_valid (const char *key)
{
  gsize len;

  if (key == NULL || *key == '\0')
    return FALSE;

  for (const char *p = key; *p; p++)
    if (digit_value (*p) < 0)
      return FALSE;

  len = strlen (key);

  return key[len - 1] != '0';
}

/* Appends to @out a key strictly between @a (length @alen, may be empty)
 * and @b (length @blen, or NULL for "no upper bound"). Requires a < b. */
static void
midpoint (GString    *out,
          const char *a,
          gsize       alen,
          const char *b,
          gsize       blen)
{
  int da, db;

  if (b != NULL)
    {
      gsize n = 0;

      /* Shared prefix, treating a missing digit of a as '0'. */
      while (n < blen && (n < alen ? a[n] : '0') == b[n])
        n++;

      if (n > 0)
        {
          gsize skip = MIN (n, alen);

          g_string_append_len (out, b, n);
          midpoint (out, a + skip, alen - skip, b + n, blen - n);
          return;
        }
    }

  da = alen > 0 ? digit_value (a[0]) : 0;
  db = b != NULL ? digit_value (b[0]) : BASE;

  if (db - da > 1)
    {
      g_string_append_c (out, digits[(da + db + 1) / 2]);
      return;
    }

  /* Neighbouring first digits. */
  if (b != NULL && blen > 1)
    {
      g_string_append_c (out, b[0]);
      return;
    }

  g_string_append_c (out, digits[da]);
  midpoint (out, alen > 0 ? a + 1 : a, alen > 0 ? alen - 1 : 0, NULL, 0);
}

/* A key just after @a: the first digit that can grow, grows by one.
 * Appending at the end of a column costs a new digit only every 61
 * appends, where a midpoint would cost one every 6. */
static void
increment (GString    *out,
           const char *a)
{
  gsize k = 0;

  while (a[k] == 'z')
    k++;

  g_string_append_len (out, a, k);

  if (a[k] == '\0')
    g_string_append_c (out, digits[1]);
  else
    g_string_append_c (out, digits[digit_value (a[k]) + 1]);
}

/* A key just before @b, the mirror of increment(). A key never ends in
 * '0', so one of its digits is not '0'. */
static void
decrement (GString    *out,
           const char *b)
{
  gsize k = 0;
  int value;

  while (b[k] == '0')
    k++;

  g_string_append_len (out, b, k);
  value = digit_value (b[k]);

  if (value >= 2)
    g_string_append_c (out, digits[value - 1]);
  else
    {
      g_string_append_c (out, digits[0]);
      g_string_append_c (out, digits[BASE - 1]);
    }
}

/**
 * tack_position_key_between:
 * @before: (nullable): the key to sort after, or %NULL for the start
 * @after: (nullable): the key to sort before, or %NULL for the end
 *
 * Returns: (transfer full): a valid key with @before < key < @after in byte
 *   order. Invalid or unordered bounds are ignored from the right, so the
 *   result always sorts after @before.
 */
char *
tack_position_key_between (const char *before,
                           const char *after)
{
  GString *out = g_string_new (NULL);

  if (before != NULL && !tack_position_key_is_valid (before))
    before = NULL;
  if (after != NULL && !tack_position_key_is_valid (after))
    after = NULL;
  if (before != NULL && after != NULL && strcmp (before, after) >= 0)
    after = NULL;

  if (before == NULL && after == NULL)
    g_string_append_c (out, digits[BASE / 2]);
  else if (after == NULL)
    increment (out, before);
  else if (before == NULL)
    decrement (out, after);
  else
    midpoint (out, before, strlen (before), after, strlen (after));

  return g_string_free (out, FALSE);
}
