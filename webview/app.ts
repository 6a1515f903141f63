import {
  applyPatch,
  PANEL_TABS,
  type HostToWebview,
  type InspectionData,
  type InspectionItems,
  type PanelTab,
  type PanelViewState,
} from '../src/protocol';
import { h } from './dom';
import { classPalette, readTheme } from './colors';
import type { Host } from './host';
import { MapView, type Emphasis, type MapMode } from './map/mapView';
import type { RendererChoice } from './map/renderer';
import { showArrivedLayout } from './map/layoutArrival';
import { Header } from './views/header';
import { NeighboursView, onDroppedFile } from './views/neighbours';
import { ClassesView } from './views/classes';
import { EetView } from './views/eet';
import { SelectionView } from './views/selection';
import { MapToolbar, matchItems, type LayoutKind } from './views/toolbar';
import { PartialLayoutBadge } from './views/layoutBadge';
import type { InspectionContext, QueryState } from './views/context';
import { NeighbourQueries, type QueryOwner } from './views/query';
import { exportedMapFigure, inspectionExportMenu } from './views/exportMenu';
import { emphasisOf, isolateClass, NO_FILTER, toggleClass, type ClassFilter } from './shared/classFilter';
import { Legend, type LegendContext } from './shared/legend';
import { ProgressBar } from './shared/progress';
import { SelectionBar, selectionText, type SelectionBarContext } from './shared/selectionBar';
import { Tabs } from './shared/tabs';
import { watchTheme } from './shared/theme';
import { Toast } from './shared/toast';

export type { QueryState } from './views/context';

const TAB_LABELS: Record<PanelTab, string> = { neighbours: 'Neighbours', classes: 'Classes', eet: 'EET loss', selection: 'Selection' };

export interface AppOptions {
  renderer?: RendererChoice;
}

/**
 * The inspection panel: owns the data and the view state, composes the shared components and the
 * views, and tells each to redraw when either changes. The views see it as an InspectionContext.
 */
export class App implements InspectionContext, LegendContext, SelectionBarContext, QueryOwner {
  data: InspectionData = { title: 'Embedding Lens', source: { checkpoint: '', dataset: '' } };
  state: PanelViewState = { tab: 'neighbours', hiddenClasses: [], isolatedClass: null, selection: [], search: '', queryIndex: null, k: 10 };
  palette: string[] = [];
  readonly map: MapView;
  readonly root: HTMLElement;
  readonly header: Header;
  private legend: Legend;
  private views: Record<PanelTab, { el: HTMLElement; update(): void }>;
  private tabs: Tabs<PanelTab>;
  private progress: ProgressBar;
  private toast = new Toast();
  private selectionBar: SelectionBar;
  private toolbar: MapToolbar;
  private badge: PartialLayoutBadge;
  private hot: number | null = null;
  private queries = new NeighbourQueries(this);
  private saveTimer = 0;
  private initialised = false;

  constructor(
    readonly host: Host,
    opts: AppOptions = {},
  ) {
    this.map = new MapView(
      {
        onPick: (i) => this.pick(i),
        onSelect: (sel) => this.setSelection(sel),
        onHover: () => {},
        onTransform: (t) => {
          this.state.transform = t;
          this.persist();
        },
      },
      readTheme(),
      opts.renderer ?? 'auto',
    );
    this.header = new Header(this, () => this.exportMenu());
    this.legend = new Legend(this, { label: 'Classes on the map' });
    const views = {
      neighbours: new NeighboursView(this),
      classes: new ClassesView(this),
      eet: new EetView(this),
      selection: new SelectionView(this),
    };
    this.views = views;
    const panels = { neighbours: views.neighbours.el, classes: views.classes.el, eet: views.eet.el, selection: views.selection.el };
    this.tabs = new Tabs({ tabs: PANEL_TABS, labels: TAB_LABELS, panels, idPrefix: '', label: 'Views', onSelect: (t) => this.setTab(t) });
    this.progress = new ProgressBar(host);
    this.selectionBar = new SelectionBar(this);
    this.toolbar = new MapToolbar({
      setMode: (m) => this.setMode(m),
      showLayout: (k) => this.showLayout(k),
      resetZoom: () => this.map.resetZoom(),
      search: (t) => this.search(t),
    });
    this.badge = new PartialLayoutBadge(host);
    this.root = this.layout();
    this.map.el.append(this.badge.el);
    watchTheme((t) => this.map.setTheme(t));
    onDroppedFile(document, (f) => void this.queryFile(f)); // an image dropped anywhere is a neighbour query
  }

