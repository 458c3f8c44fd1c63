const Sequencer = require('@jest/test-sequencer').default;

/**
 * Seconds each long file took alone (2026-12-01; the long waits and lifecycle 2026-12-02); files not named take
 * about what their kind does. With two workers the longest go first, so that neither worker is
 * left with a long file at the end while the other waits (longest-first is near the best split).
 */
const measured = {
  'workflow/longWaits.test.ts': 120,
  'workflow/lifecycle.test.ts': 115,
  'workflow/panelLongWaits.test.ts': 50,
  'property/liveness.property.test.ts': 80,
  'workflow/referral.test.ts': 60,
  'e2e/drills.test.ts': 60,
  'workflow/disputeOutcomes.test.ts': 60,
  'e2e/recordDrills.test.ts': 50,
  'e2e/emailLinks.test.ts': 48,
  // Chromium, axe on each page, four tests (2026-12-02).
  'e2e/web.test.ts': 55,
  'e2e/webCommissions.test.ts': 60,
  // The evaluation panel and disputes, and the referrals, delegation and records pages (2026-12-02, alone).
  'e2e/webDisputes.test.ts': 94,
  'e2e/webReferrals.test.ts': 89,
  'workflow/evaluationPanel.test.ts': 48,
  'e2e/operations.test.ts': 42,
  'e2e/leadPartnerAgreement.test.ts': 38,
  'workflow/replay.test.ts': 37,
  'e2e/permissions.test.ts': 34,
  'workflow/leadPartnerAgreement.test.ts': 34,
};
const byKind = [
  ['/unit/', 1],
  ['/record/', 5],
  ['/workflow/', 20],
  ['/property/', 60],
  ['/e2e/', 25],
];
const estimate = (p) => {
  const known = Object.entries(measured).find(([suffix]) => p.endsWith(suffix));
  return known ? known[1] : (byKind.find(([dir]) => p.includes(dir))?.[1] ?? 5);
};

class LongestFirstSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => estimate(b.path) - estimate(a.path) || a.path.localeCompare(b.path));
  }
}
module.exports = LongestFirstSequencer;
