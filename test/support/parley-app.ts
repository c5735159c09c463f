import { verifyFastValidation } from '../../apps/api/common/validation';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createParleyApp } from '../../apps/api/app';
import { loadConfig, type ParleyConfig } from '../../libs/config/config';
import { contractChecked, loadContract, type OpenApiContract } from './openapi-contract';

export interface TestUser {
  readonly id: string;
  readonly username: string;
  readonly token: string;
  readonly auth: { Authorization: string };
}

let contract: Promise<OpenApiContract> | undefined;

/** The real Parley app on the embedded profile (SQLite files in a temp dir), driven over HTTP. */
export class ParleyHarness {
  private counter = 0;

  private constructor(
    readonly app: NestFastifyApplication,
    readonly config: ParleyConfig,
    readonly dataDir: string,
    private readonly ownsDir: boolean,
    /** The served OpenAPI document: every response through http() is checked against it. */
    readonly contract: OpenApiContract,
  ) {}

  static async start(env: Record<string, string> = {}, dataDir?: string): Promise<ParleyHarness> {
    const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'parley-e2e-'));
    const config = loadConfig({
      DATA_DIR: dir,
      LOG_LEVEL: 'error',
      SQLITE_SYNCHRONOUS: 'normal',
      // A bound on waiting, not a timing claim: a busy CI machine projects thousands of events slowly.
      MIN_POSITION_WAIT_MS: '20000',
      // The suites register and sign in many users from 127.0.0.1 within seconds; sign-in-limits.e2e.spec.ts tests the limit.
      RATE_LIMIT_MAX: '1000000',
      ...env,
    });
    // Every body and query the validation pipe's quick way accepts is validated the full way too (decision 0063).
    verifyFastValidation();
    const app = await createParleyApp(config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    // Every configuration serves the same document: fetched and compiled once per test file, whatever the restarts.
    contract ??= loadContract(app.getHttpServer());
    return new ParleyHarness(app, config, dir, dataDir === undefined, await contract);
  }

  http(): ReturnType<typeof request> {
    return contractChecked(request(this.app.getHttpServer()), this.contract);
  }

  /** Listens on an ephemeral port of 127.0.0.1 (streaming tests need a real socket); answers the base URL. */
  async listen(): Promise<string> {
    const server = this.app.getHttpServer();
    if (!server.listening) await this.app.listen(0, '127.0.0.1');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the app is not listening on a TCP port');
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    await this.app.close();
    if (this.ownsDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Registers a user with a unique name and signs in. */
  async user(prefix = 'user', displayName?: string): Promise<TestUser> {
    const username = `${prefix}${++this.counter}${Date.now().toString(36)}`.slice(0, 32);
    const password = 'correct horse battery';
    const created = await this.http()
      .post('/v1/users')
      .send({ username, password, ...(displayName ? { displayName } : {}) })
      .expect(201);
    const token = await this.http().post('/v1/oauth/token').send({ grant_type: 'password', username, password }).expect(200);
    const accessToken = token.body.access_token as string;
    return { id: created.body.id as string, username, token: accessToken, auth: { Authorization: `Bearer ${accessToken}` } };
  }

  /** Waits until the read models passed the log's head, so queries see every write so far. */
  async settled(): Promise<void> {
    const health = await this.health();
    const head = health.body.eventStore.head as string | null;
    if (head === null) return;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const now = await this.health();
      if (now.body.readModels.position !== null && BigInt(now.body.readModels.position) >= BigInt(head)) return;
      if (Date.now() > deadline) throw new Error(`read models stuck at ${now.body.readModels.position}, head ${head}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * GET /health, which must answer 200, or 503 `degraded` (a failed projection:
   * the position is then what the running ones passed).
   */
  private async health(): Promise<request.Response> {
    const response = await this.http().get('/health');
    if (response.status !== 200 && !(response.status === 503 && response.body.status === 'degraded')) {
      throw new Error(`/health answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response;
  }
}
