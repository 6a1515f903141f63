import type { CompareData, PanelTab, PanelViewState } from '../../src/protocol';
import type { ClassFilter } from '../shared/classFilter';
import type { CompareTab } from './sections';

// The saved state shares the inspection's shape (tabs included); each compare tab rides on one.
const TAB_TO_PANEL: Record<CompareTab, PanelTab> = { items: 'neighbours', metrics: 'selection', classes: 'classes', eet: 'eet' };

/** What the compare view keeps across a reload. */
export interface CompareViewMemory {
  tab: CompareTab;
  filter: ClassFilter;
  selection: number[];
  focused: number | null;
  transform?: { x: number; y: number; k: number };
}

export function fromSavedState(s: PanelViewState): CompareViewMemory {
  return {
    tab: (Object.keys(TAB_TO_PANEL) as CompareTab[]).find((t) => TAB_TO_PANEL[t] === s.tab) ?? 'items',
    filter: { hiddenClasses: s.hiddenClasses, isolatedClass: s.isolatedClass },
    selection: s.selection,
    focused: s.queryIndex,
    transform: s.transform,
  };
}

/** Saved in the inspection's state shape (the host validates it as such), with what was compared. */
export function toSavedState(m: CompareViewMemory, data: CompareData | null): PanelViewState {
  return {
    tab: TAB_TO_PANEL[m.tab],
    hiddenClasses: [...m.filter.hiddenClasses],
    isolatedClass: m.filter.isolatedClass,
    selection: m.selection.slice(),
    search: '',
    queryIndex: m.focused,
    k: Math.max(1, data?.k ?? 10),
    ...(m.transform ? { transform: m.transform } : {}),
    // What was compared, so VS Code's serializer can re-run it (from cache) after a reload.
    ...(data ? { source: data.a.source, sourceB: data.b.source } : {}),
  };
}
