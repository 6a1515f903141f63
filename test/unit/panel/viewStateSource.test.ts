// The view state a webview saves names what it showed, so the host's serializers can re-run the
// inspection or comparison after a window reload; it is untrusted input like any webview message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError, validateCompareViewState } from '../../../src/protocol';

const base = { tab: 'neighbours', hiddenClasses: [], isolatedClass: null, selection: [], search: '', queryIndex: null, k: 10 };

test('source and sourceB survive validation with only their known fields', () => {
  const s = validateCompareViewState({
    ...base,
    source: { checkpoint: '/m/a.onnx', dataset: '/d', extra: 'dropped' },
    sourceB: { checkpoint: '/m/b.onnx', dataset: '/d' },
  });
  assert.deepEqual(s.source, { checkpoint: '/m/a.onnx', dataset: '/d' });
  assert.deepEqual(s.sourceB, { checkpoint: '/m/b.onnx', dataset: '/d' });
  assert.equal(validateCompareViewState(base).source, undefined);
});

test('a malformed source is a ProtocolError naming the field', () => {
  assert.throws(
    () => validateCompareViewState({ ...base, source: 'a.onnx' }),
    (e: unknown) => e instanceof ProtocolError && /"source"/.test((e as Error).message),
  );
  assert.throws(() => validateCompareViewState({ ...base, sourceB: { checkpoint: 3, dataset: '' } }), ProtocolError);
});
