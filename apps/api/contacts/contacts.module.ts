import { Module } from '@nestjs/common';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { UsersModule } from '../users/users.module';
import { AccountResolver } from './account-resolver';
import { BlockStates } from './block-states';
import { ContactBooks } from './contact-books';
import { ContactDirectory } from './contact-directory';
import { ContactIds } from './contact-ids';
import { MatchedContacts } from './matched-contacts';
import { ExecuteBlocksCommandHandler, ExecuteContactsCommandHandler, SyncContactsCommandHandler } from './contacts.commands';
import { ContactsController } from './contacts.controller';
import { GetContactHandler, ListBlockedHandler, ListContactsHandler } from './contacts.queries';

/**
 * Address books and block lists (issue #5). Rooms, comments and presence ask
 * ContactDirectory what the address books and blocks say.
 */
@Module({
  imports: [InfrastructureModule, UsersModule],
  controllers: [ContactsController],
  providers: [
    ContactIds,
    BlockStates,
    ContactBooks,
    ContactDirectory,
    MatchedContacts,
    AccountResolver,
    ExecuteContactsCommandHandler,
    SyncContactsCommandHandler,
    ExecuteBlocksCommandHandler,
    ListContactsHandler,
    GetContactHandler,
    ListBlockedHandler,
  ],
  exports: [ContactDirectory, ContactIds, ContactBooks, AccountResolver],
})
export class ContactsModule {}
