import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyPatch,
  base64ToBytes,
  bytesToBase64,
  decodeInspection,
  encodeInspection,
  LIMITS,
  ProtocolError,
  validateCompareViewState,
  validateWebviewMessage,
  type InspectionData,
} from '../../../src/protocol';

const state = { tab: 'classes', hiddenClasses: [1, 2], isolatedClass: null, selection: [0, 5], search: 'bag', queryIndex: 3, k: 10 };

test('valid webview messages come back typed, with only known fields', () => {
  assert.deepEqual(validateWebviewMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(validateWebviewMessage({ type: 'cancel', extra: 'dropped' }), { type: 'cancel' });
  assert.deepEqual(validateWebviewMessage({ type: 'neighbours', requestId: 4, index: 17, k: 10, evil: 1 }), {
    type: 'neighbours',
    requestId: 4,
    index: 17,
    k: 10,
  });
  const ready = validateWebviewMessage({ type: 'ready', state: { ...state, transform: { x: 1, y: 2, k: 3 } } });
  assert.equal(ready.type, 'ready');
  assert.deepEqual(ready.type === 'ready' && ready.state?.transform, { x: 1, y: 2, k: 3 });
  const img = validateWebviewMessage({ type: 'queryImage', requestId: 1, name: 'q.png', bytes: new Uint8Array([137, 80]), k: 5 });
  assert.ok(img.type === 'queryImage' && img.bytes instanceof Uint8Array);
  const buf = validateWebviewMessage({ type: 'queryImage', requestId: 1, name: 'q.png', bytes: new Uint8Array([1, 2, 3]).buffer, k: 5 });
  assert.ok(buf.type === 'queryImage' && buf.bytes.length === 3);
  const exp = validateWebviewMessage({
    type: 'export',
    requestId: 2,
    what: 'classes',
    format: 'csv',
    fileName: 'a-classes.csv',
    content: 'class\n',
  });
  assert.ok(exp.type === 'export' && exp.content === 'class\n');
  const png = validateWebviewMessage({
    type: 'export',
    requestId: 2,
    what: 'map',
    format: 'png',
    fileName: 'map.png',
    content: new Uint8Array(4),
  });
  assert.ok(png.type === 'export' && png.content instanceof Uint8Array);
});

test('invalid webview messages throw a ProtocolError naming the field', () => {
  const bad: [unknown, RegExp][] = [
    [null, /expected an object/],
    [[], /expected an object/],
    [{ type: 'rm -rf' }, /unknown message type/],
    [{ type: 'neighbours', requestId: 1, index: -1, k: 10 }, /"index"/],
    [{ type: 'neighbours', requestId: 1, index: 1.5, k: 10 }, /"index"/],
    [{ type: 'neighbours', requestId: 1, index: 1, k: LIMITS.maxK + 1 }, /"k"/],
    [{ type: 'neighbours', requestId: '1', index: 1, k: 1 }, /"requestId"/],
    [{ type: 'queryImage', requestId: 1, name: 'x', bytes: [1, 2], k: 1 }, /"bytes"/],
    [{ type: 'export', requestId: 1, what: 'map', format: 'png', fileName: '../../.bashrc', content: new Uint8Array(1) }, /bare file name/],
    [{ type: 'export', requestId: 1, what: 'map', format: 'png', fileName: 'a\\b.png', content: new Uint8Array(1) }, /bare file name/],
    [{ type: 'export', requestId: 1, what: 'map', format: 'png', fileName: 'm.png', content: 'not bytes' }, /"content"/],
    [{ type: 'export', requestId: 1, what: 'secrets', format: 'csv', fileName: 'm.csv', content: '' }, /"what"/],
    [{ type: 'export', requestId: 1, what: 'map', format: 'exe', fileName: 'm.csv', content: '' }, /"format"/],
    [{ type: 'state', state: { ...state, tab: 'terminal' } }, /"tab"/],
    [{ type: 'state', state: { ...state, selection: [1, -2] } }, /"selection"/],
    [{ type: 'state', state: { ...state, transform: { x: NaN, y: 0, k: 1 } } }, /"x"/],
    [{ type: 'log', level: 'debug', message: 'x' }, /"level"/],
    [{ type: 'log', level: 'info', message: 'x'.repeat(LIMITS.maxString + 1) }, /"message"/],
  ];
  for (const [msg, re] of bad) {
    assert.throws(
      () => validateWebviewMessage(msg),
      (e: unknown) => e instanceof ProtocolError && re.test((e as Error).message),
      JSON.stringify(msg)?.slice(0, 80),
    );
  }
});

test('validateCompareViewState accepts a saved state and rejects a stale shape', () => {
  assert.equal(validateCompareViewState(state).tab, 'classes');
  assert.throws(() => validateCompareViewState({ ...state, k: 0 }), ProtocolError);
  assert.throws(() => validateCompareViewState({ ...state, isolatedClass: 'all' }), ProtocolError);
});

test('base64 round-trips every length and matches Node', () => {
  for (let n = 0; n < 40; n++) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n) & 255);
    const s = bytesToBase64(b);
    assert.equal(s, Buffer.from(b).toString('base64'));
    assert.deepEqual(base64ToBytes(s), b);
  }
  assert.throws(() => base64ToBytes('@@@@'));
});

test('encodeInspection keeps typed arrays exact and never emits "<"', () => {
  const data: InspectionData = {
    title: 'a </script><script>alert(1)</script>',
    source: { checkpoint: '/m/model.json', dataset: '/d' },
    items: { n: 3, labels: Int32Array.from([0, 1, 0]), classNames: ['a<b', 'c'], paths: ['/1', '/2', '/3'] },
    layout: { pca: Float32Array.from([0.1, -2, 3.5, 1e-8, NaN, 7]) },
    neighbours: { k: 1, indices: Int32Array.from([2, 0, 0]), distances: Float32Array.from([0.5, 0.25, 1 / 3]) },
  };
  const text = encodeInspection(data);
  assert.ok(!text.includes('<'));
  const back = decodeInspection(text);
  assert.equal(back.title, data.title);
  assert.ok(back.items!.labels instanceof Int32Array);
  assert.deepEqual(Array.from(back.items!.labels), [0, 1, 0]);
  assert.ok(back.layout!.pca instanceof Float32Array);
  assert.deepEqual(Array.from(back.layout!.pca!).slice(0, 4), Array.from(data.layout!.pca!).slice(0, 4));
  assert.ok(Number.isNaN(back.layout!.pca![4]));
  assert.deepEqual(Array.from(back.neighbours!.distances), Array.from(data.neighbours!.distances));
  assert.deepEqual(back.items!.classNames, ['a<b', 'c']);
});

test('applyPatch merges layouts and replaces other sections', () => {
  const base: InspectionData = { title: 't', source: { checkpoint: 'c', dataset: 'd' }, layout: { pca: new Float32Array(2) } };
  const next = applyPatch(base, { layout: { umap: new Float32Array(2) }, backend: 'wasm' });
  assert.ok(next.layout?.pca && next.layout.umap);
  assert.equal(next.backend, 'wasm');
  assert.equal(base.backend, undefined);
});
