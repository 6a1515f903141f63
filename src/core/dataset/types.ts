/** One dataset item: an image file, or one image inside an IDX file. */
export interface DatasetItem {
  /** Absolute image path, or "<idx images file>#<index>" for IDX items, or "<labels file>#<row>" for a labels-only dataset. */
  path: string;
  /** Index into Dataset.classNames. */
  label: number;
  split?: string;
  /** Present for IDX items: the images file and the image's index in it. */
  idx?: { file: string; index: number };
}

export type DatasetKind = 'folder' | 'manifest' | 'idx' | 'sop' | 'inshop' | 'labels';

export interface Dataset {
  kind: DatasetKind;
  /** The path the dataset was loaded from (folder or file). */
  source: string;
  items: DatasetItem[];
  classNames: string[];
  /** Items before subsampling. */
  totalItems: number;
  /** What the loader decided on its own (split chosen, class names guessed, files ignored). */
  notes: string[];
}

export interface DatasetOptions {
  /** Stratified subsample: at most this many items per class (0/undefined = all). */
  maxPerClass?: number;
  /** Stratified subsample: at most this many items in total (0/undefined = all). */
  maxTotal?: number;
  /** Seed of the subsample; the same seed gives the same items. Default 0. */
  seed?: number;
  /** Keep only items of this split (e.g. "test", "query", "gallery"). */
  split?: string;
  signal?: AbortSignal;
}

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp', '.tif', '.tiff']);
