/* tack-model.h
 *
 * Copyright 2026 The Tack developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tack-board.h"
#include "tack-card.h"
#include "tack-column.h"
#include "tack-entry-state.h"
#include "tack-fetcher.h"
#include "tack-model-enums.h"
#include "tack-model-error.h"
#include "tack-position.h"
#include "tack-store.h"
