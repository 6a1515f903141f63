import type { TrainingOutcome } from '../../src/trainingProtocol';
import { fmt, h } from '../dom';
import { formatDuration } from './series';
import { stepCounts, type TrainingState } from './state';

/**
 * The status line and the progress bar under the header: the step, loss, rate and time left while
 * the run goes; at the end, where it stopped and how. The fill is drawn at once (no transition), so
 * what is painted is always the value.
 */
export class TrainingStatus {
  readonly line = h('div', { class: 'status-line', id: 'status' }, 'Waiting for the training to start…');
  readonly bar = h(
    'div',
    {
      class: 'tr-progress',
      role: 'progressbar',
      'aria-label': 'Training progress',
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': 0,
    },
    h('div', { class: 'tr-progress-fill' }),
  );

  set text(t: string) {
    this.line.textContent = t;
  }

  update(state: TrainingState): void {
    const last = state.steps.at(-1);
    const total = state.run?.settings.epochs ?? 0;
    if (state.outcome) return;
    if (last) {
      const { done, planned } = stepCounts(state)!;
      this.setBar((100 * done) / planned, `step ${done} of ${planned}`);
      this.text =
        `Epoch ${last.epoch}/${total} · step ${last.step}/${last.stepsPerEpoch} · loss ${fmt(last.loss, 4)} · ` +
        `${last.stepsPerSecond >= 10 ? last.stepsPerSecond.toFixed(0) : last.stepsPerSecond.toFixed(2)} steps/s · ${formatDuration(last.etaSeconds)} left`;
    } else if (state.stage) {
      const st = state.stage;
      this.setBar(st.total > 0 ? (100 * st.done) / st.total : 0, `${st.stage}: ${st.done} of ${st.total}`);
      this.text = `${st.stage}: ${st.done.toLocaleString()}/${st.total.toLocaleString()}${st.message ? ` · ${st.message}` : ''}`;
    } else if (state.epochs.length) {
      this.text = 'Validated the model before training; the first epoch is starting…';
    }
    if (state.cancelRequested) this.text = `Cancelling… ${this.line.textContent}`;
  }

  /**
   * The bar once the run has ended: full when it finished; where it stopped, in the cancelled or
   * error colour and saying so, otherwise. Computed from the steps (not from the bar's last drawn
   * value), so a panel that reloads with an ended run in its init shows the same thing.
   */
  ended(o: TrainingOutcome, state: TrainingState): void {
    const bar = this.bar;
    bar.classList.remove('tr-progress-done', 'tr-progress-cancelled', 'tr-progress-error');
    bar.classList.add(`tr-progress-${o.status}`);
    if (o.status === 'done') {
      this.setBar(100, 'Training finished');
      return;
    }
    const what = o.status === 'cancelled' ? 'Training cancelled' : 'Training stopped on an error';
    const counts = stepCounts(state);
    if (counts) this.setBar((100 * counts.done) / counts.planned, `${what} at step ${counts.done} of ${counts.planned}`);
    else this.setBar(0, `${what} before the first training step`);
  }

  /** The bar's value (0–100) and what a screen reader says for it. */
  private setBar(pct: number, text: string): void {
    const value = Math.min(100, Math.max(0, pct));
    this.bar.setAttribute('aria-valuenow', String(Math.round(value)));
    this.bar.setAttribute('aria-valuetext', text);
    (this.bar.firstElementChild as HTMLElement).style.width = `${value}%`;
  }
}
