import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyText,
  applyTrain,
  applyValidation,
  editText,
  formRows,
  initialFormState,
  parseEpochs,
  parseLastLayers,
  parseLearningRate,
  parseMargin,
  parsePk,
  parseSeed,
  parseValFraction,
  parseWeights,
  rowAfterEdit,
  summary,
  toggleNormalize,
  validateText,
} from '../../../src/commands/fineTuneForm';
import { DEFAULT_HEAD_LR, DEFAULT_SETTINGS, resolveSettings } from '../../../src/core/train/options';
import { LensError } from '../../../src/core/errors';

const USER = { margin: 0.3, weights: [1, 1, 1] as [number, number, number], pk: [8, 4] as [number, number] };

function value<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value;
}
function error(r: { ok: boolean; error?: string }): string {
  assert.equal(r.ok, false, 'expected the text to be rejected');
  return r.error!;
}

test('Enter, Enter, Enter: the untouched form is the engine default for a tfjs LayersModel', () => {
  const st = initialFormState('tfjs-layers', USER);
  assert.deepEqual(st.settings, DEFAULT_SETTINGS);
  assert.equal(st.headOnlyReason, undefined);
  assert.deepEqual(resolveSettings(st.settings), st.settings, 'the engine accepts it unchanged');
});

test("the user's EET settings and the caller's settings override the defaults, in that order", () => {
  const st = initialFormState('tfjs-layers', { margin: 0.5, weights: [1, 0.5, 2], pk: [4, 6] }, { epochs: 2, pk: [3, 4] });
  assert.equal(st.settings.margin, 0.5);
  assert.deepEqual(st.settings.weights, [1, 0.5, 2]);
  assert.deepEqual(st.settings.pk, [3, 4]);
  assert.equal(st.settings.epochs, 2);
  assert.equal(st.lrEdited, false);
});

test('ONNX and GraphModel checkpoints are forced to head-only, with the head learning rate and the reason shown', () => {
  for (const kind of ['onnx', 'tfjs-graph']) {
    const st = initialFormState(kind, USER, { train: 'all' });
    assert.equal(st.settings.train, 'head');
    assert.equal(st.settings.lr, DEFAULT_HEAD_LR);
    assert.match(st.headOnlyReason!, /head/);
    const row = formRows(st).find((r) => r.field === 'train')!;
    assert.equal(row.value, 'projection head only');
    assert.match(row.detail, /^Fixed to the head: /);
    assert.throws(() => applyTrain(st, 'all'), /Only the head can be trained/);
  }
});

test('a bad value from settings.json fails with the engine message', () => {
  assert.throws(
    () => initialFormState('tfjs-layers', { ...USER, pk: [1, 4] }),
    (e: unknown) => e instanceof LensError && /P ≥ 2/.test(e.message),
  );
});

test('numbers are parsed as people type them and everything else is rejected with what is expected', () => {
  assert.equal(value(parseEpochs(' 12 ')), 12);
  for (const bad of ['', '0', '1.5', 'ten', '0x10', '10001', '-3']) assert.match(error(parseEpochs(bad)), /^Epochs: a whole number/);
  assert.equal(value(parseLearningRate('1e-4')), 1e-4);
  assert.equal(value(parseLearningRate('0.0003')), 3e-4);
  assert.equal(value(parseLearningRate('.5')), 0.5);
  for (const bad of ['0', '-1e-4', '2', 'fast', 'Infinity', '1e-4x']) assert.match(error(parseLearningRate(bad)), /^Learning rate/);
  assert.equal(value(parseMargin('0', true)), 0);
  assert.equal(value(parseMargin('1.5', true)), 1.5);
  assert.match(error(parseMargin('2', true)), /at most 2/);
  assert.equal(value(parseMargin('5', false)), 5, 'raw distances have no upper bound');
  assert.match(error(parseMargin('-0.1', false)), /≥ 0/);
  assert.equal(value(parseSeed('-7')), -7);
  assert.match(error(parseSeed('1.5')), /whole number/);
});

test('weights take three numbers in any separator, not all zero', () => {
  assert.deepEqual(value(parseWeights('1, 0.5, 2')), [1, 0.5, 2]);
  assert.deepEqual(value(parseWeights('1 0 0')), [1, 0, 0]);
  assert.deepEqual(value(parseWeights('1;1;1')), [1, 1, 1]);
  assert.match(error(parseWeights('1, 1')), /three numbers/);
  assert.match(error(parseWeights('1, -1, 1')), /three numbers ≥ 0/);
  assert.match(error(parseWeights('0, 0, 0')), /at least one λ/);
});

