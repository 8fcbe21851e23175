import { benchStarting, machineLine } from './results';

/**
 * `npm run bench`: every benchmark, one after another, each printing its numbers.
 * `npm run bench -- postings` runs the named ones only. Each writes its figures into bench/results.json.
 */
const benches: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  postings: () => import('./postings'),
  'direct-apply': () => import('./direct-apply'),
  lever: () => import('./lever-backfill'),
  peer: () => import('./peer'),
  careers: () => import('./careers'),
  smartrecruiters: () => import('./smartrecruiters-backfill'),
  events: () => import('./events'),
  'erecruiter-status-sync': () => import('./erecruiter-status-sync'),
};

async function main() {
  const wanted = process.argv.slice(2);
  console.log(machineLine());
  for (const [name, load] of Object.entries(benches)) {
    if (wanted.length && !wanted.includes(name)) continue;
    console.log(`\n== ${name} ==`);
    benchStarting();
    await (await load()).run();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
