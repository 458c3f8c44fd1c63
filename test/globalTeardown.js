const { rmSync } = require('node:fs');

/** Removes this run's scratch directory (test/globalSetup.js). */
module.exports = async function globalTeardown() {
  if (globalThis.__jcoScratch) rmSync(globalThis.__jcoScratch, { recursive: true, force: true });
};
