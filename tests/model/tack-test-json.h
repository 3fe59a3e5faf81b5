/* tack-test-json.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Builders for PROTOCOL.md resources, shared by the model and UI tests. */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

static inline JsonNode *
tack_test_parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static inline JsonObject *
tack_test_card (const char *id,
                const char *column,
                const char *title,
                const char *position,
                gint64      version)
{
  JsonObject *card = json_object_new ();

  json_object_set_string_member (card, "id", id);
  json_object_set_string_member (card, "column", column);
  json_object_set_string_member (card, "title", title);
  json_object_set_string_member (card, "description", "");
  json_object_set_string_member (card, "position", position);
  json_object_set_array_member (card, "labels", json_array_new ());
  json_object_set_array_member (card, "assignees", json_array_new ());
  json_object_set_null_member (card, "due");
  json_object_set_int_member (card, "version", version);
  json_object_set_string_member (card, "updated_at", "2026-11-25T10:00:00Z");
  json_object_set_string_member (card, "updated_by", "ada");

  return card;
}

static inline JsonObject *
tack_test_column (const char *id,
                  const char *title,
                  const char *position,
                  gint64      version)
{
  JsonObject *column = json_object_new ();

  json_object_set_string_member (column, "id", id);
  json_object_set_string_member (column, "board", "b1");
  json_object_set_string_member (column, "title", title);
  json_object_set_string_member (column, "position", position);
  json_object_set_null_member (column, "wip_limit");
  json_object_set_int_member (column, "version", version);

  return column;
}

/* Board b1 "Team" at seq 10: columns todo (a), doing (b), done (c);
 * cards c1 (a), c2 (b), c3 (c) in todo, c4 in doing. */
static inline JsonNode *
tack_test_snapshot (void)
{
  JsonObject *root = json_object_new ();
  JsonObject *board = json_object_new ();
  JsonArray *columns = json_array_new ();
  JsonArray *cards = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (board, "id", "b1");
  json_object_set_string_member (board, "title", "Team");
  json_object_set_int_member (board, "version", 1);
  json_object_set_int_member (board, "seq", 10);

  json_array_add_object_element (columns, tack_test_column ("todo", "To Do", "a", 1));
  json_array_add_object_element (columns, tack_test_column ("done", "Done", "c", 1));
  json_array_add_object_element (columns, tack_test_column ("doing", "Doing", "b", 1));

  json_array_add_object_element (cards, tack_test_card ("c3", "todo", "Third", "c", 1));
  json_array_add_object_element (cards, tack_test_card ("c1", "todo", "First", "a", 1));
  json_array_add_object_element (cards, tack_test_card ("c2", "todo", "Second", "b", 1));
  json_array_add_object_element (cards, tack_test_card ("c4", "doing", "Fourth", "a", 1));

  json_object_set_object_member (root, "board", board);
  json_object_set_array_member (root, "columns", columns);
  json_object_set_array_member (root, "cards", cards);
  json_object_set_int_member (root, "seq", 10);

  json_node_take_object (node, root);
  return node;
}

static inline JsonNode *
tack_test_event (gint64      seq,
                 const char *type,
                 const char *op,
                 const char *member,
                 JsonObject *value)
{
  JsonObject *root = json_object_new ();
  JsonObject *data = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_int_member (root, "seq", seq);
  json_object_set_string_member (root, "type", type);
  if (op)
    json_object_set_string_member (root, "op", op);
  else
    json_object_set_null_member (root, "op");
  json_object_set_string_member (root, "actor", "grace");
  if (member != NULL)
    json_object_set_object_member (data, member, value);
  json_object_set_object_member (root, "data", data);

  json_node_take_object (node, root);
  return node;
}

G_END_DECLS
