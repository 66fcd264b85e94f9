"""How the certification engine runs fast; no rule lives here.

- :mod:`.parallel`: the worker threads and the slicing of work into contiguous ranges;
- :mod:`.day_grid`: (group, day) pairs packed into one sortable integer key;
- :mod:`.results_index`: the module passes and attempts by (person, module, day), answering the
  rules' :class:`~assets.certification.rules.history.PassHistory` questions with binary
  searches; the Arrow arrays of the records' identifying text;
- :mod:`.points_index`: activities and retakes indexed for sums over spans (the rules'
  :class:`~assets.certification.rules.history.PointsHistory`), and the points ledger's events;
- :mod:`.status_table`: the rules' answers per credential and slice of people, put in their final
  row order, nulls turned into the table's (NaT, ``<NA>``);
- :mod:`.ledger_table`: the points ledger's rows in order;
- :mod:`.evidence_text`: the evidence text columns rendered in Arrow's string kernels.

The rules (:mod:`assets.certification.rules`) never import anything from here
(``tests/certification/test_rules_apart.py`` checks it).
"""
