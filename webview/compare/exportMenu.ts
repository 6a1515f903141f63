import type { CompareData } from '../../src/protocol';
import type { Host } from '../host';
import type { MapView } from '../map/mapView';
import { canvasToPng } from '../export';
import { exportMenu } from '../shared/exportMenu';
import { classesCsv, deltasRecord, eetCsv, headlineCsv, itemsCsv, sideBySide } from './export';
import { sideNames } from './header';

/** "cnn-vs-cnn-eet-1": the file names' stem, from A's and B's distinguishing names. */
function stem(d: CompareData | null): string {
  if (!d) return 'comparison';
  const name = (n: string) => n.replace(/\/model\.json$/i, '').replace(/\.(json|onnx|npy)$/i, '');
  const { a, b } = sideNames(d);
  return `${name(a)}-vs-${name(b)}`.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** What the compare panel's Export menu reads. */
export interface CompareExportContext {
  readonly data: CompareData | null;
  readonly maps: Record<'a' | 'b', MapView>;
  readonly host: Pick<Host, 'save'>;
  showError(message: string): void;
}

/** Both maps side by side, the deltas (JSON and per table CSV) and the changed items. */
export function compareExportMenu(ctx: CompareExportContext): HTMLElement {
  const d = () => ctx.data!;
  const save = ctx.host.save.bind(ctx.host);
  const file = (suffix: string) => `${stem(ctx.data)}-${suffix}`;
  return exportMenu(
    [
      {
        label: 'Both maps as PNG',
        run: async () => save('map', 'png', file('maps.png'), await canvasToPng(sideBySide(ctx.maps.a.snapshot(), ctx.maps.b.snapshot()))),
      },
      { label: 'Deltas as JSON', run: () => save('metrics', 'json', file('deltas.json'), JSON.stringify(deltasRecord(d()), null, 2)) },
      { label: 'Headline deltas as CSV', run: () => save('metrics', 'csv', file('headline.csv'), headlineCsv(d())) },
      { label: 'Class deltas as CSV', run: () => save('classes', 'csv', file('classes.csv'), classesCsv(d())) },
      { label: 'EET deltas as CSV', run: () => save('metrics', 'csv', file('eet.csv'), eetCsv(d())) },
      { label: 'Changed items as CSV', run: () => save('metrics', 'csv', file('items.csv'), itemsCsv(d())) },
    ],
    (m) => ctx.showError(m),
  );
}
