/**
 * The comparison as one self-contained HTML file: the same panel bundle as the inspection report,
 * with encodeCompare(data) inlined; the page's body says data-view="compare", so the webview starts the compare app.
 * Thumbnails go into `a.items` only — B's items are the same items in the same order (taken from
 * B's paths when only B names its items).
 */
import { encodeCompare, type CompareData } from '../model';
import { writeFileAtomic } from '../io/outputs';
import { reportPage, type ReportOptions } from '../report/writeReport';
import { thumbnailDataUris } from '../report/thumbnails';
import { itemPaths } from './compare';

export type CompareReportOptions = ReportOptions;

async function withThumbnails(cmp: CompareData, opts: CompareReportOptions): Promise<CompareData> {
  const limit = opts.thumbnails ?? 5000;
  const items = cmp.a.items;
  if (!items || limit <= 0) return cmp;
  if (items.thumbnails && items.thumbnails.every((t) => t === '' || t.startsWith('data:'))) return cmp;
  // Files outside the dataset (manifest "../", symlinks) are not inlined; the report says how many.
  const notes: string[] = [];
  const thumbnails = await thumbnailDataUris(itemPaths(cmp), {
    limit,
    signal: opts.signal,
    onProgress: opts.onProgress,
    root: cmp.a.source.dataset || undefined,
    onNote: (n) => notes.push(n),
  });
  const b = cmp.b.items ? { ...cmp.b, items: { ...cmp.b.items, thumbnails: undefined } } : cmp.b;
  const aNotes = notes.length ? { notes: [...(cmp.a.notes ?? []), ...notes] } : {};
  return { ...cmp, a: { ...cmp.a, items: { ...items, thumbnails }, ...aNotes }, b };
}

export async function compareReportHtml(cmp: CompareData, opts: CompareReportOptions = {}): Promise<string> {
  return reportPage(cmp.title, encodeCompare(await withThumbnails(cmp, opts)), opts, 'compare');
}

/** Written through a temp file and a rename, so an interrupted export leaves no half report. */
export async function writeCompareReport(file: string, cmp: CompareData, opts: CompareReportOptions = {}): Promise<void> {
  await writeFileAtomic(file, await compareReportHtml(cmp, opts));
}
