#!/bin/sh
# Refresh the English catalogue and compile it (needs GNU gettext: apt-get install gettext).
#   1. extracts every wrapped string of src/jamsos into locale/en/LC_MESSAGES/django.po
#      (new msgids get an empty msgstr; obsolete ones are dropped);
#   2. compiles django.mo (committed, so a fresh clone runs without gettext).
# Then translate the empty msgstr entries and run it again. `make test` fails, naming the
# msgids, while any is empty or fuzzy (src/jamsos/web/tests/test_translations.py).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-"$ROOT/.venv/bin/python"}
cd "$ROOT/src/jamsos"
PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" -m jamsos makemessages -l en --no-obsolete
msgfmt --check --statistics -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po
echo "Untranslated: $(msgattrib --untranslated --no-obsolete locale/en/LC_MESSAGES/django.po | grep -c '^msgid ' || true) (the header counts as one when any is left)"
echo "Fuzzy:        $(msgattrib --only-fuzzy --no-obsolete locale/en/LC_MESSAGES/django.po | grep -c '^msgid ' || true)"
