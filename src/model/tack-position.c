/* tack-position.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Position keys are strings ordered bytewise (PROTOCOL.md). Between any
 * two keys there is always room for another one, because a key may grow
 * longer: this is fractional indexing over the digits '0'…'z'. Generated
 * keys never end in the lowest digit, so there is always room below them.
 *
 * Appending after the last key and prepending before the first are what a
 * column does most (a new card goes first, a finished one last), so those
 * count: the key's last digit goes up (or down) by one, carrying into the
 * digits before it like a counter of fixed width, and only when every
 * digit is at the top (or the bottom) does the key get longer, doubling
 * its length. 10,000 appends from the first key of a column end at a
 * key of 7 digits, 10,000 prepends at 8; stepping the first free digit
 * and adding a digit at each carry, as this did before, ended at 264 and
 * 271, and grew by one digit every ~38 cards.
 */

#define G_LOG_DOMAIN "tack-model"

#include "config.h"

#include <string.h>

#include "tack-position.h"

#define DIGIT_LOW  '0'
#define DIGIT_HIGH 'z'
#define BELOW      (DIGIT_LOW - 1)
#define ABOVE      (DIGIT_HIGH + 1)

/* The next key after @before, same length, unless every digit is at the
 * top: then @before followed by 0…01, twice as long. */
static char *
key_after (const char *before)
{
  gsize n = strlen (before);
  char *key;
  gssize j;

  for (j = (gssize)n - 1; j >= 0; j--)
    if ((guchar)before[j] < DIGIT_HIGH)
      break;

  if (j < 0)
    {
      key = g_malloc (2 * n + 2);
      memcpy (key, before, n);
      memset (key + n, DIGIT_LOW, n);
      key[2 * n] = DIGIT_LOW + 1;
      key[2 * n + 1] = '\0';
      return key;
    }

  /* Count up at digit j; the ones after it, all at the top, start again
   * from the bottom, without ending in the lowest digit. */
  key = g_strdup (before);
  key[j] = (char)MAX ((guchar)before[j] + 1, DIGIT_LOW + 1);
  for (gsize i = j + 1; i < n; i++)
    key[i] = i + 1 < n ? DIGIT_LOW : DIGIT_LOW + 1;

  return key;
}

/* The key before @after, same length, unless it is 0…01: then 0…0 z…zy,
 * twice as long. %NULL for a key from elsewhere with no room below it in
 * that form (one ending in the lowest digit, say). */
static char *
key_before (const char *after)
{
  gsize n = strlen (after);
  char *key;
  gssize j;

  if (n == 0)
    return NULL;

  /* The last digit may not go down to the lowest one; one before it may. */
  for (j = (gssize)n - 1; j >= 0; j--)
    if ((guchar)after[j] > ((gsize)j + 1 < n ? DIGIT_LOW : DIGIT_LOW + 1))
      break;

  if (j < 0)
    {
      for (gsize i = 0; i + 1 < n; i++)
        if (after[i] != DIGIT_LOW)
          return NULL;
      if (after[n - 1] != DIGIT_LOW + 1)
        return NULL;

      key = g_malloc (2 * n + 1);
      memset (key, DIGIT_LOW, n);
      memset (key + n, DIGIT_HIGH, n - 1);
      key[2 * n - 1] = DIGIT_HIGH - 1;
      key[2 * n] = '\0';
      return key;
    }

  /* Count down at digit j; the ones after it start again from the top. */
  key = g_strdup (after);
  key[j] = (char)((guchar)after[j] - 1);
  for (gsize i = j + 1; i < n; i++)
    key[i] = DIGIT_HIGH;

  return key;
}

/**
 * tack_position_between:
 * @before: (nullable): the key to sort after, or %NULL for the start
 * @after: (nullable): the key to sort before, or %NULL for the end
 *
 * Returns: (transfer full) (nullable): a key strictly between @before and
 *   @after, or %NULL if the keys are not in order or leave no room in the
 *   digit alphabet (keys from elsewhere may end in the lowest digit).
 */
char *
tack_position_between (const char *before,
                       const char *after)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gsize lb = before ? strlen (before) : 0;
  gsize la = after ? strlen (after) : 0;
  gboolean follow_before = before != NULL;
  gboolean follow_after = after != NULL;

  if (before != NULL && after != NULL && strcmp (before, after) >= 0)
    return NULL;

  if (before != NULL && after == NULL)
    return key_after (before);

  if (before == NULL && after != NULL)
    {
      char *key = key_before (after);

      if (key != NULL)
        return key;
    }

  for (gsize i = 0; ; i++)
    {
      gboolean have_lo = follow_before && i < lb;
      int lo = have_lo ? (guchar)before[i] : BELOW;
      int hi;
      int mid;

      if (follow_after && i >= la)
        return NULL;

      hi = follow_after ? (guchar)after[i] : ABOVE;

      if (hi == lo)
        {
          g_string_append_c (out, (char)lo);
          continue;
        }

      if (hi < lo)
        return NULL;

      /* Open on one side (appending or prepending): step one digit away
       * from the bound rather than halving, so runs of appends grow the
       * key by one digit per ~70 cards, not per ~6. */
      if (after == NULL && have_lo)
        mid = lo + 1;
      else if (before == NULL && follow_after && hi - 1 > lo)
        mid = hi - 1;
      else
        mid = lo + (hi - lo) / 2;

      if (hi - lo > 1 && mid != DIGIT_LOW)
        {
          g_string_append_c (out, (char)mid);
          return g_string_free (g_steal_pointer (&out), FALSE);
        }

      if (have_lo)
        {
          /* Equal to @before so far and already below @after. */
          g_string_append_c (out, (char)lo);
          follow_after = FALSE;
        }
      else
        {
          /* Already above @before; take @after's digit (or the lowest one)
           * and keep looking for room further along. */
          g_string_append_c (out, (char)(hi - lo > 1 ? mid : hi));
          follow_before = FALSE;
          if (hi - lo > 1)
            follow_after = FALSE;
        }
    }
}
