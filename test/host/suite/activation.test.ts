import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activeExtension, extensionHostLog, manifest, outputChannelLog } from './helpers/extension';
import { harness } from './helpers/runner';
import { waitFor } from './helpers/wait';

describe('activation', () => {
  it('activates without errors', async () => {
    const ext = await activeExtension();
    assert.equal(ext.isActive, true);
    assert.equal(ext.extensionPath, harness().extensionPath, 'the host loaded the development copy');
    const hostLog = extensionHostLog();
    assert.doesNotMatch(hostLog, new RegExp(`Activating extension '?${harness().extensionId}'? failed`, 'i'));
  });

  it('logs "Embedding Lens <version> activated" to its output channel', async () => {
    await activeExtension();
    const line = `Embedding Lens ${manifest().version} activated`;
    // The log channel is flushed to disk asynchronously.
    const text = await waitFor(`"${line}" in the Embedding Lens log`, () => {
      const t = outputChannelLog();
      return t.includes(line) ? t : undefined;
    });
    if (harness().host === 'code-server') assert.match(text, /\(web UI, remote: /, 'code-server: web UI with a remote extension host');
    else assert.match(text, /\(desktop UI, remote: none\)/);
  });

  it('runs in a Node extension host with a workspace folder open', () => {
    assert.equal(typeof process.versions.node, 'string', 'a Node extension host, not a web worker');
    if (harness().host === 'code-server') {
      assert.equal(vscode.env.uiKind, vscode.UIKind.Web);
      assert.ok(vscode.env.remoteName, 'remoteName is set in code-server');
    }
    assert.equal(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, harness().workspace);
  });
});
