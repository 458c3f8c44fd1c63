import { Writable } from 'node:stream';
import { csvCell, csvRow } from '../../api/csv';
import { ClientGone, Sink } from '../../api/stream';

test('CSV cells are quoted as RFC 4180 says: commas, quotes, CR and LF; quotes doubled', () => {
  expect(csvCell('plain')).toBe('plain');
  expect(csvCell('a,b')).toBe('"a,b"');
  expect(csvCell('say "yes"')).toBe('"say ""yes"""');
  expect(csvCell('two\nlines')).toBe('"two\nlines"');
  expect(csvCell('cr\r')).toBe('"cr\r"');
  expect(csvCell(null)).toBe('');
  expect(csvCell(undefined)).toBe('');
  expect(csvCell(42)).toBe('42');
  expect(csvRow(['a', 'b,c', null, 3])).toBe('a,"b,c",,3\r\n');
});

test('a cell a spreadsheet would run as a formula is prefixed with a single quote', () => {
  expect(csvCell('=HYPERLINK("http://evil.example","click")')).toBe(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
  expect(csvCell('+1+1')).toBe("'+1+1");
  expect(csvCell('-2+3')).toBe("'-2+3");
  expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  expect(csvCell('\tcmd')).toBe("'\tcmd");
  // Only at the start; numbers are numbers.
  expect(csvCell('a=b')).toBe('a=b');
  expect(csvCell(-1)).toBe('-1');
});

/** A reader that takes a chunk only every few milliseconds, with a small buffer. */
function slowReader(): Writable & { received: string[]; maxBuffered: number } {
  const w = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, cb) {
      w.received.push(chunk.toString());
      setTimeout(cb, 2);
    },
  }) as Writable & { received: string[]; maxBuffered: number };
  w.received = [];
  w.maxBuffered = 0;
  const write = w.write.bind(w);
  w.write = ((chunk: string) => {
    const ok = write(chunk);
    w.maxBuffered = Math.max(w.maxBuffered, w.writableLength);
    return ok;
  }) as typeof w.write;
  return w;
}

test('the sink writes in chunks and waits for a slow reader to drain: never more than a chunk or two buffered', async () => {
  const out = slowReader();
  const sink = new Sink(out, 2048);
  const line = `${'x'.repeat(99)}\n`;
  for (let i = 0; i < 2000; i++) await sink.push(line);
  await sink.end();
  await new Promise((r) => out.on('finish', r));
  expect(out.received.join('')).toBe(line.repeat(2000));
  expect(sink.chunks).toBeGreaterThan(50);
  expect(sink.waits).toBeGreaterThan(50);
  expect(out.maxBuffered).toBeLessThanOrEqual(2 * 2048 + 100);
});

test('the sink stops when the reader goes away', async () => {
  const out = slowReader();
  const sink = new Sink(out, 100);
  await sink.push('x'.repeat(150));
  out.destroy();
  await expect(sink.push('y'.repeat(150))).rejects.toBeInstanceOf(ClientGone);
});
