// Stops a process and every descendant by PID. code-server forks an extension host, file watchers,
// pty hosts and language servers that outlive a plain kill of the parent, so the tree is read from
// /proc before signalling (children first would race their respawn; the whole set is taken at once).
import { readdirSync, readFileSync } from 'node:fs';

function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return undefined;
  }
}

/** The PIDs of `root` and all of its live descendants. */
export function processTree(root) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const ppid = parentOf(pid);
    if (ppid === undefined) continue;
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  const out = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop();
    out.push(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return out;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM the tree, then SIGKILL whatever is still alive after `graceMs`. */
export async function killTree(root, graceMs = 3000) {
  if (!root || !alive(root)) return;
  const seen = new Set();
  const signalAll = (signal) => {
    for (const pid of processTree(root)) seen.add(pid);
    for (const pid of seen) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  };
  signalAll('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && [...seen].some(alive)) await new Promise((r) => setTimeout(r, 100));
  const left = [...seen].filter(alive);
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
