import { quadtree as d3quadtree, polygonContains, type Quadtree } from 'd3';

/**
 * Which point is under the pointer, in world coordinates: a quadtree over the settled positions,
 * built in slices between frames (a single addAll over 200k points blocks the page for most of a
 * second on a busy machine), with a linear scan while it is being built.
 */
export class HitIndex {
  private to: Float32Array = new Float32Array(0);
  private n = 0;
  private tree: Quadtree<number> | null = null;
  private complete = false;
  private job = 0;

  /** New settled positions (x, y interleaved): the old tree is dropped, a new one waits for build(). */
  reset(to: Float32Array, n: number): void {
    this.to = to;
    this.n = n;
    this.tree = null;
    this.complete = false;
    this.job++;
  }

  /** Starts the tree once the points have settled (`stillSettled` says they have), so the first hover already has it. */
  schedule(stillSettled: () => boolean): void {
    const to = this.to;
    setTimeout(() => {
      if (!this.tree && this.to === to && this.n > 0 && stillSettled()) this.build();
    }, 30);
  }

  /** Whether the quadtree is complete (the bench waits for it). */
  get ready(): boolean {
    return this.complete;
  }

  /** Nearest point to (wx, wy) within `radius` (world units), or null. */
  find(wx: number, wy: number, radius: number): number | null {
    if (!this.tree) this.build();
    if (this.complete && this.tree) {
      const found = this.tree.find(wx, wy, radius);
      return found === undefined ? null : found;
    }
    // While the quadtree is still being built in the background: a linear scan (~1 ms at 200k).
    const to = this.to;
    let best = -1;
    let bestD = radius * radius;
    for (let i = 0; i < this.n; i++) {
      const dx = to[2 * i] - wx,
        dy = to[2 * i + 1] - wy;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best < 0 ? null : best;
  }

  private build(): void {
    const to = this.to;
    const n = this.n;
    const tree = d3quadtree<number>()
      .x((i) => to[2 * i])
      .y((i) => to[2 * i + 1]);
    // Fix the extent first so later slices never re-cover (and re-split) the root.
    let x0 = Infinity,
      y0 = Infinity,
      x1 = -Infinity,
      y1 = -Infinity;
    for (let i = 0; i < n; i++) {
      x0 = Math.min(x0, to[2 * i]);
      x1 = Math.max(x1, to[2 * i]);
      y0 = Math.min(y0, to[2 * i + 1]);
      y1 = Math.max(y1, to[2 * i + 1]);
    }
    if (n)
      tree.extent([
        [x0, y0],
        [x1 + 1e-6, y1 + 1e-6],
      ]);
    this.tree = tree;
    this.complete = false;
    const job = ++this.job;
    const SLICE = 25_000;
    let next = 0;
    const step = () => {
      if (job !== this.job || this.tree !== tree) return;
      const end = Math.min(n, next + SLICE);
      for (let i = next; i < end; i++) tree.add(i);
      next = end;
      if (next < n) setTimeout(step, 0);
      else this.complete = true;
    };
    step();
  }
}

/** The points (of n, at worldOf(i)) inside a polygon given in world coordinates. */
export function pointsInWorldPolygon(world: [number, number][], n: number, worldOf: (i: number) => [number, number]): number[] {
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (const [x, y] of world) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const [x, y] = worldOf(i);
    if (x < minX || x > maxX || y < minY || y > maxY) continue;
    if (polygonContains(world, [x, y])) out.push(i);
  }
  return out;
}
