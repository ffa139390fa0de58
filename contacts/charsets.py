"""The encoding of an address book file that is not UTF-8 and names none.

Excel and Outlook write a CSV file in the Windows code page of the
computer's language, and Japanese phones write their vCards in Shift_JIS,
without saying so. Read as Windows-1252, such a file's names come out
garbled ("ŽR“c‘¾˜Y" for 山田太郎, "Èâàíîâ" for Иванов, "£ódŸ" for Łódź), so
the bytes are read in each likely encoding and the reading that gives the
likeliest text wins: names in a script's most common characters rather than
rare ones, words of one script rather than accented Latin letters alone,
words whose accents belong to one language's alphabet, letters with accents
inside words rather than symbols or capitals in their middle. Whenever the
evidence is thin or two readings are about as likely, the file is read as
Windows-1252, as before.

Only the lines holding bytes beyond ASCII in the first 64 KiB are read: a
10 MB file is guessed as fast as a small one.
"""

from __future__ import annotations

import collections
import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass

SAMPLE_SIZE = 65536

# The Windows code pages Excel, Outlook and phones write under the names
# Shift_JIS, GBK, Big5 and EUC-KR (what `vcard.foreign_codec` reads them as).
SHIFT_JIS = "cp932"
GBK = "gb18030"
BIG5 = "cp950"
EUC_KR = "cp949"
MAC_ROMAN = "mac-roman"
WINDOWS_1252 = "cp1252"
# The code pages of Windows in Central and Eastern Europe, Greece, Turkey,
# Israel and the Arab countries, which Excel and Outlook write there.
CENTRAL_EUROPEAN = "cp1250"
CYRILLIC = "cp1251"
GREEK = "cp1253"
TURKISH = "cp1254"
HEBREW = "cp1255"
ARABIC = "cp1256"

LABELS = {
    SHIFT_JIS: "Japanese (Shift_JIS; the file does not say so)",
    GBK: "Simplified Chinese (GBK; the file does not say so)",
    BIG5: "Traditional Chinese (Big5; the file does not say so)",
    EUC_KR: "Korean (EUC-KR; the file does not say so)",
    MAC_ROMAN: "Mac OS Roman (the file is not UTF-8)",
    CENTRAL_EUROPEAN: "Central European (Windows-1250; the file does not say so)",
    CYRILLIC: "Cyrillic (Windows-1251; the file does not say so)",
    GREEK: "Greek (Windows-1253; the file does not say so)",
    TURKISH: "Turkish (Windows-1254; the file does not say so)",
    HEBREW: "Hebrew (Windows-1255; the file does not say so)",
    ARABIC: "Arabic (Windows-1256; the file does not say so)",
}

# Characters common in each language's names, companies and addresses. A
# wrong reading of the bytes gives characters about at random, seldom these.
_COMMON = {
    SHIFT_JIS: frozenset(
        "田中山川本木村藤井上野原小大高橋佐伊加松島石林清水森池口谷部東西南北"
        "京都府県市区町村丁目番地号株式会社有限営業課長電話子郎太一二三美花恵"
        "和也健介翔輔直樹真理由香奈菜陽斗悠人結愛千葉埼玉神阪名古屋福岡札幌"
        "横浜仙台広島鈴渡辺吉斎後前坂岡長近金学校病院事務所新宿渋品黒世内田"
        "宮崎熊沢関久保菊地西尾平安浩明正幸雄夫博之誠秀春彦恵美智裕"
    ),
    GBK: frozenset(
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧"
        "田董袁潘蔡蒋余于杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅"
        "方邹孟熊秦邱江尹薛段雷侯龙史黎贺顾毛郝龚邵万钱严武戴莫孔向汤伟芳娜"
        "敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华文玉兰红建国志晓俊鹏飞宇"
        "浩然子涵欣怡梓轩北京上海广州深圳天津重庆南杭成都西安省市区县路街道"
        "号楼室村镇公司有限责任集团科技股份中人民大学银行电话经理总部小东"
    ),
    BIG5: frozenset(
        "陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱"
        "鍾游彭詹胡施沈余盧梁趙顏柯翁魏孫戴范方宋鄧杜傅侯曹薛丁卓阮馬董溫唐"
        "藍石蔣古紀姚連馮歐程湯田康姜汪白鄒尤巫鐘黎涂龔嚴韓袁金童陸夏柳邵志"
        "明俊傑宏偉建華文雅婷怡君淑芬美惠玲佳慧欣儀家豪冠宇承翰台臺北中雄新"
        "竹桃園南市縣區路街段巷弄號樓之鄉鎮里股份有限公司電話經理銀行大學香"
        "港九龍灣仔沙田東小"
    ),
    EUC_KR: frozenset(
        "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽"
        "성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반"
        "왕금옥육인맹제모탁국어은편용예경봉사부가복태목형피두감호영수준혜희동"
        "상철미숙자순재훈빈아름다운울특별시광역산대청북라군읍면리로번아파트층"
        "식회삼엘건설행병학교"
    ),
}

