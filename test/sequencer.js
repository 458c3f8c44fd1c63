const Sequencer = require('@jest/test-sequencer').default;

const ranks = [
  ['/unit/', 0],
  ['/record/', 1],
  ['/workflow/', 2],
  ['/property/', 2],
  ['/e2e/', 4],
];
const rank = (p) => ranks.find(([dir]) => p.includes(dir))?.[1] ?? 3;

/** Unit, then the system of record on both engines, then workflow, then deployment checks, then end to end: cheap failures first. */
class KindSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  }
}
module.exports = KindSequencer;
