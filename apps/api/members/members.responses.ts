import { ApiProperty } from '@nestjs/swagger';
import { FEEDBACK_RATINGS, FEEDBACK_RELATIONS, type HostOffers, type MemberAvailability, type MemberProfile } from '../../../libs/domain/events';
import { DATE_TIME, POSITION, UUID, WHOLE } from '../common/openapi';
import { SeenPresenceResponse } from '../presence/presence.responses';
import type { LeftFeedback, MemberProfileResult } from './members.commands';
import type { FeedbackView, MemberHit, MemberSearchPage, MemberView } from './members.queries';

export class HostOffersResponse implements HostOffers {
  @ApiProperty({ type: 'integer', minimum: 0 }) maxGuests!: number;
  @ApiProperty() bed!: boolean;
  @ApiProperty() shower!: boolean;
  @ApiProperty() kitchen!: boolean;
  @ApiProperty() laundry!: boolean;
  @ApiProperty() lawnSpace!: boolean;
  @ApiProperty() food!: boolean;
  @ApiProperty() storage!: boolean;
  @ApiProperty() sag!: boolean;
  @ApiProperty() campground!: boolean;
  @ApiProperty() motel!: boolean;
  @ApiProperty() bikeShop!: boolean;
}

export class AvailabilityResponse implements MemberAvailability {
  @ApiProperty() notCurrentlyAvailable!: boolean;
  @ApiProperty({ type: String, format: 'date', nullable: true }) becomeAvailable!: string | null;
}

export class MemberProfileResponse implements MemberProfile {
  @ApiProperty() fullName!: string;
  @ApiProperty() about!: string;
  @ApiProperty() languagesSpoken!: string;
  @ApiProperty() city!: string;
  @ApiProperty() province!: string;
  @ApiProperty({ description: 'ISO 3166-1 alpha-2, lower case, or empty' }) country!: string;
  @ApiProperty() postalCode!: string;
  @ApiProperty({ type: Number, nullable: true, minimum: -90, maximum: 90 }) latitude!: number | null;
  @ApiProperty({ type: Number, nullable: true, minimum: -180, maximum: 180 }) longitude!: number | null;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 6 }) coordinatePrecision!: number;
  @ApiProperty() findable!: boolean;
  @ApiProperty({ type: AvailabilityResponse }) availability!: AvailabilityResponse;
  @ApiProperty({ type: HostOffersResponse }) offers!: HostOffersResponse;
}

export class MemberProfileResultResponse implements MemberProfileResult {
  @ApiProperty({ type: MemberProfileResponse }) profile!: MemberProfileResponse;
  @ApiProperty({ ...POSITION, nullable: true, description: 'null when the profile already was as asked' }) position!: string | null;
}

export class CommunityMemberResponse implements MemberView {
  @ApiProperty(UUID) userId!: string;
  @ApiProperty({ type: String, nullable: true }) username!: string | null;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'null when hidden from the caller' }) statusMessage!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'null when hidden from the caller' }) photoUrl!: string | null;
  @ApiProperty({ type: SeenPresenceResponse }) presence!: SeenPresenceResponse;
  @ApiProperty({ type: MemberProfileResponse, nullable: true, description: 'null until the member writes one' }) profile!: MemberProfileResponse | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) profileUpdatedAt!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) registeredAt!: string | null;
}

export class MemberHitResponse implements MemberHit {
  @ApiProperty(UUID) userId!: string;
  @ApiProperty({ type: String, nullable: true }) username!: string | null;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty({ type: MemberProfileResponse }) profile!: MemberProfileResponse;
  @ApiProperty({ type: Number, nullable: true, minimum: 0, description: 'From the centre of the area, in km; null for a keyword search' }) distanceKm!: number | null;
}

export class MemberSearchPageResponse implements MemberSearchPage {
  @ApiProperty({ ...WHOLE, description: 'Every match, not only this page' }) total!: number;
  @ApiProperty(WHOLE) offset!: number;
  @ApiProperty({ type: 'integer', minimum: 1 }) limit!: number;
  @ApiProperty({ type: [MemberHitResponse] }) items!: MemberHitResponse[];
}

export class FeedbackResponse implements FeedbackView {
  @ApiProperty(UUID) id!: string;
  @ApiProperty(UUID) authorId!: string;
  @ApiProperty({ type: String, nullable: true }) authorUsername!: string | null;
  @ApiProperty(UUID) subjectId!: string;
  @ApiProperty({ enum: FEEDBACK_RATINGS }) rating!: string;
  @ApiProperty({ type: String, nullable: true, description: "null once its author's account is erased" }) body!: string | null;
  @ApiProperty({ example: '2024-06' }) stay!: string;
  @ApiProperty({ enum: FEEDBACK_RELATIONS }) relation!: string;
  @ApiProperty(DATE_TIME) leftAt!: string;
}

export class LeftFeedbackResponse implements LeftFeedback {
  @ApiProperty(UUID) id!: string;
  @ApiProperty(POSITION) position!: string;
}