  // ───────── what the legend and the selection bar read ─────────

  classes(): InspectionItems | null {
    return this.data.items ?? null;
  }

  filter(): ClassFilter {
    return this.state;
  }

  renderer(): 'webgl2' | 'canvas2d' {
    return this.map.stats.renderer;
  }

  clearSelection(): void {
    this.setSelection(null);
  }

  private layout(): HTMLElement {
    return h(
      'div',
      { class: 'lens' },
      this.header.el,
      this.progress.el,
      h(
        'main',
        { class: 'lens-main' },
        h(
          'section',
          { class: 'map-column', 'aria-label': 'Map' },
          this.toolbar.el,
          h('div', { class: 'map-row' }, this.map.el, this.legend.el),
          this.selectionBar.el,
        ),
        h('aside', { class: 'side' }, this.tabs.el, h('div', { class: 'side-body' }, ...PANEL_TABS.map((t) => this.views[t].el))),
      ),
      this.toast.el,
    );
  }

  start(): void {
    const restored = this.host.restoredState();
    if (restored) this.state = { ...this.state, ...restored };
    this.host.start((msg) => this.onMessage(msg));
    this.renderAll();
  }

  // ───────── messages ─────────

  /** performance.now() when the init data arrived (the bench measures first frame from here). */
  initAt: number | null = null;
  /** Synchronous work of handling init (building views, colours, layouts) before the first frame. */
  initWorkMs: number | null = null;

  onMessage(msg: HostToWebview): void {
    switch (msg.type) {
      case 'init':
        this.initAt = performance.now();
        if (msg.state) this.state = { ...this.state, ...msg.state };
        this.setData(msg.data, true);
        this.initWorkMs = performance.now() - this.initAt;
        break;
      case 'stage':
        if (msg.patch.layout) this.badge.layoutArrived();
        this.setData(applyPatch(this.data, msg.patch), false);
        break;
      case 'layoutFrame':
        this.data = applyPatch(this.data, { layout: { umap: msg.coords } });
        this.map.setLayout('umap', msg.coords, true, msg.final ? 600 : 250);
        this.updateLayoutButtons();
        break;
      case 'progress':
        this.progress.show(msg.stage, msg.done, msg.total, msg.message);
        break;
      case 'done':
        this.progress.hide();
        break;
      case 'error':
        this.showError(msg.file ? `${msg.file}: ${msg.message}` : msg.message);
        break;
      case 'neighboursResult':
      case 'exportDone':
        break;
    }
  }

  private setData(next: InspectionData, first: boolean): void {
    const prev = this.data;
    this.data = next;
    const items = next.items;
    if (items && items !== prev.items) {
      this.palette = classPalette(items.classNames.length);
      // Restored state may name items that no longer exist (a different dataset under the same panel).
      this.state.selection = this.state.selection.filter((i) => i < items.n);
      if (this.state.queryIndex !== null && this.state.queryIndex >= items.n) this.state.queryIndex = null;
      this.map.setItems(items.labels, items.classNames, items.paths, items.thumbnails, this.palette, this.emphasis());
    }
    const layout = next.layout;
    if (layout && layout !== prev.layout) showArrivedLayout(this.map, layout, prev.layout, () => this.updateLayoutButtons());
    if (first && !this.initialised) {
      this.initialised = true;
      if (this.state.transform) this.map.setTransform(this.state.transform);
      if (this.state.search) this.toolbar.searchInput.value = this.state.search;
      if (this.state.queryIndex !== null && items) this.pick(this.state.queryIndex, false);
    }
    this.renderAll();
    // Draw the points now: the first frame should not wait for the next animation frame.
    if (first && items && this.map.layoutKind) this.map.render();
  }

  private renderAll(): void {
    this.header.update();
    this.legend.update();
    this.updateLayoutButtons();
    this.updateTabs();
    this.updateSelectionBar();
    for (const t of PANEL_TABS) this.views[t].update();
    document.title = this.data.title;
  }

  // ───────── actions (views call these) ─────────

  setTab(tab: PanelTab): void {
    this.state.tab = tab;
    this.updateTabs();
    this.persist();
  }

  private updateTabs(): void {
    this.tabs.update(this.state.tab);
  }

  toggleClass(c: number): void {
    Object.assign(this.state, toggleClass(this.state, c, this.data.items?.classNames.length ?? 0));
    this.afterEmphasis();
  }

  isolate(c: number | null): void {
    Object.assign(this.state, isolateClass(this.state, c));
    this.afterEmphasis();
  }

