import { existsSync } from 'node:fs';
import os from 'node:os';

// test/globalSetup.js: scratch files go to memory when the machine has /dev/shm.
test('scratch files of this run are in memory, in a directory of its own', () => {
  if (process.env['JCO_TEST_SCRATCH'] === 'disk' || !existsSync('/dev/shm')) return;
  expect(os.tmpdir()).toMatch(/^\/dev\/shm\/jco-tests-\d+$/);
});
