/* tack-server.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The board server: a SoupServer serving the REST API of PROTOCOL.md on
 * top of a TackStorage, and the live event stream (tack-server-events.c).
 * It owns the listening socket, the admin token and the storage; it holds
 * no board data of its own.
 *
 * Everything runs on the thread-default main context of the thread that
 * called tack_server_listen(), but the live subscribers, which are served
 * on threads of their own once their handshake is done
 * (tack-server-subscribers.c). Storage calls are synchronous and short;
 * that one thread is what orders commits, so a board's seq grows by
 * exactly one per event whatever the number of concurrent clients. */

#define G_LOG_DOMAIN "tack-server"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "tack-server-private.h"
#include "tack-sqlite-storage.h"

#define MAX_TITLE_CHARS       500
#define MAX_DESCRIPTION_BYTES (64 * 1024)
#define MAX_LIST_ITEMS        100
#define MAX_LIST_ITEM_CHARS   200
#define MAX_ID_BYTES          TACK_SERVER_MAX_ID_BYTES
#define LISTEN_BACKLOG        4096
#define SNAPSHOT_CACHE_BYTES  (64 * 1024 * 1024)
#define JSON_CONTENT_TYPE     "application/json; charset=utf-8"

G_DEFINE_FINAL_TYPE (TackServer, tack_server, G_TYPE_OBJECT)

static char *
random_token (void)
{
  guint8 bytes[24];
  gsize got = 0;

  while (got < sizeof bytes)
    {
      ssize_t n = getrandom (bytes + got, sizeof bytes - got, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        g_error ("Cannot read random bytes: %s", g_strerror (errno));
      got += n;
    }

  return g_base64_encode (bytes, sizeof bytes);
}

/* URL-safe, so a token can go in ?access_token= unescaped. */
static char *
new_token (void)
{
  char *token = random_token ();

  for (char *p = token; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        *p = '\0';
    }

  return token;
}

static gboolean
tokens_equal (const char *a,
              const char *b)
{
  gsize la = strlen (a);
  gsize lb = strlen (b);
  guint8 diff = la != lb;

  /* Compare without an early exit, so timing says nothing about where
   * a guess went wrong. */
  for (gsize i = 0; i < MAX (la, lb); i++)
    diff |= (guint8)(i < la ? a[i] : 0) ^ (guint8)(i < lb ? b[i] : 0);

  return diff == 0;
}

/* Responses. */

void
tack_server_send_json (SoupServerMessage *msg,
                       guint              status,
                       const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, JSON_CONTENT_TYPE,
                                    SOUP_MEMORY_COPY, body, strlen (body));
}

void
tack_server_send_error (SoupServerMessage *msg,
                        guint              status,
                        const char        *code,
                        const char        *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  body = json_to_string (node, FALSE);

  if (status == SOUP_STATUS_UNAUTHORIZED)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "WWW-Authenticate", "Bearer realm=\"tack\"");

  tack_server_send_json (msg, status, body);
}

static void
send_node (SoupServerMessage *msg,
           guint              status,
           JsonNode          *node)
{
  g_autofree char *body = json_to_string (node, FALSE);

  tack_server_send_json (msg, status, body);
}

static void
send_storage_error (SoupServerMessage *msg,
                    const GError      *error)
{
  if (g_error_matches (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_NOT_FOUND))
    tack_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", error->message);
  else if (g_error_matches (error, TACK_STORAGE_ERROR, TACK_STORAGE_ERROR_INVALID))
    tack_server_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request", error->message);
  else
    {
      g_message ("Storage failed: %s", error->message);
      tack_server_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                              "The server could not complete the request");
    }
}

