import { h, svg } from '../dom';
import type { MapMode } from '../map/mapView';

/** 16×16 stroke icons (no icon font: the report must work offline, the panel under a strict CSP). */
const ICONS = {
  pan: 'M8 1.5v13M1.5 8h13M8 1.5 6 3.5M8 1.5l2 2M8 14.5l-2-2M8 14.5l2-2M1.5 8l2-2M1.5 8l2 2M14.5 8l-2-2M14.5 8l-2 2',
  box: 'M2.5 3.5h11v9h-11z',
  lasso: 'M8 3c3.6 0 6 1.5 6 3.5S11.6 10 8 10 2 8.5 2 6.5 4.4 3 8 3zM5 9.5c-.8 1.5-.2 3 1.2 3.4 1 .3 1.8-.4 1.6-1.4',
  fit: 'M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4',
};

function icon(d: string): SVGSVGElement {
  const s = svg('svg', { viewBox: '0 0 16 16', 'aria-hidden': 'true' });
  s.append(svg('path', { d, ...(d === ICONS.box ? { 'stroke-dasharray': '2 1.5' } : {}) }));
  return s;
}

export type LayoutKind = 'pca' | 'umap';

/** What the inspection's map toolbar calls. */
export interface ToolbarContext {
  setMode(mode: MapMode): void;
  showLayout(kind: LayoutKind): void;
  resetZoom(): void;
  search(text: string): void;
}

/** Pointer mode (pan, box, lasso), PCA/UMAP, reset zoom and the search box above the inspection's map. */
export class MapToolbar {
  readonly el: HTMLElement;
  readonly searchInput: HTMLInputElement;
  private modeButtons = new Map<MapMode, HTMLButtonElement>();
  private layoutButtons = new Map<LayoutKind, HTMLButtonElement>();

  constructor(ctx: ToolbarContext) {
    const tool = (mode: MapMode, label: string, d: string) => {
      const b = h(
        'button',
        {
          type: 'button',
          class: 'tool',
          'aria-pressed': mode === 'pan' ? 'true' : 'false',
          title: label,
          'aria-label': label,
          onclick: () => ctx.setMode(mode),
        },
        icon(d),
      );
      this.modeButtons.set(mode, b);
      return b;
    };
    const layoutBtn = (kind: LayoutKind) => {
      const b = h(
        'button',
        { type: 'button', class: 'tool text', 'aria-pressed': 'false', disabled: true, onclick: () => ctx.showLayout(kind) },
        kind.toUpperCase(),
      );
      this.layoutButtons.set(kind, b);
      return b;
    };
    this.searchInput = h('input', {
      type: 'search',
      class: 'search',
      placeholder: 'Search class or path',
      'aria-label': 'Search by class name or path',
      oninput: () => ctx.search(this.searchInput.value),
    });
    this.el = h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': 'Map tools' },
      h(
        'div',
        { class: 'segmented', role: 'group', 'aria-label': 'Pointer mode' },
        tool('pan', 'Pan and zoom (click a point for its neighbours)', ICONS.pan),
        tool('box', 'Box select', ICONS.box),
        tool('lasso', 'Lasso select', ICONS.lasso),
      ),
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Layout' }, layoutBtn('pca'), layoutBtn('umap')),
      h(
        'button',
        { type: 'button', class: 'tool', title: 'Reset zoom (0)', 'aria-label': 'Reset zoom', onclick: () => ctx.resetZoom() },
        icon(ICONS.fit),
      ),
      this.searchInput,
    );
  }

  showMode(mode: MapMode): void {
    for (const [m, b] of this.modeButtons) b.setAttribute('aria-pressed', m === mode ? 'true' : 'false');
  }

  /** Enables the layouts there are and presses the one on show; `partial` marks a stopped UMAP. */
  showLayouts(available: Record<LayoutKind, boolean>, shown: LayoutKind | null, partial: boolean): void {
    for (const [k, b] of this.layoutButtons) {
      b.disabled = !available[k];
      b.setAttribute('aria-pressed', shown === k ? 'true' : 'false');
    }
    this.layoutButtons.get('umap')?.classList.toggle('partial', partial);
  }
}

/** The items a search names: those of a class whose name contains `q`, or whose path does (q lower-case). */
export function matchItems(
  items: { n: number; labels: ArrayLike<number>; classNames: readonly string[]; paths: readonly string[] },
  q: string,
): number[] {
  const classMatch = items.classNames.map((n) => n.toLowerCase().includes(q));
  const out: number[] = [];
  for (let i = 0; i < items.n; i++) if (classMatch[items.labels[i]] || items.paths[i].toLowerCase().includes(q)) out.push(i);
  return out;
}
