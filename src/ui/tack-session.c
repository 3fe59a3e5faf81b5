/* tack-session.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* One open board: the composition root that wires the net layer to the
 * store the way docs/sync.md describes, and owns every piece of it. A
 * window shows a session; nothing here knows about GTK, so the same
 * object serves the app, its tests and a headless client alike. */

#define G_LOG_DOMAIN "tack-ui"

#include "config.h"

#include "tack-session.h"

struct _TackSession
{
  GObject         parent_instance;

  char           *base_url;
  char           *board_id;
  char           *token;
  char           *user;
  char           *journal_path;

  TackApi        *api;
  TackStore      *store;
  TackDispatcher *dispatcher;
  TackConnection *connection;
  TackOutbox     *outbox;
};

G_DEFINE_FINAL_TYPE (TackSession, tack_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_BOARD_ID,
  PROP_TOKEN,
  PROP_USER,
  PROP_JOURNAL_PATH,
  PROP_API,
  PROP_STORE,
  PROP_CONNECTION,
  PROP_OUTBOX,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tack_session_constructed (GObject *object)
{
  TackSession *self = (TackSession *)object;

  G_OBJECT_CLASS (tack_session_parent_class)->constructed (object);

  g_assert (self->base_url != NULL);

  if (self->journal_path == NULL)
    self->journal_path = tack_session_default_journal_path (self->base_url, self->board_id);

  self->api = g_object_new (TACK_TYPE_API,
                            "base-url", self->base_url,
                            "board-id", self->board_id,
                            "token", self->token,
                            "user", self->user,
                            NULL);
  self->store = tack_store_new ();
  tack_store_set_fetcher (self->store, TACK_FETCHER (self->api));
  self->dispatcher = tack_dispatcher_new (self->store, self->api);
  self->connection = tack_connection_new (self->api, self->dispatcher);
  self->outbox = tack_outbox_new (self->store, self->api, self->journal_path);
  tack_outbox_set_connection (self->outbox, self->connection);
}

static void
tack_session_dispose (GObject *object)
{
  TackSession *self = (TackSession *)object;

  if (self->connection != NULL)
    tack_connection_stop (self->connection);

  g_clear_object (&self->outbox);
  g_clear_object (&self->connection);
  g_clear_object (&self->dispatcher);
  g_clear_object (&self->store);
  g_clear_object (&self->api);

  G_OBJECT_CLASS (tack_session_parent_class)->dispose (object);
}

static void
tack_session_finalize (GObject *object)
{
  TackSession *self = (TackSession *)object;

  g_free (self->base_url);
  g_free (self->board_id);
  g_free (self->token);
  g_free (self->user);
  g_free (self->journal_path);

  G_OBJECT_CLASS (tack_session_parent_class)->finalize (object);
}

static void
tack_session_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TackSession *self = TACK_SESSION (object);

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
      /* The API's: Preferences may have renamed the user since. */
      g_value_set_string (value, self->api ? tack_api_get_user (self->api) : self->user);
      break;

    case PROP_JOURNAL_PATH:
      g_value_set_string (value, self->journal_path);
      break;

    case PROP_API:
      g_value_set_object (value, self->api);
      break;

    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;

    case PROP_OUTBOX:
      g_value_set_object (value, self->outbox);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_session_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  TackSession *self = TACK_SESSION (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      self->base_url = g_value_dup_string (value);
      break;

    case PROP_BOARD_ID:
      self->board_id = g_value_dup_string (value);
      break;

    case PROP_TOKEN:
      self->token = g_value_dup_string (value);
      break;

    case PROP_USER:
      self->user = g_value_dup_string (value);
      break;

    case PROP_JOURNAL_PATH:
      self->journal_path = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tack_session_class_init (TackSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  GParamFlags readable = (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  object_class->constructed = tack_session_constructed;
  object_class->dispose = tack_session_dispose;
  object_class->finalize = tack_session_finalize;
  object_class->get_property = tack_session_get_property;
  object_class->set_property = tack_session_set_property;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL, construct);
  properties[PROP_BOARD_ID] =
    g_param_spec_string ("board-id", NULL, NULL, NULL, construct);
  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL, NULL, construct);
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL, construct);
  properties[PROP_JOURNAL_PATH] =
    g_param_spec_string ("journal-path", NULL, NULL, NULL, construct);
  properties[PROP_API] =
    g_param_spec_object ("api", NULL, NULL, TACK_TYPE_API, readable);
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TACK_TYPE_STORE, readable);
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, TACK_TYPE_CONNECTION, readable);
  properties[PROP_OUTBOX] =
    g_param_spec_object ("outbox", NULL, NULL, TACK_TYPE_OUTBOX, readable);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tack_session_init (TackSession *self)
{
}

