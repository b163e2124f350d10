// Words of the run's state, its verdict, the judgement of a change and the analysis thresholds
// (merged into messages.ts).
export const verdictEn = {
  "state.pending": "pending", "state.running": "running", "state.completed": "completed",
  "state.failed_to_run": "failed to run", "state.cancelled": "cancelled",
  "outcome.passed": "passed", "outcome.failed": "failed",
  "col.run": "Run", "col.outcome": "Verdict", "result.verdict": "Verdict",
  "analysis.thisIsBaseline": "This is the baseline", "analysis.baselineMark": "baseline",
  "judgement.none": "not judged",
  "compare.method": "Better or worse only when the change is significant (p < {p}) and larger than {effect}; other figures are not judged.",
  "thresholds.title": "Analysis thresholds",
  "thresholds.hint": "What the findings judge by. Left empty, each takes the gateway's setting (shown greyed).",
  "thresholds.used": "Thresholds applied", "thresholds.own": "set for this test",
  "analysis.noModel": "No language model is configured, so no written summary.",
};

export const verdictKo: Record<keyof typeof verdictEn, string> = {
  "state.pending": "대기", "state.running": "실행 중", "state.completed": "완료",
  "state.failed_to_run": "실행 실패", "state.cancelled": "취소됨",
  "outcome.passed": "통과", "outcome.failed": "실패",
  "col.run": "실행", "col.outcome": "판정", "result.verdict": "판정",
  "analysis.thisIsBaseline": "현재 기준 실행입니다", "analysis.baselineMark": "기준",
  "judgement.none": "판정 안 함",
  "compare.method": "변화가 유의미하고(p < {p}) {effect}보다 클 때만 좋아짐/나빠짐으로 판정합니다. 그 외 지표는 판정하지 않습니다.",
  "thresholds.title": "분석 기준값",
  "thresholds.hint": "분석 결과가 판단하는 기준입니다. 비워 두면 게이트웨이 설정값(흐리게 표시)을 씁니다.",
  "thresholds.used": "적용된 기준값", "thresholds.own": "이 테스트에서 설정",
  "analysis.noModel": "언어 모델이 설정되지 않아 요약을 작성할 수 없습니다.",
};
