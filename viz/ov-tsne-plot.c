/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright 2026 The oscarviz authors
 *
 * The t-SNE figure of plain vectors: the scatter view with one class per
 * label, exported through a temporary file and a rename.
 */
#define G_LOG_DOMAIN "ov-tsne-plot"

#include "config.h"

#include "ov-tsne-plot.h"

#include <string.h>

#include "ov-export.h"

#define PLOT_SCALE 2.0

OvScatterView *
ov_tsne_plot_view_new (const float        *Y,
                       gsize               n,
                       const guint        *label_ids,
                       const char * const *label_names,
                       guint               n_labels,
                       const char         *title)
{
  gboolean labelled = label_ids != NULL && label_names != NULL && n_labels > 0;
  g_autofree guint *classes = g_new0 (guint, MAX (n, 1));

  g_return_val_if_fail (Y != NULL || n == 0, NULL);

  /* A named label has its class's colour, as in the window and the other
   * figures; without labels one class without a name and no legend. */
  if (labelled)
    memcpy (classes, label_ids, sizeof (guint) * n);
  return ov_scatter_view_new (Y, (guint) n, classes, labelled ? label_names : NULL,
                              labelled ? n_labels : 0, NULL, NULL, title);
}

/* Through the common export, so that the file is written as every figure
 * of ours is (a temporary file and a rename) and SVG keeps its text. */
gboolean
ov_tsne_plot_write (const char         *path,
                    const float        *Y,
                    gsize               n,
                    const guint        *label_ids,
                    const char * const *label_names,
                    guint               n_labels,
                    const char         *title,
                    OvScatterLegend     legend,
                    double              width,
                    double              height,
                    double              scale,
                    GError            **error)
{
  g_autoptr(OvScatterView) view = NULL;
  OvExportFormat format;

  g_return_val_if_fail (path != NULL, FALSE);

  if (!ov_export_format_from_path (path, &format, error))
    return FALSE;
  view = ov_tsne_plot_view_new (Y, n, label_ids, label_names, n_labels, title);
  ov_scatter_view_set_legend (view, legend);
  return ov_export_view (path, format, ov_scatter_view_paint, view,
                         width > 0 ? width : OV_TSNE_PLOT_WIDTH,
                         height > 0 ? height : OV_TSNE_PLOT_HEIGHT,
                         scale > 0 ? scale : PLOT_SCALE, error);
}
