import { inboxBenchmark } from './inbox';
import { decisionsBenchmark } from './decisions';
import { drills } from './drills';
import { scaleBenchmark } from './scale';
import { setupCostBenchmark } from './setupCost';
import { startsBenchmark } from './starts';
import { testTimeBenchmark } from './testTime';
import { workflowLoadBenchmark } from './workflowLoad';

/** `npm run bench [name...]`: runs the named benchmarks (all by default), each on its own servers. */
const benchmarks: Record<string, () => Promise<string>> = {
  inbox: () => inboxBenchmark(),
  starts: () => startsBenchmark(),
  'starts-setup': () => setupCostBenchmark(),
  decisions: () => decisionsBenchmark(),
  scale: () => scaleBenchmark(),
  ...drills,
  'test-time': () => testTimeBenchmark(),
  'workflow-load': () => workflowLoadBenchmark(),
};

async function main(): Promise<void> {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(benchmarks);
  for (const name of names) {
    const run = benchmarks[name];
    if (!run) throw new Error(`no benchmark "${name}"; there are: ${Object.keys(benchmarks).join(', ')}`);
    console.log(await run());
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