_LATIN_LETTER = re.compile(r"[A-Za-z]")


def guess(data: bytes) -> str | None:
    """The codec of a file that is neither UTF-8 nor says what it is in,
    when it is clearly one of the Windows code pages for Japanese, Chinese,
    Korean, Cyrillic, Greek, Hebrew, Arabic, Central European or Turkish,
    or Mac OS Roman; None for Windows-1252 (or when unsure)."""
    sample = _sample(data)
    if not sample:
        return None
    likely = sorted(
        filter(None, (_cjk_score(sample, codec) for codec in _COMMON)),
        key=lambda score: (score.common, score.good),
        reverse=True,
    )
    if likely:
        # Two languages' readings about as likely: neither is chosen.
        best, others = likely[0], likely[1:]
        if not others or best.common >= max(
            others[0].common + 2, 1.5 * others[0].common
        ):
            return best.codec
        return None
    # A line that reads as UTF-8 (a row added in a UTF-8 editor) says
    # nothing of which single-byte code page the others are in: those
    # seldom hold a byte sequence that is UTF-8 too.
    single_byte = b"\n".join(line for line in sample.split(b"\n") if not _is_utf8(line))
    non_latin = _non_latin(single_byte)
    if non_latin:
        return non_latin
    mac_roman = _western_score(sample, MAC_ROMAN)
    windows = _western_score(sample, WINDOWS_1252)
    # Most of its bytes beyond ASCII letters with accents in words, and
    # clearly more of them than read as Windows-1252.
    high_bytes = sum(byte >= 0x80 for byte in sample)
    if mac_roman * 2 >= high_bytes and mac_roman >= windows + 3:
        return MAC_ROMAN
    return _latin(single_byte)


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _sample(data: bytes) -> bytes:
    """The lines of the first 64 KiB that hold bytes beyond ASCII.

    No double-byte encoding uses a line end within a character, so cutting
    at one keeps every character whole.
    """
    head = data[:SAMPLE_SIZE]
    if len(data) > SAMPLE_SIZE:
        head = head[: head.rfind(b"\n") + 1]
    return b"\n".join(line for line in head.splitlines() if not line.isascii())


@dataclass(frozen=True)
class _Score:
    codec: str
    good: int  # characters the language often writes
    common: int  # of those, characters its names and addresses often have


# At least this many likely characters before a file is read as Japanese,
# Chinese or Korean: a name or two, not a stray pair of accented letters.
_MINIMUM_GOOD = 4


def _cjk_score(sample: bytes, codec: str) -> _Score | None:
    """How likely `sample` is to be in `codec`, or None if it is not at all:
    bytes the code page does not define, or too many characters no one
    writes (private use, controls) or rare ones. A phone's own emoji are
    private use characters, so a few are let by."""
    try:
        text = sample.decode(codec)
    except UnicodeDecodeError:
        return None
    common_set = _COMMON[codec]
    good = common = rare = bad = 0
    previous = ""
    for index, char in enumerate(text):
        if char.isascii():
            previous = char
            continue
        kind = _cjk_kind(char, codec)
        following = text[index + 1 : index + 2]
        if kind == "bad":
            bad += 1
        elif kind == "good" and not (
            _LATIN_LETTER.match(previous) and _LATIN_LETTER.match(following)
        ):
            good += 1
            common += char in common_set
        elif kind != "neutral":
            # A rare character, or one wedged between Latin letters as
            # Western accents read in a double-byte code page come out.
            rare += 1
        previous = char
    if good < _MINIMUM_GOOD or rare * 5 > good or bad * 20 > good:
        return None
    return _Score(codec, good, common)


