// UI strings: Vietnamese first, English second (i18next). Keys are shared by every page.
import i18next from '/vendor/i18next.js';

export const dictionaries = {
  vi: {
    title: 'Giám sát ra/vào', online: 'Đã kết nối', offline: 'Mất kết nối', entries: 'Lượt vào', exits: 'Lượt ra',
    occupancy: 'Đang trong khu', gates: 'Cổng', perMinute: 'Theo phút (60 phút gần nhất)', ticker: 'Sự kiện mới',
    day: 'Số liệu trong ngày (giờ Việt Nam)', entry: 'Vào', exit: 'Ra', camera: 'camera', card: 'thẻ CCCD', face: 'khuôn mặt', manual: 'thủ công',
    gateOnline: 'hoạt động', gateOffline: 'mất kết nối',
    loginTitle: 'Đăng nhập', username: 'Tên đăng nhập', password: 'Mật khẩu', loginButton: 'Đăng nhập', logout: 'Đăng xuất',
    loginFailed: 'Sai tên đăng nhập hoặc mật khẩu', loginLocked: 'Đăng nhập sai quá nhiều lần, vui lòng thử lại sau',
    loginHint: 'Màn hình IOC: mở trang với #key=<khoá API>',
    consoleTitle: 'Bàn điều khiển cổng', lane: 'Làn', liveFace: 'Khuôn mặt trực tiếp', chipPhoto: 'Ảnh trong chip', score: 'Độ khớp', liveness: 'Người thật',
    approve: 'Cho qua (A)', deny: 'Từ chối (D)', openLane: 'Mở cổng (O)', reasonPlaceholder: 'Lý do', reasonRequired: 'Nhập lý do trước',
    watchlistHit: 'CẢNH BÁO: người trong danh sách theo dõi', dismiss: 'Đã biết', noLanes: 'Chưa có làn nào gửi trạng thái',
    phase_idle: 'Sẵn sàng', phase_reading_card: 'Đang đọc thẻ', phase_capturing_face: 'Đang chụp mặt', phase_verifying: 'Đang đối chiếu',
    phase_awaiting_review: 'Chờ nhân viên xác nhận', phase_open: 'MỞ', phase_denied: 'TỪ CHỐI', phase_fault: 'Lỗi', genuineChip: 'Chip hợp lệ', fakeChip: 'Chip KHÔNG hợp lệ',
    allowlist: 'Danh sách được phép', watchlist: 'Danh sách theo dõi', offlineLane: 'Cổng đang ngoại tuyến',
    canPlaceholder: 'CAN (6 số trên thẻ)', sendCan: 'Gửi CAN',
  },
  en: {
    title: 'Entry/exit monitoring', online: 'Connected', offline: 'Disconnected', entries: 'Entries', exits: 'Exits',
    occupancy: 'Inside now', gates: 'Gates', perMinute: 'Per minute (last 60 minutes)', ticker: 'Latest events',
    day: "Today's figures (Vietnam time)", entry: 'In', exit: 'Out', camera: 'camera', card: 'ID card', face: 'face', manual: 'manual',
    gateOnline: 'online', gateOffline: 'offline',
    loginTitle: 'Sign in', username: 'Username', password: 'Password', loginButton: 'Sign in', logout: 'Sign out',
    loginFailed: 'Wrong username or password', loginLocked: 'Too many failed attempts, try again later',
    loginHint: 'IOC wall display: open the page with #key=<API key>',
    consoleTitle: 'Gate operator console', lane: 'Lane', liveFace: 'Live face', chipPhoto: 'Chip photo', score: 'Match', liveness: 'Liveness',
    approve: 'Approve (A)', deny: 'Deny (D)', openLane: 'Open lane (O)', reasonPlaceholder: 'Reason', reasonRequired: 'Enter a reason first',
    watchlistHit: 'ALERT: watchlisted person', dismiss: 'Dismiss', noLanes: 'No lane has reported yet',
    phase_idle: 'Ready', phase_reading_card: 'Reading card', phase_capturing_face: 'Capturing face', phase_verifying: 'Verifying',
    phase_awaiting_review: 'Waiting for operator', phase_open: 'OPEN', phase_denied: 'DENIED', phase_fault: 'Fault', genuineChip: 'Genuine chip', fakeChip: 'Chip NOT genuine',
    allowlist: 'Allowlist', watchlist: 'Watchlist', offlineLane: 'Gate offline from hub',
    canPlaceholder: 'CAN (6 digits on the card)', sendCan: 'Send CAN',
  },
};

await i18next.init({
  lng: localStorage.getItem('cg.lang') === 'en' ? 'en' : 'vi',
  fallbackLng: 'vi',
  resources: Object.fromEntries(Object.entries(dictionaries).map(([k, v]) => [k, { translation: v }])),
});

export const t = (key) => i18next.t(key);
export const currentLang = () => i18next.language;
export function setLang(next) {
  i18next.changeLanguage(next);
  localStorage.setItem('cg.lang', next);
  document.documentElement.lang = next;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}
