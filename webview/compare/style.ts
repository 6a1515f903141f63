/**
 * The compare view's own rules, on top of media/panel.css (which the panel and the report both
 * load). Installed as a <style> carrying the page's CSP nonce: the panel's policy allows styles by
 * nonce only, and the report inlines one bundle and one stylesheet.
 */
const CSS = `
.cmp { display: flex; flex-direction: column; height: 100vh; }
.cmp-main { flex: 1; display: grid; grid-template-columns: minmax(0, 1fr) clamp(380px, 34%, 560px); min-height: 0; }
.cmp-maps { display: grid; grid-template-rows: auto 1fr auto; min-width: 0; min-height: 0; border-right: 1px solid var(--lens-border); }
.cmp-pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) 170px; min-height: 0; }
.cmp-cell { display: grid; grid-template-rows: auto 1fr; min-width: 0; min-height: 0; }
.cmp-cell + .cmp-cell { border-left: 1px solid var(--lens-border); }
.cmp-cell-head { display: flex; gap: 6px; align-items: baseline; padding: 4px 8px; font-size: 11.5px; border-bottom: 1px solid var(--lens-border); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.cmp-side-tag { font-weight: 700; padding: 0 5px; border-radius: 3px; background: var(--vscode-badge-background, rgba(128,128,128,.25)); color: var(--vscode-badge-foreground, inherit); }
.cmp-scope { padding: 4px 12px 6px; border-top: 1px solid var(--lens-border); font-size: 12px; }
.cmp-scope-row { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 12px; }
.cmp-scope-line { font-weight: 600; }
.cmp-scope.all .cmp-scope-line { color: var(--vscode-editorWarning-foreground, #b58900); }
.cmp-scope-warning { margin: 4px 0 0; padding: 4px 8px; border-left: 3px solid var(--vscode-editorWarning-foreground, #b58900); background: color-mix(in srgb, var(--vscode-editorWarning-foreground, #b58900) 12%, transparent); }
.cmp-waiting { display: flex; align-items: center; justify-content: center; height: 100%; color: var(--lens-muted-fg); padding: 20px; text-align: center; }
.cmp-waiting[hidden], .cmp-section[hidden] { display: none; }
.cmp-section { padding: 8px 12px 12px; }
.cmp-section h2 { font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.05em; color: var(--lens-muted-fg); margin: 6px 0; }
.cmp-table { width: 100%; border-collapse: collapse; font-size: 12px; font-variant-numeric: tabular-nums; }
.cmp-table th { position: sticky; top: 0; background: var(--lens-side-bg); text-align: right; font-weight: 600; font-size: 11px; color: var(--lens-muted-fg); border-bottom: 1px solid var(--lens-border); padding: 0; white-space: nowrap; }
.cmp-table th.label { text-align: left; }
.cmp-table th > span, .cmp-table th > button { display: block; padding: 5px 6px; }
.cmp-table th > button { width: 100%; border: none; background: none; cursor: pointer; text-align: inherit; font: inherit; color: inherit; }
.cmp-table th[aria-sort="ascending"], .cmp-table th[aria-sort="descending"] { color: var(--lens-fg); }
.cmp-table td { padding: 4px 6px; text-align: right; border-bottom: 1px solid color-mix(in srgb, var(--lens-border) 60%, transparent); white-space: nowrap; }
.cmp-table td.label { text-align: left; max-width: 150px; overflow: hidden; text-overflow: ellipsis; }
.cmp-table tbody tr.clickable { cursor: pointer; }
.cmp-table tbody tr.clickable:hover { background: var(--lens-hover); }
.cmp-table tr.isolated { background: var(--vscode-list-activeSelectionBackground, var(--lens-hover)); }
.delta.up { color: var(--lens-hit); }
.delta.down { color: var(--lens-miss); }
.delta.zero { color: var(--lens-muted-fg); }
.cmp-summary { display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 12px; margin: 4px 0 8px; }
.cmp-hist { display: flex; align-items: flex-end; gap: 2px; height: 46px; margin: 4px 0 2px; }
.cmp-hist-bar { flex: 1; background: color-mix(in srgb, var(--lens-accent) 60%, transparent); min-height: 1px; }
.cmp-hist-axis { display: flex; justify-content: space-between; font-size: 10px; color: var(--lens-muted-fg); }
.change-list { list-style: none; margin: 0; padding: 0; }
.change { padding: 6px 4px; border-bottom: 1px solid color-mix(in srgb, var(--lens-border) 60%, transparent); cursor: pointer; border-radius: 3px; }
.change:hover, .change.hot { background: var(--lens-hover); }
.change.focused { box-shadow: inset 2px 0 0 var(--lens-highlight); }
.change-head { display: flex; gap: 8px; align-items: center; min-width: 0; }
.change-text { min-width: 0; flex: 1; }
.change-path { color: var(--lens-muted-fg); font-size: 11px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: var(--vscode-editor-font-family, monospace); }
.change-figures { font-size: 11.5px; font-variant-numeric: tabular-nums; white-space: nowrap; }
.topk { display: grid; grid-template-columns: 18px 1fr; gap: 3px 6px; align-items: center; margin-top: 4px; }
.topk-side { font-size: 10.5px; font-weight: 700; color: var(--lens-muted-fg); }
.topk-row { display: flex; gap: 3px; flex-wrap: wrap; }
.nb { position: relative; width: 26px; height: 26px; border-radius: 3px; display: inline-flex; align-items: center; justify-content: center; font-size: 9px; overflow: hidden; box-shadow: inset 0 0 0 2px var(--lens-hit); background: var(--lens-hover); }
.nb.miss { box-shadow: inset 0 0 0 2px var(--lens-miss); }
.nb img { width: 100%; height: 100%; object-fit: cover; image-rendering: pixelated; opacity: .9; }
.nb.shared::after { content: ''; position: absolute; right: 1px; top: 1px; width: 5px; height: 5px; border-radius: 50%; background: var(--lens-fg); }
.cmp-threshold { display: flex; gap: 8px; align-items: center; font-size: 12px; margin: 4px 0 8px; }
.cmp-threshold input[type=number] { width: 62px; padding: 2px 4px; background: var(--vscode-input-background, transparent); border: 1px solid var(--vscode-input-border, var(--lens-border)); border-radius: 2px; }
.cmp-notes summary { cursor: pointer; }
.cmp-notes ul { margin: 4px 0 0; padding-left: 18px; }
/* A narrow editor column: the deltas go under the maps instead of squeezing them. */
@media (max-width: 980px) {
  .cmp-main { grid-template-columns: minmax(0, 1fr); grid-template-rows: minmax(280px, 1fr) minmax(220px, 42%); }
  .cmp-maps { border-right: none; border-bottom: 1px solid var(--lens-border); }
  .cmp-pair { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) 130px; }
}
`;

export function installCompareStyle(doc: Document = document): void {
  if (doc.getElementById('lens-compare-style')) return;
  const el = doc.createElement('style');
  el.id = 'lens-compare-style';
  // The page's own <style> was admitted by nonce; a script can read it (not from markup).
  const nonce = (doc.querySelector('style[nonce]') as HTMLStyleElement | null)?.nonce;
  if (nonce) el.nonce = nonce;
  el.textContent = CSS;
  doc.head.append(el);
}
