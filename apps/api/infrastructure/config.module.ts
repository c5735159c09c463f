import { Module, type DynamicModule } from '@nestjs/common';
import type { ParleyConfig } from '../../../libs/config/config';
import { PARLEY_CONFIG } from './tokens';

/** The validated configuration, visible to every module (it is the one value all of them may read). */
@Module({})
export class ParleyConfigModule {
  static forConfig(config: ParleyConfig): DynamicModule {
    return {
      module: ParleyConfigModule,
      global: true,
      providers: [{ provide: PARLEY_CONFIG, useValue: config }],
      exports: [PARLEY_CONFIG],
    };
  }
}
