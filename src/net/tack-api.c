/* tack-api.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The HTTP side of PROTOCOL.md: one SoupSession for one board, the
 * snapshot and entity reads the store refetches through (TackFetcher),
 * and every write. A non-2xx answer becomes a TACK_API_ERROR carrying the
 * protocol's code and message; the extended error keeps the HTTP status,
 * Retry-After and a 409's `current` card for the caller.
 */

#define G_LOG_DOMAIN "tack-net"

#include "config.h"

#include <string.h>

#include "tack-api.h"

/* Long polls wait up to 30 s; a stalled socket is cut after this. */
#define IO_TIMEOUT_SECONDS 60

typedef struct
{
  JsonObject *current;
  guint       status;
  guint       retry_after;
} TackApiErrorPrivate;

static void
tack_api_error_private_init (TackApiErrorPrivate *priv)
{
  if (priv == NULL)
    return;
  priv->current = NULL;
  priv->status = 0;
  priv->retry_after = 0;
}

static void
tack_api_error_private_copy (const TackApiErrorPrivate *src,
                             TackApiErrorPrivate       *dest)
{
  if (src == NULL || dest == NULL)
    return;
  dest->current = src->current ? json_object_ref (src->current) : NULL;
  dest->status = src->status;
  dest->retry_after = src->retry_after;
}

static void
tack_api_error_private_clear (TackApiErrorPrivate *priv)
{
  if (priv == NULL)
    return;
  g_clear_pointer (&priv->current, json_object_unref);
}

G_DEFINE_EXTENDED_ERROR (TackApiError, tack_api_error)

/**
 * tack_api_error_get_current:
 *
 * Returns: (transfer none) (nullable): the server's current card a 409
 *   carried
 */
JsonObject *
tack_api_error_get_current (const GError *error)
{
  TackApiErrorPrivate *priv;

  if (error == NULL || error->domain != TACK_API_ERROR)
    return NULL;

  priv = tack_api_error_get_private (error);
  return priv ? priv->current : NULL;
}

guint
tack_api_error_get_status (const GError *error)
{
  TackApiErrorPrivate *priv;

  if (error == NULL || error->domain != TACK_API_ERROR)
    return 0;

  priv = tack_api_error_get_private (error);
  return priv ? priv->status : 0;
}

guint
tack_api_error_get_retry_after (const GError *error)
{
  TackApiErrorPrivate *priv;

  if (error == NULL || error->domain != TACK_API_ERROR)
    return 0;

  priv = tack_api_error_get_private (error);
  return priv ? priv->retry_after : 0;
}

/**
 * tack_api_error_is_transient:
 *
 * Whether repeating the same request later may succeed: no answer at
 * all, a server error, or rate limiting. Everything else is the server
 * refusing this request for good.
 */
gboolean
tack_api_error_is_transient (const GError *error)
{
  if (error == NULL)
    return FALSE;

  if (error->domain != TACK_API_ERROR)
    return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  return error->code == TACK_API_ERROR_NETWORK ||
         error->code == TACK_API_ERROR_INTERNAL ||
         error->code == TACK_API_ERROR_RATE_LIMITED;
}

struct _TackApi
{
  GObject      parent_instance;

  char        *base_url;
  char        *board_id;
  char        *token;
  char        *user;
  SoupSession *session;
  guint        n_snapshot_fetches;
};

static void tack_api_fetcher_iface_init (TackFetcherInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TackApi, tack_api, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TACK_TYPE_FETCHER,
                                                      tack_api_fetcher_iface_init))

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_BOARD_ID,
  PROP_TOKEN,
  PROP_USER,
  PROP_N_SNAPSHOT_FETCHES,
  N_PROPS
};

