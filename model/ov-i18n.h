/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Translation of the messages model/, data/ and viz/ give in their GErrors
 * and warnings. The libraries look their messages up in the program's own
 * catalogue; the program binds it (app/main.c), and without that, or under
 * the C locale, the messages stay English. Include from .c files only: the
 * window and the command line use <glib/gi18n.h>.
 *
 * Number formats go through <inttypes.h> (PRId64) and %zu, which xgettext
 * keeps whole in a message, rather than GLib's G_GINT64_FORMAT, which it
 * cannot see through.
 */
#pragma once

#ifndef GETTEXT_PACKAGE
#define GETTEXT_PACKAGE "oscarviz"
#endif

#include <glib/gi18n-lib.h>
#include <inttypes.h>