static void
bad_request (SoupServerMessage *msg,
             const char        *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
bad_request (SoupServerMessage *msg,
             const char        *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  tack_server_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request", message);
}

/* Validation: the HTTP layer checks shape and types; the storage checks
 * what needs the data. Each check answers 400 itself and returns FALSE. */

typedef enum
{
  FIELD_OPTIONAL = 0,
  FIELD_REQUIRED = 1 << 0,
  FIELD_NULLABLE = 1 << 1,
} FieldFlags;

static gboolean
check_present (SoupServerMessage *msg,
               JsonObject        *body,
               const char        *name,
               FieldFlags         flags,
               JsonNode         **out)
{
  JsonNode *node = json_object_get_member (body, name);

  *out = NULL;

  if (node == NULL)
    {
      if (flags & FIELD_REQUIRED)
        {
          bad_request (msg, "“%s” is required", name);
          return FALSE;
        }
      return TRUE;
    }

  if (JSON_NODE_HOLDS_NULL (node))
    {
      if (!(flags & FIELD_NULLABLE))
        {
          bad_request (msg, "“%s” must not be null", name);
          return FALSE;
        }
      return TRUE;
    }

  *out = node;
  return TRUE;
}

static gboolean
node_is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_int (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

static gboolean
check_string (SoupServerMessage *msg,
              JsonObject        *body,
              const char        *name,
              FieldFlags         flags,
              gsize              max_chars,
              gboolean           allow_empty,
              JsonObject        *fields)
{
  JsonNode *node;
  const char *value;

  if (!check_present (msg, body, name, flags, &node))
    return FALSE;

  if (node == NULL)
    {
      if (json_object_has_member (body, name))
        json_object_set_null_member (fields, name);
      return TRUE;
    }

  if (!node_is_string (node))
    {
      bad_request (msg, "“%s” must be a string", name);
      return FALSE;
    }

  value = json_node_get_string (node);

  if (!allow_empty)
    {
      g_autofree char *copy = g_strstrip (g_strdup (value));

      if (copy[0] == '\0')
        {
          bad_request (msg, "“%s” must not be empty", name);
          return FALSE;
        }
    }

  if (g_utf8_strlen (value, -1) > (glong)max_chars)
    {
      bad_request (msg, "“%s” is longer than %" G_GSIZE_FORMAT " characters", name, max_chars);
      return FALSE;
    }

  json_object_set_string_member (fields, name, value);

  return TRUE;
}

static gboolean
check_int (SoupServerMessage *msg,
           JsonObject        *body,
           const char        *name,
           FieldFlags         flags,
           JsonObject        *fields)
{
  JsonNode *node;

  if (!check_present (msg, body, name, flags, &node))
    return FALSE;

  if (node == NULL)
    {
      if (json_object_has_member (body, name))
        json_object_set_null_member (fields, name);
      return TRUE;
    }

  if (!node_is_int (node) || json_node_get_int (node) < 0)
    {
      bad_request (msg, "“%s” must be a non-negative integer", name);
      return FALSE;
    }

  json_object_set_int_member (fields, name, json_node_get_int (node));

  return TRUE;
}

static gboolean
check_string_list (SoupServerMessage *msg,
                   JsonObject        *body,
                   const char        *name,
                   JsonObject        *fields)
{
  JsonNode *node;
  JsonArray *array;
  JsonArray *copy;

  if (!check_present (msg, body, name, FIELD_OPTIONAL, &node))
    return FALSE;

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      bad_request (msg, "“%s” must be an array of strings", name);
      return FALSE;
    }

  array = json_node_get_array (node);

  if (json_array_get_length (array) > MAX_LIST_ITEMS)
    {
      bad_request (msg, "“%s” has more than %d items", name, MAX_LIST_ITEMS);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (!node_is_string (item) || json_node_get_string (item)[0] == '\0' ||
          g_utf8_strlen (json_node_get_string (item), -1) > MAX_LIST_ITEM_CHARS)
        {
          bad_request (msg, "“%s” must be an array of non-empty strings of at most %d characters",
                       name, MAX_LIST_ITEM_CHARS);
          return FALSE;
        }
    }

  copy = json_array_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    json_array_add_string_element (copy, json_array_get_string_element (array, i));
  json_object_set_array_member (fields, name, copy);

  return TRUE;
}

static gboolean
check_due (SoupServerMessage *msg,
           JsonObject        *body,
           JsonObject        *fields)
{
  JsonNode *node;
  const char *value;
  guint year, month, day;
  char tail;

  if (!check_present (msg, body, "due", FIELD_NULLABLE, &node))
    return FALSE;

  if (node == NULL)
    {
      if (json_object_has_member (body, "due"))
        json_object_set_null_member (fields, "due");
      return TRUE;
    }

  if (!node_is_string (node))
    {
      bad_request (msg, "“due” must be null or a date YYYY-MM-DD");
      return FALSE;
    }

  value = json_node_get_string (node);

  if (strlen (value) != 10 || value[4] != '-' || value[7] != '-' ||
      sscanf (value, "%4u-%2u-%2u%c", &year, &month, &day, &tail) != 3 ||
      !g_ascii_isdigit (value[0]) || !g_ascii_isdigit (value[5]) || !g_ascii_isdigit (value[8]) ||
      !g_date_valid_dmy (day, month, year))
    {
      bad_request (msg, "“due” must be null or a valid date YYYY-MM-DD");
      return FALSE;
    }

  json_object_set_string_member (fields, "due", value);

  return TRUE;
}

static JsonObject *
parse_body (SoupServerMessage *msg,
            gboolean           allow_empty)
{
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (request_body);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  JsonNode *root;

  if (len == 0 && allow_empty)
    return json_object_new ();

  if (len > TACK_SERVER_MAX_BODY)
    {
      tack_server_send_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large",
                              "The request body is larger than 1 MiB");
      return NULL;
    }

  if (!g_utf8_validate (data, len, NULL))
    {
      bad_request (msg, "The body is not UTF-8");
      return NULL;
    }

  if (!json_parser_load_from_data (parser, data, len, &error))
    {
      bad_request (msg, "Malformed JSON: %s", error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      bad_request (msg, "The body must be a JSON object");
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/* Auth. */

typedef struct
{
  gboolean  admin;
  char     *board_id;   /* the board a board token opens */
} Access;

static void
access_clear (Access *access)
{
  g_clear_pointer (&access->board_id, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Access, access_clear)

static const char *
request_token (SoupServerMessage *msg,
               GHashTable        *query)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");

  if (auth != NULL && g_ascii_strncasecmp (auth, "Bearer ", 7) == 0)
    {
      auth += 7;
      while (*auth == ' ')
        auth++;
      return *auth ? auth : NULL;
    }

  if (query != NULL)
    return g_hash_table_lookup (query, "access_token");

  return NULL;
}

static gboolean
authenticate (TackServer        *self,
              SoupServerMessage *msg,
              GHashTable        *query,
              Access            *access)
{
  const char *token = request_token (msg, query);

  if (token == NULL)
    {
      tack_server_send_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                              "A token is required (Authorization: Bearer <token>)");
      return FALSE;
    }

  if (tokens_equal (token, self->admin_token))
    {
      access->admin = TRUE;
      return TRUE;
    }

  access->board_id = tack_storage_find_board_by_token (self->storage, token);

  if (access->board_id == NULL)
    {
      tack_server_send_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                              "The token is not valid");
      return FALSE;
    }

  return TRUE;
}

static gboolean
authorize_board (SoupServerMessage *msg,
                 const Access      *access,
                 const char        *board_id)
{
  if (access->admin || g_strcmp0 (access->board_id, board_id) == 0)
    return TRUE;

  tack_server_send_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                          "This token does not open that board");
  return FALSE;
}

static char *
request_user (SoupServerMessage *msg,
              GHashTable        *query)
{
  const char *user = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "X-Tack-User");

  if (user == NULL && query != NULL)
    user = g_hash_table_lookup (query, "user");

  if (user == NULL || *user == '\0' || strlen (user) > MAX_ID_BYTES || !g_utf8_validate (user, -1, NULL))
    return NULL;

  return g_strdup (user);
}

/* Rate limiting: a token bucket per token, for writes only. It holds
 * twice the rate, so short bursts pass. */

typedef struct
{
  double tokens;
  gint64 last_us;
} RateBucket;

static gboolean
check_rate (TackServer        *self,
            SoupServerMessage *msg,
            const char        *token)
{
  RateBucket *bucket;
  gint64 now = g_get_monotonic_time ();
  double capacity;

  if (self->write_rate == 0 || token == NULL)
    return TRUE;

  capacity = 2.0 * self->write_rate;

  if (!(bucket = g_hash_table_lookup (self->buckets, token)))
    {
      bucket = g_new0 (RateBucket, 1);
      bucket->tokens = capacity;
      bucket->last_us = now;
      g_hash_table_insert (self->buckets, g_strdup (token), bucket);
    }

  bucket->tokens = MIN (capacity, bucket->tokens + (now - bucket->last_us) / 1e6 * self->write_rate);
  bucket->last_us = now;

  if (bucket->tokens < 1.0)
    {
      g_autofree char *retry = g_strdup_printf ("%u", (guint)ceil ((1.0 - bucket->tokens) / self->write_rate));

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", retry);
      tack_server_send_error (msg, 429, "rate_limited",
                              "Too many writes; retry after the number of seconds in Retry-After");
      return FALSE;
    }

  bucket->tokens -= 1.0;

  return TRUE;
}

