import type { EmergencyConsent, EmergencyReason } from "@/generated/prisma/enums";

/*
 * The Japanese words of the EMS form, as the notice to the disclosing facility and the CSV write
 * them (the screens take theirs from lib/i18n, in the user's language).
 */

export const EMERGENCY_REASON_WORDS: Record<EmergencyReason, string> = {
  EMERGENCY_TRANSPORT: "救急搬送",
  NO_REFERRAL: "紹介状なし受診",
  DISASTER: "災害",
  OTHER: "その他",
};

export const EMERGENCY_CONSENT_WORDS: Record<EmergencyConsent, string> = {
  WRITTEN_PATIENT: "本人（書面）",
  ORAL_PATIENT: "本人（口頭）",
  ORAL_FAMILY: "家族（口頭）",
  UNABLE_UNCONSCIOUS: "意識障害等のため取得できず",
  AFTER_THE_FACT: "事後に取得（災害時の臨時運用）",
  NOT_REQUIRED_CORE: "同意なし（中核病院）",
};
