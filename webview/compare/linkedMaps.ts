/**
 * The compare panel's two maps, linked: one zoom, one pointer mode, one emphasis, and the item under
 * the pointer on either map ringed on both. Before the comparison exists each map fills in from its
 * side's own inspection stages (B not yet aligned).
 */
import type { CompareData, InspectionItems, InspectionLayout, InspectionPatch } from '../../src/protocol';
import { classPalette, readTheme, type ThemeColors } from '../colors';
import { h } from '../dom';
import { MapView, type Emphasis, type MapMode } from '../map/mapView';
import type { RendererChoice } from '../map/renderer';
import type { Side } from './header';

/** What the maps tell the compare app. */
export interface LinkedMapsOwner {
  pick(i: number): void;
  setSelection(sel: number[] | null): void;
  /** The shared zoom changed (to persist it). */
  zoomed(t: { x: number; y: number; k: number }): void;
  /** The pointer is over item i on one of the maps (null: none). */
  hovered(i: number | null): void;
}

type Transform = { x: number; y: number; k: number };

export class LinkedMaps {
  readonly maps: Record<Side, MapView>;
  /** Pointer mode (pan, box, lasso: selections apply to both maps) and Fit. */
  readonly toolbar: HTMLElement;
  private modeButtons = new Map<MapMode, HTMLButtonElement>();
  private syncing = false;
  private hot: number | null = null;
  private marks: { query: number | null; results: Record<Side, number[]>; hits: Record<Side, boolean[]> } = {
    query: null,
    results: { a: [], b: [] },
    hits: { a: [], b: [] },
  };
  private early: Record<Side, { items?: InspectionItems; layout?: InspectionLayout }> = { a: {}, b: {} };

  constructor(
    private owner: LinkedMapsOwner,
    renderer: RendererChoice,
  ) {
    const theme = readTheme();
    const make = (side: Side) =>
      new MapView(
        {
          onPick: (i) => owner.pick(i),
          onSelect: (sel) => owner.setSelection(sel),
          onHover: (i) => this.linkHover(side, i),
          onTransform: (t) => this.linkTransform(side, t),
        },
        theme,
        renderer,
        side === 'a' ? 'Map of checkpoint A' : 'Map of checkpoint B, aligned to A',
      );
    this.maps = { a: make('a'), b: make('b') };
    this.maps.a.el.dataset.side = 'a';
    this.maps.b.el.dataset.side = 'b';
    const tool = (mode: MapMode, label: string) => {
      const b = h(
        'button',
        {
          type: 'button',
          class: 'tool text',
          'aria-pressed': mode === 'pan' ? 'true' : 'false',
          title: label,
          'aria-label': label,
          onclick: () => this.setMode(mode),
        },
        mode === 'pan' ? 'Pan' : mode === 'box' ? 'Box' : 'Lasso',
      );
      this.modeButtons.set(mode, b);
      return b;
    };
    this.toolbar = h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': 'Map tools' },
      h(
        'div',
        { class: 'segmented', role: 'group', 'aria-label': 'Pointer mode (selections apply to both maps)' },
        tool('pan', 'Pan and zoom both maps; click a point to compare its neighbours'),
        tool('box', 'Box select'),
        tool('lasso', 'Lasso select'),
      ),
      h('button', { type: 'button', class: 'tool text', 'aria-label': 'Reset zoom', onclick: () => this.maps.a.resetZoom() }, 'Fit'),
    );
  }

  /** The comparison's items on both maps (B shows A's items in A's order) and each side's layout. */
  show(data: CompareData, palette: readonly string[], emphasis: Emphasis, transform: Transform | undefined): void {
    const items = data.a.items!;
    const n = items.n;
    const bItems = data.b.items ?? items;
    this.maps.a.setItems(items.labels, items.classNames, items.paths, items.thumbnails, palette as string[], emphasis);
    // Same items in A's order: B's tooltips show A's thumbnails, B's paths where A has none.
    this.maps.b.setItems(
      items.labels,
      items.classNames,
      bItems.paths.length === n ? bItems.paths : items.paths,
      items.thumbnails,
      palette as string[],
      emphasis,
    );
    for (const side of ['a', 'b'] as const) {
      const layout = data[side].layout;
      const kind = layout?.umap ? 'umap' : layout?.pca ? 'pca' : null;
      if (kind) this.maps[side].setLayout(kind, layout![kind]!, false);
    }
    if (transform) this.maps.a.setTransform(transform);
  }

  /** A stage of one side's inspection ("A: …" / "B: …") while there is no comparison yet: that map fills in. */
  earlyStage(side: Side, patch: InspectionPatch): void {
    const e = this.early[side];
    const map = this.maps[side];
    if (patch.items) {
      e.items = patch.items;
      map.setItems(
        patch.items.labels,
        patch.items.classNames,
        patch.items.paths,
        patch.items.thumbnails,
        classPalette(patch.items.classNames.length),
      );
    }
    if (patch.layout) e.layout = { ...e.layout, ...patch.layout };
    const kind = e.layout?.umap ? 'umap' : e.layout?.pca ? 'pca' : null;
    if (e.items && kind && (patch.layout || patch.items) && map.layoutKind !== kind)
      map.setLayout(kind, e.layout![kind]!, map.layoutKind !== null);
  }

  render(): void {
    this.maps.a.render();
    this.maps.b.render();
  }

  setEmphasis(e: Emphasis): void {
    this.maps.a.setEmphasis(e);
    this.maps.b.setEmphasis(e);
  }

  setTheme(t: ThemeColors): void {
    this.maps.a.setTheme(t);
    this.maps.b.setTheme(t);
  }

  setMode(mode: MapMode): void {
    this.maps.a.setMode(mode);
    this.maps.b.setMode(mode);
    for (const [m, b] of this.modeButtons) b.setAttribute('aria-pressed', m === mode ? 'true' : 'false');
  }

  /** Item `query` ringed on both maps with each side's own results (`hits[j]`: result j is of the query's class). */
  setQuery(query: number | null, results: Record<Side, number[]>, hits: Record<Side, boolean[]>): void {
    this.marks = { query, results, hits };
    this.updateMarks();
  }

  /** Item i ringed on both maps (a list row under the pointer). */
  setHot(i: number | null): void {
    this.hot = i;
    this.maps.a.el.dataset.linkedHover = i === null ? '' : String(i);
    this.maps.b.el.dataset.linkedHover = i === null ? '' : String(i);
    this.updateMarks();
  }

  private updateMarks(): void {
    const { query, results, hits } = this.marks;
    for (const side of ['a', 'b'] as const) this.maps[side].setMarks({ query, results: results[side], hits: hits[side], hot: this.hot });
  }

  private linkTransform(side: Side, t: Transform): void {
    if (!this.syncing) {
      this.syncing = true;
      try {
        this.maps[side === 'a' ? 'b' : 'a'].setTransform(t);
      } finally {
        this.syncing = false;
      }
    }
    this.owner.zoomed(t);
  }

  /** The item under the pointer on one map is ringed on the other (and the owner lights its list row). */
  private linkHover(side: Side, i: number | null): void {
    this.hot = i;
    this.maps[side === 'a' ? 'b' : 'a'].el.dataset.linkedHover = i === null ? '' : String(i);
    this.maps[side].el.dataset.linkedHover = '';
    this.updateMarks();
    this.owner.hovered(i);
  }
}
