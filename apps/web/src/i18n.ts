// UI strings: Vietnamese first, English second (i18next). `t` reads the reactive language, so a
// component re-renders when the language changes.
import i18next from 'i18next';
import { ref } from 'vue';
import { errorStrings } from './i18n-errors.js';
import { faceStrings } from './i18n-face.js';
import { limitsStrings } from './i18n-limits.js';
import { officeStrings } from './i18n-office.js';

// Words for the codes events carry (directions, sources, lane outcomes, `reason_*`) are not here: they
// come from libs/contracts/src/labels.ts (through i18n-office.ts), the one list the hub's exports use too.
const base: Record<"vi" | "en", Record<string, string>> = {
  vi: {
    title: 'Giám sát ra/vào', online: 'Đã kết nối', offline: 'Mất kết nối', entries: 'Lượt vào', exits: 'Lượt ra',
    occupancy: 'Đang trong khu', gates: 'Cổng', perMinute: 'Theo phút (60 phút gần nhất)', ticker: 'Sự kiện mới',
    day: 'Số liệu trong ngày (giờ Việt Nam)',
    gateOnline: 'hoạt động', gateOffline: 'mất kết nối',
    loginTitle: 'Đăng nhập', username: 'Tên đăng nhập', password: 'Mật khẩu', loginButton: 'Đăng nhập', logout: 'Đăng xuất',
    loginFailed: 'Sai tên đăng nhập hoặc mật khẩu', loginLocked: 'Đăng nhập sai quá nhiều lần, vui lòng thử lại sau',
    loginHint: 'Màn hình IOC: mở trang với #key=<khoá API>',
    consoleTitle: 'Bàn điều khiển cổng', lane: 'Làn', liveFace: 'Khuôn mặt trực tiếp', chipPhoto: 'Ảnh trong chip', score: 'Độ khớp', liveness: 'Người thật',
    approve: 'Cho qua (A)', deny: 'Từ chối (D)', openLane: 'Mở cổng (O)', reasonPlaceholder: 'Lý do', reasonRequired: 'Nhập lý do trước',
    watchlistHit: 'CẢNH BÁO: người trong danh sách theo dõi', dismiss: 'Đã biết', noLanes: 'Chưa có làn nào gửi trạng thái',
    phase_idle: 'Sẵn sàng', phase_reading_card: 'Đang đọc thẻ', phase_capturing_face: 'Đang chụp mặt', phase_verifying: 'Đang đối chiếu', genuineChip: 'Chip hợp lệ', fakeChip: 'Chip KHÔNG hợp lệ',
    allowlist: 'Danh sách được phép', watchlist: 'Danh sách theo dõi', offlineLane: 'Cổng đang ngoại tuyến',
    canPlaceholder: 'CAN (6 số trên thẻ)', sendCan: 'Gửi CAN', qrScanner: 'Máy quét QR',
    cardReader: 'Đầu đọc thẻ', deviceDown: 'mất kết nối',
  },
  en: {
    title: 'Entry/exit monitoring', online: 'Connected', offline: 'Disconnected', entries: 'Entries', exits: 'Exits',
    occupancy: 'Inside now', gates: 'Gates', perMinute: 'Per minute (last 60 minutes)', ticker: 'Latest events',
    day: "Today's figures (Vietnam time)",
    gateOnline: 'online', gateOffline: 'offline',
    loginTitle: 'Sign in', username: 'Username', password: 'Password', loginButton: 'Sign in', logout: 'Sign out',
    loginFailed: 'Wrong username or password', loginLocked: 'Too many failed attempts, try again later',
    loginHint: 'IOC wall display: open the page with #key=<API key>',
    consoleTitle: 'Gate operator console', lane: 'Lane', liveFace: 'Live face', chipPhoto: 'Chip photo', score: 'Match', liveness: 'Liveness',
    approve: 'Approve (A)', deny: 'Deny (D)', openLane: 'Open lane (O)', reasonPlaceholder: 'Reason', reasonRequired: 'Enter a reason first',
    watchlistHit: 'ALERT: watchlisted person', dismiss: 'Dismiss', noLanes: 'No lane has reported yet',
    phase_idle: 'Ready', phase_reading_card: 'Reading card', phase_capturing_face: 'Capturing face', phase_verifying: 'Verifying', genuineChip: 'Genuine chip', fakeChip: 'Chip NOT genuine',
    allowlist: 'Allowlist', watchlist: 'Watchlist', offlineLane: 'Gate offline from hub',
    canPlaceholder: 'CAN (6 digits on the card)', sendCan: 'Send CAN', qrScanner: 'QR scanner',
    cardReader: 'Card reader', deviceDown: 'disconnected',
  },
};

