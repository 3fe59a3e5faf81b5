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

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TackCardValue, tack_card_value_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TackColumnValue, tack_column_value_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TackBoardValue, tack_board_value_clear)

G_END_DECLS