test('P×K takes "8x4", "8×4", "8*4", "8,4" and explains P ≥ 2, K ≥ 2 and the batch cap', () => {
  for (const t of ['8x4', '8 × 4', '8*4', '8,4', '8 4', '8X4']) assert.deepEqual(value(parsePk(t)), [8, 4], t);
  assert.match(error(parsePk('1x4')), /P ≥ 2/);
  assert.match(error(parsePk('8x1')), /K ≥ 2/);
  assert.match(error(parsePk('8x4x2')), /two whole numbers/);
  assert.match(error(parsePk('8.5x4')), /two whole numbers/);
  assert.match(error(parsePk('100x100')), /at most 4096/);
});

test('held-out fraction accepts a fraction or a percentage; last N layers a positive count', () => {
  assert.equal(value(parseValFraction('0.2')), 0.2);
  assert.equal(value(parseValFraction('20%')), 0.2);
  assert.equal(value(parseValFraction('25')), 0.25);
  for (const bad of ['0', '100%', '-0.1', 'some']) assert.match(error(parseValFraction(bad)), /^Held-out classes/);
  assert.equal(value(parseLastLayers('3')), 3);
  assert.match(error(parseLastLayers('0')), /≥ 1/);
});

test('validateText is the live message of the input box; applyText applies only what it accepts', () => {
  const st = initialFormState('tfjs-layers', USER);
  assert.equal(validateText('pk', '4x4', st.settings), undefined);
  assert.match(validateText('pk', '4', st.settings)!, /P×K/);
  const next = applyText(st, 'pk', '4x4');
  assert.deepEqual(next.settings.pk, [4, 4]);
  assert.deepEqual(st.settings.pk, [8, 4], 'the previous state is not mutated');
  assert.throws(() => applyText(st, 'epochs', '0'), /Epochs/);
  assert.equal(editText('pk', next.settings), '4x4');
  assert.equal(validateText('lr', editText('lr', st.settings), st.settings), undefined, 'the prefilled text is valid as is');
  assert.equal(editText('lr', st.settings), '1e-4');
});

test('switching to head-only moves an untouched learning rate to the head default, but keeps a typed one', () => {
  const st = initialFormState('tfjs-layers', USER);
  const head = applyTrain(st, 'head');
  assert.equal(head.settings.lr, DEFAULT_HEAD_LR);
  assert.equal(applyTrain(head, 'all').settings.lr, DEFAULT_SETTINGS.lr);
  const typed = applyText(st, 'lr', '5e-5');
  assert.equal(applyTrain(typed, 'head').settings.lr, 5e-5);
  assert.deepEqual(applyTrain(st, { lastLayers: 2 }).settings.train, { lastLayers: 2 });
});

test('toggling normalisation back on resets a margin the unit sphere cannot reach', () => {
  let st = initialFormState('tfjs-layers', USER);
  st = toggleNormalize(st);
  assert.equal(st.settings.normalize, false);
  st = applyText(st, 'margin', '3');
  st = toggleNormalize(st);
  assert.equal(st.settings.normalize, true);
  assert.equal(st.settings.margin, DEFAULT_SETTINGS.margin);
});

test('rows list every setting with its value and meaning; the summary line names the key ones', () => {
  let st = initialFormState('tfjs-layers', USER);
  st = applyValidation(st, 'class-disjoint', 0.25);
  const rows = formRows(st);
  assert.deepEqual(
    rows.map((r) => r.field),
    ['epochs', 'lr', 'margin', 'weights', 'pk', 'normalize', 'train', 'validation', 'seed'],
  );
  const by = Object.fromEntries(rows.map((r) => [r.field, r.value]));
  assert.deepEqual(by, {
    epochs: '5',
    lr: '1e-4',
    margin: '0.3',
    weights: '1, 1, 1',
    pk: '8 × 4',
    normalize: 'on',
    train: 'end to end',
    validation: '25% of classes held out',
    seed: '42',
  });
  for (const r of rows) assert.ok(r.detail.length > 20, `${r.field} explains itself`);
  assert.equal(summary(st), '5 epochs · lr 1e-4 · α 0.3 · λ 1, 1, 1 · 8×4 · end to end');
  assert.equal(formRows(applyValidation(st, 'split')).find((r) => r.field === 'validation')!.value, "the dataset's own split");
});

test('the settings the engine records are only the settings, not the paths and signal of the options they came with', () => {
  const s = resolveSettings({ checkpoint: '/m/model.json', dataset: '/d', signal: new AbortController().signal, epochs: 2 } as never);
  assert.deepEqual(Object.keys(s).sort(), Object.keys(DEFAULT_SETTINGS).sort());
  assert.equal(s.epochs, 2);
});

test('after a value is edited the list reopens on Start, so Enter starts; an abandoned edit keeps its row', () => {
  assert.equal(rowAfterEdit('epochs', true), 'start');
  assert.equal(rowAfterEdit('outDir', true), 'start');
  assert.equal(rowAfterEdit('epochs', false), 'epochs');
});
