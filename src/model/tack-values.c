/* tack-values.c
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Strict readers for PROTOCOL.md's Board, Column and Card. A value is
 * filled only when every member is present (or legitimately optional) and
 * of the right type; on error the value is left cleared. */

#define G_LOG_DOMAIN "tack-model"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tack-model-error.h"
#include "tack-values-private.h"

G_DEFINE_QUARK (tack-model-error-quark, tack_model_error)

static gboolean
invalid (GError    **error,
         const char *member,
         const char *expected)
{
  g_set_error (error, TACK_MODEL_ERROR, TACK_MODEL_ERROR_INVALID,
               "“%s” must be %s", member, expected);
  return FALSE;
}

JsonObject *
tack_json_get_object (JsonObject  *object,
                      const char  *member,
                      GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      invalid (error, member, "an object");
      return NULL;
    }

  return json_node_get_object (node);
}

JsonArray *
tack_json_get_array (JsonObject  *object,
                     const char  *member,
                     GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      invalid (error, member, "an array");
      return NULL;
    }

  return json_node_get_array (node);
}

gboolean
tack_json_get_string (JsonObject  *object,
                      const char  *member,
                      gboolean     nullable,
                      const char **out,
                      GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;

  if (nullable && (node == NULL || JSON_NODE_HOLDS_NULL (node)))
    return TRUE;

  if (node == NULL ||
      !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (error, member, nullable ? "a string or null" : "a string");

  *out = json_node_get_string (node);
  return TRUE;
}

gboolean
tack_json_get_int (JsonObject  *object,
                   const char  *member,
                   gint64      *out,
                   GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL ||
      !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return invalid (error, member, "an integer");

  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
get_string_array (JsonObject   *object,
                  const char   *member,
                  char       ***out,
                  GError      **error)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;
  guint n;

  if (!(array = tack_json_get_array (object, member, error)))
    return FALSE;

  builder = g_strv_builder_new ();
  n = json_array_get_length (array);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (node) ||
          json_node_get_value_type (node) != G_TYPE_STRING)
        return invalid (error, member, "an array of strings");

      g_strv_builder_add (builder, json_node_get_string (node));
    }

  *out = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
is_valid_date (const char *s)
{
  int y, m, d;

  if (s == NULL || strlen (s) != 10 || s[4] != '-' || s[7] != '-')
    return FALSE;

  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
      return FALSE;

  y = atoi (s);
  m = atoi (s + 5);
  d = atoi (s + 8);

  return g_date_valid_dmy (d, m, y);
}

static gboolean
get_due (JsonObject  *object,
         char       **out,
         GError     **error)
{
  const char *due;

  if (!tack_json_get_string (object, "due", TRUE, &due, error))
    return FALSE;

  if (due != NULL && !is_valid_date (due))
    return invalid (error, "due", "null or a date as YYYY-MM-DD");

  *out = g_strdup (due);
  return TRUE;
}

gboolean
tack_card_value_parse (TackCardValue  *value,
                       JsonObject     *object,
                       GError        **error)
{
  const char *id, *column, *title, *description, *position, *updated_at, *updated_by;
  g_auto(TackCardValue) v = { 0 };

  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (object != NULL, FALSE);

  if (!tack_json_get_string (object, "id", FALSE, &id, error) ||
      !tack_json_get_string (object, "column", FALSE, &column, error) ||
      !tack_json_get_string (object, "title", FALSE, &title, error) ||
      !tack_json_get_string (object, "description", TRUE, &description, error) ||
      !tack_json_get_string (object, "position", FALSE, &position, error) ||
      !tack_json_get_int (object, "version", &v.version, error) ||
      !tack_json_get_string (object, "updated_at", TRUE, &updated_at, error) ||
      !tack_json_get_string (object, "updated_by", TRUE, &updated_by, error) ||
      !get_string_array (object, "labels", &v.labels, error) ||
      !get_string_array (object, "assignees", &v.assignees, error) ||
      !get_due (object, &v.due, error))
    return FALSE;

  if (*id == '\0')
    return invalid (error, "id", "a non-empty string");

  v.id = g_strdup (id);
  v.column = g_strdup (column);
  v.title = g_strdup (title);
  v.description = g_strdup (description ? description : "");
  v.position = g_strdup (position);
  v.updated_at = g_strdup (updated_at);
  v.updated_by = g_strdup (updated_by);

  *value = v;
  memset (&v, 0, sizeof v);

  return TRUE;
}

