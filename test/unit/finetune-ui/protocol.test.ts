import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrainingProtocolError, validateTrainingMessage } from '../../../src/trainingProtocol';

test('the four webview messages pass the validator unchanged', () => {
  for (const type of ['ready', 'cancel', 'compare', 'reveal']) assert.deepEqual(validateTrainingMessage({ type }), { type });
});

test('anything else from the webview is rejected with what was wrong', () => {
  const cases: [unknown, RegExp][] = [
    [null, /expected an object, got null/],
    [[{ type: 'cancel' }], /got an array/],
    ['cancel', /got string/],
    [{}, /"type" must be one of ready, cancel, compare, reveal, got undefined/],
    [{ type: 'delete' }, /got "delete"/],
    [{ type: 'x'.repeat(10_000) }, /got "x{40}"$/],
    [{ type: 7 }, /got number/],
    [{ type: 'compare', path: '/etc/passwd' }, /"compare" takes no fields, got path/],
  ];
  for (const [msg, re] of cases) {
    assert.throws(
      () => validateTrainingMessage(msg),
      (e: unknown) => e instanceof TrainingProtocolError && re.test(e.message),
      String(re),
    );
  }
});
