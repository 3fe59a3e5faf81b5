/* tack-values-private.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Plain, validated copies of PROTOCOL.md's resources. Everything that
 * comes off the wire is parsed into one of these first, so the store
 * either applies a whole, well-typed value or nothing at all. */

/* A TackCardValue's strings (not its string arrays) are GRefStrings: a
 * copy of the value, and the card that shows it, share them rather than
 * duplicating them, so a moved card allocates its new column and position
 * once and the strings the store compares are the ones the card holds. */
typedef struct
{
  char    *id;
  char    *column;
  char    *title;
  char    *description;
  char    *position;
  char   **labels;
  char   **assignees;
  char    *due;
  gint64   version;
  char    *updated_at;
  char    *updated_by;
} TackCardValue;

/* A card as it sits in a JSON object, validated but not copied: the
 * strings and arrays belong to the object. An event's card is compared
 * with the value the store holds and only what changed is copied. */
typedef struct
{
  const char *id;
  const char *column;
  const char *title;
  const char *description;
  const char *position;
  JsonArray  *labels;
  JsonArray  *assignees;
  const char *due;
  gint64      version;
  const char *updated_at;
  const char *updated_by;
} TackCardView;

/* Which fields of a card a write changed. */
typedef enum
{
  TACK_CARD_FIELD_COLUMN      = 1 << 0,
  TACK_CARD_FIELD_TITLE       = 1 << 1,
  TACK_CARD_FIELD_DESCRIPTION = 1 << 2,
  TACK_CARD_FIELD_POSITION    = 1 << 3,
  TACK_CARD_FIELD_LABELS      = 1 << 4,
  TACK_CARD_FIELD_ASSIGNEES   = 1 << 5,
  TACK_CARD_FIELD_DUE         = 1 << 6,
  TACK_CARD_FIELD_VERSION     = 1 << 7,
  TACK_CARD_FIELD_UPDATED_AT  = 1 << 8,
  TACK_CARD_FIELD_UPDATED_BY  = 1 << 9,
  TACK_CARD_FIELD_ALL         = (1 << 10) - 1,
} TackCardFields;

typedef struct
{
  char    *id;
  char    *board;
  char    *title;
  char    *position;
  guint    wip_limit;
  gint64   version;
} TackColumnValue;

typedef struct
{
  char    *id;
  char    *title;
  gint64   version;
  gint64   seq;
} TackBoardValue;

gboolean tack_card_value_parse        (TackCardValue         *value,
                                       JsonObject            *object,
                                       GError               **error);
gboolean tack_card_view_parse         (TackCardView          *view,
                                       JsonObject            *object,
                                       GError               **error);
void     tack_card_value_set_view     (TackCardValue         *value,
                                       const TackCardView    *view);
TackCardFields tack_card_value_update (TackCardValue         *value,
                                       const TackCardView    *view);
void     tack_card_value_clear        (TackCardValue         *value);
void     tack_card_value_copy         (TackCardValue         *dest,
                                       const TackCardValue   *src);
gboolean tack_card_value_patch        (TackCardValue         *value,
                                       JsonObject            *fields,
                                       GError               **error);
gboolean tack_column_value_parse      (TackColumnValue       *value,
                                       JsonObject            *object,
                                       GError               **error);
void     tack_column_value_clear      (TackColumnValue       *value);
void     tack_column_value_copy       (TackColumnValue       *dest,
                                       const TackColumnValue *src);
gboolean tack_column_value_patch      (TackColumnValue       *value,
                                       JsonObject            *fields,
                                       GError               **error);
gboolean tack_board_value_parse       (TackBoardValue        *value,
                                       JsonObject            *object,
                                       GError               **error);
void     tack_board_value_clear       (TackBoardValue        *value);

JsonObject *tack_json_node_get_object (JsonNode              *node,
                                       const char            *member,
                                       GError               **error);
gboolean    tack_json_node_get_string (JsonNode              *node,
                                       const char            *member,
                                       gboolean               nullable,
                                       const char           **out,
                                       GError               **error);
gboolean    tack_json_node_get_int    (JsonNode              *node,
                                       const char            *member,
                                       gint64                *out,
                                       GError               **error);
JsonObject *tack_json_get_object      (JsonObject            *object,
                                       const char            *member,
                                       GError               **error);
JsonArray  *tack_json_get_array       (JsonObject            *object,
                                       const char            *member,
                                       GError               **error);
gboolean    tack_json_get_string      (JsonObject            *object,
                                       const char            *member,
                                       gboolean               nullable,
                                       const char           **out,
                                       GError               **error);
gboolean    tack_json_get_int         (JsonObject            *object,
                                       const char            *member,
                                       gint64                *out,
                                       GError               **error);

/* GRefString helpers that take %NULL, for the nullable members. */
static inline char *
tack_ref_string_new0 (const char *str)
{
  return str != NULL ? g_ref_string_new (str) : NULL;
}

static inline char *
tack_ref_string_acquire0 (char *str)
{
  return str != NULL ? g_ref_string_acquire (str) : NULL;
}

/* Makes *@field share @str (a GRefString or %NULL), dropping its own. */
static inline void
tack_ref_string_set (char **field,
                     char  *str)
{
  char *old = *field;

  *field = tack_ref_string_acquire0 (str);
  if (old != NULL)
    g_ref_string_release (old);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TackCardValue, tack_card_value_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TackColumnValue, tack_column_value_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TackBoardValue, tack_board_value_clear)

G_END_DECLS
