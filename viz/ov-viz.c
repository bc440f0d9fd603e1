/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 */
#include <math.h>

#include "ov-viz.h"

OvColor
ov_viz_class_color (guint i)
{
  /* Golden-angle hue steps with three lightness bands: neighbouring indices
   * land far apart on the wheel, and every 12 classes the band changes. */
  static const double lightness[] = { 0.50, 0.35, 0.65 };
  double h = fmod (i * 137.508, 360.0) / 60.0;
  double l = lightness[(i / 12) % 3];
  double s = 0.70;
  double c = (1.0 - fabs (2.0 * l - 1.0)) * s;
  double x = c * (1.0 - fabs (fmod (h, 2.0) - 1.0));
  double m = l - c / 2.0;
  double r = 0, g = 0, b = 0;

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
