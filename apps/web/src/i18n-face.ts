// Face strings (liveness challenge prompts and failures, watchlist possible match): their own block
// so other work on i18n.ts merges cleanly. Vietnamese first, English second.
export const faceStrings = {
  vi: {
    reason_liveness_challenge_failed: 'Không qua thử thách người thật: nhân viên kiểm tra',
    reason_challenge_prompt_turn_left: 'Mời quay đầu sang trái',
    reason_challenge_prompt_turn_right: 'Mời quay đầu sang phải',
    reason_challenge_prompt_blink: 'Mời chớp mắt',
    reason_challenge_step_turn_left: 'Bước không đạt: quay trái',
    reason_challenge_step_turn_right: 'Bước không đạt: quay phải',
    reason_challenge_step_blink: 'Bước không đạt: chớp mắt',
    reason_challenge_wrong_order: 'Làm sai động tác hoặc sai thứ tự (có thể là video phát lại)',
    reason_challenge_too_slow: 'Không làm kịp trong thời gian cho phép',
    reason_challenge_frozen: 'Hình đứng yên tuyệt đối (ảnh hoặc video tạm dừng)',
    reason_challenge_looped: 'Chuyển động lặp lại y hệt (video phát vòng lặp)',
    reason_challenge_no_face: 'Không thấy khuôn mặt trong lúc thử thách',
    reason_liveness_passive_low: 'Điểm người thật (thụ động) thấp: nhân viên kiểm tra',
    reason_watchlist_possible: 'Có thể trùng danh sách theo dõi (điểm dưới ngưỡng trùng): an ninh kiểm tra',
    photosHint:
      'Chọn 2–3 ảnh rõ mặt của cùng một người (chụp khác lúc, khác góc): hệ thống ghép các ảnh thành một mẫu chung và nhận ra người đó tốt hơn.',
  },
  en: {
    reason_liveness_challenge_failed: 'Liveness challenge not passed: operator to check',
    reason_challenge_prompt_turn_left: 'Please turn your head to the left',
    reason_challenge_prompt_turn_right: 'Please turn your head to the right',
    reason_challenge_prompt_blink: 'Please blink',
    reason_challenge_step_turn_left: 'Step failed: turn left',
    reason_challenge_step_turn_right: 'Step failed: turn right',
    reason_challenge_step_blink: 'Step failed: blink',
    reason_challenge_wrong_order: 'Wrong action or order (possibly a replayed video)',
    reason_challenge_too_slow: 'Not done within the time allowed',
    reason_challenge_frozen: 'Perfectly still image (a photo or a paused video)',
    reason_challenge_looped: 'Movement repeated exactly (a video on a loop)',
    reason_challenge_no_face: 'No face seen during the challenge',
    reason_liveness_passive_low: 'Low passive liveness score: operator to check',
    reason_watchlist_possible: 'Possible watchlist match (below the match threshold): security to check',
    photosHint:
      'Choose 2–3 clear photos of the same person (taken at different times, from different angles): they are fused into one template and the person is recognised better.',
  },
} as const;
