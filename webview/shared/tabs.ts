import { h } from '../dom';

export interface TabsOptions<T extends string> {
  tabs: readonly T[];
  labels: Record<T, string>;
  /** Each tab's panel; the tab list labels it and shows only the selected one. */
  panels: Record<T, HTMLElement>;
  /** Prefix of the tab and panel ids ("tab-x"/"panel-x", "cmp-tab-x"/"cmp-panel-x"). */
  idPrefix: string;
  label: string;
  /** A tab was clicked or reached with the arrow keys. */
  onSelect(tab: T): void;
}

/** A WAI-ARIA tab list: roving tabindex, Left/Right move between tabs. The app owns which tab is selected. */
export class Tabs<T extends string> {
  readonly el: HTMLElement;
  private buttons = new Map<T, HTMLButtonElement>();

  constructor(private o: TabsOptions<T>) {
    const id = (kind: 'tab' | 'panel', t: T) => `${o.idPrefix}${kind}-${t}`;
    this.el = h(
      'div',
      { class: 'tabs', role: 'tablist', 'aria-label': o.label },
      ...o.tabs.map((t) => {
        const b = h(
          'button',
          {
            type: 'button',
            role: 'tab',
            id: id('tab', t),
            'aria-controls': id('panel', t),
            class: 'tab',
            onclick: () => o.onSelect(t),
            onkeydown: (ev: KeyboardEvent) => this.key(ev, t),
          },
          o.labels[t],
        );
        this.buttons.set(t, b);
        return b;
      }),
    );
    for (const t of o.tabs) {
      const el = o.panels[t];
      el.id = id('panel', t);
      el.setAttribute('role', 'tabpanel');
      el.setAttribute('aria-labelledby', id('tab', t));
    }
  }

  /** Marks `selected` and shows its panel; `showPanels` false hides them all (nothing to show yet). */
  update(selected: T, showPanels = true): void {
    for (const t of this.o.tabs) {
      const on = t === selected;
      const b = this.buttons.get(t)!;
      b.setAttribute('aria-selected', on ? 'true' : 'false');
      b.tabIndex = on ? 0 : -1;
      this.o.panels[t].hidden = !on || !showPanels;
    }
  }

  private key(ev: KeyboardEvent, tab: T): void {
    const tabs = this.o.tabs;
    const i = tabs.indexOf(tab);
    const next =
      ev.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : ev.key === 'ArrowLeft' ? tabs[(i + tabs.length - 1) % tabs.length] : null;
    if (!next) return;
    ev.preventDefault();
    this.o.onSelect(next);
    this.buttons.get(next)?.focus();
  }
}
