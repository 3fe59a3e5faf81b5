/* tack-application.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TACK_TYPE_APPLICATION (tack_application_get_type())

G_DECLARE_FINAL_TYPE (TackApplication, tack_application, TACK, APPLICATION, AdwApplication)

TackApplication *tack_application_new (void);

G_END_DECLS