/* Writes.
 *
 * A write is answered only once it is durable, and the fsync that makes it
 * so can cost a millisecond. So a valid write is not committed at
 * once: its message is paused and queued, and the writes received in one
 * main-loop iteration are committed together (group commit: one
 * transaction, a savepoint each, one fsync). Each write still succeeds or
 * is refused on its own; every answer and every broadcast waits for the
 * group's commit, and if that commit fails every write of the group is
 * answered with an error, so nothing answered is lost. The group runs
 * start to finish in one callback, so no read sees half of it. A storage
 * that cannot group commits each write alone. */

typedef struct
{
  SoupServerMessage *msg;
  TackWriteRequest   request;     /* owns its strings and fields */
  TackWriteResult   *result;
  GError            *error;
} QueuedWrite;

static void
queued_write_free (gpointer data)
{
  QueuedWrite *write = data;

  g_object_unref (write->msg);
  g_free ((char *)write->request.board_id);
  g_free ((char *)write->request.target_id);
  g_free ((char *)write->request.op);
  g_free ((char *)write->request.actor);
  json_object_unref (write->request.fields);
  g_clear_pointer (&write->result, tack_write_result_free);
  g_clear_error (&write->error);
  g_free (write);
}

static void
answer_write (SoupServerMessage     *msg,
              const TackWriteResult *result,
              const GError          *error)
{
  if (result != NULL)
    tack_server_send_json (msg, result->status, result->body);
  else
    send_storage_error (msg, error);
}

static void
run_queued_writes (TackServer *self)
{
  g_autoptr(GPtrArray) writes = g_steal_pointer (&self->queued_writes);
  g_autoptr(GError) error = NULL;

  tack_server_clear_source (&self->write_source);

  if (writes == NULL)
    return;

  if (tack_storage_begin_group (self->storage, &error))
    {
      for (guint i = 0; i < writes->len; i++)
        {
          QueuedWrite *write = g_ptr_array_index (writes, i);

          /* Sets the result or the error, kept for the answer. */
          tack_storage_write (self->storage, &write->request, &write->result, &write->error);
        }

      tack_storage_commit_group (self->storage, &error);
    }

  for (guint i = 0; i < writes->len; i++)
    {
      QueuedWrite *write = g_ptr_array_index (writes, i);

      /* Not committed: whatever the write itself answered, it must not be
       * told. A retry with the same op is judged afresh. */
      if (error != NULL)
        answer_write (write->msg, NULL, error);
      else
        answer_write (write->msg, write->result, write->error);

      soup_server_message_unpause (write->msg);
    }
}

static gboolean
run_queued_writes_cb (gpointer user_data)
{
  run_queued_writes (TACK_SERVER (user_data));

  return G_SOURCE_REMOVE;
}

static void
run_write (TackServer        *self,
           SoupServerMessage *msg,
           TackWriteKind      kind,
           const char        *board_id,
           const char        *target_id,
           const char        *op,
           const char        *actor,
           JsonObject        *fields)
{
  g_autoptr(TackWriteResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QueuedWrite *write;
  TackWriteRequest request = {
    .kind = kind,
    .board_id = board_id,
    .target_id = target_id,
    .op = op,
    .actor = actor,
    .fields = fields,
  };

  if (!tack_storage_can_group (self->storage))
    {
      tack_storage_write (self->storage, &request, &result, &error);
      answer_write (msg, result, error);
      return;
    }

  write = g_new0 (QueuedWrite, 1);
  write->msg = g_object_ref (msg);
  write->request = (TackWriteRequest) {
    .kind = kind,
    .board_id = g_strdup (board_id),
    .target_id = g_strdup (target_id),
    .op = g_strdup (op),
    .actor = g_strdup (actor),
    .fields = json_object_ref (fields),
  };

  if (self->queued_writes == NULL)
    self->queued_writes = g_ptr_array_new_with_free_func (queued_write_free);
  g_ptr_array_add (self->queued_writes, write);
  soup_server_message_pause (msg);

  /* At the priority of the sockets, so writes that arrive in the next
   * iteration before it runs join the group. */
  tack_server_ensure_idle (&self->write_source, run_queued_writes_cb, self);
}

static const char *
check_op (SoupServerMessage *msg,
          JsonObject        *body,
          GHashTable        *query)
{
  JsonNode *node = json_object_get_member (body, "op");
  const char *op = NULL;

  if (node != NULL)
    {
      if (!node_is_string (node))
        {
          bad_request (msg, "“op” must be a string");
          return NULL;
        }
      op = json_node_get_string (node);
    }
  else if (query != NULL)
    op = g_hash_table_lookup (query, "op");

  if (op == NULL || *op == '\0')
    {
      bad_request (msg, "Every write needs an “op”: a unique id chosen by the client");
      return NULL;
    }

  if (strlen (op) > MAX_ID_BYTES)
    {
      bad_request (msg, "“op” is longer than %d bytes", MAX_ID_BYTES);
      return NULL;
    }

  return op;
}

static gboolean
check_id (SoupServerMessage *msg,
          JsonObject        *body,
          const char        *name,
          FieldFlags         flags,
          JsonObject        *fields)
{
  return check_string (msg, body, name, flags, MAX_ID_BYTES, FALSE, fields);
}

static void
handle_write (TackServer        *self,
              SoupServerMessage *msg,
              TackWriteKind      kind,
              const char        *board_id,
              const char        *target_id,
              GHashTable        *query)
{
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *actor = request_user (msg, query);
  gboolean deleting = kind == TACK_WRITE_DELETE_CARD || kind == TACK_WRITE_DELETE_COLUMN;
  const char *op;
  gboolean ok = TRUE;

  if (!check_rate (self, msg, request_token (msg, query)))
    return;

  if (!(body = parse_body (msg, deleting)))
    return;

  if (!(op = check_op (msg, body, query)))
    return;

  switch (kind)
    {
    case TACK_WRITE_UPDATE_BOARD:
      ok = check_int (msg, body, "base_version", FIELD_REQUIRED, fields) &&
           check_string (msg, body, "title", FIELD_OPTIONAL, MAX_TITLE_CHARS, FALSE, fields);
      break;

    case TACK_WRITE_CREATE_COLUMN:
      ok = check_string (msg, body, "title", FIELD_REQUIRED, MAX_TITLE_CHARS, FALSE, fields) &&
           check_id (msg, body, "after", FIELD_NULLABLE, fields) &&
           check_int (msg, body, "wip_limit", FIELD_NULLABLE, fields);
      break;

    case TACK_WRITE_UPDATE_COLUMN:
      ok = check_int (msg, body, "base_version", FIELD_REQUIRED, fields) &&
           check_string (msg, body, "title", FIELD_OPTIONAL, MAX_TITLE_CHARS, FALSE, fields) &&
           check_id (msg, body, "after", FIELD_NULLABLE, fields) &&
           check_int (msg, body, "wip_limit", FIELD_NULLABLE, fields);
      break;

    case TACK_WRITE_CREATE_CARD:
      ok = check_id (msg, body, "column", FIELD_REQUIRED, fields) &&
           check_string (msg, body, "title", FIELD_REQUIRED, MAX_TITLE_CHARS, FALSE, fields) &&
           check_string (msg, body, "description", FIELD_NULLABLE, MAX_DESCRIPTION_BYTES, TRUE, fields) &&
           check_id (msg, body, "after", FIELD_NULLABLE, fields) &&
           check_string_list (msg, body, "labels", fields) &&
           check_string_list (msg, body, "assignees", fields) &&
           check_due (msg, body, fields);
      break;

    case TACK_WRITE_UPDATE_CARD:
      ok = check_int (msg, body, "base_version", FIELD_REQUIRED, fields) &&
           check_string (msg, body, "title", FIELD_OPTIONAL, MAX_TITLE_CHARS, FALSE, fields) &&
           check_string (msg, body, "description", FIELD_OPTIONAL, MAX_DESCRIPTION_BYTES, TRUE, fields) &&
           check_string_list (msg, body, "labels", fields) &&
           check_string_list (msg, body, "assignees", fields) &&
           check_due (msg, body, fields);
      break;

    case TACK_WRITE_MOVE_CARD:
      ok = check_int (msg, body, "base_version", FIELD_REQUIRED, fields) &&
           check_id (msg, body, "column", FIELD_REQUIRED, fields) &&
           check_id (msg, body, "after", FIELD_NULLABLE, fields);
      break;

    case TACK_WRITE_DELETE_COLUMN:
    case TACK_WRITE_DELETE_CARD:
      break;

    default:
      g_assert_not_reached ();
    }

  if (!ok)
    return;

  run_write (self, msg, kind, board_id, target_id, op, actor, fields);
}

/* Reads and boards. */

static void
handle_health (SoupServerMessage *msg)
{
  tack_server_send_json (msg, SOUP_STATUS_OK,
                         "{\"status\": \"ok\", \"version\": \"" PACKAGE_VERSION "\"}");
}

static void
handle_boards (TackServer        *self,
               SoupServerMessage *msg,
               const Access      *access)
{
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(GError) error = NULL;

  if (!access->admin)
    {
      tack_server_send_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                              "Only the admin token lists and creates boards");
      return;
    }

  if (g_str_equal (method, "GET"))
    {
      g_autoptr(JsonNode) boards = tack_storage_list_boards (self->storage, &error);
      g_autoptr(JsonNode) node = NULL;
      JsonObject *object;

      if (boards == NULL)
        {
          send_storage_error (msg, error);
          return;
        }

      object = json_object_new ();
      json_object_set_member (object, "boards", g_steal_pointer (&boards));
      node = json_node_init_object (json_node_alloc (), object);
      json_object_unref (object);
      send_node (msg, SOUP_STATUS_OK, node);
    }
  else if (g_str_equal (method, "POST"))
    {
      g_autoptr(JsonObject) body = NULL;
      g_autoptr(JsonObject) fields = json_object_new ();
      g_autoptr(JsonNode) board = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *token = new_token ();
      JsonObject *object;

      if (!(body = parse_body (msg, FALSE)))
        return;
      if (!check_string (msg, body, "title", FIELD_REQUIRED, MAX_TITLE_CHARS, FALSE, fields))
        return;

      board = tack_storage_create_board (self->storage,
                                         json_object_get_string_member (fields, "title"),
                                         token, &error);
      if (board == NULL)
        {
          send_storage_error (msg, error);
          return;
        }

      object = json_object_new ();
      json_object_set_member (object, "board", g_steal_pointer (&board));
      json_object_set_string_member (object, "token", token);
      node = json_node_init_object (json_node_alloc (), object);
      json_object_unref (object);
      send_node (msg, SOUP_STATUS_CREATED, node);
    }
  else
    tack_server_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                            "Use GET or POST");
}