/**
 * tack_session_new:
 * @base_url: the server, e.g. `http://127.0.0.1:8765`
 * @board_id: the board to open
 * @token: (nullable): the board's token
 * @user: (nullable): who this client acts for (events' actor, presence)
 * @journal_path: (nullable): the outbox journal, or %NULL for
 *   tack_session_default_journal_path()
 *
 * Assembles a client for one board. Nothing is sent until
 * tack_session_start().
 */
TackSession *
tack_session_new (const char *base_url,
                  const char *board_id,
                  const char *token,
                  const char *user,
                  const char *journal_path)
{
  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (board_id != NULL, NULL);

  return g_object_new (TACK_TYPE_SESSION,
                       "base-url", base_url,
                       "board-id", board_id,
                       "token", token,
                       "user", user,
                       "journal-path", journal_path,
                       NULL);
}

/**
 * tack_session_default_journal_path:
 *
 * One journal per server and board, so that edits queued for one board
 * are never replayed against another.
 *
 * Returns: (transfer full): `$XDG_STATE_HOME/tack/<hash>.journal`
 */
char *
tack_session_default_journal_path (const char *base_url,
                                   const char *board_id)
{
  g_autofree char *key = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (base_url != NULL, NULL);

  key = g_strconcat (base_url, "\n", board_id ? board_id : "", NULL);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  name = g_strconcat (hash, ".journal", NULL);

  return g_build_filename (g_get_user_state_dir (), "tack", name, NULL);
}

/**
 * tack_session_dup_user_for_name:
 * @display_name: (nullable): the display-name setting
 *
 * Who this client acts for: the display name chosen in Preferences, or
 * when none is, the system's full name for the user, else their login.
 *
 * Returns: (transfer full): the name
 */
char *
tack_session_dup_user_for_name (const char *display_name)
{
  const char *real_name;

  if (display_name != NULL && display_name[0] != '\0')
    return g_strdup (display_name);

  real_name = g_get_real_name ();
  if (real_name != NULL && real_name[0] != '\0' && g_strcmp0 (real_name, "Unknown") != 0)
    return g_strdup (real_name);

  return g_strdup (g_get_user_name ());
}

const char *
tack_session_get_base_url (TackSession *self)
{
  g_return_val_if_fail (TACK_IS_SESSION (self), NULL);

  return self->base_url;
}

const char *
tack_session_get_board_id (TackSession *self)
{
  g_return_val_if_fail (TACK_IS_SESSION (self), NULL);

  return self->board_id;
}

/**
 * tack_session_get_api:
 *
 * Returns: (transfer none): the HTTP client
 */
TackApi *
tack_session_get_api (TackSession *self)
{
  g_return_val_if_fail (TACK_IS_SESSION (self), NULL);

  return self->api;
}

/**
 * tack_session_get_store:
 *
 * Returns: (transfer none): the board's one source of truth
 */
TackStore *
tack_session_get_store (TackSession *self)
{
  g_return_val_if_fail (TACK_IS_SESSION (self), NULL);

  return self->store;
}

/**
 * tack_session_get_dispatcher:
 *
 * Returns: (transfer none): the dispatcher
 */
TackDispatcher *
tack_session_get_dispatcher (TackSession *self)
{
  g_return_val_if_fail (TACK_IS_SESSION (self), NULL);

  return self->dispatcher;
}

/**
 * tack_session_get_connection:
 *
 * Returns: (transfer none): the live connection
 */
TackConnection *
tack_session_get_connection (TackSession *self)
{
  g_return_val_if_fail (TACK_IS_SESSION (self), NULL);

  return self->connection;
}

/**
 * tack_session_get_outbox:
 *
 * Returns: (transfer none): where this user's edits go
 */
TackOutbox *
tack_session_get_outbox (TackSession *self)
{
  g_return_val_if_fail (TACK_IS_SESSION (self), NULL);

  return self->outbox;
}

void
tack_session_start (TackSession *self)
{
  g_return_if_fail (TACK_IS_SESSION (self));

  tack_connection_start (self->connection);
}

void
tack_session_stop (TackSession *self)
{
  g_return_if_fail (TACK_IS_SESSION (self));

  tack_connection_stop (self->connection);
}
