import * as vscode from 'vscode';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { harness } from './runner';

/** The manifest of the extension under test, read from disk (what VS Code loaded). */
export interface Manifest {
  version: string;
  contributes: {
    commands: { command: string; title: string }[];
    configuration: { properties: Record<string, { default?: unknown }> };
  };
}

export function manifest(): Manifest {
  return JSON.parse(readFileSync(join(harness().extensionPath, 'package.json'), 'utf8')) as Manifest;
}

/** The extension under test, activated. Throws if VS Code does not know it or activation fails. */
export async function activeExtension(): Promise<vscode.Extension<unknown>> {
  const id = harness().extensionId;
  const ext = vscode.extensions.getExtension(id);
  if (!ext) throw new Error(`extension ${id} is not loaded in this host`);
  await ext.activate();
  return ext;
}

/** Every file under `dir` (recursively) whose name satisfies `match`. */
export function findFiles(dir: string, match: (name: string) => boolean): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return findFiles(p, match);
    return match(name) ? [p] : [];
  });
}

/**
 * The text of the extension's "Embedding Lens" log output channel, as the extension host wrote it
 * under code-server's logs folder (a LogOutputChannel is a file there).
 */
export function outputChannelLog(name = 'Embedding Lens'): string {
  const files = findFiles(join(harness().userDataDir, 'logs'), (f) => f === `${name}.log` || f.endsWith(`-${name}.log`));
  return files.map((f) => readFileSync(f, 'utf8')).join('\n');
}

/** The extension host's own log (activation events and errors). */
export function extensionHostLog(): string {
  const files = findFiles(join(harness().userDataDir, 'logs'), (f) => f === 'remoteexthost.log' || f === 'exthost.log');
  return files.map((f) => readFileSync(f, 'utf8')).join('\n');
}
