/* tack-window-private.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tack-board-view.h"
#include "tack-card-filter.h"
#include "tack-connection-indicator.h"
#include "tack-window.h"

G_BEGIN_DECLS

struct _TackWindow
{
  AdwApplicationWindow     parent_instance;

  TackSession             *session;
  TackStore               *store;
  GSettings               *settings;
  gboolean                 read_only;
  guint                    presence_serial;

  /* Deletes waiting out their Undo toast: card id -> AdwToast. */
  GHashTable              *pending_deletes;
  /* Edits in flight: op -> the card's title when it was made, for the
   * toast if the server refuses it after the card is gone. */
  GHashTable              *queued_titles;
  /* Shows every card but those. */
  TackCardFilter          *hidden_filter;

  AdwWindowTitle          *window_title;
  AdwToastOverlay         *toast_overlay;
  TackConnectionIndicator *indicator;
  TackBoardView           *board_view;
};

void _tack_window_class_actions_init (GtkWidgetClass *widget_class);
void _tack_window_actions_init       (TackWindow     *self);
void _tack_window_actions_dispose    (TackWindow     *self);

G_END_DECLS
