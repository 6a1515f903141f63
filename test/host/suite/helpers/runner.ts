// The suite's side of the bridge to the test runner (test/host/harness/bridge.mjs).
// Host tests run inside code-server's extension host; the workbench page (and so every webview's
// DOM) belongs to the runner's playwright browser. A test asks the runner over HTTP on 127.0.0.1.
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';

/** What the runner tells the suite; written by test/host/run.mjs next to the bundled tests. */
export interface HarnessConfig {
  /** Which runner started the host: test/host/run.mjs (code-server) or run-electron.mjs (VS Code desktop). */
  host: 'code-server' | 'electron';
  /** Port of the runner's bridge on 127.0.0.1. */
  bridgePort: number;
  /** test-results/host: screenshots and logs go here. */
  resultsDir: string;
  /** The workspace folder the workbench opened: a fresh temp copy of test/host/workspace/. */
  workspace: string;
  /** code-server's --user-data-dir for this run (its logs/ folder holds the extension host logs). */
  userDataDir: string;
  /** The extension under test, publisher.name. */
  extensionId: string;
  /** Absolute path of the extension under test (the repository; the installed folder in the vsix phase). */
  extensionPath: string;
  /** Absolute path of the repository (its test fixtures), whichever copy of the extension is under test. */
  repository: string;
  /** Mocha --grep, when the runner was given one. */
  grep?: string;
}

let cached: HarnessConfig | undefined;

/** Reads harness.json from the bundle folder (walking up, since tests may sit in subfolders). */
export function harness(): HarnessConfig {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'harness.json');
    if (existsSync(file)) {
      cached = JSON.parse(readFileSync(file, 'utf8')) as HarnessConfig;
      return cached;
    }
    if (dirname(dir) === dir) throw new Error(`harness.json not found above ${__dirname}: run the suite through test/host/run.mjs`);
  }
}

function post<T>(path: string, body: unknown): Promise<T> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: harness().bridgePort,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          const parsed = text ? (JSON.parse(text) as T & { error?: string }) : ({} as T & { error?: string });
          if (res.statusCode !== 200) reject(new Error(`runner ${path}: ${parsed.error ?? res.statusCode}`));
          else resolve(parsed);
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** A test event for the runner's live report and its pass/fail count. */
export interface SuiteEvent {
  type: 'pass' | 'fail' | 'pending' | 'end' | 'log';
  title?: string;
  durationMs?: number;
  error?: string;
  passes?: number;
  failures?: number;
  pending?: number;
  message?: string;
}

export function sendEvent(event: SuiteEvent): Promise<void> {
  return post<unknown>('/event', event).then(() => undefined);
}

/** Options shared by the webview requests. `index` picks among visible webviews (default: the last). */
export interface WebviewQuery {
  index?: number;
  timeoutMs?: number;
}

function ui<T>(op: string, args: object): Promise<T> {
  return post<T>('/ui', { op, ...args });
}

/** Waits for `selector` in the visible webview's content and returns its textContent. */
export async function webviewText(selector: string, q: WebviewQuery = {}): Promise<string> {
  return (await ui<{ text: string | null }>('webviewText', { selector, ...q })).text ?? '';
}

/** How many elements match `selector` in the visible webview right now. */
export async function webviewCount(selector: string, q: WebviewQuery = {}): Promise<number> {
  return (await ui<{ count: number }>('webviewCount', { selector, ...q })).count;
}

/** Waits until `selector` reaches `state` (default visible) in the visible webview. */
export async function webviewWaitFor(
  selector: string,
  q: WebviewQuery & { state?: 'attached' | 'visible' | 'hidden' | 'detached' } = {},
): Promise<void> {
  await ui('webviewWaitFor', { selector, ...q });
}

export async function webviewAttribute(selector: string, name: string, q: WebviewQuery = {}): Promise<string | null> {
  return (await ui<{ value: string | null }>('webviewAttribute', { selector, name, ...q })).value;
}

/** Clicks `selector` in the visible webview (waits for it to be visible and enabled first). */
export async function webviewClick(selector: string, q: WebviewQuery = {}): Promise<void> {
  await ui('webviewClick', { selector, ...q });
}

/** Saves test-results/host/<name>.png of an element of the visible webview (default its body). */
export async function webviewScreenshot(name: string, selector = 'body', q: WebviewQuery = {}): Promise<string> {
  return (await ui<{ path: string }>('webviewScreenshot', { name, selector, ...q })).path;
}

/** Saves test-results/host/<name>.png of the whole workbench. */
export async function screenshot(name: string): Promise<string> {
  return (await ui<{ path: string }>('screenshot', { name })).path;
}

/**
 * The messages of the notifications the workbench renders now (toasts, and the notification center
 * when it is open). Use helpers/notifications.ts, which opens the center first so none is missed.
 */
export async function notificationTexts(): Promise<string[]> {
  return (await ui<{ messages: string[] }>('notifications', {})).messages;
}

/** Runs a command as a user would: F1, `>title`, Enter (title as the palette shows it, e.g. "Embedding Lens: Compare Embeddings"). */
export async function runFromPalette(title: string): Promise<void> {
  await ui('palette', { title });
}

/**
 * Answers the open quick pick / input box / simple file dialog (what showOpenDialog shows in
 * code-server): types `text` and presses Enter unless `accept` is false. `title` waits for the
 * quick input with that title first (a flow of several picks: never answer the one still closing);
 * `active` waits, after typing, until the focused row holds that text before pressing Enter; `row`
 * until any row does (the simple file dialog has listed the folder typed, so Enter picks that folder).
 */
export async function answerQuickInput(
  text: string,
  {
    accept = true,
    timeoutMs,
    title,
    active,
    row,
  }: { accept?: boolean; timeoutMs?: number; title?: string; active?: string; row?: string } = {},
): Promise<void> {
  await ui('quickInput', { text, accept, timeoutMs, title, active, row });
}
