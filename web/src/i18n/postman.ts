// Words of the Postman import (merged into messages.ts).
export const postmanEn = {
  "postman.title": "Import a Postman collection",
  "postman.intro": "Choose a collection (v2.1 JSON) and, if it has one, its environment. Nothing is saved: you see what it becomes, then load it into the builder. Scripts are never run.",
  "postman.collection": "Collection (.json)", "postman.environment": "Environment (.json, optional)",
  "postman.preview": "Preview", "postman.reading": "Reading…", "postman.failed": "The collection could not be read",
  "postman.summary": "{steps} of {requests} requests become steps of {journeys} journeys",
  "postman.baseUrl": "Base URL", "postman.noTest": "No request matched an endpoint of this project: analyse its OpenAPI document first.",
  "postman.journeys": "Journeys", "postman.signIn": "Sign-in: {kind}", "postman.noSignIn": "No sign-in",
  "postman.variables": "Variables", "postman.secret": "secret", "postman.fromScript": "set from an answer",
  "postman.secrets": "Secrets", "postman.secretsHint": "Filled from your files where they hold them; they are never sent back in the preview.",
  "postman.scripts": "Scripts", "postman.carried": "read: {what}", "postman.notCarried": "not carried over ({lines} lines)",
  "postman.left": "Not carried over", "postman.use": "Use in builder", "postman.used": "Loaded into the builder below.",
} as const;

export const postmanKo: Record<keyof typeof postmanEn, string> = {
  "postman.title": "Postman 컬렉션 가져오기",
  "postman.intro": "컬렉션(v2.1 JSON)과, 있으면 그 환경 파일을 고르세요. 아무것도 저장하지 않습니다: 무엇이 되는지 보고 빌더에 불러옵니다. 스크립트는 실행하지 않습니다.",
  "postman.collection": "컬렉션 (.json)", "postman.environment": "환경 (.json, 선택)",
  "postman.preview": "미리 보기", "postman.reading": "읽는 중…", "postman.failed": "컬렉션을 읽지 못했습니다",
  "postman.summary": "요청 {requests}개 중 {steps}개가 여정 {journeys}개의 단계가 됩니다",
  "postman.baseUrl": "기본 URL", "postman.noTest": "이 프로젝트의 엔드포인트와 맞는 요청이 없습니다: 먼저 OpenAPI 문서를 분석하세요.",
  "postman.journeys": "여정", "postman.signIn": "로그인: {kind}", "postman.noSignIn": "로그인 없음",
  "postman.variables": "변수", "postman.secret": "비밀", "postman.fromScript": "응답에서 설정",
  "postman.secrets": "비밀 값", "postman.secretsHint": "파일에 있는 값으로 채웠습니다. 미리 보기에는 다시 보내지 않습니다.",
  "postman.scripts": "스크립트", "postman.carried": "읽음: {what}", "postman.notCarried": "가져오지 않음 ({lines}줄)",
  "postman.left": "가져오지 않은 것", "postman.use": "빌더에서 사용", "postman.used": "아래 빌더에 불러왔습니다.",
};
