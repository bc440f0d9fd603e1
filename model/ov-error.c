/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 */
#include "ov-error.h"

G_DEFINE_QUARK (ov-error-quark, ov_error)