  showAllClasses(): void {
    Object.assign(this.state, NO_FILTER);
    this.afterEmphasis();
  }

  setSelection(sel: number[] | null): void {
    this.state.selection = sel ?? [];
    if (!sel) {
      this.state.search = '';
      this.toolbar.searchInput.value = '';
    }
    if (sel && sel.length) this.state.tab = 'selection';
    this.afterEmphasis();
  }

  private search(text: string): void {
    this.state.search = text;
    const items = this.data.items;
    const q = text.trim().toLowerCase();
    if (!items || !q) {
      this.state.selection = [];
      this.afterEmphasis();
      return;
    }
    const out = matchItems(items, q);
    this.state.selection = out;
    this.afterEmphasis();
  }

  private afterEmphasis(): void {
    this.map.setEmphasis(this.emphasis());
    this.legend.update();
    this.updateTabs();
    this.updateSelectionBar();
    this.views.selection.update();
    this.views.classes.update();
    this.persist();
  }

  private emphasis(): Emphasis {
    // A search that matches nothing still greys every point.
    return emphasisOf(
      this.state,
      this.state.selection,
      this.data.items?.n ?? 0,
      this.state.selection.length > 0 || !!this.state.search.trim(),
    );
  }

  private updateSelectionBar(): void {
    const sel = this.state.selection;
    const items = this.data.items;
    const selected =
      sel.length || this.state.search.trim()
        ? {
            text: selectionText(sel.length, new Set(sel.map((i) => items?.labels[i])).size),
            after: sel.length ? h('button', { type: 'button', class: 'link', onclick: () => this.setTab('selection') }, 'summary') : null,
          }
        : null;
    this.selectionBar.update(items?.n ?? 0, selected);
  }

  setMode(mode: MapMode): void {
    this.map.setMode(mode);
    this.toolbar.showMode(mode);
  }

  private showLayout(kind: LayoutKind): void {
    const c = this.data.layout?.[kind];
    if (c) this.map.setLayout(kind, c, true);
    this.updateLayoutButtons();
  }

  private updateLayoutButtons(): void {
    const layout = this.data.layout;
    this.toolbar.showLayouts({ pca: !!layout?.pca, umap: !!layout?.umap }, this.map.layoutKind, !!layout?.umapPartial);
    this.badge.update(layout?.umapPartial, this.map.layoutKind === 'umap');
  }

  setK(k: number): void {
    if (!Number.isInteger(k) || k < 1) return;
    const max = this.host.mode === 'report' ? (this.data.neighbours?.k ?? k) : 1000;
    this.state.k = Math.min(k, max);
    const q = this.query;
    if (q?.kind === 'item') this.pick(q.index, false);
    else this.views.neighbours.update();
    this.persist();
  }

  /** Query the neighbours of item i (a click on the map, a result, a selected item). */
  pick(i: number, switchTab = true): void {
    if (!this.data.items || i < 0 || i >= this.data.items.n) return;
    this.state.queryIndex = i;
    if (switchTab) this.state.tab = 'neighbours';
    this.updateTabs();
    this.queries.item(i, this.state.k);
    this.persist();
  }

  async queryFile(f: File): Promise<void> {
    if (!this.host.canEmbedImages) {
      this.showError('Querying by image needs the model: open the checkpoint in VS Code with Embedding Lens.');
      return;
    }
    this.state.queryIndex = null;
    this.state.tab = 'neighbours';
    this.updateTabs();
    await this.queries.image(f, this.state.k);
  }

  get query(): QueryState | null {
    return this.queries.current;
  }

  setHot(i: number | null): void {
    this.hot = i;
    this.map.setMarks(this.queries.marks(this.hot));
  }

  queryChanged(): void {
    this.views.neighbours.update();
    this.map.setMarks(this.queries.marks(this.hot));
  }

  // ───────── errors, export, persistence ─────────

  showError(message: string): void {
    this.toast.show(message);
  }

  exportMenu(): HTMLElement {
    return inspectionExportMenu(this);
  }

  /** The exported map figure (the tests read it). */
  mapFigure(): HTMLCanvasElement {
    return exportedMapFigure(this);
  }

  private persist(): void {
    clearTimeout(this.saveTimer);
    // The source goes with the view state so VS Code's serializer can re-open this inspection after a reload.
    this.saveTimer = window.setTimeout(
      () => this.host.saveState({ ...this.state, source: this.data.source.checkpoint ? this.data.source : undefined }),
      200,
    );
  }
}
