/* tack-api.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "tack-fetcher.h"

G_BEGIN_DECLS

#define TACK_API_ERROR (tack_api_error_quark ())

/**
 * TackApiError:
 *
 * PROTOCOL.md's error codes, plus %TACK_API_ERROR_NETWORK for a request
 * that never got an HTTP answer (refused, reset, timed out).
 */
typedef enum
{
  TACK_API_ERROR_BAD_REQUEST,
  TACK_API_ERROR_UNAUTHORIZED,
  TACK_API_ERROR_FORBIDDEN,
  TACK_API_ERROR_NOT_FOUND,
  TACK_API_ERROR_CONFLICT,
  TACK_API_ERROR_TOO_LARGE,
  TACK_API_ERROR_RATE_LIMITED,
  TACK_API_ERROR_INTERNAL,
  TACK_API_ERROR_NETWORK,
} TackApiError;

GQuark      tack_api_error_quark           (void);
JsonObject *tack_api_error_get_current     (const GError *error);
guint       tack_api_error_get_status      (const GError *error);
guint       tack_api_error_get_retry_after (const GError *error);
gboolean    tack_api_error_is_transient    (const GError *error);

#define TACK_TYPE_API (tack_api_get_type())

G_DECLARE_FINAL_TYPE (TackApi, tack_api, TACK, API, GObject)

TackApi     *tack_api_new                    (const char           *base_url,
                                              const char           *board_id,
                                              const char           *token);
const char  *tack_api_get_base_url           (TackApi              *self);
const char  *tack_api_get_board_id           (TackApi              *self);
const char  *tack_api_get_token              (TackApi              *self);
const char  *tack_api_get_user               (TackApi              *self);
void         tack_api_set_user               (TackApi              *self,
                                              const char           *user);
SoupSession *tack_api_get_session            (TackApi              *self);
guint        tack_api_get_n_snapshot_fetches (TackApi              *self);
SoupMessage *tack_api_new_message            (TackApi              *self,
                                              const char           *method,
                                              const char           *path,
                                              const char           *query);
GError      *tack_api_error_from_message     (SoupMessage          *message,
                                              GBytes               *body);

void         tack_api_request_async          (TackApi              *self,
                                              const char           *method,
                                              const char           *path,
                                              const char           *query,
                                              JsonNode             *body,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
JsonNode    *tack_api_request_finish         (TackApi              *self,
                                              GAsyncResult         *result,
                                              GError              **error);

void         tack_api_fetch_snapshot_async   (TackApi              *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
JsonNode    *tack_api_fetch_snapshot_finish  (TackApi              *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void         tack_api_fetch_card_async       (TackApi              *self,
                                              const char           *card_id,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
JsonObject  *tack_api_fetch_card_finish      (TackApi              *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void         tack_api_fetch_events_async     (TackApi              *self,
                                              gint64                since,
                                              guint                 wait_seconds,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
JsonNode    *tack_api_fetch_events_finish    (TackApi              *self,
                                              GAsyncResult         *result,
                                              GError              **error);

/* Writes. Each finishes with the response body's "card" (or "column",
 * "board") object when it has one. */
void         tack_api_create_card_async      (TackApi              *self,
                                              const char           *op,
                                              const char           *column_id,
                                              const char           *title,
                                              const char           *after_card_id,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void         tack_api_update_card_async      (TackApi              *self,
                                              const char           *op,
                                              const char           *card_id,
                                              gint64                base_version,
                                              JsonObject           *fields,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void         tack_api_move_card_async        (TackApi              *self,
                                              const char           *op,
                                              const char           *card_id,
                                              gint64                base_version,
                                              const char           *column_id,
                                              const char           *after_card_id,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void         tack_api_delete_card_async      (TackApi              *self,
                                              const char           *op,
                                              const char           *card_id,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void         tack_api_create_column_async    (TackApi              *self,
                                              const char           *op,
                                              const char           *title,
                                              const char           *after_column_id,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void         tack_api_update_column_async    (TackApi              *self,
                                              const char           *op,
                                              const char           *column_id,
                                              gint64                base_version,
                                              JsonObject           *fields,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void         tack_api_move_column_async      (TackApi              *self,
                                              const char           *op,
                                              const char           *column_id,
                                              gint64                base_version,
                                              const char           *after_column_id,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void         tack_api_delete_column_async    (TackApi              *self,
                                              const char           *op,
                                              const char           *column_id,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
JsonObject  *tack_api_write_finish           (TackApi              *self,
                                              GAsyncResult         *result,
                                              GError              **error);

/* Admin: the server's admin token creates boards. */
void         tack_api_create_board_async     (TackApi              *self,
                                              const char           *title,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
JsonObject  *tack_api_create_board_finish    (TackApi              *self,
                                              GAsyncResult         *result,
                                              GError              **error);

G_END_DECLS
