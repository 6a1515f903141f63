import type { InspectionData } from '../../src/protocol';
import type { Host } from '../host';
import type { MapView } from '../map/mapView';
import { canvasToPng, classesCsv, classesRecords, fileStem, mapFigure, metricsCsv, metricsRecord } from '../export';
import { exportMenu } from '../shared/exportMenu';

/** What the inspection's Export menu reads: the data, the map and its colours, and where to save. */
export interface InspectionExportContext {
  readonly data: InspectionData;
  readonly palette: readonly string[];
  readonly map: MapView;
  readonly host: Pick<Host, 'save'>;
  showError(message: string): void;
}

/** The inspection's Export menu: the map figure, the metrics and the class table. */
export function inspectionExportMenu(ctx: InspectionExportContext): HTMLElement {
  const stem = () => fileStem(ctx.data);
  const save = ctx.host.save.bind(ctx.host);
  return exportMenu(
    [
      { label: 'Map as PNG', run: async () => save('map', 'png', `${stem()}-map.png`, await canvasToPng(exportedMapFigure(ctx))) },
      { label: 'Metrics as CSV', run: () => save('metrics', 'csv', `${stem()}-metrics.csv`, metricsCsv(ctx.data)) },
      {
        label: 'Metrics as JSON',
        run: () => save('metrics', 'json', `${stem()}-metrics.json`, JSON.stringify(metricsRecord(ctx.data), null, 2)),
      },
      { label: 'Class table as CSV', run: () => save('classes', 'csv', `${stem()}-classes.csv`, classesCsv(ctx.data)) },
      {
        label: 'Class table as JSON',
        run: () => save('classes', 'json', `${stem()}-classes.json`, JSON.stringify(classesRecords(ctx.data), null, 2)),
      },
    ],
    (m) => ctx.showError(m),
  );
}

/** The exported map: title, metrics, legend, and the points without the query's highlights. */
export function exportedMapFigure({ map, data, palette }: Pick<InspectionExportContext, 'map' | 'data' | 'palette'>): HTMLCanvasElement {
  const snap = map.snapshot({ clean: true });
  const cs = getComputedStyle(document.body);
  const bg = map.theme.background;
  const partial = data.layout?.umapPartial;
  const kind = map.layoutKind ?? 'pca';
  const label = kind === 'umap' && partial ? `UMAP, partial layout (${partial.epoch}/${partial.epochs})` : kind.toUpperCase();
  return mapFigure(
    snap,
    data,
    palette,
    {
      background: `rgb(${bg[0]},${bg[1]},${bg[2]})`,
      foreground: map.theme.foreground,
      fontFamily: cs.getPropertyValue('--vscode-font-family').trim() || 'system-ui, sans-serif',
    },
    label,
    snap.width / Math.max(1, map.el.clientWidth),
  );
}