@functools.lru_cache(maxsize=8192)
def _cjk_kind(char: str, codec: str) -> str:
    """What `char`, read in `codec`, tells: "good" (a script's usual
    letters), "rare", "neutral" (punctuation, full-width forms) or "bad"
    (private use, controls: what a wrong reading gives)."""
    point = ord(char)
    category = unicodedata.category(char)
    if category in ("Co", "Cn", "Cc", "Cs") or char == "\ufffd":
        return "bad"
    if 0x3000 <= point <= 0x303F or 0xFF01 <= point <= 0xFF60 or category[0] in "PZ":
        return "neutral"
    if 0xFF61 <= point <= 0xFF9F:  # half-width katakana, for names' readings
        return "neutral" if codec == SHIFT_JIS else "rare"
    if 0x3040 <= point <= 0x30FF:  # hiragana and katakana
        return "good" if codec == SHIFT_JIS else "rare"
    if 0xAC00 <= point <= 0xD7A3:  # hangul syllables
        return "good" if codec == EUC_KR and _encodes(char, "euc_kr") else "rare"
    if 0x4E00 <= point <= 0x9FFF:
        return "good" if _first_level(char, codec) else "rare"
    return "rare"


def _encodes(char: str, codec: str) -> bytes:
    try:
        return char.encode(codec)
    except UnicodeEncodeError:
        return b""


def _first_level(char: str, codec: str) -> bool:
    """Whether an ideograph is among the most used ones of its code page's
    standard: JIS level 1, GB2312 level 1, Big5's common characters. Korean
    writes hangul, and its ideographs seldom in contacts."""
    if codec == SHIFT_JIS:
        return b"\x88\x9f" <= _encodes(char, SHIFT_JIS) <= b"\x98\x72"
    if codec == GBK:
        return b"\xb0\xa1" <= _encodes(char, "gb2312") <= b"\xd7\xf9"
    if codec == BIG5:
        return b"\xa4\x40" <= _encodes(char, "big5") <= b"\xc6\x7e"
    return False


def _western_score(sample: bytes, codec: str) -> int:
    """How much `sample` read in `codec` looks like Western names and
    notes: letters with accents inside words count for it; capitals in a
    word's middle ("CafŽ", "MŸller"), symbols between letters ("M¸ller")
    and undefined bytes against it."""
    text = sample.decode(codec, "replace")
    score = 0
    for index, char in enumerate(text):
        if char.isascii():
            continue
        before = text[index - 1 : index] if index else ""
        after = text[index + 1 : index + 2]
        score += _western_points(char, before, after)
    return score


def _western_points(char: str, before: str, after: str) -> int:
    """What a character beyond ASCII, between `before` and `after`, says
    for the reading that gave it."""
    category = unicodedata.category(char)
    if char == "\ufffd" or category in ("Cc", "Co", "Cn"):
        return -5
    if category in ("Lu", "Ll", "Lt") and unicodedata.name(char, "").startswith(
        "LATIN"
    ):
        if category == "Lu" and before.islower():
            return -2  # "CafŽ", "JosÈ"
        if before.isalpha() or after.isalpha():
            return 1
        return -1 if before.isdigit() or after.isdigit() else 0
    if char in "’'" and before.isalpha() and after.isalpha():
        return 1  # Don’t
    if char in "–—" and not (before.isalpha() and after.isalpha()):
        return 1
    if char == "€" and (before.isdigit() or after in (" ", "") or after.isdigit()):
        return 1
    if before.isalpha() and after.isalpha():
        return -2  # "M¸ller", "Stra§e"
    return 0


