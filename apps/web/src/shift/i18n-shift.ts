// Strings of the operator console, the security alerts and the event search (issue 21), in their own
// bundle so other screens' edits to i18n.ts do not collide with these. Vietnamese first.
import i18next from 'i18next';
import { t } from '../i18n.js';

const vi: Record<string, string> = {
  // console
  kApprove: 'Cho qua', kDeny: 'Từ chối', kOpen: 'Mở cổng', kLanes: 'Chọn làn', kReasonTyping: 'Đang nhập lý do: Enter xác nhận, Esc quay lại phím tắt',
  kDenyPick: 'Chọn lý do từ chối (phím) hoặc Enter để nhập lý do khác', kOpenType: 'Nhập lý do mở cổng rồi Enter', kCancel: 'Huỷ',
  kEnterConfirms: 'Enter: {action}', kEsc: 'Esc: quay lại', kOtherReason: 'Lý do khác…', keysHelp: 'Phím: A cho qua · D từ chối · O mở cổng · 1–9 chọn làn · Enter xác nhận · Esc quay lại',
  qr_face: 'Khuôn mặt không khớp ảnh', qr_doc: 'Không xuất trình giấy tờ hợp lệ', qr_other_person: 'Nghi dùng giấy tờ của người khác', qr_not_live: 'Không phải người thật (ảnh, màn hình)', qr_security: 'Theo yêu cầu của an ninh',
  approvedDefault: 'Nhân viên đã đối chiếu', needsHuman: 'Cần nhân viên vì', noReviewSelected: 'Chọn một làn (1–9) hoặc chờ lượt cần xác nhận',
  sim_high: 'khớp cao', sim_ok: 'khớp', sim_near: 'khớp sát ngưỡng', sim_low: 'không chắc chắn', sim_no: 'không khớp', sim_none: 'không có ảnh để máy so',
  live_high: 'người thật', live_mid: 'có thể là người thật', live_low: 'nghi giả mạo (ảnh/màn hình)', live_none: 'chưa kiểm tra',
  qrTitle: 'Thông tin từ mã QR (VNeID/CCCD)', qrInstruction: 'QR không có ảnh: so khuôn mặt người trước cổng với ẢNH TRÊN MÀN HÌNH VNeID của họ, rồi cho qua hoặc từ chối.',
  chipTitle: 'Thông tin trong chip CCCD', dob: 'Ngày sinh', sex: 'Giới tính', issueDate: 'Ngày cấp', maskedId: 'Số CCCD', noChipPhoto: 'Không có ảnh chip (QR): xem ảnh trên VNeID',
  listHitConsole: 'Trùng {list}, mức {severity}, theo {by}', by_id_number: 'số CCCD', by_face: 'khuôn mặt', newReview: 'Lượt mới cần xác nhận',
  waitingSince: 'chờ {n} giây', queueEmpty: 'Không có lượt chờ',
  // alerts
  sightings: 'Lần thấy', firstSeen: 'Thấy lần đầu', lastSeen: 'Thấy gần nhất', gatesSeen: 'Các cổng', timeline: 'Dòng thời gian', overdue: 'QUÁ HẠN',
  escalatedNote: 'Chưa ai tiếp nhận: đã báo lên cấp trên lúc {at}', ackSelected: 'Tiếp nhận các cảnh báo đã chọn', selectAll: 'Chọn tất cả cảnh báo mới',
  ackNote: 'Ghi chú tiếp nhận', closeNote: 'Ghi chú xử lý', fpNote: 'Ghi chú báo nhầm', back: 'Quay lại danh sách', bulkDone: 'Đã tiếp nhận {n} cảnh báo', bulkSkipped: '{n} cảnh báo không còn ở trạng thái mới',
  seenTimes: '{n} lần', alertEscalated: 'CẢNH BÁO QUÁ HẠN: chưa ai tiếp nhận', selectedN: 'Đã chọn {n}', matchBy_face: 'khuôn mặt', matchBy_id_number: 'số CCCD', navMenu: 'Menu',
  // events
  outcome_open: 'Cho qua', outcome_deny: 'Từ chối', outcome_review: 'Nhân viên quyết định', outcome_none: 'Đếm người (không kiểm soát)', outcomeFilter: 'Kết quả',
  searchPerson: 'Họ tên hoặc số CCCD', searchPersonHint: 'Tìm theo người (được ghi vào nhật ký truy cập)', eventDetail: 'Chi tiết sự kiện', crop: 'Ảnh khuôn mặt',
  cropNone: 'Không có ảnh', cropLoading: 'Đang lấy ảnh từ cổng…', identityHidden: 'Vai trò của bạn không xem được danh tính', method: 'Cách xác thực', reviewBy: 'Nhân viên',
  scanned: 'Đã xét {n} sự kiện có định danh trong khoảng thời gian; thu hẹp khoảng thời gian để tìm hết', entered: 'Vào', exited: 'Ra', refusedEntry: 'Bị từ chối',
  method_chip_face: 'Chip CCCD + khuôn mặt', method_allowlist_face: 'Khuôn mặt (danh sách được phép)', method_qr_face: 'QR + khuôn mặt', method_operator: 'Nhân viên', method_count_only: 'Chỉ đếm', method_none: '—',
  // hub error codes
  err_ALERT_NOT_FOUND: 'Không tìm thấy cảnh báo này (có thể đã bị xoá)', err_ALERT_WRONG_STATE: 'Cảnh báo đang ở trạng thái “{status}”: không thực hiện được', err_ALERT_UNKNOWN_ACTION: 'Thao tác không hợp lệ',
  err_INVALID_INPUT: 'Dữ liệu không hợp lệ: {message}', err_EVENT_NOT_FOUND: 'Không tìm thấy sự kiện', err_PERSON_SEARCH_FORBIDDEN: 'Vai trò của bạn không được tìm theo người',
  err_PERSON_SEARCH_NEEDS_SITE: 'Chọn một địa điểm để tìm theo người', err_HTTP_403: 'Bạn không có quyền làm việc này', err_HTTP_503: 'Cổng không nhận lệnh (mất kết nối?)', err_HTTP_504: 'Cổng không trả lời kịp',
};

