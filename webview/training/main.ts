/**
 * The fine-tune panel: live curves of each EET term per step and the validation metrics per
 * epoch, the settings used, rate/ETA, Cancel, and at the end the best epoch, the output folder and
 * "Compare with the original". Everything arrives from the host (src/host/trainingPanel.ts) as
 * TrainingHostToWebview messages; the buttons send TrainingWebviewToHost messages back.
 * This entry point lays out the parts (status, charts, tables) and routes the messages to them.
 */
import { h, fmt } from '../dom';
import {
  TRAINING_MESSAGES,
  type TrainingHostToWebview,
  type TrainingViewState,
  type TrainingWebviewToHost,
} from '../../src/trainingProtocol';
import { displayName } from '../../src/core/util/displayName';
import { Channel } from '../channel';
import { TrainingCharts } from './charts';
import { initialState } from './state';
import { TrainingStatus } from './status';
import { epochRows, renderValidationSet, runChips, settingsRows, summaryContent } from './tables';

const channel = new Channel<typeof TRAINING_MESSAGES, TrainingHostToWebview, TrainingViewState>(TRAINING_MESSAGES);
const send = (msg: TrainingWebviewToHost) => channel.post(msg);
const state = initialState();

// ───────────────────────── layout ─────────────────────────

const title = h('h1', { class: 'title' }, 'Fine-tune with EET loss');
const chips = h('div', { class: 'meta' });
const status = new TrainingStatus();
// Epoch ends and the outcome are announced; per-step numbers change too fast to read out.
const announce = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
const cancelBtn = h('button', { class: 'button', id: 'cancel', type: 'button', onclick: () => requestCancel() }, 'Cancel training');

// What validation was computed on, under the curves, and a visible warning when it is too small to trust.
// Styled here (through the CSSOM, which the CSP allows) rather than in media/training.css.
const valOn = h('p', { class: 'muted small val-on', id: 'val-on', style: 'margin: 4px 0 0' });
const valWarning = h('p', {
  class: 'val-warning',
  id: 'val-warning',
  role: 'alert',
  hidden: true,
  style:
    'margin: 8px 0 0; padding: 4px 8px; border-left: 3px solid var(--vscode-editorWarning-foreground, #cca700); background: color-mix(in srgb, var(--vscode-editorWarning-foreground, #cca700) 12%, transparent)',
});
const summaryBox = h('section', { class: 'summary', id: 'summary', hidden: true, 'aria-labelledby': 'summary-title' });
const charts = new TrainingCharts(state, valOn, () => schedule());
const epochTable = h('tbody');
const settingsList = h('dl', { class: 'settings', id: 'settings' });

document.body.append(
  h(
    'main',
    { class: 'training' },
    h(
      'header',
      { class: 'lens-header' },
      h('div', { class: 'header-top' }, h('div', { class: 'title-block' }, title, chips), cancelBtn),
      status.line,
      status.bar,
      announce,
      valWarning,
    ),
    summaryBox,
    charts.el,
    h(
      'div',
      { class: 'details' },
      h(
        'section',
        { 'aria-labelledby': 'epochs-title' },
        h('h2', { id: 'epochs-title' }, 'Epochs'),
        h(
          'table',
          { class: 'epochs', id: 'epochs' },
          h(
            'thead',
            {},
            h('tr', {}, ...['Epoch', 'Mean loss', 'MC', 'EC', 'EDC', 'map@r', 'recall@1', 'Time'].map((c) => h('th', { scope: 'col' }, c))),
          ),
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
  status.text = 'Stopping after the current step; the best epoch so far is kept…';
  send({ type: 'cancel' });
}

function renderRun(): void {
  const r = state.run;
  if (!r) return;
  title.textContent = `Fine-tune ${displayName(r.checkpoint)} with EET loss`;
  chips.replaceChildren(...runChips(r, state.outcome));
  settingsList.replaceChildren(...settingsRows(r));
}

function renderEpochs(): void {
  renderValidationSet(valOn, valWarning, state.epochs, state.run?.settings.validation === 'split');
  epochTable.replaceChildren(...epochRows(state.epochs));
}

function renderOutcome(): void {
  const o = state.outcome;
  if (!o) return;
  cancelBtn.hidden = true;
  status.ended(o, state);
  const { heading, content } = summaryContent(o, { compare: () => send({ type: 'compare' }), reveal: () => send({ type: 'reveal' }) });
  status.text = heading + (o.message ? ` — ${o.message}` : '');
  summaryBox.className = `summary summary-${o.status}`;
  summaryBox.replaceChildren(...content);
  summaryBox.hidden = false;
  announce.textContent = `${heading}.${o.best ? ` Best epoch ${o.best.epoch}, map@r ${fmt(o.best.mapAtR, 3)}.` : ''}`;
  renderRun();
}

let pending = false;
function schedule(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    status.update(state);
    charts.draw();
  });
}

// ───────────────────────── messages ─────────────────────────

channel.onMessage((msg) => {
  switch (msg.type) {
    case 'init':
      // Saved so a reload of the window can name this run (src/host/restore.ts).
      channel.setState({ checkpoint: msg.run.checkpoint, outDir: msg.run.outDir });
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
      announce.textContent =
        msg.epoch.epoch === 0
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
    ...charts.stats(),
    outcome: state.outcome?.status ?? null,
    pendingDraw: pending,
  }),
};

charts.draw();
send({ type: 'ready' });
