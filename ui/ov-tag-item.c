/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The tag object shared by the tag list, the image view and the model input.
 */
#define G_LOG_DOMAIN "ov-tag-item"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ov-tag-item.h"

struct _OvTagItem
{
  GObject  parent_instance;

  char    *text;
  char    *attributes;
  int      region;
  guint    class_index;
  double   confidence;
  gboolean tag_enabled;
  gboolean region_enabled;
};

enum {
  PROP_0,
  PROP_TEXT,
  PROP_ENABLED,
  PROP_TAG_ENABLED,
  PROP_REGION_ENABLED,
  PROP_REGION,
  PROP_CONFIDENCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (OvTagItem, ov_tag_item, G_TYPE_OBJECT)

static void
ov_tag_item_finalize (GObject *object)
{
  OvTagItem *self = OV_TAG_ITEM (object);

  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->attributes, g_free);
  G_OBJECT_CLASS (ov_tag_item_parent_class)->finalize (object);
}

static void
ov_tag_item_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  OvTagItem *self = OV_TAG_ITEM (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_ENABLED:
      g_value_set_boolean (value, ov_tag_item_get_enabled (self));
      break;
    case PROP_TAG_ENABLED:
      g_value_set_boolean (value, self->tag_enabled);
      break;
    case PROP_REGION_ENABLED:
      g_value_set_boolean (value, self->region_enabled);
      break;
    case PROP_REGION:
      g_value_set_int (value, self->region);
      break;
    case PROP_CONFIDENCE:
      g_value_set_double (value, self->confidence);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ov_tag_item_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  OvTagItem *self = OV_TAG_ITEM (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      ov_tag_item_set_text (self, g_value_get_string (value));
      break;
    case PROP_ENABLED:
      ov_tag_item_set_enabled (self, g_value_get_boolean (value));
      break;
    case PROP_TAG_ENABLED:
      ov_tag_item_set_tag_enabled (self, g_value_get_boolean (value));
      break;
    case PROP_REGION_ENABLED:
      ov_tag_item_set_region_enabled (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ov_tag_item_class_init (OvTagItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ov_tag_item_finalize;
  object_class->get_property = ov_tag_item_get_property;
  object_class->set_property = ov_tag_item_set_property;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TAG_ENABLED] =
    g_param_spec_boolean ("tag-enabled", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REGION_ENABLED] =
    g_param_spec_boolean ("region-enabled", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REGION] =
    g_param_spec_int ("region", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONFIDENCE] =
    g_param_spec_double ("confidence", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ov_tag_item_init (OvTagItem *self)
{
  self->text = g_strdup ("");
  self->tag_enabled = TRUE;
  self->region = -1;
  self->confidence = NAN;
}

OvTagItem *
ov_tag_item_new (const char *text,
                 int         region,
                 guint       class_index,
                 double      confidence,
                 const char *attributes)
{
  OvTagItem *self = g_object_new (OV_TYPE_TAG_ITEM, NULL);

  g_free (self->text);
  self->text = g_strdup (text != NULL ? text : "");
  self->region = MAX (region, -1);
  self->region_enabled = self->region >= 0;
  self->class_index = class_index;
  self->confidence = confidence;
  self->attributes = (attributes != NULL && *attributes != '\0') ? g_strdup (attributes) : NULL;
  return self;
}

const char *
ov_tag_item_get_text (OvTagItem *self)
{
  g_return_val_if_fail (OV_IS_TAG_ITEM (self), NULL);
  return self->text;
}

void
ov_tag_item_set_text (OvTagItem  *self,
                      const char *text)
{
  g_autofree char *stripped = NULL;

  g_return_if_fail (OV_IS_TAG_ITEM (self));

  stripped = g_strstrip (g_strdup (text != NULL ? text : ""));
  if (g_strcmp0 (stripped, self->text) == 0)
    return;
  g_free (self->text);
  self->text = g_steal_pointer (&stripped);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

gboolean
ov_tag_item_get_enabled (OvTagItem *self)
{
  g_return_val_if_fail (OV_IS_TAG_ITEM (self), FALSE);
  return self->tag_enabled || self->region_enabled;
}

/* Sets both parts before any notification goes out, so a listener of one
 * property already sees the new state of the other. */
static void
set_parts (OvTagItem *self,
           gboolean   tag_enabled,
           gboolean   region_enabled)
{
  gboolean was_enabled = ov_tag_item_get_enabled (self);

  tag_enabled = !!tag_enabled;
  region_enabled = !!region_enabled && self->region >= 0;
  g_object_freeze_notify (G_OBJECT (self));
  if (tag_enabled != self->tag_enabled)
    {
      self->tag_enabled = tag_enabled;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TAG_ENABLED]);
    }
  if (region_enabled != self->region_enabled)
    {
      self->region_enabled = region_enabled;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGION_ENABLED]);
    }
  if (was_enabled != ov_tag_item_get_enabled (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
ov_tag_item_set_enabled (OvTagItem *self,
                         gboolean   enabled)
{
  g_return_if_fail (OV_IS_TAG_ITEM (self));

  /* The switch of a row that gives only one part turns the row off. */
  set_parts (self, enabled, enabled);
}

gboolean
ov_tag_item_get_tag_enabled (OvTagItem *self)
{
  g_return_val_if_fail (OV_IS_TAG_ITEM (self), FALSE);
  return self->tag_enabled;
}

void
ov_tag_item_set_tag_enabled (OvTagItem *self,
                             gboolean   enabled)
{
  g_return_if_fail (OV_IS_TAG_ITEM (self));
  set_parts (self, enabled, self->region_enabled);
}

gboolean
ov_tag_item_get_region_enabled (OvTagItem *self)
{
  g_return_val_if_fail (OV_IS_TAG_ITEM (self), FALSE);
  return self->region_enabled;
}

void
ov_tag_item_set_region_enabled (OvTagItem *self,
                                gboolean   enabled)
{
  g_return_if_fail (OV_IS_TAG_ITEM (self));
  set_parts (self, self->tag_enabled, enabled);
}

int
ov_tag_item_get_region (OvTagItem *self)
{
  g_return_val_if_fail (OV_IS_TAG_ITEM (self), -1);
  return self->region;
}

guint
ov_tag_item_get_class_index (OvTagItem *self)
{
  g_return_val_if_fail (OV_IS_TAG_ITEM (self), 0);
  return self->class_index;
}

void
ov_tag_item_set_class_index (OvTagItem *self,
                             guint      class_index)
{
  g_return_if_fail (OV_IS_TAG_ITEM (self));
  self->class_index = class_index;
}

double
ov_tag_item_get_confidence (OvTagItem *self)
{
  g_return_val_if_fail (OV_IS_TAG_ITEM (self), NAN);
  return self->confidence;
}

const char *
ov_tag_item_get_attributes (OvTagItem *self)
{
  g_return_val_if_fail (OV_IS_TAG_ITEM (self), NULL);
  return self->attributes;
}

gboolean
ov_tag_item_is_text_only (OvTagItem *self)
{
  g_return_val_if_fail (OV_IS_TAG_ITEM (self), TRUE);
  return self->region < 0;
}

int
ov_region_number (int region)
{
  g_return_val_if_fail (region >= 0, 0);
  return region + 1;
}

char *
ov_region_dup_token_label (int         region,
                           const char *cls)
{
  g_return_val_if_fail (region >= 0, NULL);

  if (cls == NULL || *cls == '\0')
    /* Translators: a region among the attention tokens, e.g. "r3"; keep it short. */
    return g_strdup_printf (_("r%d"), ov_region_number (region));
  /* Translators: a region among the attention tokens with its class, e.g. "r3 dog". */
  return g_strdup_printf (_("r%d %s"), ov_region_number (region), cls);
}