const en: Record<string, string> = {
  kApprove: 'Approve', kDeny: 'Deny', kOpen: 'Open lane', kLanes: 'Pick a lane', kReasonTyping: 'Typing a reason: Enter confirms, Esc returns to the keys',
  kDenyPick: 'Pick a reason to deny (key) or Enter to type another', kOpenType: 'Type why the lane is opened, then Enter', kCancel: 'Cancel',
  kEnterConfirms: 'Enter: {action}', kEsc: 'Esc: back', kOtherReason: 'Other reason…', keysHelp: 'Keys: A approve · D deny · O open · 1–9 pick a lane · Enter confirm · Esc back',
  qr_face: 'Face does not match the photo', qr_doc: 'No valid document shown', qr_other_person: "Suspected use of someone else's ID", qr_not_live: 'Not a live person (photo, screen)', qr_security: "On security's instruction",
  approvedDefault: 'Checked by the operator', needsHuman: 'Needs an operator because', noReviewSelected: 'Pick a lane (1–9) or wait for a review',
  sim_high: 'strong match', sim_ok: 'match', sim_near: 'match near the threshold', sim_low: 'uncertain', sim_no: 'no match', sim_none: 'no photo for the machine to compare',
  live_high: 'live person', live_mid: 'probably a live person', live_low: 'suspected spoof (photo/screen)', live_none: 'not checked',
  qrTitle: 'Data from the QR code (VNeID/CCCD)', qrInstruction: 'The QR carries no photo: compare the person at the gate with the PHOTO ON THEIR VNeID SCREEN, then approve or deny.',
  chipTitle: 'Data in the CCCD chip', dob: 'Date of birth', sex: 'Sex', issueDate: 'Issued', maskedId: 'CCCD number', noChipPhoto: 'No chip photo (QR): see the VNeID photo',
  listHitConsole: 'On the {list}, {severity}, by {by}', by_id_number: 'CCCD number', by_face: 'face', newReview: 'New review',
  waitingSince: 'waiting {n} s', queueEmpty: 'Nothing waiting',
  sightings: 'Sightings', firstSeen: 'First seen', lastSeen: 'Last seen', gatesSeen: 'Gates', timeline: 'Timeline', overdue: 'OVERDUE',
  escalatedNote: 'Nobody acknowledged: escalated at {at}', ackSelected: 'Acknowledge selected', selectAll: 'Select all new alerts',
  ackNote: 'Acknowledge note', closeNote: 'Resolution note', fpNote: 'False-positive note', back: 'Back to the list', bulkDone: '{n} alerts acknowledged', bulkSkipped: '{n} alerts were no longer new',
  seenTimes: '{n} times', alertEscalated: 'OVERDUE ALERT: nobody has acknowledged it', selectedN: '{n} selected', matchBy_face: 'face', matchBy_id_number: 'CCCD number', navMenu: 'Menu',
  outcome_open: 'Let through', outcome_deny: 'Refused', outcome_review: 'Operator decided', outcome_none: 'Counted (no check)', outcomeFilter: 'Outcome',
  searchPerson: 'Name or CCCD number', searchPersonHint: 'Search by person (recorded in the audit trail)', eventDetail: 'Event detail', crop: 'Face crop',
  cropNone: 'No photo', cropLoading: 'Fetching the photo from the gate…', identityHidden: 'Your role may not see who it was', method: 'Checked by', reviewBy: 'Operator',
  scanned: 'Looked through {n} events with an identity in the range; narrow the dates to search them all', entered: 'In', exited: 'Out', refusedEntry: 'Refused',
  method_chip_face: 'CCCD chip + face', method_allowlist_face: 'Face (allowlist)', method_qr_face: 'QR + face', method_operator: 'Operator', method_count_only: 'Count only', method_none: '—',
  err_ALERT_NOT_FOUND: 'This alert no longer exists', err_ALERT_WRONG_STATE: 'The alert is “{status}”: that cannot be done now', err_ALERT_UNKNOWN_ACTION: 'Unknown action',
  err_INVALID_INPUT: 'Invalid input: {message}', err_EVENT_NOT_FOUND: 'No such event', err_PERSON_SEARCH_FORBIDDEN: 'Your role may not search by person',
  err_PERSON_SEARCH_NEEDS_SITE: 'Pick a site to search by person', err_HTTP_403: 'You may not do this', err_HTTP_503: 'The gate did not take the command (offline?)', err_HTTP_504: 'The gate did not answer in time',
};

i18next.addResourceBundle('vi', 'translation', vi, true, false);
i18next.addResourceBundle('en', 'translation', en, true, false);

/** A string with `{name}` placeholders filled in. */
export function tf(key: string, params: Record<string, string | number>): string {
  return t(key).replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}

/** An error for the user: the hub's code in the viewer's language, else its message (a code this web does not know yet). */
export function errorText(e: unknown): string {
  const err = e as { status?: number; message?: string; body?: unknown };
  const body = (err.body ?? {}) as Record<string, unknown>;
  const code = typeof body.code === 'string' ? body.code : err.status ? `HTTP_${err.status}` : '';
  if (code && i18next.exists(`err_${code}`)) {
    const params: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string' || typeof v === 'number') params[k] = v;
    if (typeof params.status === 'string' && i18next.exists(`status_${params.status}`)) params.status = t(`status_${params.status}`);
    return tf(`err_${code}`, params);
  }
  return err.message ?? String(e);
}
