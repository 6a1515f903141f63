import type { InspectionLayout } from '../../src/protocol';
import type { MapView } from './mapView';

/**
 * Shows a layout that just arrived from the host. The first UMAP after nothing glides in from PCA
 * once PCA's first frame is on screen; a later UMAP (a new stage, a resume) glides from where the
 * points are; a PCA is shown only while the map shows nothing. `glided` runs after the PCA→UMAP glide starts.
 */
export function showArrivedLayout(map: MapView, layout: InspectionLayout, prev: InspectionLayout | undefined, glided: () => void): void {
  const hadAny = map.layoutKind !== null;
  if (layout.umap && layout.umap !== prev?.umap) {
    if (!hadAny && layout.pca) {
      map.setLayout('pca', layout.pca, false);
      const umap = layout.umap;
      requestAnimationFrame(() =>
        requestAnimationFrame(() => {
          map.setLayout('umap', umap, true);
          glided();
        }),
      );
    } else map.setLayout('umap', layout.umap, hadAny);
  } else if (layout.pca && !hadAny) map.setLayout('pca', layout.pca, false);
}
