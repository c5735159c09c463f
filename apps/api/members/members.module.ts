import { Module } from '@nestjs/common';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { PresenceModule } from '../presence/presence.module';
import { UsersModule } from '../users/users.module';
import { ChangeMemberProfileHandler, LeaveFeedbackHandler } from './members.commands';
import { MembersController } from './members.controller';
import { GetMemberHandler, ListFeedbackHandler, ResolveNumericIdHandler, SearchMembersHandler } from './members.queries';

/** Member profiles of a community of hosts, search by keyword and by place, feedback. */
@Module({
  imports: [InfrastructureModule, UsersModule, PresenceModule],
  controllers: [MembersController],
  providers: [ChangeMemberProfileHandler, LeaveFeedbackHandler, GetMemberHandler, SearchMembersHandler, ListFeedbackHandler, ResolveNumericIdHandler],
})
export class MembersModule {}
