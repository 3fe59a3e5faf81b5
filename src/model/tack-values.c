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

/* The checks on one member's node (%NULL when absent), so that a reader
 * that already holds the nodes does not look them up again. */
JsonObject *
tack_json_node_get_object (JsonNode    *node,
                           const char  *member,
                           GError     **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      invalid (error, member, "an object");
      return NULL;
    }

  return json_node_get_object (node);
}

JsonObject *
tack_json_get_object (JsonObject  *object,
                      const char  *member,
                      GError     **error)
{
  return tack_json_node_get_object (json_object_get_member (object, member), member, error);
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
tack_json_node_get_string (JsonNode    *node,
                           const char  *member,
                           gboolean     nullable,
                           const char **out,
                           GError     **error)
{
  JsonNodeType type = node != NULL ? json_node_get_node_type (node) : JSON_NODE_NULL;

  *out = NULL;

  /* Every string of every event comes through here: one call tells a
   * value node's string from its other values (it returns NULL for them),
   * where asking for the value's type first took two more. */
  if (type == JSON_NODE_VALUE && (*out = json_node_get_string (node)) != NULL)
    return TRUE;

  if (nullable && type == JSON_NODE_NULL)
    return TRUE;

  return invalid (error, member, nullable ? "a string or null" : "a string");
}

gboolean
tack_json_node_get_int (JsonNode    *node,
                        const char  *member,
                        gint64      *out,
                        GError     **error)
{
  if (node == NULL ||
      !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return invalid (error, member, "an integer");

  *out = json_node_get_int (node);
  return TRUE;
}

gboolean
tack_json_get_string (JsonObject  *object,
                      const char  *member,
                      gboolean     nullable,
                      const char **out,
                      GError     **error)
{
  return tack_json_node_get_string (json_object_get_member (object, member), member, nullable, out, error);
}

gboolean
tack_json_get_int (JsonObject  *object,
                   const char  *member,
                   gint64      *out,
                   GError     **error)
{
  return tack_json_node_get_int (json_object_get_member (object, member), member, out, error);
}

static gboolean
node_string_array (JsonNode     *node,
                   const char   *member,
                   char       ***out,
                   GError      **error)
{
  g_auto(GStrv) strv = NULL;
  JsonArray *array;
  guint n;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, member, "an array");

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  strv = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) ||
          json_node_get_value_type (element) != G_TYPE_STRING)
        return invalid (error, member, "an array of strings");

      strv[i] = g_strdup (json_node_get_string (element));
    }

  *out = g_steal_pointer (&strv);
  return TRUE;
}

static gboolean
get_string_array (JsonObject   *object,
                  const char   *member,
                  char       ***out,
                  GError      **error)
{
  return node_string_array (json_object_get_member (object, member), member, out, error);
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
node_due (JsonNode  *node,
          char     **out,
          GError   **error)
{
  const char *due;

  if (!tack_json_node_get_string (node, "due", TRUE, &due, error))
    return FALSE;

  if (due != NULL && !is_valid_date (due))
    return invalid (error, "due", "null or a date as YYYY-MM-DD");

  *out = tack_ref_string_new0 (due);
  return TRUE;
}

static gboolean
get_due (JsonObject  *object,
         char       **out,
         GError     **error)
{
  return node_due (json_object_get_member (object, "due"), out, error);
}

enum {
  CARD_ID,
  CARD_COLUMN,
  CARD_TITLE,
  CARD_DESCRIPTION,
  CARD_POSITION,
  CARD_VERSION,
  CARD_UPDATED_AT,
  CARD_UPDATED_BY,
  CARD_LABELS,
  CARD_ASSIGNEES,
  CARD_DUE,
  N_CARD_MEMBERS
};

/* Which of a Card's members @name is, or -1. */
static int
card_member (const char *name)
{
  switch (name[0])
    {
    case 'i': return g_str_equal (name, "id") ? CARD_ID : -1;
    case 'c': return g_str_equal (name, "column") ? CARD_COLUMN : -1;
    case 't': return g_str_equal (name, "title") ? CARD_TITLE : -1;
    case 'p': return g_str_equal (name, "position") ? CARD_POSITION : -1;
    case 'v': return g_str_equal (name, "version") ? CARD_VERSION : -1;
    case 'l': return g_str_equal (name, "labels") ? CARD_LABELS : -1;
    case 'a': return g_str_equal (name, "assignees") ? CARD_ASSIGNEES : -1;
    case 'd':
      if (g_str_equal (name, "description"))
        return CARD_DESCRIPTION;
      return g_str_equal (name, "due") ? CARD_DUE : -1;
    case 'u':
      if (g_str_equal (name, "updated_at"))
        return CARD_UPDATED_AT;
      return g_str_equal (name, "updated_by") ? CARD_UPDATED_BY : -1;
    default:
      return -1;
    }
}

/* A JSON array of strings, checked. */
static gboolean
node_string_list (JsonNode    *node,
                  const char  *member,
                  JsonArray  **out,
                  GError     **error)
{
  JsonArray *array;
  guint n;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, member, "an array");

  array = json_node_get_array (node);
  n = json_array_get_length (array);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) ||
          json_node_get_value_type (element) != G_TYPE_STRING)
        return invalid (error, member, "an array of strings");
    }

  *out = array;
  return TRUE;
}