enum {
  SNAPSHOT_FETCHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const struct {
  const char   *code;
  TackApiError  error;
} error_codes[] = {
  { "bad_request", TACK_API_ERROR_BAD_REQUEST },
  { "unauthorized", TACK_API_ERROR_UNAUTHORIZED },
  { "forbidden", TACK_API_ERROR_FORBIDDEN },
  { "not_found", TACK_API_ERROR_NOT_FOUND },
  { "conflict", TACK_API_ERROR_CONFLICT },
  { "too_large", TACK_API_ERROR_TOO_LARGE },
  { "rate_limited", TACK_API_ERROR_RATE_LIMITED },
  { "internal", TACK_API_ERROR_INTERNAL },
};

static TackApiError
error_for_status (guint status)
{
  switch (status)
    {
    case SOUP_STATUS_BAD_REQUEST: return TACK_API_ERROR_BAD_REQUEST;
    case SOUP_STATUS_UNAUTHORIZED: return TACK_API_ERROR_UNAUTHORIZED;
    case SOUP_STATUS_FORBIDDEN: return TACK_API_ERROR_FORBIDDEN;
    case SOUP_STATUS_NOT_FOUND: return TACK_API_ERROR_NOT_FOUND;
    case SOUP_STATUS_CONFLICT: return TACK_API_ERROR_CONFLICT;
    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE: return TACK_API_ERROR_TOO_LARGE;
    case 429: return TACK_API_ERROR_RATE_LIMITED;
    default:
      return status >= 500 ? TACK_API_ERROR_INTERNAL : TACK_API_ERROR_BAD_REQUEST;
    }
}

static JsonNode *
parse_body (GBytes  *bytes,
            GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (!json_parser_load_from_data (parser, data, len, &local_error) ||
      json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, TACK_API_ERROR, TACK_API_ERROR_INTERNAL,
                   "The server answered with malformed JSON: %s",
                   local_error ? local_error->message : "empty");
      return NULL;
    }

  return json_parser_steal_root (parser);
}

/**
 * tack_api_error_from_message:
 * @body: (nullable): the response body, if it was read
 *
 * Turns a non-2xx answer into a TACK_API_ERROR: the body's
 * `{"error": {"code", "message"}}` when it has one, the status otherwise.
 *
 * Returns: (transfer full): the error
 */
GError *
tack_api_error_from_message (SoupMessage *message,
                             GBytes      *body)
{
  guint status = soup_message_get_status (message);
  TackApiError code = error_for_status (status);
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *current = NULL;
  TackApiErrorPrivate *priv;
  const char *retry_after;
  GError *error;

  if (body != NULL && g_bytes_get_size (body) > 0)
    root = parse_body (body, NULL);

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      JsonObject *err = NULL;

      if (json_object_has_member (object, "error") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "error")))
        err = json_object_get_object_member (object, "error");

      if (err != NULL)
        {
          const char *c = json_object_get_string_member_with_default (err, "code", NULL);
          const char *m = json_object_get_string_member_with_default (err, "message", NULL);

          for (guint i = 0; c != NULL && i < G_N_ELEMENTS (error_codes); i++)
            if (g_str_equal (c, error_codes[i].code))
              code = error_codes[i].error;

          if (m != NULL)
            text = g_strdup (m);
        }

      if (json_object_has_member (object, "current") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "current")))
        current = json_object_get_object_member (object, "current");
    }

  if (text == NULL)
    text = g_strdup_printf ("HTTP %u %s", status,
                            soup_message_get_reason_phrase (message) ?: "");

  error = g_error_new_literal (TACK_API_ERROR, code, text);
  retry_after = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                              "Retry-After");

  if ((priv = tack_api_error_get_private (error)))
    {
      priv->status = status;
      priv->current = current ? json_object_ref (current) : NULL;
      if (retry_after != NULL)
        priv->retry_after = (guint)g_ascii_strtoull (retry_after, NULL, 10);
    }

  return error;
}

static GError *
network_error (GError *cause)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (cause);

  return g_error_new_literal (TACK_API_ERROR, TACK_API_ERROR_NETWORK, cause->message);
}

static void
tack_api_finalize (GObject *object)
{
  TackApi *self = (TackApi *)object;

  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->board_id, g_free);
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->user, g_free);

  G_OBJECT_CLASS (tack_api_parent_class)->finalize (object);
}

static void
tack_api_dispose (GObject *object)
{
  TackApi *self = (TackApi *)object;

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (tack_api_parent_class)->dispose (object);
}