static void
method_not_allowed (SoupServerMessage *msg)
{
  tack_server_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                          "That method is not allowed here");
}

/* Snapshots. Building one reads every row of the board and encodes it:
 * about 200 ms on the main loop for 10,000 cards, during which nothing
 * else is served. A board is often read by many clients at one seq (a
 * team opening it in the morning, every client after a server restart),
 * so the encoded answer is kept until the board's next committed event
 * and served to each of them. At most SNAPSHOT_CACHE_BYTES are kept; the
 * boards served longest ago go first. */

typedef struct
{
  char   *board_id;
  GBytes *body;
  GList   link;       /* in snapshot_order; data is the entry */
} SnapshotEntry;

static void
snapshot_entry_free (gpointer data)
{
  SnapshotEntry *entry = data;

  g_free (entry->board_id);
  g_bytes_unref (entry->body);
  g_free (entry);
}

static void
forget_snapshot (TackServer *self,
                 const char *board_id)
{
  SnapshotEntry *entry = g_hash_table_lookup (self->snapshots, board_id);

  if (entry == NULL)
    return;

  g_queue_unlink (&self->snapshot_order, &entry->link);
  self->snapshot_bytes -= g_bytes_get_size (entry->body);
  g_hash_table_remove (self->snapshots, board_id);
}

static void
remember_snapshot (TackServer *self,
                   const char *board_id,
                   GBytes     *body)
{
  SnapshotEntry *entry;

  if (g_bytes_get_size (body) > SNAPSHOT_CACHE_BYTES)
    return;

  while (self->snapshot_bytes + g_bytes_get_size (body) > SNAPSHOT_CACHE_BYTES)
    forget_snapshot (self, ((SnapshotEntry *)self->snapshot_order.tail->data)->board_id);

  entry = g_new0 (SnapshotEntry, 1);
  entry->board_id = g_strdup (board_id);
  entry->body = g_bytes_ref (body);
  entry->link.data = entry;
  g_queue_push_head_link (&self->snapshot_order, &entry->link);
  self->snapshot_bytes += g_bytes_get_size (body);
  g_hash_table_insert (self->snapshots, entry->board_id, entry);
}

static void
answer_snapshot (SoupServerMessage *msg,
                 GBytes            *body)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Content-Type", JSON_CONTENT_TYPE);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
}

