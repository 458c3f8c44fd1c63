import { Client, type Connection } from '@temporalio/client';
import pino from 'pino';
import { createLinkSigner } from '../../activities/links';
import type { ApiContext } from '../../api/context';
import { loadPartnership } from '../../config';
import type { Database } from '../../db';

/**
 * The real app's context for tests that never reach Temporal (its connection lazy, to nowhere):
 * the bundled partnership, a test signing key, silent logs. Each test names what it is about.
 */
export function testApiContext(connection: Connection, database: Database, overrides: Partial<ApiContext> = {}): ApiContext {
  return {
    client: new Client({ connection }),
    connection,
    partnership: loadPartnership(),
    policyVersion: 'test',
    namespace: 'default',
    taskQueue: 'unused',
    links: createLinkSigner('api-test-signing-key-0123456789abcdef'),
    linkGraceMs: 0,
    rateLimitPerMinute: 600,
    publicBaseUrl: 'http://localhost:3000',
    database,
    logger: pino({ level: 'silent' }),
    ...overrides,
  };
}
