import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { searchAttributeKeys } from '../domain/searchAttributes';
import { createActivities, type ActivityDeps } from '../activities';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

const indexedValueType: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.KEYWORD_LIST]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  [SearchAttributeType.TEXT]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.DATETIME]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.INT]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

export const workflowsPath = path.join(__dirname, '..', 'workflows', 'index.ts');
/** Every workflow's inbound calls pass through these (workflows/interceptors.ts: unsealed payloads refused). */
export const workflowInterceptorsPath = path.join(__dirname, '..', 'workflows', 'interceptors.ts');

/** Registers the search attributes the workflows use, if the namespace lacks them. Idempotent. */
export async function ensureSearchAttributes(connection: NativeConnection, namespace: string): Promise<void> {
  let registered: Record<string, unknown> = {};
  try {
    registered = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (err) {
    // The Java time-skipping test server can add search attributes but not list them.
    if ((err as { code?: number }).code !== 12) throw err;
  }
  const missing = searchAttributeKeys.filter((k) => !(k.name in registered));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, indexedValueType[k.type]!])),
  });
}

export interface JcoWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  maxCachedWorkflows?: number;
  /** The payload codec (config/temporal.ts): the same on the worker and every client. */
  dataConverter?: DataConverter;
  /** Tests pass a prebuilt bundle so each worker does not bundle again. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export async function createJcoWorker(opts: JcoWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath, interceptors: { workflowModules: [workflowInterceptorsPath] } }),
    activities: createActivities(opts.deps),
    maxCachedWorkflows: opts.maxCachedWorkflows ?? 1000,
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
  });
}
