import type { ThemeColors } from '../colors';
import type { ScreenMap } from './renderer';

/** Rings drawn over the points: the neighbour query, its results, the result under the pointer. */
export interface Marks {
  query: number | null;
  results: number[];
  hits: boolean[];
  hot: number | null;
}

export const NO_MARKS: Marks = { query: null, results: [], hits: [], hot: null };

/** What drawing the rings needs to know of the points. */
export interface MarkedPoints {
  n: number;
  labels: Int32Array;
  paletteCss: readonly string[];
  worldOf(i: number): [number, number];
  /** The point's drawn diameter in CSS px. */
  pointSize: number;
  theme: ThemeColors;
}

/**
 * The overlay: a ring per result (red edge for a wrong class), a bigger one on the query, one on
 * the result row under the pointer (`marks.hot`) and one on the hovered point.
 */
export function drawMarks(ctx: CanvasRenderingContext2D, m: ScreenMap, p: MarkedPoints, marks: Marks, hover: number | null): void {
  const r = p.pointSize / 2;
  const ring = (i: number, radius: number, stroke: string, width: number, fill?: string) => {
    const [wx, wy] = p.worldOf(i);
    ctx.beginPath();
    ctx.arc(m.ax * wx + m.bx, m.ay * wy + m.by, radius, 0, Math.PI * 2);
    if (fill) {
      ctx.fillStyle = fill;
      ctx.fill();
    }
    ctx.lineWidth = width;
    ctx.strokeStyle = stroke;
    ctx.stroke();
  };
  const bg = `rgb(${p.theme.background.slice(0, 3).join(',')})`;
  const { results, hits, query, hot } = marks;
  results.forEach((i, j) => {
    const c = p.paletteCss[p.labels[i]] ?? p.theme.foreground;
    ring(i, r + 3, hits[j] === false ? '#f14c4c' : bg, 1.5, c);
  });
  if (query !== null && query < p.n) ring(query, r + 6, p.theme.highlight, 2.5, p.paletteCss[p.labels[query]]);
  if (hot !== null && hot < p.n) ring(hot, r + 8, p.theme.highlight, 3);
  if (hover !== null && hover < p.n) ring(hover, r + 4, p.theme.foreground, 2);
}
