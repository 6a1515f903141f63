import type { Progress } from '../core/types';

/**
 * Progress on stderr: a redrawn bar when stderr is a terminal, otherwise one plain line per
 * stage change or every 2 s (issue #15: no stage is silent longer than that), so logs in CI stay
 * readable and still show the run is alive.
 */
export function stderrProgress(): (p: Progress) => void {
  const tty = process.stderr.isTTY === true;
  let lastStage = '';
  let lastLine = 0;
  return (p) => {
    const pct = p.total > 0 ? Math.min(100, (100 * p.done) / p.total) : 0;
    const rate = p.rate !== undefined ? ` ${p.rate.toFixed(p.rate < 10 ? 1 : 0)}/s` : '';
    const eta = p.etaSeconds !== undefined && p.done < p.total ? ` ETA ${Math.ceil(p.etaSeconds)}s` : '';
    const msg = p.message ? ` ${p.message}` : '';
    if (tty) {
      const width = 24;
      const filled = Math.round((pct / 100) * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      process.stderr.write(`\r\x1b[K${p.stage} ${bar} ${p.done}/${p.total}${rate}${eta}${msg}`);
      if (p.done >= p.total) process.stderr.write('\n');
      return;
    }
    const now = Date.now();
    if (p.stage !== lastStage || p.done >= p.total || now - lastLine >= 1750) {
      process.stderr.write(`${p.stage}: ${p.done}/${p.total} (${pct.toFixed(0)}%)${rate}${eta}${msg}\n`);
      lastStage = p.stage;
      lastLine = now;
    }
  };
}
