import { validationError, type ErrorDetail } from '../errors';
import type { HostOffers, MemberProfile, MemberProfileChanged, ParleyEvent } from '../events';
import type { Decider } from '../decider';
import { hasCharactersNotInNames, hasCharactersNotInText, NAME_CHARACTERS_REASON, TEXT_CHARACTERS_REASON } from '../text';

export const MAX_ABOUT = 10_000;
export const MAX_PROFILE_LINE = 200;
export const MAX_GUESTS = 100;
export const MAX_COORDINATE_PRECISION = 6;

export const EMPTY_OFFERS: HostOffers = {
  maxGuests: 0,
  bed: false,
  shower: false,
  kitchen: false,
  laundry: false,
  lawnSpace: false,
  food: false,
  storage: false,
  sag: false,
  campground: false,
  motel: false,
  bikeShop: false,
};

export const EMPTY_MEMBER_PROFILE: MemberProfile = {
  fullName: '',
  about: '',
  languagesSpoken: '',
  city: '',
  province: '',
  country: '',
  postalCode: '',
  latitude: null,
  longitude: null,
  coordinatePrecision: 2,
  findable: false,
  availability: { notCurrentlyAvailable: false, becomeAvailable: null },
  offers: EMPTY_OFFERS,
};

/** The profile as last written; null until the member writes one (or once it is erased). */
export type MemberProfileState = { readonly profile: MemberProfile | null };

export type MemberProfileCommand = {
  readonly type: 'ChangeMemberProfile';
  readonly userId: string;
  readonly actor: string;
  /** Fields left out keep their value (`offers` and `availability` merge by field). */
  readonly changes: Partial<Omit<MemberProfile, 'offers' | 'availability'>> & {
    readonly offers?: Partial<HostOffers>;
    readonly availability?: Partial<MemberProfile['availability']>;
  };
  readonly now: string;
};

const roundTo = (value: number, decimals: number): number => {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
};

const sameProfile = (a: MemberProfile, b: MemberProfile): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Each field's rule; every refusal names its field. */
function problemsOf(profile: MemberProfile): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const line = (field: keyof MemberProfile, value: string) => {
    if (value.length > MAX_PROFILE_LINE) problems.push({ field, reason: `must be at most ${MAX_PROFILE_LINE} characters` });
    else if (hasCharactersNotInNames(value)) problems.push({ field, reason: NAME_CHARACTERS_REASON });
  };
  line('fullName', profile.fullName);
  line('languagesSpoken', profile.languagesSpoken);
  line('city', profile.city);
  line('province', profile.province);
  line('postalCode', profile.postalCode);
  if (profile.about.length > MAX_ABOUT) problems.push({ field: 'about', reason: `must be at most ${MAX_ABOUT} characters` });
  else if (hasCharactersNotInText(profile.about)) problems.push({ field: 'about', reason: TEXT_CHARACTERS_REASON });
  if (profile.country !== '' && !/^[a-z]{2}$/.test(profile.country)) {
    problems.push({ field: 'country', reason: 'must be an ISO 3166-1 alpha-2 code (two letters) or empty' });
  }
  const { latitude, longitude } = profile;
  if ((latitude === null) !== (longitude === null)) {
    problems.push({ field: latitude === null ? 'latitude' : 'longitude', reason: 'latitude and longitude come together' });
  }
  if (latitude !== null && !(Number.isFinite(latitude) && latitude >= -90 && latitude <= 90)) {
    problems.push({ field: 'latitude', reason: 'must be between -90 and 90' });
  }
  if (longitude !== null && !(Number.isFinite(longitude) && longitude >= -180 && longitude <= 180)) {
    problems.push({ field: 'longitude', reason: 'must be between -180 and 180' });
  }
  if (!Number.isInteger(profile.coordinatePrecision) || profile.coordinatePrecision < 0 || profile.coordinatePrecision > MAX_COORDINATE_PRECISION) {
    problems.push({ field: 'coordinatePrecision', reason: `must be a whole number from 0 to ${MAX_COORDINATE_PRECISION}` });
  }
  if (profile.findable && latitude === null) {
    problems.push({ field: 'findable', reason: 'a findable member needs latitude and longitude' });
  }
  const { becomeAvailable } = profile.availability;
  if (becomeAvailable !== null && !(/^\d{4}-\d{2}-\d{2}$/.test(becomeAvailable) && !Number.isNaN(Date.parse(`${becomeAvailable}T00:00:00Z`)))) {
    problems.push({ field: 'availability.becomeAvailable', reason: 'must be a date (YYYY-MM-DD) or null' });
  }
  const guests = profile.offers.maxGuests;
  if (!Number.isInteger(guests) || guests < 0 || guests > MAX_GUESTS) {
    problems.push({ field: 'offers.maxGuests', reason: `must be a whole number from 0 to ${MAX_GUESTS}` });
  }
  return problems;
}

export function decideMemberProfile(command: MemberProfileCommand, state: MemberProfileState): MemberProfileChanged[] {
  const current = state.profile ?? EMPTY_MEMBER_PROFILE;
  const { offers, availability, ...fields } = command.changes;
  const merged: MemberProfile = {
    ...current,
    ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
    offers: { ...current.offers, ...Object.fromEntries(Object.entries(offers ?? {}).filter(([, v]) => v !== undefined)) },
    availability: {
      ...current.availability,
      ...Object.fromEntries(Object.entries(availability ?? {}).filter(([, v]) => v !== undefined)),
    },
  };
  const problems = problemsOf(merged);
  if (problems.length > 0) {
    throw validationError('PROFILE.INVALID', problems.map((p) => `${p.field} ${p.reason}`).join('; '), problems);
  }
  // The member chooses how precisely they may be found: what is not kept cannot leak.
  const profile: MemberProfile = {
    ...merged,
    latitude: merged.latitude === null ? null : roundTo(merged.latitude, merged.coordinatePrecision),
    longitude: merged.longitude === null ? null : roundTo(merged.longitude, merged.coordinatePrecision),
  };
  if (state.profile !== null && sameProfile(profile, state.profile)) return [];
  return [
    { type: 'MemberProfileChanged', data: { userId: command.userId, profile, changedBy: command.actor, changedAt: command.now } },
  ];
}

export const evolveMemberProfile = (state: MemberProfileState, event: ParleyEvent): MemberProfileState =>
  event.type === 'MemberProfileChanged' ? { profile: event.data.profile } : state;

/** A member's host profile, stream `member-profile-<userId>`. */
export const memberProfileDecider: Decider<MemberProfileCommand, MemberProfileState, MemberProfileChanged> = {
  initialState: { profile: null },
  evolve: evolveMemberProfile,
  decide: decideMemberProfile,
};
