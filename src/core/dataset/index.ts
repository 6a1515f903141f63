import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { LensError, throwIfAborted } from '../errors';
import { readLabels } from '../io/labels';
import { scanImageFolder } from './folder';
import { findIdxPairs, idxClassNames, idxPairOf, IdxPair, isIdxFile, readIdx, readIdxHeader } from './idx';
import { isInShopList, isSopList, readInShopList, readSopLists } from './lists';
import { readManifest } from './manifest';
import { subsampleItems } from './subsample';
import type { Dataset, DatasetItem, DatasetKind, DatasetOptions } from './types';

export * from './types';
export { stratifiedIndices, subsampleItems } from './subsample';

const MANIFEST_EXT = new Set(['.csv', '.tsv', '.jsonl']);
const LABELS_EXT = new Set(['.npy', '.json', '.txt']);

/** What kind of dataset a path holds, from names alone (no file is read beyond a folder listing). */
export async function detectDatasetKind(path: string): Promise<DatasetKind> {
  if (!existsSync(path)) throw new LensError('does not exist; expected a dataset folder or a manifest / IDX / list / labels file', path);
  if (statSync(path).isDirectory()) {
    const names = await readdir(path);
    if (names.some((n) => isIdxFile(n) && /images/i.test(n))) return 'idx';
    if (names.some((n) => isInShopList(n)) || existsSync(join(path, 'Eval', 'list_eval_partition.txt'))) return 'inshop';
    if (names.some((n) => isSopList(n))) return 'sop';
    return 'folder';
  }
  const ext = extname(path).toLowerCase();
  if (isIdxFile(path)) return 'idx';
  if (isInShopList(path)) return 'inshop';
  if (isSopList(path)) return 'sop';
  if (MANIFEST_EXT.has(ext)) return 'manifest';
  if (LABELS_EXT.has(ext)) return 'labels';
  throw new LensError(
    `is not a dataset: expected a folder of class subfolders, a .csv/.tsv/.jsonl manifest, IDX files, Ebay_*.txt, list_eval_partition.txt, or a labels file (.npy/.json/.txt)`,
    path,
  );
}

/**
 * Loads any supported dataset layout into items + class names, filters by split, checks there is
 * something to embed (≥ 1 item, ≥ 2 classes) and applies the seeded stratified subsample.
 */
export async function loadDataset(path: string, opts: DatasetOptions = {}): Promise<Dataset> {
  const source = resolve(path);
  const kind = await detectDatasetKind(source);
  throwIfAborted(opts.signal);
  let items: DatasetItem[];
  let classNames: string[];
  const notes: string[] = [];
  switch (kind) {
    case 'folder': {
      const r = await scanImageFolder(source, opts.signal);
      ({ items, classNames } = r);
      notes.push(...r.notes);
      break;
    }
    case 'manifest': {
      const r = await readManifest(source);
      ({ items, classNames } = r);
      notes.push(...r.notes);
      break;
    }
    case 'idx': {
      const pairs = statSync(source).isDirectory() ? await findIdxPairs(source) : [idxPairOf(source)];
      const r = await loadIdxPairs(pairs, source);
      ({ items, classNames } = r);
      notes.push(...r.notes);
      break;
    }
    case 'sop': {
      const files = statSync(source).isDirectory()
        ? (await readdir(source))
            .filter(isSopList)
            .sort()
            .map((n) => join(source, n))
        : [source];
      const r = await readSopLists(files);
      ({ items, classNames } = r);
      notes.push(...r.notes);
      break;
    }
    case 'inshop': {
      let file = source;
      if (statSync(source).isDirectory()) {
        file = existsSync(join(source, 'list_eval_partition.txt'))
          ? join(source, 'list_eval_partition.txt')
          : join(source, 'Eval', 'list_eval_partition.txt');
      }
      const r = await readInShopList(file);
      ({ items, classNames } = r);
      notes.push(...r.notes);
      break;
    }
    case 'labels': {
      const r = await readLabels(source);
      classNames = r.classNames;
      items = Array.from(r.labels, (label, i) => ({ path: `${source}#${i}`, label }));
      break;
    }
  }
  if (opts.split !== undefined) {
    const splits = new Set(items.map((it) => it.split ?? ''));
    items = items.filter((it) => it.split === opts.split);
    if (items.length === 0) {
      throw new LensError(
        `has no items in split "${opts.split}"; its splits are: ${[...splits].filter(Boolean).join(', ') || '(none)'}`,
        source,
      );
    }
  }
  if (items.length === 0) {
    throw new LensError(
      kind === 'folder'
        ? 'holds no images in class subfolders; expected <folder>/<class>/…/*.{jpg,jpeg,png,webp,gif,bmp,tiff}'
        : 'lists no items; expected at least one image with a label',
      source,
    );
  }
  const used = new Set(items.map((it) => it.label));
  if (used.size < 2) {
    throw new LensError(`has a single class ("${classNames[items[0].label]}"); expected at least two classes to compare`, source);
  }
  const totalItems = items.length;
  items = subsampleItems(items, opts);
  if (items.length < totalItems) notes.push(`stratified subsample: ${items.length} of ${totalItems} items (seed ${opts.seed ?? 0})`);
  return { kind, source, items, classNames, totalItems, notes };
}

async function loadIdxPairs(pairs: IdxPair[], source: string): Promise<{ items: DatasetItem[]; classNames: string[]; notes: string[] }> {
  if (pairs.length === 0) throw new LensError('holds no IDX images file (e.g. train-images-idx3-ubyte.gz)', source);
  const items: DatasetItem[] = [];
  let maxLabel = 0;
  for (const pair of pairs) {
    const header = await readIdxHeader(pair.images, { rank: 3 });
    // The labels header is checked against the images count before a byte of it is inflated.
    const labels = await readIdx(pair.labels, { rank: 1, count: header.dims[0], partner: basename(pair.images) });
    if (labels.dims.length !== 1) throw new LensError(`has IDX rank ${labels.dims.length}; expected 1 for labels`, pair.labels);
    if (labels.dims[0] !== header.dims[0]) {
      throw new LensError(
        `holds ${labels.dims[0]} labels but ${basename(pair.images)} holds ${header.dims[0]} images; expected one label per image`,
        pair.labels,
      );
    }
    for (let i = 0; i < labels.dims[0]; i++) {
      const label = labels.data[i];
      if (label > maxLabel) maxLabel = label;
      items.push({ path: `${pair.images}#${i}`, label, split: pair.split, idx: { file: pair.images, index: i } });
    }
  }
  const names = idxClassNames(source, maxLabel);
  return { items, classNames: names.names, notes: names.note ? [names.note] : [] };
}
