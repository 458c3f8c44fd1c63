import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { PayloadEncryptionCodec, payloadKeysFrom, REFUSED_PAYLOAD } from '../../codec/payloadEncryption';

const keyOf = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const referral = { caseRef: 'CYP00042', needs: 'Autism, overnight respite twice a month' };
const payload = () => defaultPayloadConverter.toPayload(referral);
const valueOf = (p: Parameters<typeof defaultPayloadConverter.fromPayload>[0]) => defaultPayloadConverter.fromPayload(p);

test('a payload is sealed: no plain text of it is left, and the key that sealed it opens it', async () => {
  const codec = new PayloadEncryptionCodec(payloadKeysFrom(keyOf('k1')));
  const [sealed] = await codec.encode([payload()]);
  expect(Buffer.from(sealed!.data!).toString('latin1')).not.toContain('CYP00042');
  expect(Buffer.from(sealed!.metadata!['encryption-key-id']!).toString()).toBe('k1');
  const [opened] = await codec.decode([sealed!]);
  expect(valueOf(opened!)).toEqual(referral);
});

test('after a key is rotated, the newest key seals and the old one still opens what it sealed', async () => {
  const old = keyOf('2026a');
  const before = new PayloadEncryptionCodec(payloadKeysFrom(old));
  const after = new PayloadEncryptionCodec(payloadKeysFrom(`${keyOf('2026b')},${old}`));
  const [sealedBefore] = await before.encode([payload()]);
  const [sealedAfter] = await after.encode([payload()]);
  expect(Buffer.from(sealedAfter!.metadata!['encryption-key-id']!).toString()).toBe('2026b');
  expect(valueOf((await after.decode([sealedBefore!]))[0]!)).toEqual(referral);
  // The old key alone cannot open what the new key sealed.
  expect(valueOf((await before.decode([sealedAfter!]))[0]!)).toEqual(REFUSED_PAYLOAD);
});

test('what the key did not seal decodes to the refusal: plain JSON, a tampered byte, another key, a key id swapped', async () => {
  const keys = keyOf('k1');
  const codec = new PayloadEncryptionCodec(payloadKeysFrom(keys));
  const [sealed] = await codec.encode([payload()]);
  const tampered = { ...sealed!, data: Buffer.from(sealed!.data!) };
  tampered.data[20]! ^= 1;
  const stranger = (await new PayloadEncryptionCodec(payloadKeysFrom(keyOf('k1'))).encode([payload()]))[0]!;
  const swapped = { ...sealed!, metadata: { ...sealed!.metadata, 'encryption-key-id': Buffer.from('k2') } };
  const twoKeys = new PayloadEncryptionCodec(payloadKeysFrom(`${keys},${keyOf('k2')}`));
  for (const forged of [payload(), tampered, stranger]) expect(valueOf((await codec.decode([forged]))[0]!)).toEqual(REFUSED_PAYLOAD);
  expect(valueOf((await twoKeys.decode([swapped]))[0]!)).toEqual(REFUSED_PAYLOAD);
});

test('plain payloads from before encryption decode as they are only while the migration window is open', async () => {
  const keys = payloadKeysFrom(keyOf('k1'));
  expect(valueOf((await new PayloadEncryptionCodec(keys, { acceptPlaintext: true }).decode([payload()]))[0]!)).toEqual(referral);
  expect(valueOf((await new PayloadEncryptionCodec(keys).decode([payload()]))[0]!)).toEqual(REFUSED_PAYLOAD);
});

test('a key setting that is not usable is refused, naming the entry and never echoing the secret', () => {
  const secret = randomBytes(16).toString('base64');
  expect(() => payloadKeysFrom(`k1:${secret}`)).toThrow(/entry 1 \(k1\): the key must be 32 random bytes/);
  expect(() => payloadKeysFrom(`k1:${secret}`)).not.toThrow(new RegExp(secret.replace(/[+/=]/g, '.')));
  expect(() => payloadKeysFrom(randomBytes(32).toString('base64'))).toThrow(/must be id:base64key/);
  expect(() => payloadKeysFrom(`${keyOf('a')},${keyOf('a')}`)).toThrow(/its own id/);
  expect(() => payloadKeysFrom(' , ')).toThrow(/at least one key/);
});
