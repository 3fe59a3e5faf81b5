/* tack-json.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

void tack_json_node_unref_in_thread (JsonNode *node);

G_END_DECLS
