import { Module } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module';
import { InfrastructureModule } from '../../infrastructure/infrastructure.module';
import { WarmshowersController } from './warmshowers.controller';
import { WarmshowersSessions } from './warmshowers-session';

/** Warmshowers' wire surface under /warmshowers (issue #17): a translator over Parley's commands and queries. */
@Module({
  imports: [InfrastructureModule, AuthModule],
  controllers: [WarmshowersController],
  providers: [WarmshowersSessions],
})
export class WarmshowersModule {}