static void
tack_api_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  TackApi *self = TACK_API (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;

    case PROP_BOARD_ID:
      g_value_set_string (value, self->board_id);
      break;

    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;

    case PROP_USER:
      g_value_set_string (value, self->user);
      break;

    case PROP_N_SNAPSHOT_FETCHES:
      g_value_set_uint (value, self->n_snapshot_fetches);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_api_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  TackApi *self = TACK_API (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      {
        const char *url = g_value_get_string (value);
        gsize len = url ? strlen (url) : 0;

        /* "http://host:port/" and "http://host:port" are the same server. */
        while (len > 0 && url[len - 1] == '/')
          len--;
        self->base_url = g_strndup (url ? url : "", len);
      }
      break;

    case PROP_BOARD_ID:
      self->board_id = g_value_dup_string (value);
      break;

    case PROP_TOKEN:
      self->token = g_value_dup_string (value);
      break;

    case PROP_USER:
      tack_api_set_user (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_api_class_init (TackApiClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tack_api_dispose;
  object_class->finalize = tack_api_finalize;
  object_class->get_property = tack_api_get_property;
  object_class->set_property = tack_api_set_property;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL, construct);
  properties[PROP_BOARD_ID] =
    g_param_spec_string ("board-id", NULL, NULL, NULL, construct);
  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL, NULL, construct);

  /**
   * TackApi:user:
   *
   * Who this client acts for, sent as `X-Tack-User` (tack-server's
   * extension: it becomes events' `actor` and presence's `user`). It may
   * change at any time (the user renamed themselves in Preferences): every
   * request made from then on carries the new name, no reconnection
   * needed; TackConnection sends it with the presence frames too.
   */
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * TackApi:n-snapshot-fetches:
   *
   * How many board snapshots this client has requested: a resync that
   * replays events must not add to it.
   */
  properties[PROP_N_SNAPSHOT_FETCHES] =
    g_param_spec_uint ("n-snapshot-fetches", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SNAPSHOT_FETCHED] =
    g_signal_new ("snapshot-fetched",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
tack_api_init (TackApi *self)
{
  /* An SSE stream or a long poll holds one connection for as long as it
   * lives; refetches and writes must not queue behind it. */
  self->session = soup_session_new_with_options ("max-conns-per-host", 16,
                                                 "max-conns", 64,
                                                 "timeout", IO_TIMEOUT_SECONDS,
                                                 NULL);
}

TackApi *
tack_api_new (const char *base_url,
              const char *board_id,
              const char *token)
{
  g_return_val_if_fail (base_url != NULL, NULL);

  return g_object_new (TACK_TYPE_API,
                       "base-url", base_url,
                       "board-id", board_id,
                       "token", token,
                       NULL);
}

const char *
tack_api_get_base_url (TackApi *self)
{
  g_return_val_if_fail (TACK_IS_API (self), NULL);

  return self->base_url;
}

const char *
tack_api_get_board_id (TackApi *self)
{
  g_return_val_if_fail (TACK_IS_API (self), NULL);

  return self->board_id;
}

const char *
tack_api_get_token (TackApi *self)
{
  g_return_val_if_fail (TACK_IS_API (self), NULL);

  return self->token;
}

/**
 * tack_api_get_user:
 *
 * Returns: (nullable): who this client acts for
 */
const char *
tack_api_get_user (TackApi *self)
{
  g_return_val_if_fail (TACK_IS_API (self), NULL);

  return self->user;
}

/**
 * tack_api_set_user:
 * @user: (nullable): the name, or %NULL (or "") for none
 *
 * Names who this client acts for from the next request on.
 */
void
tack_api_set_user (TackApi    *self,
                   const char *user)
{
  g_return_if_fail (TACK_IS_API (self));

  /* An empty header would name nobody; say so by not sending one. */
  if (user != NULL && *user == '\0')
    user = NULL;

  if (g_strcmp0 (self->user, user) == 0)
    return;

  g_free (self->user);
  self->user = g_strdup (user);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
}

/**
 * tack_api_get_session:
 *
 * Returns: (transfer none): the one session every request of this board
 *   goes through, the live transports included
 */
SoupSession *
tack_api_get_session (TackApi *self)
{
  g_return_val_if_fail (TACK_IS_API (self), NULL);

  return self->session;
}

guint
tack_api_get_n_snapshot_fetches (TackApi *self)
{
  g_return_val_if_fail (TACK_IS_API (self), 0);

  return self->n_snapshot_fetches;
}

/**
 * tack_api_new_message:
 * @path: the path under `/api/v1/boards/{board}` (e.g. "/cards/c1" or ""),
 *   or an absolute one starting with "/api/"
 * @query: (nullable): the query string, without "?"
 *
 * Returns: (transfer full): a message with the board token set
 */
SoupMessage *
tack_api_new_message (TackApi    *self,
                      const char *method,
                      const char *path,
                      const char *query)
{
  g_autofree char *escaped = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;
  SoupMessage *message;

  g_return_val_if_fail (TACK_IS_API (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (g_str_has_prefix (path, "/api/"))
    {
      url = g_strdup_printf ("%s%s%s%s", self->base_url, path,
                             query ? "?" : "", query ? query : "");
    }
  else
    {
      escaped = g_uri_escape_string (self->board_id ? self->board_id : "", NULL, FALSE);
      url = g_strdup_printf ("%s/api/v1/boards/%s%s%s%s", self->base_url, escaped, path,
                             query ? "?" : "", query ? query : "");
    }

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL)
    {
      g_warning ("Cannot build a request from “%s”", url);
      uri = g_uri_parse ("http://invalid.invalid/", SOUP_HTTP_URI_FLAGS, NULL);
    }

  message = soup_message_new_from_uri (method, uri);

  if (self->token != NULL)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", self->token);

      soup_message_headers_replace (soup_message_get_request_headers (message),
                                    "Authorization", auth);
    }

  if (self->user != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message),
                                  "X-Tack-User", self->user);

  return message;
}

/* Plain request/response. */

/* Answers this large are parsed in a worker thread: a board snapshot of
 * 10,000 cards is 4 MB, a few hundred milliseconds of json-glib during
 * which the window would not draw. Smaller ones, every other answer, are
 * parsed where they arrive, without the round trip through a thread. */
#define PARSE_IN_THREAD_BYTES (64 * 1024)

/* Ends @task with @bytes parsed, or with why they could not be. */
static void
return_parsed (GTask  *task,
               GBytes *bytes)
{
  GError *error = NULL;
  JsonNode *root = parse_body (bytes, &error);

  if (root == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, root, (GDestroyNotify)json_node_unref);
}

static void
parse_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  return_parsed (task, task_data);
}

static void
request_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SoupSession *session = SOUP_SESSION (object);
  g_autoptr(GTask) task = user_data;
  SoupMessage *message = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  bytes = soup_session_send_and_read_finish (session, result, &error);

  if (bytes == NULL)
    {
      g_task_return_error (task, network_error (error));
      return;
    }

  status = soup_message_get_status (message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_error (task, tack_api_error_from_message (message, bytes));
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    {
      g_task_return_pointer (task, json_node_new (JSON_NODE_NULL),
                             (GDestroyNotify)json_node_unref);
      return;
    }

  if (g_bytes_get_size (bytes) >= PARSE_IN_THREAD_BYTES)
    {
      /* The message is no longer needed; the body takes its place. */
      g_task_set_task_data (task, g_steal_pointer (&bytes), (GDestroyNotify)g_bytes_unref);
      g_task_run_in_thread (task, parse_in_thread);
      return;
    }

  return_parsed (task, bytes);
}

/**
 * tack_api_request_async:
 * @path: see tack_api_new_message()
 * @body: (nullable): the JSON body
 *
 * Sends one request; tack_api_request_finish() gives the parsed body of a
 * 2xx answer (a JSON null for an empty one), an error otherwise.
 */
void
tack_api_request_async (TackApi             *self,
                        const char          *method,
                        const char          *path,
                        const char          *query,
                        JsonNode            *body,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) message = NULL;

  g_return_if_fail (TACK_IS_API (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tack_api_request_async);

  message = tack_api_new_message (self, method, path, query);
  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Accept", "application/json");

  if (body != NULL)
    {
      g_autofree char *text = json_to_string (body, FALSE);
      gsize len = strlen (text);
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&text), len);

      soup_message_set_request_body_from_bytes (message, "application/json; charset=utf-8", bytes);
    }

  g_task_set_task_data (task, g_object_ref (message), g_object_unref);
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT,
                                    cancellable, request_read_cb, g_steal_pointer (&task));
}

