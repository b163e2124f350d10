// Words of the HAR import (merged into messages.ts).
export const harEn = {
  "har.title": "Import a HAR recording",
  "har.intro": "Choose a .har file saved from the browser's developer tools (Network, Save all as HAR) or from k6 Studio. Nothing is kept: you see the journey first.",
  "har.file": "HAR file", "har.host": "API host (optional)", "har.preview": "Preview",
  "har.reading": "Reading…", "har.failed": "The recording could not be read",
  "har.summary": "{steps} steps from {entries} requests · host {host}",
  "har.baseUrl": "Recorded base URL: {url} (the test's base URL must be an allowed target)",
  "har.steps": "Steps", "har.skipped": "Set aside", "har.reason": "Why", "har.keep": "Keep",
  "har.keepHint": "Ticked requests are taken again with Preview (a kept host counts as the API's).",
  "har.correlations": "Values carried from an answer", "har.variable": "Variable", "har.from": "Extracted from",
  "har.usedIn": "Sent in", "har.secrets": "Secret values are not shown: give them in the builder",
  "har.notes": "Notes", "har.use": "Use in builder", "har.used": "Added to the builder as the journey '{name}'",
  "har.noSteps": "No request of the recording matched an endpoint of the project.",
} as const;

export const harKo: Record<keyof typeof harEn, string> = {
  "har.title": "HAR 녹화 가져오기",
  "har.intro": "브라우저 개발자 도구(네트워크, 모두 HAR로 저장)나 k6 Studio에서 저장한 .har 파일을 고르세요. 아무것도 저장하지 않고 여정을 먼저 보여 줍니다.",
  "har.file": "HAR 파일", "har.host": "API 호스트 (선택)", "har.preview": "미리 보기",
  "har.reading": "읽는 중…", "har.failed": "녹화를 읽지 못했습니다",
  "har.summary": "요청 {entries}개에서 단계 {steps}개 · 호스트 {host}",
  "har.baseUrl": "녹화된 기본 URL: {url} (테스트의 기본 URL은 허용된 대상이어야 합니다)",
  "har.steps": "단계", "har.skipped": "제외된 요청", "har.reason": "이유", "har.keep": "유지",
  "har.keepHint": "체크한 요청은 다시 미리 보기를 누르면 포함됩니다 (유지한 호스트는 API 호스트로 셉니다).",
  "har.correlations": "응답에서 이어받는 값", "har.variable": "변수", "har.from": "추출한 단계",
  "har.usedIn": "보내는 곳", "har.secrets": "비밀 값은 보여 주지 않습니다: 빌더에서 입력하세요",
  "har.notes": "참고", "har.use": "빌더에서 사용", "har.used": "빌더에 여정 '{name}'(으)로 추가했습니다",
  "har.noSteps": "녹화의 어떤 요청도 프로젝트의 엔드포인트와 맞지 않습니다.",
};
