/**
 * The Compare panel: two maps (A, and B Procrustes-aligned onto A) with linked zoom, hover,
 * selection and class isolation, beside the deltas (headline, per class, EET) and the items whose
 * retrieval changed most. Runs in VS Code (data from an `initCompare` message) and in the HTML
 * report (data inlined; InlineHost delivers it as an `init` whose data has `a` and `b`).
 * This file composes the shared components (webview/shared) with the header, the sections and the maps.
 */
import type { CompareData, HostToWebview, InspectionItems, ItemsChoice, PanelViewState } from '../../src/protocol';
import { classPalette } from '../colors';
import { h } from '../dom';
import type { Host } from '../host';
import type { MapView } from '../map/mapView';
import type { RendererChoice } from '../map/renderer';
import { emphasisOf, isolateClass, NO_FILTER, toggleClass, type ClassFilter } from '../shared/classFilter';
import { Legend, type LegendContext } from '../shared/legend';
import { ProgressBar } from '../shared/progress';
import { SelectionBar, type SelectionBarContext } from '../shared/selectionBar';
import { Tabs } from '../shared/tabs';
import { watchTheme } from '../shared/theme';
import { Toast } from '../shared/toast';
import { compareExportMenu } from './exportMenu';
import { CompareHeader, type Side } from './header';
import { LinkedMaps } from './linkedMaps';
import { fromSavedState, toSavedState } from './savedState';
import { CompareSections, type CompareTab, type SectionsContext } from './sections';
import { installCompareStyle } from './style';

export type { CompareTab } from './sections';
const TABS: readonly CompareTab[] = ['items', 'metrics', 'classes', 'eet'];
const TAB_LABELS: Record<CompareTab, string> = { items: 'Changed items', metrics: 'Metrics', classes: 'Classes', eet: 'EET loss' };

export function isCompareData(v: unknown): v is CompareData {
  return typeof v === 'object' && v !== null && 'a' in v && 'b' in v && 'jaccard' in v;
}

export class CompareApp implements LegendContext, SelectionBarContext, SectionsContext {
  data: CompareData | null = null;
  readonly root: HTMLElement;
  palette: string[] = [];
  classFilter: ClassFilter = NO_FILTER;
  selection: number[] = [];
  focused: number | null = null;
  tab: CompareTab = 'items';
  /** The items choice asked of the host and not yet answered (the toggle waits, disabled). */
  itemsPending: ItemsChoice | null = null;
  readonly askItems: ((items: ItemsChoice) => void) | null;
  private transform: PanelViewState['transform'];
  private linked: LinkedMaps;
  private header: CompareHeader;
  private sections: CompareSections;
  private legend: Legend;
  private tabs: Tabs<CompareTab>;
  private progress: ProgressBar;
  private bar: SelectionBar;
  private toast = new Toast();
  private waiting = h('div', { class: 'cmp-waiting' }, 'Inspecting A, then B — the comparison appears when both are done.');
  private saveTimer = 0;

  constructor(
    readonly host: Host,
    opts: { renderer?: RendererChoice } = {},
  ) {
    installCompareStyle();
    this.linked = new LinkedMaps(
      {
        pick: (i) => this.pick(i),
        setSelection: (sel) => this.setSelection(sel),
        zoomed: (t) => {
          this.transform = t;
          this.persist();
        },
        // The item under the pointer lights its row in the lists too.
        hovered: (i) => {
          for (const row of this.root.querySelectorAll<HTMLElement>('.change'))
            row.classList.toggle('hot', i !== null && row.dataset.index === String(i));
        },
      },
      opts.renderer ?? 'auto',
    );
    const compareItems = host.compareItems?.bind(host);
    this.askItems = compareItems
      ? (items) => {
          this.itemsPending = items;
          compareItems(items);
          this.header.update();
        }
      : null;
    this.header = new CompareHeader(this);
    this.sections = new CompareSections(this);
    this.legend = new Legend(this, { label: 'Classes on both maps', isolateWhere: ' on both maps' });
    this.tabs = new Tabs({
      tabs: TABS,
      labels: TAB_LABELS,
      panels: this.sections.bodies,
      idPrefix: 'cmp-',
      label: 'Comparison views',
      onSelect: (t) => this.setTab(t),
    });
    this.progress = new ProgressBar(host);
    this.bar = new SelectionBar(this, 'points per map');
    this.root = this.layout();
    watchTheme((t) => this.linked.setTheme(t));
  }

