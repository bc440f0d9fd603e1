/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * Paints the session's image and regions through viz's region view, which
 * also places the labels and answers hit tests; this widget adds zoom, pan,
 * hover tooltips and selection. The region view is laid out at the zoomed
 * image size divided by the text scale (ov_widget_get_text_scale), drawn
 * enlarged by it, so that its labels grow with the window's text, and
 * translated by the pan offset.
 */
#define G_LOG_DOMAIN "ov-image-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "viz/ov-region-view.h"
#include "ov-image-view.h"
#include "ov-panel-util.h"

#define ZOOM_MIN  0.05
#define ZOOM_MAX  16.0
#define ZOOM_STEP 1.25

struct _OvImageView
{
  GtkWidget        parent_instance;

  OvSession       *session;
  cairo_surface_t *image;
  OvOrientation    box_turn;          /* image's turn from the boxes' frame */
  OvRegionView    *view;
  OvTagItem       *selected;

  double           frame_w, frame_h;  /* the frame shown: the boxes' one, turned */
  double           zoom;
  double           ox, oy;            /* widget position of the frame's corner */
  double           laid_out_w, laid_out_h;   /* the region view's size: logical units */
  gboolean         fit;

  double           drag_ox, drag_oy;  /* offset when a pan began */
  double           pinch_zoom;        /* zoom when a pinch began */
};

enum {
  PROP_0,
  PROP_ZOOM,
  PROP_FIT,
  PROP_SELECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OvImageView, ov_image_view, GTK_TYPE_WIDGET)

static OvTagItem *
find_tag_of_region (OvImageView *self,
                    int          region)
{
  GListModel *tags;

  if (self->session == NULL || region < 0)
    return NULL;
  tags = ov_session_get_tags (self->session);
  for (guint i = 0; i < g_list_model_get_n_items (tags); i++)
    {
      g_autoptr(OvTagItem) item = g_list_model_get_item (tags, i);

      if (ov_tag_item_get_region (item) == region)
        return item;   /* the store keeps it alive */
    }
  return NULL;
}

/* Regions out of the model input are hidden, so the picture shows what the
 * model reads. */
