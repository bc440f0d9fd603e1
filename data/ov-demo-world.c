/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The demo world generator. A scene is drawn with Cairo from its own
 * xoshiro256** stream (seeded from the run seed and the scene index, so
 * scenes do not depend on each other); a simulated detector reports its
 * objects with a controllable rate of mistakes; the region features are
 * computed from the pixels inside each reported box only.
 *
 * Files written for split S into the output folder:
 *   S.yaml                      Oscar dataset yaml (feature, label, hw, caption, qla)
 *   S.feature.tsv + .lineidx    key \t {"num_boxes": n, "features": base64 float32 n x 2054}
 *   S.label.tsv + .lineidx      key \t [{"class", "conf", "rect", "attributes"}, ...]
 *   S.hw.tsv + .lineidx         key \t [{"height": h, "width": w}]
 *   S_caption.json              [{"image_id", "caption"}], several per image
 *   S_qla.json                  [{"q", "o", "img_id", "q_id", "an", "s", "type"}]
 *   label2ans.json              the answer list that "an" indexes
 *   S.scene.json                ground truth objects (for evaluation only)
 *   images/KEY.png              when images are asked for
 */
#define G_LOG_DOMAIN "ov-demo-world"

#include <cairo.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "model/ov-error.h"
#include "model/ov-files.h"
#include "model/ov-i18n.h"
#include "ov-demo-world.h"
#include "ov-sample.h"

/* ---------------------------------------------------------------------------
 * Random numbers: splitmix64 to seed, xoshiro256** to draw.
 */

typedef struct {
  guint64 s[4];
} OvRng;

static guint64
splitmix64 (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static void
rng_seed (OvRng  *rng,
          guint64 seed,
          guint64 stream)
{
  guint64 st = seed ^ (stream * G_GUINT64_CONSTANT (0xd1b54a32d192ed03));

  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&st);
}

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

