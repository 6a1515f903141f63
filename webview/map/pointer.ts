import type { MapMode } from './types';

type Point = [number, number];

/** What the pointer and keyboard handling of a map reads and calls. */
export interface PointerTarget {
  mode(): MapMode;
  /** Nearest point to a position in CSS px of the map, or null. */
  hitTest(x: number, y: number): number | null;
  /** The pointer is over point i (null: over none, or it left the map), at p. */
  hover(i: number | null, p?: Point): void;
  hideTooltip(): void;
  /** A box or lasso is being dragged: its outline so far (empty: none). */
  drawSelection(poly: Point[]): void;
  /** A box or lasso was released: the points inside (null: Escape cleared the selection). */
  select(indices: number[] | null): void;
  /** Points inside a polygon in CSS px of the map. */
  pointsInPolygon(poly: Point[]): number[];
  pick(i: number): void;
  panBy(dx: number, dy: number): void;
  zoomBy(factor: number): void;
  resetZoom(): void;
}

/** A box drag's four corners from its first and last pointer positions. */
export function boxPolygon(pts: Point[]): Point[] {
  if (pts.length < 2) return [];
  const [a, b] = [pts[0], pts[pts.length - 1]];
  return [a, [b[0], a[1]], b, [a[0], b[1]]];
}

function polyArea(poly: Point[]): number {
  let s = 0;
  for (let i = 0; i < poly.length; i++) {
    const [x1, y1] = poly[i];
    const [x2, y2] = poly[(i + 1) % poly.length];
    s += x1 * y2 - x2 * y1;
  }
  return Math.abs(s) / 2;
}

/**
 * Hover, click-to-pick, box and lasso selection, and the keyboard (arrows pan, + and − zoom, 0
 * resets, Escape clears the selection) on the map's interaction layer. Panning and wheel zoom
 * with the pointer are d3-zoom's.
 */
export function bindPointer(el: HTMLElement, t: PointerTarget): void {
  let drag: Point[] | null = null;
  const local = (ev: MouseEvent): Point => {
    const r = el.getBoundingClientRect();
    return [ev.clientX - r.left, ev.clientY - r.top];
  };
  const shape = (points: Point[]) => (t.mode() === 'box' ? boxPolygon(points) : points);
  el.addEventListener('pointermove', (ev) => {
    const p = local(ev);
    if (drag) {
      if (t.mode() === 'box') drag = [drag[0], p];
      else drag.push(p);
      t.drawSelection(shape(drag));
      return;
    }
    if (ev.buttons) return;
    t.hover(t.hitTest(p[0], p[1]), p);
  });
  el.addEventListener('pointerleave', () => t.hover(null));
  el.addEventListener('pointerdown', (ev) => {
    if (t.mode() === 'pan' || ev.button !== 0) return;
    el.setPointerCapture(ev.pointerId);
    drag = [local(ev)];
    t.hideTooltip();
  });
  el.addEventListener('pointerup', (ev) => {
    if (!drag) return;
    const points = drag;
    drag = null;
    t.drawSelection([]);
    el.releasePointerCapture(ev.pointerId);
    const poly = shape(points);
    if (poly.length < 3 || polyArea(poly) < 9) {
      // A click in a selection mode still picks the point under it.
      const i = t.hitTest(points[0][0], points[0][1]);
      if (i !== null) t.pick(i);
      return;
    }
    t.select(t.pointsInPolygon(poly));
  });
  el.addEventListener('click', (ev) => {
    if (t.mode() !== 'pan') return;
    const [x, y] = local(ev);
    const i = t.hitTest(x, y);
    if (i !== null) t.pick(i);
  });
  el.addEventListener('keydown', (ev) => {
    const step = 40;
    switch (ev.key) {
      case 'ArrowLeft':
        t.panBy(step, 0);
        break;
      case 'ArrowRight':
        t.panBy(-step, 0);
        break;
      case 'ArrowUp':
        t.panBy(0, step);
        break;
      case 'ArrowDown':
        t.panBy(0, -step);
        break;
      case '+':
      case '=':
        t.zoomBy(1.5);
        break;
      case '-':
      case '_':
        t.zoomBy(1 / 1.5);
        break;
      case '0':
        t.resetZoom();
        break;
      case 'Escape':
        t.select(null);
        break;
      default:
        return;
    }
    ev.preventDefault();
  });
}
