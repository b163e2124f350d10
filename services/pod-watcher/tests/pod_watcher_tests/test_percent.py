from mv_contracts.pods import PodResources
from mv_pod_watcher.percent import percent, with_percent


def test_of_the_limit_else_the_request() -> None:
    assert percent(50, 200, 100) == 25.0
    assert percent(50, None, 100) == 50.0
    assert percent(50, None, None) is None
    assert percent(None, 200, 100) is None
    assert percent(50, 0, 0) is None
    assert percent(1, 3, None) == 33.33


def test_fills_both_percents() -> None:
    pod = PodResources(
        namespace="n",
        pod="p",
        cpu_limit_millicores=500,
        cpu_usage_millicores=250,
        memory_request_mb=100,
        memory_usage_mb=150,
    )
    filled = with_percent(pod)
    assert (filled.cpu_percent, filled.memory_percent) == (50.0, 150.0)
