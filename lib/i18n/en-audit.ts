import type { jaAudit } from "@/lib/i18n/ja-audit";

export const enAudit: Record<keyof typeof jaAudit, string> = {
  "enum.AccessType.PATIENT_SEARCH": "Patient search",
  "enum.AccessType.REGISTRATION_SEARCH": "Registration search",
  "enum.AccessType.PATIENT_VIEW": "Patient viewed",
  "enum.AccessType.PATIENT_ADMIN_VIEW": "Registration viewed",
  "enum.AccessType.CONSENT_SCAN_VIEW": "Consent form viewed",
  "enum.AccessType.OWN_PATIENT_LIST": "Own patient list",
  "enum.AccessType.CONTENT_LIST": "Content list",
  "enum.AccessType.CONTENT_VIEW": "Content viewed",
  "enum.AccessType.DENIED": "Refused",
  "enum.AccessType.CALENDAR_VIEW": "Calendar",
  "enum.AccessType.TAB_VIEW": "List view",
  "enum.AccessType.LAB_TREND": "Lab trend",
  "enum.AccessType.FILE_VIEW": "File shown",
  "enum.AccessType.FILE_DOWNLOAD": "File downloaded",
  "enum.AccessType.ACCESS_LOG_EXPORT": "Access log exported",
  "enum.AccessType.ACCESS_LOG_VERIFY": "Access log verified",
  "menu.adminAccessLogs": "Access logs",
};