static GBytes *
encode_snapshot (TackStorage  *storage,
                 const char   *board_id,
                 GError      **error)
{
  g_autoptr(JsonNode) snapshot = tack_storage_get_snapshot (storage, board_id, error);
  char *text;

  if (snapshot == NULL)
    return NULL;

  text = json_to_string (snapshot, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

/* Building a snapshot off the main loop. The SQLite storage opens a
 * second, read-only connection (it sees each committed state whole); a
 * worker thread reads the board through it and encodes it, one board at
 * a time, while the main loop goes on serving requests and broadcasts.
 * Readers of a board that arrive while its snapshot is being built wait
 * for that one. A change committed meanwhile marks the build stale: it is
 * still a whole state of the board at its seq, so the waiting readers get
 * it and catch up on the events after it, but it is not kept. */

typedef struct
{
  GMutex       lock;
  TackStorage *storage;
} SnapshotReader;

static void
snapshot_reader_clear (gpointer data)
{
  SnapshotReader *reader = data;

  g_mutex_clear (&reader->lock);
  g_clear_object (&reader->storage);
}

typedef struct
{
  SnapshotReader *reader;
  char           *board_id;
  GPtrArray      *waiting;    /* SoupServerMessage, paused */
  gboolean        stale;
} SnapshotBuild;

static void
snapshot_build_free (gpointer data)
{
  SnapshotBuild *build = data;

  g_atomic_rc_box_release_full (build->reader, snapshot_reader_clear);
  g_free (build->board_id);
  g_ptr_array_unref (build->waiting);
  g_free (build);
}

static SnapshotReader *
ensure_snapshot_reader (TackServer *self)
{
  g_autoptr(TackSqliteStorage) storage = NULL;
  g_autoptr(GError) error = NULL;
  SnapshotReader *reader;

  if (self->snapshot_reader != NULL || self->no_snapshot_reader)
    return self->snapshot_reader;

  if (!TACK_IS_SQLITE_STORAGE (self->storage) ||
      !(storage = tack_sqlite_storage_open_reader (TACK_SQLITE_STORAGE (self->storage), &error)))
    {
      if (error != NULL)
        g_warning ("Snapshots are built on the main loop: %s", error->message);
      self->no_snapshot_reader = TRUE;
      return NULL;
    }

  reader = g_atomic_rc_box_new0 (SnapshotReader);
  g_mutex_init (&reader->lock);
  reader->storage = TACK_STORAGE (g_steal_pointer (&storage));
  self->snapshot_reader = reader;

  return reader;
}

static void
build_snapshot_in_thread (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  SnapshotBuild *build = task_data;
  GError *error = NULL;
  GBytes *body;

  g_mutex_lock (&build->reader->lock);
  body = encode_snapshot (build->reader->storage, build->board_id, &error);
  g_mutex_unlock (&build->reader->lock);

  if (body == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, body, (GDestroyNotify)g_bytes_unref);
}

static void
snapshot_built_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TackServer *self = TACK_SERVER (object);
  SnapshotBuild *build = g_task_get_task_data (G_TASK (result));
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) waiting = g_ptr_array_ref (build->waiting);

  body = g_task_propagate_pointer (G_TASK (result), &error);

  if (body != NULL && !build->stale && !self->stopped)
    remember_snapshot (self, build->board_id, body);
  g_hash_table_remove (self->snapshot_builds, build->board_id);

  /* Stopped meanwhile: their connections are gone with the server's. */
  if (self->stopped)
    return;

  for (guint i = 0; i < waiting->len; i++)
    {
      SoupServerMessage *msg = g_ptr_array_index (waiting, i);

      if (body != NULL)
        answer_snapshot (msg, body);
      else
        send_storage_error (msg, error);
      soup_server_message_unpause (msg);
    }
}

static void
send_snapshot (TackServer        *self,
               SoupServerMessage *msg,
               const char        *board_id)
{
  SnapshotEntry *entry = g_hash_table_lookup (self->snapshots, board_id);
  SnapshotBuild *build;
  SnapshotReader *reader;
  g_autoptr(GTask) task = NULL;

  if (entry != NULL)
    {
      g_queue_unlink (&self->snapshot_order, &entry->link);
      g_queue_push_head_link (&self->snapshot_order, &entry->link);
      answer_snapshot (msg, entry->body);
      return;
    }

  if ((build = g_hash_table_lookup (self->snapshot_builds, board_id)))
    {
      g_ptr_array_add (build->waiting, g_object_ref (msg));
      soup_server_message_pause (msg);
      return;
    }

  if (!(reader = ensure_snapshot_reader (self)))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) body = encode_snapshot (self->storage, board_id, &error);

      if (body == NULL)
        {
          send_storage_error (msg, error);
          return;
        }
      remember_snapshot (self, board_id, body);
      answer_snapshot (msg, body);
      return;
    }

  build = g_new0 (SnapshotBuild, 1);
  build->reader = g_atomic_rc_box_acquire (reader);
  build->board_id = g_strdup (board_id);
  build->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (build->waiting, g_object_ref (msg));
  soup_server_message_pause (msg);
  g_hash_table_insert (self->snapshot_builds, build->board_id, build);

  task = g_task_new (self, NULL, snapshot_built_cb, NULL);
  g_task_set_source_tag (task, send_snapshot);
  g_task_set_task_data (task, build, NULL);
  g_task_run_in_thread (task, build_snapshot_in_thread);
}

