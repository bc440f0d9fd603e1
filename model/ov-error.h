/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The one error domain of model/, data/ and viz/. Messages always name the file
 * (or the input) and say what is wrong with it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define OV_ERROR (ov_error_quark ())

typedef enum {
  OV_ERROR_FAILED,        /* anything not covered below */
  OV_ERROR_IO,            /* a file could not be opened, read or written */
  OV_ERROR_FORMAT,        /* a file is not of the format it claims, or is corrupt */
  OV_ERROR_TRUNCATED,     /* a file ends before the data it announces */
  OV_ERROR_FORBIDDEN,     /* a pickle names a global we refuse to build */
  OV_ERROR_SHAPE,         /* a tensor's shape disagrees with the config */
  OV_ERROR_MISSING,       /* a required weight, file or key is absent */
  OV_ERROR_UNSUPPORTED,   /* valid input we do not handle (dtype, task) */
  OV_ERROR_INVALID_INPUT, /* bad user input: empty question, NaN features */
  OV_ERROR_LIMIT,         /* a size beyond what we accept (huge image, billions of boxes) */
  OV_ERROR_CANCELLED,     /* never used: cancellation is G_IO_ERROR_CANCELLED */
  OV_ERROR_DEVICE,        /* a GPU backend failed */
} OvError;

GQuark ov_error_quark (void);

G_END_DECLS
