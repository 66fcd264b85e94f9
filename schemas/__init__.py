"""Data contracts: pydantic models of the configuration files and Pandera models of the tables.

- The configuration: ``config.py`` (``load_config``: load, validate, cross-check; ``ConfigError``;
  the models are importable from here), ``config_models.py`` (one model per file, and
  ``CompetenceConfig``), ``config_values.py`` (the checked value types: codecs, date formats,
  timezones, addresses, site codes).
- The tables: ``tables.py`` (the inputs), ``output_tables.py`` (what the pipeline writes),
  ``warehouse_tables.py`` (the warehouse's column types, derived from them), ``vocabulary.py``
  (the codes), ``identifiers.py`` (site codes and the roll-up's name).

Imports nothing else of the project.
"""
