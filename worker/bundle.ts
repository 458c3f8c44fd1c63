import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowInterceptorsPath, workflowsPath } from './worker';

const root = path.join(__dirname, '..');

function sourcesOf(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourcesOf(full) : name.endsWith('.ts') ? [full] : [];
  });
}

/**
 * The workflow bundle, built once per version of the code and kept on disk (where build tools
 * keep their caches, keyed by a hash of every source it is built from): a restarted worker
 * (after a crash, a deploy of the API alone, a machine reboot) polls again in a second or two
 * instead of re-running webpack first, so decisions waiting on it are answered sooner.
 */
export async function cachedWorkflowBundle(
  opts: { cacheDir?: string; workflowsPath?: string; sourceDirs?: string[] } = {},
): Promise<{ code: string }> {
  // Tests bundle their probes beside the product's workflows: another entry point, another bundle.
  const entry = opts.workflowsPath ?? workflowsPath;
  const cacheDir = opts.cacheDir ?? path.join(root, 'node_modules', '.cache', 'jco-workflow-bundle');
  const hash = createHash('sha256').update(path.relative(root, entry));
  for (const file of ['workflows', 'domain', 'activities', ...(opts.sourceDirs ?? [])].flatMap((d) => sourcesOf(path.join(root, d))).sort()) {
    hash.update(path.relative(root, file)).update(readFileSync(file));
  }
  // The SDK and zod are bundled too: their versions are in the lock file.
  try {
    hash.update(readFileSync(path.join(root, 'package-lock.json')));
  } catch {
    hash.update(readFileSync(path.join(root, 'package.json')));
  }
  const file = path.join(cacheDir, `workflow-bundle-${hash.digest('hex').slice(0, 16)}.js`);
  try {
    return { code: readFileSync(file, 'utf8') };
  } catch {
    const { code } = await bundleWorkflowCode({ workflowsPath: entry, workflowInterceptorModules: [workflowInterceptorsPath], logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error } });
    try {
      mkdirSync(cacheDir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, code);
      renameSync(tmp, file);
    } catch {
      // A read-only install still runs; it bundles at each start.
    }
    return { code };
  }
}
