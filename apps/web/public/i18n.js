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
    reason_access_denied: 'Không mở được chip (sai CAN/MRZ)', reason_actuator_fault: 'Lỗi thiết bị mở cổng',
    reason_actuator_timeout: 'Thiết bị mở cổng không phản hồi',
    reason_anti_passback: 'Đã vào, chưa ra (chống quay vòng)',
    reason_camera_unavailable: 'Camera làn không hoạt động', reason_card_removed: 'Thẻ bị rút khi đang đọc',
    reason_chip_error: 'Lỗi đọc chip', reason_chip_photo_unusable: 'Ảnh trong chip không dùng được',
    reason_chip_timeout: 'Đọc chip quá thời gian', reason_door_forced: 'Cửa bị mở cưỡng bức',
    reason_door_held_open: 'Cửa mở quá lâu', reason_face_mismatch: 'Khuôn mặt không khớp ảnh chip',
    reason_face_quality: 'Ảnh khuôn mặt chưa đạt', reason_face_uncertain: 'Độ khớp sát ngưỡng, cần xác nhận',
    reason_lane_closed: 'Làn dừng hoạt động', reason_lane_error: 'Lỗi làn',
    reason_liveness_failed: 'Không xác nhận được người thật', reason_liveness_unverified: 'Chưa thấy chớp mắt: kiểm tra người thật', reason_liveness_operator_check: 'Cần nhân viên xác nhận người thật', reason_watchlist_possible_match: 'Có thể trùng danh sách theo dõi: cần kiểm tra', reason_match_error: 'Lỗi đối chiếu',
    reason_match_timeout: 'Đối chiếu quá thời gian', reason_no_access_key: 'Chưa có CAN (quét QR hoặc nhập CAN)',
    reason_no_face: 'Không thấy khuôn mặt', reason_not_enrolled_present_card: 'Chưa đăng ký, xin xuất trình CCCD',
    reason_operator_approved: 'Nhân viên cho qua', reason_operator_denied: 'Nhân viên từ chối',
    reason_operator_open: 'Nhân viên mở cổng', reason_passive_auth_failed: 'Chip không xác thực được (nghi giả)',
    reason_qr_needs_operator: 'QR VNeID: nhân viên đối chiếu khuôn mặt',
    reason_qr_unreadable: 'Không đọc được mã QR', reason_review_error: 'Lỗi khi chờ xác nhận',
    reason_command_expired: 'Lệnh đến quá hạn, không thực hiện', reason_command_replayed: 'Lệnh lặp lại, không thực hiện',
    reason_command_lifetime_too_long: 'Lệnh có hạn quá dài, không thực hiện',
    reason_id_hmac_key_missing: 'Thiếu khóa HMAC số định danh: làn không khởi động',
    reason_review_timeout: 'Hết thời gian chờ nhân viên', reason_vneid_timeout: 'Xác thực VNeID quá thời gian',
    reason_vneid_unverified: 'VNeID chưa được xác thực',
    reason_vneid_unavailable: 'Dịch vụ xác thực VNeID không phản hồi', reason_vneid_refused: 'VNeID bị từ chối',
    reason_vneid_no_photo: 'VNeID không kèm ảnh', reason_waiting_for_access_key: 'Chờ quét QR hoặc nhập CAN',
    reason_watchlist_hit: 'Trùng danh sách theo dõi',
    reason_watchlist_not_synced: 'Chưa nhận danh sách theo dõi từ trung tâm', qrScanner: 'Máy quét QR',
    cardReader: 'Đầu đọc thẻ', deviceDown: 'mất kết nối',
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
    reason_access_denied: 'Chip refused the key (wrong CAN/MRZ)', reason_actuator_fault: 'Gate actuator fault',
    reason_actuator_timeout: 'Gate actuator did not answer', reason_anti_passback: 'Already inside (anti-passback)',
    reason_camera_unavailable: 'Lane camera down', reason_card_removed: 'Card pulled during the read',
    reason_chip_error: 'Chip read error', reason_chip_photo_unusable: 'Chip photo unusable',
    reason_chip_timeout: 'Chip read timed out', reason_door_forced: 'Door forced open',
    reason_door_held_open: 'Door held open', reason_face_mismatch: 'Face does not match the chip photo',
    reason_face_quality: 'Face image too poor', reason_face_uncertain: 'Match near the threshold: check',
    reason_lane_closed: 'Lane stopped', reason_lane_error: 'Lane error',
    reason_liveness_failed: 'Liveness check failed', reason_liveness_unverified: 'No blink seen: check it is a live person', reason_liveness_operator_check: 'Operator to confirm a live person', reason_watchlist_possible_match: 'Possible watchlist match: check', reason_match_error: 'Matching error',
    reason_match_timeout: 'Matching timed out', reason_no_access_key: 'No CAN (scan the QR or type the CAN)',
    reason_no_face: 'No face seen', reason_not_enrolled_present_card: 'Not enrolled: present a CCCD',
    reason_operator_approved: 'Approved by operator', reason_operator_denied: 'Denied by operator',
    reason_operator_open: 'Opened by operator',
    reason_passive_auth_failed: 'Chip failed authentication (possible forgery)',
    reason_qr_needs_operator: 'VNeID QR: operator checks the face', reason_qr_unreadable: 'QR code unreadable',
    reason_command_expired: 'Command arrived after its expiry: not executed', reason_command_replayed: 'Repeated command: not executed',
    reason_command_lifetime_too_long: 'Command valid for too long: not executed',
    reason_id_hmac_key_missing: 'No ID-number HMAC key: lane not started',
    reason_review_error: 'Review error', reason_review_timeout: 'No operator verdict in time',
    reason_vneid_timeout: 'VNeID check timed out', reason_vneid_unverified: 'VNeID not verified',
    reason_vneid_unavailable: 'VNeID service unavailable', reason_vneid_refused: 'VNeID refused',
    reason_vneid_no_photo: 'VNeID answer without a photo',
    reason_waiting_for_access_key: 'Waiting for the QR scan or the CAN', reason_watchlist_hit: 'Watchlist hit',
    reason_watchlist_not_synced: 'Watchlist not yet received from the hub', qrScanner: 'QR scanner',
    cardReader: 'Card reader', deviceDown: 'disconnected',
  },
};

await i18next.init({
  lng: localStorage.getItem('cg.lang') === 'en' ? 'en' : 'vi',
  fallbackLng: 'vi',
  resources: Object.fromEntries(Object.entries(dictionaries).map(([k, v]) => [k, { translation: v }])),
});

export const t = (key) => i18next.t(key);
/** A lane's machine reason (`face_mismatch`) in the operator's language; unknown codes show as they are. */
export const reasonText = (code) => (i18next.exists(`reason_${code}`) ? i18next.t(`reason_${code}`) : code);
export const currentLang = () => i18next.language;
export function setLang(next) {
  i18next.changeLanguage(next);
  localStorage.setItem('cg.lang', next);
  document.documentElement.lang = next;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}
