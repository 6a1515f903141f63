/**
 * B's inspection restated in A's item order and A's class indices, so the panel can link items
 * across the two maps by index alone. Values are untouched: only rows and indices move.
 */
import type { InspectionData, InspectionItems } from '../model';
import type { KnnGraph } from '../retrieval/knn';
import type { ItemMatch } from './match';

function rows<T extends Float32Array | Int32Array>(src: T, width: number, aToB: Int32Array, make: (n: number) => T): T {
  const out = make(aToB.length * width);
  for (let i = 0; i < aToB.length; i++) out.set(src.subarray(aToB[i] * width, (aToB[i] + 1) * width), i * width);
  return out;
}

const mapClass = (m: ItemMatch, c: number) => (c >= 0 && c < m.classBToA.length ? m.classBToA[c] : c);

/** B's kNN graph with rows in A's order and neighbour indices in A's numbering. */
export function graphInAOrder(g: KnnGraph, m: ItemMatch): KnnGraph {
  if (m.identity || m.aToB.every((j, i) => j === i)) return g;
  const indices = rows(g.indices, g.k, m.aToB, (n) => new Int32Array(n));
  for (let t = 0; t < indices.length; t++) indices[t] = m.bToA[indices[t]];
  return { ...g, indices, distances: rows(g.distances, g.k, m.aToB, (n) => new Float32Array(n)) };
}

export function dataInAOrder(b: InspectionData, aItems: InspectionItems, m: ItemMatch): InspectionData {
  if (m.identity) return { ...b };
  const out: InspectionData = { ...b };
  const perm = m.aToB;
  if (b.items) {
    const items: InspectionItems = {
      n: perm.length,
      labels: Int32Array.from(aItems.labels),
      classNames: [...aItems.classNames],
      paths: Array.from(perm, (j) => b.items!.paths[j]),
    };
    if (b.items.thumbnails) items.thumbnails = Array.from(perm, (j) => b.items!.thumbnails![j]);
    out.items = items;
  }
  if (b.layout) {
    out.layout = {};
    if (b.layout.pca) out.layout.pca = rows(b.layout.pca, 2, perm, (n) => new Float32Array(n));
    if (b.layout.umap) out.layout.umap = rows(b.layout.umap, 2, perm, (n) => new Float32Array(n));
  }
  if (b.neighbours) {
    const g = graphInAOrder({ n: perm.length, ...b.neighbours }, m);
    out.neighbours = { k: g.k, indices: g.indices, distances: g.distances };
  }
  if (b.classes) {
    out.classes = b.classes
      .map((c) => ({
        ...c,
        classIndex: mapClass(m, c.classIndex),
        name: aItems.classNames[mapClass(m, c.classIndex)] ?? c.name,
        nearestClass: c.nearestClass >= 0 ? mapClass(m, c.nearestClass) : -1,
      }))
      .sort((x, y) => x.classIndex - y.classIndex);
  }
  if (b.eet) {
    out.eet = {
      ...b.eet,
      perClass: b.eet.perClass.map((c) => ({ ...c, classIndex: mapClass(m, c.classIndex) })).sort((x, y) => x.classIndex - y.classIndex),
    };
  }
  return out;
}
