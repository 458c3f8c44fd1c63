/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Unit first (fast feedback), then workflow tests on the time-skipping server, then end to end.
  testSequencer: '<rootDir>/test/sequencer.js',
  testTimeout: 120_000,
  // Scratch files in memory, one directory per run (test/globalSetup.js says why).
  globalSetup: '<rootDir>/test/globalSetup.js',
  globalTeardown: '<rootDir>/test/globalTeardown.js',
  // A handle one test leaks (a worker polling a server already torn down) must not keep CI waiting after the last test;
  // test/helpers/workflowEnv.ts shuts workers down, this is the backstop.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/summaryReporter.js'],
};
