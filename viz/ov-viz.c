/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 */
#include <math.h>

#include "ov-viz.h"

/* The first 36 class colours: sRGB colours of CIELAB lightness 40 to 70
 * and chroma at least 35 (a box shows on light and dark parts of a photo,
 * never a grey), chosen by farthest-point search in CIEDE2000 and refined
 * so that the closest two differ by 14.7; the order is the search's, so that
 * neighbouring indices (which a class that lost its colour moves to) differ
 * well too. */
static const guint32 class_colors[36] = {
  0x007aad, 0xb8ad00, 0xff0a0a, 0xcc1ff5, 0x00703d, 0x7a5c00,
  0x33b8b8, 0x99475c, 0xe09900, 0xe08fad, 0x29c200, 0xa3a3f5,
  0x6629ff, 0x526614, 0x00b8eb, 0x85851f, 0xa37ab8, 0xad6652,
  0xe09970, 0xc2008f, 0xa37a47, 0x1f8f00, 0xf57aff, 0x7070f5,
  0x0ac28f, 0x8fad70, 0x008f7a, 0xff33ad, 0x994700, 0x4799ff,
  0xff7a70, 0xd6660a, 0x475c99, 0xc20029, 0xff005c, 0x7a528f,
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
