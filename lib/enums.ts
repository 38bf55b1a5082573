import { EmergencyReason } from "@/generated/prisma/enums";
import { AccessType, ConsentMethod, ConsentSigner, FacilityType, MailState, MessageSystemKind, NotificationKind, PublicationState, Qualification, Sex, SignInEventKind, StaffRole } from "@/generated/prisma/enums";

/**
 * The database's enum values for screens (select options, labels `enum.<Name>.<value>` in
 * lib/i18n). Routes and components take them from here, never from the generated client.
 */
export const FACILITY_TYPES = Object.values(FacilityType);
export const QUALIFICATIONS = Object.values(Qualification);
export const STAFF_ROLES = Object.values(StaffRole);
export const SEXES = Object.values(Sex);
export const PUBLICATION_STATES = Object.values(PublicationState);
export const CONSENT_METHODS = Object.values(ConsentMethod);
export const CONSENT_SIGNERS = Object.values(ConsentSigner);
export const ACCESS_TYPES = Object.values(AccessType);
export const SIGN_IN_EVENT_KINDS = Object.values(SignInEventKind);
export const MAIL_STATES = Object.values(MailState);
export const NOTIFICATION_KINDS = Object.values(NotificationKind);
export const MESSAGE_SYSTEM_KINDS = Object.values(MessageSystemKind);

export type { AccessType, ConsentAction, ConsentMethod, ConsentScope, ConsentSigner, FacilityType, MailState, MessageSystemKind, NotificationKind, PublicationState, Qualification, Sex, SignInEventKind, StaffRole } from "@/generated/prisma/enums";

/** The EMS form's reasons (救急搬送, 紹介状なし受診, 災害, その他), in the form's order. */
export const EMERGENCY_REASONS = Object.values(EmergencyReason);
export type { EmergencyBasis, EmergencyConsent, EmergencyReason } from "@/generated/prisma/enums";
