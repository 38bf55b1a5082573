/** Japanese wording of the audit screens (seeds 000 and 004). */
export const jaAudit = {
  "menu.adminAccessLogs": "コンテンツ参照記録",
} as const;
