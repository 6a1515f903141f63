import { h } from '../dom';
import { drawChart } from './chart';
import { epochStarts, LOSS_TERMS, lossSeries, validationSeries, type LossTerm } from './series';
import type { TrainingState } from './state';

const TERM_LABELS: Record<LossTerm, string> = {
  total: 'L_EET (total)',
  mc: 'L_MC triplet',
  ec: 'L_EC equidistant',
  edc: 'L_EDC equidistributed',
};

function chartSvg(id: string, captionId: string): SVGSVGElement {
  const s = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  s.setAttribute('role', 'img');
  s.setAttribute('aria-labelledby', captionId);
  s.id = id;
  return s;
}

const legend = (keys: readonly string[], labels: Record<string, string>) =>
  h(
    'ul',
    { class: 'tr-legend', 'aria-label': 'Legend' },
    ...keys.map((k) =>
      h('li', { class: `tr-legend-item series-${k}` }, h('span', { class: 'tr-swatch', 'aria-hidden': 'true' }), labels[k]),
    ),
  );

/**
 * The two charts: each EET term per step (smoothed, with the smoothing slider) and the validation
 * metrics per epoch; `valFooter` goes under the validation chart (what it was measured on).
 */
export class TrainingCharts {
  readonly el: HTMLElement;
  private lossSvg = chartSvg('loss-chart', 'loss-caption');
  private valSvg = chartSvg('val-chart', 'val-caption');

  /** `onSmoothing`: the slider moved (state.smoothing is already updated). */
  constructor(
    private state: TrainingState,
    valFooter: HTMLElement,
    onSmoothing: () => void,
  ) {
    const value = h('output', { id: 'smoothing-value', for: 'smoothing' }, state.smoothing.toFixed(2));
    const input: HTMLInputElement = h('input', {
      id: 'smoothing',
      type: 'range',
      min: 0,
      max: 0.98,
      step: 0.02,
      value: state.smoothing,
      oninput: () => {
        state.smoothing = Number(input.value);
        value.textContent = state.smoothing.toFixed(2);
        onSmoothing();
      },
    });
    this.el = h(
      'div',
      { class: 'charts' },
      h(
        'figure',
        { class: 'chart' },
        h('figcaption', { id: 'loss-caption' }, 'EET loss terms per step (smoothed)'),
        legend(LOSS_TERMS, TERM_LABELS),
        this.lossSvg,
        h('div', { class: 'chart-controls' }, h('label', { for: 'smoothing' }, 'Smoothing'), input, value),
      ),
      h(
        'figure',
        { class: 'chart' },
        h('figcaption', { id: 'val-caption' }, 'Validation per epoch (epoch 0 = before training)'),
        legend(['mapAtR', 'recallAt1'], { mapAtR: 'map@r', recallAt1: 'recall@1' }),
        this.valSvg,
        valFooter,
      ),
    );
  }

  draw(): void {
    const { state, lossSvg, valSvg } = this;
    const lossWidth = Math.max(280, Math.floor(lossSvg.parentElement!.clientWidth - 2));
    const valWidth = Math.max(280, Math.floor(valSvg.parentElement!.clientWidth - 2));
    const lines = lossSeries(state.steps, state.smoothing);
    const planned = state.steps.length ? state.steps[0].stepsPerEpoch * (state.run?.settings.epochs ?? 1) : 0;
    drawChart(
      lossSvg,
      {
        lines: LOSS_TERMS.map((t) => ({ key: t, label: TERM_LABELS[t], points: lines[t] })),
        xLabel: 'Step',
        yLabel: 'Loss',
        integerX: true,
        xDomain: state.steps.length ? [1, Math.max(planned, state.steps.length, 2)] : undefined,
        guides: epochStarts(state.steps)
          .slice(1)
          .map((g) => ({ x: g.x, label: `epoch ${g.epoch}` })),
        empty: state.epochs.length ? 'Waiting for the first step…' : 'No steps yet',
      },
      lossWidth,
      240,
    );
    const val = validationSeries(state.epochs);
    drawChart(
      valSvg,
      {
        lines: [
          { key: 'mapAtR', label: 'map@r', points: val.mapAtR, dots: true },
          { key: 'recallAt1', label: 'recall@1', points: val.recallAt1, dots: true },
        ],
        xLabel: 'Epoch',
        yLabel: 'Metric',
        xDomain: [0, Math.max(1, state.run?.settings.epochs ?? 1)],
        yDomain: [0, 1],
        integerX: true,
        empty: 'Validating the model before training…',
      },
      valWidth,
      240,
    );
  }

  /** What the charts hold (the browser tests read it). */
  stats(): { lossPoints: Record<string, number>; valDots: { mapAtR: number; recallAt1: number } } {
    return {
      lossPoints: Object.fromEntries(
        LOSS_TERMS.map((t) => [t, Number(this.lossSvg.querySelector(`[data-series="${t}"]`)?.getAttribute('data-points') ?? 0)]),
      ),
      valDots: {
        mapAtR: this.valSvg.querySelectorAll('[data-series="mapAtR"] .series-dot').length,
        recallAt1: this.valSvg.querySelectorAll('[data-series="recallAt1"] .series-dot').length,
      },
    };
  }
}
