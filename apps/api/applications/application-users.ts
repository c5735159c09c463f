import { idFromKey } from '../../../libs/domain/ids';

/** A user of an application is named by (application, name): a second user of that name finds the stream taken. */
export const applicationUserId = (applicationId: string, name: string): string => idFromKey('application-user', applicationId, name);

/** A room of an application is named by (application, name): the name is unique within the application, for good. */
export const applicationRoomId = (applicationId: string, name: string): string =>
  idFromKey('application-room', applicationId, name.normalize('NFKC').toLowerCase());
