/**
 * The self-contained HTML report: the panel bundle, its CSS and the inspection data inlined in one
 * file that opens in any browser with no network and no server. Written atomically (temp + rename)
 * so an interrupted export never leaves a half file where the user expects a report.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { encodeInspection, type InspectionData } from '../model';
import { makeNonce, panelHtml } from './panelHtml';
import { LensError } from '../errors';
import { writeFileAtomic } from '../io/outputs';
import type { RunControl } from '../types';
import { thumbnailDataUris } from './thumbnails';

export interface ReportAssets {
  script: string;
  css: string;
}

/** dist/webview.js and media/panel.css, found from the bundle (dist/) or from source (src/core/report). */
export async function loadReportAssets(): Promise<ReportAssets> {
  const roots = [join(__dirname, '..'), join(__dirname, '..', '..', '..')];
  for (const root of roots) {
    const script = join(root, 'dist', 'webview.js');
    const css = join(root, 'media', 'panel.css');
    if (existsSync(script) && existsSync(css)) {
      return { script: await readFile(script, 'utf8'), css: await readFile(css, 'utf8') };
    }
  }
  throw new LensError(`the panel bundle dist/webview.js was not found (looked under ${roots.join(', ')}); run \`npm run build\` first`);
}

export interface ReportOptions extends RunControl {
  /** Inline thumbnails for at most this many items (default 5,000; 0 for none). */
  thumbnails?: number;
  theme?: 'light' | 'dark' | 'auto';
  assets?: ReportAssets;
}

export async function reportHtml(data: InspectionData, opts: ReportOptions = {}): Promise<string> {
  return reportPage(data.title, encodeInspection(await withInlineThumbnails(withinReportSize(data), opts)), opts);
}

/**
 * Above this many items a report leaves out the neighbour table: at 10^6 items × K = 10 it alone
 * would be ~107 MB of the page (indices and distances, base64), more than everything else together.
 */
export const REPORT_NEIGHBOUR_LIMIT = 200_000;

/** The data a report can hold at any size; what it leaves out is said in its notes. */
function withinReportSize(data: InspectionData): InspectionData {
  const n = data.items?.n ?? 0;
  if (n <= REPORT_NEIGHBOUR_LIMIT || !data.neighbours) return data;
  const f = (x: number) => x.toLocaleString('en-US');
  const note = `this report leaves out the top-${data.neighbours.k} neighbour table (${f(n)} items, more than ${f(REPORT_NEIGHBOUR_LIMIT)}: it would add ~${Math.round((n * data.neighbours.k * 8 * 4) / 3 / 2 ** 20)} MB); the Neighbours tab answers in VS Code's panel`;
  const { neighbours: _left, ...rest } = data;
  return { ...rest, notes: [...(data.notes ?? []), note] };
}

/** The report page around already-encoded data: an inspection, or a comparison with view 'compare' (the page's body says which). */
export async function reportPage(title: string, encodedData: string, opts: ReportOptions, view?: 'compare'): Promise<string> {
  const assets = opts.assets ?? (await loadReportAssets());
  return panelHtml({
    mode: 'report',
    nonce: makeNonce(),
    script: assets.script,
    css: assets.css,
    data: encodedData,
    title: `Embedding Lens — ${title}`,
    theme: opts.theme ?? 'auto',
    view,
  });
}

async function withInlineThumbnails(data: InspectionData, opts: ReportOptions): Promise<InspectionData> {
  const limit = opts.thumbnails ?? 5000;
  if (!data.items || limit <= 0) return data;
  const already = data.items.thumbnails;
  if (already && already.every((t) => t === '' || t.startsWith('data:'))) return data;
  // Files outside the dataset (manifest "../", symlinks) are not inlined; the report says how many.
  const notes: string[] = [];
  const thumbnails = await thumbnailDataUris(data.items.paths, {
    limit,
    signal: opts.signal,
    onProgress: opts.onProgress,
    root: data.source.dataset || undefined,
    onNote: (n) => notes.push(n),
  });
  return { ...data, items: { ...data.items, thumbnails }, ...(notes.length ? { notes: [...(data.notes ?? []), ...notes] } : {}) };
}

export async function writeReport(file: string, data: InspectionData, opts: ReportOptions = {}): Promise<void> {
  // Temp file + fsync + rename: an interrupted export or a full disk never leaves a half report.
  await writeFileAtomic(file, await reportHtml(data, opts));
}