JsonNode *
tack_api_request_finish (TackApi       *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (TACK_IS_API (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Reads. */

static JsonObject *
take_member (JsonNode    *root,
             const char  *member,
             GError     **error)
{
  JsonObject *object;
  JsonNode *node;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !(node = json_object_get_member (object = json_node_get_object (root), member)) ||
      !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, TACK_API_ERROR, TACK_API_ERROR_INTERNAL,
                   "The server's answer has no “%s” object", member);
      return NULL;
    }

  return json_object_ref (json_node_get_object (node));
}

static void
node_result_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (!(root = tack_api_request_finish (TACK_API (object), result, &error)))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, root, (GDestroyNotify)json_node_unref);
}

/* Finishes with the object under the member named by the task data. */
static void
member_result_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *member = g_task_get_task_data (task);
  JsonObject *inner;

  if (!(root = tack_api_request_finish (TACK_API (object), result, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A delete answers without a body worth reading. */
  if (member == NULL || JSON_NODE_HOLDS_NULL (root))
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  if (!(inner = take_member (root, member, &error)))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, inner, (GDestroyNotify)json_object_unref);
}

void
tack_api_fetch_snapshot_async (TackApi             *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TACK_IS_API (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tack_api_fetch_snapshot_async);

  self->n_snapshot_fetches++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SNAPSHOT_FETCHES]);
  g_signal_emit (self, signals[SNAPSHOT_FETCHED], 0);

  tack_api_request_async (self, "GET", "", NULL, NULL, cancellable,
                          node_result_cb, g_steal_pointer (&task));
}

