"""Reading the list of schools and their deputy directors (.xlsx or .csv), safely.

The file comes from outside, so it is distrusted until checked:

* .xlsx: a real zip (not an OLE2 compound file: that is an .xls or a
  password-encrypted workbook), at most MAX_ZIP_ENTRIES entries and
  MAX_UNCOMPRESSED_BYTES unpacked, no entry packed more than MAX_COMPRESSION_RATIO
  times (a zip bomb), no macros or embedded OLE objects (profplan/office_files.py,
  whatever the file is called); all of it checked from the zip directory before
  any XML is parsed. openpyxl parses the XML through defusedxml (entity
  expansion, external entities and DTDs are refused) and in read-only mode, and
  reading stops at MAX_ROWS data rows, so memory stays bounded whatever the sheet
  claims.
* .csv: UTF-8 (with or without BOM) or Windows-1251, «;» or «,» between columns,
  the same size and row limits.

The first non-empty row holds the headers (see COLUMNS); the first sheet of a
workbook is read. Row numbers in messages are the file's own line numbers, as
Excel shows them. Validation that needs the database (municipality, login and
e-mail not taken) is here too; accounts/services.py writes.

Columns (header text, case and «ё»/«е» do not matter; other columns are ignored):

    муниципалитет            Нальчик, «г.о. Нальчик», «Баксанский муниципальный район»…
    полное наименование      полное наименование школы
    краткое наименование     краткое наименование (как в списках и в шапке плана)
    ИНН                      10 цифр с верной контрольной цифрой; школа с таким ИНН
                             уже есть – её наименования и руководитель обновляются
    ФИО руководителя         для грифа «УТВЕРЖДАЮ»
    должность руководителя   необязательно, по умолчанию «Директор»
    ФИО заместителя          «Фамилия Имя Отчество» – кому создаётся учётная запись
    e-mail заместителя       на него приходит ссылка для установки пароля
    логин                    необязательно; пустой – составляется из фамилии и
                             инициалов латиницей (ivanova.mp, ivanova.mp2, …)
"""

import csv
import difflib
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db.models.functions import Lower

from profplan import uploads
from profplan.office_files import check_no_macros

# Bounds on what an uploaded file may make the server do (the checks of the file
# itself are shared with the plan imports: profplan/uploads.py). A real list of a
# region's schools is a few hundred rows and well under 1 MB.
MAX_FILE_BYTES = uploads.MAX_FILE_BYTES
MAX_UNCOMPRESSED_BYTES = uploads.MAX_UNCOMPRESSED_BYTES
MAX_ZIP_ENTRIES = uploads.MAX_ZIP_ENTRIES
MAX_COMPRESSION_RATIO = uploads.MAX_COMPRESSION_RATIO
MAX_ROWS = 5000
MAX_SCANNED_ROWS = MAX_ROWS + 1000  # data rows, the header and some blank lines
MAX_COLUMNS = 30
MAX_LOGIN_SUFFIX = 20  # ivanova.mp … ivanova.mp20; beyond that the file names a login
# Lengths of the fields the columns are stored in (School, User).
LENGTH_LIMITS = {
    "full_name": 500,
    "short_name": 200,
    "director_name": 200,
    "director_position": 200,
    "deputy_name": 150,
    "deputy_email": 254,
    "username": 150,
}
QUERY_CHUNK = 500  # values per IN (…): well inside SQLite's limit on query parameters

OLE2_SIGNATURE = uploads.OLE2_SIGNATURE
# The shared refusals, worded for a list of schools.
SCHOOLS_XLSX = replace(
    uploads.XLSX,
    too_many_parts="Скопируйте список на один лист новой книги и загрузите её.",
    copy_hint="Скопируйте список школ в новую книгу и загрузите её.",
)

DEFAULT_DIRECTOR_POSITION = "Директор"
DEPUTY_POSITION = "Заместитель директора"


# The file as a whole is refused; the message is for the user, in Russian.
ImportFileError = uploads.UploadRefused