static void
sync_hidden (OvImageView *self)
{
  const OvSample *sample;

  if (self->view == NULL)
    return;
  sample = ov_session_get_sample (self->session);
  for (guint r = 0; r < sample->n_regions; r++)
    ov_region_view_set_hidden (self->view, r, !ov_session_region_in_input (self->session, r));
  ov_region_view_set_highlight (self->view,
                                self->selected != NULL
                                ? ov_tag_item_get_region (self->selected) : -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
rebuild_view (OvImageView *self)
{
  const OvSample *sample = self->session != NULL ? ov_session_get_sample (self->session) : NULL;

  g_clear_pointer (&self->view, ov_region_view_free);
  self->laid_out_w = self->laid_out_h = 0;
  self->frame_w = self->frame_h = 0;
  if (sample == NULL)
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }

  self->view = ov_region_view_new (sample, self->image,
                                   ov_session_get_palette (self->session));
  ov_region_view_set_orientation (self->view, self->box_turn);
  if ((sample->width > 0 && sample->height > 0) || self->image != NULL)
    ov_region_view_get_frame_size (self->view, &self->frame_w, &self->frame_h);
  else
    {
      self->frame_w = 640;
      self->frame_h = 480;
    }
  sync_hidden (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
input_changed_cb (OvImageView *self)
{
  sync_hidden (self);
}

static void
sample_changed_cb (OvImageView *self)
{
  ov_image_view_set_selected (self, NULL);
  rebuild_view (self);
}

/* Fits, or keeps a zoomed image in reach: centred when smaller than the
 * widget, never panned past its edges when larger. */
static void
place_frame (OvImageView *self)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  double scale = ov_widget_get_text_scale (GTK_WIDGET (self));
  double iw, ih;

  if (self->frame_w <= 0 || w <= 0 || h <= 0)
    return;

  if (self->fit)
    {
      double zoom = MIN (w / self->frame_w, h / self->frame_h);

      if (zoom != self->zoom)
        {
          self->zoom = zoom;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
        }
    }
  iw = self->frame_w * self->zoom;
  ih = self->frame_h * self->zoom;
  self->ox = iw <= w ? (w - iw) / 2 : CLAMP (self->ox, w - iw, 0);
  self->oy = ih <= h ? (h - ih) / 2 : CLAMP (self->oy, h - ih, 0);

  if (iw / scale != self->laid_out_w || ih / scale != self->laid_out_h)
    {
      ov_region_view_layout (self->view, iw / scale, ih / scale);
      self->laid_out_w = iw / scale;
      self->laid_out_h = ih / scale;
    }
}

static void
ov_image_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  OvImageView *self = OV_IMAGE_VIEW (widget);
  double w = gtk_widget_get_width (widget);
  double h = gtk_widget_get_height (widget);
  double scale = ov_widget_get_text_scale (widget);
  cairo_t *cr;

  if (self->view == NULL || w <= 0 || h <= 0)
    return;

  /* Zoom and pan may have changed since the allocation; the fit zoom was
   * settled there. */
  place_frame (self);
  cr = ov_widget_append_scaled_cairo (widget, snapshot, &w, &h);
  cairo_translate (cr, self->ox / scale, self->oy / scale);
  ov_region_view_draw (self->view, cr);
  cairo_destroy (cr);
}

static void
zoom_at (OvImageView *self,
         double       zoom,
         double       x,
         double       y)
{
  double u, v;

  zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  if (self->frame_w <= 0)
    return;
  /* Keep the image point under (x, y) where it is. */
  u = (x - self->ox) / self->zoom;
  v = (y - self->oy) / self->zoom;
  self->ox = x - u * zoom;
  self->oy = y - v * zoom;
  if (self->fit)
    {
      self->fit = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIT]);
    }
  if (zoom != self->zoom)
    {
      self->zoom = zoom;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           OvImageView              *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (
    GTK_EVENT_CONTROLLER (controller));
  double x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  double y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller));

  if (self->view == NULL)
    return FALSE;
  if (event != NULL)
    gdk_event_get_position (event, &x, &y);

  /* Ctrl+scroll zooms around the pointer, as in image viewers; a plain
   * scroll pans the zoomed image. */
  if (state & GDK_CONTROL_MASK)
    {
      zoom_at (self, self->zoom * pow (ZOOM_STEP, -dy), x, y);
      return TRUE;
    }
  if (self->fit)
    return FALSE;
  self->ox -= dx * 40;
  self->oy -= dy * 40;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                OvImageView           *self)
{
  double dx = 0, dy = 0;

  /* Arrow keys pan a zoomed image, as a drag would. */
  switch (keyval)
    {
    case GDK_KEY_Left: dx = 40; break;
    case GDK_KEY_Right: dx = -40; break;
    case GDK_KEY_Up: dy = 40; break;
    case GDK_KEY_Down: dy = -40; break;
    default: return FALSE;
    }
  if (self->fit || (state & GDK_MODIFIER_MASK) != 0)
    return FALSE;
  self->ox += dx;
  self->oy += dy;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double          x,
               double          y,
               OvImageView    *self)
{
  self->drag_ox = self->ox;
  self->drag_oy = self->oy;
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                OvImageView    *self)
{
  if (self->fit)
    return;
  self->ox = self->drag_ox + dx;
  self->oy = self->drag_oy + dy;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
pinch_begin_cb (GtkGesture       *gesture,
                GdkEventSequence *sequence,
                OvImageView      *self)
{
  self->pinch_zoom = self->zoom;
}

static void
pinch_scale_changed_cb (GtkGestureZoom *gesture,
                        double          scale,
                        OvImageView    *self)
{
  double x, y;

  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y))
    return;
  zoom_at (self, self->pinch_zoom * scale, x, y);
}