static char **
strv_from_array (JsonArray *array)
{
  guint n = json_array_get_length (array);
  char **strv = g_new (char *, n + 1);

  for (guint i = 0; i < n; i++)
    strv[i] = g_strdup (json_array_get_string_element (array, i));
  strv[n] = NULL;

  return strv;
}

static gboolean
strv_equal_array (char      **strv,
                  JsonArray  *array)
{
  guint n = json_array_get_length (array);
  guint i;

  for (i = 0; i < n; i++)
    if (strv == NULL || strv[i] == NULL ||
        strcmp (strv[i], json_array_get_string_element (array, i)) != 0)
      return FALSE;

  return strv == NULL || strv[i] == NULL;
}

gboolean
tack_card_view_parse (TackCardView  *view,
                      JsonObject    *object,
                      GError       **error)
{
  TackCardView v = { 0 };
  JsonNode *nodes[N_CARD_MEMBERS] = { NULL };
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  g_return_val_if_fail (view != NULL, FALSE);
  g_return_val_if_fail (object != NULL, FALSE);

  /* Every card of every event comes through here: one pass over the
   * members, rather than a hash lookup for each one. */
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &node))
    {
      int member = card_member (name);

      if (member >= 0)
        nodes[member] = node;
    }

  if (!tack_json_node_get_string (nodes[CARD_ID], "id", FALSE, &v.id, error) ||
      !tack_json_node_get_string (nodes[CARD_COLUMN], "column", FALSE, &v.column, error) ||
      !tack_json_node_get_string (nodes[CARD_TITLE], "title", FALSE, &v.title, error) ||
      !tack_json_node_get_string (nodes[CARD_DESCRIPTION], "description", TRUE, &v.description, error) ||
      !tack_json_node_get_string (nodes[CARD_POSITION], "position", FALSE, &v.position, error) ||
      !tack_json_node_get_int (nodes[CARD_VERSION], "version", &v.version, error) ||
      !tack_json_node_get_string (nodes[CARD_UPDATED_AT], "updated_at", TRUE, &v.updated_at, error) ||
      !tack_json_node_get_string (nodes[CARD_UPDATED_BY], "updated_by", TRUE, &v.updated_by, error) ||
      !node_string_list (nodes[CARD_LABELS], "labels", &v.labels, error) ||
      !node_string_list (nodes[CARD_ASSIGNEES], "assignees", &v.assignees, error) ||
      !tack_json_node_get_string (nodes[CARD_DUE], "due", TRUE, &v.due, error))
    return FALSE;

  if (v.due != NULL && !is_valid_date (v.due))
    return invalid (error, "due", "null or a date as YYYY-MM-DD");

  if (*v.id == '\0')
    return invalid (error, "id", "a non-empty string");

  if (v.description == NULL)
    v.description = "";

  *view = v;

  return TRUE;
}

/* Makes @value a copy of @view; @value must be cleared. */
void
tack_card_value_set_view (TackCardValue      *value,
                          const TackCardView *view)
{
  value->id = tack_ref_string_new0 (view->id);
  value->column = tack_ref_string_new0 (view->column);
  value->title = tack_ref_string_new0 (view->title);
  value->description = tack_ref_string_new0 (view->description);
  value->position = tack_ref_string_new0 (view->position);
  value->labels = strv_from_array (view->labels);
  value->assignees = strv_from_array (view->assignees);
  value->due = tack_ref_string_new0 (view->due);
  value->version = view->version;
  value->updated_at = tack_ref_string_new0 (view->updated_at);
  value->updated_by = tack_ref_string_new0 (view->updated_by);
}

static gboolean
update_string (char       **field,
               const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_clear_pointer (field, g_ref_string_release);
  *field = tack_ref_string_new0 (value);
  return TRUE;
}

/**
 * tack_card_value_update:
 *
 * Brings @value (of the same card) in line with @view, copying only what
 * differs: a moved card changes a few fields and keeps the rest.
 *
 * Returns: the fields that changed
 */
