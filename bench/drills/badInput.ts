import { createLinkSigner } from '../../activities/links';
import type { CommissionView } from '../../domain/commission';
import type { RunningSystem } from '../../scripts/lib/system';
import { fuzz } from '../../test/helpers/fuzz';
import { client, decideByLink, keys, linkIn, mailAbout } from '../../test/helpers/http';
import type { DrillReport } from './workerCrash';

/**
 * Hostile input: the seeded fuzzing of every route, then every kind of bad emailed link
 * (forged, truncated, expired, reused, someone else's): all refused, and none decides anything.
 */
export async function badInputDrill(system: RunningSystem, opts: { fuzzRequests: number; seed?: number }): Promise<DrillReport> {
  const api = client(system);
  const start = async (title: string) =>
    (await api.call<CommissionView>('POST', '/api/v1/commissions', { key: keys.council, json: { title, partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: 1000 } })).body;
  const target = await start(`Fuzz target ${Date.now()}`);
  const seed = opts.seed ?? 20261122;
  const fuzzed = await fuzz(system, { seed, total: opts.fuzzRequests, commissionId: target.id, keys: [keys.council, keys.nenc] });

  const created = await start(`Link drill ${Date.now()}`);
  const [mail] = await mailAbout(system, 'commissioner@nenc-icb.example', created.title);
  const link = linkIn(mail!);
  const token = link.split('/a/')[1]!;
  const [kid, payload, signature] = token.split('.') as [string, string, string];
  const taskId = `${created.id}.lead`;
  const signer = createLinkSigner(system.env['LINK_SIGNING_KEY']!);
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const forgedPayload = Buffer.from(JSON.stringify({ ...claims, person: 'council-commissioner' })).toString('base64url');
  const bad: Record<string, string> = {
    'forged (payload changed, signature kept)': `/a/${kid}.${forgedPayload}.${signature}`,
    'truncated (signature cut short)': `/a/${token.slice(0, -6)}`,
    'truncated (signature missing)': `/a/${kid}.${payload}`,
    'signed with a key this deployment never had': `/a/${createLinkSigner('a-key-this-deployment-never-had-0123456789').sign({ id: 'u', task: taskId, person: 'nenc-commissioner', exp: Date.now() + 60_000 })}`,
    expired: `/a/${signer.sign({ id: 'x1', task: taskId, person: 'nenc-commissioner', exp: Date.now() - 1000 })}`,
    "someone else's (a person the task does not ask)": `/a/${signer.sign({ id: 'x2', task: taskId, person: 'lsc-commissioner', exp: Date.now() + 3_600_000 })}`,
  };
  const rows: string[] = [];
  const refused = (s: number) => s === 403 || s === 409 || s === 410;
  let allRefused = true;
  for (const [what, path] of Object.entries(bad)) {
    const page = await api.call('GET', path);
    const post = await decideByLink(api, path, { decision: 'agree' });
    const forcedPost = await api.call('POST', path, { form: { decision: 'agree', form: 'guessed-form-token' } });
    allRefused &&= refused(page.status) && refused(post.status) && refused(forcedPost.status);
    rows.push(`| ${what} | ${page.status} | ${post.status}, ${forcedPost.status} |`);
  }
  const legit = await decideByLink(api, link, { decision: 'agree' });
  const formToken = /name="form" value="([^"]+)"/.exec((await api.call('GET', link)).text)?.[1] ?? 'none-shown';
  const reused = await api.call('POST', link, { form: { decision: 'object', comment: 'Changed my mind', form: formToken } });
  allRefused &&= refused(reused.status);
  rows.push(`| reused (after it decided) | | ${reused.status} |`);

  const view = (await api.call<CommissionView>('GET', `/api/v1/commissions/${created.id}`, { key: keys.council })).body;
  const decisions = view.history.filter((e) => e.event === 'task-decided');
  const onlyTheLegitOne = legit.status === 200 && decisions.length === 1 && decisions[0]!.by === 'nenc-commissioner' && decisions[0]!.channel === 'email';
  const targetView = (await api.call<CommissionView>('GET', `/api/v1/commissions/${target.id}`, { key: keys.council })).body;
  const fuzzDecided = targetView.history.filter((e) => e.event === 'task-decided').length;
  return {
    ok: fuzzed.problems.length === 0 && fuzzed.sent === opts.fuzzRequests && allRefused && onlyTheLegitOne,
    lines: [
      `Fuzzing (seed ${seed}): ${fuzzed.sent} random and malformed requests to every route, 8 at a time: ${fuzzed.problems.length} answered 5xx, showed a stack trace or echoed a secret (goal 0). Decisions the fuzzing made on its target commission: ${fuzzDecided}.`,
      ...fuzzed.problems.slice(0, 10).map((p) => `- ${p}`),
      '',
      '| emailed link | GET | POST (our form, then a guessed form token) |',
      '| --- | --- | --- |',
      ...rows,
      '',
      `The genuine link decided once (${legit.status}); the commission records ${decisions.length} decision(s): ${decisions.map((d) => `${d.by} by ${d.channel}`).join(', ')}. Every bad link refused: ${allRefused ? 'yes' : 'NO'}.`,
    ],
  };
}
