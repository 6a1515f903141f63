// First step of `npm test`: makes sure the machine has what the tiers need before any tier starts,
// so a fresh machine never dies half-way with a stack trace about a missing browser.
//   - Debian's `chromium` (the webview and host tiers drive it headless; CHROMIUM_PATH overrides),
//   - Debian's `libkrb5-dev` (headers one of code-server's native modules builds against; the host
//     tier installs code-server and Node 24 from the npm registry itself, into .host-test/).
// When something is missing and we are root or have passwordless sudo, it is installed with apt-get
// (saying what); otherwise the one command to run is printed and the test run stops here (exit 1).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const needs = [
  { pkg: 'chromium', why: 'the webview and host tiers drive it headless', present: () => existsSync(chromium) },
  {
    pkg: 'libkrb5-dev',
    why: "code-server's kerberos module builds against it (host tier)",
    present: () => existsSync('/usr/include/krb5.h') || existsSync('/usr/include/krb5/krb5.h'),
  },
];

const missing = needs.filter((n) => !n.present());
if (missing.length === 0) process.exit(0);

const pkgs = missing.map((m) => m.pkg);
for (const m of missing) console.error(`[test] missing Debian package ${m.pkg}: ${m.why}`);
const isRoot = process.getuid?.() === 0;
const sudoOk = !isRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
if (!isRoot && !sudoOk) {
  console.error(
    `[test] install it, then run npm test again:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${pkgs.join(' ')}`,
  );
  process.exit(1);
}
const run = (args) => {
  const [cmd, ...rest] = isRoot ? args : ['sudo', '-n', ...args];
  console.error(`[test] ${[cmd, ...rest].join(' ')}`);
  const r = spawnSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    console.error(`[test] ${cmd} ${rest.join(' ')} failed (exit ${r.status}); install ${pkgs.join(' ')} by hand and run npm test again`);
    process.exit(1);
  }
};
console.error(`[test] installing ${pkgs.join(', ')} with apt-get`);
run(['apt-get', 'update']);
run(['apt-get', 'install', '-y', '--no-install-recommends', ...pkgs]);
const still = missing.filter((m) => !m.present()).map((m) => m.pkg);
if (still.length) {
  console.error(`[test] apt-get finished but ${still.join(', ')} is still not usable here`);
  process.exit(1);
}