const more = {
  vi: {
    app: 'Cổng AI', navAlerts: 'Cảnh báo', navWall: 'Màn hình IOC', navReports: 'Báo cáo', navEvents: 'Tra cứu sự kiện', navConsole: 'Bàn điều khiển',
    navWatchlist: 'Danh sách theo dõi', navImport: 'Nhập hàng loạt', navPhotoSearch: 'Tìm theo ảnh', navUsers: 'Người dùng', navKeys: 'Khoá API màn hình',
    navCredentials: 'Tài khoản MQTT cổng', navAudit: 'Nhật ký truy cập', navDeadLetters: 'Thư lỗi', site: 'Địa điểm', allSites: 'Tất cả địa điểm',
    severity: 'Mức độ', state: 'Trạng thái', all: 'Tất cả', low: 'thấp', medium: 'trung bình', high: 'cao', critical: 'nghiêm trọng',
    status_open: 'Mới', status_acknowledged: 'Đã tiếp nhận', status_resolved: 'Đã xử lý', status_false_positive: 'Báo nhầm',
    acknowledge: 'Tiếp nhận', resolve: 'Đã xử lý', falsePositive: 'Báo nhầm', note: 'Ghi chú', history: 'Lịch sử', raised: 'Phát hiện', by: 'bởi',
    kind_watchlist: 'Người trong danh sách', kind_door: 'Báo động cửa', gate: 'Cổng', zone: 'Khu vực', when: 'Thời gian', score: 'Độ khớp',
    wantedHit: 'CẢNH BÁO: phát hiện người trong danh sách truy tìm', noAlerts: 'Không có cảnh báo', liveCrop: 'Ảnh tại cổng', listPhoto: 'Ảnh trong danh sách',
    noPhotoRole: 'Vai trò của bạn không được xem ảnh', noLiveCrop: 'Trung tâm không lưu ảnh tại cổng cho cảnh báo này', doorAlarms: 'Báo động cửa', name: 'Họ tên', reasonCol: 'Lý do',
    capacity: 'Sức chứa', crowdWarning: 'Tụ tập đông người', ofCapacity: 'của sức chứa', cameras: 'Camera', latestAlerts: 'Cảnh báo gần nhất', allSitesWall: 'Toàn tỉnh',
    reconnecting: 'Đang kết nối lại…', keyRefused: 'Khoá API bị từ chối hoặc đã thu hồi: liên hệ quản trị viên để cấp khoá mới',
    iocKeyNoConsole: 'Khoá API màn hình IOC chỉ dùng để xem màn hình IOC; bàn điều khiển cổng cần đăng nhập bằng tài khoản nhân viên vận hành.', openWall: 'Mở màn hình IOC',
    forbidden: 'Bạn không có quyền xem trang này', range: 'Khoảng thời gian', today: 'Hôm nay', thisWeek: 'Tuần này', thisMonth: 'Tháng này', custom: 'Tuỳ chọn',
    from: 'Từ', to: 'Đến', apply: 'Xem', previousPeriod: 'Kỳ trước', change: 'Thay đổi', occupancyThroughDay: 'Số người trong khu theo thời gian', peakHours: 'Giờ cao điểm (giờ × thứ)',
    refusalsByReason: 'Từ chối theo lý do', exportCsv: 'Xuất CSV', exportXlsx: 'Xuất Excel', peak: 'Cao nhất', noRefusals: 'Không có lượt từ chối',
    weekdays: 'T2,T3,T4,T5,T6,T7,CN', direction: 'Hướng', source: 'Nguồn', outcome: 'Kết quả', lane: 'Làn', next: 'Trang sau', first: 'Trang đầu', search: 'Tìm',
    identity: 'Có định danh', yes: 'có', no: 'không', recentDecisions: 'Quyết định gần đây', reviewQueue: 'Chờ xác nhận', commandFailed: 'Lệnh không thực hiện được',
    sent: 'Đã gửi', add: 'Thêm', save: 'Lưu', remove: 'Xoá', revoke: 'Thu hồi', create: 'Tạo', idNumber: 'Số CCCD', listKind: 'Loại danh sách', photos: 'Ảnh',
    validUntil: 'Hiệu lực đến', sourceOrg: 'Nguồn', enrolled: 'Đã đăng ký', photoRefused: 'Ảnh bị từ chối', templates: 'Mẫu khuôn mặt', csvFile: 'Tệp CSV', photoFiles: 'Ảnh (chọn nhiều tệp)',
    importRun: 'Nhập', progress: 'Tiến độ', row: 'Dòng', result: 'Kết quả', ok: 'Đạt', failed: 'Lỗi', similarity: 'Độ giống', probePhoto: 'Ảnh cần tìm', noMatch: 'Không ai trong danh sách giống ảnh này',
    role: 'Vai trò', sites: 'Địa điểm', disabled: 'Khoá', lastLogin: 'Đăng nhập gần nhất', newPassword: 'Mật khẩu (≥ 12 ký tự)', keyShownOnce: 'Khoá chỉ hiện một lần, hãy sao chép ngay:',
    passwordShownOnce: 'Mật khẩu chỉ hiện một lần:', created: 'Tạo lúc', lastUsed: 'Dùng gần nhất', revoked: 'Đã thu hồi', actor: 'Người thực hiện', action: 'Hành động',
    subject: 'Đối tượng', detail: 'Chi tiết', topic: 'Chủ đề MQTT', reason: 'Lý do', payload: 'Nội dung', more: 'Xem thêm', role_admin: 'Quản trị', role_security: 'An ninh',
    role_operator: 'Vận hành', role_manager: 'Quản lý', role_ioc: 'Màn hình IOC', signedInAs: 'Đăng nhập:', error: 'Lỗi', loading: 'Đang tải…', none: 'Không có dữ liệu',
    occupancyNow: 'Hiện có', hubUnreachable: 'Không kết nối được trung tâm', prev: 'Trang trước', secondsLeft: 'giây còn lại', noReviews: 'Không có làn nào chờ xác nhận', gateDown: 'mất kết nối', cameraDown: 'camera lỗi', notConfigured: 'chưa đặt',
    liveCameras: 'Camera trực tiếp', camGateOffline: 'Cổng mất kết nối', camWaiting: 'Đang chờ hình…', camNoFrames: 'Không nhận được hình', camPeople: '{n} người', camMore: 'Còn {n} camera khác: chọn một địa điểm để xem',
    camState_connecting: 'Đang kết nối camera', camState_streaming: 'Đang truyền', camState_stalled: 'Camera không gửi hình', camState_failed: 'Camera lỗi',
  },
  en: {
    app: 'Cổng AI', navAlerts: 'Alerts', navWall: 'IOC wall', navReports: 'Reports', navEvents: 'Event search', navConsole: 'Gate console',
    navWatchlist: 'Watchlists', navImport: 'Bulk import', navPhotoSearch: 'Search by photo', navUsers: 'Users', navKeys: 'Wall API keys',
    navCredentials: 'Gate MQTT logins', navAudit: 'Audit trail', navDeadLetters: 'Dead letters', site: 'Site', allSites: 'All sites',
    severity: 'Severity', state: 'State', all: 'All', low: 'low', medium: 'medium', high: 'high', critical: 'critical',
    status_open: 'New', status_acknowledged: 'Acknowledged', status_resolved: 'Resolved', status_false_positive: 'False positive',
    acknowledge: 'Acknowledge', resolve: 'Resolve', falsePositive: 'False positive', note: 'Note', history: 'History', raised: 'Raised', by: 'by',
    kind_watchlist: 'Listed person', kind_door: 'Door alarm', gate: 'Gate', zone: 'Zone', when: 'Time', score: 'Score',
    wantedHit: 'ALERT: wanted person seen', noAlerts: 'No alerts', liveCrop: 'At the gate', listPhoto: 'List photo',
    noPhotoRole: 'Your role may not see photos', noLiveCrop: 'The hub kept no gate photo for this alert', doorAlarms: 'Door alarms', name: 'Name', reasonCol: 'Reason',
    capacity: 'Capacity', crowdWarning: 'Crowd building up', ofCapacity: 'of capacity', cameras: 'Cameras', latestAlerts: 'Latest alerts', allSitesWall: 'Province',
    reconnecting: 'Reconnecting…', keyRefused: 'API key refused or revoked: ask an administrator for a new one',
    iocKeyNoConsole: 'An IOC wall API key only opens the IOC wall; the gate console needs an operator sign-in.', openWall: 'Open the IOC wall',
    forbidden: 'You may not see this page', range: 'Range', today: 'Today', thisWeek: 'This week', thisMonth: 'This month', custom: 'Custom',
    from: 'From', to: 'To', apply: 'Show', previousPeriod: 'Previous period', change: 'Change', occupancyThroughDay: 'People inside over time', peakHours: 'Peak hours (hour × weekday)',
    refusalsByReason: 'Refusals by reason', exportCsv: 'Export CSV', exportXlsx: 'Export Excel', peak: 'Peak', noRefusals: 'No refusals',
    weekdays: 'Mon,Tue,Wed,Thu,Fri,Sat,Sun', direction: 'Direction', source: 'Source', outcome: 'Outcome', lane: 'Lane', next: 'Next page', first: 'First page', search: 'Search',
    identity: 'Identity', yes: 'yes', no: 'no', recentDecisions: 'Recent decisions', reviewQueue: 'Review queue', commandFailed: 'Command failed',
    sent: 'Sent', add: 'Add', save: 'Save', remove: 'Remove', revoke: 'Revoke', create: 'Create', idNumber: 'CCCD number', listKind: 'List', photos: 'Photos',
    validUntil: 'Valid until', sourceOrg: 'Source', enrolled: 'Enrolled', photoRefused: 'Photo refused', templates: 'Face templates', csvFile: 'CSV file', photoFiles: 'Photos (several files)',
    importRun: 'Import', progress: 'Progress', row: 'Row', result: 'Result', ok: 'OK', failed: 'Failed', similarity: 'Similarity', probePhoto: 'Photo to search', noMatch: 'Nobody on the lists looks like this photo',
    role: 'Role', sites: 'Sites', disabled: 'Disabled', lastLogin: 'Last sign-in', newPassword: 'Password (≥ 12 chars)', keyShownOnce: 'The key is shown once, copy it now:',
    passwordShownOnce: 'The password is shown once:', created: 'Created', lastUsed: 'Last used', revoked: 'Revoked', actor: 'Actor', action: 'Action',
    subject: 'Subject', detail: 'Detail', topic: 'MQTT topic', reason: 'Reason', payload: 'Payload', more: 'More', role_admin: 'Admin', role_security: 'Security',
    role_operator: 'Operator', role_manager: 'Manager', role_ioc: 'IOC wall', signedInAs: 'Signed in:', error: 'Error', loading: 'Loading…', none: 'No data',
    occupancyNow: 'Inside', hubUnreachable: 'The hub cannot be reached', prev: 'Previous', secondsLeft: 's left', noReviews: 'No lane is waiting for an operator', gateDown: 'offline', cameraDown: 'camera fault', notConfigured: 'not set',
    liveCameras: 'Live cameras', camGateOffline: 'Gate offline', camWaiting: 'Waiting for a picture…', camNoFrames: 'No frames', camPeople: '{n} people', camMore: '{n} more cameras: pick a site to see them',
    camState_connecting: 'Connecting to the camera', camState_streaming: 'Streaming', camState_stalled: 'Camera stalled', camState_failed: 'Camera failed',
  },
};

