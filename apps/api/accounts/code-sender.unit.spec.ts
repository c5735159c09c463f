import { Logger, type LoggerService } from '@nestjs/common';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodeNotSentError, codeText, HttpCodeSender, RecordingCodeSender, type CodeMessage } from './code-sender';

interface Received {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** An SMS provider on 127.0.0.1 that answers `status` (or never, when null). */
async function provider(status: () => number | null) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ method: request.method ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = status();
      if (answer === null) return;
      response.writeHead(answer, answer === 302 ? { location: 'http://127.0.0.1:1/' } : {}).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { received, url, stop };
}

const message = (over: Partial<CodeMessage> = {}): CodeMessage => ({
  phone: '+15551234567',
  channel: 'sms',
  code: '048213',
  expiresAt: new Date(Date.now() + 600_000).toISOString(),
  ...over,
});

/** The request a code is sent for: its ids go on the sender's lines. */
const SCOPE = { reqId: 'req-7', correlationId: 'signup-7' };

/** What the senders log, as JSON text per line. */
const logged: string[] = [];
const capture: LoggerService = {
  log: (message: unknown) => void logged.push(JSON.stringify(message)),
  warn: (message: unknown) => void logged.push(JSON.stringify(message)),
  error: (message: unknown) => void logged.push(JSON.stringify(message)),
};

describe('code senders', () => {
  beforeAll(() => Logger.overrideLogger(capture));
  beforeEach(() => logged.splice(0));
  afterAll(() => Logger.overrideLogger(false));

  describe('RecordingCodeSender', () => {
    it('keeps the last N codes, newest first, and filters by number', async () => {
      const sender = new RecordingCodeSender(3);
      for (const [phone, code] of [
        ['+15550000001', '111111'],
        ['+15550000002', '222222'],
        ['+15550000001', '333333'],
        ['+15550000002', '444444'],
      ] as const) {
        await sender.send(message({ phone, code }), SCOPE);
      }
      expect(sender.list().map((entry) => entry.code)).toEqual(['444444', '333333', '222222']);
      expect(sender.list('+15550000001').map((entry) => entry.code)).toEqual(['333333']);
      expect(sender.list()[0]).toMatchObject({ phone: '+15550000002', channel: 'sms', sentAt: expect.any(String) });
    });

    it('writes one log line per code pointing the operator to the admin API, naming neither number nor code', async () => {
      await new RecordingCodeSender().send(message({ channel: 'voice' }), SCOPE);
      expect(logged).toHaveLength(1);
      expect(JSON.parse(logged[0]!)).toEqual({
        ...SCOPE,
        msg: expect.stringContaining('/v1/admin/verification-codes'),
        channel: 'voice',
        expiresAt: expect.any(String),
      });
      expect(logged[0]).not.toContain('5551234567');
      expect(logged[0]).not.toContain('048213');
    });
  });

  describe('codeText', () => {
    it('says the digits one by one by voice, and the lifetime in minutes', () => {
      const now = Date.parse('2024-05-01T10:00:00Z');
      const expiresAt = '2024-05-01T10:10:00.000Z';
      expect(codeText(message({ expiresAt }), now)).toBe('Your Parley code is 048213. It expires in 10 minutes.');
      expect(codeText(message({ expiresAt, channel: 'voice' }), now)).toBe('Your Parley code is 0 4 8 2 1 3. It expires in 10 minutes.');
      expect(codeText(message({ expiresAt: '2024-05-01T10:00:30.000Z' }), now)).toBe('Your Parley code is 048213. It expires in 1 minute.');
    });
  });

  describe('HttpCodeSender', () => {
    it('POSTs { to, channel, text, code } as JSON with the Bearer token', async () => {
      const sms = await provider(() => 200);
      try {
        await new HttpCodeSender(sms.url, 'provider-token').send(message({ channel: 'voice' }), SCOPE);
        expect(sms.received).toHaveLength(1);
        const [request] = sms.received;
        expect(request!.method).toBe('POST');
        expect(request!.headers['authorization']).toBe('Bearer provider-token');
        expect(request!.headers['content-type']).toBe('application/json');
        expect(JSON.parse(request!.body)).toEqual({
          to: '+15551234567',
          channel: 'voice',
          text: expect.stringMatching(/^Your Parley code is 0 4 8 2 1 3\. It expires in (9|10) minutes\.$/),
          code: '048213',
        });
      } finally {
        await sms.stop();
      }
    });

    it('sends no Authorization header without a token', async () => {
      const sms = await provider(() => 204);
      try {
        await new HttpCodeSender(sms.url, null).send(message(), SCOPE);
        expect(sms.received[0]!.headers['authorization']).toBeUndefined();
      } finally {
        await sms.stop();
      }
    });

    it.each([
      [500, 'provider answered 500'],
      [401, 'provider answered 401'],
      [302, 'provider answered 302'],
    ])('fails on a %i, naming neither the number nor the code', async (status, reason) => {
      const sms = await provider(() => status);
      try {
        const failure = new HttpCodeSender(sms.url, 't').send(message(), SCOPE);
        await expect(failure).rejects.toBeInstanceOf(CodeNotSentError);
        await expect(failure).rejects.toThrow(reason);
        const error = await failure.catch((caught: Error) => caught);
        expect(String(error)).not.toContain('5551234567');
        expect(String(error)).not.toContain('048213');
        expect(sms.received).toHaveLength(1);
        expect(logged.join('\n')).toContain(reason);
        expect(JSON.parse(logged[0]!)).toMatchObject(SCOPE);
        expect(logged.join('\n')).not.toMatch(/5551234567|048213/);
      } finally {
        await sms.stop();
      }
    });

    it('gives up after its timeout when the provider does not answer', async () => {
      const sms = await provider(() => null);
      try {
        const started = Date.now();
        await expect(new HttpCodeSender(sms.url, null, 200).send(message(), SCOPE)).rejects.toThrow('no answer within 200 ms');
        expect(Date.now() - started).toBeLessThan(5000);
      } finally {
        await sms.stop();
      }
    });

    it('fails when the provider is unreachable', async () => {
      const sms = await provider(() => 200);
      await sms.stop();
      await expect(new HttpCodeSender(sms.url, null).send(message(), SCOPE)).rejects.toThrow('provider unreachable');
    });
  });
});
