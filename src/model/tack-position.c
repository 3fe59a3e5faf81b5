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
 */

#define G_LOG_DOMAIN "tack-model"

#include "config.h"

#include <string.h>

#include "tack-position.h"

#define DIGIT_LOW  '0'
#define DIGIT_HIGH 'z'
#define BELOW      (DIGIT_LOW - 1)
#define ABOVE      (DIGIT_HIGH + 1)

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