static int
hit (OvImageView *self,
     double       x,
     double       y)
{
  double scale = ov_widget_get_text_scale (GTK_WIDGET (self));

  if (self->view == NULL || self->laid_out_w <= 0)
    return -1;
  return ov_region_view_hit (self->view, (x - self->ox) / scale, (y - self->oy) / scale);
}

static void
click_released_cb (GtkGestureClick *gesture,
                   int              n_press,
                   double           x,
                   double           y,
                   OvImageView      *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self));
  ov_image_view_set_selected (self, find_tag_of_region (self, hit (self, x, y)));
}

static gboolean
query_tooltip_cb (GtkWidget   *widget,
                  int          x,
                  int          y,
                  gboolean     keyboard,
                  GtkTooltip  *tooltip,
                  OvImageView *self)
{
  OvTagItem *item;
  GString *markup;
  g_autofree char *cls = NULL;
  double conf;
  const char *attributes;

  item = keyboard ? self->selected : find_tag_of_region (self, hit (self, x, y));
  if (item == NULL)
    return FALSE;

  markup = g_string_new (NULL);
  cls = g_markup_escape_text (ov_tag_item_get_text (item), -1);
  g_string_append_printf (markup, "<b>%s</b>", cls);
  if (!ov_tag_item_is_text_only (item))
    {
      g_string_append_c (markup, '\n');
      /* Translators: %d is the region number. */
      g_string_append_printf (markup, _("Region %d"),
                              ov_region_number (ov_tag_item_get_region (item)));
    }
  conf = ov_tag_item_get_confidence (item);
  if (!isnan (conf))
    /* Translators: detector confidence of a region, e.g. “confidence 0.93”. */
    g_string_append_printf (markup, "\n%s %.2f", _("confidence"), conf);
  attributes = ov_tag_item_get_attributes (item);
  if (attributes != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (attributes, -1);

      g_string_append_printf (markup, "\n%s %s", _("attributes:"), escaped);
    }
  /* A box shows only while its region goes in; its tag word may not. */
  if (!ov_session_tag_in_input (self->session, item))
    g_string_append_printf (markup, "\n<i>%s</i>", _("tag word not in the model input"));
  gtk_tooltip_set_markup (tooltip, markup->str);
  g_string_free (markup, TRUE);
  return TRUE;
}

static void
ov_image_view_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  /* Any size works; the image is fitted or scrolled. */
  *minimum = 64;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 640 : 480;
}

static void
ov_image_view_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  place_frame (OV_IMAGE_VIEW (widget));
}

static void
ov_image_view_dispose (GObject *object)
{
  OvImageView *self = OV_IMAGE_VIEW (object);

  ov_image_view_set_session (self, NULL);
  g_clear_pointer (&self->view, ov_region_view_free);
  g_clear_pointer (&self->image, cairo_surface_destroy);
  g_clear_object (&self->selected);
  G_OBJECT_CLASS (ov_image_view_parent_class)->dispose (object);
}