  /** Map A and map B (the tests and the test hook read them). */
  get maps(): Record<Side, MapView> {
    return this.linked.maps;
  }

  private layout(): HTMLElement {
    const cell = (side: Side) => h('div', { class: 'cmp-cell', 'data-side': side }, this.header.heads[side], this.maps[side].el);
    return h(
      'div',
      { class: 'cmp lens' },
      this.header.el,
      this.progress.el,
      h(
        'main',
        { class: 'cmp-main' },
        h(
          'section',
          { class: 'cmp-maps', 'aria-label': 'Maps of A and B' },
          this.linked.toolbar,
          h('div', { class: 'cmp-pair' }, cell('a'), cell('b'), this.legend.el),
          this.bar.el,
        ),
        h(
          'aside',
          { class: 'side' },
          this.tabs.el,
          h('div', { class: 'side-body' }, this.waiting, ...TABS.map((t) => this.sections.bodies[t])),
        ),
      ),
      this.toast.el,
    );
  }

  start(): void {
    const restored = this.host.restoredState();
    if (restored) this.applyState(restored);
    this.host.start((msg) => this.onMessage(msg));
    this.renderAll();
  }

  private applyState(s: PanelViewState): void {
    const m = fromSavedState(s);
    this.classFilter = m.filter;
    this.selection = m.selection;
    this.focused = m.focused;
    this.transform = m.transform;
    this.tab = m.tab;
  }

