import {
  applyPatch,
  PANEL_TABS,
  type HostToWebview,
  type InspectionData,
  type NeighbourResult,
  type PanelTab,
  type PanelViewState,
} from '../src/protocol';
import { h, fill, svg } from './dom';
import { classPalette, readTheme } from './colors';
import type { Host } from './host';
import { MapView, type Emphasis, type MapMode } from './map/mapView';
import type { RendererChoice } from './map/renderer';
import { Header } from './views/header';
import { Legend } from './views/legend';
import { NeighboursView } from './views/neighbours';
import { ClassesView } from './views/classes';
import { EetView } from './views/eet';
import { SelectionView } from './views/selection';
import { canvasToPng, classesCsv, classesRecords, fileStem, mapFigure, metricsCsv, metricsRecord } from './export';

export type QueryState =
  | { kind: 'item'; index: number; pending: boolean; result?: NeighbourResult; error?: string }
  | { kind: 'image'; name: string; objectUrl: string; pending: boolean; result?: NeighbourResult; error?: string };

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

const TAB_LABELS: Record<PanelTab, string> = { neighbours: 'Neighbours', classes: 'Classes', eet: 'EET loss', selection: 'Selection' };

export interface AppOptions {
  renderer?: RendererChoice;
}

/** The panel: owns the data and the view state, and tells each view to redraw when either changes. */
export class App {
  data: InspectionData = { title: 'Embedding Lens', source: { checkpoint: '', dataset: '' } };
  state: PanelViewState = { tab: 'neighbours', hiddenClasses: [], isolatedClass: null, selection: [], search: '', queryIndex: null, k: 10 };
  palette: string[] = [];
  query: QueryState | null = null;
  readonly map: MapView;
  readonly root: HTMLElement;
  private header: Header;
  private legend: Legend;
  private views: Record<PanelTab, { el: HTMLElement; update(): void }>;
  private tabButtons = new Map<PanelTab, HTMLButtonElement>();
  private progressEl = h('div', { class: 'progress', role: 'status', hidden: true });
  private selectionBar = h('div', { class: 'selection-bar', role: 'status' });
  private searchInput: HTMLInputElement;
  private modeButtons = new Map<MapMode, HTMLButtonElement>();
  private layoutButtons = new Map<'pca' | 'umap', HTMLButtonElement>();
  private hot: number | null = null;
  private saveTimer = 0;
  private initialised = false;
  private toast = h('div', { class: 'toast', role: 'alert', hidden: true });
  /** "partial layout (85/500)" over the map while it shows a stopped UMAP, with Resume where the host can. */
  private partialBadge = h('div', { class: 'layout-badge', role: 'status', hidden: true });
  /** Resume was asked for and no newer UMAP stage has arrived yet. */
  private resuming = false;

  constructor(readonly host: Host, opts: AppOptions = {}) {
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
    this.header = new Header(this);
    this.legend = new Legend(this);
    this.views = {
      neighbours: new NeighboursView(this),
      classes: new ClassesView(this),
      eet: new EetView(this),
      selection: new SelectionView(this),
    };
    this.searchInput = h('input', {
      type: 'search', class: 'search', placeholder: 'Search class or path', 'aria-label': 'Search by class name or path',
      oninput: () => this.search(this.searchInput.value),
    });
    this.root = this.layout();
    this.map.el.append(this.partialBadge);
    new MutationObserver(() => this.map.setTheme(readTheme())).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
    // An image dropped anywhere on the panel becomes a neighbour query.
    document.addEventListener('dragover', (ev) => {
      if (ev.dataTransfer?.types.includes('Files')) ev.preventDefault();
    });
    document.addEventListener('drop', (ev) => {
      const f = ev.dataTransfer?.files?.[0];
      if (!f) return;
      ev.preventDefault();
      void this.queryFile(f);
    });
  }

