// The one request/reply helper: the webview's RequestClient and the host's answerRequest, both
// driven by the same table, pair a request with its reply (or error) by requestId.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INSPECTION_MESSAGES, validateWebviewMessage, type NeighbourResult } from '../../../src/protocol';
import { answerRequest, RequestClient } from '../../../src/protocol/request';

/** A webview and a host joined back to back: what one posts the other receives (validated, as the host does). */
function pair(work: (msg: ReturnType<typeof validateWebviewMessage>) => Promise<unknown>) {
  const toHost: unknown[] = [];
  const toWebview: Record<string, unknown>[] = [];
  const client = new RequestClient(INSPECTION_MESSAGES, (msg) => toHost.push(msg));
  const deliver = async () => {
    for (const raw of toHost.splice(0)) {
      const msg = validateWebviewMessage(raw);
      if (msg.type === 'neighbours' || msg.type === 'export' || msg.type === 'queryImage') {
        await answerRequest(
          INSPECTION_MESSAGES,
          msg,
          () => work(msg) as never,
          async (reply) => toWebview.push(reply as Record<string, unknown>),
        );
      }
    }
    for (const reply of toWebview.splice(0))
      assert.equal(client.settle(reply as { type: string }), true, 'a reply goes to its request, not the app');
  };
  return { client, toHost, deliver };
}

const result: NeighbourResult = {
  query: { kind: 'item', index: 3 },
  indices: Int32Array.from([1, 2]),
  distances: Float32Array.from([0.1, 0.2]),
};

test("a request resolves with its reply's result, matched by requestId even when replies come back out of order", async () => {
  const { client, toHost, deliver } = pair(async (msg) => (msg.type === 'export' ? `/out/${msg.fileName}` : result));
  const first = client.request('neighbours', { index: 3, k: 2 });
  const second = client.request('export', { what: 'metrics', format: 'csv', fileName: 'm.csv', content: 'a,b\n' });
  assert.deepEqual(
    toHost.map((m) => (m as { requestId: number }).requestId),
    [1, 2],
  );
  toHost.reverse();
  await deliver();
  assert.equal(await second, '/out/m.csv');
  assert.deepEqual(await first, result);
});

test("a failed request rejects with the host's message; the host gets the error back to log it", async () => {
  const failure = new Error('Export cancelled');
  const client = new RequestClient(INSPECTION_MESSAGES, () => {});
  const pending = client.request('export', { what: 'map', format: 'png', fileName: 'map.png', content: new Uint8Array(1) });
  const posted: object[] = [];
  const logged = await answerRequest(
    INSPECTION_MESSAGES,
    { type: 'export', requestId: 1 },
    () => Promise.reject(failure),
    async (m) => posted.push(m),
  );
  assert.equal(logged, failure);
  assert.deepEqual(posted, [{ type: 'error', message: 'Export cancelled', requestId: 1 }]);
  client.settle(posted[0] as { type: string });
  await assert.rejects(pending, /Export cancelled/);
});

test('messages that are no reply go to the app: an error without a pending requestId included', () => {
  const client = new RequestClient(INSPECTION_MESSAGES, () => {});
  assert.equal(client.settle({ type: 'progress', stage: 'x' }), false);
  assert.equal(client.settle({ type: 'error', message: 'the run failed' }), false);
  assert.equal(client.settle({ type: 'error', message: 'late', requestId: 99 }), false);
  // A stray reply is swallowed: the app never handles replies.
  assert.equal(client.settle({ type: 'exportDone', requestId: 99, path: '/x' }), true);
});

test('answerRequest refuses a message that is not a request', async () => {
  await assert.rejects(
    answerRequest(
      INSPECTION_MESSAGES,
      { type: 'cancel' as never, requestId: 1 },
      async () => undefined as never,
      async () => {},
    ),
    /not a request/,
  );
});
