"""Ingest: one week's landing files in, canonical tables and the accounting of every row out.

Where things happen, in the order a file goes through them:

- ``assets.py``: the Dagster assets (``landing_intake`` and the tables it yields, the checks).
- ``landing.py``: the inventory of the landing folder (what each entry is, from ``lstat``).
- ``read_workers.py``: large workbooks read in spawned worker processes, beside the threads.
- ``snapshot.py``: a file read once, hashed, and proven unchanged while read.
- ``file_checks.py``: checks on the bytes before parsing (empty, binary, encoding, limits).
- ``readers.py``: CSV and XLSX bytes into frames of raw cells, each row with its row number.
- ``file_intake.py``: one file start to finish (read, required columns, conform, cell checks).
- ``provider_results.py``: **where a provider is mapped** (``providers.yaml``: columns, names,
  modules, date format, score scale, pass rule), and canonical provider folders.
- ``company_records.py``: the roster extracts and continuing-education activities;
  ``decisions.py``: exemptions and revocations.
- ``cell_parsing.py``: raw cells to dates, numbers and true/false; ``names.py``: full names
  split and names folded for matching; ``conformed.py``: what a conformer returns, and one
  source's files joined; ``labels.py``: file name and provider kept as codes until they leave.
- ``cell_checks.py``: over-long text, NUL and bidi characters reject their row.
- ``validation.py``: the quarantine (Pandera models of ``schemas/tables.py``) into reject rows.
  ``pattern_checks.py``: the models' e-mail patterns in one Arrow pass, for the validation.
- ``dedup.py``: exact repeats and superseded records across drops (``key_hashes.py``: the
  rows whose key repeats, found through row hashes).
- ``identity.py``: results and activities linked to the roster (id, e-mail, name);
  ``linked_people.py``: each step's people joined into ``person_id`` once.
- ``intake.py``: the whole week put together (``freed_memory.py``: freed memory handed back
  between sources); ``file_accounting.py``: every file's rows in, accepted, rejected and
  de-duplicated, and a reject row for each file rejected whole;
  ``completeness.py``, ``reject_share.py``, ``last_week.py``: whether the week may be reported.
"""
