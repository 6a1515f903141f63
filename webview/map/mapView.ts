import {
  zoom as d3zoom,
  zoomIdentity,
  select,
  timer as d3timer,
  easeCubicInOut,
  quadtree as d3quadtree,
  polygonContains,
  type ZoomBehavior,
  type ZoomTransform,
  type Quadtree,
  type Timer,
} from 'd3';
import { breakablePath, h, svg } from '../dom';
import { type Rgba, type ThemeColors, toRgba } from '../colors';
import { createRenderer, type PointRenderer, type RendererChoice, type ScreenMap } from './renderer';
import { normaliseLayout, mixLayouts } from './world';

export type MapMode = 'pan' | 'box' | 'lasso';

/** Which points keep their class colour; everything else is drawn muted (never hidden). */
export interface Emphasis {
  hidden: ReadonlySet<number>;
  isolated: number | null;
  /** 1 = selected; null = no selection, so every visible class stays coloured. */
  selected: Uint8Array | null;
}

/** Rings drawn over the points: the neighbour query, its results, the result under the pointer. */
export interface Marks {
  query: number | null;
  results: number[];
  hits: boolean[];
  hot: number | null;
}

export interface MapCallbacks {
  onPick(index: number): void;
  onSelect(indices: number[] | null): void;
  onHover(index: number | null): void;
  onTransform(t: { x: number; y: number; k: number }): void;
}

export interface MapStats {
  renderer: 'webgl2' | 'canvas2d';
  pointsDrawn: number;
  activePoints: number;
  frames: number;
  lastDrawMs: number;
  firstFrameAt: number | null;
  layout: 'pca' | 'umap' | null;
  animating: boolean;
}

const PAD = 28;

/** One map instance: a Compare panel creates two and links their transforms through onTransform/setTransform. */
export class MapView {
  readonly el: HTMLElement;
  private renderer: PointRenderer;
  private overlay: HTMLCanvasElement;
  private octx: CanvasRenderingContext2D;
  private interact: HTMLDivElement;
  private sel: SVGSVGElement;
  private selPath: SVGPathElement;
  private tooltip: HTMLDivElement;
  private zoomer: ZoomBehavior<HTMLDivElement, unknown>;
  private transform: ZoomTransform = zoomIdentity;
  private width = 1;
  private height = 1;
  private n = 0;
  private labels: Int32Array = new Int32Array(0);
  private classNames: string[] = [];
  private paths: string[] = [];
  private thumbs: string[] | undefined;
  private palette: Rgba[] = [];
  private paletteCss: string[] = [];
  private from: Float32Array = new Float32Array(0);
  private to: Float32Array = new Float32Array(0);
  private t = 1;
  private anim: Timer | null = null;
  private tree: Quadtree<number> | null = null;
  private emphasis: Emphasis = { hidden: new Set(), isolated: null, selected: null };
  private marks: Marks = { query: null, results: [], hits: [], hot: null };
  private hover: number | null = null;
  private mode: MapMode = 'pan';
  private frameRequested = false;
  /** The colours the map is drawn with (the export draws its figure with them too). */
  theme: ThemeColors;
  readonly stats: MapStats;
  layoutKind: 'pca' | 'umap' | null = null;

  constructor(
    private cb: MapCallbacks,
    theme: ThemeColors,
    rendererChoice: RendererChoice = 'auto',
    label = 'Embedding map',
  ) {
    this.theme = theme;
    this.el = h('div', { class: 'map' });
    const makeCanvas = () => {
      const c = h('canvas', { class: 'map-points', 'aria-hidden': 'true' });
      this.el.append(c);
      return c;
    };
    this.renderer = createRenderer(rendererChoice, makeCanvas);
    this.overlay = h('canvas', { class: 'map-overlay', 'aria-hidden': 'true' });
    this.octx = this.overlay.getContext('2d')!;
    this.interact = h('div', {
      class: 'map-interact',
      tabindex: 0,
      role: 'application',
      'aria-label': `${label}: drag to pan, wheel to zoom, click a point to see its neighbours; arrow keys pan, + and − zoom, Escape clears the selection`,
    });
    this.sel = svg('svg', { class: 'map-selection' });
    this.selPath = svg('path', { class: 'map-selection-path' });
    this.sel.append(this.selPath);
    this.tooltip = h('div', { class: 'map-tooltip', role: 'tooltip', hidden: true });
    this.el.append(this.overlay, this.sel, this.interact, this.tooltip);
    this.stats = {
      renderer: this.renderer.kind,
      pointsDrawn: 0,
      activePoints: 0,
      frames: 0,
      lastDrawMs: 0,
      firstFrameAt: null,
      layout: null,
      animating: false,
    };

    this.zoomer = d3zoom<HTMLDivElement, unknown>()
      .scaleExtent([0.5, 400])
      .filter((ev: Event) => ev.type === 'wheel' || (this.mode === 'pan' && !(ev as MouseEvent).button))
      .on('zoom', (ev: { transform: ZoomTransform }) => {
        this.transform = ev.transform;
        this.hideTooltip();
        this.invalidate();
        this.cb.onTransform({ x: ev.transform.x, y: ev.transform.y, k: ev.transform.k });
      });
    select(this.interact).call(this.zoomer).on('dblclick.zoom', null);
    this.bindPointer();
    new ResizeObserver(() => this.resize()).observe(this.el);
  }

