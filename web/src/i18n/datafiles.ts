// Words of a project's data files (merged into messages.ts).
export const datafilesEn = {
  "data.title": "Test data", "data.none": "No data file yet.",
  "data.hint": "A CSV (the first row names the columns) or a JSON array of objects, UTF-8, at most 256 KiB. Each column is a variable of the scenarios that use the file: {{column}}.",
  "data.upload": "Upload a data file", "data.uploading": "Uploading…", "data.uploadFailed": "The file was not taken",
  "data.rows": "Rows", "data.columns": "Columns", "data.uploaded": "Uploaded", "data.preview": "First rows",
  "data.deleteTitle": "Delete this data file?", "data.deleteBody": "{name} is deleted. A plan that uses it cannot start until it names another file.",
  "data.deleteFailed": "The data file was not deleted",
} as const;

export const datafilesKo: Record<keyof typeof datafilesEn, string> = {
  "data.title": "테스트 데이터", "data.none": "데이터 파일이 아직 없습니다.",
  "data.hint": "CSV(첫 행이 열 이름) 또는 객체의 JSON 배열, UTF-8, 최대 256 KiB. 각 열은 이 파일을 쓰는 시나리오의 변수가 됩니다: {{column}}.",
  "data.upload": "데이터 파일 올리기", "data.uploading": "올리는 중…", "data.uploadFailed": "파일을 받지 못했습니다",
  "data.rows": "행", "data.columns": "열", "data.uploaded": "올린 시각", "data.preview": "처음 몇 행",
  "data.deleteTitle": "이 데이터 파일을 삭제할까요?", "data.deleteBody": "{name}이(가) 삭제됩니다. 이 파일을 쓰는 플랜은 다른 파일을 지정할 때까지 시작할 수 없습니다.",
  "data.deleteFailed": "데이터 파일을 삭제하지 못했습니다",
};
