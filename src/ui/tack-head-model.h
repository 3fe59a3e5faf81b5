/* tack-head-model.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TACK_TYPE_HEAD_MODEL (tack_head_model_get_type())

G_DECLARE_FINAL_TYPE (TackHeadModel, tack_head_model, TACK, HEAD_MODEL, GObject)

TackHeadModel *tack_head_model_new       (GListModel    *model,
                                          guint          limit);
GListModel    *tack_head_model_get_model (TackHeadModel *self);
guint          tack_head_model_get_limit (TackHeadModel *self);
void           tack_head_model_set_limit (TackHeadModel *self,
                                          guint          limit);

G_END_DECLS
