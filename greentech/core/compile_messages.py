"""Compile the .po catalogues to .mo with polib, so no GNU gettext is needed (`make messages`).

The compiled .mo files are committed: installing the platform never needs a compiler for translations.
"""

from pathlib import Path

import polib

from greentech.config import PACKAGE_DIR


def main() -> None:
    for po_path in sorted((PACKAGE_DIR / "locale").glob("*/LC_MESSAGES/*.po")):
        catalogue = polib.pofile(str(po_path))
        mo_path = Path(po_path).with_suffix(".mo")
        catalogue.save_as_mofile(str(mo_path))
        print(f"{mo_path.relative_to(PACKAGE_DIR)}: {catalogue.percent_translated()}% translated")


if __name__ == "__main__":
    main()
