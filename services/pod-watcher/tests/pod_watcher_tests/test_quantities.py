import pytest

from mv_pod_watcher.quantities import QuantityError, cpu_millicores, memory_mb


@pytest.mark.parametrize(
    ("text", "millicores"),
    [
        ("250m", 250),
        ("0.5", 500),
        ("2", 2000),
        ("1.5", 1500),
        ("12345n", 0.012345),
        ("100u", 0.1),
        ("1e3", 1_000_000),
        ("0", 0),
        (".1", 100),
        ("1k", 1_000_000),
    ],
)
def test_cpu(text: str, millicores: float) -> None:
    assert cpu_millicores(text) == pytest.approx(millicores)


@pytest.mark.parametrize(
    ("text", "mb"),
    [
        ("512Mi", 536.870912),
        ("1Gi", 1073.741824),
        ("1G", 1000),
        ("1e9", 1000),
        ("128974848", 128.974848),
        ("129M", 129),
        ("123Ki", 0.125952),
        ("1E6", 1),
        ("128974848000m", 128.974848),
        ("1Ti", 1_099_511.627776),
    ],
)
def test_memory_in_megabytes_of_a_million_bytes(text: str, mb: float) -> None:
    assert memory_mb(text) == pytest.approx(mb)


@pytest.mark.parametrize("text", ["", "abc", "1Qi", "1.2.3", "Mi", "1 Gi", "--1"])
def test_rejects_what_the_api_server_would(text: str) -> None:
    with pytest.raises(QuantityError, match="not a Kubernetes quantity"):
        cpu_millicores(text)
