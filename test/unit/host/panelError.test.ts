import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LensError } from '../../../src/core/errors';
import { panelError } from '../../../src/host/panelError';

test('a LensError reaches the panel as its bare message plus its file, so the banner names the file once', () => {
  const err = new LensError('is not valid JSON; expected a tfjs model.json', '/data/ckpt/model.json');
  assert.equal(err.message, '/data/ckpt/model.json: is not valid JSON; expected a tfjs model.json');
  const banner = panelError(err);
  assert.deepEqual(banner, { message: 'is not valid JSON; expected a tfjs model.json', file: '/data/ckpt/model.json' });
  // The webview shows `${file}: ${message}`: the path appears exactly once.
  assert.equal(`${banner.file}: ${banner.message}`, err.message);
});

test('errors without a file pass through unchanged', () => {
  assert.deepEqual(panelError(new LensError('lists no items')), { message: 'lists no items' });
  assert.deepEqual(panelError(new Error('Session already disposed.')), { message: 'Session already disposed.' });
  assert.deepEqual(panelError('plain text'), { message: 'plain text' });
});
