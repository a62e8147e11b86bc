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
  },
  en: {
    title: 'Entry/exit monitoring', online: 'Connected', offline: 'Disconnected', entries: 'Entries', exits: 'Exits',
    occupancy: 'Inside now', gates: 'Gates', perMinute: 'Per minute (last 60 minutes)', ticker: 'Latest events',
    day: "Today's figures (Vietnam time)", entry: 'In', exit: 'Out', camera: 'camera', card: 'ID card', face: 'face', manual: 'manual',
    gateOnline: 'online', gateOffline: 'offline',
    loginTitle: 'Sign in', username: 'Username', password: 'Password', loginButton: 'Sign in', logout: 'Sign out',
    loginFailed: 'Wrong username or password', loginLocked: 'Too many failed attempts, try again later',
    loginHint: 'IOC wall display: open the page with #key=<API key>',
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