static void
ov_image_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  OvImageView *self = OV_IMAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_FIT:
      g_value_set_boolean (value, self->fit);
      break;
    case PROP_SELECTED:
      g_value_set_object (value, self->selected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ov_image_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  OvImageView *self = OV_IMAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_ZOOM:
      ov_image_view_set_zoom (self, g_value_get_double (value));
      break;
    case PROP_FIT:
      ov_image_view_set_fit (self, g_value_get_boolean (value));
      break;
    case PROP_SELECTED:
      ov_image_view_set_selected (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ov_image_view_class_init (OvImageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ov_image_view_dispose;
  object_class->get_property = ov_image_view_get_property;
  object_class->set_property = ov_image_view_set_property;
  widget_class->snapshot = ov_image_view_snapshot;
  widget_class->measure = ov_image_view_measure;
  widget_class->size_allocate = ov_image_view_size_allocate;

  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, ZOOM_MIN, ZOOM_MAX, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FIT] =
    g_param_spec_boolean ("fit", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED] =
    g_param_spec_object ("selected", NULL, NULL, OV_TYPE_TAG_ITEM,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "ov-image-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ov_image_view_init (OvImageView *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  self->zoom = 1.0;
  self->fit = TRUE;
  self->box_turn = OV_ORIENTATION_NORMAL;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);
  ov_widget_follow_text_scale (GTK_WIDGET (self));

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (drag_update_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "released", G_CALLBACK (click_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (pinch_begin_cb), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (pinch_scale_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Image with detected regions"), -1);
}

GtkWidget *
ov_image_view_new (void)
{
  return g_object_new (OV_TYPE_IMAGE_VIEW, NULL);
}

void
ov_image_view_set_session (OvImageView *self,
                           OvSession   *session)
{
  g_return_if_fail (OV_IS_IMAGE_VIEW (self));
  g_return_if_fail (session == NULL || OV_IS_SESSION (session));

  if (self->session == session)
    return;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_swapped (session, "input-changed", G_CALLBACK (input_changed_cb), self);
      g_signal_connect_swapped (session, "sample-changed", G_CALLBACK (sample_changed_cb), self);
      g_signal_connect_swapped (session, "palette-changed", G_CALLBACK (gtk_widget_queue_draw),
                                self);
    }
  rebuild_view (self);
}

void
ov_image_view_set_image (OvImageView     *self,
                         cairo_surface_t *image,
                         OvOrientation    box_turn)
{
  g_return_if_fail (OV_IS_IMAGE_VIEW (self));

  if (image == self->image && box_turn == self->box_turn)
    return;
  g_clear_pointer (&self->image, cairo_surface_destroy);
  if (image != NULL)
    self->image = cairo_surface_reference (image);
  self->box_turn = box_turn;
  rebuild_view (self);
}

double
ov_image_view_get_zoom (OvImageView *self)
{
  g_return_val_if_fail (OV_IS_IMAGE_VIEW (self), 1.0);
  return self->zoom;
}

void
ov_image_view_set_zoom (OvImageView *self,
                        double       zoom)
{
  g_return_if_fail (OV_IS_IMAGE_VIEW (self));

  zoom_at (self, zoom,
           gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
           gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

void
ov_image_view_zoom_in (OvImageView *self)
{
  g_return_if_fail (OV_IS_IMAGE_VIEW (self));
  ov_image_view_set_zoom (self, self->zoom * ZOOM_STEP);
}

void
ov_image_view_zoom_out (OvImageView *self)
{
  g_return_if_fail (OV_IS_IMAGE_VIEW (self));
  ov_image_view_set_zoom (self, self->zoom / ZOOM_STEP);
}

gboolean
ov_image_view_get_fit (OvImageView *self)
{
  g_return_val_if_fail (OV_IS_IMAGE_VIEW (self), FALSE);
  return self->fit;
}

void
ov_image_view_set_fit (OvImageView *self,
                       gboolean     fit)
{
  g_return_if_fail (OV_IS_IMAGE_VIEW (self));

  fit = !!fit;
  if (fit == self->fit)
    return;
  self->fit = fit;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIT]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

OvTagItem *
ov_image_view_get_selected (OvImageView *self)
{
  g_return_val_if_fail (OV_IS_IMAGE_VIEW (self), NULL);
  return self->selected;
}

void
ov_image_view_set_selected (OvImageView *self,
                            OvTagItem   *item)
{
  g_return_if_fail (OV_IS_IMAGE_VIEW (self));
  g_return_if_fail (item == NULL || OV_IS_TAG_ITEM (item));

  if (!g_set_object (&self->selected, item))
    return;
  if (self->view != NULL)
    {
      ov_region_view_set_highlight (self->view, item != NULL ? ov_tag_item_get_region (item) : -1);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}
