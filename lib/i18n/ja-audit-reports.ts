/** Japanese wording of the audit reports screens (seeds 000 and 004). */
export const jaAuditReports = {
  "menu.adminAudit": "監査",
} as const;
