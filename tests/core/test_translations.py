"""French, Spanish and Chinese are kept complete: every UI string translated, placeholders intact,
and the catalogues in step with the code."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["fr", "es", "zh_Hans"]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_0-9]*\}")


def catalogue(language):
    with (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language):
    missing = []
    for message in catalogue(language):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id)
    assert not missing, f"{language}: {len(missing)} untranslated or fuzzy, e.g. {missing[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    wrong = []
    for message in catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            found = set(PLACEHOLDER.findall(string))
            if not found <= expected or (len(ids) == 1 and found != expected):
                wrong.append((ids[0], string))
    assert not wrong, f"{language}: placeholders differ: {wrong[:5]}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"),
    [("fr", "Statut du traité"), ("es", "Estado del Tratado"), ("zh-hans", "条约状况")],
)
def test_pages_are_served_in_each_language(client, language, text):
    client.cookies["django_language"] = language
    response = client.get("/states/")
    assert f'lang="{language}"' in response.content.decode()
    assert text in response.content.decode()
    translation.activate("en")


def test_the_catalogues_hold_every_string_of_the_code(tmp_path):
    """Extract the strings again (as `make makemessages` would) and compare with the catalogues."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("xgettext is missing in CI (scripts/ci-services.sh installs gettext)")
        pytest.skip("GNU gettext is not installed (apt-get install gettext)")
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "locale" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    script = (
        "import sys; sys.path.insert(0, 'src'); import os;"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'secretariat.settings';"
        "from django.conf import settings; settings.LOCALE_PATHS = [os.path.abspath('locale')];"
        "import django; django.setup(); from django.core.management import call_command;"
        "call_command('makemessages', locale=['fr'], verbosity=0)"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, check=True, timeout=120)  # noqa: S603
    with (tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        extracted = {message.id for message in read_po(handle) if message.id}
    for language in LANGUAGES:
        kept = {message.id for message in catalogue(language) if message.id}
        missing = extracted - kept
        assert not missing, f"{language}: run `make makemessages` and translate: {sorted(missing, key=str)[:5]}"
