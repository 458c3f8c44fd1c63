import { partConsole, readableLine } from '../../scripts/lib/consoleLines';

test("npm start's console: no line per request, a readable line per part's readiness and per error", () => {
  const request = JSON.stringify({ level: 30, msg: 'request', method: 'GET', route: '/readyz', status: 200, ms: 2 });
  expect(readableLine('api', request)).toBeUndefined();
  expect(readableLine('api', JSON.stringify({ level: 30, msg: 'request', method: 'POST', route: '/api/v1/referrals', status: 500 }))).toBe('api: error: POST /api/v1/referrals answered 500');
  expect(readableLine('api', JSON.stringify({ level: 30, msg: 'api listening on http://localhost:3000' }))).toBe('api: ready, api listening on http://localhost:3000');
  expect(readableLine('api', JSON.stringify({ level: 50, msg: 'web page failed', err: { message: 'boom' } }))).toBe('api: error: web page failed (boom)');
  expect(readableLine('api', JSON.stringify({ level: 30, msg: 'system of record open' }))).toBeUndefined();
  expect(readableLine('worker', "2026-12-02T04:00:00.000Z [INFO] Worker state changed { state: 'RUNNING' }")).toBe('worker: ready, polling for work');
  expect(readableLine('worker', '2026-12-02T04:00:00.000Z [INFO] Workflow bundle created')).toBeUndefined();
  expect(readableLine('worker', '2026-12-02T04:00:00.000Z [ERROR] Activity failed')).toBe('worker: error: Activity failed');
  expect(readableLine('Temporal', 'time=2026-12-02T04:00:00Z level=INFO msg="started"')).toBeUndefined();
  expect(readableLine('Temporal', 'time=2026-12-02T04:00:00Z level=ERROR msg="database locked"')).toBe('Temporal: error: database locked');
  expect(readableLine('api', 'Error: Cannot find module x')).toBe('api: Error: Cannot find module x');
});

test("a worker log entry whose details run over several lines is one entry, not a line each", () => {
  const worker = partConsole('worker');
  const lines = ['2026-12-02T04:00:00.000Z [INFO] Worker state changed {', "  sdkComponent: 'worker',", "  taskQueue: 'jco',", "  state: 'RUNNING'", '}', '2026-12-02T04:00:01.000Z [INFO] Workflow bundle created { size: 3 }'];
  expect(lines.map(worker).filter(Boolean)).toEqual(['worker: ready, polling for work']);
});
