import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { JwtModule } from '@nestjs/jwt';
import type { ParleyConfig } from '../../libs/config/config';
import { AccountsModule } from './accounts/accounts.module';
import { AdminModule } from './admin/admin.module';
import { ApplicationsModule } from './applications/applications.module';
import { VonageModule } from './compat/vonage/vonage.module';
import { NexmoModule } from './compat/nexmo/nexmo.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { jwtModuleOptions } from './auth/jwt-keys';
import { CommentsModule } from './comments/comments.module';
import { ConsoleModule } from './console/console.module';
import { QiscusModule } from './compat/qiscus/qiscus.module';
import { ContactsModule } from './contacts/contacts.module';
import { FeedModule } from './feed/feed.module';
import { HealthModule } from './health/health.module';
import { ParleyConfigModule } from './infrastructure/config.module';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { JobsModule } from './jobs/jobs.module';
import { MediaModule } from './media/media.module';
import { MembersModule } from './members/members.module';
import { OrgModule } from './org/org.module';
import { TrillianModule } from './compat/trillian/trillian.module';
import { PresenceModule } from './presence/presence.module';
import { ReadStateModule } from './read-state/read-state.module';
import { RoomsModule } from './rooms/rooms.module';
import { UsersModule } from './users/users.module';
import { ThreadsModule } from './threads/threads.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { WarmshowersModule } from './compat/warmshowers/warmshowers.module';
import { WinduModule } from './compat/windu/windu.module';

/** Parley's HTTP application: the configuration, the buses, and one module per feature. */
@Module({})
export class AppModule {
  static forConfig(config: ParleyConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ParleyConfigModule.forConfig(config),
        CqrsModule.forRoot(),
        // HS256 or RS256 as configured, keys as KeyObjects, the algorithm pinned for verification.
        JwtModule.register({ ...jwtModuleOptions(config.jwtSigning), global: true }),
        InfrastructureModule,
        UsersModule,
        AuthModule,
        AdminModule,
        ApplicationsModule,
        AccountsModule,
        ContactsModule,
        PresenceModule,
        RoomsModule,
        CommentsModule,
        ThreadsModule,
        MembersModule,
        ReadStateModule,
        FeedModule,
        WebhooksModule,
        JobsModule,
        AuditModule,
        MediaModule,
        OrgModule,
        TrillianModule,
        HealthModule,
        ConsoleModule,
        VonageModule,
        NexmoModule,
        QiscusModule,
        WarmshowersModule,
        WinduModule,
      ],
    };
  }
}
