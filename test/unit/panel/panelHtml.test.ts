import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNonce, panelHtml } from '../../../src/core/report/panelHtml';

function csp(html: string): string {
  const m = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
  assert.ok(m, 'no CSP meta');
  return m[1].replace(/&#39;/g, "'");
}

test('panel mode: strict CSP with nonce, cspSource for images and styles, script by URI', () => {
  const nonce = makeNonce();
  const html = panelHtml({
    mode: 'panel',
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    nonce,
    scriptUri: 'https://x/dist/webview.js',
    css: 'body{}',
  });
  assert.equal(
    csp(html),
    `default-src 'none'; img-src https://file+.vscode-resource.vscode-cdn.net data: blob:; style-src https://file+.vscode-resource.vscode-cdn.net 'nonce-${nonce}'; script-src 'nonce-${nonce}'`,
  );
  assert.match(html, new RegExp(`<script nonce="${nonce}" src="https://x/dist/webview.js"></script>`));
  assert.match(html, new RegExp(`<style nonce="${nonce}">body\\{\\}</style>`));
  assert.ok(!/unsafe-inline|unsafe-eval/.test(html));
});

test('report mode: no remote origins, data and script inlined and unable to break out', () => {
  const nonce = makeNonce();
  const html = panelHtml({
    mode: 'report',
    nonce,
    css: 'a{}',
    theme: 'light',
    script: 'var s = "</script><script>alert(1)</script>";',
    data: '{"title":"\\u003c/script>"}',
    title: '<b>report</b>',
  });
  assert.equal(csp(html), `default-src 'none'; img-src data: blob:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'`);
  assert.equal((html.match(/<\/script>/g) ?? []).length, 2, 'only the data and the bundle script close');
  assert.match(html, /<title>&lt;b&gt;report&lt;\/b&gt;<\/title>/);
  assert.match(html, /<body class="lens-standalone vscode-light">/);
  assert.ok(!/https?:\/\//.test(html.replace(/http-equiv/g, '')), 'no URL of any origin');
});

test('nonces are long, random and checked', () => {
  const a = makeNonce();
  assert.match(a, /^[0-9a-f]{36}$/);
  assert.notEqual(a, makeNonce());
  assert.throws(() => panelHtml({ mode: 'panel', cspSource: 'x', nonce: 'short', scriptUri: 'u', css: '' }));
  assert.throws(() => panelHtml({ mode: 'panel', cspSource: 'x', nonce: 'a"onload="alert(1)"xxxxxxxxxx', scriptUri: 'u', css: '' }));
});

test('every webview page gets the same CSP from one builder; a text-only page has no script at all', async () => {
  const { webviewPage, messagePage } = await import('../../../src/core/report/panelHtml');
  const nonce = makeNonce();
  const compare = panelHtml({ mode: 'panel', cspSource: 'vscode-resource:', nonce, scriptUri: 'x.js', css: '', view: 'compare' });
  assert.match(compare, /<body class="lens-panel" data-view="compare">/);
  const training = webviewPage({
    cspSource: 'vscode-resource:',
    nonce,
    scriptUri: 't.js',
    css: 'b{}</style><script>',
    bodyClass: 'lens-training',
  });
  assert.match(
    training,
    /content="default-src &#39;none&#39;; style-src vscode-resource: &#39;nonce-[0-9a-f]+&#39;; script-src &#39;nonce-[0-9a-f]+&#39;"/,
  );
  assert.ok(!training.includes('img-src'), 'the fine-tune panel shows no images');
  assert.ok(!training.includes('</style><script>'), 'css cannot close its element');
  const text = messagePage('Embedding Lens', 'could not be restored: <b>gone</b>');
  assert.match(text, /default-src &#39;none&#39;; style-src &#39;nonce-/);
  assert.ok(!/<script/i.test(text) && text.includes('&lt;b&gt;gone&lt;/b&gt;'));
});
