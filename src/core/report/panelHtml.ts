/**
 * The panel's HTML, for a VS Code webview ('panel') or a self-contained report file ('report').
 * Pure: no vscode import, no file access — the caller reads media/panel.css and dist/webview.js.
 *
 * Both modes run the same bundle. The panel loads it by URI from the extension; the report inlines
 * it with the data (see encodeInspection) so the file opens anywhere with no network access.
 */

export type PanelHtmlOptions =
  | {
      mode: 'panel';
      /** webview.cspSource */
      cspSource: string;
      nonce: string;
      /** webview.asWebviewUri(dist/webview.js) as a string */
      scriptUri: string;
      /** Text of media/panel.css */
      css: string;
      title?: string;
    }
  | {
      mode: 'report';
      nonce: string;
      /** Text of dist/webview.js */
      script: string;
      css: string;
      /** encodeInspection(data) */
      data: string;
      title?: string;
      /** Report theme; 'auto' follows the viewer's system setting. */
      theme?: 'light' | 'dark' | 'auto';
      /** Force a renderer (tests and benches); default picks WebGL2 and falls back to canvas 2D. */
      renderer?: 'auto' | 'webgl2' | 'canvas2d';
    };

/** A nonce for the CSP, from a CSPRNG (webcrypto exists in Node 20 and browsers). */
export function makeNonce(): string {
  const b = new Uint8Array(18);
  globalThis.crypto.getRandomValues(b);
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Inline script text must not close its own element. */
function safeInlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function checkNonce(nonce: string): void {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new Error('panelHtml: the nonce must be at least 16 base64/hex characters');
}

export function panelHtml(o: PanelHtmlOptions): string {
  checkNonce(o.nonce);
  const title = escapeHtml(o.title ?? 'Embedding Lens');
  const n = o.nonce;
  if (o.mode === 'panel') {
    const csp = [
      "default-src 'none'",
      `img-src ${o.cspSource} data: blob:`,
      `style-src ${o.cspSource} 'nonce-${n}'`,
      `script-src 'nonce-${n}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style nonce="${n}">${o.css}</style>
</head>
<body class="lens-panel">
<script nonce="${n}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>`;
  }
  // No remote origins at all: images are data: URIs inside the data, exports are blob: downloads.
  const csp = ["default-src 'none'", 'img-src data: blob:', `style-src 'nonce-${n}'`, `script-src 'nonce-${n}'`].join('; ');
  const theme = o.theme ?? 'auto';
  const renderer = o.renderer && o.renderer !== 'auto' ? ` data-renderer="${o.renderer}"` : '';
  // 'auto' picks the theme before first paint from prefers-color-scheme.
  const themeScript =
    theme === 'auto'
      ? `<script nonce="${n}">document.body.classList.add(matchMedia('(prefers-color-scheme: light)').matches ? 'vscode-light' : 'vscode-dark');</script>`
      : '';
  const bodyClass = theme === 'auto' ? 'lens-standalone' : `lens-standalone vscode-${theme}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style nonce="${n}">${o.css.replace(/<\/style/gi, '<\\/style')}</style>
</head>
<body class="${bodyClass}"${renderer}>
${themeScript}
<script type="application/json" id="lens-data">${o.data}</script>
<script nonce="${n}">${safeInlineScript(o.script)}</script>
</body>
</html>`;
}
