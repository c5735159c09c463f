import type {} from '@fastify/rate-limit';
import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ParleyConfig } from '../../../libs/config/config';
import { rateLimited } from '../../../libs/domain/errors';
import { PARLEY_CONFIG } from '../infrastructure/tokens';

/**
 * Requests per client address on the routes anyone may call without
 * credentials (registration, sign-in, phone accounts, health): what keeps one
 * client from flooding the server before it is anyone. Counted by
 * @fastify/rate-limit (registered in app.ts) in this process's memory: each
 * API process counts on its own, which suits a flood guard; sign-in failures,
 * which must survive a restart, are counted by SignInLimiter. Beyond the
 * budget: 429 `REQUEST.RATE_LIMITED` with Retry-After.
 */
@Injectable()
export class PublicRateLimit {
  private check: ReturnType<FastifyInstance['createRateLimit']> | null = null;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(PARLEY_CONFIG) private readonly config: ParleyConfig,
  ) {}

  async enforce(request: FastifyRequest): Promise<void> {
    const { max, windowSeconds } = this.config.publicRateLimit;
    this.check ??= this.adapterHost.httpAdapter.getInstance<FastifyInstance>().createRateLimit({
      max,
      timeWindow: windowSeconds * 1000,
      keyGenerator: (req) => req.ip,
    });
    const result = await this.check(request);
    if (!result.isAllowed && result.isExceeded) {
      throw rateLimited(
        'REQUEST.RATE_LIMITED',
        `Too many requests from this address: at most ${max} every ${windowSeconds} s without credentials`,
        result.ttlInSeconds,
      );
    }
  }
}
