import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { ADMIN_ROOM_HANDLERS } from './admin-rooms';
import { AdminRoomsController } from './admin-rooms.controller';
import { AdminConversationsController } from './admin-conversations.controller';
import { ListUserConversationsHandler } from './admin-conversations';
import { RoomDirectoryController } from './room-directory.controller';
import { ListRoomDirectoryHandler } from './room-directory';
import { ContactsModule } from '../contacts/contacts.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { PresenceModule } from '../presence/presence.module';
import { UsersModule } from '../users/users.module';
import { CreateRoomHandler } from './create-room.command';
import { ExecuteRoomCommandHandler } from './room-command.command';
import { RoomStates } from './room-states';
import { RoomsController } from './rooms.controller';
import { GetRoomHandler, ListMembersHandler, ListMyRoomsHandler, UnreadHandler } from './rooms.queries';
import { ROOM_LOOKUP_HANDLERS } from './room-lookups.queries';

/** Rooms, their settings and members; RoomStates is what comments, read state, feeds and webhooks decide on. */
@Module({
  imports: [InfrastructureModule, AdminModule, UsersModule, ContactsModule, PresenceModule],
  controllers: [RoomsController, RoomDirectoryController, AdminRoomsController, AdminConversationsController],
  providers: [
    RoomStates,
    CreateRoomHandler,
    ExecuteRoomCommandHandler,
    ListMyRoomsHandler,
    GetRoomHandler,
    ListMembersHandler,
    UnreadHandler,
    ...ROOM_LOOKUP_HANDLERS,
    ...ADMIN_ROOM_HANDLERS,
    ListUserConversationsHandler,
    ListRoomDirectoryHandler,
  ],
  exports: [RoomStates],
})
export class RoomsModule {}
