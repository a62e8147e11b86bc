// Strings of the IOC wall, the reports and the administration screens (issue 22), kept apart from
// i18n.ts so helpers editing other screens do not collide. Vietnamese first, English second.
export const officeStrings = {
  vi: {} as Record<string, string>,
  en: {} as Record<string, string>,
};
