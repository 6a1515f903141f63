/** Integer-looking labels sort numerically, others as strings, so the same file always maps the same way. */
export function encodeLabels(values: string[]): { labels: Int32Array; classNames: string[] } {
  const unique = [...new Set(values)];
  const numeric = unique.every((v) => /^-?\d+$/.test(v));
  unique.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(unique.map((v, i) => [v, i]));
  return { labels: Int32Array.from(values, (v) => index.get(v)!), classNames: unique };
}
