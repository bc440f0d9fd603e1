/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 */
#include <math.h>

#include "ov-viz.h"

/* The first 36 class colours: sRGB colours of CIELAB lightness 38 to 78
 * and chroma at least 30 (readable on white and on a dark ground, never a
 * grey), chosen by farthest-point search in CIEDE2000 and refined so that
 * the closest two differ by 15.7; the order is the search's, so that
 * neighbouring indices (which a class that lost its colour moves to) differ
 * well too. */
static const guint32 class_colors[36] = {
  0x14668f, 0x1f8fe0, 0xadc200, 0xff1400, 0x006652, 0xa3148f,
  0x3dcceb, 0xffad00, 0x7a5c00, 0xebad8f, 0x99c2ff, 0x5c1fff,
  0x00d6c2, 0x997aad, 0xff1466, 0x858f52, 0x526629, 0xb80033,
  0xcc29ff, 0xa37047, 0x008fa3, 0xccb87a, 0x5c528f, 0x7070ff,
  0x8fc28f, 0xffa3b8, 0xa33300, 0xad8500, 0x00d614, 0xff7a00,
  0x008f00, 0xe0adff, 0xcc7a70, 0xa35c70, 0xff5cc2, 0x00997a,
};

OvColor
ov_viz_class_color (guint i)
{
  static const double lightness[] = { 0.50, 0.35, 0.65 };
  double h, l, s, c, x, m, r = 0, g = 0, b = 0;

  if (i < G_N_ELEMENTS (class_colors))
    return (OvColor) { ((class_colors[i] >> 16) & 0xff) / 255.0,
                       ((class_colors[i] >> 8) & 0xff) / 255.0,
                       (class_colors[i] & 0xff) / 255.0 };
  /* Past them (a view of more than 36 classes): golden-angle hue steps in
   * three lightness bands, which keep neighbouring indices apart but let
   * some of the 36 and more look alike. */
  h = fmod (i * 137.508, 360.0) / 60.0;
  l = lightness[(i / 12) % 3];
  s = 0.70;
  c = (1.0 - fabs (2.0 * l - 1.0)) * s;
  x = c * (1.0 - fabs (fmod (h, 2.0) - 1.0));
  m = l - c / 2.0;
  switch ((int) h)
    {
    case 0: r = c; g = x; break;
    case 1: r = x; g = c; break;
    case 2: g = c; b = x; break;
    case 3: g = x; b = c; break;
    case 4: r = x; b = c; break;
    default: r = c; b = x; break;
    }
  return (OvColor) { r + m, g + m, b + m };
}