# The script each code page writes beyond ASCII, and the letters most of
# its languages' words are made of (Russian, Ukrainian and Bulgarian; Greek;
# Hebrew; Arabic): a reading in the wrong one of these code pages gives
# letters of the script too, but rare ones more often.
_SCRIPTS = {
    CYRILLIC: ("CYRILLIC", frozenset("оеаинтсрвлкмдпуі")),
    GREEK: ("GREEK", frozenset("αοειτσςνηυρπκμλάέίόήύώ")),
    HEBREW: ("HEBREW", frozenset("יוהלאמרבתשנדכםע")),
    ARABIC: ("ARABIC", frozenset("اليمونرتبعدسهةفكقحأ")),
}

# Letters a script writes only at a word's end.
_FINAL_FORMS = frozenset("ςךםןףץ")
# Letters a script's words seldom hold, but a wrong reading often gives:
# ΰ and ΐ are Hebrew's א and Windows-1250's Ŕ read as Greek.
_SELDOM = frozenset("ΰΐ")
_GREEK_ACCENTS = frozenset("άέήίόύώ")

# At least this many words of a script before a file is read in its code
# page: a name, not a stray pair of accented letters.
_MINIMUM_WORDS = 2


# A run of letters, and of the vowel signs Hebrew and Arabic write over
# them (\w without digits, the underscore and the fractions and superscript
# digits these code pages hold, which are not letters).
_WORD = re.compile(
    r"(?:[^\W\d_¹²³¼½¾]|[\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a\u064b-\u065f\u0670])+"
)


def _words(text: str) -> list[str]:
    """The runs of letters (and of the vowel signs written over them) of
    `text` that hold some beyond ASCII."""
    return [word for word in _WORD.findall(text) if not word.isascii()]


def _foreign_words(text: str) -> tuple[int, int]:
    """Of the words of `text` read as Windows-1252 that hold letters beyond
    ASCII, how many are of three letters or more, most of them beyond ASCII
    ("Èâàíîâ" for Иванов; Western words are so only when short: "été"),
    and how many there are in all."""
    words = collections.Counter(_words(text))
    foreign = sum(
        count
        for word, count in words.items()
        if len(word) >= 3 and sum(not char.isascii() for char in word) * 2 > len(word)
    )
    return foreign, words.total()


def _in_script(word: str, script: str) -> bool:
    """Whether `word` is letters of `script` alone, written as the script
    writes them: no capital after a small letter, vowel signs only after a
    letter, final forms (ς, ם) only at the end, none of its seldom letters."""
    for index, char in enumerate(word):
        if not unicodedata.name(char, "").startswith(script + " "):
            return False
        before = word[index - 1] if index else ""
        if unicodedata.category(char) == "Mn" and not before:
            return False
        if char.isupper() and before.islower():
            return False
        if (char in _FINAL_FORMS and index < len(word) - 1) or char in _SELDOM:
            return False
    return True


def _script_score(sample: bytes, codec: str) -> _Score | None:
    """How likely `sample` is to be in the code page `codec` of a non-Latin
    script, or None if it is not at all: bytes the code page does not
    define, too few words of the script, or more than a few words that mix
    it with another script or break its rules."""
    try:
        text = sample.decode(codec)
    except UnicodeDecodeError:
        return None
    script, common_set = _SCRIPTS[codec]
    good = common = bad = 0
    letters = set()
    for word, count in collections.Counter(_words(text)).items():
        if _in_script(word, script):
            good += count
            common += count * sum(char.lower() in common_set for char in word)
            letters.update(word)
        else:
            bad += count
    if good < _MINIMUM_WORDS or bad * 5 > good:
        return None
    small = any(char.islower() for char in letters)
    if small and codec in (CYRILLIC, GREEK):
        # Names in a script with capitals start with one; Greek accents
        # all but its shortest words ("Νίκος"). Hebrew read as Cyrillic or
        # Greek gives small letters alone, and no accent.
        if not any(char.isupper() for char in letters):
            return None
        if codec == GREEK and not letters & _GREEK_ACCENTS:
            return None
    return _Score(codec, good, common)


