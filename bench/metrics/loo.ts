// Times one leave-one-out retrieval-metrics run on a .npy pair and prints one JSON line, including
// this process's peak RSS — run as its own process so the figure belongs to this run alone.
//   node --import tsx bench/metrics/loo.ts E.npy L.npy [K list]
import { readNpy } from '../../src/core/io/npy';
import { readLabels } from '../../src/core/io/labels';
import { retrievalMetrics } from '../../src/core/retrieval/metrics';

async function main(): Promise<void> {
  const [ePath, lPath, kList] = process.argv.slice(2);
  const e = await readNpy(ePath);
  const { labels } = await readLabels(lPath);
  const [n, dim] = e.shape;
  const ks = (kList ?? '1,2,4,8').split(',').map(Number);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const rep = await retrievalMetrics(e.data as Float32Array, n, dim, labels, { ks });
  const seconds = (performance.now() - t0) / 1000;
  // CPU seconds of every thread (workers included): what the run costs when it does not get whole cores.
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ n, dim, seconds, cpuSeconds, peakRssMB, metrics: rep.overall }) + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