static void
handle_board_path (TackServer         *self,
                   SoupServerMessage  *msg,
                   GHashTable         *query,
                   const char * const *parts,
                   guint               n_parts)
{
  const char *method = soup_server_message_get_method (msg);
  const char *board_id = parts[1];
  g_autoptr(GError) error = NULL;

  if (n_parts == 2)
    {
      if (g_str_equal (method, "GET"))
        send_snapshot (self, msg, board_id);
      else if (g_str_equal (method, "PATCH"))
        handle_write (self, msg, TACK_WRITE_UPDATE_BOARD, board_id, NULL, query);
      else
        method_not_allowed (msg);
      return;
    }

  if (n_parts == 3 && g_str_equal (parts[2], "events"))
    {
      g_autofree char *user = NULL;

      if (!g_str_equal (method, "GET"))
        {
          method_not_allowed (msg);
          return;
        }

      user = request_user (msg, query);
      tack_server_handle_events (self, msg, board_id, query, user);
      return;
    }

  if (g_str_equal (parts[2], "columns"))
    {
      if (n_parts == 3 && g_str_equal (method, "POST"))
        handle_write (self, msg, TACK_WRITE_CREATE_COLUMN, board_id, NULL, query);
      else if (n_parts == 4 && g_str_equal (method, "PATCH"))
        handle_write (self, msg, TACK_WRITE_UPDATE_COLUMN, board_id, parts[3], query);
      else if (n_parts == 4 && g_str_equal (method, "DELETE"))
        handle_write (self, msg, TACK_WRITE_DELETE_COLUMN, board_id, parts[3], query);
      else if (n_parts <= 4)
        method_not_allowed (msg);
      else
        tack_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such endpoint");
      return;
    }

  if (g_str_equal (parts[2], "cards"))
    {
      if (n_parts == 3 && g_str_equal (method, "POST"))
        handle_write (self, msg, TACK_WRITE_CREATE_CARD, board_id, NULL, query);
      else if (n_parts == 4 && g_str_equal (method, "GET"))
        {
          g_autoptr(JsonNode) card = tack_storage_get_card (self->storage, board_id, parts[3], &error);

          if (card == NULL)
            send_storage_error (msg, error);
          else
            send_node (msg, SOUP_STATUS_OK, card);
        }
      else if (n_parts == 4 && g_str_equal (method, "PATCH"))
        handle_write (self, msg, TACK_WRITE_UPDATE_CARD, board_id, parts[3], query);
      else if (n_parts == 4 && g_str_equal (method, "DELETE"))
        handle_write (self, msg, TACK_WRITE_DELETE_CARD, board_id, parts[3], query);
      else if (n_parts == 5 && g_str_equal (parts[4], "move") && g_str_equal (method, "POST"))
        handle_write (self, msg, TACK_WRITE_MOVE_CARD, board_id, parts[3], query);
      else if (n_parts == 5 && g_str_equal (parts[4], "move"))
        method_not_allowed (msg);
      else if (n_parts <= 4)
        method_not_allowed (msg);
      else
        tack_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such endpoint");
      return;
    }

  tack_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such endpoint");
}

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  TackServer *self = user_data;
  g_autofree char *split = NULL;
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_auto(Access) access = { 0 };

  if (self->stopped)
    {
      tack_server_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                              "The server is shutting down");
      return;
    }

  /* The early handler already answered (413). */
  if (soup_server_message_get_status (msg) != 0)
    return;

  if (!g_str_has_prefix (path, "/api/v1/"))
    {
      tack_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such endpoint");
      return;
    }

  /* The path's non-empty parts, cut in one copy of it: this runs for
   * every request, each subscriber of a connection storm included. */
  split = g_strdup (path + strlen ("/api/v1/"));
  for (char *part = split, *slash; part != NULL; part = slash)
    {
      if ((slash = strchr (part, '/')) != NULL)
        *slash++ = '\0';
      if (*part != '\0')
        g_ptr_array_add (parts, part);
    }
  g_ptr_array_add (parts, NULL);

  /* GLib formats a message before it drops it. */
  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    g_debug ("%s %s", soup_server_message_get_method (msg), path);

  if (parts->len == 2 && g_str_equal (g_ptr_array_index (parts, 0), "health"))
    {
      if (g_str_equal (soup_server_message_get_method (msg), "GET"))
        handle_health (msg);
      else
        method_not_allowed (msg);
      return;
    }

  if (parts->len < 2 || !g_str_equal (g_ptr_array_index (parts, 0), "boards"))
    {
      tack_server_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such endpoint");
      return;
    }

  if (!authenticate (self, msg, query, &access))
    return;

  if (parts->len == 2)
    {
      handle_boards (self, msg, &access);
      return;
    }

  if (!authorize_board (msg, &access, g_ptr_array_index (parts, 1)))
    return;

  handle_board_path (self, msg, query, (const char * const *)parts->pdata, parts->len - 1);
}

/* Bodies over the limit are refused from their headers, before libsoup
 * reads (and buffers) them. */
static void
early_callback (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > TACK_SERVER_MAX_BODY)
    {
      tack_server_send_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large",
                              "The request body is larger than 1 MiB");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
    }
}

/* Idle keep-alive connections.
 *
 * libsoup 3.2 never closes a keep-alive connection that its client
 * closes between two requests: its HTTP/1 reader meets the end of the
 * stream before the next request has started, finishes that request
 * without a completion callback and so never disconnects. The socket
 * stays in CLOSE-WAIT, with its SoupServerConnection, until the server
 * stops (current libsoup disconnects there). A plain SoupServer with one
 * handler shows it: every curl request leaves one socket behind.
 *
 * So after each response on a connection that stays open, watch its
 * socket at a higher priority than libsoup's reader. When all there is to
 * read is the end of the stream (or an error), the client is gone between
 * requests: take the connection back with
 * soup_server_message_steal_connection(), which makes SoupServer forget
 * it, and close it. The watch has to see the end before libsoup's reader
 * does: once that has read it, libsoup 3.2 cannot hand the connection
 * over any more. A request the client pipelined and then half-closed
 * behind is lost with it; no Tack client pipelines. */

typedef struct
{
  SoupServerMessage *msg;
  GSocket           *socket;
} IdleWatch;

static void
idle_watch_free (gpointer data)
{
  IdleWatch *watch = data;

  g_object_unref (watch->msg);
  g_object_unref (watch->socket);
  g_free (watch);
}

static gboolean
idle_watch_cb (GSocket      *socket,
               GIOCondition  condition,
               gpointer      user_data)
{
  IdleWatch *watch = user_data;
  g_autoptr(GIOStream) io = NULL;
  char byte;
  ssize_t n;

  /* libsoup closed it itself; the descriptor may already be another's. */
  if (g_socket_is_closed (socket))
    return G_SOURCE_REMOVE;

  n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return G_SOURCE_CONTINUE;

  /* The next request: libsoup's reader takes it from here. */
  if (n > 0)
    return G_SOURCE_REMOVE;

  io = soup_server_message_steal_connection (watch->msg);
  if (io != NULL)
    g_io_stream_close (io, NULL, NULL);

  return G_SOURCE_REMOVE;
}

static gboolean
message_keeps_alive (SoupServerMessage *msg)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);

  if (soup_message_headers_header_contains (request, "Connection", "close") ||
      soup_message_headers_header_contains (response, "Connection", "close"))
    return FALSE;

  if (soup_server_message_get_http_version (msg) == SOUP_HTTP_1_0)
    return soup_message_headers_header_contains (request, "Connection", "keep-alive");

  return TRUE;
}

static void
request_finished_cb (SoupServer        *soup,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  IdleWatch *watch;
  GSource *source;

  if (socket == NULL || g_socket_is_closed (socket) ||
      soup_server_message_get_status (msg) == SOUP_STATUS_SWITCHING_PROTOCOLS ||
      !message_keeps_alive (msg))
    return;

  watch = g_new0 (IdleWatch, 1);
  watch->msg = g_object_ref (msg);
  watch->socket = g_object_ref (socket);

  source = g_socket_create_source (socket, G_IO_IN, NULL);
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, (GSourceFunc)(GCallback)idle_watch_cb, watch, idle_watch_free);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
}