def _non_latin(sample: bytes) -> str | None:
    """The code page of Cyrillic, Greek, Hebrew or Arabic `sample` is
    clearly in, or None."""
    foreign, words = _foreign_words(sample.decode(WINDOWS_1252, "replace"))
    if foreign < _MINIMUM_WORDS or foreign * 2 < words:
        return None
    likely = sorted(
        filter(None, (_script_score(sample, codec) for codec in _SCRIPTS)),
        key=lambda score: (score.common, score.good),
        reverse=True,
    )
    if not likely:
        return None
    best, others = likely[0], likely[1:]
    if others and best.common < max(others[0].common + 3, 1.3 * others[0].common):
        return None
    return best.codec


# The letters beyond ASCII of the languages written in Latin letters in
# Windows-1252, Windows-1250 and Windows-1254. Each word of a file is in
# one language: read in the wrong code page, a word's letters seldom all
# belong to one ("Dvoøák" for Dvořák, "Þükrü" for Şükrü).
_ALPHABETS = tuple(
    frozenset(letters + letters.upper())
    for letters in (
        "äöüß",  # German
        "àâæçéèêëîïôœùûüÿ",  # French
        "áéíñóúü",  # Spanish
        "áâãàçéêíóôõú",  # Portuguese
        "àèéìíîòóùú",  # Italian
        "àçèéíïòóúü",  # Catalan
        "éèëïöü",  # Dutch
        "åæøéó",  # Danish, Norwegian
        "åäöéšž",  # Swedish, Finnish
        "áðéíóúýþæö",  # Icelandic
        "äöõüšž",  # Estonian
        "çë",  # Albanian
        "ąćęłńóśźż",  # Polish
        "áčďéěíňóřšťúůýž",  # Czech
        "áäčďéíĺľňóôŕšťúýž",  # Slovak
        "áéíóöőúüű",  # Hungarian
        "ăâîșțşţ",  # Romanian
        "čćđšž",  # Croatian, Serbian, Bosnian, Slovenian
        "çğıöşüâîûİ",  # Turkish
    )
)


@dataclass(frozen=True)
class _Reading:
    codec: str
    score: int
    fitting: int  # words whose letters are of one language's alphabet
    total: int  # words holding letters beyond ASCII
    words: frozenset[str]
    one_language: bool  # all its words' letters of one alphabet


def _latin_reading(sample: bytes, codec: str) -> _Reading:
    """How much `sample` read in `codec` looks like names and notes in
    Latin letters: each word whose letters beyond ASCII all belong to one
    language's alphabet counts for it, each other word against it, and
    more so a capital in a word's middle ("£ódŸ") or a symbol between
    letters ("Wa³êsa")."""
    text = sample.decode(codec, "replace")
    score = fitting = 0
    words = collections.Counter(_words(text))
    for word, count in words.items():
        letters = {char for char in word if not char.isascii()}
        if any(letters <= alphabet for alphabet in _ALPHABETS):
            fitting += count
        score -= (
            2
            * count
            * sum(
                char.isupper() and before.islower()
                for before, char in itertools.pairwise(word)
            )
        )
    total = words.total()
    score += fitting - (total - fitting)
    # A byte the code page does not define is left out: a damaged byte, or
    # a character of another code page, says nothing of words.
    score -= 2 * sum(
        not char.isalpha() and char not in "’·\ufffd"
        for char in _BETWEEN_LETTERS.findall(text)
    )
    letters = {char for word in words for char in word if not char.isascii()}
    one_language = any(letters <= alphabet for alphabet in _ALPHABETS)
    return _Reading(codec, score, fitting, total, frozenset(words), one_language)


# A character beyond ASCII between two letters.
_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_¹²³¼½¾])[^\x00-\x7f](?=[^\W\d_¹²³¼½¾])")


