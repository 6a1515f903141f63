// One descriptor per message, one registry: the tables of src/protocol/ turn a raw webview message
// into a typed one or a ProtocolError naming the field, per panel kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMPARE_MESSAGES,
  INSPECTION_MESSAGES,
  ProtocolError,
  validateCompareMessage,
  validateCompareViewState,
  validateInspectionViewState,
  validateTrainingViewState,
  validateWebviewMessage,
} from '../../../src/protocol';
import { bare, message, messageRegistry, reply, request } from '../../../src/protocol/registry';
import { int } from '../../../src/protocol/fields';
import { TRAINING_MESSAGES, TrainingProtocolError, validateTrainingMessage } from '../../../src/trainingProtocol';

const view = { tab: 'classes', hiddenClasses: [], isolatedClass: null, selection: [], search: '', queryIndex: null, k: 10 };
const a = { checkpoint: '/m/a.onnx', dataset: '/d' };
const b = { checkpoint: '/m/b.onnx', dataset: '/d' };

test('a table derives its registry: known fields kept, requests carry a requestId, unknown types named', () => {
  const validate = messageRegistry({
    ping: bare(),
    move: message((o) => ({ x: int(o, 'x', 0, 9) })),
    ask: request((o) => ({ n: int(o, 'n', 1, 3) }), reply<number>('answer', 'value')),
  });
  assert.deepEqual(validate({ type: 'ping', junk: 1 }), { type: 'ping' });
  assert.deepEqual(validate({ type: 'move', x: 4 }), { type: 'move', x: 4 });
  assert.deepEqual(validate({ type: 'ask', requestId: 9, n: 2 }), { type: 'ask', requestId: 9, n: 2 });
  assert.throws(() => validate({ type: 'ask', n: 2 }), /"requestId"/);
  assert.throws(
    () => validate({ type: 'move', x: 10 }),
    (e: unknown) => e instanceof ProtocolError && /"x" must be an integer in \[0, 9\], got 10/.test((e as Error).message),
  );
  assert.throws(() => validate({ type: 'toString' }), /unknown message type: "type" must be one of ping, move, ask, got "toString"/);
  assert.throws(() => validate({ type: '__proto__' }), /unknown message type/);
});

test('every request of the map panels names the reply that answers it', () => {
  for (const table of [INSPECTION_MESSAGES, COMPARE_MESSAGES]) {
    assert.deepEqual(table.neighbours.reply, { type: 'neighboursResult', field: 'result' });
    assert.deepEqual(table.queryImage.reply, { type: 'neighboursResult', field: 'result' });
    assert.deepEqual(table.export.reply, { type: 'exportDone', field: 'path' });
    assert.ok(!('reply' in table.openItem) && !('reply' in table.cancel));
  }
  assert.ok(
    Object.values(TRAINING_MESSAGES).every((d) => !('reply' in d)),
    'the fine-tune panel makes no requests',
  );
});

test('each panel kind validates its own saved state: the inspection drops a B side, the comparison keeps it', () => {
  assert.deepEqual(validateInspectionViewState({ ...view, source: a, sourceB: b }), { ...view, source: a });
  assert.deepEqual(validateCompareViewState({ ...view, source: a, sourceB: b }), { ...view, source: a, sourceB: b });
  const inspectionReady = validateWebviewMessage({ type: 'ready', state: { ...view, source: a, sourceB: b } });
  assert.deepEqual(inspectionReady, { type: 'ready', state: { ...view, source: a } });
  const compareState = validateCompareMessage({ type: 'state', state: { ...view, source: a, sourceB: b } });
  assert.deepEqual(compareState, { type: 'state', state: { ...view, source: a, sourceB: b } });
  assert.deepEqual(validateTrainingViewState({ checkpoint: '/m/model.json', outDir: '/m-eet-1', extra: 1 }), {
    checkpoint: '/m/model.json',
    outDir: '/m-eet-1',
  });
  assert.throws(
    () => validateTrainingViewState({ checkpoint: '/m/model.json' }),
    (e: unknown) => e instanceof ProtocolError && /"outDir"/.test((e as Error).message),
  );
  assert.throws(() => validateTrainingViewState(null), /"state" must be an object/);
});

test('the compare panel accepts its held-out toggle; the training panel refuses fields on its buttons', () => {
  assert.deepEqual(validateCompareMessage({ type: 'compareItems', items: 'all' }), { type: 'compareItems', items: 'all' });
  assert.throws(() => validateCompareMessage({ type: 'compareItems', items: 'some' }), /"items"/);
  assert.throws(
    () => validateTrainingMessage({ type: 'ready', state: {} }),
    (e: unknown) =>
      e instanceof TrainingProtocolError && e instanceof ProtocolError && /"ready" takes no fields, got state/.test((e as Error).message),
  );
});
