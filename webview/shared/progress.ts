import { fill, h } from '../dom';

/** What the progress bar calls: Cancel, where the host can stop the run. */
export interface ProgressContext {
  readonly canCancel: boolean;
  cancel(): void;
}

/** The strip under the header while the host works: stage, bar, "done / total" (or its message), Cancel. */
export class ProgressBar {
  readonly el = h('div', { class: 'progress', role: 'status', hidden: true });

  constructor(private ctx: ProgressContext) {}

  show(stage: string, done: number, total: number, message?: string): void {
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    this.el.hidden = false;
    fill(
      this.el,
      h('span', { class: 'progress-stage' }, stage),
      h(
        'span',
        {
          class: 'progress-track',
          role: 'progressbar',
          'aria-valuemin': 0,
          'aria-valuemax': total,
          'aria-valuenow': done,
          'aria-label': stage,
        },
        h('span', { class: 'progress-fill', style: `width:${(frac * 100).toFixed(1)}%` }),
      ),
      h('span', { class: 'progress-text' }, message ?? `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`),
      this.ctx.canCancel ? h('button', { type: 'button', class: 'button secondary', onclick: () => this.ctx.cancel() }, 'Cancel') : null,
    );
  }

  hide(): void {
    this.el.hidden = true;
  }
}
