import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activeExtension, manifest } from './helpers/extension';

describe('contributions', () => {
  before(async () => {
    await activeExtension();
  });

  it('registers every command contributed in package.json', async () => {
    const contributed = manifest().contributes.commands.map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('reads back every contributed setting at its package.json default', () => {
    const props = manifest().contributes.configuration.properties;
    const keys = Object.keys(props);
    assert.ok(keys.length > 0, 'package.json contributes settings');
    const config = vscode.workspace.getConfiguration();
    for (const key of keys) {
      const info = config.inspect(key);
      assert.ok(info, `VS Code knows the setting ${key}`);
      assert.deepEqual(info.defaultValue, props[key].default, `default of ${key}`);
      assert.deepEqual(config.get(key), props[key].default, `effective value of ${key} in a fresh profile`);
    }
  });

  it('EET P×K: two numbered settings; the [P, K] array of earlier versions is still read where they are not set', async () => {
    const { readSettings } = await import('../../../src/host/settings');
    const c = vscode.workspace.getConfiguration('embeddingLens');
    const target = vscode.ConfigurationTarget.Global;
    try {
      assert.deepEqual(readSettings().eet.pk, [8, 4]);
      await c.update('eet.pk', [6, 3], target);
      assert.deepEqual(readSettings().eet.pk, [6, 3], 'an existing user keeps the array value');
      await c.update('eet.itemsPerClass', 5, target);
      assert.deepEqual(readSettings().eet.pk, [6, 5], 'a numbered setting wins over the array');
    } finally {
      await c.update('eet.pk', undefined, target);
      await c.update('eet.itemsPerClass', undefined, target);
    }
  });
});
