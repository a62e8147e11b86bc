/** Associated data binding each ciphertext to its table, column and row (see DataCipher). */
export const aad = {
  entryName: (entryId: string) => `watchlist_entries.full_name:${entryId}`,
  entryIdNumber: (entryId: string) => `watchlist_entries.id_number:${entryId}`,
  template: (entryId: string) => `watchlist_templates.template:${entryId}`,
  crop: (entryId: string) => `watchlist_templates.crop:${entryId}`,
  alertName: (alertId: string) => `alerts.full_name:${alertId}`,
  eventIdentity: (eventId: string) => `gate_events.identity:${eventId}`,
  deadLetter: (ref: string) => `dead_letters.payload:${ref}`,
} as const;
