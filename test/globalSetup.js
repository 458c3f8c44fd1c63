const { existsSync, mkdirSync, readdirSync, rmSync, accessSync, constants } = require('node:fs');
const path = require('node:path');

/**
 * Every test's scratch files (the system of record's SQLite files, the dev server's database,
 * temporary partnership files) go to memory (/dev/shm) when the machine has it, through TMPDIR,
 * which os.tmpdir() and every process the tests start read. The record keeps
 * `synchronous = FULL`, as in production; on disk each of its commits waited for an fsync while
 * holding the worker's event loop (3 s of a one-minute lifecycle test). One directory per run,
 * removed after it; a run killed before that leaves one, removed by the next.
 */
const SHM = '/dev/shm';

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

module.exports = async function globalSetup() {
  if (process.env.JCO_TEST_SCRATCH === 'disk' || !existsSync(SHM)) return;
  try {
    accessSync(SHM, constants.W_OK);
  } catch {
    return;
  }
  for (const name of readdirSync(SHM)) {
    const m = /^jco-tests-(\d+)$/.exec(name);
    if (m && !alive(Number(m[1]))) rmSync(path.join(SHM, name), { recursive: true, force: true });
  }
  const dir = path.join(SHM, `jco-tests-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  process.env.TMPDIR = dir;
  globalThis.__jcoScratch = dir;
};
