import {
  zoom as d3zoom,
  zoomIdentity,
  select,
  timer as d3timer,
  easeCubicInOut,
  type ZoomBehavior,
  type ZoomTransform,
  type Timer,
} from 'd3';
import { h, svg } from '../dom';
import { type Rgba, type ThemeColors, toRgba } from '../colors';
import { createRenderer, type PointRenderer, type RendererChoice, type ScreenMap } from './renderer';
import { normaliseLayout, mixLayouts } from './world';
import { HitIndex, pointsInWorldPolygon } from './hitIndex';
import { NO_EMPHASIS, pointColors, type Emphasis } from './pointColors';
import { drawMarks, NO_MARKS, type Marks } from './marks';
import { bindPointer } from './pointer';
import { Tooltip } from './tooltip';
import { composite, emptyStats, type MapCallbacks, type MapMode, type MapStats } from './types';

export type { Emphasis } from './pointColors';
export type { Marks } from './marks';

export type { MapCallbacks, MapMode, MapStats } from './types';

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
  private tooltip = new Tooltip();
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
  private hits = new HitIndex();
  private emphasis: Emphasis = NO_EMPHASIS;
  private marks: Marks = NO_MARKS;
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
    this.el.append(this.overlay, this.sel, this.interact, this.tooltip.el);
    this.stats = emptyStats(this.renderer.kind);

    this.zoomer = d3zoom<HTMLDivElement, unknown>()
      .scaleExtent([0.5, 400])
      .filter((ev: Event) => ev.type === 'wheel' || (this.mode === 'pan' && !(ev as MouseEvent).button))
      .on('zoom', (ev: { transform: ZoomTransform }) => {
        this.transform = ev.transform;
        this.tooltip.hide();
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
    emphasis: Emphasis = NO_EMPHASIS,
  ): void {
    this.emphasis = emphasis;
    // Other items than the hover index was built over: it waits for their layout.
    if (labels.length !== this.n) this.hits.reset(this.to, Math.min(labels.length, this.to.length / 2));
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
    this.hits.reset(target, this.n);
    if (!animate || current === target) {
      this.from = target;
      this.to = target;
      this.t = 1;
      this.renderer.setPositions(target, target);
      this.stats.animating = false;
      this.invalidate();
      this.hits.schedule(() => this.t === 1);
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
        this.hits.schedule(() => this.t === 1);
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
    const { colors, order, active } = pointColors(this.labels, this.palette, this.theme.muted, this.emphasis);
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
    const radius = Math.max(4, this.pointSize() / 2 + 2) / m.ax;
    return this.hits.find((sx - m.bx) / m.ax, (sy - m.by) / m.ay, radius);
  }

  /** Whether hover hit-testing has its quadtree (the bench waits for it). */
  get hoverIndexReady(): boolean {
    return this.hits.ready;
  }

  /** Points inside a screen-space polygon (CSS px). */
  pointsInPolygon(poly: [number, number][]): number[] {
    const m = this.screenMap();
    const world = poly.map(([x, y]) => [(x - m.bx) / m.ax, (y - m.by) / m.ay] as [number, number]);
    return pointsInWorldPolygon(world, this.n, (i) => this.worldOf(i));
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
    const points = {
      n: this.n,
      labels: this.labels,
      paletteCss: this.paletteCss,
      worldOf: (i: number) => this.worldOf(i),
      pointSize: this.pointSize(),
      theme: this.theme,
    };
    drawMarks(ctx, m, points, this.marks, this.hover);
  }

  // ───────── pointer ─────────

  private bindPointer(): void {
    bindPointer(this.interact, {
      mode: () => this.mode,
      hitTest: (x, y) => this.hitTest(x, y),
      hover: (i, p) => {
        if (i !== this.hover) {
          this.hover = i;
          this.cb.onHover(i);
          this.invalidate();
        }
        if (i === null || !p) this.tooltip.hide();
        else this.showTooltip(i, p);
      },
      hideTooltip: () => this.tooltip.hide(),
      drawSelection: (poly) => this.selPath.setAttribute('d', poly.length ? `M${poly.map((p) => p.join(',')).join('L')}Z` : ''),
      select: (indices) => this.cb.onSelect(indices),
      pointsInPolygon: (poly) => this.pointsInPolygon(poly),
      pick: (i) => this.cb.onPick(i),
      panBy: (dx, dy) => {
        const t = this.transform;
        this.setTransform({ x: t.x + dx, y: t.y + dy, k: t.k });
      },
      zoomBy: (f) => this.zoomBy(f),
      resetZoom: () => this.resetZoom(),
    });
  }

  private showTooltip(i: number, p: [number, number]): void {
    const cls = this.labels[i];
    this.tooltip.show(
      {
        index: i,
        className: this.classNames[cls] ?? `class ${cls}`,
        color: this.paletteCss[cls],
        path: this.paths[i] ?? '',
        thumb: this.thumbs?.[i],
      },
      p,
      this.width,
      this.height,
    );
  }

  /**
   * The points and overlay composited on the theme background, for PNG export. `clean` leaves out
   * the query, its results and the hovered item: an exported figure carries no leftover highlights.
   */
  snapshot({ clean = false }: { clean?: boolean } = {}): HTMLCanvasElement {
    const { marks, hover } = this;
    if (clean) {
      this.marks = NO_MARKS;
      this.hover = null;
    }
    this.render();
    const out = composite([this.renderer.canvas, this.overlay], this.theme.background);
    if (clean) {
      this.marks = marks;
      this.hover = hover;
      this.render();
    }
    return out;
  }
}
