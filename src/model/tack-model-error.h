/* tack-model-error.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TACK_MODEL_ERROR (tack_model_error_quark ())

typedef enum
{
  /* The input is not what PROTOCOL.md describes: bad JSON, a missing
   * member or one of the wrong type. Nothing was changed. */
  TACK_MODEL_ERROR_INVALID,
  /* The input names an entity the store does not hold. */
  TACK_MODEL_ERROR_UNKNOWN,
} TackModelError;

GQuark tack_model_error_quark (void);

G_END_DECLS
