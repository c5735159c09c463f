import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { UsersModule } from '../users/users.module';
import { AdminApplicationsController } from './admin-applications.controller';
import { ApplicationController } from './application.controller';
import { ApplicationStates } from './application-states';
import { ApplicationTokens } from './application-tokens';
import {
  CreateApplicationUserHandler,
  RegisterApplicationHandler,
  RemoveApplicationHandler,
  RemoveApplicationUserHandler,
  UpdateApplicationUserHandler,
} from './applications.commands';
import {
  GetApplicationHandler,
  GetApplicationUserHandler,
  ListApplicationRoomsHandler,
  ListApplicationsHandler,
  ListApplicationUsersHandler,
  RoomMemberStatesHandler,
  GetApplicationRoomHandler,
  ListTimelineEventsHandler,
  GetTimelineEventHandler,
  TimelineEventOfCommentHandler,
  ListUserRoomsHandler,
} from './applications.queries';

/**
 * Applications: principals that are not users (Vonage/Nexmo applications).
 * They sign their own RS256 tokens (ApplicationTokens, which AuthGuard asks),
 * own rooms and create users by name.
 */
@Module({
  imports: [InfrastructureModule, UsersModule, AdminModule],
  controllers: [AdminApplicationsController, ApplicationController],
  providers: [
    ApplicationStates,
    ApplicationTokens,
    RegisterApplicationHandler,
    RemoveApplicationHandler,
    CreateApplicationUserHandler,
    UpdateApplicationUserHandler,
    RemoveApplicationUserHandler,
    ListApplicationsHandler,
    GetApplicationHandler,
    ListApplicationUsersHandler,
    GetApplicationUserHandler,
    ListApplicationRoomsHandler,
    RoomMemberStatesHandler,
    GetApplicationRoomHandler,
    ListTimelineEventsHandler,
    GetTimelineEventHandler,
    TimelineEventOfCommentHandler,
    ListUserRoomsHandler,
  ],
  exports: [ApplicationStates, ApplicationTokens],
})
export class ApplicationsModule {}