  onMessage(msg: HostToWebview): void {
    switch (msg.type) {
      case 'initCompare':
        if (msg.state) this.applyState(msg.state);
        this.setData(msg.data);
        break;
      case 'init':
        if (isCompareData(msg.data)) this.setData(msg.data);
        break;
      case 'stage': {
        // While A then B are inspected the host forwards each side's stages as "A: …" / "B: …".
        const side = msg.stage.startsWith('A:') ? 'a' : msg.stage.startsWith('B:') ? 'b' : null;
        if (!side || this.data) break;
        this.linked.earlyStage(side, msg.patch);
        this.header.heads[side].dataset.stage = msg.stage;
        break;
      }
      case 'progress':
        this.progress.show(msg.stage, msg.done, msg.total, msg.message);
        if (!this.data) this.waiting.textContent = `Comparing: ${msg.stage}…`;
        break;
      case 'done':
        this.progress.hide();
        // A toggle's run that was cancelled or failed: the toggle is usable again.
        if (this.itemsPending) {
          this.itemsPending = null;
          this.header.update();
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

  setData(data: CompareData): void {
    const previous = this.data;
    // Held-out ↔ all items: other items at other indices, so what pointed at items starts afresh.
    if (previous && (previous.scope?.items !== data.scope?.items || previous.a.items?.n !== data.a.items?.n)) {
      this.selection = [];
      this.focused = null;
      this.classFilter = NO_FILTER;
      this.transform = undefined;
    }
    this.itemsPending = null;
    this.data = data;
    const items = data.a.items;
    if (!items) throw new Error('The comparison has no items.');
    this.selection = this.selection.filter((i) => i < items.n);
    if (this.focused !== null && this.focused >= items.n) this.focused = null;
    this.palette = classPalette(items.classNames.length);
    this.linked.show(data, this.palette, this.emphasis(), this.transform);
    this.waiting.hidden = true;
    this.renderAll();
    this.updateMarks();
    this.linked.render();
    document.title = data.title;
  }

  // ───────── the clicked item ─────────

  setHot(i: number | null): void {
    this.linked.setHot(i);
  }

  /** Item i queried on both maps: A's top-K ringed on A, B's on B. */
  pick(i: number): void {
    if (!this.data?.a.items || i < 0 || i >= this.data.a.items.n) return;
    this.focused = i;
    this.setTab('items');
    this.updateMarks();
    this.sections.renderItems();
    this.persist();
  }

  topK(side: Side, i: number): Int32Array {
    const t = this.data?.[side].neighbours;
    if (!t || !this.data) return new Int32Array(0);
    const k = Math.min(this.data.k, t.k);
    return t.indices.slice(i * t.k, i * t.k + k);
  }

  private updateMarks(): void {
    const labels = this.data?.a.items?.labels;
    const q = this.focused;
    const results = { a: q === null ? [] : Array.from(this.topK('a', q)), b: q === null ? [] : Array.from(this.topK('b', q)) };
    const hits = (r: number[]) => r.map((j) => !labels || q === null || labels[j] === labels[q]);
    this.linked.setQuery(q, results, { a: hits(results.a), b: hits(results.b) });
  }

  // ───────── classes and selection (both maps) ─────────

  classes(): InspectionItems | null {
    return this.data?.a.items ?? null;
  }

  filter(): ClassFilter {
    return this.classFilter;
  }

  isolated(): number | null {
    return this.classFilter.isolatedClass;
  }

  renderer(): 'webgl2' | 'canvas2d' {
    return this.maps.a.stats.renderer;
  }

  private emphasis() {
    return emphasisOf(this.classFilter, this.selection, this.data?.a.items?.n ?? 0);
  }

  private afterEmphasis(): void {
    this.linked.setEmphasis(this.emphasis());
    this.legend.update();
    this.renderBar();
    this.sections.renderClasses();
    this.persist();
  }

  toggleClass(c: number): void {
    this.classFilter = toggleClass(this.classFilter, c, this.data?.a.items?.classNames.length ?? 0);
    this.afterEmphasis();
  }

  isolate(c: number | null): void {
    this.classFilter = isolateClass(this.classFilter, c);
    this.afterEmphasis();
  }

  showAllClasses(): void {
    this.classFilter = NO_FILTER;
    this.afterEmphasis();
  }

  setSelection(sel: number[] | null): void {
    this.selection = sel ?? [];
    this.afterEmphasis();
  }

  clearSelection(): void {
    this.setSelection(null);
  }

  /** Selects every item whose neighbourhood overlap is at most `t` (where the models disagree). */
  selectChanged(t: number): void {
    const j = this.data?.jaccard;
    if (!j) return;
    const out: number[] = [];
    for (let i = 0; i < j.length; i++) if (j[i] <= t) out.push(i);
    this.setSelection(out);
  }

  // ───────── rendering ─────────

  setTab(t: CompareTab): void {
    this.tab = t;
    this.tabs.update(this.tab, !!this.data);
    this.persist();
  }

  private renderAll(): void {
    this.header.update();
    this.legend.update();
    this.renderBar();
    this.sections.renderAll();
    this.tabs.update(this.tab, !!this.data);
  }

  private renderBar(): void {
    const n = this.selection.length;
    this.bar.update(
      this.data?.a.items?.n ?? 0,
      n ? { text: `${n.toLocaleString('en-US')} selected on both maps`, id: 'cmp-selection' } : null,
    );
  }

  showError(message: string): void {
    this.toast.show(message);
  }

  exportMenu(): HTMLElement {
    return compareExportMenu(this);
  }

  private persist(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => {
      const memory = {
        tab: this.tab,
        filter: this.classFilter,
        selection: this.selection,
        focused: this.focused,
        transform: this.transform,
      };
      this.host.saveState(toSavedState(memory, this.data));
    }, 200);
  }
}
