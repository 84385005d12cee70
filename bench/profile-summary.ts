import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

// `tsx bench/profile-summary.ts FILE.cpuprofile [N] [MICROSECONDS_PER_SAMPLE_DIVISOR]`: self time by function and by
// package, to see what to cut. Bundles (dist/main.cjs, dist-bench/*.cjs) are read through their source maps, so a
// frame is named by the package and file it came from, not by the bundle.
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}
const file = process.argv[2];
if (!file) throw new Error('usage: profile-summary FILE.cpuprofile [N] [ANSWERS]');
const top = Number(process.argv[3] ?? 30);
/** With the number of answers the process gave, self time is also shown in µs per answer. */
const answers = Number(process.argv[4] ?? 0);
const profile = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: Node[];
  samples: number[];
  startTime: number;
  endTime: number;
};
const maps = new Map<string, SourceMap | null>();
function sourceMapOf(url: string): SourceMap | null {
  if (!maps.has(url)) {
    let map: SourceMap | null = null;
    try {
      const path = `${url.startsWith('file:') ? fileURLToPath(url) : url}.map`;
      if (existsSync(path)) map = new SourceMap(JSON.parse(readFileSync(path, 'utf8')));
    } catch {}
    maps.set(url, map);
  }
  return maps.get(url) ?? null;
}
/** The original source of a frame: the bundle's source map entry, or the frame's own URL. */
function sourceOf(frame: Node['callFrame']): { url: string; line: number } {
  const map = frame.url ? sourceMapOf(frame.url) : null;
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as
    | { originalSource?: string; originalLine?: number }
    | undefined;
  return entry?.originalSource
    ? { url: entry.originalSource, line: (entry.originalLine ?? 0) + 1 }
    : { url: frame.url, line: frame.lineNumber + 1 };
}
const hits = new Map<number, number>();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const microsPerSample = (profile.endTime - profile.startTime) / profile.samples.length;
// Shares are of the time the process was busy: idle samples are left out.
const idle = profile.nodes.find((node) => node.callFrame.functionName === '(idle)');
const total = profile.samples.length - (idle ? (hits.get(idle.id) ?? 0) : 0);
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const node of profile.nodes) {
  const count = hits.get(node.id) ?? 0;
  if (!count || node === idle) continue;
  const { functionName } = node.callFrame;
  const { url, line } = sourceOf(node.callFrame);
  const short = url.replace(/^.*node_modules\//, '').replace(/^.*\/(src|bench)\//, '$1/');
  const key = `${functionName || '(anonymous)'} ${short}:${line}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + count);
  const pkg = packageOf(url, functionName);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + count);
}
/** The package a frame belongs to: a dependency, Node, undici's llhttp (wasm), our folder, or a V8 pseudo-frame. */
function packageOf(url: string, functionName: string): string {
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (dependency) return dependency;
  if (url.startsWith('node:')) return 'node:*';
  if (url.startsWith('wasm:')) return 'wasm (undici llhttp)';
  if (!url) return functionName;
  const ours = /\/(src|bench)\/([^/]+)/.exec(url)?.[2];
  return ours ? `ours (${ours})` : `unmapped (${url.replace(/^.*\//, '')})`;
}
const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [key, count] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const perAnswer = answers ? `${((count * microsPerSample) / answers).toFixed(1).padStart(7)} µs  ` : '';
    console.log(`${((count / total) * 100).toFixed(1).padStart(5)}%  ${perAnswer}${key}`);
  }
};
show('self time by package', byPackage);
show('self time by function', byFunction);