void
tack_card_value_clear (TackCardValue *value)
{
  g_clear_pointer (&value->id, g_free);
  g_clear_pointer (&value->column, g_free);
  g_clear_pointer (&value->title, g_free);
  g_clear_pointer (&value->description, g_free);
  g_clear_pointer (&value->position, g_free);
  g_clear_pointer (&value->labels, g_strfreev);
  g_clear_pointer (&value->assignees, g_strfreev);
  g_clear_pointer (&value->due, g_free);
  g_clear_pointer (&value->updated_at, g_free);
  g_clear_pointer (&value->updated_by, g_free);
  value->version = 0;
}

void
tack_card_value_copy (TackCardValue       *dest,
                      const TackCardValue *src)
{
  dest->id = g_strdup (src->id);
  dest->column = g_strdup (src->column);
  dest->title = g_strdup (src->title);
  dest->description = g_strdup (src->description);
  dest->position = g_strdup (src->position);
  dest->labels = g_strdupv (src->labels);
  dest->assignees = g_strdupv (src->assignees);
  dest->due = g_strdup (src->due);
  dest->version = src->version;
  dest->updated_at = g_strdup (src->updated_at);
  dest->updated_by = g_strdup (src->updated_by);
}

/* Applies the editable members present in @fields (a PATCH body, or a
 * local move's column and position) to @value. All or nothing. */
gboolean
tack_card_value_patch (TackCardValue  *value,
                       JsonObject     *fields,
                       GError        **error)
{
  g_auto(TackCardValue) v = { 0 };
  const char *s;

  tack_card_value_copy (&v, value);

  if (json_object_has_member (fields, "title"))
    {
      if (!tack_json_get_string (fields, "title", FALSE, &s, error))
        return FALSE;
      g_free (v.title);
      v.title = g_strdup (s);
    }

  if (json_object_has_member (fields, "description"))
    {
      if (!tack_json_get_string (fields, "description", TRUE, &s, error))
        return FALSE;
      g_free (v.description);
      v.description = g_strdup (s ? s : "");
    }

  if (json_object_has_member (fields, "column"))
    {
      if (!tack_json_get_string (fields, "column", FALSE, &s, error))
        return FALSE;
      g_free (v.column);
      v.column = g_strdup (s);
    }

  if (json_object_has_member (fields, "position"))
    {
      if (!tack_json_get_string (fields, "position", FALSE, &s, error))
        return FALSE;
      g_free (v.position);
      v.position = g_strdup (s);
    }

  if (json_object_has_member (fields, "labels"))
    {
      g_clear_pointer (&v.labels, g_strfreev);
      if (!get_string_array (fields, "labels", &v.labels, error))
        return FALSE;
    }

  if (json_object_has_member (fields, "assignees"))
    {
      g_clear_pointer (&v.assignees, g_strfreev);
      if (!get_string_array (fields, "assignees", &v.assignees, error))
        return FALSE;
    }

  if (json_object_has_member (fields, "due"))
    {
      g_clear_pointer (&v.due, g_free);
      if (!get_due (fields, &v.due, error))
        return FALSE;
    }

  tack_card_value_clear (value);
  *value = v;
  memset (&v, 0, sizeof v);

  return TRUE;
}

static gboolean
get_wip_limit (JsonObject  *object,
               guint       *out,
               GError     **error)
{
  JsonNode *wip = json_object_get_member (object, "wip_limit");
  gint64 limit;

  /* Absent, null or 0 all mean "no limit". */
  if (wip == NULL || JSON_NODE_HOLDS_NULL (wip))
    {
      *out = 0;
      return TRUE;
    }

  if (!tack_json_get_int (object, "wip_limit", &limit, error))
    return FALSE;
  if (limit < 0 || limit > G_MAXINT)
    return invalid (error, "wip_limit", "null or a non-negative integer");

  *out = (guint)limit;
  return TRUE;
}

