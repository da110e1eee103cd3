"""New passwords: zxcvbn's estimate with the person's own words, and our own messages in both languages."""
import pytest
from flask_babel import force_locale

from portal.domain.platform.errors import ValidationError
from portal.domain.platform import password_strength
from portal.domain.platform.password_strength import check_password
from zxcvbn import zxcvbn

OWN = ("13800138000", "zhangwei", "张伟")


def _refusal(password: str, identifiers=OWN, locale: str = "en") -> str:
    with pytest.raises(ValidationError) as error:
        check_password(password, identifiers=identifiers)
    with force_locale(locale):
        return str(error.value.message)


@pytest.mark.parametrize("password, reason", [
    ("P@ssw0rd", "look-alike"),  # the three examples
    ("admin@123", "most common passwords"),
    ("qwer1234", "most common passwords"),
    ("12345678", "most common passwords"),
    ("password", "most common passwords"),
    ("woaini1314", "most common passwords"),  # zxcvbn's lists miss these: our Chinese list has them
    ("Woaini@1314", "most common passwords"),
    ("5201314520", "most common passwords"),
    ("aaaaaaaa1", "Repeated"),
    ("Hx7#mq2P", "trying every combination"),  # eight random characters: about 10^8 guesses, just under the line
    ("Xiaofang@119", "pinyin"),
    ("P@ssw0rd2024", "look-alike"),
])
def test_guessable_passwords_are_refused_with_a_reason_and_advice(app, password, reason):
    message = _refusal(password)
    assert message.startswith("This password is too easy to guess; choose another. ")
    with force_locale("en"):
        advice = str(password_strength.ADVICE)
    assert reason in message and message.endswith(advice)


@pytest.mark.parametrize("password, message", [
    ("short1!", "at least 8"),
    ("a" * 129, "at most 128"),
    ("x13800138000y", "must not contain your name"),
    ("ZhangWei-Fire-77", "must not contain your name"),
    ("张伟的消防密码2026", "must not contain your name"),
])
def test_length_and_own_words(app, password, message):
    assert message in _refusal(password)


def test_a_short_user_name_is_left_to_the_estimate(app):
    check_password("Climbing-Rope-27", identifiers=("li",))  # contains "li", by chance


@pytest.mark.parametrize("password", ["Correct-Horse-9", "Demo-Pass-2026", "Fire-Drill-2026", "New-Secret-42",
                                      "tiger lamp river 9", "w" * 10 + "Kq7#zP2m" + "x" * 80])
def test_strong_passwords_pass(app, password):
    check_password(password, identifiers=OWN)


def test_messages_are_ours_never_zxcvbns_english(app):
    """zxcvbn's feedback is English only: every message is one of ours, so the catalogue translates it (and
    test_translations holds every one of ours to a translation)."""
    with force_locale("en"):
        reasons = [str(reason) for reason in (password_strength.TOO_SHORT,
                                              *(reason for _applies, reason in password_strength.REASONS))]
        ours = {str(password_strength.NOT_YOURS),
                *(f"{password_strength.VERDICT} {reason} {password_strength.ADVICE}" for reason in reasons)}
    for password in ("P@ssw0rd", "qwer1234", "aaaaaaaa1", "Hx7#mq2P", "Xiaofang@119", "abcdefgh", "1qaz2wsx3edc",
                     "19900101", "x13800138000y"):
        message = _refusal(password)
        feedback = zxcvbn(password)["feedback"]
        for text in [feedback["warning"], *feedback["suggestions"]]:
            assert not text or text not in message
        assert message in ours, message
