/* tack-avatar.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TACK_TYPE_AVATAR (tack_avatar_get_type())

G_DECLARE_FINAL_TYPE (TackAvatar, tack_avatar, TACK, AVATAR, GtkWidget)

GtkWidget  *tack_avatar_new          (int         size,
                                      const char *text);
const char *tack_avatar_get_text     (TackAvatar *self);
void        tack_avatar_set_text     (TackAvatar *self,
                                      const char *text);
const char *tack_avatar_get_initials (TackAvatar *self);

G_END_DECLS
