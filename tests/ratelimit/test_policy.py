"""Rate-limit policy text (ratelimit/policy.py): ``LIMIT/PERIOD_SECONDS[+BURST]``."""

import pytest

from ratelimit.policy import Policy, PolicyError, parse_policy


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("100/3600+10", Policy(100, 3600, 10), id="full"),
        pytest.param("100/3600", Policy(100, 3600, 0), id="no-burst"),
        pytest.param("100/3600+0", Policy(100, 3600, 0), id="zero-burst"),
        pytest.param("1/1", Policy(1, 1, 0), id="smallest"),
        pytest.param(" 100 / 3600 + 10 ", Policy(100, 3600, 10), id="spaces-everywhere"),
        pytest.param("\t5/60\n", Policy(5, 60, 0), id="tab-and-newline"),
        pytest.param("007/060+01", Policy(7, 60, 1), id="leading-zeros"),
    ],
)
def test_valid_policies_parse(text, expected):
    assert parse_policy(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("0/3600", id="zero-limit"),
        pytest.param("100/0", id="zero-period"),
        pytest.param("0/0+5", id="zero-both"),
        pytest.param("-1/3600", id="negative-limit"),
        pytest.param("100/-60", id="negative-period"),
        pytest.param("100/3600-10", id="negative-burst"),
        pytest.param("100/3600+", id="plus-without-burst"),
        pytest.param("100", id="no-period"),
        pytest.param("/3600", id="no-limit"),
        pytest.param("100/1h", id="unit-suffix"),
        pytest.param("1.5/60", id="decimal"),
        pytest.param("100/3600+10+1", id="two-bursts"),
        pytest.param("100 3600", id="no-slash"),
        pytest.param("١٠٠/٣٦٠٠", id="non-ascii-digits"),
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param(None, id="none"),
        pytest.param(100, id="int"),
    ],
)
def test_garbage_is_refused_with_the_variable_name_and_the_form(text):
    with pytest.raises(PolicyError) as raised:
        parse_policy(text, name="API_RATE_LIMIT_AUTHENTICATE")
    message = str(raised.value)
    assert message.startswith("API_RATE_LIMIT_AUTHENTICATE must look like LIMIT/PERIOD_SECONDS[+BURST]")
    assert message.endswith(f"got {text!r}")


def test_the_name_defaults_to_policy():
    with pytest.raises(PolicyError, match=r"^policy must look like"):
        parse_policy("nope")


def test_policy_error_is_a_value_error():
    assert issubclass(PolicyError, ValueError)
