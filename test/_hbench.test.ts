import { harness } from './helpers/workflowEnv';
test('harness cost', async () => {
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const h = await harness();
    const t1 = Date.now();
    await h.run(async () => { await h.env.sleep(1000); });
    const t2 = Date.now();
    await h.close();
    const t3 = Date.now();
    console.log(`create ${t1 - t0} run ${t2 - t1} close ${t3 - t2}`);
  }
}, 120000);