  // ───────── data ─────────

  /** New items; `emphasis` (default: everything coloured) comes along so colours are computed once. */
  setItems(
    labels: Int32Array,
    classNames: string[],
    paths: string[],
    thumbs: string[] | undefined,
    palette: string[],
    emphasis: Emphasis = { hidden: new Set(), isolated: null, selected: null },
  ): void {
    this.emphasis = emphasis;
    this.n = labels.length;
    this.labels = labels;
    this.classNames = classNames;
    this.paths = paths;
    this.thumbs = thumbs;
    this.paletteCss = palette;
    this.palette = palette.map((c) => toRgba(c, 0.9));
    this.recolor();
  }

  /**
   * Shows a layout. With animate, points glide from where they are now (the PCA start, or the
   * previous UMAP frame) into the new positions.
   */
  setLayout(kind: 'pca' | 'umap', coords: Float32Array, animate: boolean, durationMs = 900): void {
    const target = normaliseLayout(coords);
    const current = this.from.length === target.length ? mixLayouts(this.from, this.to, this.t) : target;
    this.anim?.stop();
    this.layoutKind = kind;
    this.stats.layout = kind;
    this.tree = null;
    this.treeComplete = false;
    if (!animate || current === target) {
      this.from = target;
      this.to = target;
      this.t = 1;
      this.renderer.setPositions(target, target);
      this.stats.animating = false;
      this.invalidate();
      this.scheduleTree();
      return;
    }
    this.from = current;
    this.to = target;
    this.t = 0;
    this.renderer.setPositions(current, target);
    this.stats.animating = true;
    this.anim = d3timer((elapsed) => {
      this.t = easeCubicInOut(Math.min(1, elapsed / durationMs));
      this.invalidate();
      if (elapsed >= durationMs) {
        this.anim?.stop();
        this.anim = null;
        this.t = 1;
        this.stats.animating = false;
        this.scheduleTree();
      }
    });
  }

  setEmphasis(e: Emphasis): void {
    this.emphasis = e;
    this.recolor();
  }

  setMarks(m: Marks): void {
    this.marks = m;
    this.invalidate();
  }

  setTheme(theme: ThemeColors): void {
    this.theme = theme;
    this.recolor();
  }

  setMode(mode: MapMode): void {
    this.mode = mode;
    this.el.dataset.mode = mode;
  }

  getMode(): MapMode {
    return this.mode;
  }

  setTransform(t: { x: number; y: number; k: number }): void {
    select(this.interact).call(this.zoomer.transform, zoomIdentity.translate(t.x, t.y).scale(t.k));
  }

  resetZoom(): void {
    select(this.interact).call(this.zoomer.transform, zoomIdentity);
  }

  zoomBy(factor: number): void {
    select(this.interact).call(this.zoomer.scaleBy, factor);
  }

  focus(): void {
    this.interact.focus();
  }

  private recolor(): void {
    const n = this.n;
    const colors = new Uint8Array(n * 4);
    // One packed little-endian RGBA word per point: a single store instead of four.
    const packed = new Uint32Array(colors.buffer);
    const pack = (c: Rgba) => (c[0] | (c[1] << 8) | (c[2] << 16) | (c[3] << 24)) >>> 0;
    const muted = pack(this.theme.muted);
    const classColor = Uint32Array.from(this.palette, pack);
    const { hidden, isolated, selected } = this.emphasis;
    const classOn = new Uint8Array(Math.max(classColor.length, 1));
    for (let c = 0; c < classColor.length; c++) classOn[c] = !hidden.has(c) && (isolated === null || isolated === c) ? 1 : 0;
    const on = new Uint8Array(n);
    let active = 0;
    for (let i = 0; i < n; i++) {
      const c = this.labels[i];
      const yes = classOn[c] === 1 && (!selected || selected[i] === 1);
      on[i] = yes ? 1 : 0;
      packed[i] = yes ? classColor[c] : muted;
      if (yes) active++;
    }
    // Muted first, so coloured points are drawn on top of the grey ones.
    const order = new Uint32Array(n);
    let lo = 0, hi = n - active;
    for (let i = 0; i < n; i++) order[on[i] ? hi++ : lo++] = i;
    this.stats.activePoints = active;
    this.renderer.setColors(colors, order);
    this.invalidate();
  }

