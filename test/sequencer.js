const Sequencer = require('@jest/test-sequencer').default;

const rank = (p) => (p.includes('/unit/') ? 0 : p.includes('/workflow/') ? 1 : p.includes('/e2e/') ? 3 : 2);

/** Unit, then workflow, then deployment checks, then end to end: cheap failures first. */
class KindSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  }
}
module.exports = KindSequencer;
