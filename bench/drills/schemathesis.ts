import type { CommissionView } from '../../domain/commission';
import type { RunningSystem } from '../../scripts/lib/system';
import { runSchemathesis, reportLines, type SchemathesisRun } from '../../scripts/lib/schemathesis';
import { SCHEMATHESIS_VERSION } from '../../scripts/lib/provision';
import { client, keys } from '../../test/helpers/http';
import type { DrillReport } from './workerCrash';

/**
 * The API checked from outside: Schemathesis generates requests from the OpenAPI document the API
 * serves, every phase, signed in as a commissioner and then as a records officer (the records
 * endpoints answer only them), against a commission of its own so paths reach a real subject.
 */
export async function schemathesisDrill(system: RunningSystem, opts: { maxExamples: number; seed?: number }): Promise<DrillReport> {
  const api = client(system);
  const seed = opts.seed ?? 20261202;
  const created = await api.call<CommissionView>('POST', '/api/v1/commissions', {
    key: keys.council,
    json: { title: `Schemathesis drill ${Date.now()}`, partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: 1000 },
  });
  const id = created.body.id;
  const parameters = { id, taskId: `${id}.lead`, subjectId: id };
  const runs: [string, SchemathesisRun][] = [];
  for (const [who, apiKey] of [
    ['a commissioner (council-commissioner)', keys.council],
    ['a records officer (council-records-officer)', 'demo-key-council-records-officer-01'],
  ] as const) {
    runs.push([who, await runSchemathesis(system.baseUrl, { apiKey, maxExamples: opts.maxExamples, seed, parameters })]);
  }
  return {
    ok: runs.every(([, r]) => r.status === 0),
    lines: [
      `Schemathesis ${SCHEMATHESIS_VERSION} (PyPI), every check (scripts/schemathesis.toml), every phase (examples, coverage, fuzzing, stateful), up to ${opts.maxExamples} examples per operation and phase, seed ${seed}, against GET /api/v1/openapi.json.`,
      '',
      ...runs.flatMap(([who, r]) => [
        `## Signed in as ${who}: ${r.status === 0 ? 'no failures' : `FAILED (exit ${r.status})`} in ${(r.ms / 1000).toFixed(0)} s`,
        '',
        '```',
        ...reportLines(r),
        '```',
        '',
      ]),
    ],
  };
}
