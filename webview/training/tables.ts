import type { EpochReport, TrainingOutcome, TrainingRunInfo } from '../../src/trainingProtocol';
import { displayName } from '../../src/core/util/displayName';
import { heldOutSizeText, heldOutWarning } from '../../src/core/train/heldOutAdvice';
import { baseName, fmt, h } from '../dom';
import { chip } from '../shared/chip';
import { bestEpoch } from './series';

/** The header's chips: what is trained on what, with which backend, written where. */
export function runChips(r: TrainingRunInfo, outcome: TrainingOutcome | undefined): HTMLElement[] {
  return [
    chip('checkpoint', displayName(r.checkpoint), r.checkpoint),
    chip('dataset', baseName(r.dataset), r.dataset),
    chip('backend', outcome?.backend ?? r.backendSetting, 'the tfjs backend (named once the run reports it)', 'backend'),
    chip('output', baseName(r.outDir), r.outDir),
  ];
}

/** The settings the run uses, as a definition list's rows. */
export function settingsRows(r: TrainingRunInfo): HTMLElement[] {
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
  return rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]);
}

/** One row per epoch (the last report of each), the best one starred. */
export function epochRows(epochs: EpochReport[]): HTMLElement[] {
  const best = bestEpoch(epochs);
  const sorted = [...new Map(epochs.map((e) => [e.epoch, e])).values()].sort((a, b) => a.epoch - b.epoch);
  return sorted.map((e) =>
    h(
      'tr',
      { class: e === best ? 'best' : '', 'data-epoch': e.epoch },
      h(
        'th',
        { scope: 'row' },
        e.epoch === 0 ? '0 (before)' : String(e.epoch),
        e === best ? h('span', { class: 'best-mark', title: 'best so far' }, ' ★') : null,
      ),
      h('td', {}, fmt(e.loss?.total, 4)),
      h('td', {}, fmt(e.loss?.mc, 4)),
      h('td', {}, fmt(e.loss?.ec, 4)),
      h('td', {}, fmt(e.loss?.edc, 4)),
      h('td', {}, fmt(e.val.mapAtR, 4)),
      h('td', {}, fmt(e.val.recallAt1, 4)),
      h('td', {}, `${e.seconds.toFixed(1)} s`),
    ),
  );
}

/**
 * "validation: 2 held-out classes, 120 items" under the curves, from what the epochs report they
 * were measured on, and the warning when that is fewer than 5 classes or 200 items.
 */
export function renderValidationSet(valOn: HTMLElement, valWarning: HTMLElement, epochs: EpochReport[], split: boolean): void {
  const v = epochs.find((e) => e.val.classes !== undefined && e.val.items !== undefined)?.val;
  if (!v) {
    valOn.textContent = '';
    valWarning.hidden = true;
    return;
  }
  const size = { classes: v.classes!, items: v.items!, totalClasses: v.totalClasses, totalItems: v.totalItems };
  const items = `${size.items.toLocaleString('en-US')} item${size.items === 1 ? '' : 's'}`;
  valOn.textContent = split
    ? `validation: the dataset's own split, ${heldOutSizeText(size)}`
    : `validation: ${size.classes.toLocaleString('en-US')} held-out class${size.classes === 1 ? '' : 'es'}, ${items}`;
  const warning = heldOutWarning(size);
  valWarning.hidden = !warning;
  valWarning.replaceChildren(...(warning ? [h('strong', {}, 'Validation too small: '), warning] : []));
}

/** The summary once the run ended: its heading, best epoch, where the output is, and the two actions. */
export function summaryContent(
  o: TrainingOutcome,
  actions: { compare(): void; reveal(): void },
): { heading: string; content: HTMLElement[] } {
  const best = o.best;
  const heading =
    o.status === 'done' ? 'Training finished' : o.status === 'cancelled' ? 'Training cancelled' : 'Training stopped on an error';
  const rows: HTMLElement[] = [h('h2', { id: 'summary-title' }, heading)];
  if (best) {
    rows.push(
      h(
        'p',
        { class: 'best-line' },
        'Best epoch ',
        h('strong', { id: 'best-epoch' }, String(best.epoch)),
        best.epoch === 0 ? ' (no epoch beat the original model)' : '',
        ` · map@r ${fmt(best.mapAtR, 4)} · recall@1 ${fmt(best.recallAt1, 4)}`,
      ),
    );
  }
  if (o.outDir) {
    rows.push(
      h(
        'p',
        { class: 'out-line' },
        o.status === 'done' ? 'Written to ' : 'The best epoch so far is kept in ',
        h('code', { id: 'out-dir' }, o.outDir),
      ),
    );
  } else if (o.status !== 'done') {
    rows.push(h('p', { class: 'out-line' }, 'Nothing was written: the run stopped before the first validation.'));
  }
  if (o.message) rows.push(h('p', { class: o.status === 'error' ? 'error-line' : 'muted' }, o.message));
  if (o.outDir) {
    rows.push(
      h(
        'div',
        { class: 'actions' },
        h('button', { class: 'button', id: 'compare', type: 'button', onclick: () => actions.compare() }, 'Compare with the original'),
        h(
          'button',
          { class: 'button secondary', id: 'reveal', type: 'button', onclick: () => actions.reveal() },
          'Reveal the output folder',
        ),
      ),
    );
  }
  return { heading, content: rows };
}