TackCardFields
tack_card_value_update (TackCardValue      *value,
                        const TackCardView *view)
{
  TackCardFields changed = 0;

  if (update_string (&value->column, view->column))
    changed |= TACK_CARD_FIELD_COLUMN;
  if (update_string (&value->title, view->title))
    changed |= TACK_CARD_FIELD_TITLE;
  if (update_string (&value->description, view->description))
    changed |= TACK_CARD_FIELD_DESCRIPTION;
  if (update_string (&value->position, view->position))
    changed |= TACK_CARD_FIELD_POSITION;
  if (update_string (&value->due, view->due))
    changed |= TACK_CARD_FIELD_DUE;
  if (update_string (&value->updated_at, view->updated_at))
    changed |= TACK_CARD_FIELD_UPDATED_AT;
  if (update_string (&value->updated_by, view->updated_by))
    changed |= TACK_CARD_FIELD_UPDATED_BY;

  if (!strv_equal_array (value->labels, view->labels))
    {
      g_strfreev (value->labels);
      value->labels = strv_from_array (view->labels);
      changed |= TACK_CARD_FIELD_LABELS;
    }

  if (!strv_equal_array (value->assignees, view->assignees))
    {
      g_strfreev (value->assignees);
      value->assignees = strv_from_array (view->assignees);
      changed |= TACK_CARD_FIELD_ASSIGNEES;
    }

  if (value->version != view->version)
    {
      value->version = view->version;
      changed |= TACK_CARD_FIELD_VERSION;
    }

  return changed;
}

gboolean
tack_card_value_parse (TackCardValue  *value,
                       JsonObject     *object,
                       GError        **error)
{
  TackCardView view;

  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (object != NULL, FALSE);

  if (!tack_card_view_parse (&view, object, error))
    return FALSE;

  tack_card_value_set_view (value, &view);

  return TRUE;
}

void
tack_card_value_clear (TackCardValue *value)
{
  g_clear_pointer (&value->id, g_ref_string_release);
  g_clear_pointer (&value->column, g_ref_string_release);
  g_clear_pointer (&value->title, g_ref_string_release);
  g_clear_pointer (&value->description, g_ref_string_release);
  g_clear_pointer (&value->position, g_ref_string_release);
  g_clear_pointer (&value->labels, g_strfreev);
  g_clear_pointer (&value->assignees, g_strfreev);
  g_clear_pointer (&value->due, g_ref_string_release);
  g_clear_pointer (&value->updated_at, g_ref_string_release);
  g_clear_pointer (&value->updated_by, g_ref_string_release);
  value->version = 0;
}

/* @dest must be cleared; the strings are shared, not copied. */
void
tack_card_value_copy (TackCardValue       *dest,
                      const TackCardValue *src)
{
  dest->id = tack_ref_string_acquire0 (src->id);
  dest->column = tack_ref_string_acquire0 (src->column);
  dest->title = tack_ref_string_acquire0 (src->title);
  dest->description = tack_ref_string_acquire0 (src->description);
  dest->position = tack_ref_string_acquire0 (src->position);
  dest->labels = g_strdupv (src->labels);
  dest->assignees = g_strdupv (src->assignees);
  dest->due = tack_ref_string_acquire0 (src->due);
  dest->version = src->version;
  dest->updated_at = tack_ref_string_acquire0 (src->updated_at);
  dest->updated_by = tack_ref_string_acquire0 (src->updated_by);
}

/* A string member of a PATCH body, when present, replaces *@slot; a
 * @nullable member's null empties it. @slot holds a GRefString when
 * @ref_string, else a plain string. */
static gboolean
patch_string (JsonObject  *fields,
              const char  *member,
              gboolean     nullable,
              gboolean     ref_string,
              char       **slot,
              GError     **error)
{
  const char *s;

  if (!json_object_has_member (fields, member))
    return TRUE;

  if (!tack_json_get_string (fields, member, nullable, &s, error))
    return FALSE;

  if (ref_string)
    {
      g_clear_pointer (slot, g_ref_string_release);
      *slot = g_ref_string_new (s ? s : "");
    }
  else
    {
      g_free (*slot);
      *slot = g_strdup (s ? s : "");
    }

  return TRUE;
}

/* Applies the editable members present in @fields (a PATCH body, or a
 * local move's column and position) to @value. All or nothing. */
gboolean
tack_card_value_patch (TackCardValue  *value,
                       JsonObject     *fields,
                       GError        **error)
{
  g_auto(TackCardValue) v = { 0 };

  tack_card_value_copy (&v, value);

  if (!patch_string (fields, "title", FALSE, TRUE, &v.title, error) ||
      !patch_string (fields, "description", TRUE, TRUE, &v.description, error) ||
      !patch_string (fields, "column", FALSE, TRUE, &v.column, error) ||
      !patch_string (fields, "position", FALSE, TRUE, &v.position, error))
    return FALSE;

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
      g_clear_pointer (&v.due, g_ref_string_release);
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

  tack_column_value_copy (&v, value);

  if (!patch_string (fields, "title", FALSE, FALSE, &v.title, error) ||
      !patch_string (fields, "position", FALSE, FALSE, &v.position, error))
    return FALSE;

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
