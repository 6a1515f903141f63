/**
 * The Compare panel: two maps (A, and B Procrustes-aligned onto A) with linked zoom, hover,
 * selection and class isolation, beside the deltas (headline, per class, EET) and the items whose
 * retrieval changed most. Runs in VS Code (data from an `initCompare` message) and in the HTML
 * report (data inlined; InlineHost delivers it as an `init` whose data has `a` and `b`).
 */
import type { CompareData, HostToWebview, InspectionItems, InspectionLayout, InspectionPatch, ItemsChoice, PanelTab, PanelViewState } from '../../src/protocol';
import { scopeHeadline } from '../../src/core/compare/scope';
import { classPalette, readTheme } from '../colors';
import { baseName, fill, fmt, h } from '../dom';
import { displayName, distinguishingNames } from '../../src/core/util/displayName';
import { canvasToPng } from '../export';
import type { Host } from '../host';
import { MapView, type Emphasis, type MapMode } from '../map/mapView';
import type { RendererChoice } from '../map/renderer';
import { classesCsv, deltasRecord, eetCsv, headlineCsv, itemsCsv, sideBySide } from './export';
import { installCompareStyle } from './style';
import { changeList, classTable, eetBetter, headlineBetter, itemRow, jaccardSummary, metricTable, type ClassSort } from './views';

export type CompareTab = 'metrics' | 'classes' | 'eet' | 'items';
const TABS: readonly CompareTab[] = ['items', 'metrics', 'classes', 'eet'];
const TAB_LABELS: Record<CompareTab, string> = { items: 'Changed items', metrics: 'Metrics', classes: 'Classes', eet: 'EET loss' };
// The host validates saved state against the inspection panel's tabs; each compare tab rides on one.
const TAB_TO_PANEL: Record<CompareTab, PanelTab> = { items: 'neighbours', metrics: 'selection', classes: 'classes', eet: 'eet' };

/** "model.json" alone says nothing: show its folder too, as the engine's titles do. */
export const checkpointName = displayName;

/** A's and B's names, lengthened where they would read the same (`cnn.onnx` vs `cnn-eet-1/cnn.onnx`). */
function sideNames(d: CompareData): { a: string; b: string } {
  const [a, b] = distinguishingNames([d.a.source.checkpoint, d.b.source.checkpoint]);
  return { a, b };
}

export function isCompareData(v: unknown): v is CompareData {
  return typeof v === 'object' && v !== null && 'a' in v && 'b' in v && 'jaccard' in v;
}

/** The inlined report text is a comparison when its first key after the title is `a`. */
export function looksLikeCompareJson(text: string): boolean {
  return /^\s*\{"title":"(?:[^"\\]|\\.)*","a":\{/.test(text);
}

type Side = 'a' | 'b';

export class CompareApp {
  data: CompareData | null = null;
  readonly maps: Record<Side, MapView>;
  readonly root: HTMLElement;
  palette: string[] = [];
  hidden = new Set<number>();
  isolated: number | null = null;
  selection: number[] = [];
  focused: number | null = null;
  hot: number | null = null;
  tab: CompareTab = 'items';
  private classSort: ClassSort = { key: 'order', dir: 'desc' };
  private syncing = false;
  private transform: PanelViewState['transform'];
  private heads: Record<Side, HTMLElement> = { a: h('div', { class: 'cmp-cell-head' }), b: h('div', { class: 'cmp-cell-head' }) };
  private header = h('header', { class: 'lens-header' });
  private progressEl = h('div', { class: 'progress', role: 'status', hidden: true });
  private legend = h('ul', { class: 'legend-list' });
  private bar = h('div', { class: 'selection-bar', role: 'status' });
  private bodies: Record<CompareTab, HTMLElement>;
  private tabButtons = new Map<CompareTab, HTMLButtonElement>();
  private modeButtons = new Map<MapMode, HTMLButtonElement>();
  private toast = h('div', { class: 'toast', role: 'alert', hidden: true });
  private waiting = h('div', { class: 'cmp-waiting' }, 'Inspecting A, then B — the comparison appears when both are done.');
  private saveTimer = 0;
  /** The items choice asked of the host and not yet answered (the toggle waits, disabled). */
  private itemsPending: ItemsChoice | null = null;