  // ───────── geometry ─────────

  /** World → screen for the current zoom. */
  screenMap(): ScreenMap {
    const S = Math.max(10, Math.min(this.width, this.height) - 2 * PAD);
    const x0 = (this.width - S) / 2;
    const y0 = (this.height - S) / 2;
    const { k, x, y } = this.transform;
    return { ax: k * S, bx: k * x0 + x, ay: -k * S, by: k * (y0 + S) + y };
  }

  private pointSize(): number {
    const base = Math.min(7, Math.max(2, 7.5 - 1.1 * Math.log10(Math.max(1, this.n))));
    return base * Math.min(3, Math.sqrt(this.transform.k));
  }

  private worldOf(i: number): [number, number] {
    const s = 1 - this.t;
    return [this.from[2 * i] * s + this.to[2 * i] * this.t, this.from[2 * i + 1] * s + this.to[2 * i + 1] * this.t];
  }

  screenOf(i: number): [number, number] {
    const m = this.screenMap();
    const [wx, wy] = this.worldOf(i);
    return [m.ax * wx + m.bx, m.ay * wy + m.by];
  }

  /** Nearest point within a few pixels of (sx, sy) in CSS px, or null. Quadtree in world space. */
  hitTest(sx: number, sy: number): number | null {
    if (this.n === 0 || this.t !== 1) return null;
    const m = this.screenMap();
    const wx = (sx - m.bx) / m.ax;
    const wy = (sy - m.by) / m.ay;
    const radius = Math.max(4, this.pointSize() / 2 + 2) / m.ax;
    if (!this.tree) this.buildTree();
    if (this.treeComplete && this.tree) {
      const found = this.tree.find(wx, wy, radius);
      return found === undefined ? null : found;
    }
    // While the quadtree is still being built in the background: a linear scan (~1 ms at 200k).
    const to = this.to;
    let best = -1;
    let bestD = radius * radius;
    for (let i = 0; i < this.n; i++) {
      const dx = to[2 * i] - wx, dy = to[2 * i + 1] - wy;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best < 0 ? null : best;
  }

  private treeComplete = false;
  private treeJob = 0;

  /**
   * Builds the hover quadtree in slices between frames: a single addAll over 200k points
   * blocks the page for most of a second on a busy machine.
   */
  private buildTree(): void {
    const to = this.to;
    const n = this.n;
    const tree = d3quadtree<number>().x((i) => to[2 * i]).y((i) => to[2 * i + 1]);
    // Fix the extent first so later slices never re-cover (and re-split) the root.
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let i = 0; i < n; i++) {
      x0 = Math.min(x0, to[2 * i]); x1 = Math.max(x1, to[2 * i]);
      y0 = Math.min(y0, to[2 * i + 1]); y1 = Math.max(y1, to[2 * i + 1]);
    }
    if (n) tree.extent([[x0, y0], [x1 + 1e-6, y1 + 1e-6]]);
    this.tree = tree;
    this.treeComplete = false;
    const job = ++this.treeJob;
    const SLICE = 25_000;
    let next = 0;
    const step = () => {
      if (job !== this.treeJob || this.tree !== tree) return;
      const end = Math.min(n, next + SLICE);
      for (let i = next; i < end; i++) tree.add(i);
      next = end;
      if (next < n) setTimeout(step, 0);
      else this.treeComplete = true;
    };
    step();
  }

  /** Starts the hover index once the points have settled, so the first hover already has it. */
  private scheduleTree(): void {
    const to = this.to;
    setTimeout(() => {
      if (!this.tree && this.t === 1 && this.to === to && this.n > 0) this.buildTree();
    }, 30);
  }

  /** Whether hover hit-testing has its quadtree (the bench waits for it). */
  get hoverIndexReady(): boolean {
    return this.treeComplete;
  }