export const lang = ref<'vi' | 'en'>(localStorage.getItem('cg.lang') === 'en' ? 'en' : 'vi');

await i18next.init({
  lng: lang.value,
  fallbackLng: 'vi',
  resources: {
    vi: { translation: { ...base.vi, ...more.vi, ...limitsStrings.vi, ...errorStrings.vi, ...officeStrings.vi, ...faceStrings.vi } },
    en: { translation: { ...base.en, ...more.en, ...limitsStrings.en, ...errorStrings.en, ...officeStrings.en, ...faceStrings.en } },
  },
  interpolation: { escapeValue: false },
});

export const t = (key: string): string => (lang.value, i18next.t(key));
/** A lane's machine reason (`face_mismatch`) in the viewer's language; unknown codes show as they are. */
export const reasonText = (code: string): string => (lang.value, i18next.exists(`reason_${code}`) ? i18next.t(`reason_${code}`) : code);
export function setLang(next: 'vi' | 'en'): void {
  void i18next.changeLanguage(next);
  localStorage.setItem('cg.lang', next);
  document.documentElement.lang = next;
  lang.value = next;
}
export const locale = () => (lang.value === 'vi' ? 'vi-VN' : 'en-GB');
const TZ = 'Asia/Ho_Chi_Minh';
export const fmtTime = (iso: string | number) => new Intl.DateTimeFormat(locale(), { timeZone: TZ, hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(iso));
export const fmtDate = (iso: string | number) => new Intl.DateTimeFormat(locale(), { timeZone: TZ, weekday: 'long', day: 'numeric', month: 'numeric', year: 'numeric' }).format(new Date(iso));
export const fmtDateTime = (iso: string | number) => new Intl.DateTimeFormat(locale(), { timeZone: TZ, dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
export const fmtNum = (n: number) => new Intl.NumberFormat(locale()).format(n);
/** A sentence with values: `tp('camPeople', { count: 3 })` (i18next plurals `_one`/`_other` by the count). */
export const tp = (key: string, params: Record<string, unknown>): string => (lang.value, String(i18next.t(key, params as never)));
/** The sentence for a hub error body `{ code, params }` in the viewer's language, or null for a code the web does not know. */
export function errorText(body: unknown): string | null {
  const b = body as { code?: unknown; params?: Record<string, unknown> } | null;
  if (!b || typeof b.code !== 'string' || !i18next.exists(`err_${b.code}`)) return null;
  // Values in `params` ({{name}} sentences) or at the body's top level ({name} sentences, alerts' codes).
  const top = Object.fromEntries(Object.entries(b).filter(([k, v]) => k !== 'code' && k !== 'message' && (typeof v === 'string' || typeof v === 'number')));
  const params: Record<string, unknown> = { ...top, ...(b.params ?? {}) };
  for (const [k, v] of Object.entries(params)) if (typeof v === 'number' && k !== 'seconds') params[k] = fmtNum(v);
  if (b.code === 'login_locked' && typeof b.params?.seconds === 'number') params.at = fmtTime(Date.now() + b.params.seconds * 1000);
  return tp(`err_${b.code}`, params).replace(/\{(\w+)\}/g, (m, k: string) => (params[k] === undefined ? m : String(params[k])));
}
