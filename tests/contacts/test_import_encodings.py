"""Files that are not UTF-8 and do not say what they are in: Excel's and
Outlook's CSV files in Japanese, Chinese or Korean, in Russian, Polish,
Czech, Hungarian, Greek, Turkish, Hebrew or Arabic, a Japanese phone's
vCards, an old Mac's CSV, and the Windows-1252 files they must not be
mistaken for."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Contact, ContactImport
from contacts.uploads import CSV, VCARD, decode_upload

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
Status = ContactImport.Status
WINDOWS_1252 = "Windows-1252 (the file is not UTF-8)"


@pytest.mark.parametrize(
    ("name", "codec", "encoding", "kind", "names"),
    [
        (
            "shift_jis_outlook.csv",
            "cp932",
            "Japanese (Shift_JIS; the file does not say so)",
            CSV,
            ["山田", "株式会社山田商事", "髙橋", "さくら歯科医院"],
        ),
        (
            "shift_jis_phone_30.vcf",
            "cp932",
            "Japanese (Shift_JIS; the file does not say so)",
            VCARD,
            ["山田太郎", "山﨑花子", "ﾔﾏｻﾞｷ", "大阪市中央区"],
        ),
        (
            "gbk_google.csv",
            "gb18030",
            "Simplified Chinese (GBK; the file does not say so)",
            CSV,
            ["王小明", "北京华为科技有限公司", "中关村大街1号"],
        ),
        (
            "big5_google.csv",
            "cp950",
            "Traditional Chinese (Big5; the file does not say so)",
            CSV,
            ["陳志明", "臺北市", "國泰世華銀行"],
        ),
        (
            "euc_kr_google.csv",
            "cp949",
            "Korean (EUC-KR; the file does not say so)",
            CSV,
            ["김민준", "삼성전자 주식회사", "서울특별시"],
        ),
        (
            "mac_roman.csv",
            "mac-roman",
            "Mac OS Roman (the file is not UTF-8)",
            CSV,
            ["Hélène", "Besançon", "Jürgen,Müller", "Straße", "Zoë", "Éditions"],
        ),
        (
            "windows1251_outlook.csv",
            "cp1251",
            "Cyrillic (Windows-1251; the file does not say so)",
            CSV,
            ["Иван,Иванов", "ООО «Ромашка»", "Санкт-Петербург", "Встреча в июне"],
        ),
        (
            "windows1250_outlook.csv",
            "cp1250",
            "Central European (Windows-1250; the file does not say so)",
            CSV,
            ["Łódź", "Małgorzata,Wiśniewska", "Antonín,Dvořák", "Erdős", "Kőbányai"],
        ),
        (
            "windows1253_outlook.csv",
            "cp1253",
            "Greek (Windows-1253; the file does not say so)",
            CSV,
            ["Γιώργος,Παπαδόπουλος", "Θεσσαλονίκη", "Φίλος από το πανεπιστήμιο"],
        ),
        (
            "windows1254_outlook.csv",
            "cp1254",
            "Turkish (Windows-1254; the file does not say so)",
            CSV,
            ["Mehmet,Yılmaz", "Şükrü,Öztürk", "İstanbul", "Doğum günü"],
        ),
        (
            "windows1255_outlook.csv",
            "cp1255",
            "Hebrew (Windows-1255; the file does not say so)",
            CSV,
            ["משה,כהן", "תל אביב", "ירושלים"],
        ),
        (
            "windows1256_outlook.csv",
            "cp1256",
            "Arabic (Windows-1256; the file does not say so)",
            CSV,
            ["محمد,العلي", "القاهرة", "عمّان"],
        ),
    ],
)
def test_a_file_that_does_not_say_its_encoding_is_read_in_the_likeliest(
    name, codec, encoding, kind, names
):
    data = (DATA / name).read_bytes()
    decoded = decode_upload(data, file_name=name)
    assert (decoded.codec, decoded.encoding, decoded.kind) == (codec, encoding, kind)
    assert all(part in decoded.text for part in names)
    # The codec gives the bytes back, for a vCard property's own CHARSET.
    assert decoded.text.encode(codec) == data


def test_a_japanese_outlook_csv_is_previewed_and_imported_in_japanese(
    alice, alice_client, run
):
    content = (DATA / "shift_jis_outlook.csv").read_bytes()
    run(
        alice_client.post,
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("連絡先.csv", content)},
    )
    batch = ContactImport.objects.get(owner=alice)
    assert batch.status == Status.READY, batch.error
    assert (batch.new_count, batch.problem_count) == (4, 0)
    page = alice_client.get(
        reverse("contacts:import_detail", args=[batch.pk])
    ).content.decode()
    assert "read as Japanese (Shift_JIS; the file does not say so)" in page
    response = run(
        alice_client.post,
        reverse("contacts:import_confirm", args=[batch.pk]),
        {"on_duplicate": "skip"},
    )
    assert response.status_code == 302
    contacts = {c.shown_name: c for c in Contact.objects.filter(owner=alice)}
    assert set(contacts) == {"山田太郎", "佐藤花子", "髙橋一郎", "鈴木さくら"}
    taro = contacts["山田太郎"]
    assert (taro.family_name, taro.given_name) == ("山田", "太郎")
    assert (taro.organization, taro.job_title) == ("株式会社山田商事", "営業部長")
    assert taro.notes == "大学の友人"
    [office] = taro.addresses.all()
    assert (office.street, office.city, office.country) == (
        "西新宿二丁目8番1号",
        "新宿区",
        "日本",
    )
    assert contacts["鈴木さくら"].organization == "さくら歯科医院"


def test_a_japanese_phones_vcards_without_charset_are_imported(alice, flow):
    batch = flow.upload(alice, "shift_jis_phone_30.vcf")
    assert batch.status == Status.READY, batch.error
    assert batch.encoding == "Japanese (Shift_JIS; the file does not say so)"
    flow.confirm(batch)
    contacts = {c.shown_name: c for c in Contact.objects.filter(owner=alice)}
    assert set(contacts) == {"山田太郎", "山﨑花子", "中村健"}
    assert contacts["山田太郎"].notes == "大学の友人"
    assert contacts["山﨑花子"].organization == "株式会社ドコモ"
    [home] = contacts["中村健"].addresses.all()
    assert (home.street, home.city, home.postal_code) == (
        "本町3-5-7",
        "大阪市中央区",
        "541-0053",
    )


def test_a_russian_outlook_csv_is_previewed_and_imported_in_cyrillic(
    alice, alice_client, run
):
    content = (DATA / "windows1251_outlook.csv").read_bytes()
    run(
        alice_client.post,
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("Контакты.csv", content)},
    )
    batch = ContactImport.objects.get(owner=alice)
    assert batch.status == Status.READY, batch.error
    assert (batch.new_count, batch.problem_count) == (4, 0)
    page = alice_client.get(
        reverse("contacts:import_detail", args=[batch.pk])
    ).content.decode()
    assert "read as Cyrillic (Windows-1251; the file does not say so)" in page
    assert "Иванов" in page
    response = run(
        alice_client.post,
        reverse("contacts:import_confirm", args=[batch.pk]),
        {"on_duplicate": "skip"},
    )
    assert response.status_code == 302
    contacts = {c.shown_name: c for c in Contact.objects.filter(owner=alice)}
    assert set(contacts) == {
        "Иван Иванов",
        "Ольга Смирнова",
        "Сергей Кузнецов",
        "Наталья Попова",
    }
    ivan = contacts["Иван Иванов"]
    assert (ivan.given_name, ivan.family_name) == ("Иван", "Иванов")
    assert (ivan.organization, ivan.job_title) == (
        "ООО «Ромашка»",
        "Менеджер по продажам",
    )
    assert ivan.notes == "Друг по университету"
    [office] = ivan.addresses.all()
    assert (office.street, office.city, office.country) == (
        "ул. Тверская, д. 7",
        "Москва",
        "Россия",
    )


def test_a_russian_vcard_naming_no_charset_is_read_in_cyrillic(alice, flow):
    content = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Петрова;Анна;;;\r\nFN:Анна Петрова\r\n"
        "ORG:Газпром\r\nNOTE:Коллега из Казани\r\nEND:VCARD\r\n"
    ).encode("cp1251")
    batch = flow.upload(alice, "anna.vcf", content)
    assert batch.encoding == "Cyrillic (Windows-1251; the file does not say so)"
    flow.confirm(batch)
    anna = Contact.objects.get(owner=alice)
    assert (anna.shown_name, anna.organization, anna.notes) == (
        "Анна Петрова",
        "Газпром",
        "Коллега из Казани",
    )


def test_an_old_macs_csv_keeps_its_accents(alice, flow):
    batch = flow.upload(alice, "mac_roman.csv")
    if batch.status == Status.MAPPING:
        batch = flow.set_mapping(batch, batch.mapping)
    assert batch.status == Status.READY, batch.error
    flow.confirm(batch)
    contacts = Contact.objects.filter(owner=alice)
    names = set(contacts.values_list("shown_name", flat=True))
    assert names == {"Hélène Dupré", "Jürgen Müller", "François Lefèvre", "Zoë Brontë"}


@pytest.mark.parametrize(
    ("codec", "names"),
    [
        # Read as Greek, Hebrew is small letters alone and no accent.
        ("cp1255", ["חבר", "יוסף ביטון"]),
        ("cp1251", ["Андрій Шевченко", "Київ"]),
        ("cp1253", ["Νίκος Αλεξίου"]),
        ("cp1256", ["خالد إبراهيم", "دبي"]),
        # "Kýlýç" and "Büþra" read as no language, "Yýldýz" and "Doðan" as
        # Czech and Icelandic: the whole file reads as Turkish alone.
        ("cp1254", ["Hüseyin Doğan", "Hatice Kılıç", "Büşra Yıldız", "Kadıköy"]),
        ("cp1250", ["Jiří Novák", "Kateřina Marková", "Zdeněk Pospíšil", "Třebíč"]),
        ("cp1250", ["Paweł Woźniak", "Małgorzata Dąbrowska"]),
    ],
)
def test_a_few_names_are_enough_to_read_their_code_page(codec, names):
    text = "Name,Notes\r\n" + "".join(f"{name},\r\n" for name in names)
    decoded = decode_upload(text.encode(codec))
    assert (decoded.codec, decoded.text) == (codec, text)


WESTERN = [
    "Müller",
    "José",
    "Zoë",
    "naïve café",
    "Renée",
    "“Bob” said it’s fine",
    "Paid €20, then 20 €",
    "Paris — Lyon – Nice",
    "MÜLLER, JOSÉ",
    "Éric Lefèvre",
    "Jürgen Weiß, Friedrichstraße 12",
    "Åsa Östlund, Malmö",
    "Ærøskøbing Kjærsgaard",
    "São Paulo, Gonçalves",
    "Señor Íñigo Peña",
]


@pytest.mark.parametrize("words", WESTERN)
@pytest.mark.parametrize(
    "template",
    [
        "First Name,Last Name,Notes\r\nAda,Lovelace,{}\r\n",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nNOTE:{}\r\nEND:VCARD\r\n",
    ],
    ids=["csv", "vcard"],
)
def test_windows_1252_text_is_still_read_as_windows_1252(words, template):
    text = template.format(words)
    decoded = decode_upload(text.encode("cp1252"))
    assert (decoded.text, decoded.codec, decoded.encoding) == (
        text,
        "cp1252",
        WINDOWS_1252,
    )


@pytest.mark.parametrize(
    "names",
    [
        # Read as Windows-1250, "Sřren", "Bérengčre", "Ĺlesund" and "Bergueđŕ"
        # fit Czech or Slovak as well.
        ["Søren Kierkegaard", "Girona", "Aimée Désirée", "Sofía Gutiérrez"],
        ["Trondheim Ålesund", "Clémentine Bérengère", "élève", "Berguedà"],
        ["Tromsø", "Niccolò", "Giosuè Carducci", "Città di Castello"],
        # Read as Windows-1254, ð þ ý are Turkish's ğ ş ı.
        ["Þórður Sigurðsson", "Guðrún Jónsdóttir", "Ísafjörður", "Egilsstaðir"],
        ["Åsa Östlund", "Jyväskylä", "Mäkinen Hämäläinen", "Ærøskøbing"],
    ],
    ids=["nordic-and-spanish", "french-and-catalan", "italian", "icelandic", "nordic"],
)
def test_an_address_book_of_western_names_stays_windows_1252(names):
    text = "Name,Notes\r\n" + "".join(f"{name},\r\n" for name in names)
    decoded = decode_upload(text.encode("cp1252"))
    assert (decoded.codec, decoded.text) == ("cp1252", text)


@pytest.mark.parametrize(
    "name",
    [
        "outlook.csv",
        "outlook_de.csv",
        "outlook_semicolon.csv",
        "outlook_21.vcf",
        "windows1252.vcf",
    ],
)
def test_windows_1252_exports_are_not_mistaken_for_another_encoding(name):
    decoded = decode_upload((DATA / name).read_bytes(), file_name=name)
    assert decoded.codec == "cp1252"
    assert "\ufffd" not in decoded.text


@pytest.mark.parametrize(
    "names",
    [
        ["Erdős Pál", "Szőke Anna"],
        ["Kovács Jenő", "Hegedűs Ágnes", "Tóth Gábor"],
        ["Szűcs Dezső", "Nagy Mária", "Győri Ildikó", "Budapest, Fő utca 12"],
        ["Lőrinc Nóra", "Kőrösi Zoltán", "Főorvos a kórházban", "Gödöllő"],
        [
            "Keserű Ernő",
            "Mészáros Emőke",
            "Szőllősi Péter",
            "Farkas Gergő",
            "Ügyvezető",
        ],
    ],
    ids=[
        "two-names",
        "three-names",
        "with-an-address",
        "o-double-acute-before-o",
        "five-names",
    ],
)
def test_a_hungarian_address_book_is_read_in_windows_1250(names):
    # Windows-1252 reads ő and ű as õ and û: "Erdõs" and "Hegedûs" are
    # letters of Portuguese, Estonian or French words.
    text = "Name,Notes\r\n" + "".join(f"{name},\r\n" for name in names)
    decoded = decode_upload(text.encode("cp1250"))
    assert (decoded.codec, decoded.text) == ("cp1250", text)
    assert (
        decoded.encoding == "Central European (Windows-1250; the file does not say so)"
    )


@pytest.mark.parametrize(
    "names",
    [
        # Portuguese writes õ before e alone.
        ["Luís Simões", "José Camões", "Lúcia Antunes", "Reuniões"],
        ["João Simões", "Inês Guimarães", "Sebastião Magalhães", "Opções"],
        # Hungarian names typed with õ beside Portuguese ones: "Simőes".
        ["Luís Simões", "José Camões", "Jenõ Szõke"],
        # Estonian writes õ in a word's first syllable (Vanamõisa too), and ä.
        ["Tõnis Mõttus", "Jüri Põld", "Mart Kõiv", "Kärt Mägi", "Sünnipäev"],
        ["Tõnis Mõttus", "Tõnu Põld", "Vanamõisa", "Võru"],
        ["Tõnis Mõttus", "Õie Põder", "José García", "Raúl Gómez"],
        ["Mari Mäe", "Vanamõisa", "Ülemõisa", "José García"],
        # French writes û in words with no sz, cs, gy (sûr, août), beside è ô.
        ["Frédéric Brûlé", "Anniversaire le 15 août", "Goûter, c'est sûr"],
        ["Stéphane Caron", "Mûres du jardin", "Piqûre de rappel", "Hélène Côté"],
        ["Tõnu Kõiv", "Sõber", "Piqûre de rappel", "Août", "Rubén Suárez"],
        # Read as Windows-1250, "Lefèvre" is "Lefčvre".
        ["Hélène Lefèvre", "Jenõ Szõke", "Mária Kovács"],
    ],
    ids=[
        "portuguese",
        "portuguese-with-a-tilde",
        "portuguese-beside-hungarian-names-typed-with-o-tilde",
        "estonian",
        "estonian-without-a",
        "estonian-and-spanish",
        "estonian-with-a-and-spanish",
        "french",
        "french-without-accents-but-e",
        "estonian-french-and-spanish",
        "hungarian-names-typed-beside-french-ones",
    ],
)
def test_western_names_with_o_or_u_under_a_tilde_or_circumflex_stay_windows_1252(
    names,
):
    text = "Name,Notes\r\n" + "".join(f"{name},\r\n" for name in names)
    decoded = decode_upload(text.encode("cp1252"))
    assert (decoded.codec, decoded.text) == ("cp1252", text)


@pytest.mark.parametrize(
    "data",
    [
        # 李娜 in GBK: two characters are not enough to tell.
        "Name,Notes\r\n李娜,\r\n".encode("gbk"),
        # 사랑해요 in EUC-KR reads as four Chinese characters as well.
        "Name,Notes\r\nAda,사랑해요\r\n".encode("cp949"),
        # "Bjšrn" in Windows-1252 or "Björn" in Mac OS Roman: either reads.
        b"Name,Notes\r\nBj\x9arn,\r\n",
        # One word of a script: "Èâàí" could be a garbled anything.
        "Name,Notes\r\nИван,\r\n".encode("cp1251"),
        "Name,Notes\r\nכהן,\r\n".encode("cp1255"),
        # "Gdañsk" is Spanish enough, "Yýlmaz" Czech or Icelandic enough.
        "Name,Notes\r\nGdańsk,\r\n".encode("cp1250"),
        "Name,Notes\r\nAli Yılmaz,\r\n".encode("cp1254"),
        # Short French words made of accents, Nordic names, a Czech name
        # whose letters Windows-1252 has.
        "Name,Notes\r\nAda,été où à\r\nSøren Ødegård,Tromsø\r\n".encode("cp1252"),
        "Name,Notes\r\nJiří Novák,\r\n".encode("cp1250"),
        # One Hungarian word with ő: too little to tell "Szõke" from a
        # Western word.
        "Name,Notes\r\nSzőke Pál,\r\nKovács Anna,\r\n".encode("cp1250"),
    ],
    ids=[
        "two-chinese-characters",
        "korean-or-chinese",
        "one-letter-either-way",
        "one-cyrillic-word",
        "one-hebrew-word",
        "one-polish-word",
        "one-turkish-name",
        "western-accents-only",
        "one-czech-name",
        "one-hungarian-word-with-o-double-acute",
    ],
)
def test_a_short_file_that_could_be_either_stays_windows_1252(data):
    decoded = decode_upload(data)
    assert decoded.codec == "cp1252"
    assert "Windows-1252" in decoded.encoding


def test_a_vcard_naming_a_western_charset_is_read_in_it_not_guessed():
    content = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=Windows-1252:Lovelace;Ada\r\n"
        + "NOTE:山田太郎 佐藤花子\r\nEND:VCARD\r\n".encode("cp932")
    )
    decoded = decode_upload(content)
    assert decoded.codec == "cp1252"
    assert "山田太郎" not in decoded.text


def test_a_character_at_the_end_of_the_part_read_to_guess_stays_whole():
    # The guess reads the first 64 KiB, cut at a line's end: a character
    # whose two bytes straddle the cut is not read as a broken one.
    row = "山田太郎,大学の友人\r\n".encode("cp932")
    head = b"Name,Notes\r\n" + b"Ada Lovelace,note\r\n" * 3000 + row * 5
    data = head + b"x" * (65535 - len(head)) + row * 5
    assert data[65535:65537] == row[:2]
    decoded = decode_upload(data)
    assert decoded.codec == "cp932"
    assert decoded.text.endswith("山田太郎,大学の友人\r\n")


def test_a_japanese_phones_own_emoji_do_not_hide_its_japanese():
    # Japanese phones wrote their emoji in Shift_JIS's user-defined area,
    # read as private use characters.
    data = (DATA / "shift_jis_phone_30.vcf").read_bytes()
    note = "大学の友人".encode("cp932")
    decoded = decode_upload(data.replace(note, note + b"\xf8\x9f"))
    assert decoded.codec == "cp932"
    assert "NOTE:大学の友人\ue63e\r\n" in decoded.text


def test_a_quoted_printable_value_naming_no_charset_is_in_the_files_encoding(
    alice, flow
):
    # A Japanese phone's vCard 2.1 without CHARSET, its note quoted-printable.
    note = "".join(f"={byte:02X}" for byte in "大学の友人".encode("cp932"))
    content = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:山田;太郎;;;\r\nFN:山田太郎\r\n"
        f"NOTE;ENCODING=QUOTED-PRINTABLE:{note}\r\n"
        "ORG:株式会社山田商事\r\nEND:VCARD\r\n"
    ).encode("cp932")
    batch = flow.upload(alice, "phone.vcf", content)
    assert batch.encoding == "Japanese (Shift_JIS; the file does not say so)"
    flow.confirm(batch)
    taro = Contact.objects.get(owner=alice)
    assert (taro.shown_name, taro.notes) == ("山田太郎", "大学の友人")


@pytest.mark.parametrize(
    "data",
    [
        "Müller,José,Zoë,naïve café “quoted” – €5\n".encode("cp1252"),
        # The five bytes Windows-1252 leaves undefined, and a UTF-8
        # character cut short at the end.
        b"Ann,\x81\x8d\x8f\x90\x9d,caf\xe9\n" + b"Bo,\xf0\x9f\x98",
        b"Name,Note\n\xe9\xe8\xe0 \xc3,\xe2\x82 end",
    ],
)
def test_a_file_without_utf8_reads_as_each_byte_in_windows_1252(data):
    """Read at once, it is what reading it byte by byte through the UTF-8
    error handler gave."""
    from contacts.uploads import _WINDOWS_1252

    decoded = decode_upload(data, file_name="people.csv")
    assert decoded.codec == "cp1252"
    assert decoded.text == data.decode("utf-8", _WINDOWS_1252)
