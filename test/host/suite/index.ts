// The extension-tests entry: VS Code's extension host loads this bundle (extensionTestsPath) and
// awaits run(). It runs every bundled *.test.js beside it with mocha, streams each result to the
// runner over the bridge (the host's console is not visible to the runner) and rejects when a
// test fails, so the workbench reports a non-zero exit through codeAutomationExit.
import Mocha from 'mocha';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { harness, sendEvent, type SuiteEvent } from './helpers/runner';

function testFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return testFiles(p);
      return name.endsWith('.test.js') ? [p] : [];
    });
}

/** Forwards mocha's events in order: each POST waits for the previous one. */
class BridgeReporter extends Mocha.reporters.Base {
  static chain: Promise<void> = Promise.resolve();
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const send = (e: SuiteEvent) => {
      BridgeReporter.chain = BridgeReporter.chain.then(() => sendEvent(e)).catch(() => undefined);
    };
    const C = Mocha.Runner.constants;
    runner.on(C.EVENT_TEST_PASS, (t) => send({ type: 'pass', title: t.fullTitle(), durationMs: t.duration }));
    runner.on(C.EVENT_TEST_FAIL, (t, err: Error) => send({ type: 'fail', title: t.fullTitle(), error: err?.stack ?? String(err) }));
    runner.on(C.EVENT_TEST_PENDING, (t) => send({ type: 'pending', title: t.fullTitle() }));
    runner.once(C.EVENT_RUN_END, () =>
      send({ type: 'end', passes: this.stats.passes, failures: this.stats.failures, pending: this.stats.pending }),
    );
  }
}

export async function run(): Promise<void> {
  // Stack traces of failures then point into the suite's .ts files (the bundles carry inline maps).
  process.setSourceMapsEnabled(true);
  const { grep } = harness();
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: BridgeReporter, grep, forbidOnly: true });
  const files = testFiles(__dirname);
  for (const f of files) mocha.addFile(f);
  await sendEvent({ type: 'log', message: `mocha: ${files.length} test files: ${files.map((f) => relative(__dirname, f)).join(', ')}` });
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  await BridgeReporter.chain;
  if (failures > 0) throw new Error(`${failures} host test(s) failed`);
}
