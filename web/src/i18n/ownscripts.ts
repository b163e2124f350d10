// Words of own k6 scripts (merged into messages.ts).
export const ownScriptsEn = {
  "own.title": "Own k6 scripts", "own.none": "No script uploaded yet.",
  "own.intro": "Paste a k6 script or choose a .js, .tar.gz or .zip file: k6 reads it before it is kept, and runs it as it is.",
  "own.name": "Name", "own.paste": "Script", "own.file": "Or a file", "own.entry": "File k6 runs (archives)",
  "own.check": "Check with k6 and keep", "own.checking": "k6 is reading it…", "own.failed": "k6 refused the script",
  "own.kept": "Kept as {name} v{version}", "own.scenarios": "Scenarios", "own.executor": "Executor",
  "own.exec": "Function", "own.thresholds": "k6 thresholds", "own.noThresholds": "No thresholds in the script.",
  "own.maxVus": "At most {vus} VUs", "own.versions": "Versions", "own.files": "{n} files",
  "own.open": "Open", "own.opened": "{name} v{version}", "own.close": "Close", "own.source": "Files of the script",
  "own.entryMark": "k6 runs this", "own.run": "Run this version", "own.env": "Environment (__ENV)",
  "own.envHint": "Every value is kept secret: sealed on the way to k6, never in the script, a log or an answer.",
  "own.baseUrlHint": "The service under test, checked against the allowed targets; the script reads it as __ENV.BASE_URL.",
  "own.start": "Run {name} v{version}", "own.starting": "Starting…", "own.runFailed": "The run was not started",
} as const;

export const ownScriptsKo: Record<keyof typeof ownScriptsEn, string> = {
  "own.title": "직접 작성한 k6 스크립트", "own.none": "올린 스크립트가 아직 없습니다.",
  "own.intro": "k6 스크립트를 붙여 넣거나 .js, .tar.gz, .zip 파일을 고르세요: 보관하기 전에 k6가 읽고, 고치지 않고 그대로 실행합니다.",
  "own.name": "이름", "own.paste": "스크립트", "own.file": "또는 파일", "own.entry": "k6가 실행할 파일 (압축 파일)",
  "own.check": "k6로 확인하고 보관", "own.checking": "k6가 읽는 중…", "own.failed": "k6가 스크립트를 거부했습니다",
  "own.kept": "{name} v{version}(으)로 보관됨", "own.scenarios": "시나리오", "own.executor": "실행기",
  "own.exec": "함수", "own.thresholds": "k6 임계값", "own.noThresholds": "스크립트에 임계값이 없습니다.",
  "own.maxVus": "최대 VU {vus}개", "own.versions": "버전", "own.files": "파일 {n}개",
  "own.open": "열기", "own.opened": "{name} v{version}", "own.close": "닫기", "own.source": "스크립트 파일",
  "own.entryMark": "k6가 실행하는 파일", "own.run": "이 버전 실행", "own.env": "환경 변수 (__ENV)",
  "own.envHint": "모든 값은 비밀로 다룹니다: k6까지 봉인되어 가며 스크립트, 로그, 응답 어디에도 남지 않습니다.",
  "own.baseUrlHint": "테스트할 서비스입니다. 허용된 대상인지 확인하며, 스크립트는 __ENV.BASE_URL로 읽습니다.",
  "own.start": "{name} v{version} 실행", "own.starting": "시작하는 중…", "own.runFailed": "실행을 시작하지 못했습니다",
};
