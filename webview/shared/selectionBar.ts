import { fill, h } from '../dom';
import type { ClassFilter } from './classFilter';

/** What the bar under the map reads and calls. */
export interface SelectionBarContext {
  /** The items' class names, or null while the items have not arrived. */
  classes(): { classNames: readonly string[] } | null;
  filter(): ClassFilter;
  showAllClasses(): void;
  clearSelection(): void;
  /** Which renderer draws the points (the bar says so: it explains a slow machine). */
  renderer(): 'webgl2' | 'canvas2d';
}

/** The selection's pill: its text, an optional id (tests and screen readers find it), what follows it. */
export interface SelectionSummary {
  text: string;
  id?: string;
  after?: HTMLElement | null;
}

const plural = (n: number, word: string, suffix = 'es') => `${n} ${word}${n === 1 ? '' : suffix}`;

/**
 * The status bar under the map(s): which classes are isolated or greyed, what is selected (each
 * with × to undo it), and how many points are drawn by which renderer.
 */
export class SelectionBar {
  readonly el = h('div', { class: 'selection-bar', role: 'status' });

  /** `pointsLabel`: "points", or "points per map" where two maps show the same items. */
  constructor(
    private ctx: SelectionBarContext,
    private pointsLabel = 'points',
  ) {}

  update(points: number, selection: SelectionSummary | null): void {
    const { ctx } = this;
    const names = ctx.classes()?.classNames;
    const f = ctx.filter();
    const x = (label: string, onclick: () => void) => h('button', { type: 'button', class: 'pill-x', 'aria-label': label, onclick }, '×');
    const parts: (HTMLElement | null)[] = [];
    if (names && f.isolatedClass !== null) {
      parts.push(
        h(
          'span',
          { class: 'pill' },
          `isolated: ${names[f.isolatedClass]}`,
          x('Show all classes', () => ctx.showAllClasses()),
        ),
      );
    } else if (names && f.hiddenClasses.length) {
      parts.push(
        h(
          'span',
          { class: 'pill' },
          `${plural(f.hiddenClasses.length, 'class')} greyed`,
          x('Show all classes', () => ctx.showAllClasses()),
        ),
      );
    }
    if (selection) {
      parts.push(
        h(
          'span',
          { class: 'pill accent', ...(selection.id ? { id: selection.id } : {}) },
          selection.text,
          x('Clear selection', () => ctx.clearSelection()),
        ),
      );
      parts.push(selection.after ?? null);
    }
    parts.push(h('span', { class: 'spacer' }));
    parts.push(
      h(
        'span',
        { class: 'muted small', title: 'renderer' },
        `${points.toLocaleString('en-US')} ${this.pointsLabel} · ${ctx.renderer() === 'webgl2' ? 'WebGL2' : 'Canvas 2D'}`,
      ),
    );
    fill(this.el, ...parts);
  }
}

/** "12 selected · 3 classes" for the inspection's bar. */
export function selectionText(count: number, classes: number): string {
  return `${count.toLocaleString('en-US')} selected${count ? ` · ${plural(classes, 'class')}` : ''}`;
}
