// Strings of the IOC wall, the reports and the administration screens (issue 22), kept apart from
// i18n.ts so helpers editing other screens do not collide. Vietnamese first, English second.
// Plurals: i18next picks `<key>_one` / `<key>_other` by `count` (Vietnamese has only `_other`).
import { EVENT_LABELS } from '@contracts/labels.js';

export const officeStrings: Record<'vi' | 'en', Record<string, string>> = {
  vi: {
    ...EVENT_LABELS.vi,
    wallAllSites_other: 'Tất cả {{count}} địa điểm', wallSomeSites_other: '{{count}} địa điểm', wallToday: 'hôm nay',
    printReport: 'In / Lưu PDF', reportTitle: 'Báo cáo ra/vào', reportRange: 'Thời gian', printedAt: 'In lúc',
    camPeople_other: '{{count}} người', camRotation: 'Camera {{i}}/{{n}} · đổi sau {{s}} giây · bấm để xem toàn màn hình', camFullHint: 'Bấm để xem toàn màn hình (Esc để thoát)',
  },
  en: {
    ...EVENT_LABELS.en,
    wallAllSites_one: 'The {{count}} site', wallAllSites_other: 'All {{count}} sites', wallSomeSites_one: '{{count}} site', wallSomeSites_other: '{{count}} sites', wallToday: 'today',
    printReport: 'Print / Save as PDF', reportTitle: 'Entry/exit report', reportRange: 'Period', printedAt: 'Printed',
    camPeople_one: '{{count}} person', camPeople_other: '{{count}} people', camRotation: 'Camera {{i}}/{{n}} · next in {{s}} s · click for full screen', camFullHint: 'Click for full screen (Esc to leave)',
  },
};
