import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

// scripts/check-layers.mjs is the import-boundary rule `npm test` runs first; here it runs on small
// trees with known violations, and on the repository itself.
const script = import(resolve(__dirname, '../../../scripts/check-layers.mjs')) as Promise<{
  checkLayers(base?: string): { problems: string[]; files: number };
}>;

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'lens-layers-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

test('each layer rule is caught with the file, the line and why', async () => {
  const { checkLayers } = await script;
  const root = tree({
    'src/core/inspect/a.ts': "import type { X } from '../../protocol';\nimport * as vscode from 'vscode';\nexport const y = 1;\n",
    'src/core/report/b.ts': "export { z } from '../../host/panel';\nconst m = await import('../../commands/inspect');\n",
    'src/protocol.ts': "import { readFileSync } from 'node:fs';\nimport type { D } from './core/model';\n",
    'src/cli/c.ts': "import { x } from '../host/log';\nimport { e } from '../core/errors';\n",
    'webview/app.ts': "import { join } from 'path';\nimport { m } from '../src/core/model';\nimport { h } from '../src/host/log';\n",
    'src/host/h.ts': "import { run } from '../commands/inspect';\nimport * as vscode from 'vscode';\n",
  });
  const { problems, files } = checkLayers(root);
  assert.equal(files, 6);
  const expected = [
    /^src\/core\/inspect\/a\.ts:1: core must not import src\/protocol \(protocol\)/,
    /^src\/core\/inspect\/a\.ts:2: core must not import vscode/,
    /^src\/core\/report\/b\.ts:1: core must not import src\/host\/panel \(host\)/,
    /^src\/core\/report\/b\.ts:2: core must not import src\/commands\/inspect \(commands\)/,
    /^src\/protocol\.ts:1: protocol must not import Node's node:fs/,
    /^src\/cli\/c\.ts:1: cli must not import src\/host\/log \(host\)/,
    /^webview\/app\.ts:1: webview must not import Node's path/,
    /^webview\/app\.ts:3: webview must not import src\/host\/log \(host\)/,
    /^src\/host\/h\.ts:1: host must not import src\/commands\/inspect \(commands\)/,
  ];
  assert.equal(problems.length, expected.length, problems.join('\n'));
  for (const re of expected)
    assert.ok(
      problems.some((p) => re.test(p)),
      `missing ${re}\n${problems.join('\n')}`,
    );
  assert.ok(
    problems.every((p) => / — .+/.test(p)),
    'every problem says why',
  );
});

test('a file over 400 lines is a problem unless it says at its top why it must be longer', async () => {
  const { checkLayers } = await script;
  const body = Array.from({ length: 401 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';
  const root = tree({
    'src/core/long.ts': body,
    'src/core/longOnPurpose.ts': `// Longer than 400 lines on purpose: one table that reads best whole.\n${body}`,
    'webview/short.ts': 'export const a = 1;\n',
  });
  const { problems } = checkLayers(root);
  assert.deepEqual(problems, [
    'src/core/long.ts:1: 401 lines — split it by job, or say at its top why it must be longer ("Longer than 400 lines on purpose: …")',
  ]);
});

test('the repository keeps its layers', async () => {
  const { checkLayers } = await script;
  const { problems, files } = checkLayers(resolve(__dirname, '../../..'));
  assert.ok(files > 150, `${files} files`);
  assert.deepEqual(problems, []);
});
