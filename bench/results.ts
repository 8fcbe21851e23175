import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const RESULTS_FILE = path.join(__dirname, 'results.json');

export type Figures = Record<string, number | string | boolean>;

const loadAverage = () => Number(os.loadavg()[0].toFixed(1));
/** The load average when the running benchmark started: a long one raises it itself by the time it saves. */
let loadAtBenchStart = loadAverage();

export function benchStarting(): void {
  loadAtBenchStart = loadAverage();
}

/** The machine the figures were measured on: they mean little without it. */
export function machine() {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim(),
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    loadAverageAtStart: loadAtBenchStart,
  };
}

export function machineLine(): string {
  const m = machine();
  return `machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, load average ${m.loadAverageAtStart}`;
}

/** Writes one benchmark's figures into bench/results.json, keeping the other benchmarks' latest. */
export function recordResults(bench: string, figures: Figures): void {
  const previous = fs.existsSync(RESULTS_FILE) ? JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) : { benches: {} };
  previous.benches[bench] = { measuredAt: new Date().toISOString(), machine: machine(), figures };
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(previous, null, 2)}\n`);
}
