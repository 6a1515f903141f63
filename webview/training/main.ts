/**
 * The fine-tune panel: live curves of each EET term per step and the validation metrics per
 * epoch, the settings used, rate/ETA, Cancel, and at the end the best epoch, the output folder and
 * "Compare with the original". Everything arrives from the host (src/host/trainingPanel.ts) as
 * TrainingHostToWebview messages; the buttons send TrainingWebviewToHost messages back.
 */
import { h, fmt, baseName } from '../dom';
import type {
  EpochReport,
  StepReport,
  TrainingHostToWebview,
  TrainingOutcome,
  TrainingRunInfo,
  TrainingStage,
  TrainingWebviewToHost,
} from '../../src/trainingProtocol';
import { displayName } from '../../src/core/util/displayName';
import { drawChart } from './chart';
import { heldOutSizeText, heldOutWarning } from '../../src/core/train/heldOutAdvice';
import { bestEpoch, epochStarts, formatDuration, LOSS_TERMS, lossSeries, validationSeries, type LossTerm } from './series';

interface VsCodeApi {
  postMessage(msg: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi | undefined = typeof (globalThis as { acquireVsCodeApi?: unknown }).acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
const send = (msg: TrainingWebviewToHost) => api?.postMessage(msg);

const TERM_LABELS: Record<LossTerm, string> = { total: 'L_EET (total)', mc: 'L_MC triplet', ec: 'L_EC equidistant', edc: 'L_EDC equidistributed' };

const state = {
  run: undefined as TrainingRunInfo | undefined,
  steps: [] as StepReport[],
  epochs: [] as EpochReport[],
  stage: undefined as TrainingStage | undefined,
  outcome: undefined as TrainingOutcome | undefined,
  smoothing: 0.6,
  cancelRequested: false,
};

// ───────────────────────── layout ─────────────────────────

const title = h('h1', { class: 'title' }, 'Fine-tune with EET loss');
const chips = h('div', { class: 'meta' });
const statusLine = h('div', { class: 'status-line', id: 'status' }, 'Waiting for the training to start…');
// Epoch ends and the outcome are announced; per-step numbers change too fast to read out.
const announce = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
const cancelBtn = h('button', { class: 'button', id: 'cancel', type: 'button', onclick: () => requestCancel() }, 'Cancel training');
const bar = h('div', { class: 'tr-progress', role: 'progressbar', 'aria-label': 'Training progress', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 }, h('div', { class: 'tr-progress-fill' }));

// What validation was computed on, under the curves, and a visible warning when it is too small to trust.
// Styled here (through the CSSOM, which the CSP allows) rather than in media/training.css.
const valOn = h('p', { class: 'muted small val-on', id: 'val-on', style: 'margin: 4px 0 0' });
const valWarning = h('p', {
  class: 'val-warning', id: 'val-warning', role: 'alert', hidden: true,
  style: 'margin: 8px 0 0; padding: 4px 8px; border-left: 3px solid var(--vscode-editorWarning-foreground, #cca700); background: color-mix(in srgb, var(--vscode-editorWarning-foreground, #cca700) 12%, transparent)',
});

const summaryBox = h('section', { class: 'summary', id: 'summary', hidden: true, 'aria-labelledby': 'summary-title' });

const lossSvg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
lossSvg.setAttribute('role', 'img');
lossSvg.setAttribute('aria-labelledby', 'loss-caption');
lossSvg.id = 'loss-chart';
const valSvg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
valSvg.setAttribute('role', 'img');
valSvg.setAttribute('aria-labelledby', 'val-caption');
valSvg.id = 'val-chart';

const smoothingValue = h('output', { id: 'smoothing-value', for: 'smoothing' }, state.smoothing.toFixed(2));
const smoothingInput = h('input', {
  id: 'smoothing', type: 'range', min: 0, max: 0.98, step: 0.02, value: state.smoothing,
  oninput: () => {
    state.smoothing = Number(smoothingInput.value);
    smoothingValue.textContent = state.smoothing.toFixed(2);
    schedule();
  },
});

const legend = (keys: readonly string[], labels: Record<string, string>) =>
  h('ul', { class: 'tr-legend', 'aria-label': 'Legend' }, ...keys.map((k) => h('li', { class: `tr-legend-item series-${k}` }, h('span', { class: 'tr-swatch', 'aria-hidden': 'true' }), labels[k])));

const epochTable = h('tbody');
const settingsList = h('dl', { class: 'settings', id: 'settings' });

document.body.append(
  h('main', { class: 'training' },
    h('header', { class: 'lens-header' },
      h('div', { class: 'header-top' },
        h('div', { class: 'title-block' }, title, chips),
        cancelBtn,
      ),
      statusLine,
      bar,
      announce,
      valWarning,
    ),
    summaryBox,
    h('div', { class: 'charts' },
      h('figure', { class: 'chart' },
        h('figcaption', { id: 'loss-caption' }, 'EET loss terms per step (smoothed)'),
        legend(LOSS_TERMS, TERM_LABELS),
        lossSvg,
        h('div', { class: 'chart-controls' }, h('label', { for: 'smoothing' }, 'Smoothing'), smoothingInput, smoothingValue),
      ),
      h('figure', { class: 'chart' },
        h('figcaption', { id: 'val-caption' }, 'Validation per epoch (epoch 0 = before training)'),
        legend(['mapAtR', 'recallAt1'], { mapAtR: 'map@r', recallAt1: 'recall@1' }),
        valSvg,
        valOn,
      ),
    ),
    h('div', { class: 'details' },
      h('section', { 'aria-labelledby': 'epochs-title' },
        h('h2', { id: 'epochs-title' }, 'Epochs'),
        h('table', { class: 'epochs', id: 'epochs' },
          h('thead', {}, h('tr', {}, ...['Epoch', 'Mean loss', 'MC', 'EC', 'EDC', 'map@r', 'recall@1', 'Time'].map((c) => h('th', { scope: 'col' }, c)))),
          epochTable,
        ),
      ),
      h('section', { 'aria-labelledby': 'settings-title' }, h('h2', { id: 'settings-title' }, 'Settings'), settingsList),
    ),
  ),
);

// ───────────────────────── rendering ─────────────────────────

function requestCancel(): void {
  if (state.outcome || state.cancelRequested) return;
  state.cancelRequested = true;
  cancelBtn.disabled = true;
  cancelBtn.textContent = 'Cancelling…';
  statusLine.textContent = 'Stopping after the current step; the best epoch so far is kept…';
  send({ type: 'cancel' });
}

function renderRun(): void {
  const r = state.run;
  if (!r) return;
  title.textContent = `Fine-tune ${checkpointName(r.checkpoint)} with EET loss`;
  chips.replaceChildren(
    chip('checkpoint', checkpointName(r.checkpoint), r.checkpoint),
    chip('dataset', baseName(r.dataset), r.dataset),
    chip('backend', state.outcome?.backend ?? r.backendSetting, 'the tfjs backend (named once the run reports it)', 'backend'),
    chip('output', baseName(r.outDir), r.outDir),
  );
  const s = r.settings;
  const train = s.train === 'all' ? 'end to end' : s.train === 'head' ? 'projection head only' : `last ${s.train.lastLayers} layers`;
  const rows: [string, string][] = [
    ['Epochs', String(s.epochs)],
    ['Learning rate', String(s.lr)],
    ['Margin α', String(s.margin)],
    ['λ_mc, λ_ec, λ_edc', s.weights.join(', ')],
    ['P × K', `${s.pk[0]} × ${s.pk[1]}`],
    ['Normalisation', s.normalize ? 'L2 (unit sphere)' : 'off (raw embeddings)'],
    ['What to train', train],
    ['Validation', s.validation === 'split' ? "dataset's own split" : `${Math.round(s.valFraction * 100)}% of classes held out`],
    ['Seed', String(s.seed)],
    ['Checkpoint kind', r.checkpointKind],
  ];
  settingsList.replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

/** model.json alone says nothing: name it with its folder. */
const checkpointName = displayName;

function chip(label: string, value: string, tooltip: string, cls = ''): HTMLElement {
  return h('span', { class: `chip ${cls}`.trim(), title: tooltip }, h('span', { class: 'chip-label' }, label), value);
}

function renderStatus(): void {
  const last = state.steps.at(-1);
  const total = state.run?.settings.epochs ?? 0;
  if (state.outcome) return;
  if (last) {
    const { done, planned } = stepCounts()!;
    setBar((100 * done) / planned, `step ${done} of ${planned}`);
    statusLine.textContent =
      `Epoch ${last.epoch}/${total} · step ${last.step}/${last.stepsPerEpoch} · loss ${fmt(last.loss, 4)} · ` +
      `${last.stepsPerSecond >= 10 ? last.stepsPerSecond.toFixed(0) : last.stepsPerSecond.toFixed(2)} steps/s · ${formatDuration(last.etaSeconds)} left`;
  } else if (state.stage) {
    const st = state.stage;
    setBar(st.total > 0 ? (100 * st.done) / st.total : 0, `${st.stage}: ${st.done} of ${st.total}`);
    statusLine.textContent = `${st.stage}: ${st.done.toLocaleString()}/${st.total.toLocaleString()}${st.message ? ` · ${st.message}` : ''}`;
  } else if (state.epochs.length) {
    statusLine.textContent = 'Validated the model before training; the first epoch is starting…';
  }
  if (state.cancelRequested) statusLine.textContent = `Cancelling… ${statusLine.textContent}`;
}

/**
 * Training steps done and planned. Every step arrives (the host relays each one), so the count is
 * the number received; planned is steps per epoch × epochs, never below what already ran.
 */
function stepCounts(): { done: number; planned: number } | undefined {
  const last = state.steps.at(-1);
  if (!last) return undefined;
  const done = state.steps.length;
  return { done, planned: Math.max(done, last.stepsPerEpoch * (state.run?.settings.epochs ?? 0), 1) };
}

/** The bar's value (0–100) and what a screen reader says for it. The fill is drawn at once (no transition), so what is painted is always the value. */
function setBar(pct: number, text: string): void {
  const value = Math.min(100, Math.max(0, pct));
  bar.setAttribute('aria-valuenow', String(Math.round(value)));
  bar.setAttribute('aria-valuetext', text);
  (bar.firstElementChild as HTMLElement).style.width = `${value}%`;
}

/**
 * The bar once the run has ended: full when it finished; where it stopped, in the cancelled or
 * error colour and saying so, otherwise. Computed from the steps (not from the bar's last drawn
 * value), so a panel that reloads with an ended run in its init shows the same thing.
 */
function renderOutcomeBar(o: TrainingOutcome): void {
  bar.classList.remove('tr-progress-done', 'tr-progress-cancelled', 'tr-progress-error');
  bar.classList.add(`tr-progress-${o.status}`);
  if (o.status === 'done') {
    setBar(100, 'Training finished');
    return;
  }
  const what = o.status === 'cancelled' ? 'Training cancelled' : 'Training stopped on an error';
  const counts = stepCounts();
  if (counts) setBar((100 * counts.done) / counts.planned, `${what} at step ${counts.done} of ${counts.planned}`);
  else setBar(0, `${what} before the first training step`);
}

/**
 * "validation: 2 held-out classes, 120 items" under the curves, from what the epochs report they
 * were measured on, and the warning when that is fewer than 5 classes or 200 items.
 */
function renderValidationSet(): void {
  const v = state.epochs.find((e) => e.val.classes !== undefined && e.val.items !== undefined)?.val;
  if (!v) {
    valOn.textContent = '';
    valWarning.hidden = true;
    return;
  }
  const size = { classes: v.classes!, items: v.items!, totalClasses: v.totalClasses, totalItems: v.totalItems };
  const split = state.run?.settings.validation === 'split';
  const items = `${size.items.toLocaleString('en-US')} item${size.items === 1 ? '' : 's'}`;
  valOn.textContent = split
    ? `validation: the dataset's own split, ${heldOutSizeText(size)}`
    : `validation: ${size.classes.toLocaleString('en-US')} held-out class${size.classes === 1 ? '' : 'es'}, ${items}`;
  const warning = heldOutWarning(size);
  valWarning.hidden = !warning;
  valWarning.replaceChildren(...(warning ? [h('strong', {}, 'Validation too small: '), warning] : []));
}

function renderEpochs(): void {
  renderValidationSet();
  const best = bestEpoch(state.epochs);
  const sorted = [...new Map(state.epochs.map((e) => [e.epoch, e])).values()].sort((a, b) => a.epoch - b.epoch);
  epochTable.replaceChildren(
    ...sorted.map((e) =>
      h('tr', { class: e === best ? 'best' : '', 'data-epoch': e.epoch },
        h('th', { scope: 'row' }, e.epoch === 0 ? '0 (before)' : String(e.epoch), e === best ? h('span', { class: 'best-mark', title: 'best so far' }, ' ★') : null),
        h('td', {}, fmt(e.loss?.total, 4)),
        h('td', {}, fmt(e.loss?.mc, 4)),
        h('td', {}, fmt(e.loss?.ec, 4)),
        h('td', {}, fmt(e.loss?.edc, 4)),
        h('td', {}, fmt(e.val.mapAtR, 4)),
        h('td', {}, fmt(e.val.recallAt1, 4)),
        h('td', {}, `${e.seconds.toFixed(1)} s`),
      ),
    ),
  );
}

function renderCharts(): void {
  const lossWidth = Math.max(280, Math.floor(lossSvg.parentElement!.clientWidth - 2));
  const valWidth = Math.max(280, Math.floor(valSvg.parentElement!.clientWidth - 2));
  const lines = lossSeries(state.steps, state.smoothing);
  const planned = state.steps.length ? state.steps[0].stepsPerEpoch * (state.run?.settings.epochs ?? 1) : 0;
  drawChart(lossSvg, {
    lines: LOSS_TERMS.map((t) => ({ key: t, label: TERM_LABELS[t], points: lines[t] })),
    xLabel: 'Step',
    yLabel: 'Loss',
    integerX: true,
    xDomain: state.steps.length ? [1, Math.max(planned, state.steps.length, 2)] : undefined,
    guides: epochStarts(state.steps).slice(1).map((g) => ({ x: g.x, label: `epoch ${g.epoch}` })),
    empty: state.epochs.length ? 'Waiting for the first step…' : 'No steps yet',
  }, lossWidth, 240);
  const val = validationSeries(state.epochs);
  drawChart(valSvg, {
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
  }, valWidth, 240);
}

function renderOutcome(): void {
  const o = state.outcome;
  if (!o) return;
  cancelBtn.hidden = true;
  renderOutcomeBar(o);
  const best = o.best;
  const heading = o.status === 'done' ? 'Training finished' : o.status === 'cancelled' ? 'Training cancelled' : 'Training stopped on an error';
  statusLine.textContent = heading + (o.message ? ` — ${o.message}` : '');
  const rows: HTMLElement[] = [];
  if (best) {
    rows.push(h('p', { class: 'best-line' }, 'Best epoch ', h('strong', { id: 'best-epoch' }, String(best.epoch)),
      best.epoch === 0 ? ' (no epoch beat the original model)' : '',
      ` · map@r ${fmt(best.mapAtR, 4)} · recall@1 ${fmt(best.recallAt1, 4)}`));
  }
  if (o.outDir) {
    rows.push(h('p', { class: 'out-line' }, o.status === 'done' ? 'Written to ' : 'The best epoch so far is kept in ', h('code', { id: 'out-dir' }, o.outDir)));
  } else if (o.status !== 'done') {
    rows.push(h('p', { class: 'out-line' }, 'Nothing was written: the run stopped before the first validation.'));
  }
  if (o.message) rows.push(h('p', { class: o.status === 'error' ? 'error-line' : 'muted' }, o.message));
  const actions = o.outDir
    ? h('div', { class: 'actions' },
        h('button', { class: 'button', id: 'compare', type: 'button', onclick: () => send({ type: 'compare' }) }, 'Compare with the original'),
        h('button', { class: 'button secondary', id: 'reveal', type: 'button', onclick: () => send({ type: 'reveal' }) }, 'Reveal the output folder'),
      )
    : null;
  summaryBox.className = `summary summary-${o.status}`;
  summaryBox.replaceChildren(h('h2', { id: 'summary-title' }, heading), ...rows, ...(actions ? [actions] : []));
  summaryBox.hidden = false;
  announce.textContent = `${heading}.${best ? ` Best epoch ${best.epoch}, map@r ${fmt(best.mapAtR, 3)}.` : ''}`;
  renderRun();
}

let pending = false;
function schedule(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    renderStatus();
    renderCharts();
  });
}

// ───────────────────────── messages ─────────────────────────

window.addEventListener('message', (ev: MessageEvent) => {
  const msg = ev.data as TrainingHostToWebview;
  if (!msg || typeof msg !== 'object') return;
  switch (msg.type) {
    case 'init':
      state.run = msg.run;
      state.steps = msg.steps.slice();
      state.epochs = msg.epochs.slice();
      state.stage = msg.stage;
      state.outcome = msg.outcome;
      renderRun();
      renderEpochs();
      renderOutcome();
      break;
    case 'stage':
      state.stage = msg.stage;
      break;
    case 'step':
      state.steps.push(msg.step);
      break;
    case 'epoch':
      state.epochs.push(msg.epoch);
      renderEpochs();
      announce.textContent = msg.epoch.epoch === 0
        ? `Before training: map@r ${fmt(msg.epoch.val.mapAtR, 3)}`
        : `Epoch ${msg.epoch.epoch} done: map@r ${fmt(msg.epoch.val.mapAtR, 3)}, recall@1 ${fmt(msg.epoch.val.recallAt1, 3)}`;
      break;
    case 'finished':
      state.outcome = msg.outcome;
      renderOutcome();
      break;
    default:
      return;
  }
  schedule();
});

new ResizeObserver(() => schedule()).observe(document.body);

/** Test hook: what the charts hold, read by the browser tests. */
(window as unknown as { trainingLens: unknown }).trainingLens = {
  stats: () => ({
    steps: state.steps.length,
    epochs: state.epochs.length,
    lossPoints: Object.fromEntries(LOSS_TERMS.map((t) => [t, Number(lossSvg.querySelector(`[data-series="${t}"]`)?.getAttribute('data-points') ?? 0)])),
    valDots: {
      mapAtR: valSvg.querySelectorAll('[data-series="mapAtR"] .series-dot').length,
      recallAt1: valSvg.querySelectorAll('[data-series="recallAt1"] .series-dot').length,
    },
    outcome: state.outcome?.status ?? null,
    pendingDraw: pending,
  }),
};

renderCharts();
send({ type: 'ready' });
