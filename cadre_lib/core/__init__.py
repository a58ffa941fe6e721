"""Small facts and helpers every layer shares (and that import nothing else of the package).

- :mod:`~cadre_lib.core.scope`: the ``ALL`` scope, the ``all`` level, audiences, unit selectors, the sample band;
- :mod:`~cadre_lib.core.text`: NFC and HTML escaping;
- :mod:`~cadre_lib.core.files`: the project root, path resolution, sha256 of a file, atomic writes, timestamps;
- :mod:`~cadre_lib.core.spreadsheet`: CSV and .xlsx writing where formula-like text stays text;
- :mod:`~cadre_lib.core.schema`: pydantic errors as readable lines naming the key.
"""