/* Object. */

static void
tack_server_dispose (GObject *object)
{
  TackServer *self = (TackServer *)object;

  tack_server_stop (self);

  G_OBJECT_CLASS (tack_server_parent_class)->dispose (object);
}

static void
tack_server_finalize (GObject *object)
{
  TackServer *self = (TackServer *)object;

  g_clear_pointer (&self->hubs, g_hash_table_unref);
  g_clear_pointer (&self->buckets, g_hash_table_unref);
  g_queue_init (&self->snapshot_order);
  g_clear_pointer (&self->snapshots, g_hash_table_unref);
  g_clear_pointer (&self->snapshot_builds, g_hash_table_unref);
  /* The snapshot reader went in tack_server_stop(), from dispose. */
  g_assert (self->snapshot_reader == NULL);
  g_clear_pointer (&self->queued_writes, g_ptr_array_unref);
  g_free (self->db_path);
  g_free (self->admin_token);
  g_free (self->admin_token_path);
  g_free (self->address);

  G_OBJECT_CLASS (tack_server_parent_class)->finalize (object);
}

static void
tack_server_class_init (TackServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tack_server_dispose;
  object_class->finalize = tack_server_finalize;
}

static void
tack_server_init (TackServer *self)
{
  self->retention = 10000;
  self->heartbeat_ms = 15000;
  self->max_queue_bytes = 4 * 1024 * 1024;
  g_queue_init (&self->pending);
  self->hubs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, tack_server_hub_free);
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->snapshots = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, snapshot_entry_free);
  self->snapshot_builds = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, snapshot_build_free);
  g_queue_init (&self->snapshot_order);
}

static gboolean
load_admin_token (TackServer  *self,
                  GError     **error)
{
  const char *env = g_getenv ("TACK_ADMIN_TOKEN");
  g_autofree char *contents = NULL;

  if (env != NULL && *env != '\0')
    {
      self->admin_token = g_strdup (env);
      g_info ("Using the admin token from TACK_ADMIN_TOKEN");
      return TRUE;
    }

  self->admin_token_path = g_strconcat (self->db_path, ".admin-token", NULL);

  if (g_file_get_contents (self->admin_token_path, &contents, NULL, NULL))
    {
      g_strstrip (contents);
      if (*contents != '\0')
        {
          self->admin_token = g_steal_pointer (&contents);
          g_message ("Admin token: %s", self->admin_token_path);
          return TRUE;
        }
    }

  self->admin_token = new_token ();

  if (!g_file_set_contents_full (self->admin_token_path, self->admin_token, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;

  g_message ("Generated an admin token in %s", self->admin_token_path);

  return TRUE;
}

/**
 * tack_server_new:
 * @db_path: the SQLite database; created with its folder when missing
 *
 * Creates a server for @db_path. The admin token comes from
 * `TACK_ADMIN_TOKEN`, else from `<db_path>.admin-token` (created, mode
 * 0600, on first start). Nothing listens until tack_server_listen().
 */
TackServer *
tack_server_new (const char  *db_path,
                 GError     **error)
{
  g_autoptr(TackServer) self = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (db_path != NULL, NULL);

  self = g_object_new (TACK_TYPE_SERVER, NULL);
  self->db_path = g_strdup (db_path);

  dir = g_path_get_dirname (db_path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot create “%s”: %s", dir, g_strerror (errsv));
      return NULL;
    }

  if (!load_admin_token (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* The storage opens on first use, so --retention and friends can be set
 * between tack_server_new() and tack_server_listen(). */
gboolean
tack_server_ensure_storage (TackServer  *self,
                            GError     **error)
{
  TackSqliteStorage *storage;

  if (self->storage != NULL)
    return TRUE;

  if (self->stopped)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "The server was stopped");
      return FALSE;
    }

  if (!(storage = tack_sqlite_storage_new (self->db_path, self->retention, error)))
    return FALSE;

  tack_server_set_storage (self, TACK_STORAGE (storage));
  g_object_unref (storage);

  return TRUE;
}

static void
committed_cb (TackStorage *storage,
              const char  *board_id,
              TackEvent   *event,
              gpointer     user_data)
{
  TackServer *self = TACK_SERVER (user_data);
  SnapshotBuild *build = g_hash_table_lookup (self->snapshot_builds, board_id);

  /* The board changed: the snapshot served until now is no longer it,
   * nor is one being built from before the change. */
  forget_snapshot (self, board_id);
  if (build != NULL)
    build->stale = TRUE;
  /* Broadcast once the writer has its answer. */
  tack_server_queue_event (self, board_id, event);
}

/* Serve from another storage than the SQLite one; for tests, and the
 * place a PostgreSQL storage would come in. Before listening only. */
void
tack_server_set_storage (TackServer  *self,
                         TackStorage *storage)
{
  g_return_if_fail (TACK_IS_SERVER (self));
  g_return_if_fail (TACK_IS_STORAGE (storage));
  g_return_if_fail (self->storage == NULL);

  self->storage = g_object_ref (storage);
  g_signal_connect_object (storage, "committed", G_CALLBACK (committed_cb), self, 0);
}

void
tack_server_set_retention (TackServer *self,
                           guint       retention)
{
  g_return_if_fail (TACK_IS_SERVER (self));
  g_return_if_fail (self->storage == NULL);

  self->retention = MAX (retention, 1);
}

void
tack_server_set_heartbeat_ms (TackServer *self,
                              guint       heartbeat_ms)
{
  g_return_if_fail (TACK_IS_SERVER (self));

  self->heartbeat_ms = MAX (heartbeat_ms, 10);
}

void
tack_server_set_max_queue_bytes (TackServer *self,
                                 gsize       max_queue_bytes)
{
  g_return_if_fail (TACK_IS_SERVER (self));

  self->max_queue_bytes = MAX (max_queue_bytes, 1024);
}

/**
 * tack_server_set_write_rate_limit:
 * @writes_per_second: writes allowed per token and second, with bursts
 *   of twice that; 0 (the default) for no limit
 *
 * Writes over the limit are answered 429 rate_limited with Retry-After.
 */
void
tack_server_set_write_rate_limit (TackServer *self,
                                  guint       writes_per_second)
{
  g_return_if_fail (TACK_IS_SERVER (self));

  self->write_rate = writes_per_second;
  g_hash_table_remove_all (self->buckets);
}

/**
 * tack_server_listen:
 * @address: an IP address, e.g. "127.0.0.1" or "::"
 * @port: the port, or 0 for any free one (see tack_server_get_port())
 *
 * Opens the database and starts serving on the thread-default main
 * context. The socket listens with a deep backlog, so a thousand clients
 * connecting at once are accepted without waiting on retransmits.
 */
gboolean
tack_server_listen (TackServer  *self,
                    const char  *address,
                    guint16      port,
                    GError     **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) bind_address = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocket) socket = NULL;

  g_return_val_if_fail (TACK_IS_SERVER (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (self->soup == NULL, FALSE);

  if (!tack_server_ensure_storage (self, error))
    return FALSE;

  if (!(inet = g_inet_address_new_from_string (address)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an IP address", address);
      return FALSE;
    }

  bind_address = g_inet_socket_address_new (inet, port);

  if (!(socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                               G_SOCKET_PROTOCOL_TCP, error)))
    return FALSE;

  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);

  /* Events are small writes that should leave at once; accepted sockets
   * inherit this from the listener on Linux. */
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL))
    g_debug ("Cannot set TCP_NODELAY on the listening socket");

  if (!g_socket_bind (socket, bind_address, TRUE, error) ||
      !g_socket_listen (socket, error))
    return FALSE;

  if (!(local = g_socket_get_local_address (socket, error)))
    return FALSE;

  self->soup = soup_server_new ("server-header", "tack-server/" PACKAGE_VERSION, NULL);
  /* No permessage-deflate: compressing every frame once per subscriber
   * costs more CPU than the bandwidth it saves on small JSON events. */
  soup_server_remove_websocket_extension (self->soup, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_early_handler (self->soup, NULL, early_callback, self, NULL);
  soup_server_add_handler (self->soup, NULL, server_callback, self, NULL);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (request_finished_cb), NULL);

  if (!soup_server_listen_socket (self->soup, socket, 0, error))
    {
      g_clear_object (&self->soup);
      return FALSE;
    }

  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  g_free (self->address);
  self->address = g_strdup (address);

  g_info ("Serving %s on %s port %u", self->db_path, address, self->port);

  return TRUE;
}

