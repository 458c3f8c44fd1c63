/** Prints test counts per kind (unit / record / workflow / property / e2e / deployment) and a plain closing line. */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const kinds = {};
    for (const file of results.testResults) {
      const kind = /\/test\/(unit|record|workflow|property|e2e)\//.exec(file.testFilePath)?.[1] ?? 'deployment';
      kinds[kind] ??= { passed: 0, failed: 0 };
      kinds[kind].passed += file.numPassingTests;
      kinds[kind].failed += file.numFailingTests;
    }
    const lines = Object.entries(kinds).map(([k, v]) => `  ${k}: ${v.passed} passed, ${v.failed} failed`);
    console.log(`\nTests by kind:\n${lines.join('\n')}`);
    console.log(`${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped`);
  }
}
module.exports = SummaryReporter;