  constructor(readonly host: Host, opts: { renderer?: RendererChoice } = {}) {
    installCompareStyle();
    const theme = readTheme();
    const make = (side: Side) => new MapView({
      onPick: (i) => this.pick(i),
      onSelect: (sel) => this.setSelection(sel),
      onHover: (i) => this.linkHover(side, i),
      onTransform: (t) => this.linkTransform(side, t),
    }, theme, opts.renderer ?? 'auto', side === 'a' ? 'Map of checkpoint A' : 'Map of checkpoint B, aligned to A');
    this.maps = { a: make('a'), b: make('b') };
    this.maps.a.el.dataset.side = 'a';
    this.maps.b.el.dataset.side = 'b';
    this.bodies = { items: h('div', {}), metrics: h('div', {}), classes: h('div', {}), eet: h('div', {}) };
    this.root = this.layout();
    new MutationObserver(() => {
      const t = readTheme();
      this.maps.a.setTheme(t);
      this.maps.b.setTheme(t);
    }).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
  }

  private layout(): HTMLElement {
    const tool = (mode: MapMode, label: string) => {
      const b = h('button', { type: 'button', class: 'tool text', 'aria-pressed': mode === 'pan' ? 'true' : 'false', title: label, 'aria-label': label, onclick: () => this.setMode(mode) }, mode === 'pan' ? 'Pan' : mode === 'box' ? 'Box' : 'Lasso');
      this.modeButtons.set(mode, b);
      return b;
    };
    const toolbar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Map tools' },
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Pointer mode (selections apply to both maps)' }, tool('pan', 'Pan and zoom both maps; click a point to compare its neighbours'), tool('box', 'Box select'), tool('lasso', 'Lasso select')),
      h('button', { type: 'button', class: 'tool text', 'aria-label': 'Reset zoom', onclick: () => this.maps.a.resetZoom() }, 'Fit'));
    const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Comparison views' }, ...TABS.map((t) => {
      const b = h('button', { type: 'button', role: 'tab', id: `cmp-tab-${t}`, 'aria-controls': `cmp-panel-${t}`, class: 'tab', onclick: () => this.setTab(t), onkeydown: (ev: KeyboardEvent) => this.tabKey(ev, t) }, TAB_LABELS[t]);
      this.tabButtons.set(t, b);
      return b;
    }));
    for (const t of TABS) {
      const el = this.bodies[t];
      el.id = `cmp-panel-${t}`;
      el.className = 'cmp-section';
      el.setAttribute('role', 'tabpanel');
      el.setAttribute('aria-labelledby', `cmp-tab-${t}`);
    }
    const cell = (side: Side) => h('div', { class: 'cmp-cell', 'data-side': side }, this.heads[side], this.maps[side].el);
    return h('div', { class: 'cmp lens' },
      this.header,
      this.progressEl,
      h('main', { class: 'cmp-main' },
        h('section', { class: 'cmp-maps', 'aria-label': 'Maps of A and B' },
          toolbar,
          h('div', { class: 'cmp-pair' }, cell('a'), cell('b'),
            h('div', { class: 'legend', role: 'group', 'aria-label': 'Classes on both maps' },
              h('div', { class: 'legend-head' }, h('span', { class: 'legend-title' }, 'Classes'), h('button', { class: 'link', type: 'button', onclick: () => this.showAll(), 'aria-label': 'Show all classes' }, 'all')),
              this.legend)),
          this.bar),
        h('aside', { class: 'side' }, tabs, h('div', { class: 'side-body' }, this.waiting, ...TABS.map((t) => this.bodies[t])))),
      this.toast);
  }

  start(): void {
    const restored = this.host.restoredState();
    if (restored) this.applyState(restored);
    this.host.start((msg) => this.onMessage(msg as HostToWebview | { type: 'initCompare'; data: CompareData; state?: PanelViewState }));
    this.renderAll();
  }

  private applyState(s: PanelViewState): void {
    this.hidden = new Set(s.hiddenClasses);
    this.isolated = s.isolatedClass;
    this.selection = s.selection;
    this.focused = s.queryIndex;
    this.transform = s.transform;
    this.tab = (Object.keys(TAB_TO_PANEL) as CompareTab[]).find((t) => TAB_TO_PANEL[t] === s.tab) ?? 'items';
  }

  onMessage(msg: HostToWebview | { type: 'initCompare'; data: CompareData; state?: PanelViewState }): void {
    switch (msg.type) {
      case 'initCompare':
        if (msg.state) this.applyState(msg.state);
        this.setData(msg.data);
        break;
      case 'init':
        if (isCompareData(msg.data)) this.setData(msg.data);
        break;
      case 'stage':
        this.earlyStage(msg.stage, msg.patch);
        break;
      case 'progress':
        this.showProgress(msg.stage, msg.done, msg.total, msg.message);
        break;
      case 'done':
        this.progressEl.hidden = true;
        // A toggle's run that was cancelled or failed: the toggle is usable again.
        if (this.itemsPending) {
          this.itemsPending = null;
          this.renderHeader();
        }
        break;
      case 'error':
        this.showError(msg.file ? `${msg.file}: ${msg.message}` : msg.message);
        this.waiting.textContent = `The comparison failed: ${msg.message}`;
        break;
      default:
        break;
    }
  }

  /**
   * While A then B are inspected the host forwards each side's items and layouts as stages named
   * "A: …" / "B: …", so each map fills in before the comparison exists (B not yet aligned).
   */
  private early: Record<Side, { items?: InspectionItems; layout?: InspectionLayout }> = { a: {}, b: {} };

  private earlyStage(stage: string, patch: InspectionPatch): void {
    const side = stage.startsWith('A:') ? 'a' : stage.startsWith('B:') ? 'b' : null;
    if (!side || this.data) return;
    const e = this.early[side];
    const map = this.maps[side];
    if (patch.items) {
      e.items = patch.items;
      map.setItems(patch.items.labels, patch.items.classNames, patch.items.paths, patch.items.thumbnails, classPalette(patch.items.classNames.length));
    }
    if (patch.layout) e.layout = { ...e.layout, ...patch.layout };
    const kind = e.layout?.umap ? 'umap' : e.layout?.pca ? 'pca' : null;
    if (e.items && kind && (patch.layout || patch.items) && map.layoutKind !== kind) map.setLayout(kind, e.layout![kind]!, map.layoutKind !== null);
    this.heads[side].dataset.stage = stage;
  }

  setData(data: CompareData): void {
    const previous = this.data;
    // Held-out ↔ all items: other items at other indices, so what pointed at items starts afresh.
    if (previous && (previous.scope?.items !== data.scope?.items || previous.a.items?.n !== data.a.items?.n)) {
      this.selection = [];
      this.focused = null;
      this.hidden.clear();
      this.isolated = null;
      this.transform = undefined;
    }
    this.itemsPending = null;
    this.data = data;
    const items = data.a.items;
    if (!items) throw new Error('The comparison has no items.');
    const n = items.n;
    this.selection = this.selection.filter((i) => i < n);
    if (this.focused !== null && this.focused >= n) this.focused = null;
    this.palette = classPalette(items.classNames.length);
    const bItems = data.b.items ?? items;
    this.maps.a.setItems(items.labels, items.classNames, items.paths, items.thumbnails, this.palette, this.emphasis());
    // Same items in A's order: B's tooltips show A's thumbnails, B's paths where A has none.
    this.maps.b.setItems(items.labels, items.classNames, bItems.paths.length === n ? bItems.paths : items.paths, items.thumbnails, this.palette, this.emphasis());
    for (const side of ['a', 'b'] as const) {
      const layout = data[side].layout;
      const kind = layout?.umap ? 'umap' : layout?.pca ? 'pca' : null;
      if (kind) this.maps[side].setLayout(kind, layout![kind]!, false);
    }
    if (this.transform) this.maps.a.setTransform(this.transform);
    this.waiting.hidden = true;
    this.renderAll();
    this.updateMarks();
    this.maps.a.render();
    this.maps.b.render();
    document.title = data.title;
  }

  // ───────── linking ─────────

  private other(side: Side): Side {
    return side === 'a' ? 'b' : 'a';
  }

  private linkTransform(side: Side, t: { x: number; y: number; k: number }): void {
    this.transform = t;
    if (!this.syncing) {
      this.syncing = true;
      try {
        this.maps[this.other(side)].setTransform(t);
      } finally {
        this.syncing = false;
      }
    }
    this.persist();
  }

  /** The item under the pointer on one map is ringed on the other (and its list row lit). */
  private linkHover(side: Side, i: number | null): void {
    this.hot = i;
    const other = this.maps[this.other(side)];
    other.el.dataset.linkedHover = i === null ? '' : String(i);
    this.maps[side].el.dataset.linkedHover = '';
    this.updateMarks();
    for (const row of this.root.querySelectorAll<HTMLElement>('.change')) row.classList.toggle('hot', i !== null && row.dataset.index === String(i));
  }

  setHot(i: number | null): void {
    this.hot = i;
    this.maps.a.el.dataset.linkedHover = i === null ? '' : String(i);
    this.maps.b.el.dataset.linkedHover = i === null ? '' : String(i);
    this.updateMarks();
  }

  /** Item i queried on both maps: A's top-K ringed on A, B's on B. */
  pick(i: number): void {
    if (!this.data?.a.items || i < 0 || i >= this.data.a.items.n) return;
    this.focused = i;
    this.setTab('items');
    this.updateMarks();
    this.renderItems();
    this.persist();
  }

  private topK(side: Side, i: number): Int32Array {
    const t = this.data?.[side].neighbours;
    if (!t || !this.data) return new Int32Array(0);
    const k = Math.min(this.data.k, t.k);
    return t.indices.slice(i * t.k, i * t.k + k);
  }

  private updateMarks(): void {
    const items = this.data?.a.items;
    for (const side of ['a', 'b'] as const) {
      const q = this.focused;
      const results = q === null ? [] : Array.from(this.topK(side, q));
      this.maps[side].setMarks({
        query: q,
        results,
        hits: results.map((j) => !items || q === null || items.labels[j] === items.labels[q]),
        hot: this.hot,
      });
    }
  }

  // ───────── classes and selection (both maps) ─────────

  private emphasis(): Emphasis {
    const n = this.data?.a.items?.n ?? 0;
    let mask: Uint8Array | null = null;
    if (this.selection.length) {
      mask = new Uint8Array(n);
      for (const i of this.selection) if (i < n) mask[i] = 1;
    }
    return { hidden: new Set(this.hidden), isolated: this.isolated, selected: mask };
  }

  private afterEmphasis(): void {
    const e = this.emphasis();
    this.maps.a.setEmphasis(e);
    this.maps.b.setEmphasis(e);
    this.renderLegend();
    this.renderBar();
    this.renderClasses();
    this.persist();
  }

  toggleClass(c: number): void {
    if (this.isolated !== null) {
      const n = this.data?.a.items?.classNames.length ?? 0;
      this.hidden = new Set(Array.from({ length: n }, (_, i) => i).filter((i) => i !== this.isolated));
      this.isolated = null;
    }
    if (this.hidden.has(c)) this.hidden.delete(c);
    else this.hidden.add(c);
    this.afterEmphasis();
  }

  isolate(c: number | null): void {
    this.isolated = c;
    if (c !== null) this.hidden.clear();
    this.afterEmphasis();
  }

  showAll(): void {
    this.isolated = null;
    this.hidden.clear();
    this.afterEmphasis();
  }

  setSelection(sel: number[] | null): void {
    this.selection = sel ?? [];
    this.afterEmphasis();
  }

  /** Selects every item whose neighbourhood overlap is at most `t` (where the models disagree). */
  selectChanged(t: number): void {
    const j = this.data?.jaccard;
    if (!j) return;
    const out: number[] = [];
    for (let i = 0; i < j.length; i++) if (j[i] <= t) out.push(i);
    this.setSelection(out);
  }

  setMode(mode: MapMode): void {
    this.maps.a.setMode(mode);
    this.maps.b.setMode(mode);
    for (const [m, b] of this.modeButtons) b.setAttribute('aria-pressed', m === mode ? 'true' : 'false');
  }

  // ───────── rendering ─────────

  setTab(t: CompareTab): void {
    this.tab = t;
    this.updateTabs();
    this.persist();
  }

  private tabKey(ev: KeyboardEvent, t: CompareTab): void {
    const i = TABS.indexOf(t);
    const next = ev.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length] : ev.key === 'ArrowLeft' ? TABS[(i + TABS.length - 1) % TABS.length] : null;
    if (!next) return;
    ev.preventDefault();
    this.setTab(next);
    this.tabButtons.get(next)?.focus();
  }

  private updateTabs(): void {
    for (const t of TABS) {
      const b = this.tabButtons.get(t)!;
      const on = t === this.tab;
      b.setAttribute('aria-selected', on ? 'true' : 'false');
      b.tabIndex = on ? 0 : -1;
      this.bodies[t].hidden = !on || !this.data;
    }
  }

  private renderAll(): void {
    this.renderHeader();
    this.renderLegend();
    this.renderBar();
    this.renderMetrics();
    this.renderClasses();
    this.renderEet();
    this.renderItems();
    this.updateTabs();
  }

  private renderHeader(): void {
    const d = this.data;
    const chip = (label: string, value: string, title = value) => h('span', { class: 'chip', title }, h('span', { class: 'chip-label' }, label), value);
    const head = (side: Side) => {
      const src = d?.[side].source;
      fill(this.heads[side], h('span', { class: 'cmp-side-tag' }, side.toUpperCase()),
        src ? h('span', { title: src.checkpoint, class: 'cmp-side-name' }, d ? sideNames(d)[side] : checkpointName(src.checkpoint)) : '…',
        side === 'b' && d ? h('span', { class: 'muted small' }, 'aligned to A') : null);
    };
    head('a');
    head('b');
    if (!d) {
      fill(this.header, h('div', { class: 'header-top' }, h('div', { class: 'title-block' }, h('h1', { class: 'title' }, 'Comparing embeddings…'))));
      return;
    }
    const r1 = d.headline.find((m) => m.key === 'recall@1');
    const map = d.headline.find((m) => m.key === 'map@r');
    const tile = (label: string, m: { a: number; b: number; delta: number } | undefined) => m
      ? h('div', { class: 'metric', 'data-metric': label, title: `${label}: A ${fmt(m.a, 4)} → B ${fmt(m.b, 4)}` },
        h('div', { class: 'metric-value' }, `${m.delta > 0 ? '+' : m.delta < 0 ? '−' : '±'}${fmt(Math.abs(m.delta), 3)}`),
        h('div', { class: 'metric-label' }, `Δ${label}`))
      : null;
    fill(this.header, h('div', { class: 'header-top' },
      h('div', { class: 'title-block' },
        h('h1', { class: 'title' }, d.title),
        h('div', { class: 'meta' },
          chip('A', sideNames(d).a, d.a.source.checkpoint),
          chip('B', sideNames(d).b, d.b.source.checkpoint),
          chip('dataset', baseName(d.a.source.dataset) || d.a.source.dataset, d.a.source.dataset),
          chip('items', (d.a.items?.n ?? 0).toLocaleString('en-US')),
          chip('K', String(d.k), 'neighbourhood size of the Jaccard overlap and per-item precision'))),
      h('div', { class: 'metrics', role: 'group', 'aria-label': 'Headline changes' },
        tile('R@1', r1), tile('MAP@R', map),
        h('div', { class: 'metric', 'data-metric': 'jaccard', title: `mean Jaccard overlap of each item's ${d.k} nearest neighbours under A and B` },
          h('div', { class: 'metric-value' }, fmt(d.meanJaccard, 3)), h('div', { class: 'metric-label' }, `J@${d.k}`))),
      this.exportMenu()),
      this.scope(d),
      this.notes(d));
  }

  /**
   * After a fine-tune: which items these numbers are on ("Evaluated on the 2 held-out classes, 120
   * items"), the toggle to every item ("480 of them seen in training") and the small-split warning.
   */
  private scope(d: CompareData): HTMLElement | null {
    const s = d.scope;
    if (!s) return null;
    // A toggle only where it changes something: some items were seen in training, and the held-out
    // ones can be scored on their own (no fallback). A report holds one comparison: no toggle.
    const canToggle = !!this.host.compareItems && s.heldOutItems < s.totalItems && !s.fallback;
    const ask = canToggle ? (items: ItemsChoice) => {
      if (this.itemsPending || items === s.items) return;
      this.itemsPending = items;
      this.host.compareItems!(items);
      this.renderHeader();
    } : null;
    // Held-out classes that cannot be scored on their own (fallback) leave only "all items".
    const choice = (items: ItemsChoice, label: string) => h('button', {
      type: 'button', class: 'tool text', id: `cmp-items-${items}`, 'aria-pressed': s.items === items ? 'true' : 'false',
      disabled: !!this.itemsPending,
      title: items === 'held-out' ? 'Score only the classes the fine-tune never trained on' : 'Score every item, including the classes the fine-tune trained on',
      onclick: () => ask?.(items),
    }, label);
    const toggle = ask
      ? h('div', { class: 'segmented', role: 'group', id: 'cmp-items-toggle', 'aria-label': 'Items scored' }, choice('held-out', 'Held-out classes'), choice('all', 'All items'))
      : null;
    const pending = this.itemsPending ? h('span', { class: 'muted small', id: 'cmp-items-pending' }, this.itemsPending === 'all' ? 'Scoring every item…' : 'Scoring the held-out classes…') : null;
    const reportHint = !this.host.compareItems && s.items === 'held-out' && s.heldOutItems < s.totalItems ? h('span', { class: 'muted small' }, 'every item: embedding-lens compare --items all') : null;
    return h('div', { class: `cmp-scope${s.items === 'all' ? ' all' : ''}${s.warning ? ' warn' : ''}`, id: 'cmp-scope', 'data-items': s.items },
      h('div', { class: 'cmp-scope-row' },
        h('span', { class: 'cmp-scope-line', id: 'cmp-scope-line' }, scopeHeadline(s), s.fallback ? ` — ${s.fallback}` : ''),
        toggle, pending, reportHint),
      s.warning ? h('p', { class: 'cmp-scope-warning', id: 'cmp-scope-warning', role: 'alert' }, h('span', { class: 'codicon-like', 'aria-hidden': 'true' }, '⚠ '), s.warning) : null);
  }

  /** What each side's engine assumed, folded: two sides' notes would push the maps down. */
  private notes(d: CompareData): HTMLElement | null {
    const notes = [...(d.a.notes ?? []).map((n) => `A: ${n}`), ...(d.b.notes ?? []).map((n) => `B: ${n}`)];
    if (!notes.length) return null;
    return h('div', { class: 'header-extra' }, h('details', { class: 'cmp-notes' },
      h('summary', {}, `${notes.length} note${notes.length === 1 ? '' : 's'} on how A and B were read`),
      h('ul', {}, ...notes.map((n) => h('li', { class: 'note' }, n)))));
  }

  private renderLegend(): void {
    const items = this.data?.a.items;
    if (!items) {
      fill(this.legend, h('li', { class: 'muted' }, 'Waiting for items…'));
      return;
    }
    const counts = new Array<number>(items.classNames.length).fill(0);
    for (let i = 0; i < items.n; i++) counts[items.labels[i]]++;
    fill(this.legend, ...items.classNames.slice(0, 500).map((name, c) => {
      const on = !this.hidden.has(c) && (this.isolated === null || this.isolated === c);
      return h('li', { class: `legend-row${on ? '' : ' off'}${this.isolated === c ? ' isolated' : ''}`, 'data-class': c },
        h('button', { class: 'legend-toggle', type: 'button', role: 'switch', 'aria-checked': on ? 'true' : 'false', title: `${name}: ${counts[c]} items`, onclick: () => this.toggleClass(c) },
          h('span', { class: 'swatch', style: `background:${this.palette[c]}` }), h('span', { class: 'legend-name' }, name), h('span', { class: 'legend-count' }, counts[c])),
        h('button', { class: 'legend-only', type: 'button', 'aria-label': this.isolated === c ? `Stop isolating ${name}` : `Isolate ${name} on both maps`, onclick: () => this.isolate(this.isolated === c ? null : c) }, this.isolated === c ? 'all' : 'only'));
    }));
  }

  private renderBar(): void {
    const items = this.data?.a.items;
    const parts: (HTMLElement | string | null)[] = [];
    if (this.isolated !== null && items) parts.push(h('span', { class: 'pill' }, `isolated: ${items.classNames[this.isolated]}`, h('button', { type: 'button', class: 'pill-x', 'aria-label': 'Show all classes', onclick: () => this.showAll() }, '×')));
    if (this.selection.length) parts.push(h('span', { class: 'pill accent', id: 'cmp-selection' }, `${this.selection.length.toLocaleString('en-US')} selected on both maps`, h('button', { type: 'button', class: 'pill-x', 'aria-label': 'Clear selection', onclick: () => this.setSelection(null) }, '×')));
    parts.push(h('span', { class: 'spacer' }));
    parts.push(h('span', { class: 'muted small' }, `${(items?.n ?? 0).toLocaleString('en-US')} points per map · ${this.maps.a.stats.renderer === 'webgl2' ? 'WebGL2' : 'Canvas 2D'}`));
    fill(this.bar, ...parts);
  }

  private renderMetrics(): void {
    const d = this.data;
    if (!d) return;
    fill(this.bodies.metrics,
      h('h2', {}, 'Headline metrics'),
      metricTable(d.headline, headlineBetter, 'metric', 'headline-deltas'),
      h('h2', {}, `Neighbourhood change (Jaccard@${d.k}, original spaces)`),
      jaccardSummary(d));
  }

  private renderEet(): void {
    const d = this.data;
    if (!d) return;
    fill(this.bodies.eet,
      h('h2', {}, 'EET loss terms (lower is better)'),
      d.eet.length ? metricTable(d.eet, eetBetter, 'term', 'eet-deltas') : h('p', { class: 'muted' }, 'One side has no EET breakdown.'));
  }

  private renderClasses(): void {
    const d = this.data;
    if (!d) return;
    fill(this.bodies.classes,
      h('h2', {}, 'Per class: B − A (biggest changes first; click a header to sort, a row to isolate)'),
      h('div', { class: 'table-wrap' }, classTable(d, {
        sort: this.classSort,
        isolated: this.isolated,
        palette: this.palette,
        onSort: (s) => { this.classSort = s; this.renderClasses(); },
        onIsolate: (c) => this.isolate(c),
      })));
  }

  private renderItems(): void {
    const d = this.data;
    if (!d?.a.items) return;
    const hooks = { palette: this.palette, focused: this.focused, onPick: (i: number) => this.pick(i), onHot: (i: number | null) => this.setHot(i) };
    const focus = this.focused;
    let focusEl: HTMLElement | null = null;
    if (focus !== null) {
      const topA = this.topK('a', focus);
      const topB = this.topK('b', focus);
      const labels = d.a.items.labels;
      const prec = (t: Int32Array) => (t.length ? Array.from(t).filter((j) => labels[j] === labels[focus]).length / t.length : NaN);
      focusEl = h('div', { id: 'focused-item' }, h('h2', {}, 'Clicked item'),
        h('ol', { class: 'change-list' }, itemRow(d, focus, topA, topB, { jaccard: d.jaccard[focus], precisionA: prec(topA), precisionB: prec(topB) }, hooks, 'focused')));
    }
    const threshold = h('input', { type: 'number', min: 0, max: 1, step: 0.05, value: 0.5, 'aria-label': 'Jaccard threshold' });
    fill(this.bodies.items,
      focusEl,
      h('div', { class: 'cmp-threshold' },
        h('button', { type: 'button', class: 'button secondary', id: 'select-changed', onclick: () => this.selectChanged(Number(threshold.value)) }, 'Select items with Jaccard ≤'), threshold),
      h('h2', {}, `Retrieval got most worse (top-${d.k} precision A → B)`),
      changeList(d, 'worse', hooks),
      h('h2', {}, 'Retrieval got most better'),
      changeList(d, 'better', hooks));
  }

  private showProgress(stage: string, done: number, total: number, message?: string): void {
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    this.progressEl.hidden = false;
    fill(this.progressEl,
      h('span', { class: 'progress-stage' }, stage),
      h('span', { class: 'progress-track', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': total, 'aria-valuenow': done, 'aria-label': stage },
        h('span', { class: 'progress-fill', style: `width:${(frac * 100).toFixed(1)}%` })),
      h('span', { class: 'progress-text' }, message ?? `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`),
      this.host.canCancel ? h('button', { type: 'button', class: 'button secondary', onclick: () => this.host.cancel() }, 'Cancel') : null);
    if (!this.data) this.waiting.textContent = `Comparing: ${stage}…`;
  }

  showError(message: string): void {
    fill(this.toast, h('span', {}, message), h('button', { type: 'button', class: 'pill-x', 'aria-label': 'Dismiss', onclick: () => { this.toast.hidden = true; } }, '×'));
    this.toast.hidden = false;
  }

  private stem(): string {
    const d = this.data;
    const name = (n: string) => n.replace(/\/model\.json$/i, '').replace(/\.(json|onnx|npy)$/i, '');
    return d ? `${name(sideNames(d).a)}-vs-${name(sideNames(d).b)}`.replace(/[^A-Za-z0-9._-]+/g, '_') : 'comparison';
  }

  private exportMenu(): HTMLElement {
    const item = (label: string, run: () => Promise<unknown>) =>
      h('button', { type: 'button', role: 'menuitem', class: 'menu-item', onclick: (ev: Event) => {
        (ev.currentTarget as HTMLElement).closest('details')?.removeAttribute('open');
        run().catch((e: Error) => this.showError(`Export failed: ${e.message}`));
      } }, label);
    const d = () => this.data!;
    return h('details', { class: 'export' },
      h('summary', { class: 'button secondary', 'aria-label': 'Export' }, 'Export'),
      h('div', { class: 'menu', role: 'menu' },
        item('Both maps as PNG', async () => this.host.save('map', 'png', `${this.stem()}-maps.png`, await canvasToPng(sideBySide(this.maps.a.snapshot(), this.maps.b.snapshot())))),
        item('Deltas as JSON', () => this.host.save('metrics', 'json', `${this.stem()}-deltas.json`, JSON.stringify(deltasRecord(d()), null, 2))),
        item('Headline deltas as CSV', () => this.host.save('metrics', 'csv', `${this.stem()}-headline.csv`, headlineCsv(d()))),
        item('Class deltas as CSV', () => this.host.save('classes', 'csv', `${this.stem()}-classes.csv`, classesCsv(d()))),
        item('EET deltas as CSV', () => this.host.save('metrics', 'csv', `${this.stem()}-eet.csv`, eetCsv(d()))),
        item('Changed items as CSV', () => this.host.save('metrics', 'csv', `${this.stem()}-items.csv`, itemsCsv(d())))));
  }

  /** Saved through the inspection panel's state shape (the host validates it as such). */
  private persist(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => this.host.saveState({
      tab: TAB_TO_PANEL[this.tab],
      hiddenClasses: [...this.hidden].sort((a, b) => a - b),
      isolatedClass: this.isolated,
      selection: this.selection.slice(),
      search: '',
      queryIndex: this.focused,
      k: Math.max(1, this.data?.k ?? 10),
      ...(this.transform ? { transform: this.transform } : {}),
      // What was compared, so VS Code's serializer can re-run it (from cache) after a reload.
      ...(this.data ? { source: this.data.a.source, sourceB: this.data.b.source } : {}),
    }), 200);
  }
}