guint16
tack_server_get_port (TackServer *self)
{
  g_return_val_if_fail (TACK_IS_SERVER (self), 0);

  return self->port;
}

const char *
tack_server_get_address (TackServer *self)
{
  g_return_val_if_fail (TACK_IS_SERVER (self), NULL);

  return self->address;
}

const char *
tack_server_get_admin_token (TackServer *self)
{
  g_return_val_if_fail (TACK_IS_SERVER (self), NULL);

  return self->admin_token;
}

/**
 * tack_server_get_admin_token_path:
 *
 * Returns: (nullable): the file the admin token is kept in, or %NULL
 *   when it came from `TACK_ADMIN_TOKEN`
 */
const char *
tack_server_get_admin_token_path (TackServer *self)
{
  g_return_val_if_fail (TACK_IS_SERVER (self), NULL);

  return self->admin_token_path;
}

/**
 * tack_server_ensure_default_board:
 * @board_id: (out) (optional): the board's id
 * @board_token: (out) (optional): the board's token
 *
 * On first run creates “My Board” with the columns “To Do”, “Doing” and
 * “Done”; afterwards returns the first board there is.
 */
gboolean
tack_server_ensure_default_board (TackServer  *self,
                                  char       **board_id,
                                  char       **board_token,
                                  GError     **error)
{
  g_autofree char *id = NULL;
  g_autofree char *token = NULL;

  g_return_val_if_fail (TACK_IS_SERVER (self), FALSE);

  if (!tack_server_ensure_storage (self, error))
    return FALSE;

  id = tack_storage_get_first_board (self->storage);

  if (id == NULL)
    {
      static const char *titles[] = { "To Do", "Doing", "Done" };
      g_autofree char *new_board_token = new_token ();
      g_autoptr(JsonNode) board = NULL;
      g_autofree char *after = NULL;

      board = tack_storage_create_board (self->storage, "My Board", new_board_token, error);
      if (board == NULL)
        return FALSE;

      id = g_strdup (json_object_get_string_member (json_node_get_object (board), "id"));

      for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
        {
          g_autoptr(JsonObject) fields = json_object_new ();
          g_autoptr(TackWriteResult) result = NULL;
          g_autoptr(JsonNode) body = NULL;
          g_autofree char *op = g_strdup_printf ("default-board-column-%u", i);
          TackWriteRequest request = {
            .kind = TACK_WRITE_CREATE_COLUMN,
            .board_id = id,
            .op = op,
            .fields = fields,
          };

          json_object_set_string_member (fields, "title", titles[i]);
          if (after != NULL)
            json_object_set_string_member (fields, "after", after);
          else
            json_object_set_null_member (fields, "after");

          if (!tack_storage_write (self->storage, &request, &result, error))
            return FALSE;

          body = json_from_string (result->body, NULL);
          g_free (after);
          after = g_strdup (json_object_get_string_member (json_object_get_object_member (json_node_get_object (body), "column"), "id"));
        }
    }

  token = tack_storage_get_board_token (self->storage, id);

  if (board_id != NULL)
    *board_id = g_steal_pointer (&id);
  if (board_token != NULL)
    *board_token = g_steal_pointer (&token);

  return TRUE;
}

guint
tack_server_get_n_subscribers (TackServer *self)
{
  g_return_val_if_fail (TACK_IS_SERVER (self), 0);

  return self->n_subscribers;
}

/**
 * tack_server_get_n_dropped:
 *
 * Returns: how many live subscribers were cut off for falling too far
 *   behind since the server started
 */
guint
tack_server_get_n_dropped (TackServer *self)
{
  g_return_val_if_fail (TACK_IS_SERVER (self), 0);

  return self->n_dropped;
}

/**
 * tack_server_stop:
 *
 * Stops listening, closes every live stream and the database. Commits
 * run synchronously, so none is ever half done when this runs. Safe to
 * call more than once.
 */
void
tack_server_stop (TackServer *self)
{
  g_return_if_fail (TACK_IS_SERVER (self));

  if (self->stopped)
    return;

  self->stopped = TRUE;

  /* Writes received are committed and answered before anything closes. */
  if (self->storage != NULL)
    run_queued_writes (self);

  tack_server_close_streams (self);

  if (self->soup != NULL)
    {
      soup_server_disconnect (self->soup);
      g_clear_object (&self->soup);
    }

  /* The snapshot reader goes first (once a build in flight is done), so
   * that the writer, closing last, checkpoints the database. */
  self->no_snapshot_reader = TRUE;
  if (self->snapshot_reader != NULL)
    g_atomic_rc_box_release_full (g_steal_pointer (&self->snapshot_reader), snapshot_reader_clear);

  if (self->storage != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->storage, self);
      tack_storage_close (self->storage);
      g_clear_object (&self->storage);
    }
}
