// Runs against the .vsix that `npm run package` built and the harness installed with
// --install-extension: the host must load that copy, activate it, register its commands, and the
// native modules it ships for this platform must load from its own node_modules.
import * as assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { manifest } from '../suite/helpers/extension';
import { harness } from '../suite/helpers/runner';

describe('installed .vsix', () => {
  it('is the copy the host loaded, from the extensions folder', () => {
    const ext = vscode.extensions.getExtension(harness().extensionId);
    assert.ok(ext, `${harness().extensionId} is installed`);
    assert.equal(ext.extensionPath, harness().extensionPath);
  });

  it('activates and registers every contributed command', async () => {
    const ext = vscode.extensions.getExtension(harness().extensionId);
    assert.ok(ext);
    await ext.activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = manifest().contributes.commands.map((c) => c.command);
    assert.ok(contributed.length > 0);
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), []);
  });

  it('loads its native dependencies for this platform from its own node_modules', () => {
    const requireFromExtension = createRequire(join(harness().extensionPath, 'package.json'));
    for (const name of ['onnxruntime-node', 'sharp', 'usearch']) {
      const resolved = requireFromExtension.resolve(name);
      assert.ok(resolved.startsWith(harness().extensionPath), `${name} resolves inside the installed extension (${resolved})`);
      assert.ok(requireFromExtension(name), `${name} loads`);
    }
  });
});
