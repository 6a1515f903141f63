/**
 * Which item of B is which item of A. Two inspections of "the same dataset" may still disagree on
 * order (a manifest listed differently), on identity (a .npy with a labels file has no file paths)
 * or on labels (integer labels vs class folders). A comparison is only meaningful item by item,
 * so anything that cannot be matched one-to-one is an error, never a silent guess.
 */
import type { InspectionItems } from '../model';
import { LensError } from '../errors';

export interface ItemMatch {
  /** 'path' when both sides name their items, 'index' when one side only has row numbers. */
  by: 'path' | 'index';
  /** For each of A's items, its row in B. */
  aToB: Int32Array;
  /** For each of B's items, its row in A. */
  bToA: Int32Array;
  /** B's class index → A's class index (-1 for a class of B with no items). */
  classBToA: Int32Array;
  /** Same order and same class indices: B's data can be used as it is. */
  identity: boolean;
  /** What the user should know about how the match was made. */
  notes: string[];
}

export interface MatchSource {
  /** How the side is named in errors, e.g. "A (tiny-cnn.onnx on products)". */
  name: string;
  items: InspectionItems;
}

const ROW_REF = /^(.*)#(\d+)$/;
const IDX_FILE = /idx\d?-ubyte|\.idx/i;

/**
 * False when every path is "<one file>#<row>" of a precomputed embeddings or labels file: those
 * rows are positions, not item identities. IDX items ("images-idx3-ubyte#12") name a real image.
 */
export function hasItemIdentities(paths: readonly string[]): boolean {
  if (paths.length === 0) return false;
  const first = ROW_REF.exec(paths[0]);
  if (!first) return true;
  const prefix = first[1];
  if (IDX_FILE.test(prefix)) return true;
  return !paths.every((p) => {
    const m = ROW_REF.exec(p);
    return m !== null && m[1] === prefix;
  });
}

function mismatch(a: MatchSource, b: MatchSource, why: string): LensError {
  return new LensError(`cannot compare ${a.name}, ${a.items.n} items, with ${b.name}, ${b.items.n} items: ${why}`);
}

function byPath(a: MatchSource, b: MatchSource): Int32Array {
  const pa = a.items.paths;
  const pb = b.items.paths;
  if (pa.length === pb.length && pa.every((p, i) => p === pb[i])) return Int32Array.from(pa, (_, i) => i);
  const rowOfB = new Map<string, number>();
  for (let j = 0; j < pb.length; j++) {
    if (rowOfB.has(pb[j])) throw mismatch(a, b, `B lists the item ${pb[j]} twice, so its items cannot be matched by path`);
    rowOfB.set(pb[j], j);
  }
  const aToB = new Int32Array(pa.length);
  const seen = new Uint8Array(pb.length);
  let missing = 0;
  let firstMissing = '';
  for (let i = 0; i < pa.length; i++) {
    const j = rowOfB.get(pa[i]);
    if (j === undefined || seen[j]) {
      if (missing++ === 0) firstMissing = pa[i];
      continue;
    }
    seen[j] = 1;
    aToB[i] = j;
  }
  const shared = pa.length - missing;
  if (missing > 0 || pa.length !== pb.length) {
    const onlyB = pb.find((_, j) => !seen[j]);
    const examples = [firstMissing && `only in A: ${firstMissing}`, onlyB && `only in B: ${onlyB}`].filter(Boolean).join('; ');
    throw mismatch(
      a,
      b,
      `they share ${shared} item paths (${examples}); both must be inspected over the same items — same dataset, same --max-items / --max-per-class and seed`,
    );
  }
  return aToB;
}

function classMap(a: MatchSource, b: MatchSource, aToB: Int32Array): Int32Array {
  const la = a.items.labels;
  const lb = b.items.labels;
  const nb = Math.max(
    b.items.classNames.length,
    lb.reduce((m, x) => Math.max(m, x + 1), 0),
  );
  const na = Math.max(
    a.items.classNames.length,
    la.reduce((m, x) => Math.max(m, x + 1), 0),
  );
  const bToAClass = new Int32Array(nb).fill(-1);
  const aFromB = new Int32Array(na).fill(-1);
  const nameA = (c: number) => a.items.classNames[c] ?? String(c);
  const nameB = (c: number) => b.items.classNames[c] ?? String(c);
  for (let i = 0; i < aToB.length; i++) {
    const j = aToB[i];
    const ca = la[i];
    const cb = lb[j];
    if (bToAClass[cb] === -1 && aFromB[ca] === -1) {
      bToAClass[cb] = ca;
      aFromB[ca] = cb;
    } else if (bToAClass[cb] !== ca) {
      const other =
        bToAClass[cb] !== -1
          ? `other items of B's "${nameB(cb)}" are A's "${nameA(bToAClass[cb])}"`
          : `other items of A's "${nameA(ca)}" are B's "${nameB(aFromB[ca])}"`;
      throw mismatch(
        a,
        b,
        `their labels group the items differently: ${a.items.paths[i]} is "${nameA(ca)}" under A and "${nameB(cb)}" under B, but ${other}`,
      );
    }
  }
  return bToAClass;
}

export function matchItems(a: MatchSource, b: MatchSource): ItemMatch {
  const notes: string[] = [];
  let by: ItemMatch['by'];
  let aToB: Int32Array;
  if (hasItemIdentities(a.items.paths) && hasItemIdentities(b.items.paths)) {
    by = 'path';
    aToB = byPath(a, b);
  } else {
    if (a.items.n !== b.items.n) {
      const which = hasItemIdentities(a.items.paths) ? 'B has' : hasItemIdentities(b.items.paths) ? 'A has' : 'neither has';
      throw mismatch(
        a,
        b,
        `${which} no item paths (precomputed embeddings with a labels file), so items can only be matched by position, which needs the same number of items`,
      );
    }
    by = 'index';
    aToB = Int32Array.from({ length: a.items.n }, (_, i) => i);
    notes.push(
      `items matched by position (row i of A is row i of B): ${hasItemIdentities(a.items.paths) || hasItemIdentities(b.items.paths) ? 'one side has' : 'both sides have'} no item paths`,
    );
  }
  const bToA = new Int32Array(aToB.length);
  for (let i = 0; i < aToB.length; i++) bToA[aToB[i]] = i;
  const classBToA = classMap(a, b, aToB);
  const sameOrder = aToB.every((j, i) => j === i);
  const sameClasses = classBToA.every((c, k) => c === -1 || c === k);
  const renamed = Array.from(classBToA).some(
    (ca, cb) => ca !== -1 && (b.items.classNames[cb] ?? String(cb)) !== (a.items.classNames[ca] ?? String(ca)),
  );
  if (renamed) {
    notes.push(`B's class names differ from A's (same grouping of items); A's names are shown`);
  }
  return { by, aToB, bToA, classBToA, identity: sameOrder && sameClasses, notes };
}
