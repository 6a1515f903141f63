import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { LensError } from '../errors';
import { MAX_JSON_BYTES, readRegularFile } from '../io/safeFile';
import { encodeLabels } from './classes';
import { dropDuplicateRows, type ListedRow } from './duplicates';
import type { DatasetItem } from './types';

/** The non-blank lines of a list file, each with its 1-based line number (for messages). */
async function lines(file: string): Promise<{ text: string; line: number }[]> {
  const text = (await readRegularFile(file, { expected: 'a dataset list file', maxBytes: MAX_JSON_BYTES })).toString('utf8');
  return text
    .split(/\r?\n/)
    .map((t, i) => ({ text: t, line: i + 1 }))
    .filter((l) => l.text.trim() !== '');
}

export const isSopList = (file: string) => /^Ebay_(train|test)\.txt$/i.test(basename(file));
export const isInShopList = (file: string) => basename(file).toLowerCase() === 'list_eval_partition.txt';

/**
 * Stanford Online Products: Ebay_train.txt / Ebay_test.txt, header "image_id class_id super_class_id path",
 * paths relative to the list's folder. The label is the product (class_id); the split is the file's.
 */
export async function readSopLists(files: string[]): Promise<{ items: DatasetItem[]; classNames: string[]; notes: string[] }> {
  const listed: ListedRow[] = [];
  for (const file of files) {
    const ls = await lines(file);
    const first = ls[0]?.text ?? '';
    const header = first.trim().split(/\s+/);
    const ci = header.indexOf('class_id');
    const pi = header.indexOf('path');
    if (ci < 0 || pi < 0)
      throw new LensError(`first line "${first}" is not the SOP header; expected "image_id class_id super_class_id path"`, file);
    const split = /train/i.test(basename(file)) ? 'train' : 'test';
    for (const l of ls.slice(1)) {
      const parts = l.text.trim().split(/\s+/);
      if (parts.length < header.length) throw new LensError(`line ${l.line} has ${parts.length} fields; expected ${header.length}`, file);
      listed.push({ path: resolve(dirname(file), parts[pi]), label: parts[ci], split, line: l.line, file });
    }
  }
  const { rows, notes } = dropDuplicateRows(listed);
  const { labels, classNames } = encodeLabels(rows.map((r) => r.label));
  return { items: rows.map((r, i) => ({ path: r.path, label: labels[i], split: r.split })), classNames, notes };
}

/**
 * DeepFashion In-Shop: list_eval_partition.txt — a count line, a header "image_name item_id
 * evaluation_status", then one image per line with split train/query/gallery (kept as the split).
 * Image names ("img/…") are relative to the dataset root: the list's folder, or the In-Shop layout
 * where the list is in Eval/ and images in Img/.
 */
export async function readInShopList(file: string): Promise<{ items: DatasetItem[]; classNames: string[]; notes: string[] }> {
  const ls = await lines(file);
  const hi = ls.findIndex((l) => /image_name/.test(l.text) && /item_id/.test(l.text));
  if (hi < 0)
    throw new LensError('has no "image_name item_id evaluation_status" header; expected DeepFashion In-Shop list_eval_partition.txt', file);
  const parsed = ls.slice(hi + 1).map((l) => {
    const parts = l.text.trim().split(/\s+/);
    if (parts.length < 3)
      throw new LensError(`line ${l.line} has ${parts.length} fields; expected image_name item_id evaluation_status`, file);
    return { name: parts[0], item: parts[1], split: parts[2], line: l.line };
  });
  if (parsed.length === 0) throw new LensError('lists no images', file);
  const dir = dirname(file);
  const bases = [dir, join(dir, '..', 'Img'), join(dir, '..'), join(dir, 'Img')];
  const base = bases.find((b) => existsSync(join(b, parsed[0].name))) ?? dir;
  const notes = base === dir ? [] : [`In-Shop images resolved under ${resolve(base)}`];
  const { rows, notes: dupNotes } = dropDuplicateRows(
    parsed.map((r) => ({ path: resolve(base, r.name), label: r.item, split: r.split, line: r.line, file })),
  );
  notes.push(...dupNotes);
  const { labels, classNames } = encodeLabels(rows.map((r) => r.label));
  return { items: rows.map((r, i) => ({ path: r.path, label: labels[i], split: r.split })), classNames, notes };
}