/**
 * tack_api_fetch_snapshot_finish:
 *
 * Returns: (transfer full): `{"board", "columns", "cards", "seq"}`
 */
JsonNode *
tack_api_fetch_snapshot_finish (TackApi       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (TACK_IS_API (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
tack_api_fetch_card_async (TackApi             *self,
                           const char          *card_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (TACK_IS_API (self));
  g_return_if_fail (card_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tack_api_fetch_card_async);
  g_task_set_task_data (task, (gpointer)"card", NULL);

  escaped = g_uri_escape_string (card_id, NULL, FALSE);
  path = g_strdup_printf ("/cards/%s", escaped);
  tack_api_request_async (self, "GET", path, NULL, NULL, cancellable,
                          member_result_cb, g_steal_pointer (&task));
}

JsonObject *
tack_api_fetch_card_finish (TackApi       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (TACK_IS_API (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tack_api_fetch_events_async:
 * @wait_seconds: hold the request up to this long for a new event (long
 *   polling), or 0 to answer at once
 *
 * The polling transport's request.
 */
void
tack_api_fetch_events_async (TackApi             *self,
                             gint64               since,
                             guint                wait_seconds,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *query = NULL;

  g_return_if_fail (TACK_IS_API (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tack_api_fetch_events_async);

  if (wait_seconds > 0)
    query = g_strdup_printf ("since=%" G_GINT64_FORMAT "&wait=%u", since, MIN (wait_seconds, 30));
  else
    query = g_strdup_printf ("since=%" G_GINT64_FORMAT, since);

  tack_api_request_async (self, "GET", "/events", query, NULL, cancellable,
                          node_result_cb, g_steal_pointer (&task));
}

/**
 * tack_api_fetch_events_finish:
 *
 * Returns: (transfer full): `{"seq", "events", "more"}` or `{"seq", "reset"}`
 */
JsonNode *
tack_api_fetch_events_finish (TackApi       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (TACK_IS_API (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Writes. */

static void
send_write (TackApi             *self,
            const char          *method,
            const char          *path,
            const char          *member,
            JsonObject          *body,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  g_task_set_source_tag (task, tack_api_write_finish);
  g_task_set_task_data (task, (gpointer)member, NULL);

  json_node_take_object (node, body);
  tack_api_request_async (self, method, path, NULL, node, cancellable,
                          member_result_cb, g_steal_pointer (&task));
}

static char *
card_path (const char *card_id,
           const char *suffix)
{
  g_autofree char *escaped = g_uri_escape_string (card_id, NULL, FALSE);

  return g_strdup_printf ("/cards/%s%s", escaped, suffix ? suffix : "");
}

static void
set_nullable_string (JsonObject *object,
                     const char *member,
                     const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, member, value);
  else
    json_object_set_null_member (object, member);
}

void
tack_api_create_card_async (TackApi             *self,
                            const char          *op,
                            const char          *column_id,
                            const char          *title,
                            const char          *after_card_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  JsonObject *body;

  g_return_if_fail (TACK_IS_API (self));
  g_return_if_fail (op != NULL);

  body = json_object_new ();
  json_object_set_string_member (body, "op", op);
  json_object_set_string_member (body, "column", column_id);
  json_object_set_string_member (body, "title", title);
  set_nullable_string (body, "after", after_card_id);

  send_write (self, "POST", "/cards", "card", body, cancellable, callback, user_data);
}

/* A PATCH body: the op, the version it was made against, and @fields. */
static JsonObject *
patch_body (const char *op,
            gint64      base_version,
            JsonObject *fields)
{
  JsonObject *body = json_object_new ();
  g_autoptr(GList) members = json_object_get_members (fields);

  json_object_set_string_member (body, "op", op);
  json_object_set_int_member (body, "base_version", base_version);
  for (const GList *l = members; l; l = l->next)
    json_object_set_member (body, l->data,
                            json_node_copy (json_object_get_member (fields, l->data)));

  return body;
}

void
tack_api_update_card_async (TackApi             *self,
                            const char          *op,
                            const char          *card_id,
                            gint64               base_version,
                            JsonObject          *fields,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *path = NULL;
  JsonObject *body;

  g_return_if_fail (TACK_IS_API (self));
  g_return_if_fail (op != NULL);
  g_return_if_fail (card_id != NULL);
  g_return_if_fail (fields != NULL);

  body = patch_body (op, base_version, fields);

  path = card_path (card_id, NULL);
  send_write (self, "PATCH", path, "card", body, cancellable, callback, user_data);
}

void
tack_api_move_card_async (TackApi             *self,
                          const char          *op,
                          const char          *card_id,
                          gint64               base_version,
                          const char          *column_id,
                          const char          *after_card_id,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autofree char *path = NULL;
  JsonObject *body;

  g_return_if_fail (TACK_IS_API (self));
  g_return_if_fail (op != NULL);
  g_return_if_fail (card_id != NULL);

  body = json_object_new ();
  json_object_set_string_member (body, "op", op);
  json_object_set_int_member (body, "base_version", base_version);
  json_object_set_string_member (body, "column", column_id);
  set_nullable_string (body, "after", after_card_id);

  path = card_path (card_id, "/move");
  send_write (self, "POST", path, "card", body, cancellable, callback, user_data);
}

void
tack_api_delete_card_async (TackApi             *self,
                            const char          *op,
                            const char          *card_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *path = NULL;
  JsonObject *body;

  g_return_if_fail (TACK_IS_API (self));
  g_return_if_fail (op != NULL);
  g_return_if_fail (card_id != NULL);

  body = json_object_new ();
  json_object_set_string_member (body, "op", op);

  path = card_path (card_id, NULL);
  send_write (self, "DELETE", path, NULL, body, cancellable, callback, user_data);
}

void
tack_api_create_column_async (TackApi             *self,
                              const char          *op,
                              const char          *title,
                              const char          *after_column_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  JsonObject *body;

  g_return_if_fail (TACK_IS_API (self));
  g_return_if_fail (op != NULL);

  body = json_object_new ();
  json_object_set_string_member (body, "op", op);
  json_object_set_string_member (body, "title", title);
  set_nullable_string (body, "after", after_column_id);

  send_write (self, "POST", "/columns", "column", body, cancellable, callback, user_data);
}

static char *
column_path (const char *column_id)
{
  g_autofree char *escaped = g_uri_escape_string (column_id, NULL, FALSE);

  return g_strdup_printf ("/columns/%s", escaped);
}

/**
 * tack_api_update_column_async:
 * @fields: any of title and wip_limit (and docs/protocol.md's extension
 *   after)
 */
void
tack_api_update_column_async (TackApi             *self,
                              const char          *op,
                              const char          *column_id,
                              gint64               base_version,
                              JsonObject          *fields,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autofree char *path = NULL;
  JsonObject *body;

  g_return_if_fail (TACK_IS_API (self));
  g_return_if_fail (op != NULL);
  g_return_if_fail (column_id != NULL);
  g_return_if_fail (fields != NULL);

  body = patch_body (op, base_version, fields);

  path = column_path (column_id);
  send_write (self, "PATCH", path, "column", body, cancellable, callback, user_data);
}

/**
 * tack_api_move_column_async:
 * @after_column_id: (nullable): the column to place it after, or %NULL
 *   for first
 *
 * A column PATCH with docs/protocol.md's `after` extension.
 */
void
tack_api_move_column_async (TackApi             *self,
                            const char          *op,
                            const char          *column_id,
                            gint64               base_version,
                            const char          *after_column_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(JsonObject) fields = json_object_new ();

  set_nullable_string (fields, "after", after_column_id);
  tack_api_update_column_async (self, op, column_id, base_version, fields,
                                cancellable, callback, user_data);
}

void
tack_api_delete_column_async (TackApi             *self,
                              const char          *op,
                              const char          *column_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autofree char *path = NULL;
  JsonObject *body;

  g_return_if_fail (TACK_IS_API (self));
  g_return_if_fail (op != NULL);
  g_return_if_fail (column_id != NULL);

  body = json_object_new ();
  json_object_set_string_member (body, "op", op);

  path = column_path (column_id);
  send_write (self, "DELETE", path, NULL, body, cancellable, callback, user_data);
}

/**
 * tack_api_write_finish:
 *
 * Returns: (transfer full) (nullable): the written entity, or %NULL with
 *   @error set; a delete succeeds with %NULL and no error
 */
JsonObject *
tack_api_write_finish (TackApi       *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (TACK_IS_API (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
board_created_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!(root = tack_api_request_finish (TACK_API (object), result, &error)))
    g_task_return_error (task, g_steal_pointer (&error));
  else if (!JSON_NODE_HOLDS_OBJECT (root))
    g_task_return_new_error (task, TACK_API_ERROR, TACK_API_ERROR_INTERNAL,
                             "The server's answer is not an object");
  else
    g_task_return_pointer (task, json_object_ref (json_node_get_object (root)),
                           (GDestroyNotify)json_object_unref);
}

/**
 * tack_api_create_board_async:
 *
 * Creates a board; needs the server's admin token as this API's token.
 */
void
tack_api_create_board_async (TackApi             *self,
                             const char          *title,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *body = json_object_new ();

  g_return_if_fail (TACK_IS_API (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tack_api_create_board_async);

  json_object_set_string_member (body, "title", title);
  json_node_take_object (node, body);

  tack_api_request_async (self, "POST", "/api/v1/boards", NULL, node, cancellable,
                          board_created_cb, g_steal_pointer (&task));
}

/**
 * tack_api_create_board_finish:
 *
 * Returns: (transfer full): `{"board": Board, "token": "<board token>"}`
 */
JsonObject *
tack_api_create_board_finish (TackApi       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (TACK_IS_API (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* TackFetcher: what the store refetches through. */

static void
fetcher_fetch_card_async (TackFetcher         *fetcher,
                          const char          *card_id,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  tack_api_fetch_card_async (TACK_API (fetcher), card_id, cancellable, callback, user_data);
}

static JsonObject *
fetcher_fetch_card_finish (TackFetcher   *fetcher,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonObject *card;

  card = tack_api_fetch_card_finish (TACK_API (fetcher), result, &local_error);

  /* The store knows a card that is gone by GIO's not-found. */
  if (g_error_matches (local_error, TACK_API_ERROR, TACK_API_ERROR_NOT_FOUND))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, local_error->message);
      return NULL;
    }

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));

  return card;
}

static void
fetcher_fetch_board_async (TackFetcher         *fetcher,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  tack_api_fetch_snapshot_async (TACK_API (fetcher), cancellable, callback, user_data);
}

static JsonNode *
fetcher_fetch_board_finish (TackFetcher   *fetcher,
                            GAsyncResult  *result,
                            GError       **error)
{
  return tack_api_fetch_snapshot_finish (TACK_API (fetcher), result, error);
}

static void
tack_api_fetcher_iface_init (TackFetcherInterface *iface)
{
  iface->fetch_card_async = fetcher_fetch_card_async;
  iface->fetch_card_finish = fetcher_fetch_card_finish;
  iface->fetch_board_async = fetcher_fetch_board_async;
  iface->fetch_board_finish = fetcher_fetch_board_finish;
}
