/* tack-application.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tack-server.h"
#include "tack-window.h"

G_BEGIN_DECLS

#define TACK_TYPE_APPLICATION (tack_application_get_type())

G_DECLARE_FINAL_TYPE (TackApplication, tack_application, TACK, APPLICATION, AdwApplication)

TackApplication *tack_application_new               (void);
TackWindow      *tack_application_open_board        (TackApplication  *self,
                                                     const char       *base_url,
                                                     const char       *board_id,
                                                     const char       *token);
TackWindow      *tack_application_open_local_board  (TackApplication  *self,
                                                     GError          **error);
TackServer      *tack_application_get_local_server  (TackApplication  *self);

G_END_DECLS
