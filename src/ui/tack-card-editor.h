/* tack-card-editor.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tack-session.h"

G_BEGIN_DECLS

#define TACK_TYPE_CARD_EDITOR (tack_card_editor_get_type())

G_DECLARE_FINAL_TYPE (TackCardEditor, tack_card_editor, TACK, CARD_EDITOR, AdwWindow)

TackCardEditor *tack_card_editor_new      (TackSession    *session,
                                           TackCard       *card);
TackCard       *tack_card_editor_get_card (TackCardEditor *self);
gboolean        tack_card_editor_save     (TackCardEditor *self);

G_END_DECLS