  private layout(): HTMLElement {
    const tool = (mode: MapMode, label: string, icon: SVGSVGElement) => {
      const b = h('button', { type: 'button', class: 'tool', 'aria-pressed': mode === 'pan' ? 'true' : 'false', title: label, 'aria-label': label, onclick: () => this.setMode(mode) }, icon);
      this.modeButtons.set(mode, b);
      return b;
    };
    const layoutBtn = (kind: 'pca' | 'umap') => {
      const b = h('button', { type: 'button', class: 'tool text', 'aria-pressed': 'false', disabled: true, onclick: () => this.showLayout(kind) }, kind.toUpperCase());
      this.layoutButtons.set(kind, b);
      return b;
    };
    const toolbar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Map tools' },
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Pointer mode' },
        tool('pan', 'Pan and zoom (click a point for its neighbours)', icon(ICONS.pan)), tool('box', 'Box select', icon(ICONS.box)), tool('lasso', 'Lasso select', icon(ICONS.lasso))),
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Layout' }, layoutBtn('pca'), layoutBtn('umap')),
      h('button', { type: 'button', class: 'tool', title: 'Reset zoom (0)', 'aria-label': 'Reset zoom', onclick: () => this.map.resetZoom() }, icon(ICONS.fit)),
      this.searchInput,
    );
    const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Views' }, ...PANEL_TABS.map((t) => {
      const b = h('button', { type: 'button', role: 'tab', id: `tab-${t}`, 'aria-controls': `panel-${t}`, class: 'tab', onclick: () => this.setTab(t), onkeydown: (ev: KeyboardEvent) => this.tabKey(ev, t) }, TAB_LABELS[t]);
      this.tabButtons.set(t, b);
      return b;
    }));
    const panels = PANEL_TABS.map((t) => {
      const v = this.views[t];
      v.el.id = `panel-${t}`;
      v.el.setAttribute('role', 'tabpanel');
      v.el.setAttribute('aria-labelledby', `tab-${t}`);
      return v.el;
    });
    return h('div', { class: 'lens' },
      this.header.el,
      this.progressEl,
      h('main', { class: 'lens-main' },
        h('section', { class: 'map-column', 'aria-label': 'Map' },
          toolbar,
          h('div', { class: 'map-row' }, this.map.el, this.legend.el),
          this.selectionBar),
        h('aside', { class: 'side' }, tabs, h('div', { class: 'side-body' }, ...panels))),
      this.toast,
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
        if (msg.patch.layout) this.resuming = false;
        this.setData(applyPatch(this.data, msg.patch), false);
        break;
      case 'layoutFrame':
        this.data = applyPatch(this.data, { layout: { umap: msg.coords } });
        this.map.setLayout('umap', msg.coords, true, msg.final ? 600 : 250);
        this.updateLayoutButtons();
        break;
      case 'progress':
        this.showProgress(msg.stage, msg.done, msg.total, msg.message);
        break;
      case 'done':
        this.progressEl.hidden = true;
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
    if (layout && layout !== prev.layout) {
      const hadAny = this.map.layoutKind !== null;
      if (layout.umap && layout.umap !== prev.layout?.umap) {
        if (!hadAny && layout.pca) {
          // Start from PCA, then glide into UMAP once the first frame is on screen.
          this.map.setLayout('pca', layout.pca, false);
          requestAnimationFrame(() => requestAnimationFrame(() => {
            this.map.setLayout('umap', layout.umap!, true);
            this.updateLayoutButtons();
          }));
        } else this.map.setLayout('umap', layout.umap, hadAny);
      } else if (layout.pca && !hadAny) this.map.setLayout('pca', layout.pca, false);
    }
    if (first && !this.initialised) {
      this.initialised = true;
      if (this.state.transform) this.map.setTransform(this.state.transform);
      if (this.state.search) this.searchInput.value = this.state.search;
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

  private tabKey(ev: KeyboardEvent, tab: PanelTab): void {
    const i = PANEL_TABS.indexOf(tab);
    const next = ev.key === 'ArrowRight' ? PANEL_TABS[(i + 1) % PANEL_TABS.length] : ev.key === 'ArrowLeft' ? PANEL_TABS[(i + PANEL_TABS.length - 1) % PANEL_TABS.length] : null;
    if (!next) return;
    ev.preventDefault();
    this.setTab(next);
    this.tabButtons.get(next)?.focus();
  }

  private updateTabs(): void {
    for (const t of PANEL_TABS) {
      const active = t === this.state.tab;
      const b = this.tabButtons.get(t)!;
      b.setAttribute('aria-selected', active ? 'true' : 'false');
      b.tabIndex = active ? 0 : -1;
      this.views[t].el.hidden = !active;
    }
  }

  toggleClass(c: number): void {
    const hidden = new Set(this.state.hiddenClasses);
    if (this.state.isolatedClass !== null) {
      // Toggling while isolated starts from "only the isolated class on".
      const n = this.data.items?.classNames.length ?? 0;
      hidden.clear();
      for (let i = 0; i < n; i++) if (i !== this.state.isolatedClass) hidden.add(i);
      this.state.isolatedClass = null;
    }
    if (hidden.has(c)) hidden.delete(c);
    else hidden.add(c);
    this.state.hiddenClasses = [...hidden].sort((a, b) => a - b);
    this.afterEmphasis();
  }

  isolate(c: number | null): void {
    this.state.isolatedClass = c;
    if (c !== null) this.state.hiddenClasses = [];
    this.afterEmphasis();
  }

  showAllClasses(): void {
    this.state.isolatedClass = null;
    this.state.hiddenClasses = [];
    this.afterEmphasis();
  }

  setSelection(sel: number[] | null): void {
    this.state.selection = sel ?? [];
    if (!sel) {
      this.state.search = '';
      this.searchInput.value = '';
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
    const classMatch = items.classNames.map((n) => n.toLowerCase().includes(q));
    const out: number[] = [];
    for (let i = 0; i < items.n; i++) if (classMatch[items.labels[i]] || items.paths[i].toLowerCase().includes(q)) out.push(i);
    this.state.selection = out;
    this.afterEmphasis();
  }

  private afterEmphasis(): void {
    this.applyEmphasis();
    this.legend.update();
    this.updateTabs();
    this.updateSelectionBar();
    this.views.selection.update();
    this.views.classes.update();
    this.persist();
  }

  private applyEmphasis(): void {
    this.map.setEmphasis(this.emphasis());
  }

  private emphasis(): Emphasis {
    const n = this.data.items?.n ?? 0;
    let mask: Uint8Array | null = null;
    if (this.state.selection.length || this.state.search.trim()) {
      mask = new Uint8Array(n);
      for (const i of this.state.selection) if (i < n) mask[i] = 1;
    }
    return { hidden: new Set(this.state.hiddenClasses), isolated: this.state.isolatedClass, selected: mask };
  }

  private updateSelectionBar(): void {
    const sel = this.state.selection;
    const items = this.data.items;
    const parts: (HTMLElement | string)[] = [];
    if (this.state.isolatedClass !== null && items) {
      parts.push(h('span', { class: 'pill' }, `isolated: ${items.classNames[this.state.isolatedClass]}`, h('button', { type: 'button', class: 'pill-x', 'aria-label': 'Show all classes', onclick: () => this.showAllClasses() }, '×')));
    } else if (this.state.hiddenClasses.length && items) {
      parts.push(h('span', { class: 'pill' }, `${this.state.hiddenClasses.length} class${this.state.hiddenClasses.length === 1 ? '' : 'es'} greyed`, h('button', { type: 'button', class: 'pill-x', 'aria-label': 'Show all classes', onclick: () => this.showAllClasses() }, '×')));
    }
    if (sel.length || this.state.search.trim()) {
      const classes = new Set(sel.map((i) => items?.labels[i]));
      parts.push(h('span', { class: 'pill accent' },
        `${sel.length.toLocaleString('en-US')} selected${sel.length ? ` · ${classes.size} class${classes.size === 1 ? '' : 'es'}` : ''}`,
        h('button', { type: 'button', class: 'pill-x', 'aria-label': 'Clear selection', onclick: () => this.setSelection(null) }, '×')));
      if (sel.length) parts.push(h('button', { type: 'button', class: 'link', onclick: () => this.setTab('selection') }, 'summary'));
    }
    const stats = this.map.stats;
    parts.push(h('span', { class: 'spacer' }));
    parts.push(h('span', { class: 'muted small', title: 'renderer' }, `${(items?.n ?? 0).toLocaleString('en-US')} points · ${stats.renderer === 'webgl2' ? 'WebGL2' : 'Canvas 2D'}`));
    fill(this.selectionBar, ...parts);
  }

  setMode(mode: MapMode): void {
    this.map.setMode(mode);
    for (const [m, b] of this.modeButtons) b.setAttribute('aria-pressed', m === mode ? 'true' : 'false');
  }

  private showLayout(kind: 'pca' | 'umap'): void {
    const c = this.data.layout?.[kind];
    if (c) this.map.setLayout(kind, c, true);
    this.updateLayoutButtons();
  }

  private updateLayoutButtons(): void {
    for (const [k, b] of this.layoutButtons) {
      b.disabled = !this.data.layout?.[k];
      b.setAttribute('aria-pressed', this.map.layoutKind === k ? 'true' : 'false');
    }
    this.updatePartialBadge();
  }

  /** A cancelled UMAP must not pass for a finished one: say how far it got, and offer to go on. */
  private updatePartialBadge(): void {
    const partial = this.data.layout?.umapPartial;
    const badge = this.partialBadge;
    badge.hidden = !partial || this.map.layoutKind !== 'umap';
    this.layoutButtons.get('umap')?.classList.toggle('partial', !!partial);
    if (!partial) return;
    const where = `${partial.epoch.toLocaleString('en-US')}/${partial.epochs.toLocaleString('en-US')}`;
    fill(badge,
      h('span', { title: `UMAP was stopped after ${partial.epoch} of ${partial.epochs} epochs: clusters may still be merging or spreading` }, this.resuming ? `resuming layout (${where})…` : `partial layout (${where})`),
      this.host.canResume && !this.resuming ? h('button', { type: 'button', class: 'button', onclick: () => this.resumeLayout() }, 'Resume') : null);
  }

  private resumeLayout(): void {
    this.resuming = true;
    this.host.resumeUmap();
    this.updatePartialBadge();
  }

  setK(k: number): void {
    if (!Number.isInteger(k) || k < 1) return;
    const max = this.host.mode === 'report' ? this.data.neighbours?.k ?? k : 1000;
    this.state.k = Math.min(k, max);
    const q = this.query;
    if (q?.kind === 'item') this.pick(q.index, false);
    else this.views.neighbours.update();
    this.persist();
  }

  /** Query the neighbours of item i (a click on the map, a result, a selected item). */
  pick(i: number, switchTab = true): void {
    const data = this.data;
    if (!data.items || i < 0 || i >= data.items.n) return;
    const q: QueryState = { kind: 'item', index: i, pending: true };
    this.query = q;
    this.state.queryIndex = i;
    if (switchTab) this.state.tab = 'neighbours';
    this.updateTabs();
    this.refreshQuery();
    const k = this.host.mode === 'report' ? Math.min(this.state.k, data.neighbours?.k ?? this.state.k) : this.state.k;
    this.host.neighbours(data, i, k).then(
      (r) => { if (this.query === q) { q.result = r; q.pending = false; this.refreshQuery(); } },
      (e: Error) => { if (this.query === q) { q.error = e.message; q.pending = false; this.refreshQuery(); } },
    );
    this.persist();
  }

  async queryFile(f: File): Promise<void> {
    if (!this.host.canEmbedImages) {
      this.showError('Querying by image needs the model: open the checkpoint in VS Code with Embedding Lens.');
      return;
    }
    const q: QueryState = { kind: 'image', name: f.name, objectUrl: URL.createObjectURL(f), pending: true };
    if (this.query?.kind === 'image') URL.revokeObjectURL(this.query.objectUrl);
    this.query = q;
    this.state.queryIndex = null;
    this.state.tab = 'neighbours';
    this.updateTabs();
    this.refreshQuery();
    try {
      const bytes = new Uint8Array(await f.arrayBuffer());
      q.result = await this.host.queryImage(f.name, bytes, this.state.k);
    } catch (e) {
      q.error = (e as Error).message;
    }
    q.pending = false;
    if (this.query === q) this.refreshQuery();
  }

  setHot(i: number | null): void {
    this.hot = i;
    this.updateMarks();
  }

  private refreshQuery(): void {
    this.views.neighbours.update();
    this.updateMarks();
  }

  private updateMarks(): void {
    const q = this.query;
    const items = this.data.items;
    const results = q?.result ? Array.from(q.result.indices) : [];
    const qcls = q?.kind === 'item' && items ? items.labels[q.index] : q?.result?.queryLabel;
    this.map.setMarks({
      query: q?.kind === 'item' ? q.index : null,
      results,
      hits: results.map((i) => qcls === undefined || !items ? true : items.labels[i] === qcls),
      hot: this.hot,
    });
  }

  // ───────── progress, errors, export, persistence ─────────

  private showProgress(stage: string, done: number, total: number, message?: string): void {
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    this.progressEl.hidden = false;
    fill(this.progressEl, 
      h('span', { class: 'progress-stage' }, stage),
      h('span', { class: 'progress-track', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': total, 'aria-valuenow': done, 'aria-label': stage },
        h('span', { class: 'progress-fill', style: `width:${(frac * 100).toFixed(1)}%` })),
      h('span', { class: 'progress-text' }, message ?? `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`),
      this.host.canCancel ? h('button', { type: 'button', class: 'button secondary', onclick: () => this.host.cancel() }, 'Cancel') : null,
    );
  }

  showError(message: string): void {
    fill(this.toast, h('span', {}, message), h('button', { type: 'button', class: 'pill-x', 'aria-label': 'Dismiss', onclick: () => { this.toast.hidden = true; } }, '×'));
    this.toast.hidden = false;
  }

  exportMenu(): HTMLElement {
    const item = (label: string, run: () => Promise<unknown>) =>
      h('button', { type: 'button', role: 'menuitem', class: 'menu-item', onclick: (ev: Event) => {
        (ev.currentTarget as HTMLElement).closest('details')?.removeAttribute('open');
        run().catch((e: Error) => this.showError(`Export failed: ${e.message}`));
      } }, label);
    const stem = () => fileStem(this.data);
    return h('details', { class: 'export' },
      h('summary', { class: 'button secondary', 'aria-label': 'Export' }, 'Export'),
      h('div', { class: 'menu', role: 'menu' },
        item('Map as PNG', async () => this.host.save('map', 'png', `${stem()}-map.png`, await canvasToPng(this.mapFigure()))),
        item('Metrics as CSV', () => this.host.save('metrics', 'csv', `${stem()}-metrics.csv`, metricsCsv(this.data))),
        item('Metrics as JSON', () => this.host.save('metrics', 'json', `${stem()}-metrics.json`, JSON.stringify(metricsRecord(this.data), null, 2))),
        item('Class table as CSV', () => this.host.save('classes', 'csv', `${stem()}-classes.csv`, classesCsv(this.data))),
        item('Class table as JSON', () => this.host.save('classes', 'json', `${stem()}-classes.json`, JSON.stringify(classesRecords(this.data), null, 2)))));
  }

  /** The exported map: title, metrics, legend, and the points without the query's highlights. */
  mapFigure(): HTMLCanvasElement {
    const snap = this.map.snapshot({ clean: true });
    const cs = getComputedStyle(document.body);
    const bg = this.map.theme.background;
    const partial = this.data.layout?.umapPartial;
    const kind = this.map.layoutKind ?? 'pca';
    const label = kind === 'umap' && partial ? `UMAP, partial layout (${partial.epoch}/${partial.epochs})` : kind.toUpperCase();
    return mapFigure(snap, this.data, this.palette, {
      background: `rgb(${bg[0]},${bg[1]},${bg[2]})`,
      foreground: this.map.theme.foreground,
      fontFamily: cs.getPropertyValue('--vscode-font-family').trim() || 'system-ui, sans-serif',
    }, label, snap.width / Math.max(1, this.map.el.clientWidth));
  }

  private persist(): void {
    clearTimeout(this.saveTimer);
    // The source goes with the view state so VS Code's serializer can re-open this inspection after a reload.
    this.saveTimer = window.setTimeout(() => this.host.saveState({ ...this.state, source: this.data.source.checkpoint ? this.data.source : undefined }), 200);
  }
}
