import type { PublicationState, Sex } from "@/generated/prisma/enums";
import { ageOn, formatSeireki, formatWareki, todayInJapan } from "@/lib/dates";

/** A birth date as every patient screen shows it: `S41/06/06 (1966/06/06)` and the age. */
export type TBirth = { iso: string; wareki: string; seireki: string; years: number; months: number };

export function birthOf(birthDate: Date, now: Date = new Date()): TBirth {
  const { years, months } = ageOn(birthDate, todayInJapan(now));
  return { iso: birthDate.toISOString().slice(0, 10), wareki: formatWareki(birthDate), seireki: formatSeireki(birthDate), years, months };
}

/** What identifies a patient (registration search, duplicate warnings): no address, no phones. */
export type TPatientIdentity = {
  id: string;
  regionalId: string;
  nameKanji: string;
  nameKana: string;
  sex: Sex;
  birth: TBirth;
};

/** A row of 地域患者一覧 (seed 004): 施設患者ID, 氏名, 住所, 生年月日, 年齢, 性別, 地域患者ID. */
export type TPatientSearchRow = TPatientIdentity & {
  /** the viewer's own facility's patient ID */
  facilityPatientId: string | null;
  postalCode: string | null;
  address: string | null;
};

export type TRegistrationSearchRow = TPatientIdentity & {
  /** the viewer's facility's patient ID when it is already linked */
  ownFacilityPatientId: string | null;
  /** the viewer may open the registration (links, consent) */
  canAdminister: boolean;
};

export type TSearchResult<T> = { rows: T[]; total: number; isTotalCapped: boolean; page: number; pageSize: number };

export type TDuplicate = TPatientIdentity & { reasons: ("NAME_BIRTH" | "FACILITY_ID")[]; matchedFacilityName?: string; canAdminister: boolean };

export type TPatientHeader = TPatientIdentity & {
  postalCode: string | null;
  address: string | null;
  phone: string | null;
  mobilePhone: string | null;
  version: number;
};

export type TLinkRow = {
  id: string;
  facilityId: string;
  facilityName: string;
  facilityType: string;
  isDisclosingFacility: boolean;
  facilityPatientId: string;
  publicationState: PublicationState;
  shareBasic: boolean;
  shareClinical: boolean;
  /** the consent in force covers this facility now */
  isConsentInForce: boolean;
  linkedAt: Date;
  linkedByName: string | null;
  unlinkedAt: Date | null;
  unlinkedByName: string | null;
  unlinkReason: string | null;
  canUnlink: boolean;
  canPublish: boolean;
  /** the facility's SS-MIX2 storage is configured: 最新データ取得 can run */
  hasDataSource: boolean;
};

export type TPatientPage = {
  header: TPatientHeader;
  /** the visibility rule lets the viewer see this patient's records */
  canSeeRecords: boolean;
  /** the viewer manages this registration (links, consent, personal information) */
  canAdminister: boolean;
  /**
   * the records show only under the viewer's emergency grant (their facility has no link of its
   * own): reads only, so no bookmark, posts or care team
   */
  isEmergencyOnly: boolean;
  isBookmarked: boolean;
  /** active links the viewer may see (own facility's, and those the consent covers) */
  links: TLinkRow[];
  /** unlinked history (registration managers only) */
  pastLinks: TLinkRow[];
};

/** 自施設患者一覧 row (seed 004). */
export type TOwnPatientRow = {
  linkId: string;
  patientId: string;
  facilityPatientId: string;
  nameKanji: string;
  nameKana: string;
  birth: TBirth;
  sex: Sex;
  address: string | null;
  phone: string | null;
  regionalId: string;
  publicationState: PublicationState;
  shareBasic: boolean;
  shareClinical: boolean;
  isConsentInForce: boolean;
  canOpen: boolean;
};

export type TPatientRevisionRow = { version: number; changedAt: Date; changedByName: string | null; reason: string | null; changes: { field: string; before: string; after: string }[] };
