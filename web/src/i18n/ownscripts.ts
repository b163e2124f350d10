// Words of own k6 scripts (merged into messages.ts).
export const ownScriptsEn = {
  "own.title": "Own k6 scripts", "own.none": "No script uploaded yet.",
  "own.intro": "Paste a k6 script or choose a .js, .tar.gz or .zip file: k6 reads it before it is kept, and runs it as it is.",
  "own.name": "Name", "own.paste": "Script", "own.file": "Or a file", "own.entry": "File k6 runs (archives)",
  "own.check": "Check with k6 and keep", "own.checking": "k6 is reading it…", "own.failed": "k6 refused the script",
  "own.kept": "Kept as {name} v{version}", "own.scenarios": "Scenarios", "own.executor": "Executor",
  "own.exec": "Function", "own.thresholds": "k6 thresholds", "own.noThresholds": "No thresholds in the script.",
  "own.maxVus": "At most {vus} VUs", "own.versions": "Versions", "own.files": "{n} files",
} as const;

export const ownScriptsKo: Record<keyof typeof ownScriptsEn, string> = {
  "own.title": "직접 작성한 k6 스크립트", "own.none": "올린 스크립트가 아직 없습니다.",
  "own.intro": "k6 스크립트를 붙여 넣거나 .js, .tar.gz, .zip 파일을 고르세요: 보관하기 전에 k6가 읽고, 고치지 않고 그대로 실행합니다.",
  "own.name": "이름", "own.paste": "스크립트", "own.file": "또는 파일", "own.entry": "k6가 실행할 파일 (압축 파일)",
  "own.check": "k6로 확인하고 보관", "own.checking": "k6가 읽는 중…", "own.failed": "k6가 스크립트를 거부했습니다",
  "own.kept": "{name} v{version}(으)로 보관됨", "own.scenarios": "시나리오", "own.executor": "실행기",
  "own.exec": "함수", "own.thresholds": "k6 임계값", "own.noThresholds": "스크립트에 임계값이 없습니다.",
  "own.maxVus": "최대 VU {vus}개", "own.versions": "버전", "own.files": "파일 {n}개",
};