# How much more likely than Windows-1252 (and than each other) a reading
# in Windows-1250 or Windows-1254 must be: a few words only one of them
# reads as a language, not one word that reads either way.
_LATIN_MARGIN = 3
# A file whose words read as one language in a code page but as several
# in Windows-1252 counts this much more for the code page, given this
# many words that read differently: not a few names from a mix of
# Western languages that happen to read as Czech or Slovak. Windows-1254
# differs from Windows-1252 only in six letters (ı ş ğ for ý þ ð), which
# no Western language but Icelandic writes: it can count for more.
_ONE_LANGUAGE = {CENTRAL_EUROPEAN: 2, TURKISH: 3}
_ONE_LANGUAGE_WORDS = 3

# Hungarian's letters beyond ASCII as Windows-1252 reads them: all are
# Western letters but ő ű Ő Ű, which it reads as õ û Õ Û, letters of
# Portuguese and Estonian (õ) and French (û) words.
_HUNGARIAN_READ_AS_WESTERN = frozenset("áéíóöúüõûÁÉÍÓÖÚÜÕÛ")
_READ_FOR_DOUBLE_ACUTE = frozenset("õûÕÛ")
# Portuguese writes õ before e alone (Simões, põe); Hungarian's ő comes
# before other letters (Győző, Lőrinc, főorvos), seldom e.
_PORTUGUESE_TILDE = re.compile("[õÕ][eéEÉ]")
# A word neither Estonian nor French writes: õ at its end (Jenõ, Gödöllõ,
# Ügyvezetõ; Estonian writes õ in a word's first syllable: Põld, Tõnisson,
# Vanamõisa), or a pair of consonants Hungarian writes for one sound
# (Szõke, Gyõri, Szûcs).
_HUNGARIAN_WORD = re.compile(r"[õÕ]$|sz|zs|cs|cz|gy|ly|ny|ty", re.IGNORECASE)
# At least this many words with ő or ű before a file is read as
# Hungarian: not one name that reads either way.
_HUNGARIAN_WORDS = 2


def _hungarian(western: _Reading) -> bool:
    """Whether the Windows-1252 reading `western` is Hungarian whose ő and
    ű came out as õ and û ("Szõke", "Hegedûs"): its letters beyond ASCII
    all Hungarian's (not Estonian's "Mägi" nor French's "Lefèvre"), a few
    words with õ or û, one of them a word neither Estonian nor French
    writes, and no õ before e (not Portuguese's "Simões")."""
    letters = {char for word in western.words for char in word if not char.isascii()}
    read_for_double_acute = [
        word for word in western.words if _READ_FOR_DOUBLE_ACUTE & set(word)
    ]
    return (
        letters <= _HUNGARIAN_READ_AS_WESTERN
        and len(read_for_double_acute) >= _HUNGARIAN_WORDS
        and any(_HUNGARIAN_WORD.search(word) for word in read_for_double_acute)
        and not any(_PORTUGUESE_TILDE.search(word) for word in read_for_double_acute)
    )


def _latin(sample: bytes) -> str | None:
    """Windows-1250 or Windows-1254 when `sample` is clearly in it rather
    than in Windows-1252, or None."""
    western = _latin_reading(sample, WINDOWS_1252)
    likely = []
    for codec in (CENTRAL_EUROPEAN, TURKISH):
        reading = _latin_reading(sample, codec)
        # Mostly words of some language, not bytes of another kind.
        if reading.fitting < _MINIMUM_WORDS or reading.fitting * 3 < reading.total * 2:
            continue
        strength = reading.score
        if (
            reading.one_language
            and not western.one_language
            and len(reading.words - western.words) >= _ONE_LANGUAGE_WORDS
        ):
            strength += _ONE_LANGUAGE[codec]
        if codec == CENTRAL_EUROPEAN and _hungarian(western):
            # Each word reads as some language either way: the file's
            # letters, not its words, tell it is Hungarian.
            strength += _LATIN_MARGIN
        likely.append((strength, codec))
    if not likely:
        return None
    likely.sort(reverse=True)
    (best, codec), others = likely[0], likely[1:]
    rival = max([western.score] + [strength for strength, _ in others])
    return codec if best >= rival + _LATIN_MARGIN else None