class ImportRejected(Exception):
    """Some rows are wrong: nothing is imported. `errors` lists them, one per line."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = True
    aliases: tuple[str, ...] = ()


COLUMNS = [
    Column("municipality", "муниципалитет", aliases=("муниципальное образование", "район")),
    Column("full_name", "полное наименование", aliases=("полное наименование оо",)),
    Column("short_name", "краткое наименование", aliases=("краткое наименование оо",)),
    Column("inn", "ИНН"),
    Column("director_name", "ФИО руководителя", aliases=("фио директора",)),
    Column(
        "director_position",
        "должность руководителя",
        required=False,
        aliases=("должность директора",),
    ),
    Column("deputy_name", "ФИО заместителя", aliases=("фио заместителя директора",)),
    Column(
        "deputy_email",
        "e-mail заместителя",
        aliases=(
            "email заместителя",
            "e-mail",
            "email",
            "электронная почта заместителя",
            "адрес электронной почты заместителя",
        ),
    ),
    Column("username", "логин", required=False, aliases=("логин заместителя",)),
]


@dataclass
class SchoolRow:
    """One line of the file, as read: texts stripped, nothing checked yet."""

    line: int
    municipality: str = ""
    full_name: str = ""
    short_name: str = ""
    inn: str = ""
    director_name: str = ""
    director_position: str = ""
    deputy_name: str = ""
    deputy_email: str = ""
    username: str = ""
    # Filled in by validate_rows():
    municipality_id: int | None = field(default=None, compare=False)
    school_id: int | None = field(default=None, compare=False)
    existing_user_id: int | None = field(default=None, compare=False)


def normalize(text: str) -> str:
    text = text.replace("\u00a0", " ").strip().lower().replace("ё", "е")
    text = re.sub(r"\s*\((необязательно|не обязательно)\)\s*$", "", text)
    return re.sub(r"\s+", " ", text).strip(" *:")


HEADERS = {
    normalize(alias): column.key for column in COLUMNS for alias in (column.header, *column.aliases)
}


# Reading ---------------------------------------------------------------------


def read_rows(data: bytes, filename: str) -> list[SchoolRow]:
    """The rows of an uploaded list. ImportFileError when the file is refused."""
    suffix = PurePath(filename or "").suffix.lower()
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"Файл больше {MAX_FILE_BYTES // (1024 * 1024)} МБ: для списка школ это слишком много. "
            "Проверьте, тот ли файл выбран."
        )
    # Macros first, whatever the name: an .xls with a VBA project is refused as such.
    check_no_macros(data, name=PurePath(filename or "").name)
    if suffix == ".xlsm":
        raise ImportFileError(
            "Книги с макросами (.xlsm) не принимаются. Сохраните таблицу как «Книга Excel» (.xlsx)."
        )
    if suffix == ".xls":
        raise ImportFileError(
            "Старый формат Excel (.xls) не поддерживается. Откройте файл в Excel и сохраните его "
            "как «Книга Excel» (.xlsx) или как CSV."
        )
    if suffix == ".xlsx":
        return rows_from_cells(xlsx_cells(data))
    if suffix == ".csv":
        return rows_from_cells(csv_cells(data))
    raise ImportFileError("Загрузите файл .xlsx (книга Excel) или .csv.")


def check_xlsx_container(data: bytes) -> None:
    """Everything that can be learnt from the zip directory, before any XML is parsed
    (profplan/uploads.py, shared with the plan imports), within this module's limits."""
    uploads.check_office_container(
        data,
        SCHOOLS_XLSX,
        max_entries=MAX_ZIP_ENTRIES,
        max_uncompressed=MAX_UNCOMPRESSED_BYTES,
        max_ratio=MAX_COMPRESSION_RATIO,
    )


