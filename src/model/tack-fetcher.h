/* tack-fetcher.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define TACK_TYPE_FETCHER (tack_fetcher_get_type ())

G_DECLARE_INTERFACE (TackFetcher, tack_fetcher, TACK, FETCHER, GObject)

/**
 * TackFetcherInterface:
 * @fetch_card_async: fetch one card (`GET …/cards/{card}`)
 * @fetch_card_finish: the card object (PROTOCOL.md's Card); a card the
 *   server no longer has is reported as %G_IO_ERROR_NOT_FOUND
 * @fetch_board_async: fetch the board snapshot (`GET …/boards/{board}`)
 * @fetch_board_finish: the snapshot (`{"board", "columns", "cards", "seq"}`)
 *
 * Where the store goes when an entry is invalidated. The net layer
 * implements it over HTTP; tests implement it in memory.
 */
struct _TackFetcherInterface
{
  GTypeInterface parent_iface;

  void        (*fetch_card_async)   (TackFetcher          *self,
                                     const char           *card_id,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
  JsonObject *(*fetch_card_finish)  (TackFetcher          *self,
                                     GAsyncResult         *result,
                                     GError              **error);
  void        (*fetch_board_async)  (TackFetcher          *self,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
  JsonNode   *(*fetch_board_finish) (TackFetcher          *self,
                                     GAsyncResult         *result,
                                     GError              **error);
};

void        tack_fetcher_fetch_card_async   (TackFetcher          *self,
                                             const char           *card_id,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
JsonObject *tack_fetcher_fetch_card_finish  (TackFetcher          *self,
                                             GAsyncResult         *result,
                                             GError              **error);
void        tack_fetcher_fetch_board_async  (TackFetcher          *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
JsonNode   *tack_fetcher_fetch_board_finish (TackFetcher          *self,
                                             GAsyncResult         *result,
                                             GError              **error);

G_END_DECLS