gboolean
tack_column_value_parse (TackColumnValue  *value,
                         JsonObject       *object,
                         GError          **error)
{
  const char *id, *board, *title, *position;
  g_auto(TackColumnValue) v = { 0 };

  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (object != NULL, FALSE);

  if (!tack_json_get_string (object, "id", FALSE, &id, error) ||
      !tack_json_get_string (object, "board", FALSE, &board, error) ||
      !tack_json_get_string (object, "title", FALSE, &title, error) ||
      !tack_json_get_string (object, "position", FALSE, &position, error) ||
      !tack_json_get_int (object, "version", &v.version, error))
    return FALSE;

  if (*id == '\0')
    return invalid (error, "id", "a non-empty string");

  if (!get_wip_limit (object, &v.wip_limit, error))
    return FALSE;

  v.id = g_strdup (id);
  v.board = g_strdup (board);
  v.title = g_strdup (title);
  v.position = g_strdup (position);

  *value = v;
  memset (&v, 0, sizeof v);

  return TRUE;
}

void
tack_column_value_clear (TackColumnValue *value)
{
  g_clear_pointer (&value->id, g_free);
  g_clear_pointer (&value->board, g_free);
  g_clear_pointer (&value->title, g_free);
  g_clear_pointer (&value->position, g_free);
  value->wip_limit = 0;
  value->version = 0;
}

void
tack_column_value_copy (TackColumnValue       *dest,
                        const TackColumnValue *src)
{
  dest->id = g_strdup (src->id);
  dest->board = g_strdup (src->board);
  dest->title = g_strdup (src->title);
  dest->position = g_strdup (src->position);
  dest->wip_limit = src->wip_limit;
  dest->version = src->version;
}

/* Applies the editable members present in @fields (a column PATCH's
 * title and wip_limit, or a local move's position) to @value. All or
 * nothing. */
gboolean
tack_column_value_patch (TackColumnValue  *value,
                         JsonObject       *fields,
                         GError          **error)
{
  g_auto(TackColumnValue) v = { 0 };
  const char *s;

  tack_column_value_copy (&v, value);

  if (json_object_has_member (fields, "title"))
    {
      if (!tack_json_get_string (fields, "title", FALSE, &s, error))
        return FALSE;
      g_free (v.title);
      v.title = g_strdup (s);
    }

  if (json_object_has_member (fields, "position"))
    {
      if (!tack_json_get_string (fields, "position", FALSE, &s, error))
        return FALSE;
      g_free (v.position);
      v.position = g_strdup (s);
    }

  if (json_object_has_member (fields, "wip_limit") &&
      !get_wip_limit (fields, &v.wip_limit, error))
    return FALSE;

  tack_column_value_clear (value);
  *value = v;
  memset (&v, 0, sizeof v);

  return TRUE;
}

gboolean
tack_board_value_parse (TackBoardValue  *value,
                        JsonObject      *object,
                        GError         **error)
{
  const char *id, *title;
  g_auto(TackBoardValue) v = { 0 };

  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (object != NULL, FALSE);

  if (!tack_json_get_string (object, "id", FALSE, &id, error) ||
      !tack_json_get_string (object, "title", FALSE, &title, error) ||
      !tack_json_get_int (object, "version", &v.version, error) ||
      !tack_json_get_int (object, "seq", &v.seq, error))
    return FALSE;

  if (*id == '\0')
    return invalid (error, "id", "a non-empty string");

  v.id = g_strdup (id);
  v.title = g_strdup (title);

  *value = v;
  memset (&v, 0, sizeof v);

  return TRUE;
}

void
tack_board_value_clear (TackBoardValue *value)
{
  g_clear_pointer (&value->id, g_free);
  g_clear_pointer (&value->title, g_free);
  value->version = 0;
  value->seq = 0;
}