def xlsx_cells(data: bytes):
    """Rows of the first sheet as tuples of cell values, streamed.

    The zip limits bound what the parser can be made to unpack; the caller stops
    reading at MAX_ROWS, so a sheet of a million rows is never held in memory.
    """
    workbook = uploads.load_xlsx(
        data,
        SCHOOLS_XLSX,
        data_only=True,
        max_entries=MAX_ZIP_ENTRIES,
        max_uncompressed=MAX_UNCOMPRESSED_BYTES,
        max_ratio=MAX_COMPRESSION_RATIO,
    )
    try:
        if not workbook.worksheets:
            raise ImportFileError("В книге Excel нет листов.")
        sheet = workbook.worksheets[0]
        try:
            # An explicit max_row: without one openpyxl asks the sheet for its size,
            # which for a sheet without a <dimension> means reading it all first.
            yield from sheet.iter_rows(
                max_row=MAX_SCANNED_ROWS + 1, max_col=MAX_COLUMNS, values_only=True
            )
        except ImportFileError:
            raise
        except Exception as error:
            raise ImportFileError(unreadable_xlsx_message(error)) from None
    finally:
        workbook.close()


def unreadable_xlsx_message(error: Exception) -> str:
    return uploads.unreadable_xml_message(error, SCHOOLS_XLSX)


def csv_cells(data: bytes):
    if data.startswith(OLE2_SIGNATURE) or data.startswith(b"PK\x03\x04") or b"\x00" in data[:4096]:
        raise ImportFileError(
            "Файл не является текстовым CSV: похоже, это книга Excel или файл другого типа "
            "с изменённым расширением."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in Russian Windows saves «CSV (разделители – запятые)» in Windows-1251.
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            raise ImportFileError(
                "Не удалось прочитать кодировку CSV. Сохраните файл в UTF-8 или Windows-1251."
            ) from None
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield tuple(row[:MAX_COLUMNS])
    except csv.Error as error:
        raise ImportFileError(
            f"CSV прочитан с ошибкой в строке {reader.line_num}: {error}."
        ) from None


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # ИНН or a number typed into Excel comes back as 701234567.0
    return re.sub(r"\s+", " ", str(value).replace("\u00a0", " ")).strip()


def rows_from_cells(cells) -> list[SchoolRow]:
    """Maps the header row to columns; stops reading past MAX_ROWS data rows or
    MAX_SCANNED_ROWS rows in all (a sheet of blank formatted rows counts too)."""
    columns: dict[int, str] | None = None
    rows: list[SchoolRow] = []
    too_many = (
        f"В файле больше {MAX_ROWS:,} строк".replace(",", " ")
        + ": для списка школ это слишком много. Разделите список на несколько файлов "
        "или, если лишние строки пустые, скопируйте список в новую книгу."
    )
    for line, values in enumerate(cells, start=1):
        if line > MAX_SCANNED_ROWS:
            raise ImportFileError(too_many)
        texts = [cell_text(value) for value in values]
        if not any(texts):
            continue
        if columns is None:
            columns = header_columns(texts)
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(too_many.replace("строк:", "строк данных:"))
        row = SchoolRow(line=line)
        for index, key in columns.items():
            if index < len(texts):
                setattr(row, key, texts[index])
        rows.append(row)
    if columns is None:
        raise ImportFileError("Файл пуст: в нём нет строки заголовков и строк со школами.")
    if not rows:
        raise ImportFileError("В файле нет ни одной строки со школой под заголовками.")
    return rows


def header_columns(texts: list[str]) -> dict[int, str]:
    columns: dict[int, str] = {}
    for index, text in enumerate(texts):
        key = HEADERS.get(normalize(text))
        if key and key not in columns.values():
            columns[index] = key
    missing = [c.header for c in COLUMNS if c.required and c.key not in columns.values()]
    if missing:
        expected = ", ".join(f"«{c.header}»" for c in COLUMNS)
        raise ImportFileError(
            "Не найдены столбцы: "
            + ", ".join(f"«{header}»" for header in missing)
            + f". Первая строка файла должна содержать заголовки: {expected}."
        )
    return columns


# Validating ------------------------------------------------------------------

TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o",
            "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e",
            "iu", "ia",
        ],
        strict=True,
    )
)  # fmt: skip


def transliterate(text: str) -> str:
    """Russian letters to Latin, as in the passport (ICAO) transliteration."""
    return "".join(TRANSLIT.get(char, char) for char in text.lower())


