// Strings of the IOC wall, the reports and the administration screens (issue 22), kept apart from
// i18n.ts so helpers editing other screens do not collide. Vietnamese first, English second.
// Plurals: i18next picks `<key>_one` / `<key>_other` by `count` (Vietnamese has only `_other`).
import { EVENT_LABELS } from '@contracts/labels.js';

export const officeStrings: Record<'vi' | 'en', Record<string, string>> = {
  vi: {
    ...EVENT_LABELS.vi,
    wallAllSites_other: 'Tất cả {{count}} địa điểm', wallSomeSites_other: '{{count}} địa điểm', wallToday: 'hôm nay',
    pwTitle: 'Đổi mật khẩu', pwForced: 'Bạn đang dùng mật khẩu một lần do quản trị viên cấp. Hãy đặt mật khẩu của riêng bạn để tiếp tục.',
    pwCurrent: 'Mật khẩu hiện tại', pwNew: 'Mật khẩu mới (≥ 12 ký tự)', pwAgain: 'Nhập lại mật khẩu mới', pwChange: 'Đổi mật khẩu', cancel: 'Huỷ',
    pwTooShort: 'Mật khẩu mới cần ít nhất 12 ký tự', pwMismatch: 'Hai lần nhập mật khẩu mới không giống nhau', pwSame: 'Mật khẩu mới phải khác mật khẩu hiện tại',
    userCreated: 'Đã tạo người dùng “{{username}}”; họ phải đổi mật khẩu khi đăng nhập lần đầu.', userDeleted: 'Đã xoá người dùng “{{username}}”.',
    confirmReset: 'Đặt lại mật khẩu của “{{username}}”? Mọi phiên đăng nhập của họ sẽ kết thúc.', confirmDeleteUser: 'Xoá người dùng “{{username}}”? Nhật ký vẫn giữ các thao tác của họ.',
    oneTimeFor: 'Mật khẩu một lần của “{{username}}” (chỉ hiện một lần, họ phải đổi khi đăng nhập):',
    accountState: 'Trạng thái', accountActive: 'Đang hoạt động', accountDisabled: 'Đã khoá', mustChange: 'chờ đổi mật khẩu',
    enableUser: 'Mở khoá', disableUser: 'Khoá', resetPassword: 'Đặt lại mật khẩu', deleteUser: 'Xoá',
    keyName: 'Tên màn hình', keyNameHint: 'VD: Màn hình IOC phòng trực',
    printReport: 'In / Lưu PDF', reportTitle: 'Báo cáo ra/vào', reportRange: 'Thời gian', printedAt: 'In lúc',
    camPeople_other: '{{count}} người', camRotation: 'Camera {{i}}/{{n}} · đổi sau {{s}} giây · bấm để xem toàn màn hình', camFullHint: 'Bấm để xem toàn màn hình (Esc để thoát)',
  },
  en: {
    ...EVENT_LABELS.en,
    wallAllSites_one: 'The {{count}} site', wallAllSites_other: 'All {{count}} sites', wallSomeSites_one: '{{count}} site', wallSomeSites_other: '{{count}} sites', wallToday: 'today',
    pwTitle: 'Change password', pwForced: 'You signed in with a one-time password from an administrator. Choose your own password to go on.',
    pwCurrent: 'Current password', pwNew: 'New password (≥ 12 characters)', pwAgain: 'New password again', pwChange: 'Change password', cancel: 'Cancel',
    pwTooShort: 'The new password needs at least 12 characters', pwMismatch: 'The two new passwords differ', pwSame: 'The new password must differ from the current one',
    userCreated: 'User “{{username}}” created; they must change the password at first sign-in.', userDeleted: 'User “{{username}}” deleted.',
    confirmReset: 'Reset the password of “{{username}}”? All their sessions end.', confirmDeleteUser: 'Delete user “{{username}}”? The audit log keeps what they did.',
    oneTimeFor: 'One-time password for “{{username}}” (shown once; they must change it at sign-in):',
    accountState: 'State', accountActive: 'Active', accountDisabled: 'Disabled', mustChange: 'password change pending',
    enableUser: 'Enable', disableUser: 'Disable', resetPassword: 'Reset password', deleteUser: 'Delete',
    keyName: 'Screen name', keyNameHint: 'e.g. Duty room IOC wall',
    printReport: 'Print / Save as PDF', reportTitle: 'Entry/exit report', reportRange: 'Period', printedAt: 'Printed',
    camPeople_one: '{{count}} person', camPeople_other: '{{count}} people', camRotation: 'Camera {{i}}/{{n}} · next in {{s}} s · click for full screen', camFullHint: 'Click for full screen (Esc to leave)',
  },
};
