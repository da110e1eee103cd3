import pytest

from portal.domain.platform.errors import ValidationError
from portal.models.privacy import mask_id_number, mask_mobile, mask_name
from portal.domain.platform.validators import (
    MOBILE_INPUT_PATTERN, normalize_credit_code, normalize_id_number, normalize_mobile, uscc_check_char
)

# Real, published codes: 福建某企业 (the standard's own example), Huawei, Bank of China.
REAL_CREDIT_CODES = ["91350100M000100Y43", "91440300708461136T", "91110000802100433B"]


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_real_credit_codes_pass(code):
    assert normalize_credit_code(code.lower()) == code


@pytest.mark.parametrize("code, message", [
    ("91350100M000100Y4", "exactly 18 characters"),
    ("91350100M000100Y44", "check character is wrong"),
    ("91440300708461136S", "not allowed"),
    ("9144030070846113IT", "not allowed"),
    ("", "exactly 18 characters"),
])
def test_bad_credit_codes_are_named(code, message):
    with pytest.raises(ValidationError) as error:
        normalize_credit_code(code)
    assert message in str(error.value)


def test_check_char_can_be_zero():
    # A remainder of 0 gives check character '0', not the 32nd character.
    for n in range(2000):
        first17 = f"91110199MA{n:07d}"
        assert uscc_check_char(first17) in "0123456789ABCDEFGHJKLMNPQRTUWXY"


@pytest.mark.parametrize("number", ["11010519491231002X", "11010119900307803X"])
def test_real_id_numbers_pass(number):
    assert normalize_id_number(number.lower()) == number


@pytest.mark.parametrize("number, message", [
    ("110105194912310021", "check digit is wrong"),
    ("110105194913310029", "impossible date"),
    ("11010519491231002", "17 digits"),
    ("1101051949123100XX", "17 digits"),
])
def test_bad_id_numbers_are_named(number, message):
    with pytest.raises(ValidationError) as error:
        normalize_id_number(number)
    assert message in str(error.value)


def test_mobile_numbers():
    assert normalize_mobile("+86 138-0013-8000") == "13800138000"
    assert normalize_mobile("＋８６ １３８\t００１３ ８０００") == "13800138000"  # full-width, any space
    # Other scripts' digits are digits to \d, but not a mobile number to be stored and compared.
    for bad in ("12800138000", "1380013800", "abc", "238001380001", "138٠0138000", "8613800138000"):
        with pytest.raises(ValidationError) as error:
            normalize_mobile(bad)
        assert "11 digits" in str(error.value)


@pytest.mark.parametrize("typed", ["13800138000", "+8613800138000", " +86 138-0013-8000 ", "+ 8 6-13800138000",
                                   "-1-3-8-0-0-1-3-8-0-0-0-", "138 0013 8000", "+86", "138001380", "+8713800138000",
                                   "13800138000+86", "138_0013_8000", "１３８００１３８０００"])
def test_what_the_input_pattern_allows_is_what_normalize_mobile_takes_in_ascii(typed):
    """The HR API states MOBILE_INPUT_PATTERN; the forms take the same after NFKC (full-width) and any space."""
    try:
        normalize_mobile(typed)
        taken = True
    except ValidationError:
        taken = False
    assert taken == bool(MOBILE_INPUT_PATTERN.match(typed)) or not typed.isascii()


def test_masking():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_mobile("13800138000") == "138****8000"
    assert mask_name("张伟") == "张*"
    assert mask_name("张大伟") == "张*伟"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_name("John Smith") == "J*** S****"
    assert mask_id_number(None) == "" and mask_mobile("") == ""


def test_an_old_15_digit_id_number_gets_a_message_that_says_so():
    with pytest.raises(ValidationError) as error:
        normalize_id_number("110105491231002")
    assert "15-digit" in str(error.value)
    with pytest.raises(ValidationError) as error:
        normalize_id_number("11010549123100")
    assert "15-digit" not in str(error.value)
