"""How strong a new password must be: zxcvbn's estimate of how many guesses it takes, with the person's own
name, user name and mobile number as words it knows, and a short list of what Chinese users pick often.

zxcvbn scores 0 to 4 by the guesses an attacker needs; MIN_SCORE 3 means about 10^8 or more. A wrong password
online is slowed down by the waits (domain/login_backoff.py) to a few dozen tries a day, so this margin is about
a stolen database: 10^8 argon2 hashes at production cost is years for one machine, while every score-2 password
(P@ssw0rd2024, qwer1234abc, woaini1314...) sits near the top of the lists attackers try first.

zxcvbn's own feedback is English only: its matches are turned into our own translated messages instead.
"""
from __future__ import annotations

import functools
import threading

from flask_babel import lazy_gettext as _l

from portal.domain.platform.errors import ValidationError

MIN_LENGTH = 8
MAX_LENGTH = 128
MIN_SCORE = 3
# zxcvbn refuses longer input (its matching grows with the square of the length); the first 72 characters of a
# longer password are at least as strong as the estimate says.
ESTIMATED_LENGTH = 72

# What zxcvbn's lists (English, from western leaks) miss: what Chinese users pick often as a password, and pinyin
# words (common surnames and given names, places, this portal's own subject), each ranked roughly by frequency.
CHINESE_PASSWORDS = """woaini 5201314 1314 520 1314520 woaini1314 wodemima mima aini admin root woaiwojia
zhongguo""".split()
PINYIN_WORDS = """xiaofang anquan huozai peixun miehuo taosheng beijing shanghai siping tiexi pingxi jilin wang li
zhang liu chen yang zhao huang zhou wu xu sun hu zhu gao lin he guo ma luo liang song zheng xie han tang feng yu dong
xiao cheng cao yuan deng fu shen zeng peng lu su jiang cai jia ding wei xue ye yan pan du dai xia zhong tian ren fan
fang shi yao tan liao zou xiong jin hao kong bai cui kang mao qiu qin gu hou shao meng long wan duan lei qian yin yi
chang qiao lai gong wen ming hua jun hong ping yun fei xin jie ling lili fangfang tingting xiaoming xiaohong""".split()


@functools.cache
def _estimator():
    """zxcvbn with our lists, loaded at the first new password: its frequency lists take about 13 MB, which a
    worker that never sees a new password does not need to hold."""
    from zxcvbn import matching, zxcvbn

    matching.add_frequency_lists({"chinese_passwords": CHINESE_PASSWORDS, "pinyin_words": PINYIN_WORDS})
    return zxcvbn


# zxcvbn keeps the person's own words in a module-level dictionary while it runs: one estimate at a time.
_estimating = threading.Lock()

NOT_YOURS = _l("The password must not contain your name, user name or mobile number.")
VERDICT = _l("This password is too easy to guess; choose another.")
ADVICE = _l("Add another word or two: a few unrelated words with a digit or symbol between them are strong and "
            "easy to remember.")
# Why a password is weak, from zxcvbn's matches; the first that applies is shown.
REASONS = (
    (lambda m: m.get("dictionary_name") == "user_inputs", NOT_YOURS),
    (lambda m: m.get("dictionary_name") in ("passwords", "chinese_passwords") and not m.get("l33t"),
     _l("It is one of the most common passwords.")),
    (lambda m: m.get("l33t"), _l("Letters replaced by look-alike digits or symbols (P@ssw0rd) are among the first "
                                 "things tried.")),
    (lambda m: m["pattern"] == "spatial", _l("Rows of neighbouring keys (qwer, 1qaz) are easy to guess.")),
    (lambda m: m["pattern"] == "repeat", _l("Repeated characters or groups (aaa, 520520) are easy to guess.")),
    (lambda m: m["pattern"] == "sequence", _l("Sequences (abcd, 1234, 9876) are easy to guess.")),
    (lambda m: m["pattern"] in ("date", "regex"), _l("Dates and years (birthdays, 2024) are easy to guess.")),
    (lambda m: m["pattern"] == "dictionary", _l("Common words, names and pinyin are easy to guess on their own.")),
)
TOO_SHORT = _l("A few random characters are found by trying every combination.")


def check_password(password: str, *, identifiers: tuple[str, ...] = ()) -> None:
    """Refuse a password that is too short or too long, contains the person's own user name or mobile, or that
    zxcvbn estimates below MIN_SCORE; `identifiers`: the person's user name, mobile, name (any may be empty)."""
    if len(password) < MIN_LENGTH:
        raise ValidationError(_l("The password must have at least 8 characters."))
    if len(password) > MAX_LENGTH:
        raise ValidationError(_l("The password must have at most 128 characters."))
    own = [identifier.strip() for identifier in identifiers if identifier and identifier.strip()]
    lowered = password.lower()
    if any(identifier.lower() in lowered for identifier in own if _distinctive(identifier)):
        raise ValidationError(NOT_YOURS)
    with _estimating:
        estimate = _estimator()(password[:ESTIMATED_LENGTH], user_inputs=own)
    if estimate["score"] < MIN_SCORE:
        raise ValidationError(_l("%(verdict)s %(reason)s %(advice)s", verdict=VERDICT,
                                 reason=_reason(estimate["sequence"]), advice=ADVICE))


def _distinctive(identifier: str) -> bool:
    """Long enough that containing it is no coincidence: 3 letters or digits, or 2 Chinese characters (a short
    user name like "li" is left to the estimate, which knows it too)."""
    return len(identifier) >= 3 or (len(identifier) >= 2 and not identifier.isascii())


def _reason(matches: list[dict]):
    for applies, message in REASONS:
        if any(applies(match) for match in matches):
            return message
    return TOO_SHORT
