/* tack-fetcher.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tack-model"

#include "config.h"

#include "tack-fetcher.h"

G_DEFINE_INTERFACE (TackFetcher, tack_fetcher, G_TYPE_OBJECT)

static void
tack_fetcher_default_init (TackFetcherInterface *iface)
{
}

void
tack_fetcher_fetch_card_async (TackFetcher         *self,
                               const char          *card_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (TACK_IS_FETCHER (self));
  g_return_if_fail (card_id != NULL);

  TACK_FETCHER_GET_IFACE (self)->fetch_card_async (self, card_id, cancellable, callback, user_data);
}

/**
 * tack_fetcher_fetch_card_finish:
 *
 * Returns: (transfer full): the card, or %NULL with @error set
 */
JsonObject *
tack_fetcher_fetch_card_finish (TackFetcher   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (TACK_IS_FETCHER (self), NULL);

  return TACK_FETCHER_GET_IFACE (self)->fetch_card_finish (self, result, error);
}

void
tack_fetcher_fetch_board_async (TackFetcher         *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (TACK_IS_FETCHER (self));

  TACK_FETCHER_GET_IFACE (self)->fetch_board_async (self, cancellable, callback, user_data);
}

/**
 * tack_fetcher_fetch_board_finish:
 *
 * Returns: (transfer full): the snapshot, or %NULL with @error set
 */
JsonNode *
tack_fetcher_fetch_board_finish (TackFetcher   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (TACK_IS_FETCHER (self), NULL);

  return TACK_FETCHER_GET_IFACE (self)->fetch_board_finish (self, result, error);
}