static guint64
rng_next (OvRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

/* Uniform in [0, 1) with 53 bits. */
static double
rng_uniform (OvRng *rng)
{
  return (double) (rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

static double
rng_range (OvRng *rng, double lo, double hi)
{
  return lo + (hi - lo) * rng_uniform (rng);
}

/* Uniform integer in [0, n). */
static guint
rng_int (OvRng *rng, guint n)
{
  return (guint) (rng_uniform (rng) * n);
}

static double
rng_normal (OvRng *rng)
{
  double u1 = rng_uniform (rng), u2 = rng_uniform (rng);

  return sqrt (-2.0 * log (1.0 - u1)) * cos (2.0 * G_PI * u2);
}

/* ---------------------------------------------------------------------------
 * The vocabulary of the world.
 */

static const char *const classes[] = {
  "circle", "square", "triangle", "star", "heart", "diamond", "cross", "ring",
  "hexagon", "pentagon", "moon", "arrow", "house", "tree", "car", "boat",
  "fish", "cup", "flower", "umbrella", "kite", "bolt", "cloud", "bell", NULL,
};
#define N_CLASSES 24

static const char *const plurals[] = {
  "circles", "squares", "triangles", "stars", "hearts", "diamonds", "crosses", "rings",
  "hexagons", "pentagons", "moons", "arrows", "houses", "trees", "cars", "boats",
  "fish", "cups", "flowers", "umbrellas", "kites", "bolts", "clouds", "bells", NULL,
};

/* The class a tired detector mistakes each class for (same index order). */
static const int confusions[N_CLASSES] = {
  7, 5, 3, 18, 10, 1, 3, 0, 9, 8, 4, 21, 13, 12, 16, 14,
  15, 23, 3, 23, 5, 11, 0, 17,
};

static const char *const colors[] = {
  "red", "green", "blue", "yellow", "orange", "purple", "pink", "brown", "black", NULL,
};
#define N_COLORS 9

static const double color_rgb[N_COLORS][3] = {
  { 0.85, 0.12, 0.12 }, { 0.15, 0.62, 0.20 }, { 0.14, 0.28, 0.86 },
  { 0.96, 0.86, 0.10 }, { 0.97, 0.55, 0.08 }, { 0.55, 0.20, 0.72 },
  { 0.98, 0.52, 0.72 }, { 0.52, 0.32, 0.13 }, { 0.08, 0.08, 0.08 },
};

static const char *const sizes[] = { "small", "medium", "large", NULL };

static const char *const backgrounds[] = { "gray", "beige", "blue", "green", "lavender" };
static const double background_rgb[5][3] = {
  { 0.86, 0.86, 0.86 }, { 0.93, 0.89, 0.80 }, { 0.80, 0.88, 0.96 },
  { 0.84, 0.93, 0.82 }, { 0.90, 0.86, 0.95 },
};

static const char *const number_words[] = {
  "zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
};

const char *const *
ov_demo_world_classes (void)
{
  return classes;
}

const char *const *
ov_demo_world_colors (void)
{
  return colors;
}

/* ---------------------------------------------------------------------------
 * Scenes.
 */

#define MAX_OBJECTS 6
#define MAX_DETECTIONS (2 * MAX_OBJECTS)

typedef struct {
  int    cls, color, size;
  double cx, cy, radius, angle;
  double x1, y1, x2, y2;     /* drawn extents, pixels */
} OvDemoObject;

typedef struct {
  int    cls;
  int    color, size;
  double conf;
  double x1, y1, x2, y2;
} OvDemoDetection;

typedef struct {
  int             width, height;
  int             background, pattern;
  int             n_objects;
  OvDemoObject    objects[MAX_OBJECTS];
  int             n_detections;
  OvDemoDetection detections[MAX_DETECTIONS];
} OvDemoScene;

static void
polygon (cairo_t *cr, const double *xy, int n)
{
  cairo_new_sub_path (cr);
  cairo_move_to (cr, xy[0], xy[1]);
  for (int i = 1; i < n; i++)
    cairo_line_to (cr, xy[2 * i], xy[2 * i + 1]);
  cairo_close_path (cr);
}

static void
regular_polygon (cairo_t *cr, int n, double r_outer, double r_inner)
{
  int k = r_inner > 0 ? 2 * n : n;

  cairo_new_sub_path (cr);
  for (int i = 0; i < k; i++)
    {
      double a = -G_PI / 2 + 2 * G_PI * i / k;
      double r = (r_inner > 0 && (i & 1)) ? r_inner : r_outer;

      if (i == 0)
        cairo_move_to (cr, r * cos (a), r * sin (a));
      else
        cairo_line_to (cr, r * cos (a), r * sin (a));
    }
  cairo_close_path (cr);
}

static void
circle (cairo_t *cr, double x, double y, double r)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x, y, r, 0, 2 * G_PI);
}

/* Builds the filled outline of a class in a unit frame ([-1, 1] square,
 * y down); line parts that are stroked are added by stroke_parts(). */
static void
shape_path (cairo_t *cr, int cls)
{
  switch (cls)
    {
    case 0: circle (cr, 0, 0, 1); break;
    case 1: cairo_rectangle (cr, -0.85, -0.85, 1.7, 1.7); break;
    case 2: { const double p[] = { 0, -1, 0.95, 0.8, -0.95, 0.8 }; polygon (cr, p, 3); } break;
    case 3: regular_polygon (cr, 5, 1, 0.42); break;
    case 4:
      cairo_new_sub_path (cr);
      cairo_arc (cr, -0.48, -0.3, 0.5, G_PI, 2 * G_PI);
      cairo_arc (cr, 0.48, -0.3, 0.5, G_PI, 2 * G_PI);
      cairo_line_to (cr, 0, 0.95);
      cairo_close_path (cr);
      break;
    case 5: { const double p[] = { 0, -1, 0.7, 0, 0, 1, -0.7, 0 }; polygon (cr, p, 4); } break;
    case 6:
      {
        const double p[] = { -0.3, -1, 0.3, -1, 0.3, -0.3, 1, -0.3, 1, 0.3, 0.3, 0.3,
                             0.3, 1, -0.3, 1, -0.3, 0.3, -1, 0.3, -1, -0.3, -0.3, -0.3 };
        polygon (cr, p, 12);
      }
      break;
    case 7:
      circle (cr, 0, 0, 1);
      cairo_new_sub_path (cr);
      cairo_arc_negative (cr, 0, 0, 0.55, 2 * G_PI, 0);
      break;
    case 8: regular_polygon (cr, 6, 1, 0); break;
    case 9: regular_polygon (cr, 5, 1, 0); break;
    case 10:
      /* Crescent: outer circle minus one shifted right; the arcs meet at
       * (0.533, +-0.846). */
      cairo_new_sub_path (cr);
      cairo_arc (cr, 0, 0, 1, 1.008, 2 * G_PI - 1.008);
      cairo_arc_negative (cr, 0.45, 0, 0.85, -1.473, 1.473 - 2 * G_PI);
      cairo_close_path (cr);
      break;
    case 11:
      {
        const double p[] = { -1, -0.22, 0.2, -0.22, 0.2, -0.65, 1, 0,
                             0.2, 0.65, 0.2, 0.22, -1, 0.22 };
        polygon (cr, p, 7);
      }
      break;
    case 12:
      {
        const double p[] = { 0, -1, 0.9, -0.15, 0.75, -0.15, 0.75, 1,
                             -0.75, 1, -0.75, -0.15, -0.9, -0.15 };
        polygon (cr, p, 7);
      }
      break;
    case 13:
      {
        const double p[] = { 0, -1, 0.8, 0.45, -0.8, 0.45 };
        polygon (cr, p, 3);
        cairo_rectangle (cr, -0.16, 0.45, 0.32, 0.55);
      }
      break;
    case 14:
      {
        const double p[] = { -0.55, -0.1, -0.3, -0.6, 0.35, -0.6, 0.62, -0.1 };
        cairo_rectangle (cr, -1, -0.1, 2, 0.5);
        polygon (cr, p, 4);
        circle (cr, -0.55, 0.45, 0.25);
        circle (cr, 0.55, 0.45, 0.25);
      }
      break;
    case 15:
      {
        const double hull[] = { -1, 0.25, 1, 0.25, 0.6, 0.75, -0.6, 0.75 };
        const double sail[] = { 0.05, -1, 0.7, 0.12, 0.05, 0.12 };
        polygon (cr, hull, 4);
        polygon (cr, sail, 3);
        cairo_rectangle (cr, -0.07, -1, 0.12, 1.25);
      }
      break;
    case 16:
      {
        const double tail[] = { 0.45, 0, 1, -0.5, 1, 0.5 };
        cairo_save (cr);
        cairo_scale (cr, 1, 0.55);
        circle (cr, -0.2, 0, 0.8);
        cairo_restore (cr);
        polygon (cr, tail, 3);
      }
      break;
    case 17:
      {
        const double p[] = { -0.75, -0.8, 0.45, -0.8, 0.3, 0.9, -0.6, 0.9 };
        polygon (cr, p, 4);
      }
      break;
    case 18:
      for (int i = 0; i < 5; i++)
        {
          double a = -G_PI / 2 + 2 * G_PI * i / 5;
          circle (cr, 0.55 * cos (a), 0.55 * sin (a), 0.42);
        }
      break;
    case 19:
      cairo_new_sub_path (cr);
      cairo_arc (cr, 0, 0, 1, G_PI, 2 * G_PI);
      cairo_close_path (cr);
      break;
    case 20:
      {
        const double p[] = { 0, -1, 0.6, -0.25, 0, 0.55, -0.6, -0.25 };
        polygon (cr, p, 4);
      }
      break;
    case 21:
      {
        const double p[] = { 0.2, -1, -0.55, 0.1, -0.05, 0.1, -0.25, 1,
                             0.6, -0.2, 0.1, -0.2, 0.45, -1 };
        polygon (cr, p, 7);
      }
      break;
    case 22:
      circle (cr, -0.45, 0.15, 0.45);
      circle (cr, 0.1, -0.15, 0.55);
      circle (cr, 0.55, 0.2, 0.4);
      cairo_rectangle (cr, -0.45, 0.15, 1.0, 0.45);
      break;
    case 23:
      {
        const double p[] = { -0.55, -0.3, 0.55, -0.3, 0.7, 0.5, 0.9, 0.7, -0.9, 0.7, -0.7, 0.5 };
        cairo_new_sub_path (cr);
        cairo_arc (cr, 0, -0.3, 0.55, G_PI, 2 * G_PI);
        cairo_close_path (cr);
        polygon (cr, p, 6);
        circle (cr, 0, 0.82, 0.18);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Thin parts drawn as lines: the umbrella handle, the kite tail, the cup
 * handle. Returns FALSE when the class has none. */
static gboolean
stroke_path (cairo_t *cr, int cls)
{
  switch (cls)
    {
    case 17:
      cairo_new_sub_path (cr);
      cairo_arc (cr, 0.5, 0.05, 0.35, -G_PI / 2, G_PI / 2);
      return TRUE;
    case 19:
      cairo_move_to (cr, 0, 0);
      cairo_line_to (cr, 0, 0.8);
      cairo_arc_negative (cr, -0.18, 0.8, 0.18, 0, G_PI);
      return TRUE;
    case 20:
      cairo_move_to (cr, 0, 0.55);
      cairo_curve_to (cr, 0.3, 0.7, -0.3, 0.85, 0.1, 1.0);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
draw_background (cairo_t *cr, const OvDemoScene *scene, OvRng *rng)
{
  const double *bg = background_rgb[scene->background];
  double w = scene->width, h = scene->height;

  cairo_set_source_rgb (cr, bg[0], bg[1], bg[2]);
  cairo_paint (cr);

  switch (scene->pattern)
    {
    case 0: /* plain */
      break;
    case 1: /* vertical gradient */
      {
        cairo_pattern_t *pat = cairo_pattern_create_linear (0, 0, 0, h);

        cairo_pattern_add_color_stop_rgba (pat, 0, 1, 1, 1, 0.35);
        cairo_pattern_add_color_stop_rgba (pat, 1, 0, 0, 0, 0.10);
        cairo_set_source (cr, pat);
        cairo_paint (cr);
        cairo_pattern_destroy (pat);
      }
      break;
    case 2: /* faint stripes */
      cairo_set_source_rgba (cr, 1, 1, 1, 0.35);
      for (double x = rng_range (rng, 0, 20); x < w + h; x += 24)
        {
          cairo_move_to (cr, x, 0);
          cairo_line_to (cr, x - h, h);
        }
      cairo_set_line_width (cr, 8);
      cairo_stroke (cr);
      break;
    case 3: /* dots */
      cairo_set_source_rgba (cr, 0, 0, 0, 0.08);
      for (double y = 10; y < h; y += 20)
        for (double x = 10; x < w; x += 20)
          circle (cr, x, y, 3);
      cairo_fill (cr);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Draws one object and records its extents. */
static void
draw_object (cairo_t *cr, OvDemoObject *o, OvRng *rng)
{
  double rgb[3], ex1, ey1, ex2, ey2;
  double sx1, sy1, sx2, sy2;
  gboolean has_stroke;

  for (int c = 0; c < 3; c++)
    rgb[c] = CLAMP (color_rgb[o->color][c] + rng_range (rng, -0.05, 0.05), 0, 1);

  cairo_save (cr);
  cairo_translate (cr, o->cx, o->cy);
  cairo_rotate (cr, o->angle);
  cairo_scale (cr, o->radius, o->radius);
  cairo_new_path (cr);
  shape_path (cr, o->cls);
  cairo_restore (cr);

  cairo_set_fill_rule (cr, o->cls == 7 ? CAIRO_FILL_RULE_EVEN_ODD : CAIRO_FILL_RULE_WINDING);
  cairo_fill_extents (cr, &ex1, &ey1, &ex2, &ey2);
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, rgb[0] * 0.6, rgb[1] * 0.6, rgb[2] * 0.6);
  cairo_set_line_width (cr, 1.5);
  cairo_stroke (cr);

  cairo_save (cr);
  cairo_translate (cr, o->cx, o->cy);
  cairo_rotate (cr, o->angle);
  cairo_scale (cr, o->radius, o->radius);
  cairo_new_path (cr);
  has_stroke = stroke_path (cr, o->cls);
  cairo_restore (cr);
  if (has_stroke)
    {
      cairo_set_line_width (cr, MAX (2.0, o->radius * 0.12));
      cairo_set_source_rgb (cr, rgb[0] * 0.8, rgb[1] * 0.8, rgb[2] * 0.8);
      cairo_stroke_extents (cr, &sx1, &sy1, &sx2, &sy2);
      cairo_stroke (cr);
      ex1 = MIN (ex1, sx1);
      ey1 = MIN (ey1, sy1);
      ex2 = MAX (ex2, sx2);
      ey2 = MAX (ey2, sy2);
    }
  cairo_new_path (cr);

  o->x1 = ex1;
  o->y1 = ey1;
  o->x2 = ex2;
  o->y2 = ey2;
}

static double
box_overlap (const OvDemoObject *a, const OvDemoObject *b)
{
  /* Intersection over the smaller of the two squares of side 2r. */
  double ax1 = a->cx - a->radius, ax2 = a->cx + a->radius;
  double ay1 = a->cy - a->radius, ay2 = a->cy + a->radius;
  double bx1 = b->cx - b->radius, bx2 = b->cx + b->radius;
  double by1 = b->cy - b->radius, by2 = b->cy + b->radius;
  double iw = MIN (ax2, bx2) - MAX (ax1, bx1);
  double ih = MIN (ay2, by2) - MAX (ay1, by1);
  double smaller = 4 * MIN (a->radius, b->radius) * MIN (a->radius, b->radius);

  if (iw <= 0 || ih <= 0)
    return 0;
  return iw * ih / smaller;
}

/* Places 2-6 objects: random class, colour, size and position; a new object
 * may cover at most a quarter of an earlier one's square. */
static void
layout_scene (OvDemoScene *scene, OvRng *rng)
{
  static const double size_range[3][2] = { { 13, 19 }, { 21, 28 }, { 31, 40 } };
  int want = 2 + (int) rng_int (rng, MAX_OBJECTS - 1);

  scene->background = (int) rng_int (rng, G_N_ELEMENTS (backgrounds));
  scene->pattern = (int) rng_int (rng, 4);
  scene->n_objects = 0;

  for (int attempt = 0; attempt < 200 && scene->n_objects < want; attempt++)
    {
      OvDemoObject o = { 0 };
      gboolean ok = TRUE;

      o.cls = (int) rng_int (rng, N_CLASSES);
      o.color = (int) rng_int (rng, N_COLORS);
      o.size = (int) rng_int (rng, 3);
      o.radius = rng_range (rng, size_range[o.size][0], size_range[o.size][1]);
      o.radius *= MIN (scene->width, scene->height) / 240.0;
      o.cx = rng_range (rng, o.radius + 2, scene->width - o.radius - 2);
      o.cy = rng_range (rng, o.radius + 2, scene->height - o.radius - 2);
      o.angle = rng_range (rng, -0.25, 0.25);
      for (int j = 0; j < scene->n_objects && ok; j++)
        ok = box_overlap (&o, &scene->objects[j]) < 0.25;
      if (ok)
        scene->objects[scene->n_objects++] = o;
    }
}

static int
compare_detections (gconstpointer a, gconstpointer b)
{
  const OvDemoDetection *da = a, *db = b;

  return (da->conf < db->conf) - (da->conf > db->conf);
}

/* Rounds a pixel coordinate to two decimals and returns exactly the double
 * a reader will parse back from the printed label file. */
static double
round_coord (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, "%.2f", v);
  return g_ascii_strtod (buf, NULL);
}

static void
jitter_box (OvDemoDetection *d, const OvDemoObject *o, double amount, OvRng *rng,
            int width, int height)
{
  double w = o->x2 - o->x1, h = o->y2 - o->y1;

  d->x1 = o->x1 + amount * w * rng_normal (rng);
  d->y1 = o->y1 + amount * h * rng_normal (rng);
  d->x2 = o->x2 + amount * w * rng_normal (rng);
  d->y2 = o->y2 + amount * h * rng_normal (rng);
  d->x1 = CLAMP (d->x1, 0, width - 2);
  d->y1 = CLAMP (d->y1, 0, height - 2);
  d->x2 = CLAMP (d->x2, d->x1 + 2, width);
  d->y2 = CLAMP (d->y2, d->y1 + 2, height);
}

/* The simulated detector. Each object is found with a slightly jittered box
 * and a high confidence; with probability error_rate each of these mistakes
 * happens to it: missed (half the rate), wrong class, badly jittered box,
 * duplicate box (half the rate). Output sorted by confidence. */
static void
detect_scene (OvDemoScene *scene, double error_rate, OvRng *rng)
{
  scene->n_detections = 0;
  for (int i = 0; i < scene->n_objects; i++)
    {
      const OvDemoObject *o = &scene->objects[i];
      OvDemoDetection *d;
      gboolean missed = rng_uniform (rng) < error_rate * 0.5;
      gboolean wrong = rng_uniform (rng) < error_rate;
      gboolean loose = rng_uniform (rng) < error_rate;
      gboolean twice = rng_uniform (rng) < error_rate * 0.5;

      /* Never miss the last object left: a scene keeps at least one box. */
      if (missed && !(i == scene->n_objects - 1 && scene->n_detections == 0))
        continue;

      d = &scene->detections[scene->n_detections++];
      d->cls = wrong ? confusions[o->cls] : o->cls;
      d->color = o->color;
      d->size = o->size;
      d->conf = wrong ? rng_range (rng, 0.35, 0.7) : rng_range (rng, 0.7, 0.995);
      jitter_box (d, o, loose ? 0.18 : 0.03, rng, scene->width, scene->height);

      if (twice)
        {
          OvDemoDetection *dup = &scene->detections[scene->n_detections++];

          *dup = *d;
          dup->conf = rng_range (rng, 0.3, 0.6);
          jitter_box (dup, o, 0.15, rng, scene->width, scene->height);
        }
    }

  for (int i = 0; i < scene->n_detections; i++)
    {
      OvDemoDetection *d = &scene->detections[i];

      d->x1 = round_coord (d->x1);
      d->y1 = round_coord (d->y1);
      d->x2 = round_coord (d->x2);
      d->y2 = round_coord (d->y2);
      d->conf = floor (d->conf * 10000 + 0.5) / 10000;
    }
  qsort (scene->detections, scene->n_detections, sizeof (OvDemoDetection),
         compare_detections);
}

/* ---------------------------------------------------------------------------
 * The region feature extractor.
 *
 * Raw descriptor of the pixels inside the box (R = 408 values):
 *   for each cell of a 4x4 grid over the box: a 16-bin histogram of the
 *   nearest reference colour (the 9 object colours, the 5 background tones,
 *   white and mid-gray), as fractions of the cell's pixels, and an 8-bin
 *   histogram of gradient orientation (0..2pi) weighted by gradient
 *   magnitude of the luminance, divided by the cell's pixel count;
 *   then the same two histograms for the whole box.
 * Every value is square-rooted (Hellinger), then out = ReLU(P raw) with P a
 * fixed (2048, R) matrix of N(0, 1/R) values drawn from xoshiro256** seeded
 * with OV_DEMO_WORLD_FEATURE_SEED.
 */

#define GRID 4
#define N_REF_COLORS 16
#define N_ORIENT 8
#define CELL_DIM (N_REF_COLORS + N_ORIENT)
#define RAW_DIM ((GRID * GRID + 1) * CELL_DIM)

struct _OvDemoExtractor {
  float  projection[OV_REGION_APPEARANCE_DIM * RAW_DIM];  /* (2048, RAW_DIM) */
  double ref_colors[N_REF_COLORS][3];
};

OvDemoExtractor *
ov_demo_extractor_new (void)
{
  OvDemoExtractor *ex = g_new (OvDemoExtractor, 1);
  OvRng rng;
  double scale = 1.0 / sqrt (RAW_DIM);

  rng_seed (&rng, OV_DEMO_WORLD_FEATURE_SEED, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (ex->projection); i++)
    ex->projection[i] = (float) (rng_normal (&rng) * scale);

  for (int c = 0; c < N_COLORS; c++)
    memcpy (ex->ref_colors[c], color_rgb[c], sizeof ex->ref_colors[c]);
  for (int b = 0; b < 5; b++)
    memcpy (ex->ref_colors[N_COLORS + b], background_rgb[b], sizeof ex->ref_colors[0]);
  for (int c = 0; c < 3; c++)
    {
      ex->ref_colors[14][c] = 1.0;
      ex->ref_colors[15][c] = 0.5;
    }
  return ex;
}

void
ov_demo_extractor_free (OvDemoExtractor *ex)
{
  g_free (ex);
}

static inline void
pixel_rgb (const guint8 *pixels, int stride, int x, int y, double rgb[3])
{
  guint32 p;

  memcpy (&p, pixels + (gsize) y * stride + 4 * (gsize) x, 4);
  rgb[0] = ((p >> 16) & 0xff) / 255.0;
  rgb[1] = ((p >> 8) & 0xff) / 255.0;
  rgb[2] = (p & 0xff) / 255.0;
}

static inline double
luma (const guint8 *pixels, int stride, int x, int y)
{
  double rgb[3];

  pixel_rgb (pixels, stride, x, y, rgb);
  return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
}

void
ov_demo_extractor_run (OvDemoExtractor *ex,
                       const guint8    *pixels,
                       int              width,
                       int              height,
                       int              stride,
                       double           x1,
                       double           y1,
                       double           x2,
                       double           y2,
                       float           *out)
{
  double raw[RAW_DIM] = { 0 };
  double cell_pixels[GRID * GRID + 1] = { 0 };
  int bx0, by0, bx1, by1, bw, bh;

  g_return_if_fail (ex != NULL && pixels != NULL && out != NULL);

  bx0 = CLAMP ((int) floor (x1), 0, width - 1);
  by0 = CLAMP ((int) floor (y1), 0, height - 1);
  bx1 = CLAMP ((int) ceil (x2), bx0 + 1, width);
  by1 = CLAMP ((int) ceil (y2), by0 + 1, height);
  bw = bx1 - bx0;
  bh = by1 - by0;

  /* Pass 1: histograms. Gradients use central differences clamped to the
   * box, so no pixel outside it is read. */
  for (int y = by0; y < by1; y++)
    for (int x = bx0; x < bx1; x++)
      {
        int gx = (x - bx0) * GRID / bw, gy = (y - by0) * GRID / bh;
        int cells[2] = { gy * GRID + gx, GRID * GRID };
        double rgb[3], best = G_MAXDOUBLE, dx, dy, mag, ang;
        int best_c = 0, xl = MAX (x - 1, bx0), xr = MIN (x + 1, bx1 - 1);
        int yu = MAX (y - 1, by0), yd = MIN (y + 1, by1 - 1);
        int bin;

        pixel_rgb (pixels, stride, x, y, rgb);
        for (int c = 0; c < N_REF_COLORS; c++)
          {
            double d0 = rgb[0] - ex->ref_colors[c][0];
            double d1 = rgb[1] - ex->ref_colors[c][1];
            double d2 = rgb[2] - ex->ref_colors[c][2];
            double dist = d0 * d0 + d1 * d1 + d2 * d2;

            if (dist < best)
              {
                best = dist;
                best_c = c;
              }
          }
        dx = luma (pixels, stride, xr, y) - luma (pixels, stride, xl, y);
        dy = luma (pixels, stride, x, yd) - luma (pixels, stride, x, yu);
        mag = sqrt (dx * dx + dy * dy);
        ang = atan2 (dy, dx) + G_PI;   /* 0..2pi */
        bin = MIN ((int) (ang / (2 * G_PI) * N_ORIENT), N_ORIENT - 1);

        for (int k = 0; k < 2; k++)
          {
            double *cell = raw + cells[k] * CELL_DIM;

            cell[best_c] += 1;
            cell[N_REF_COLORS + bin] += mag;
            cell_pixels[cells[k]] += 1;
          }
      }

  /* Pass 2: normalise by pixel counts, square root. */
  for (int c = 0; c <= GRID * GRID; c++)
    for (int j = 0; j < CELL_DIM; j++)
      {
        double *v = raw + c * CELL_DIM + j;

        *v = cell_pixels[c] > 0 ? sqrt (*v / cell_pixels[c]) : 0;
      }

  /* Pass 3: fixed projection and ReLU. */
  for (int i = 0; i < OV_REGION_APPEARANCE_DIM; i++)
    {
      const float *p_i = ex->projection + (gsize) i * RAW_DIM;
      double acc = 0;

      for (int j = 0; j < RAW_DIM; j++)
        acc += p_i[j] * raw[j];
      out[i] = (float) MAX (acc, 0.0);
    }
}

/* ---------------------------------------------------------------------------
 * Language: captions and questions from the ground truth.
 */

/* Noun phrase for `count` objects of (color, class); color < 0 = none. */
static char *
noun_phrase (int count, int color, int cls)
{
  const char *noun = count == 1 ? classes[cls] : plurals[cls];
  const char *det = count == 1 ? (color < 0 ? (strchr ("aeiou", noun[0]) ? "an" : "a")
                                            : (color == 4 ? "an" : "a"))
                               : number_words[count];

  if (color < 0)
    return g_strdup_printf ("%s %s", det, noun);
  return g_strdup_printf ("%s %s %s", det, colors[color], noun);
}

static const char *
article_for (int color, int cls)
{
  const char *first = color >= 0 ? colors[color] : classes[cls];

  return strchr ("aeiou", first[0]) ? "an" : "a";
}

static int
count_matching (const OvDemoScene *s, int color, int cls)
{
  int n = 0;

  for (int i = 0; i < s->n_objects; i++)
    if ((color < 0 || s->objects[i].color == color) && (cls < 0 || s->objects[i].cls == cls))
      n++;
  return n;
}

typedef enum {
  REL_LEFT, REL_RIGHT, REL_ABOVE, REL_BELOW, REL_NEXT, REL_ON_TOP, N_RELATIONS,
} OvRelation;

static const char *const relation_words[] = {
  "to the left of", "to the right of", "above", "below", "next to", "on top of",
};

/* Relations on the drawn extents: a is left of b when it ends before b's
 * middle; next to = side by side and close; on top of = overlapping and
 * drawn later. */
static gboolean
relation_holds (const OvDemoScene *s, int a, int b, OvRelation rel)
{
  const OvDemoObject *A = &s->objects[a], *B = &s->objects[b];
  double bcx = 0.5 * (B->x1 + B->x2), bcy = 0.5 * (B->y1 + B->y2);
  double acx = 0.5 * (A->x1 + A->x2), acy = 0.5 * (A->y1 + A->y2);
  double iw = MIN (A->x2, B->x2) - MAX (A->x1, B->x1);
  double ih = MIN (A->y2, B->y2) - MAX (A->y1, B->y1);
  double gap = MAX (MAX (A->x1, B->x1) - MIN (A->x2, B->x2), 0);

  switch (rel)
    {
    case REL_LEFT: return A->x2 < bcx && acx < B->x1;
    case REL_RIGHT: return A->x1 > bcx && acx > B->x2;
    case REL_ABOVE: return A->y2 < bcy && acy < B->y1;
    case REL_BELOW: return A->y1 > bcy && acy > B->y2;
    case REL_NEXT:
      return ih > 0.5 * MIN (A->y2 - A->y1, B->y2 - B->y1) && iw <= 0
             && gap < 0.6 * MAX (A->radius, B->radius);
    case REL_ON_TOP:
      return a > b && iw > 0 && ih > 0
             && iw * ih > 0.08 * MIN ((A->x2 - A->x1) * (A->y2 - A->y1),
                                      (B->x2 - B->x1) * (B->y2 - B->y1));
    default:
      g_assert_not_reached ();
    }
}

static gboolean
is_unique (const OvDemoScene *s, int i)
{
  return count_matching (s, s->objects[i].color, s->objects[i].cls) == 1;
}

/* Groups of (color, class) in order of first appearance when the objects are
 * sorted left to right. */
typedef struct {
  int color, cls, count;
  double x;
} OvGroup;

static int
collect_groups (const OvDemoScene *s, OvGroup *groups, gboolean use_color)
{
  int n = 0;

  for (int i = 0; i < s->n_objects; i++)
    {
      const OvDemoObject *o = &s->objects[i];
      double x = 0.5 * (o->x1 + o->x2);
      int color = use_color ? o->color : -1, g;

      for (g = 0; g < n; g++)
        if (groups[g].color == color && groups[g].cls == o->cls)
          break;
      if (g == n)
        groups[n++] = (OvGroup) { color, o->cls, 0, x };
      groups[g].count++;
      groups[g].x = MIN (groups[g].x, x);
    }
  return n;
}

static int
compare_groups_x (gconstpointer a, gconstpointer b)
{
  const OvGroup *ga = a, *gb = b;

  return (ga->x > gb->x) - (ga->x < gb->x);
}

static void
append_list (GString *out, OvGroup *groups, int n)
{
  for (int g = 0; g < n; g++)
    {
      g_autofree char *np = noun_phrase (groups[g].count, groups[g].color, groups[g].cls);

      if (g > 0)
        g_string_append (out, g == n - 1 ? " and " : " , ");
      g_string_append (out, np);
    }
}

/* Five captions, each from a different template. Words and punctuation are
 * separated by spaces, all lower case. */
static void
make_captions (const OvDemoScene *s, OvRng *rng, GPtrArray *out)
{
  OvGroup groups[MAX_OBJECTS], plain[MAX_OBJECTS];
  int n_groups = collect_groups (s, groups, TRUE);
  int n_plain = collect_groups (s, plain, FALSE);
  int pair_a = -1, pair_b = -1;
  OvRelation pair_rel = REL_LEFT;
  GString *c;

  /* 1. Every group left to right, with colours. */
  qsort (groups, n_groups, sizeof (OvGroup), compare_groups_x);
  c = g_string_new (NULL);
  append_list (c, groups, MIN (n_groups, 4));
  g_ptr_array_add (out, g_string_free (c, FALSE));

  /* 2. A relation between two objects with unique descriptions, preferring
   * the rarer relations. */
  for (int rel = REL_ON_TOP; rel >= REL_LEFT && pair_a < 0; rel--)
    for (int tries = 0; tries < 12 && pair_a < 0; tries++)
      {
        int a = (int) rng_int (rng, s->n_objects), b = (int) rng_int (rng, s->n_objects);

        if (a != b && is_unique (s, a) && is_unique (s, b)
            && relation_holds (s, a, b, (OvRelation) rel))
          {
            pair_a = a;
            pair_b = b;
            pair_rel = (OvRelation) rel;
          }
      }
  if (pair_a >= 0)
    {
      const OvDemoObject *A = &s->objects[pair_a], *B = &s->objects[pair_b];

      g_ptr_array_add (out, g_strdup_printf ("%s %s %s is %s %s %s %s",
                                             article_for (A->color, A->cls), colors[A->color],
                                             classes[A->cls], relation_words[pair_rel],
                                             article_for (B->color, B->cls), colors[B->color],
                                             classes[B->cls]));
    }
  else
    {
      c = g_string_new ("there are ");
      g_string_append_printf (c, "%s objects : ", number_words[s->n_objects]);
      append_list (c, groups, MIN (n_groups, 3));
      g_ptr_array_add (out, g_string_free (c, FALSE));
    }

  /* 3. A count of all objects, then the classes without colours. */
  qsort (plain, n_plain, sizeof (OvGroup), compare_groups_x);
  c = g_string_new (NULL);
  g_string_append_printf (c, "%s objects on a %s background : ",
                          number_words[s->n_objects], backgrounds[s->background]);
  append_list (c, plain, MIN (n_plain, 3));
  g_ptr_array_add (out, g_string_free (c, FALSE));

  /* 4. The largest object and its neighbours. */
  {
    int big = 0;
    const OvDemoObject *B;

    for (int i = 1; i < s->n_objects; i++)
      if (s->objects[i].radius > s->objects[big].radius)
        big = i;
    B = &s->objects[big];
    c = g_string_new (NULL);
    /* "small", "medium" and "large" all take "a". */
    g_string_append_printf (c, "a %s %s %s with ", sizes[B->size], colors[B->color],
                            classes[B->cls]);
    {
      OvGroup rest[MAX_OBJECTS];
      int n_rest = 0;

      for (int g = 0; g < n_groups; g++)
        {
          rest[n_rest] = groups[g];
          if (groups[g].color == B->color && groups[g].cls == B->cls)
            rest[n_rest].count--;
          if (rest[n_rest].count > 0)
            n_rest++;
        }
      if (n_rest == 0)
        g_string_append (c, "nothing else");
      else
        append_list (c, rest, MIN (n_rest, 3));
    }
    g_ptr_array_add (out, g_string_free (c, FALSE));
  }

  /* 5. Groups in a shuffled order with "next to" or "and". */
  for (int g = n_groups - 1; g > 0; g--)
    {
      int j = (int) rng_int (rng, g + 1);
      OvGroup t = groups[g];

      groups[g] = groups[j];
      groups[j] = t;
    }
  c = g_string_new (NULL);
  if (n_groups >= 2 && rng_uniform (rng) < 0.5)
    {
      g_autofree char *a = noun_phrase (groups[0].count, groups[0].color, groups[0].cls);
      g_autofree char *b = noun_phrase (groups[1].count, groups[1].color, groups[1].cls);

      g_string_append_printf (c, "%s and %s in a picture", a, b);
    }
  else
    {
      g_string_append (c, "a picture of ");
      append_list (c, groups, MIN (n_groups, 4));
    }
  g_ptr_array_add (out, g_string_free (c, FALSE));
}

/* The fixed answer list: yes, no, counts 0-6, colours, classes. */
static GPtrArray *
answer_list (void)
{
  GPtrArray *answers = g_ptr_array_new ();

  g_ptr_array_add (answers, (gpointer) "yes");
  g_ptr_array_add (answers, (gpointer) "no");
  for (int i = 0; i <= MAX_OBJECTS; i++)
    g_ptr_array_add (answers, (gpointer) number_words[i]);
  for (int i = 0; i < N_COLORS; i++)
    g_ptr_array_add (answers, (gpointer) colors[i]);
  for (int i = 0; i < N_CLASSES; i++)
    g_ptr_array_add (answers, (gpointer) classes[i]);
  return answers;
}

static int
answer_index (GPtrArray *answers, const char *a)
{
  for (guint i = 0; i < answers->len; i++)
    if (strcmp (g_ptr_array_index (answers, i), a) == 0)
      return (int) i;
  g_assert_not_reached ();
  return -1;
}

typedef struct {
  char       *q;
  const char *a;
  const char *type;
} OvDemoQa;

static void
qa_free (OvDemoQa *qa)
{
  g_free (qa->q);
  g_free (qa);
}

static void
add_qa (GPtrArray *out, const char *type, const char *answer, char *question)
{
  OvDemoQa *qa = g_new (OvDemoQa, 1);

  qa->q = question;
  qa->a = answer;
  qa->type = type;
  g_ptr_array_add (out, qa);
}

/* One question of each type, and a second colour or count question. Types:
 * color, count, exist, relation, shape. */
static void
make_questions (const OvDemoScene *s, OvRng *rng, GPtrArray *out)
{
  int i = (int) rng_int (rng, s->n_objects);
  const OvDemoObject *o = &s->objects[i];

  /* color: of a class that occurs once */
  for (int t = 0; t < s->n_objects; t++)
    {
      const OvDemoObject *c = &s->objects[(i + t) % s->n_objects];

      if (count_matching (s, -1, c->cls) == 1)
        {
          add_qa (out, "color", colors[c->color],
                  g_strdup_printf ("what color is the %s ?", classes[c->cls]));
          break;
        }
    }

  /* count: of a class, present or not, or of a colour */
  if (rng_uniform (rng) < 0.5)
    {
      int cls = rng_uniform (rng) < 0.7 ? o->cls : (int) rng_int (rng, N_CLASSES);

      add_qa (out, "count", number_words[count_matching (s, -1, cls)],
              g_strdup_printf ("how many %s are there ?", plurals[cls]));
    }
  else
    {
      int color = rng_uniform (rng) < 0.7 ? o->color : (int) rng_int (rng, N_COLORS);

      add_qa (out, "count", number_words[count_matching (s, color, -1)],
              g_strdup_printf ("how many %s objects are there ?", colors[color]));
    }

  /* exist: half true, half about something absent */
  if (rng_uniform (rng) < 0.5)
    add_qa (out, "exist", "yes", g_strdup_printf ("is there %s %s %s ?",
                                                  article_for (o->color, o->cls),
                                                  colors[o->color], classes[o->cls]));
  else
    {
      int color = o->color, cls = o->cls;

      for (int t = 0; t < 50 && count_matching (s, color, cls) > 0; t++)
        {
          if (rng_uniform (rng) < 0.5)
            color = (int) rng_int (rng, N_COLORS);
          else
            cls = (int) rng_int (rng, N_CLASSES);
        }
      add_qa (out, "exist", count_matching (s, color, cls) > 0 ? "yes" : "no",
              g_strdup_printf ("is there %s %s %s ?", article_for (color, cls),
                               colors[color], classes[cls]));
    }

  /* relation: left/right or above/below between two unique objects */
  for (int t = 0; t < 20; t++)
    {
      int a = (int) rng_int (rng, s->n_objects), b = (int) rng_int (rng, s->n_objects);
      OvRelation rel = (OvRelation) rng_int (rng, 4);
      OvRelation opposite = rel ^ 1;

      if (a == b || !is_unique (s, a) || !is_unique (s, b))
        continue;
      if (!relation_holds (s, a, b, rel) && !relation_holds (s, a, b, opposite))
        continue;
      add_qa (out, "relation", relation_holds (s, a, b, rel) ? "yes" : "no",
              g_strdup_printf ("is the %s %s %s the %s %s ?",
                               colors[s->objects[a].color], classes[s->objects[a].cls],
                               relation_words[rel],
                               colors[s->objects[b].color], classes[s->objects[b].cls]));
      break;
    }

  /* shape: of a colour that occurs once */
  for (int t = 0; t < s->n_objects; t++)
    {
      const OvDemoObject *c = &s->objects[(i + t) % s->n_objects];

      if (count_matching (s, c->color, -1) == 1)
        {
          add_qa (out, "shape", classes[c->cls],
                  g_strdup_printf ("what shape is the %s object ?", colors[c->color]));
          break;
        }
    }
}

/* ---------------------------------------------------------------------------
 * Writing.
 */

typedef struct {
  char          *path;
  GOutputStream *stream;     /* into its temporary file of the output set */
  GString       *lineidx;    /* byte offsets of rows, or NULL */
  guint64        offset;
} OvTsvWriter;

/* Each file goes to its temporary file of the set; the set puts them all
 * in place at the end, or none (an earlier split stays whole). */
static gboolean
writer_open (OvTsvWriter *w, OvOutputSet *set, const char *dir, const char *name,
             gboolean with_index, GError **error)
{
  g_autoptr(GFile) file = NULL;
  const char *tmp;

  w->path = g_build_filename (dir, name, NULL);
  tmp = ov_output_set_add (set, NULL, w->path, error);
  if (tmp == NULL)
    return FALSE;
  file = g_file_new_for_path (tmp);
  w->stream = G_OUTPUT_STREAM (g_file_append_to (file, G_FILE_CREATE_NONE, NULL, error));
  w->lineidx = with_index ? g_string_new (NULL) : NULL;
  w->offset = 0;
  return w->stream != NULL;
}

static gboolean
writer_row (OvTsvWriter *w, const char *text, gsize len, GError **error)
{
  if (w->lineidx != NULL)
    g_string_append_printf (w->lineidx, "%" G_GUINT64_FORMAT "\n", w->offset);
  w->offset += len;
  if (!g_output_stream_write_all (w->stream, text, len, NULL, NULL, error))
    {
      g_prefix_error (error, _ ("Cannot write “%s”: "), w->path);
      return FALSE;
    }
  return TRUE;
}

/* Writes data to path through the set: in place when the set is. */
static gboolean
set_write (OvOutputSet *set, const char *path, const char *data, gsize len, GError **error)
{
  const char *tmp = ov_output_set_add (set, NULL, path, error);

  if (tmp == NULL || !g_file_set_contents (tmp, data, (gssize) len, error))
    {
      ov_output_set_name_error (set, error != NULL ? *error : NULL);
      return FALSE;
    }
  return TRUE;
}

static gboolean
writer_close (OvTsvWriter *w, OvOutputSet *set, GError **error)
{
  gboolean ok = TRUE;

  if (w->stream != NULL)
    {
      ok = g_output_stream_close (w->stream, NULL, error);
      g_clear_object (&w->stream);
    }
  if (ok && w->lineidx != NULL)
    {
      g_autofree char *stem = g_str_has_suffix (w->path, ".tsv")
                              ? g_strndup (w->path, strlen (w->path) - 4)
                              : g_strdup (w->path);
      g_autofree char *idx = g_strconcat (stem, ".lineidx", NULL);

      ok = set_write (set, idx, w->lineidx->str, w->lineidx->len, error);
    }
  if (w->lineidx != NULL)
    g_string_free (w->lineidx, TRUE);
  w->lineidx = NULL;
  g_clear_pointer (&w->path, g_free);
  return ok;
}

static void
writer_abandon (OvTsvWriter *w)
{
  /* (the set removes the temporary file) */
  g_clear_object (&w->stream);
  if (w->lineidx != NULL)
    g_string_free (w->lineidx, TRUE);
  w->lineidx = NULL;
  g_clear_pointer (&w->path, g_free);
}

static char *
builder_to_string (JsonBuilder *b, gboolean pretty)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (b);

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, pretty);
  json_generator_set_indent (gen, 1);
  return json_generator_to_data (gen, NULL);
}

static void
add_rect (JsonBuilder *b, double x1, double y1, double x2, double y2)
{
  json_builder_set_member_name (b, "rect");
  json_builder_begin_array (b);
  json_builder_add_double_value (b, x1);
  json_builder_add_double_value (b, y1);
  json_builder_add_double_value (b, x2);
  json_builder_add_double_value (b, y2);
  json_builder_end_array (b);
}

/* Written by hand rather than through JsonBuilder so that coordinates keep
 * the two decimals they were rounded to (the names need no escaping). */
static char *
label_row (const OvDemoScene *s)
{
  GString *row = g_string_new ("[");

  for (int i = 0; i < s->n_detections; i++)
    {
      const OvDemoDetection *d = &s->detections[i];
      char v[5][G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (v[0], sizeof v[0], "%.4f", d->conf);
      g_ascii_formatd (v[1], sizeof v[1], "%.2f", d->x1);
      g_ascii_formatd (v[2], sizeof v[2], "%.2f", d->y1);
      g_ascii_formatd (v[3], sizeof v[3], "%.2f", d->x2);
      g_ascii_formatd (v[4], sizeof v[4], "%.2f", d->y2);
      g_string_append_printf (row, "%s{\"class\": \"%s\", \"conf\": %s, "
                              "\"rect\": [%s, %s, %s, %s], "
                              "\"attributes\": [\"%s\", \"%s\"]}",
                              i > 0 ? ", " : "", classes[d->cls], v[0], v[1], v[2], v[3], v[4],
                              colors[d->color], sizes[d->size]);
    }
  g_string_append_c (row, ']');
  return g_string_free (row, FALSE);
}

static char *
tag_string (const OvDemoScene *s)
{
  GString *t = g_string_new (NULL);

  for (int i = 0; i < s->n_detections; i++)
    {
      if (i > 0)
        g_string_append_c (t, ' ');
      g_string_append (t, classes[s->detections[i].cls]);
    }
  return g_string_free (t, FALSE);
}

/* Region vectors through the one shared builder of data/ov-sample.c. */
static char *
feature_row (const OvDemoScene *s, OvDemoExtractor *ex, cairo_surface_t *surface,
             GError **error)
{
  g_autoptr(OvSample) sample = ov_sample_new ("scene");
  g_autofree char *b64 = NULL;
  const guint8 *pixels = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  sample->width = s->width;
  sample->height = s->height;
  sample->n_regions = (guint) s->n_detections;
  sample->regions = g_new0 (OvRegion, MAX (s->n_detections, 1));
  sample->n_features = (guint) s->n_detections;
  sample->feature_dim = OV_REGION_APPEARANCE_DIM;
  sample->features = g_new0 (float, (gsize) MAX (s->n_detections, 1) * OV_REGION_APPEARANCE_DIM);
  for (int i = 0; i < s->n_detections; i++)
    {
      const OvDemoDetection *d = &s->detections[i];
      OvRegion *r = &sample->regions[i];

      r->x1 = d->x1;
      r->y1 = d->y1;
      r->x2 = d->x2;
      r->y2 = d->y2;
      r->cls = g_strdup (classes[d->cls]);
      r->conf = d->conf;
      ov_demo_extractor_run (ex, pixels, s->width, s->height, stride, d->x1, d->y1, d->x2,
                             d->y2, sample->features + (gsize) i * OV_REGION_APPEARANCE_DIM);
    }
  if (!ov_sample_build_region_vectors (sample, error))
    return NULL;

  /* float32 little-endian on every platform */
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize i = 0; i < (gsize) sample->n_features * OV_REGION_DIM; i++)
    {
      guint32 v;

      memcpy (&v, &sample->features[i], 4);
      v = GUINT32_SWAP_LE_BE (v);
      memcpy (&sample->features[i], &v, 4);
    }
#endif
  b64 = g_base64_encode ((const guchar *) sample->features,
                         (gsize) sample->n_features * OV_REGION_DIM * sizeof (float));
  return g_strdup_printf ("{\"num_boxes\": %d, \"features\": \"%s\"}", s->n_detections, b64);
}

static void
scene_truth_json (JsonBuilder *b, const OvDemoScene *s, const char *key)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "image_id");
  json_builder_add_string_value (b, key);
  json_builder_set_member_name (b, "background");
  json_builder_add_string_value (b, backgrounds[s->background]);
  json_builder_set_member_name (b, "objects");
  json_builder_begin_array (b);
  for (int i = 0; i < s->n_objects; i++)
    {
      const OvDemoObject *o = &s->objects[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "class");
      json_builder_add_string_value (b, classes[o->cls]);
      json_builder_set_member_name (b, "color");
      json_builder_add_string_value (b, colors[o->color]);
      json_builder_set_member_name (b, "size");
      json_builder_add_string_value (b, sizes[o->size]);
      add_rect (b, round_coord (o->x1), round_coord (o->y1), round_coord (o->x2),
                round_coord (o->y2));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

void
ov_demo_world_options_init (OvDemoWorldOptions *opts)
{
  g_return_if_fail (opts != NULL);

  opts->seed = 1;
  opts->count = 30;
  opts->first_id = 1;
  opts->error_rate = 0.1;
  opts->width = 320;
  opts->height = 240;
  opts->split = "test";
  opts->write_images = TRUE;
  opts->stop = NULL;
}

gboolean
ov_demo_world_generate (const OvDemoWorldOptions *opts,
                        const char               *out_dir,
                        GError                  **error)
{
  g_autoptr(OvDemoExtractor) ex = NULL;
  g_autoptr(JsonBuilder) captions = json_builder_new ();
  g_autoptr(JsonBuilder) qla = json_builder_new ();
  g_autoptr(JsonBuilder) truth = json_builder_new ();
  g_autoptr(JsonBuilder) ans = json_builder_new ();
  g_autoptr(GPtrArray) answers = answer_list ();
  g_autofree char *image_dir = NULL;
  OvTsvWriter feat = { 0 }, label = { 0 }, hw = { 0 };
  g_autoptr(OvOutputSet) set = ov_output_set_new ();
  const char *split;
  gboolean ok = FALSE;

  g_return_val_if_fail (opts != NULL && out_dir != NULL, FALSE);

  split = opts->split != NULL ? opts->split : "test";
  if (opts->count < 1 || opts->count > OV_DEMO_WORLD_MAX_COUNT)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_LIMIT,
                   _ ("Demo world: %u scenes is outside 1..%u"), opts->count,
                   OV_DEMO_WORLD_MAX_COUNT);
      return FALSE;
    }
  if (opts->width < 64 || opts->height < 64 || opts->width > 4096 || opts->height > 4096)
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("Demo world: image size %dx%d is outside 64..4096"), opts->width,
                   opts->height);
      return FALSE;
    }
  if (!(opts->error_rate >= 0 && opts->error_rate <= 1))
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("Demo world: error rate %g is outside 0..1"), opts->error_rate);
      return FALSE;
    }
  if (strchr (split, '/') != NULL || split[0] == '\0')
    {
      g_set_error (error, OV_ERROR, OV_ERROR_INVALID_INPUT,
                   _ ("Demo world: split name “%s” must be a plain file stem"), split);
      return FALSE;
    }

  image_dir = g_build_filename (out_dir, "images", NULL);
  if (g_mkdir_with_parents (opts->write_images ? image_dir : out_dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Cannot create “%s”: %s"), out_dir, g_strerror (saved));
      return FALSE;
    }

  ex = ov_demo_extractor_new ();
  {
    g_autofree char *f = g_strdup_printf ("%s.feature.tsv", split);
    g_autofree char *l = g_strdup_printf ("%s.label.tsv", split);
    g_autofree char *h = g_strdup_printf ("%s.hw.tsv", split);

    if (!writer_open (&feat, set, out_dir, f, TRUE, error)
        || !writer_open (&label, set, out_dir, l, TRUE, error)
        || !writer_open (&hw, set, out_dir, h, TRUE, error))
      goto out;
  }

  json_builder_begin_array (captions);
  json_builder_begin_array (qla);
  json_builder_begin_array (truth);

  for (guint n = 0; n < opts->count; n++)
    {
      if (opts->stop != NULL && *opts->stop)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                       _ ("Demo world: stopped after %u of %u scenes; nothing was written"), n,
                       opts->count);
          goto out;
        }
      g_autofree char *key = g_strdup_printf ("%u", opts->first_id + n);
      g_autoptr(GPtrArray) caps = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) qas = g_ptr_array_new_with_free_func ((GDestroyNotify) qa_free);
      g_autofree char *labels = NULL, *features = NULL, *tags = NULL, *row = NULL;
      cairo_surface_t *surface;
      cairo_t *cr;
      OvDemoScene scene = { 0 };
      OvRng rng;

      rng_seed (&rng, opts->seed, (guint64) opts->first_id + n);
      scene.width = opts->width;
      scene.height = opts->height;
      layout_scene (&scene, &rng);

      surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, scene.width, scene.height);
      cr = cairo_create (surface);
      draw_background (cr, &scene, &rng);
      for (int i = 0; i < scene.n_objects; i++)
        draw_object (cr, &scene.objects[i], &rng);
      cairo_destroy (cr);
      cairo_surface_flush (surface);

      detect_scene (&scene, opts->error_rate, &rng);
      features = feature_row (&scene, ex, surface, error);
      if (features == NULL)
        {
          cairo_surface_destroy (surface);
          goto out;
        }
      if (opts->write_images)
        {
          g_autofree char *name = g_strdup_printf ("%s.png", key);
          g_autofree char *path = g_build_filename (image_dir, name, NULL);
          const char *tmp = ov_output_set_add (set, NULL, path, error);
          cairo_status_t st;

          if (tmp == NULL)
            {
              cairo_surface_destroy (surface);
              goto out;
            }
          st = cairo_surface_write_to_png (surface, tmp);
          if (st != CAIRO_STATUS_SUCCESS)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _ ("Cannot write “%s”: %s"),
                           path, cairo_status_to_string (st));
              cairo_surface_destroy (surface);
              goto out;
            }
        }
      cairo_surface_destroy (surface);

      row = g_strdup_printf ("%s\t%s\n", key, features);
      if (!writer_row (&feat, row, strlen (row), error))
        goto out;
      g_free (row);
      labels = label_row (&scene);
      row = g_strdup_printf ("%s\t%s\n", key, labels);
      if (!writer_row (&label, row, strlen (row), error))
        goto out;
      g_free (row);
      row = g_strdup_printf ("%s\t[{\"height\": %d, \"width\": %d}]\n", key, scene.height,
                             scene.width);
      if (!writer_row (&hw, row, strlen (row), error))
        goto out;

      make_captions (&scene, &rng, caps);
      for (guint c = 0; c < caps->len; c++)
        {
          json_builder_begin_object (captions);
          json_builder_set_member_name (captions, "image_id");
          json_builder_add_string_value (captions, key);
          json_builder_set_member_name (captions, "caption");
          json_builder_add_string_value (captions, g_ptr_array_index (caps, c));
          json_builder_end_object (captions);
        }

      tags = tag_string (&scene);
      make_questions (&scene, &rng, qas);
      for (guint q = 0; q < qas->len; q++)
        {
          const OvDemoQa *qa = g_ptr_array_index (qas, q);

          json_builder_begin_object (qla);
          json_builder_set_member_name (qla, "q");
          json_builder_add_string_value (qla, qa->q);
          json_builder_set_member_name (qla, "o");
          json_builder_add_string_value (qla, tags);
          json_builder_set_member_name (qla, "img_id");
          json_builder_add_int_value (qla, opts->first_id + n);
          json_builder_set_member_name (qla, "q_id");
          json_builder_add_int_value (qla, (gint64) (opts->first_id + n) * 10 + q);
          json_builder_set_member_name (qla, "an");
          json_builder_begin_array (qla);
          json_builder_add_int_value (qla, answer_index (answers, qa->a));
          json_builder_end_array (qla);
          json_builder_set_member_name (qla, "s");
          json_builder_begin_array (qla);
          json_builder_add_double_value (qla, 1.0);
          json_builder_end_array (qla);
          json_builder_set_member_name (qla, "type");
          json_builder_add_string_value (qla, qa->type);
          json_builder_end_object (qla);
        }

      scene_truth_json (truth, &scene, key);
    }

  json_builder_end_array (captions);
  json_builder_end_array (qla);
  json_builder_end_array (truth);

  if (!writer_close (&feat, set, error) || !writer_close (&label, set, error)
      || !writer_close (&hw, set, error))
    goto out;

  json_builder_begin_array (ans);
  for (guint i = 0; i < answers->len; i++)
    json_builder_add_string_value (ans, g_ptr_array_index (answers, i));
  json_builder_end_array (ans);

  {
    struct { const char *suffix; JsonBuilder *b; } docs[] = {
      { "_caption.json", captions }, { "_qla.json", qla }, { ".scene.json", truth },
      { NULL, ans },
    };
    g_autofree char *yaml = g_strdup_printf ("feature: %s.feature.tsv\nlabel: %s.label.tsv\n"
                                             "hw: %s.hw.tsv\ncaption: %s_caption.json\n"
                                             "qla: %s_qla.json\nlabel2ans: label2ans.json\n",
                                             split, split, split, split, split);
    g_autofree char *yaml_name = g_strdup_printf ("%s.yaml", split);
    g_autofree char *yaml_path = g_build_filename (out_dir, yaml_name, NULL);

    for (gsize d = 0; d < G_N_ELEMENTS (docs); d++)
      {
        g_autofree char *name = docs[d].suffix != NULL ? g_strconcat (split, docs[d].suffix, NULL)
                                                       : g_strdup ("label2ans.json");
        g_autofree char *path = g_build_filename (out_dir, name, NULL);
        g_autofree char *text = builder_to_string (docs[d].b, TRUE);

        if (!set_write (set, path, text, strlen (text), error))
          goto out;
      }
    if (!set_write (set, yaml_path, yaml, strlen (yaml), error)
        || !ov_output_set_commit (set, error))
      goto out;
  }
  /* without pictures, one an earlier split left under a key of this one
   * would be taken for its scene's */
  if (!opts->write_images)
    for (guint n = 0; n < opts->count; n++)
      {
        g_autofree char *name = g_strdup_printf ("%u.png", opts->first_id + n);
        g_autofree char *stale = g_build_filename (image_dir, name, NULL);

        g_unlink (stale);
      }
  ok = TRUE;

out:
  writer_abandon (&feat);
  writer_abandon (&label);
  writer_abandon (&hw);
  return ok;
}