def split_name(full_name: str) -> tuple[str, str]:
    """«Иванова Мария Петровна» → last name «Иванова», first name «Мария Петровна»."""
    last, _, rest = full_name.partition(" ")
    return last, rest.strip()


def login_base(full_name: str) -> str:
    last, rest = split_name(full_name)
    initials = "".join(transliterate(word[0]) for word in rest.split() if word)[:2]
    base = re.sub(r"[^a-z0-9]", "", transliterate(last)) or "user"
    return f"{base}.{initials}" if initials else base


def inn_is_valid(inn: str) -> bool:
    """An organisation's ИНН: 10 digits, the last one a checksum of the others."""
    if not re.fullmatch(r"\d{10}", inn):
        return False
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    return sum(int(d) * w for d, w in zip(inn, weights, strict=False)) % 11 % 10 == int(inn[9])


def municipality_key(name: str) -> str:
    """«г.о. Нальчик», «городской округ Нальчик» → «нальчик»; «Баксанский
    муниципальный район», «Баксанский район» → «баксанский»."""
    name = normalize(name)
    name = re.sub(r"^(г\.\s*о\.|городской округ|г\.)\s*", "", name)
    name = re.sub(r"\s*(муниципальный район|район|м\.\s*р\.)$", "", name)
    return name.strip()


def is_same_person(user, row: SchoolRow) -> bool:
    """An existing account with this school and this e-mail is the row's deputy
    (the list is imported again); any other account is somebody else."""
    return (
        user.school_id is not None
        and user.school_id == row.school_id
        and user.email.lower() == row.deputy_email.lower()
    )


