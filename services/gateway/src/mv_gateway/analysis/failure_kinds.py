"""What a kind of failed request means, in words: the HTTP status, or k6's error code when no
answer came. The one table of k6's error codes (k6's documented "Error codes" list); findings,
the result's details and the live stream all read it.

k6 tags a failed request with ``status`` (``0`` without an answer) and ``error_code``: for a 4xx
or 5xx answer ``1000 + status`` (1404, 1500), else a code of its own (1050 a timeout, 1212 a
refused connection ...). A kind is named by its HTTP status when an answer came, by the k6 code
otherwise.
"""

from __future__ import annotations

from http import HTTPStatus

from pydantic import BaseModel, Field

from mv_contracts.metrics import FailureCount

from .findings import Words

K6_ERROR_CODES: dict[int, Words] = {
    1000: Words(en="generic error", ko="일반 오류"),
    1010: Words(en="non-TCP network error", ko="TCP 외 네트워크 오류"),
    1020: Words(en="invalid URL", ko="잘못된 URL"),
    1050: Words(en="request timeout", ko="요청 시간 초과"),
    1100: Words(en="DNS error", ko="DNS 오류"),
    1101: Words(en="no IP found for the host", ko="호스트의 IP를 찾지 못함"),
    1110: Words(en="blacklisted IP", ko="차단 목록의 IP"),
    1111: Words(en="blocked hostname", ko="차단된 호스트 이름"),
    1200: Words(en="TCP error", ko="TCP 오류"),
    1201: Words(en="broken pipe (connection closed while writing)", ko="쓰는 중 연결이 끊김"),
    1202: Words(en="unknown network error", ko="알 수 없는 네트워크 오류"),
    1210: Words(en="could not connect", ko="연결 실패"),
    1211: Words(en="connect timeout", ko="연결 시간 초과"),
    1212: Words(en="connection refused", ko="연결 거부"),
    1213: Words(en="could not connect (unknown error)", ko="연결 실패 (알 수 없는 오류)"),
    1220: Words(en="connection reset by the server", ko="서버가 연결을 재설정함"),
    1300: Words(en="TLS error", ko="TLS 오류"),
    1301: Words(en="TLS header error (plain HTTP on an HTTPS port?)", ko="TLS 헤더 오류"),
    1310: Words(en="certificate of an unknown authority", ko="알 수 없는 기관의 인증서"),
    1311: Words(en="certificate does not match the host name", ko="인증서의 호스트 이름 불일치"),
    1701: Words(en="response decompression failed", ko="응답 압축 해제 실패"),
}
# Codes not in the table are read by their range.
K6_ERROR_RANGES: tuple[tuple[int, int, Words], ...] = (
    (1000, 1099, Words(en="general error", ko="일반 오류")),
    (1100, 1199, Words(en="DNS error", ko="DNS 오류")),
    (1200, 1299, Words(en="TCP error", ko="TCP 오류")),
    (1300, 1399, Words(en="TLS error", ko="TLS 오류")),
    (1400, 1499, Words(en="HTTP 4xx answer", ko="HTTP 4xx 응답")),
    (1500, 1599, Words(en="HTTP 5xx answer", ko="HTTP 5xx 응답")),
    (1610, 1629, Words(en="HTTP/2 GOAWAY from the server", ko="서버의 HTTP/2 GOAWAY")),
    (1630, 1649, Words(en="HTTP/2 stream error", ko="HTTP/2 스트림 오류")),
    (1650, 1669, Words(en="HTTP/2 connection error", ko="HTTP/2 연결 오류")),
    (1600, 1699, Words(en="HTTP/2 error", ko="HTTP/2 오류")),
)
HTTP_KO = {
    400: "잘못된 요청",
    401: "인증 필요",
    403: "권한 없음",
    404: "찾을 수 없음",
    405: "허용되지 않는 메서드",
    408: "요청 시간 초과",
    409: "충돌",
    413: "요청이 너무 큼",
    415: "지원하지 않는 미디어 형식",
    422: "처리할 수 없는 요청",
    429: "요청이 너무 많음",
    500: "서버 내부 오류",
    501: "구현되지 않음",
    502: "잘못된 게이트웨이",
    503: "서비스를 사용할 수 없음",
    504: "게이트웨이 시간 초과",
}


def _number(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def k6_code_words(code: int) -> Words:
    if code in K6_ERROR_CODES:
        return K6_ERROR_CODES[code]
    for low, high, words in K6_ERROR_RANGES:
        if low <= code <= high:
            return words
    return Words(en="k6 error", ko="k6 오류")


def _http_words(status: int) -> Words:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = f"HTTP {status}"
    if status >= 500:
        return Words(
            en=f"{phrase}: the service failed to answer the request",
            ko=f"{HTTP_KO.get(status, '서버 오류')}: 서비스가 요청을 처리하지 못함",
        )
    if status >= 400:
        return Words(
            en=f"{phrase}: the service refused the request (body, parameters or auth)",
            ko=f"{HTTP_KO.get(status, '클라이언트 오류')}: 서비스가 요청을 거부함 "
            "(본문, 파라미터 또는 인증)",
        )
    return Words(
        en=f"{phrase}: an answer the test does not count as expected",
        ko="테스트가 기대한 상태가 아닌 응답",
    )


def answered(kind: FailureCount) -> int | None:
    """The HTTP status when an answer came (k6's 14xx/15xx codes say so, or no code at all)."""
    status, code = _number(kind.status), _number(kind.error_code)
    if not status:
        return None
    if code is None or 1400 <= code <= 1599:
        return status
    return None


def label(kind: FailureCount) -> str:
    """'HTTP 500' for an answer, 'k6 1050' for a failure k6 names by its code."""
    status = answered(kind)
    if status is not None:
        return f"HTTP {status}"
    if kind.error_code:
        return f"k6 {kind.error_code}"
    return "HTTP 0"


def meaning(kind: FailureCount) -> Words:
    status = answered(kind)
    if status is not None:
        return _http_words(status)
    code = _number(kind.error_code)
    if code is None:
        return Words(en="no answer, k6 gave no reason", ko="응답 없음, k6가 이유를 주지 않음")
    return k6_code_words(code)


def describe(kind: FailureCount) -> Words:
    """How a finding names a kind: 'HTTP 500', or 'request timeout (k6 1050)'."""
    if answered(kind) is not None or not kind.error_code:
        return Words(en=label(kind), ko=label(kind))
    words = meaning(kind)
    return Words(en=f"{words.en} ({label(kind)})", ko=f"{words.ko} ({label(kind)})")


class FailureRead(BaseModel):
    """One kind of failed request as the API shows it."""

    status: str = Field(description="HTTP status; '0' when no answer came", examples=["500"])
    error_code: str | None = Field(description="k6's error code, if any", examples=["1500"])
    count: int
    share: float = Field(description="Fraction of the group's failed requests", examples=[1.0])
    label: str = Field(description="'HTTP 500', or 'k6 1050' without an answer")
    meaning: Words = Field(description="What it means, in English and Korean")


def failure_rows(failures: list[FailureCount]) -> list[FailureRead]:
    """The kinds in words, most frequent first, each with its share of the group's failures."""
    total = sum(f.count for f in failures)
    return [
        FailureRead(
            status=f.status,
            error_code=f.error_code,
            count=f.count,
            share=f.count / total if total else 0.0,
            label=label(f),
            meaning=meaning(f),
        )
        for f in sorted(failures, key=lambda f: -f.count)
    ]
