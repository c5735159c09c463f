import type { MemberProfile } from '../../../../libs/domain/events';
import { numericId } from '../../../../projections/numeric-ids.projection';
import type { MemberHit, MemberView } from '../../members/members.queries';
import type { WarmshowersValue } from './warmshowers-format';

/** Drupal's user object fields, as strings unless the seed shows otherwise; Parley fills what it knows. */
export const USER_STRING_FIELDS = [
  'uid', 'name', 'theme', 'signature_format', 'created', 'access', 'status', 'timezone', 'language',
  'fullname', 'notcurrentlyavailable', 'fax_number', 'mobilephone', 'workphone', 'homephone', 'preferred_notice',
  'maxcyclists', 'storage', 'motel', 'campground', 'bikeshop', 'comments', 'shower', 'kitchenuse', 'lawnspace',
  'sag', 'bed', 'laundry', 'food', 'languagesspoken', 'URL', 'becomeavailable', 'set_unavailable_timestamp',
  'set_available_timestamp', 'last_unavailability_pester', 'hide_donation_status', 'email_opt_out', 'street',
  'additional', 'city', 'province', 'postal_code', 'country', 'latitude', 'longitude', 'source',
  'profile_image_mobile_profile_photo_std', 'profile_image_profile_picture', 'profile_image_mobile_photo_456',
  'profile_image_map_infoWindow',
] as const;
/** Every field of the seed's user object, in its order. */
export const USER_FIELD_ORDER = [
  'uid', 'name', 'theme', 'signature_format', 'created', 'access', 'login', 'status', 'timezone', 'language', 'picture',
  'fullname', 'notcurrentlyavailable', 'fax_number', 'mobilephone', 'workphone', 'homephone', 'preferred_notice',
  'maxcyclists', 'storage', 'motel', 'campground', 'bikeshop', 'comments', 'shower', 'kitchenuse', 'lawnspace',
  'sag', 'bed', 'laundry', 'food', 'languagesspoken', 'URL', 'becomeavailable', 'set_unavailable_timestamp',
  'set_available_timestamp', 'last_unavailability_pester', 'hide_donation_status', 'email_opt_out', 'street',
  'additional', 'city', 'province', 'postal_code', 'country', 'latitude', 'longitude', 'source',
  'comment_notify_settings', 'privatemsg_disabled', 'profile_image_mobile_profile_photo_std',
  'profile_image_profile_picture', 'profile_image_mobile_photo_456', 'profile_image_map_infoWindow',
] as const;
export const PICTURE_FIELDS = ['fid', 'uid', 'filename', 'uri', 'filemime', 'filesize', 'status', 'timestamp', 'url'] as const;
export const NOTIFY_FIELDS = ['uid', 'node_notify', 'comment_notify'] as const;

const unix = (iso: string | null | undefined): string => (iso ? String(Math.floor(Date.parse(iso) / 1000)) : '');
const flag = (value: boolean): string => (value ? '1' : '0');
const coordinate = (value: number | null): string => (value === null ? '' : String(value));

export const uidOf = (userId: string): string => String(numericId(userId));
export const threadIdOf = (roomId: string): string => String(numericId(roomId));

function profileFields(profile: MemberProfile | null): Partial<Record<(typeof USER_STRING_FIELDS)[number], string>> {
  if (profile === null) return {};
  const { offers, availability } = profile;
  return {
    fullname: profile.fullName,
    comments: profile.about,
    languagesspoken: profile.languagesSpoken,
    city: profile.city,
    province: profile.province,
    postal_code: profile.postalCode,
    country: profile.country,
    latitude: coordinate(profile.latitude),
    longitude: coordinate(profile.longitude),
    notcurrentlyavailable: flag(availability.notCurrentlyAvailable),
    becomeavailable: availability.becomeAvailable ? unix(`${availability.becomeAvailable}T00:00:00Z`) : '',
    maxcyclists: String(offers.maxGuests),
    storage: flag(offers.storage),
    motel: flag(offers.motel),
    campground: flag(offers.campground),
    bikeshop: flag(offers.bikeShop),
    shower: flag(offers.shower),
    kitchenuse: flag(offers.kitchen),
    lawnspace: flag(offers.lawnSpace),
    sag: flag(offers.sag),
    bed: flag(offers.bed),
    laundry: flag(offers.laundry),
    food: flag(offers.food),
  };
}

/** The seed's `user` object for a member; `loginAt` for the signed-in user's own object. */
export function userObject(member: MemberView, loginAt: Date | null): { [key: string]: WarmshowersValue } {
  const uid = uidOf(member.userId);
  const known: Partial<Record<(typeof USER_STRING_FIELDS)[number], string>> = {
    uid,
    name: member.username ?? '',
    created: unix(member.registeredAt),
    access: loginAt ? String(Math.floor(loginAt.getTime() / 1000)) : '',
    status: '1',
    profile_image_profile_picture: member.photoUrl ?? '',
    ...profileFields(member.profile),
  };
  const special: { [key: string]: WarmshowersValue } = {
    login: loginAt ? Math.floor(loginAt.getTime() / 1000) : 0,
    picture: Object.fromEntries(PICTURE_FIELDS.map((f) => [f, f === 'uid' ? uid : f === 'url' ? (member.photoUrl ?? '') : ''])),
    comment_notify_settings: Object.fromEntries(NOTIFY_FIELDS.map((f) => [f, f === 'uid' ? uid : ''])),
    privatemsg_disabled: false,
  };
  // In the seed's order: clients written against it may read XML by position.
  return Object.fromEntries(USER_FIELD_ORDER.map((field) => [field, special[field] ?? known[field as (typeof USER_STRING_FIELDS)[number]] ?? '']));
}

/** One host in a search answer. */
export function account(hit: MemberHit): { [key: string]: WarmshowersValue } {
  const p = hit.profile;
  return {
    uid: uidOf(hit.userId),
    name: hit.username ?? '',
    fullname: p.fullName,
    city: p.city,
    province: p.province,
    postal_code: p.postalCode,
    country: p.country,
    latitude: coordinate(p.latitude),
    longitude: coordinate(p.longitude),
    notcurrentlyavailable: flag(p.availability.notCurrentlyAvailable),
    maxcyclists: String(p.offers.maxGuests),
    distance: hit.distanceKm === null ? '' : String(hit.distanceKm),
  };
}

export const ACCOUNT_FIELDS = [
  'uid', 'name', 'fullname', 'city', 'province', 'postal_code', 'country', 'latitude', 'longitude', 'notcurrentlyavailable', 'maxcyclists', 'distance',
] as const;