  /** Points inside a screen-space polygon (CSS px). */
  pointsInPolygon(poly: [number, number][]): number[] {
    const m = this.screenMap();
    const world = poly.map(([x, y]) => [(x - m.bx) / m.ax, (y - m.by) / m.ay] as [number, number]);
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const [x, y] of world) {
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) {
      const [x, y] = this.worldOf(i);
      if (x < minX || x > maxX || y < minY || y > maxY) continue;
      if (polygonContains(world, [x, y])) out.push(i);
    }
    return out;
  }

  // ───────── drawing ─────────

  private sized = false;

  private resize(): void {
    const r = this.el.getBoundingClientRect();
    this.sized = r.width > 0 && r.height > 0;
    this.width = Math.max(1, r.width);
    this.height = Math.max(1, r.height);
    const dpr = window.devicePixelRatio || 1;
    this.renderer.resize(this.width, this.height, dpr);
    this.overlay.width = Math.round(this.width * dpr);
    this.overlay.height = Math.round(this.height * dpr);
    this.sel.setAttribute('viewBox', `0 0 ${this.width} ${this.height}`);
    this.invalidate();
  }

  invalidate(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.render();
    });
  }

  /** Draws now (also used before exporting a PNG, which must read the WebGL buffer in the same task). */
  render(): void {
    // Before the first ResizeObserver callback the canvases have no size yet; measure now
    // rather than lose a frame waiting for it.
    if (!this.sized) this.resize();
    const t0 = performance.now();
    const m = this.screenMap();
    this.stats.pointsDrawn = this.renderer.draw(m, this.t, this.pointSize());
    this.drawOverlay(m);
    this.stats.lastDrawMs = performance.now() - t0;
    this.stats.frames++;
    if (this.stats.firstFrameAt === null && this.stats.pointsDrawn > 0) this.stats.firstFrameAt = performance.now();
    this.el.dataset.pointsDrawn = String(this.stats.pointsDrawn);
  }

  /** Waits for the GPU to finish the last frame (for timing). */
  finish(): void {
    this.renderer.finish();
  }

  private drawOverlay(m: ScreenMap): void {
    const ctx = this.octx;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    const r = this.pointSize() / 2;
    const at = (i: number) => {
      const [wx, wy] = this.worldOf(i);
      return [m.ax * wx + m.bx, m.ay * wy + m.by] as const;
    };
    const ring = (i: number, radius: number, stroke: string, width: number, fill?: string) => {
      const [x, y] = at(i);
      ctx.beginPath();
      ctx.arc(x, y, radius, 0, Math.PI * 2);
      if (fill) {
        ctx.fillStyle = fill;
        ctx.fill();
      }
      ctx.lineWidth = width;
      ctx.strokeStyle = stroke;
      ctx.stroke();
    };
    const bg = `rgb(${this.theme.background.slice(0, 3).join(',')})`;
    const { results, hits, query, hot } = this.marks;
    results.forEach((i, j) => {
      const c = this.paletteCss[this.labels[i]] ?? this.theme.foreground;
      ring(i, r + 3, hits[j] === false ? '#f14c4c' : bg, 1.5, c);
    });
    if (query !== null && query < this.n) {
      ring(query, r + 6, this.theme.highlight, 2.5, this.paletteCss[this.labels[query]]);
    }
    if (hot !== null && hot < this.n) ring(hot, r + 8, this.theme.highlight, 3);
    if (this.hover !== null && this.hover < this.n) ring(this.hover, r + 4, this.theme.foreground, 2);
  }

  // ───────── pointer ─────────

  private bindPointer(): void {
    const el = this.interact;
    let drag: [number, number][] | null = null;
    const local = (ev: PointerEvent): [number, number] => {
      const r = el.getBoundingClientRect();
      return [ev.clientX - r.left, ev.clientY - r.top];
    };
    el.addEventListener('pointermove', (ev) => {
      const p = local(ev);
      if (drag) {
        if (this.mode === 'box') drag = [drag[0], p];
        else drag.push(p);
        this.drawSelectionShape(drag);
        return;
      }
      if (ev.buttons) return;
      const i = this.hitTest(p[0], p[1]);
      if (i !== this.hover) {
        this.hover = i;
        this.cb.onHover(i);
        this.invalidate();
      }
      if (i === null) this.hideTooltip();
      else this.showTooltip(i, p);
    });
    el.addEventListener('pointerleave', () => {
      if (this.hover !== null) {
        this.hover = null;
        this.cb.onHover(null);
        this.invalidate();
      }
      this.hideTooltip();
    });
    el.addEventListener('pointerdown', (ev) => {
      if (this.mode === 'pan' || ev.button !== 0) return;
      el.setPointerCapture(ev.pointerId);
      drag = [local(ev)];
      this.hideTooltip();
    });
    el.addEventListener('pointerup', (ev) => {
      if (!drag) return;
      const shape = drag;
      drag = null;
      this.selPath.setAttribute('d', '');
      el.releasePointerCapture(ev.pointerId);
      const poly = this.mode === 'box' ? boxPolygon(shape) : shape;
      if (poly.length < 3 || polyArea(poly) < 9) {
        // A click in a selection mode still picks the point under it.
        const i = this.hitTest(shape[0][0], shape[0][1]);
        if (i !== null) this.cb.onPick(i);
        return;
      }
      this.cb.onSelect(this.pointsInPolygon(poly));
    });
    el.addEventListener('click', (ev) => {
      if (this.mode !== 'pan') return;
      const r = el.getBoundingClientRect();
      const i = this.hitTest(ev.clientX - r.left, ev.clientY - r.top);
      if (i !== null) this.cb.onPick(i);
    });
    el.addEventListener('keydown', (ev) => {
      const step = 40;
      const t = this.transform;
      const pan = (dx: number, dy: number) => this.setTransform({ x: t.x + dx, y: t.y + dy, k: t.k });
      switch (ev.key) {
        case 'ArrowLeft': pan(step, 0); break;
        case 'ArrowRight': pan(-step, 0); break;
        case 'ArrowUp': pan(0, step); break;
        case 'ArrowDown': pan(0, -step); break;
        case '+': case '=': this.zoomBy(1.5); break;
        case '-': case '_': this.zoomBy(1 / 1.5); break;
        case '0': this.resetZoom(); break;
        case 'Escape': this.cb.onSelect(null); break;
        default: return;
      }
      ev.preventDefault();
    });
  }

  private drawSelectionShape(points: [number, number][]): void {
    const poly = this.mode === 'box' ? boxPolygon(points) : points;
    this.selPath.setAttribute('d', poly.length ? `M${poly.map((p) => p.join(',')).join('L')}Z` : '');
  }

  private showTooltip(i: number, [x, y]: [number, number]): void {
    const tip = this.tooltip;
    const cls = this.labels[i];
    const thumb = this.thumbs?.[i];
    tip.replaceChildren(
      ...(thumb ? [h('img', { class: 'thumb', src: thumb, alt: '', width: 64, height: 64 })] : []),
      h(
        'div',
        { class: 'tip-text' },
        h('div', { class: 'tip-class' }, h('span', { class: 'swatch', style: `background:${this.paletteCss[cls]}` }), this.classNames[cls] ?? `class ${cls}`),
        h('div', { class: 'tip-path' }, ...breakablePath(this.paths[i] ?? '')),
        h('div', { class: 'tip-index' }, `item #${i}`),
      ),
    );
    tip.hidden = false;
    const w = tip.offsetWidth;
    const hgt = tip.offsetHeight;
    const left = x + 14 + w > this.width ? x - 14 - w : x + 14;
    const top = Math.min(Math.max(4, y - hgt / 2), this.height - hgt - 4);
    tip.style.transform = `translate(${Math.max(4, left)}px, ${top}px)`;
  }

  private hideTooltip(): void {
    this.tooltip.hidden = true;
  }

  /**
   * The points and overlay composited on the theme background, for PNG export. `clean` leaves out
   * the query, its results and the hovered item: an exported figure carries no leftover highlights.
   */
  snapshot({ clean = false }: { clean?: boolean } = {}): HTMLCanvasElement {
    const { marks, hover } = this;
    if (clean) {
      this.marks = { query: null, results: [], hits: [], hot: null };
      this.hover = null;
    }
    this.render();
    const out = document.createElement('canvas');
    out.width = this.renderer.canvas.width;
    out.height = this.renderer.canvas.height;
    const ctx = out.getContext('2d')!;
    const bg = this.theme.background;
    ctx.fillStyle = `rgb(${bg[0]},${bg[1]},${bg[2]})`;
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(this.renderer.canvas, 0, 0);
    ctx.drawImage(this.overlay, 0, 0);
    if (clean) {
      this.marks = marks;
      this.hover = hover;
      this.render();
    }
    return out;
  }
}

function boxPolygon(pts: [number, number][]): [number, number][] {
  if (pts.length < 2) return [];
  const [a, b] = [pts[0], pts[pts.length - 1]];
  return [a, [b[0], a[1]], b, [a[0], b[1]]];
}

function polyArea(poly: [number, number][]): number {
  let s = 0;
  for (let i = 0; i < poly.length; i++) {
    const [x1, y1] = poly[i];
    const [x2, y2] = poly[(i + 1) % poly.length];
    s += x1 * y2 - x2 * y1;
  }
  return Math.abs(s) / 2;
}