def validate_rows(rows: list[SchoolRow], municipalities=None) -> list[str]:
    """Every problem of every row, in Russian, «Строка N: …». Empty when all is well.

    Also notes on each row what it refers to in the database (municipality,
    existing school, existing user), for schools_import(). `municipalities`: those a
    row may name (the importer's region's; by default the default region's): a school
    of another region is refused. Query cost: two queries,
    plus one per QUERY_CHUNK logins and e-mails (a handful for a region's list).
    """
    from plans.models import Municipality, Region, School

    User = get_user_model()
    if municipalities is None:
        municipalities = Municipality.objects.filter(region=Region.objects.default())
    municipalities = {municipality_key(m.name): m for m in municipalities}
    own = {m.pk for m in municipalities.values()}
    schools = {
        s.inn: s
        for s in School.objects.filter(inn__in=[r.inn for r in rows if r.inn]).only(
            "pk", "inn", "municipality_id"
        )
    }
    # Existing accounts that a row may meet: its given login, its derived login
    # with the suffixes it may take, and its e-mail.
    wanted = {r.username for r in rows if r.username}
    for r in rows:
        if r.deputy_name and not r.username:
            base = login_base(r.deputy_name)
            wanted.update([base] + [f"{base}{n}" for n in range(2, MAX_LOGIN_SUFFIX + 1)])
    emails = {r.deputy_email.lower() for r in rows if r.deputy_email}
    found = {}
    wanted_list, email_list = sorted(wanted), sorted(emails)
    for start in range(0, len(wanted_list), QUERY_CHUNK):
        for user in User.objects.filter(username__in=wanted_list[start : start + QUERY_CHUNK]):
            found[user.pk] = user
    for start in range(0, len(email_list), QUERY_CHUNK):
        chunk = email_list[start : start + QUERY_CHUNK]
        for user in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=chunk):
            found[user.pk] = user
    users_by_login = {user.username: user for user in found.values()}
    users_by_email: dict[str, list] = {}
    for user in found.values():
        users_by_email.setdefault(user.email.lower(), []).append(user)

    errors: list[str] = []
    seen_inn: dict[str, int] = {}
    seen_login: dict[str, int] = {}
    seen_email: dict[str, int] = {}
    email_check = EmailValidator()
    # Latin logins only: a deputy types it on whatever keyboard layout is on.
    username_check = ASCIIUsernameValidator()

    for row in rows:
        problems: list[str] = []
        for column in COLUMNS:
            if column.required and not getattr(row, column.key):
                problems.append(f"не заполнено «{column.header}»")

        if row.municipality:
            municipality = municipalities.get(municipality_key(row.municipality))
            if municipality is None:
                close = difflib.get_close_matches(
                    municipality_key(row.municipality), list(municipalities), n=1
                )
                hint = f" (возможно, «{municipalities[close[0]].name}»?)" if close else ""
                problems.append(f"муниципалитет «{row.municipality}» не найден{hint}")
            else:
                row.municipality_id = municipality.pk

        for column in COLUMNS:
            if (
                column.key in LENGTH_LIMITS
                and len(getattr(row, column.key)) > LENGTH_LIMITS[column.key]
            ):
                problems.append(f"«{column.header}» длиннее {LENGTH_LIMITS[column.key]} знаков")

        if row.inn:
            if re.fullmatch(r"\d{9}", row.inn):
                # Excel stores an ИНН typed as a number and drops its leading zero
                # (all ИНН of KBR start with 07); the checksum below guards the guess.
                row.inn = "0" + row.inn
            if not inn_is_valid(row.inn):
                problems.append(
                    f"ИНН «{row.inn}» неверен: у организации 10 цифр, последняя – контрольная"
                )
            elif row.inn in seen_inn:
                problems.append(f"ИНН {row.inn} уже встречался в строке {seen_inn[row.inn]}")
            else:
                seen_inn[row.inn] = row.line
                school = schools.get(row.inn)
                row.school_id = school.pk if school else None
                if school and school.municipality_id not in own:
                    problems.append(f"школа с ИНН {row.inn} уже есть в другом регионе")

        if row.deputy_name and len(row.deputy_name.split()) < 2:
            problems.append(f"ФИО заместителя «{row.deputy_name}»: укажите хотя бы фамилию и имя")

        email = row.deputy_email.lower()
        if row.deputy_email:
            try:
                email_check(row.deputy_email)
            except ValidationError:
                problems.append(f"e-mail «{row.deputy_email}» неверен")
            else:
                if email in seen_email:
                    problems.append(
                        f"e-mail {row.deputy_email} уже указан в строке {seen_email[email]}"
                    )
                seen_email.setdefault(email, row.line)

        # The deputy's account: the given or derived login; an account that already
        # exists with this login, this school and this e-mail is the same person
        # (a repeated import), anything else taken is an error or the next suffix.
        if row.username:
            try:
                username_check(row.username)
            except ValidationError:
                problems.append(
                    f"логин «{row.username}» недопустим: только латинские буквы, цифры и "
                    "знаки @ . + - _"
                )
            else:
                existing = users_by_login.get(row.username)
                if row.username.lower() in seen_login:
                    problems.append(
                        f"логин «{row.username}» уже указан в строке "
                        f"{seen_login[row.username.lower()]}"
                    )
                elif existing and not is_same_person(existing, row):
                    problems.append(f"логин «{row.username}» уже занят другим пользователем")
                elif existing:
                    row.existing_user_id = existing.pk
                seen_login.setdefault(row.username.lower(), row.line)
        elif row.deputy_name:
            base = login_base(row.deputy_name)
            for n in range(1, MAX_LOGIN_SUFFIX + 1):
                candidate = base if n == 1 else f"{base}{n}"
                existing = users_by_login.get(candidate)
                if candidate in seen_login or (existing and not is_same_person(existing, row)):
                    continue
                row.username = candidate
                row.existing_user_id = existing.pk if existing else None
                seen_login[candidate] = row.line
                break
            else:
                problems.append(
                    f"логины {base} … {base}{MAX_LOGIN_SUFFIX} заняты: укажите логин в столбце «логин»"
                )

        if email and row.existing_user_id is None and users_by_email.get(email):
            problems.append(f"e-mail {row.deputy_email} уже указан у другой учётной записи")

        if problems:
            errors.append(f"Строка {row.line}: " + "; ".join(problems) + ".")
    return errors
