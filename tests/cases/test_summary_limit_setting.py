from zhifa.settings import _summary_limits


def test_summary_limits_from_the_environment_are_yuan_per_party_type() -> None:
    assert _summary_limits("") == {}
    assert _summary_limits("natural_person=500, organisation=5000") == {
        "natural_person": 50_000, "organisation": 500_000}
